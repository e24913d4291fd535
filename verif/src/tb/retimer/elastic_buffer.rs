//! `elastic_buffer` judged by a scoreboard of PCIe clock compensation
//! (4.2.8, 4.3.6.7): across two clocks `ppm` apart, every data word comes
//! out unchanged and in order, SKP words only in place of SKP words, each
//! SKP run lengthened or shortened by `skp_step` words at most, the
//! `adds`/`drops` counters equal to the changes seen, and never an over- or
//! underflow. The sender puts a SKP run of 2 to 4 groups of `skp_step`
//! words after every `depth / 2 + 4 * skp_step + 8` to 32 more data words;
//! the clocks differ by enough for the buffer to add or drop within a
//! default run (SKP ordered sets come far more often than on a real link,
//! so the offset is larger in proportion).

use crate::tb::cycle::{bits, expect_eq, flag, CycleModel};
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::elastic_buffer::ElasticBufferConfig;
use linkforge_rtl::RtlError;
use std::collections::VecDeque;

/// The receive clock's period in ps; the local clock's is this plus
/// `ppm / 10`.
const RX_PERIOD: u64 = 100_000;
/// Simulator steps (edges of either clock) with both resets asserted: at
/// least three edges of the slower clock.
const RESET_STEPS: u64 = 10;
/// The data value of a SKP symbol (AAh, PCIe 4.2.7.3).
const SKP_SYMBOL: u64 = 0xAA;

/// What the sender has put into the buffer and not yet seen come out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sent {
    Data(u64),
    /// A SKP run of this many words.
    Skp(u32),
}

/// The model of `elastic_buffer`: a sender on `rx_clk`, a reader on `clk`
/// with `out_ready` high, and the scoreboard between them.
#[derive(Clone, Debug)]
pub struct ElasticBufferModel {
    cfg: ElasticBufferConfig,
    ppm: i64,
    phase: u64,
    /// The word on offer at `rx_data`, sent at the next `rx_clk` edge.
    offered: Option<(u64, bool)>,
    /// Data words between SKP runs at least (32 more at most), data words
    /// before the next SKP run, and SKP words left in this one.
    spacing: u32,
    gap: u32,
    run_left: u32,
    /// Words written and not yet read, SKP runs as lengths; whether the
    /// last word written was SKP.
    sent: VecDeque<Sent>,
    in_run: bool,
    /// The outputs shown before the last edge, and the word read at it.
    shown: Option<(Bits, bool)>,
    taken: Option<(Bits, bool)>,
    /// SKP words read in the current run; SKP groups added and dropped.
    out_run: u32,
    adds: u64,
    drops: u64,
    words: u64,
}

impl ElasticBufferModel {
    /// The model of the buffer `cfg` describes with the local clock `ppm`
    /// slower than the receive clock (negative: faster; multiples of 10),
    /// its first edge `phase` ps in.
    pub fn new(cfg: &ElasticBufferConfig, ppm: i64, phase: u64) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(ElasticBufferModel {
            cfg: *cfg,
            ppm,
            phase,
            offered: None,
            spacing: cfg.depth / 2 + 4 * cfg.skp_step + 8,
            gap: 0,
            run_left: 0,
            sent: VecDeque::new(),
            in_run: false,
            shown: None,
            taken: None,
            out_run: 0,
            adds: 0,
            drops: 0,
            words: 0,
        })
    }

    /// The model of the `elastic_buffer` `params` describe, the local clock
    /// 1% slower (the buffer drops SKP groups).
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&ElasticBufferConfig::from_params(params)?, 10_000, 1234)
    }

    /// The same model with SKP runs at least `words` data words apart (as
    /// on a real link: 370 blocks); never closer than the default, which
    /// keeps one run in the buffer at a time.
    pub fn skp_every(mut self, words: u32) -> Self {
        self.spacing = self.spacing.max(words);
        self
    }

    /// The next word the sender offers, from random `w` (its low bits the
    /// data; a word wider than 64 bits has zeros above).
    fn next_word(&mut self, w: u64) -> (u64, bool) {
        if self.run_left == 0 && self.gap == 0 {
            self.run_left = (2 + (w >> 56) as u32 % 3) * self.cfg.skp_step;
            self.gap = self.spacing + (w >> 48) as u32 % 32;
        }
        if self.run_left > 0 {
            self.run_left -= 1;
            (SKP_SYMBOL, true)
        } else {
            self.gap -= 1;
            (w, false)
        }
    }

    /// Judges one word read from the buffer against what was sent, with
    /// the counters `adds` and `drops` shown after it was read.
    fn read(&mut self, (data, skp): (Bits, bool), adds: u64, drops: u64) -> Result<u64, String> {
        let mut checks = 0;
        if skp {
            if !matches!(self.sent.front(), Some(Sent::Skp(_))) {
                return Err(format!(
                    "a SKP word came out where {:?} was sent",
                    self.sent.front()
                ));
            }
            self.out_run += 1;
            return self.same(&data, SKP_SYMBOL);
        }
        if self.out_run > 0 {
            let Some(Sent::Skp(len)) = self.sent.pop_front() else {
                return Err("a SKP run came out of nothing".into());
            };
            let step = i64::from(self.cfg.skp_step);
            match i64::from(self.out_run) - i64::from(len) {
                0 => {}
                d if d == step => self.adds += 1,
                d if d == -step => self.drops += 1,
                d => {
                    return Err(format!(
                        "a SKP run of {len} words came out {d:+} words long"
                    ))
                }
            }
            self.out_run = 0;
            checks += expect_eq("adds", adds, self.adds)?;
            checks += expect_eq("drops", drops, self.drops)?;
        }
        match self.sent.pop_front() {
            Some(Sent::Data(v)) => Ok(checks + self.same(&data, v)?),
            other => Err(format!(
                "data word {} came out where {other:?} was sent",
                data.to_hex()
            )),
        }
    }

    /// One comparison of `out_data` with the word `want`.
    fn same(&self, got: &Bits, want: u64) -> Result<u64, String> {
        let want = bits(want, self.cfg.width);
        if *got == want {
            Ok(1)
        } else {
            Err(format!(
                "`out_data` is {}, {} was sent",
                got.to_hex(),
                want.to_hex()
            ))
        }
    }
}

impl CycleModel for ElasticBufferModel {
    /// The buffer puts out nothing until it has filled to half its depth:
    /// four times the depth leaves room for the reset, gaps and SKP runs.
    fn cycles_needed(&self) -> u64 {
        4 * u64::from(self.cfg.depth)
    }

    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rx_rst".into(), 1),
            ("rst".into(), 1),
            ("rx_valid".into(), 1),
            ("rx_data".into(), self.cfg.width),
            ("rx_skp".into(), 1),
            ("out_ready".into(), 1),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        [
            "out_valid",
            "out_data",
            "out_skp",
            "adds",
            "drops",
            "overflows",
            "underflows",
        ]
        .map(String::from)
        .to_vec()
    }
    fn words_per_cycle(&self) -> usize {
        1
    }
    fn clocks(&self) -> Vec<(&'static str, u64, u64)> {
        let local = RX_PERIOD.saturating_add_signed(self.ppm / 10);
        vec![("rx_clk", RX_PERIOD, 0), ("clk", local, self.phase % local)]
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        let reset = cycle < RESET_STEPS;
        if self.offered.is_none() && !reset {
            self.offered = Some(self.next_word(w));
        }
        let (data, skp) = self.offered.unwrap_or((0, false));
        vec![
            flag(reset),
            flag(reset),
            flag(!reset),
            bits(data, self.cfg.width),
            flag(skp),
            flag(true),
        ]
    }
    fn judge(&mut self, cycle: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        self.shown = outputs[0]
            .bit(0)
            .then(|| (outputs[1].clone(), outputs[2].bit(0)));
        if cycle <= RESET_STEPS {
            return Ok(0);
        }
        let mut checks = expect_eq("overflows", outputs[5].low_u64(), 0)?;
        checks += expect_eq("underflows", outputs[6].low_u64(), 0)?;
        if let Some(word) = self.taken.take() {
            checks += self.read(word, outputs[3].low_u64(), outputs[4].low_u64())?;
        }
        Ok(checks)
    }
    /// `ticked` is `[rx_clk, clk]`, the order the block declares them.
    fn advance(&mut self, inputs: &[Bits], ticked: &[bool]) {
        let reset = inputs[0].bit(0);
        if ticked[0] && !reset {
            if let Some((data, skp)) = self.offered.take() {
                match (skp, self.in_run, self.sent.back_mut()) {
                    (true, true, Some(Sent::Skp(len))) => *len += 1,
                    (true, _, _) => self.sent.push_back(Sent::Skp(1)),
                    (false, _, _) => self.sent.push_back(Sent::Data(data)),
                }
                self.in_run = skp;
            }
        }
        if ticked.get(1) == Some(&true) && !reset {
            self.taken = self.shown.clone();
            self.words += u64::from(self.shown.is_some());
        }
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![
            ("words_read".into(), self.words.to_string()),
            ("skp_adds".into(), self.adds.to_string()),
            ("skp_drops".into(), self.drops.to_string()),
        ]
    }
}
