//! The testbenches of the card's two bridges alone, each a two-clock
//! [`CycleModel`] against [`super::model`]'s frame/packet mapping.
//!
//! - `xgmii_to_switch`: XGMII frames (good ones of every carried size,
//!   runts and frames with a corrupted FCS, which must not come out) on the
//!   receive clock; every switch packet taken must be the next good frame's
//!   4-DW memory write header and bytes.
//! - `switch_to_xgmii`: packets of good frames on the switch clock, taken
//!   as `pkt_ready` allows; the frames on the transmit side, found by the
//!   FCS monitor's framing rules, must be those frames in order, intact.
//!
//! The switch clock runs faster than the XGMII one, and the switch side
//! gives infinite credit, so no frame is dropped for want of room.

use super::model::{frame_of, header};
use crate::models::xorshift::XorShift;
use crate::tb::cycle::{bits, flag, take, CycleModel};
use crate::tb::ethernet::model::fcs::{self, FrameEnd, Monitor};
use crate::tb::ethernet::source::Source;
use crate::tb::switch::tlp::keeps;
use linkforge_hdl::Bits;
use linkforge_rtl::card::bridge::{BridgeConfig, MIN_FRAME_BYTES};
use linkforge_rtl::switch::credit::{DATA_BITS, HDR_BITS, TYPE_NAMES};
use std::collections::VecDeque;

/// Steps both resets are held: each clock rises a few times.
const RESET_STEPS: u64 = 8;

/// The XGMII clock's period (ps), and the switch clock's period and phase.
const XGMII_CLOCK: u64 = 1000;
const SWITCH_CLOCK: (u64, u64) = (800, 130);

/// A random frame (destination MAC address through FCS) for `cfg`: good
/// and of a carried size, or (when `odd`) a runt or one with a corrupted
/// FCS; with whether the bridge carries it.
fn frame(cfg: &BridgeConfig, rng: &mut XorShift, odd: bool) -> (Vec<u8>, bool) {
    let max = cfg.max_frame_bytes();
    let runt = odd && rng.word() % 2 == 0;
    let len = if runt {
        14 + (rng.word() % (MIN_FRAME_BYTES as u64 - 14)) as usize
    } else {
        MIN_FRAME_BYTES + (rng.word() % (max - MIN_FRAME_BYTES + 1) as u64) as usize
    };
    let body: Vec<u8> = (0..len - 4).map(|_| rng.word() as u8).collect();
    let mut f = fcs::with_fcs(&body);
    if odd && !runt {
        let i = (rng.word() % f.len() as u64) as usize;
        f[i] ^= 1 << (rng.word() % 8);
    }
    (f, !odd)
}

/// The credit-limit inputs of a bridge's switch side: 0 (infinite credit).
fn credit_inputs() -> Vec<(String, u32)> {
    TYPE_NAMES
        .iter()
        .flat_map(|(h, d)| {
            [
                (format!("pkt_fc_{h}"), HDR_BITS),
                (format!("pkt_fc_{d}"), DATA_BITS),
            ]
        })
        .collect()
}

/// A packet's header beats as DW0..DW3.
fn header_of(beats: &[u64]) -> [u32; 4] {
    [
        beats[0] as u32,
        (beats[0] >> 32) as u32,
        beats[1] as u32,
        (beats[1] >> 32) as u32,
    ]
}

/// The reference of an `xgmii_to_switch`.
#[derive(Clone, Debug)]
pub struct XgmiiToSwitchModel {
    cfg: BridgeConfig,
    source: Source,
    /// The word on the XGMII inputs, and whether it is valid.
    word: (u64, u8, bool),
    /// Good frames sent and not yet seen as packets.
    expected: VecDeque<Vec<u8>>,
    ready: bool,
    shown: (bool, bool, bool, u64, u64),
    /// The packet being taken: its beats and their keep flags.
    beats: Vec<u64>,
    keeps: Vec<u64>,
    /// What the last edge's packet ended with: the comparison's result.
    result: Option<Result<u64, String>>,
    packets: u64,
    steps: u64,
}

impl XgmiiToSwitchModel {
    /// The model of the bridge `cfg` describes, after reset.
    pub fn new(cfg: &BridgeConfig) -> Self {
        XgmiiToSwitchModel {
            cfg: *cfg,
            source: Source::new(),
            word: (0x0707_0707_0707_0707, 0xFF, false),
            expected: VecDeque::new(),
            ready: false,
            shown: (false, false, false, 0, 0),
            beats: Vec::new(),
            keeps: Vec::new(),
            result: None,
            packets: 0,
            steps: 0,
        }
    }
}

impl CycleModel for XgmiiToSwitchModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let mut v: Vec<(String, u32)> = [
            ("rx_rst", 1),
            ("rst", 1),
            ("xgmii_rx_valid", 1),
            ("xgmii_rxd", 64),
            ("xgmii_rxc", 8),
            ("pkt_ready", 1),
        ]
        .map(|(n, w)| (n.to_string(), w))
        .to_vec();
        v.extend(credit_inputs());
        v
    }

    fn outputs(&self) -> Vec<String> {
        ["pkt_valid", "pkt_sop", "pkt_eop", "pkt_data", "pkt_keep"]
            .map(String::from)
            .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        2
    }

    fn clocks(&self) -> Vec<(&'static str, u64, u64)> {
        vec![
            ("rx_clk", XGMII_CLOCK, 0),
            ("clk", SWITCH_CLOCK.0, SWITCH_CLOCK.1),
        ]
    }

    fn cycles_needed(&self) -> u64 {
        // A few of the longest frames through both crossings.
        8 * self.cfg.max_frame_bytes() as u64 / 8 + 200
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [a, b] = take(words);
        if self.source.queued() < 8 && a % 4 == 0 && cycle >= RESET_STEPS {
            let mut rng = XorShift::new(b);
            let (f, carried) = frame(&self.cfg, &mut rng, a % 32 < 8);
            self.source.frame(&f, 12 + (a >> 8) as usize % 8);
            if carried {
                self.expected.push_back(f);
            }
        }
        self.ready = (a >> 16) % 8 != 0;
        let in_reset = cycle < RESET_STEPS;
        let (d, c, valid) = self.word;
        let mut v = vec![
            flag(in_reset),
            flag(in_reset),
            flag(valid),
            bits(d, 64),
            bits(c.into(), 8),
            flag(self.ready),
        ];
        v.extend(credit_inputs().iter().map(|(_, w)| bits(0, *w)));
        v
    }

    fn judge(&mut self, _: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        let o = |i: usize| out[i].low_u64();
        self.shown = (o(0) == 1, o(1) == 1, o(2) == 1, o(3), o(4));
        self.result.take().unwrap_or(Ok(0))
    }

    fn advance(&mut self, _: &[Bits], ticked: &[bool]) {
        self.steps += 1;
        let running = self.steps > RESET_STEPS;
        if ticked[0] && running {
            let (d, c) = self.source.word();
            self.word = (d, c, true);
        }
        let (valid, sop, eop, data, keep) = self.shown;
        if ticked[1] && running && valid && self.ready {
            if sop {
                self.beats.clear();
                self.keeps.clear();
            }
            self.beats.push(data);
            self.keeps.push(keep);
            if eop {
                self.result = Some(self.check_packet());
            }
        }
    }

    fn unit(&self) -> &'static str {
        "frames"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("packets".into(), self.packets.to_string())]
    }
}

impl XgmiiToSwitchModel {
    /// The packet just completed against the next good frame sent.
    fn check_packet(&mut self) -> Result<u64, String> {
        let n = self.packets;
        self.packets += 1;
        if self.beats.len() < 3 {
            return Err(format!(
                "packet {n} has {} beats, fewer than a header and payload",
                self.beats.len()
            ));
        }
        let want = self
            .expected
            .pop_front()
            .ok_or_else(|| format!("packet {n} carries a frame that was never sent good"))?;
        let got_header = header_of(&self.beats);
        if got_header != header(&want) {
            return Err(format!(
                "packet {n}: header {got_header:08x?}, the frame's is {:08x?}",
                header(&want)
            ));
        }
        let got = frame_of(&got_header, &self.beats[2..]);
        if got != want {
            return Err(format!(
                "packet {n}: the frame's bytes differ ({} bytes, sent {})",
                got.len(),
                want.len()
            ));
        }
        let want_keeps = keeps(4 + want.len().div_ceil(4), 64);
        if self.keeps != want_keeps {
            return Err(format!(
                "packet {n}: keep flags {:x?}, its {} DWs make {want_keeps:x?}",
                self.keeps,
                4 + want.len().div_ceil(4)
            ));
        }
        Ok(1)
    }
}

/// The reference of a `switch_to_xgmii`.
#[derive(Clone, Debug)]
pub struct SwitchToXgmiiModel {
    cfg: BridgeConfig,
    /// Packets to send, beat by beat (data, start, end, keep flags), with
    /// the frames they carry.
    beats: VecDeque<(u64, bool, bool, u64)>,
    sent: VecDeque<Vec<u8>>,
    /// A beat is offered on `pkt_valid`, held until `pkt_ready` takes it.
    offering: bool,
    tx_ready: bool,
    shown_ready: bool,
    shown_word: (u64, u8),
    monitor: Monitor,
    result: Option<Result<u64, String>>,
    frames: u64,
    steps: u64,
}

impl SwitchToXgmiiModel {
    /// The model of the bridge `cfg` describes, after reset.
    pub fn new(cfg: &BridgeConfig) -> Self {
        SwitchToXgmiiModel {
            cfg: *cfg,
            beats: VecDeque::new(),
            sent: VecDeque::new(),
            offering: false,
            tx_ready: false,
            shown_ready: false,
            shown_word: (0, 0),
            monitor: Monitor::new(),
            result: None,
            frames: 0,
            steps: 0,
        }
    }

    /// A frame leaving on the transmit side against the next frame sent.
    fn check_frame(&mut self, end: FrameEnd) -> Result<u64, String> {
        let n = self.frames;
        self.frames += 1;
        let got = match end {
            FrameEnd::Good(bytes) => bytes,
            FrameEnd::FcsError(_) => return Err(format!("frame {n} left with a wrong FCS")),
            FrameEnd::Aborted => return Err(format!("frame {n} was aborted")),
        };
        let want = self
            .sent
            .pop_front()
            .ok_or_else(|| format!("frame {n} left but no packet carried it"))?;
        if got == want {
            Ok(1)
        } else {
            Err(format!(
                "frame {n}: {} bytes left, the packet carried {}",
                got.len(),
                want.len()
            ))
        }
    }
}

impl CycleModel for SwitchToXgmiiModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        [
            ("rst", 1),
            ("tx_rst", 1),
            ("pkt_valid", 1),
            ("pkt_sop", 1),
            ("pkt_eop", 1),
            ("pkt_data", 64),
            ("pkt_keep", 2),
            ("xgmii_tx_ready", 1),
        ]
        .map(|(n, w)| (n.to_string(), w))
        .to_vec()
    }

    fn outputs(&self) -> Vec<String> {
        ["pkt_ready", "xgmii_txd", "xgmii_txc"]
            .map(String::from)
            .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        2
    }

    fn clocks(&self) -> Vec<(&'static str, u64, u64)> {
        vec![
            ("clk", SWITCH_CLOCK.0, SWITCH_CLOCK.1),
            ("tx_clk", XGMII_CLOCK, 0),
        ]
    }

    fn cycles_needed(&self) -> u64 {
        8 * self.cfg.max_frame_bytes() as u64 / 8 + 200
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [a, b] = take(words);
        let in_reset = cycle < RESET_STEPS;
        if self.beats.is_empty() && !in_reset && a % 4 == 0 && self.sent.len() < 4 {
            let (f, _) = frame(&self.cfg, &mut XorShift::new(b), false);
            let h = header(&f);
            let mut beats = vec![
                u64::from(h[0]) | u64::from(h[1]) << 32,
                u64::from(h[2]) | u64::from(h[3]) << 32,
            ];
            beats.extend(f.chunks(8).map(|c| {
                let mut w = [0u8; 8];
                w[..c.len()].copy_from_slice(c);
                u64::from_le_bytes(w)
            }));
            let last = beats.len() - 1;
            let flags = keeps(4 + f.len().div_ceil(4), 64);
            self.beats.extend(
                beats
                    .into_iter()
                    .zip(flags)
                    .enumerate()
                    .map(|(i, (w, k))| (w, i == 0, i == last, k)),
            );
            self.sent.push_back(f);
        }
        if !self.offering {
            self.offering = !in_reset && !self.beats.is_empty() && (a >> 8) % 8 != 0;
        }
        self.tx_ready = (a >> 16) % 8 != 0;
        let (data, sop, eop, keep) = self.beats.front().copied().unwrap_or((0, false, false, 0));
        vec![
            flag(in_reset),
            flag(in_reset),
            flag(self.offering),
            flag(sop),
            flag(eop),
            bits(data, 64),
            bits(keep, 2),
            flag(self.tx_ready),
        ]
    }

    fn judge(&mut self, _: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        self.shown_ready = out[0].low_u64() == 1;
        self.shown_word = (out[1].low_u64(), out[2].low_u64() as u8);
        self.result.take().unwrap_or(Ok(0))
    }

    fn advance(&mut self, _: &[Bits], ticked: &[bool]) {
        self.steps += 1;
        if self.steps <= RESET_STEPS {
            return;
        }
        if ticked[0] && self.offering && self.shown_ready {
            self.beats.pop_front();
            self.offering = false;
        }
        if ticked[1] && self.tx_ready {
            let (d, c) = self.shown_word;
            if let Some(end) = self.monitor.word(d, c) {
                self.result = Some(self.check_frame(end));
            }
        }
    }

    fn unit(&self) -> &'static str {
        "frames"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("frames".into(), self.frames.to_string())]
    }
}
