//! `eth_fcs`: the Ethernet frame check sequence (CRC-32) over the frames of
//! an XGMII stream: it computes each frame's CRC-32 (the FCS a transmitter
//! appends) and checks frames that end in their own FCS, counting them.
//! The CRC is the [`crc`](crate::common::crc) block (CRC-32, 8 bytes per
//! clock).
//!
//! Framing rules (shared by the block and its model [`Monitor`]):
//!
//! - Outside a frame, a word with start (`FBh`, a control lane) in lane 0,
//!   or else in lane 4, begins one; its preamble and SFD take the 8 lanes
//!   from the start, so the frame's bytes begin in the next word at lane 0
//!   (start in lane 0) or lane 4 (start in lane 4; lanes 0..3 of that word
//!   are preamble and not looked at).
//! - In a frame, the frame's bytes run up to the first control lane. If it
//!   holds terminate (`FDh`) the frame ends there: it is good when its
//!   bytes end in their own CRC-32 (sent least significant byte first),
//!   else an FCS error. Any other control character aborts the frame (a
//!   frame error). The rest of that word is not looked at.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `in_valid` (the
//! word is taken at this edge), `xgmii_d[63:0]`, `xgmii_c[7:0]`. For the
//! cycle after the edge that ends a frame: `frame_done`, and one of
//! `frame_good`, `frame_fcs_error`, `frame_aborted`; `fcs[31:0]` is then
//! the CRC-32 of the bytes of the frame (all of them up to terminate).
//! Counters (saturating, 32 bits): `frames` (frames ended), `fcs_errors`,
//! `frame_errors` (aborted frames).

use super::{COUNT_WIDTH, IDLE, SEQUENCE, START, TERMINATE};
use crate::catalog::{no_issues, BlockKind};
use crate::common::crc::{crc, reference, CrcConfig};
use crate::common::saturating_count;
use linkforge_hdl::prelude::*;

/// Bytes of preamble and SFD from the start character on.
const PREAMBLE: usize = 8;
/// Bytes of the FCS.
const FCS_BYTES: usize = 4;

/// How a frame ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameEnd {
    /// Terminated, ending in its own correct FCS.
    Good(Vec<u8>),
    /// Terminated with a wrong FCS.
    FcsError(Vec<u8>),
    /// Cut short by a control character other than terminate.
    Aborted,
}

/// The FCS of `bytes`: the CRC-32 to append, least significant byte first.
pub fn fcs(bytes: &[u8]) -> u32 {
    reference(&CrcConfig::crc32(1), bytes) as u32
}

/// `bytes` followed by their FCS.
pub fn with_fcs(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.extend_from_slice(&fcs(bytes).to_le_bytes());
    v
}

/// Whether `frame` ends in its own correct FCS.
pub fn fcs_ok(frame: &[u8]) -> bool {
    frame.len() >= FCS_BYTES && {
        let (body, tail) = frame.split_at(frame.len() - FCS_BYTES);
        fcs(body).to_le_bytes() == tail
    }
}

/// The reference model of the block's framing and checks.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// In a frame: its bytes so far, and whether the next word's data
    /// starts at lane 4.
    frame: Option<(Vec<u8>, bool)>,
}

impl Monitor {
    /// Outside any frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// One XGMII word; the frame it ends, if any.
    pub fn word(&mut self, d: u64, c: u8) -> Option<FrameEnd> {
        let byte = |j: u32| (d >> (8 * j)) as u8;
        let ctl = |j: u32| c >> j & 1 == 1;
        let Some((mut bytes, lane4)) = self.frame.take() else {
            if ctl(0) && byte(0) == START {
                self.frame = Some((Vec::new(), false));
            } else if ctl(4) && byte(4) == START {
                self.frame = Some((Vec::new(), true));
            }
            return None;
        };
        for j in if lane4 { 4 } else { 0 }..8 {
            if !ctl(j) {
                bytes.push(byte(j));
            } else if byte(j) == TERMINATE {
                return Some(if fcs_ok(&bytes) {
                    FrameEnd::Good(bytes)
                } else {
                    FrameEnd::FcsError(bytes)
                });
            } else {
                return Some(FrameEnd::Aborted);
            }
        }
        self.frame = Some((bytes, false));
        None
    }
}

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

/// Builds the FCS monitor as module `module_name`.
pub fn eth_fcs(module_name: &str) -> Result<Module, HdlError> {
    let crc_module = crc(&format!("{module_name}_crc32"), &CrcConfig::crc32(8))?;
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let d = m.input("xgmii_d", 64);
    let c = m.input("xgmii_c", 8);
    let outputs = [
        "frame_done",
        "frame_good",
        "frame_fcs_error",
        "frame_aborted",
    ]
    .map(|name| m.output(name, 1));
    let fcs_out = m.output("fcs", 32);

    let in_frame = m.reg("in_frame", 1).reset(0);
    let lane4 = m.reg("lane4", 1).reset(0);
    let end_q = m.reg("end_q", 1).reset(0);
    let abort_q = m.reg("abort_q", 1).reset(0);

    let byte = |j: u32| d.slice(8 * j + 7, 8 * j);
    let is = |j: u32, ch: u8| c.bit(j) & byte(j).eq(lit(ch.into(), 8));
    let starts = is(0, START) | is(4, START);
    // Control lanes that count in this word, and the first of them.
    let ctl = m.wire("ctl", 8);
    m.assign(ctl, c & mux(lane4, lit(0xF0, 8), lit(0xFF, 8)));
    let first: Vec<Expr> = (0..8u32)
        .map(|k| {
            let below = if k == 0 {
                low()
            } else {
                ctl.slice(k - 1, 0).any()
            };
            ctl.bit(k) & !below
        })
        .collect();
    let term = m.wire("term", 1);
    m.assign(
        term,
        (0..8u32).fold(low(), |acc, k| {
            acc | (first[k as usize].clone() & byte(k).eq(lit(TERMINATE.into(), 8)))
        }),
    );
    let has_ctl = m.wire("has_ctl", 1);
    m.assign(has_ctl, ctl.any());
    // Bytes of the frame in this word: up to the first control lane.
    let upto = (0..8u32).rev().fold(lit(8, 4), |acc, k| {
        mux(first[k as usize].clone(), lit(k.into(), 4), acc)
    });
    let nbytes = m.wire("nbytes", 4);
    m.assign(nbytes, upto - mux(lane4, lit(4, 4), lit(0, 4)));
    let ends = m.wire("ends", 1);
    m.assign(ends, in_valid & in_frame & has_ctl);

    let u_crc = m.instance("u_crc", crc_module);
    m.assign(u_crc.io("clk")?, clk);
    m.assign(u_crc.io("rst")?, rst);
    m.assign(u_crc.io("start")?, in_valid & !in_frame & starts.clone());
    m.assign(u_crc.io("valid")?, in_valid & in_frame & (!has_ctl | term));
    m.assign(u_crc.io("data")?, mux(lane4, d >> 32, d));
    m.assign(u_crc.io("nbytes")?, nbytes);

    m.next(end_q, ends & term);
    m.next(abort_q, ends & !term);
    m.when(in_valid, |m| {
        m.when(in_frame, |m| {
            m.next(lane4, low());
            m.when(has_ctl, |m| m.next(in_frame, low()));
        })
        .elsewhen(starts, |m| {
            m.next(in_frame, high());
            m.next(lane4, !is(0, START));
        });
    });

    let ok = u_crc.io("ok")?;
    let [done, good, fcs_error, aborted] = outputs;
    m.assign(done, end_q | abort_q);
    m.assign(good, end_q & ok);
    m.assign(fcs_error, end_q & !ok);
    m.assign(aborted, abort_q);
    m.assign(fcs_out, u_crc.io("crc_out")?);
    for (name, event) in [
        ("frames", end_q | abort_q),
        ("fcs_errors", end_q & !ok),
        ("frame_errors", abort_q.into()),
    ] {
        let count = saturating_count(&mut m, &format!("{name}_q"), event, COUNT_WIDTH);
        let port = m.output(name, COUNT_WIDTH);
        m.assign(port, count);
    }
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "eth_fcs",
        doc: "Ethernet FCS (CRC-32) of every XGMII frame: computed, checked and counted",
        params: Vec::new(),
        build: |name, _| Ok(eth_fcs(name)?),
        issues: no_issues,
    }
}
