//! Stimulus: a transmitter's XGMII stream of frames and ordered sets.

use linkforge_rtl::ethernet::{IDLE, SEQUENCE, START, TERMINATE};

/// Bytes of preamble and SFD from the start character on.
const PREAMBLE: usize = 8;

/// A transmitter's XGMII stream: frames with preamble, SFD, terminate and
/// idles, start in lane 0 or 4, and ordered sets between them, cut into
/// words.
#[derive(Clone, Debug, Default)]
pub struct Source {
    /// Lanes not yet put in a word: (byte, control).
    lanes: std::collections::VecDeque<(u8, bool)>,
    /// Lanes already put in words.
    taken: u64,
}

impl Source {
    /// An empty stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lanes queued and not yet put in a word.
    pub fn queued(&self) -> usize {
        self.lanes.len()
    }

    /// Lanes queued or sent so far.
    fn len(&self) -> u64 {
        self.taken + self.lanes.len() as u64
    }

    /// Appends `idles` idle characters.
    pub fn idle(&mut self, idles: usize) {
        self.lanes.extend(std::iter::repeat_n((IDLE, true), idles));
    }

    /// Appends `frame` (its bytes, FCS included) after at least `ipg` idle
    /// characters, starting in the next lane 0 or 4 of a word after the one
    /// holding the last terminate; returns the index of the lane holding
    /// its start, counting from the stream's first lane (its terminate is
    /// `8 + frame.len()` lanes later).
    pub fn frame(&mut self, frame: &[u8], ipg: usize) -> u64 {
        let start = self.column(ipg);
        self.lanes.push_back((START, true));
        self.lanes
            .extend(std::iter::repeat_n((0x55, false), PREAMBLE - 2));
        self.lanes.push_back((0xD5, false));
        self.lanes.extend(frame.iter().map(|&b| (b, false)));
        self.lanes.push_back((TERMINATE, true));
        start
    }

    /// Appends a sequence ordered set (`9Ch` and `bytes`, for example
    /// `[0, 0, 2]` for remote fault) after at least `ipg` idle characters,
    /// in the next lane 0 or 4 of a word after the one holding the last
    /// terminate, as a frame would start; returns the index of its lane.
    pub fn ordered_set(&mut self, bytes: [u8; 3], ipg: usize) -> u64 {
        let at = self.column(ipg);
        self.lanes.push_back((SEQUENCE, true));
        self.lanes.extend(bytes.iter().map(|&b| (b, false)));
        at
    }

    /// Pads with at least `ipg` idles up to the next lane 0 or 4 of a word
    /// after the one holding the last lane so far; returns that lane's
    /// index.
    fn column(&mut self, ipg: usize) -> u64 {
        let last_word = self.len().saturating_sub(1) / 8;
        let mut start = self.len() + ipg as u64;
        while start % 4 != 0 || (self.len() > 0 && start / 8 <= last_word) {
            start += 1;
        }
        self.idle((start - self.len()) as usize);
        start
    }

    /// The next word, padding with idles when fewer than 8 lanes wait.
    pub fn word(&mut self) -> (u64, u8) {
        if self.lanes.len() < 8 {
            self.idle(8 - self.lanes.len());
        }
        self.taken += 8;
        (0..8).fold((0, 0), |(d, c), j| {
            let (b, k) = self.lanes.pop_front().unwrap_or((IDLE, true));
            (d | u64::from(b) << (8 * j), c | u8::from(k) << j)
        })
    }
}

/// Ordered-set words a transmitter may send between frames: local fault in
/// both halves (55h), remote fault then idles (4Bh), idles then local
/// fault (2Dh).
pub const ORDERED_SETS: [(u64, u8); 3] = [
    (0x0100_009C_0100_009C, 0x11),
    (0x0707_0707_0200_009C, 0xF1),
    (0x0100_009C_0707_0707, 0x1F),
];

/// Illegal or unusual words: data, a start, a terminate, eight errors, an
/// unencodable word, an ordered set with a start (66h).
pub const ODD_WORDS: [(u64, u8); 6] = [
    (0x0123_4567_89AB_CDEF, 0x00),
    (0xD555_5555_5555_55FB, 0x01),
    (0x0707_0707_0707_07FD, 0xFF),
    (0xFEFE_FEFE_FEFE_FEFE, 0xFF),
    (0x0707_0707_0707_FB07, 0xFF),
    (0x5555_55FB_0100_009C, 0x11),
];

/// An XGMII stream drawn from random words: frames from a [`Source`] with
/// ordered sets between them, and (when `odd` > 0) about one word in `odd`
/// replaced by an illegal one.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    source: Source,
    odd: u64,
}

impl Stream {
    /// Random words one [`Stream::word`] takes at most.
    pub const WORDS: usize = 6;

    /// A stream with one illegal word in about `odd` (none when 0).
    pub fn new(odd: u64) -> Stream {
        Stream {
            source: Source::new(),
            odd,
        }
    }

    /// Lanes queued and not yet put in a word.
    pub fn queued(&self) -> usize {
        self.source.queued()
    }

    /// The next word, its choices drawn from `words` (at most
    /// [`Stream::WORDS`] of them).
    pub fn word(&mut self, words: &mut dyn Iterator<Item = u64>) -> (u64, u8) {
        let mut r = || words.next().unwrap_or(0);
        if self.odd > 0 && r() % self.odd == 0 {
            return ODD_WORDS[(r() % ODD_WORDS.len() as u64) as usize];
        }
        if self.source.queued() == 0 {
            match r() % 6 {
                0 => return ORDERED_SETS[(r() % ORDERED_SETS.len() as u64) as usize],
                1 | 2 => {
                    let len = (r() % 80) as usize;
                    let mut bytes = crate::models::xorshift::XorShift::new(r());
                    let body: Vec<u8> = (0..len).map(|_| bytes.word() as u8).collect();
                    self.source.frame(&body, (r() % 12) as usize);
                }
                _ => {}
            }
        }
        self.source.word()
    }
}
