//! The testbenches of the small common blocks, each against a model
//! written from the block's contract: `sync2` (the input two edges late),
//! `counter` (count, clear, wrap or saturate), `lfsr` (the sequence one bit
//! at a time from its recurrence) and `arbiter` (each policy by index, and
//! the round-robin fairness bound).

use crate::tb::cycle::{bits, expect_eq, flag, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::common::arbiter::{ArbiterConfig, Policy};
use linkforge_rtl::common::counter::{CounterConfig, CounterMode};
use linkforge_rtl::common::lfsr::LfsrConfig;
use linkforge_rtl::common::sync2::Sync2Config;

/// The reference of a `sync2`: `q` is `d` from two edges before (compared
/// once two edges have filled the stages, which have no reset).
#[derive(Clone, Debug)]
pub struct Sync2Model {
    width: u32,
    /// The inputs of the last two edges, oldest first.
    history: Vec<Bits>,
}

impl Sync2Model {
    /// The model of the synchronizer `cfg` describes.
    pub fn new(cfg: &Sync2Config) -> Self {
        Sync2Model {
            width: cfg.width,
            history: Vec::new(),
        }
    }
}

impl CycleModel for Sync2Model {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![("d".into(), self.width)]
    }

    fn outputs(&self) -> Vec<String> {
        vec!["q".into()]
    }

    fn words_per_cycle(&self) -> usize {
        linkforge_hdl::words_for(self.width)
    }

    fn drive(&mut self, _: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        vec![crate::tb::draw(words, self.width)]
    }

    fn judge(&mut self, _: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        match &self.history[..] {
            [oldest, _] if out[0] != *oldest => Err(format!(
                "`q` is {}, `d` two edges before was {oldest}",
                out[0]
            )),
            [_, _] => Ok(1),
            _ => Ok(0),
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        self.history.push(inputs[0].clone());
        if self.history.len() > 2 {
            self.history.remove(0);
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of a `counter`.
#[derive(Clone, Debug)]
pub struct CounterModel {
    cfg: CounterConfig,
    count: u64,
}

impl CounterModel {
    /// The model of the counter `cfg` describes, at zero.
    pub fn new(cfg: &CounterConfig) -> Self {
        CounterModel {
            cfg: *cfg,
            count: 0,
        }
    }

    fn max(&self) -> u64 {
        u64::MAX >> (64 - self.cfg.width)
    }
}

impl CycleModel for CounterModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ["rst", "en", "clear"].map(|n| (n.to_string(), 1)).to_vec()
    }

    fn outputs(&self) -> Vec<String> {
        vec!["count".into(), "at_max".into()]
    }

    fn words_per_cycle(&self) -> usize {
        1
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        // Enabled most cycles, cleared now and then: a narrow counter
        // reaches its maximum between clears.
        vec![
            flag(cycle < RESET_CYCLES),
            flag(w % 8 != 0),
            flag((w >> 8) % 64 == 0),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        Ok(expect_eq("count", out[0].low_u64(), self.count)?
            + expect_eq(
                "at_max",
                out[1].low_u64(),
                (self.count == self.max()) as u64,
            )?)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        let [rst, en, clear] = [0, 1, 2].map(|i| inputs[i].low_u64() == 1);
        self.count = match (rst || clear, en, &self.cfg.mode) {
            (true, _, _) => 0,
            (false, false, _) => self.count,
            (false, true, CounterMode::Saturate) => (self.count + 1).min(self.max()),
            (false, true, CounterMode::Wrap) => self.count.wrapping_add(1) & self.max(),
        };
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of an `lfsr`: the sequence one bit at a time,
/// `b[t] = XOR of b[t - e]` over the polynomial's exponents `e`; `out` is
/// always the next `bits` bits, bit 0 the earliest, and `en` consumes them.
#[derive(Clone, Debug)]
pub struct LfsrModel {
    bits: u32,
    taps: Vec<u32>,
    /// The sequence so far, its last `n` bits the reset state.
    history: Vec<bool>,
    reset_state: Vec<bool>,
}

impl LfsrModel {
    /// The model of the LFSR `cfg` describes, in its reset state.
    pub fn new(cfg: &LfsrConfig) -> Self {
        let n = cfg.taps.iter().copied().max().unwrap_or(1);
        // The seed's bit 0 is the most recent bit.
        let reset_state: Vec<bool> = (0..n).rev().map(|k| cfg.seed >> k & 1 == 1).collect();
        LfsrModel {
            bits: cfg.bits,
            taps: cfg.taps.clone(),
            history: reset_state.clone(),
            reset_state,
        }
    }

    /// The bit after `history`.
    fn following(taps: &[u32], history: &[bool]) -> bool {
        let len = history.len();
        taps.iter()
            .fold(false, |acc, &e| acc ^ history[len - e as usize])
    }

    /// The next `bits` bits without consuming them, bit 0 the earliest.
    fn upcoming(&self) -> Bits {
        let mut h = self.history.clone();
        let mut words = vec![0u64; linkforge_hdl::words_for(self.bits)];
        for j in 0..self.bits as usize {
            let b = Self::following(&self.taps, &h);
            h.push(b);
            words[j / 64] |= u64::from(b) << (j % 64);
        }
        Bits::from_words(&words, self.bits)
    }
}

impl CycleModel for LfsrModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![("rst".into(), 1), ("en".into(), 1)]
    }

    fn outputs(&self) -> Vec<String> {
        vec!["out".into()]
    }

    fn words_per_cycle(&self) -> usize {
        1
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        vec![flag(cycle < RESET_CYCLES), flag(w % 4 != 0)]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let want = self.upcoming();
        if out[0] == want {
            Ok(u64::from(self.bits))
        } else {
            Err(format!(
                "`out` is {}, the sequence continues {want}",
                out[0]
            ))
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            self.history = self.reset_state.clone();
        } else if inputs[1].low_u64() == 1 {
            for _ in 0..self.bits {
                let b = Self::following(&self.taps, &self.history);
                self.history.push(b);
            }
            // Only the last `n` bits matter.
            let keep = self.reset_state.len();
            self.history.drain(..self.history.len() - keep);
        }
    }

    fn unit(&self) -> &'static str {
        "bits"
    }
}

/// The reference of an `arbiter`, written by index rather than by masks:
/// requesters hold a request until granted (and now and then withdraw
/// it); the grant is the policy's choice, and under a rotating policy a
/// waiting requester is passed over at most the other requesters' weights.
#[derive(Clone, Debug)]
pub struct ArbiterModel {
    cfg: ArbiterConfig,
    weights: Vec<u32>,
    /// The last winner (the search for the next starts after it).
    last: usize,
    /// Consecutive grants to `last` in its current turn.
    used: u32,
    /// Requests pending.
    req: u64,
    /// Grants to others while each requester has been waiting.
    waited: Vec<u32>,
    /// The grant expected this cycle, and whether it continues a turn.
    expected: Option<(usize, bool)>,
}

impl ArbiterModel {
    /// The model of the arbiter `cfg` describes, after reset.
    pub fn new(cfg: &ArbiterConfig) -> Self {
        let n = cfg.requesters;
        let weights = match &cfg.policy {
            Policy::Weighted(w) => w.clone(),
            _ => vec![1; n],
        };
        ArbiterModel {
            cfg: cfg.clone(),
            weights,
            last: n - 1,
            used: 0,
            req: 0,
            waited: vec![0; n],
            expected: None,
        }
    }

    fn clocked(&self) -> bool {
        !matches!(self.cfg.policy, Policy::Fixed)
    }

    fn in_reset(&self, cycle: u64) -> bool {
        self.clocked() && cycle < RESET_CYCLES
    }

    /// The winner among `req` this cycle, without taking the turn, and
    /// whether it is the last winner's turn going on.
    fn choose(&self, req: u64) -> Option<(usize, bool)> {
        let n = self.cfg.requesters;
        let requests = |i: usize| req >> i & 1 == 1;
        let stay = self.used > 0 && requests(self.last) && self.used < self.weights[self.last];
        let winner = match self.cfg.policy {
            Policy::Fixed => (0..n).find(|&i| requests(i)),
            _ if stay => Some(self.last),
            _ => (1..=n).map(|k| (self.last + k) % n).find(|&i| requests(i)),
        };
        winner.map(|w| (w, stay))
    }
}

impl CycleModel for ArbiterModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let req = ("req".to_string(), self.cfg.requesters as u32);
        if self.clocked() {
            vec![("rst".into(), 1), req]
        } else {
            vec![req]
        }
    }

    fn outputs(&self) -> Vec<String> {
        vec!["grant".into(), "grant_valid".into()]
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let mut next = || words.next().unwrap_or(0);
        let n = self.cfg.requesters as u32;
        let (arrive, withdraw, roll) = (next(), next(), next());
        if !self.in_reset(cycle) {
            self.req |= arrive & (u64::MAX >> (64 - n));
            if roll % 8 == 0 {
                self.req &= !withdraw;
            }
        }
        let req = bits(self.req, n);
        if self.clocked() {
            vec![flag(self.in_reset(cycle)), req]
        } else {
            vec![req]
        }
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        self.expected = None;
        if self.in_reset(cycle) {
            return Ok(0);
        }
        let (grant, valid) = (out[0].low_u64(), out[1].low_u64());
        let expected = self.choose(self.req);
        let winner = expected.map(|(w, _)| w);
        let want = winner.map_or(0, |i| 1u64 << i);
        if grant != want {
            return Err(format!(
                "`grant` is {grant:b} for requests {:b}, the policy grants {want:b}",
                self.req
            ));
        }
        let compared = 1 + expect_eq("grant_valid", valid, (self.req != 0) as u64)?;
        if self.clocked() {
            let total: u32 = self.weights.iter().sum();
            for i in 0..self.cfg.requesters {
                let w = &mut self.waited[i];
                if self.req >> i & 1 == 0 || Some(i) == winner {
                    *w = 0;
                } else if winner.is_some() {
                    *w += 1;
                    let bound = total - self.weights[i];
                    if *w > bound {
                        return Err(format!(
                            "requester {i} passed over {w} times, more than the fairness bound {bound}"
                        ));
                    }
                }
            }
        }
        self.expected = expected;
        Ok(compared)
    }

    fn advance(&mut self, _: &[Bits], _: &[bool]) {
        let Some((winner, stay)) = self.expected else {
            return;
        };
        self.used = if stay { self.used + 1 } else { 1 };
        self.last = winner;
        self.req &= !(1 << winner);
    }

    fn unit(&self) -> &'static str {
        "grants"
    }
}
