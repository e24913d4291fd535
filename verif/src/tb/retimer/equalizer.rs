//! `ffe` and `dfe` on a random ISI channel ([`crate::models::channel`]),
//! judged two ways each cycle:
//!
//! - the datapath exactly, from the taps the block shows on `coefs` (and,
//!   for the DFE, the data level on `level`) before the edge: the FFE's
//!   `eq` is `sat(floor(sum_k c_k x[n-k] / 2^(C-2)))` on `S + 2` bits, the
//!   DFE's `z = x[n] - sum_k w_k s[n-1-k]` with `s` its past decisions as
//!   symbol values (NRZ ±1, PAM4 -3, -1, 1, 3), sliced at 0 (NRZ) or
//!   `-2L, 0, 2L` (PAM4), `decision` and `eq` one cycle later;
//! - the adaptation by its result: after a 64-cycle warm-up every decision
//!   (the FFE's output sliced the same way) equals the symbol sent, when
//!   the channel fits the ADC at the block's level (a main cursor of
//!   `level` for NRZ and `3 * level` for PAM4, the ISI scaled down to fit
//!   with room for the 2 LSB rms noise; a level too large for the ADC
//!   compares only the datapath).
//!
//! The channel's taps are drawn from the first random word: a pre-cursor
//! up to 0.05 (FFE only) and post-cursors up to 0.15 and 0.05 (for a block
//! that does not adapt, scaled down so that the eye stays open with its
//! reset taps). One cycle in 32 writes a tap (its value moved by at most
//! [`MOVE`] LSBs and restored the next cycle, or an index past the last
//! tap), and the written value must show after the edge.

use crate::models::channel::{self, Channel, ChannelConfig, Rng};
use crate::tb::cycle::{bits, expect_eq, flag, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::{bits_for, Bits};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::dfe::{DfeConfig, Modulation};
use linkforge_rtl::retimer::ffe::FfeConfig;
use linkforge_rtl::RtlError;

/// Cycles after reset before decisions are compared with the symbols sent.
const WARMUP: u64 = 64;
/// The channel's additive noise, rms ADC LSBs.
const NOISE_RMS: f64 = 2.0;
/// The most a tap write moves a tap, in tap LSBs.
const MOVE: i64 = 2;

/// `field` of `value` as a signed `width`-bit number.
fn signed(value: &Bits, lo: u32, width: u32) -> i64 {
    let raw = value.field(lo, width) as i64;
    if width < 64 && raw >> (width - 1) & 1 == 1 {
        raw - (1 << width)
    } else {
        raw
    }
}

/// The symbol value of decision `code`: NRZ ±1, PAM4 -3, -1, 1, 3.
fn symbol(modulation: Modulation, code: u64) -> i64 {
    match modulation {
        Modulation::Nrz => 2 * code as i64 - 1,
        Modulation::Pam4 => 2 * code as i64 - 3,
    }
}

/// The slicer's decision on `z` at data level `level`.
fn slice(modulation: Modulation, z: i64, level: i64) -> u64 {
    match modulation {
        Modulation::Nrz => u64::from(z >= 0),
        Modulation::Pam4 => [-2 * level, 0, 2 * level]
            .iter()
            .map(|&t| u64::from(z >= t))
            .sum(),
    }
}

/// The line feeding the block: the channel, made on the first cycle from
/// the first random word (a clone starts without one: a
/// [`crate::tb::cycle::CycleTb`] clones its model before each run), and
/// whether its decisions are compared.
struct Line {
    modulation: Modulation,
    level: u32,
    sample_bits: u32,
    /// The symbols before and after the main one whose interference the
    /// block can cancel: the channel puts none outside them.
    span: (u32, u32),
    taps: Taps,
    channel: Option<Channel>,
    compare: bool,
    /// The taps shown at the last cycle, the write driven this cycle, and
    /// the write the last edge took (tap and value) to be seen now.
    shown_taps: Option<Bits>,
    write: Option<(u64, i64)>,
    written: Option<(u64, i64)>,
    /// The value a moved tap gets back at the next cycle.
    restore: Option<(u64, i64)>,
}

impl Clone for Line {
    fn clone(&self) -> Self {
        Line {
            channel: None,
            shown_taps: None,
            write: None,
            written: None,
            restore: None,
            ..*self
        }
    }
}

/// The block's taps as the line sees them.
#[derive(Clone, Copy, Debug)]
struct Taps {
    count: u32,
    bits: u32,
    /// The tap value, in tap LSBs, that weighs a sample (FFE) or a symbol
    /// value (DFE) as the main cursor does.
    unit: f64,
    /// Whether the block adapts its taps; if not, they stay at reset.
    adapts: bool,
}

impl std::fmt::Debug for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Line({:?}, level {})", self.modulation, self.level)
    }
}

impl Line {
    /// The line of a block with `taps` that cancels the interference of
    /// `span` symbols (before, after) the main one, sampled with
    /// `sample_bits`, whose slicer's level is `level`.
    fn new(
        modulation: Modulation,
        level: u32,
        sample_bits: u32,
        taps: Taps,
        span: (u32, u32),
    ) -> Line {
        Line {
            modulation,
            level,
            sample_bits,
            span,
            taps,
            channel: None,
            compare: false,
            shown_taps: None,
            write: None,
            written: None,
            restore: None,
        }
    }

    /// The block's inputs: reset, the sample, the tap write port.
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("sample".into(), self.sample_bits),
            ("coef_we".into(), 1),
            ("coef_idx".into(), bits_for(self.taps.count as usize)),
            ("coef_data".into(), self.taps.bits),
        ]
    }

    /// The inputs of `cycle`: reset for the first cycles, the next sample,
    /// and one cycle in 32 a tap write: a tap's value as the last edge left
    /// it, moved by up to [`MOVE`] LSBs either way and written back the
    /// next cycle (the eye stays open), or any value to an index past the
    /// last tap (ignored).
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        let x = self.sample(w);
        let idx_bits = bits_for(self.taps.count as usize);
        self.write = match (&self.shown_taps, self.restore.take()) {
            (_, Some(restore)) => Some(restore),
            (Some(taps), None) if cycle > RESET_CYCLES && (w >> 32) % 32 == 0 => {
                let idx = (w >> 40) & ((1 << idx_bits) - 1);
                let t = self.taps.bits;
                let value = if idx < u64::from(self.taps.count) {
                    let max = (1i64 << (t - 1)) - 1;
                    // The taps shown do not yet hold the write the last
                    // edge took (a restore, say).
                    let was = match self.written {
                        Some((i, value)) if i == idx => value,
                        _ => signed(taps, idx as u32 * t, t),
                    };
                    self.restore = Some((idx, was));
                    (was + (w >> 48) as i64 % (2 * MOVE + 1) - MOVE).clamp(-max - 1, max)
                } else {
                    signed(&bits(w >> 16, t), 0, t)
                };
                Some((idx, value))
            }
            _ => None,
        };
        let (idx, value) = self.write.unwrap_or((0, 0));
        vec![
            flag(cycle < RESET_CYCLES),
            bits(x as u64, self.sample_bits),
            flag(self.write.is_some()),
            bits(idx, idx_bits),
            bits(value as u64, self.taps.bits),
        ]
    }

    /// One comparison of the tap the last edge wrote, if it wrote one
    /// within range, against `taps` now shown; then remembers them and the
    /// write this cycle's edge takes.
    fn judge_write(&mut self, taps: &Bits) -> Result<u64, String> {
        let mut checks = 0;
        if let Some((idx, value)) = self.written.take() {
            if idx < u64::from(self.taps.count) {
                let t = self.taps.bits;
                let got = signed(taps, idx as u32 * t, t);
                checks += expect_eq(
                    &format!("tap {idx} after its write"),
                    got as u64,
                    value as u64,
                )?;
            }
        }
        self.written = self.write.take();
        self.shown_taps = Some(taps.clone());
        Ok(checks)
    }

    /// The next ADC sample; the channel is drawn from `word` on the first.
    fn sample(&mut self, word: u64) -> i32 {
        let channel = self.channel.get_or_insert_with(|| {
            let mut rng = Rng::new(word);
            let main = f64::from(self.level)
                * match self.modulation {
                    Modulation::Nrz => 1.0,
                    Modulation::Pam4 => 3.0,
                };
            let full = f64::from((1u32 << (self.sample_bits - 1)) - 1);
            // ISI the ADC range leaves room for, beside 4 sigma of noise.
            let room = ((full - 4.0 * NOISE_RMS) / main - 1.0).clamp(0.0, 1.0);
            // What of half the eye (relative to the main cursor) is left
            // beside a moved tap's error on a sample up to 1.25 main, 6
            // sigma of noise and 1.5 LSBs of rounding (ADC and block).
            let half_eye = match self.modulation {
                Modulation::Nrz => 1.0,
                Modulation::Pam4 => 1.0 / 3.0,
            };
            let eye =
                half_eye - MOVE as f64 / self.taps.unit * 1.25 - (6.0 * NOISE_RMS + 1.5) / main;
            // Taps that stay at reset cancel nothing: the ISI must fit the eye.
            let open = if self.taps.adapts { 1.0 } else { eye / 0.25 };
            let scale = (room / 0.25).min(open).clamp(0.0, 1.0);
            // Interference only where the block has taps to cancel it.
            let (before, after) = self.span;
            let reach = [before >= 1, after >= 1, after >= 2];
            let isi = [0.05, 0.15, 0.05].map(|max| (rng.uniform() * 2.0 - 1.0) * max * scale);
            let isi = [0, 1, 2].map(|k| if reach[k] { isi[k] } else { 0.0 });
            self.compare = room >= 0.05 && eye > 0.0;
            let ch = if self.modulation == Modulation::Nrz {
                channel::Modulation::Nrz
            } else {
                channel::Modulation::Pam4
            };
            let cfg = ChannelConfig {
                taps: vec![isi[0], 1.0, isi[1], isi[2]],
                cursor: 1,
                amplitude: main,
                noise_rms: NOISE_RMS,
                adc_bits: self.sample_bits,
                ..ChannelConfig::clean(ch)
            };
            Channel::new(cfg, rng.next_u64())
        });
        channel.sample(0)
    }

    /// One comparison of `decision` with the symbol sampled `calls_ago`
    /// calls back, once past the warm-up and when the line is compared.
    fn judge(&self, cycle: u64, decision: u64, calls_ago: usize) -> Result<u64, String> {
        let sent = self.channel.as_ref().and_then(|c| c.sent(calls_ago));
        match sent {
            Some(sent) if self.compare && cycle >= WARMUP => {
                expect_eq("the decision on the line", decision, u64::from(sent.code))
            }
            _ => Ok(0),
        }
    }
}

/// The model of `ffe`.
#[derive(Clone, Debug)]
pub struct FfeModel {
    cfg: FfeConfig,
    line: Line,
    /// Past samples, newest first, one per tap.
    past: Vec<i64>,
    /// `eq` the block must show (unknown until an edge after reset), and
    /// what the next edge registers.
    eq: Option<i64>,
    next: i64,
    reset_seen: bool,
    decisions: u64,
}

impl FfeModel {
    /// The model of the FFE `cfg` describes.
    pub fn new(cfg: &FfeConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(FfeModel {
            cfg: *cfg,
            line: Line::new(
                cfg.modulation,
                cfg.level,
                cfg.sample_bits,
                Taps {
                    count: cfg.taps,
                    bits: cfg.coeff_bits,
                    unit: f64::from(1u32 << (cfg.coeff_bits - 2)),
                    adapts: cfg.adapt,
                },
                (cfg.cursor, cfg.taps - 1 - cfg.cursor),
            ),
            past: vec![0; cfg.taps as usize],
            eq: None,
            next: 0,
            reset_seen: false,
            decisions: 0,
        })
    }

    /// The model of the `ffe` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&FfeConfig::from_params(params)?)
    }
}

impl CycleModel for FfeModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        self.line.inputs()
    }
    fn outputs(&self) -> Vec<String> {
        vec!["eq".into(), "coefs".into()]
    }
    fn words_per_cycle(&self) -> usize {
        1
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        self.line.drive(cycle, words)
    }
    fn judge(&mut self, cycle: u64, inputs: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        let mut checks = self.line.judge_write(&outputs[1])?;
        let width = self.cfg.sample_bits + 2;
        if let Some(eq) = self.eq {
            let got = signed(&outputs[0], 0, width);
            checks += expect_eq("eq", got as u64, eq as u64)?;
            let level = i64::from(self.cfg.level);
            let decision = slice(self.cfg.modulation, got, level);
            let found = self
                .line
                .judge(cycle, decision, 1 + self.cfg.cursor as usize)?;
            self.decisions += found;
            checks += found;
        }
        // The FIR the next edge registers, with the taps shown now.
        let x = signed(&inputs[1], 0, self.cfg.sample_bits);
        let c = self.cfg.coeff_bits;
        let sum: i64 = (0..self.cfg.taps)
            .map(|k| {
                let sample = if k == 0 { x } else { self.past[k as usize - 1] };
                signed(&outputs[1], k * c, c) * sample
            })
            .sum();
        let max = (1i64 << (width - 1)) - 1;
        self.next = (sum >> (c - 2)).clamp(-max - 1, max);
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.eq = None;
            self.past.iter_mut().for_each(|x| *x = 0);
            self.reset_seen = true;
        } else if self.reset_seen {
            self.eq = Some(self.next);
            self.past.rotate_right(1);
            self.past[0] = signed(&inputs[1], 0, self.cfg.sample_bits);
        }
    }
    fn unit(&self) -> &'static str {
        "samples"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![("decisions_compared".into(), self.decisions.to_string())]
    }
}

/// The model of `dfe`.
#[derive(Clone, Debug)]
pub struct DfeModel {
    cfg: DfeConfig,
    line: Line,
    /// The block's past decisions, newest first, one per tap.
    past: Vec<u64>,
    /// `decision` and `z` the block must show (unknown until an edge after
    /// reset), and what the next edge registers.
    shown: Option<(u64, i64)>,
    next: (u64, i64),
    reset_seen: bool,
    decisions: u64,
}

impl DfeModel {
    /// The model of the DFE `cfg` describes.
    pub fn new(cfg: &DfeConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(DfeModel {
            cfg: *cfg,
            line: Line::new(
                cfg.modulation,
                cfg.level,
                cfg.sample_bits,
                Taps {
                    count: cfg.taps,
                    bits: cfg.tap_bits,
                    unit: f64::from(cfg.level),
                    adapts: cfg.adapt,
                },
                (0, cfg.taps),
            ),
            past: vec![0; cfg.taps as usize],
            shown: None,
            next: (0, 0),
            reset_seen: false,
            decisions: 0,
        })
    }

    /// The model of the `dfe` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&DfeConfig::from_params(params)?)
    }
}

impl CycleModel for DfeModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        self.line.inputs()
    }
    fn outputs(&self) -> Vec<String> {
        ["decision", "eq", "coefs", "level"]
            .map(String::from)
            .to_vec()
    }
    fn words_per_cycle(&self) -> usize {
        1
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        self.line.drive(cycle, words)
    }
    fn judge(&mut self, cycle: u64, inputs: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        let mut checks = self.line.judge_write(&outputs[2])?;
        if let Some((decision, z)) = self.shown {
            checks += expect_eq("decision", outputs[0].low_u64(), decision)?;
            let zw = outputs[1].width();
            checks += expect_eq("eq", outputs[1].low_u64(), bits(z as u64, zw).low_u64())?;
            let found = self.line.judge(cycle, decision, 1)?;
            self.decisions += found;
            checks += found;
        }
        let t = self.cfg.tap_bits;
        let feedback: i64 = self
            .past
            .iter()
            .enumerate()
            .map(|(k, &s)| signed(&outputs[2], k as u32 * t, t) * symbol(self.cfg.modulation, s))
            .sum();
        let z = signed(&inputs[1], 0, self.cfg.sample_bits) - feedback;
        let level = outputs[3].low_u64() as i64;
        self.next = (slice(self.cfg.modulation, z, level), z);
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.shown = None;
            self.past.iter_mut().for_each(|s| *s = 0);
            self.reset_seen = true;
        } else if self.reset_seen {
            self.shown = Some(self.next);
            self.past.rotate_right(1);
            self.past[0] = self.next.0;
        }
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![("decisions_compared".into(), self.decisions.to_string())]
    }
}
