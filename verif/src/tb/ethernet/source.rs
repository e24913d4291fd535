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
