//! `prbs_gen` and `prbs_check` judged by a bit-serial model of ITU-T O.150.
//!
//! The polynomials `x^n + x^k + 1` (PRBS7 x^7+x^6+1, PRBS9 x^9+x^5+1,
//! PRBS15 x^15+x^14+1, PRBS23 x^23+x^18+1, PRBS31 x^31+x^28+1) are written
//! out here from O.150, one bit per step: `f = s[n-1] ^ s[k-1]`, emitted,
//! then `s <= {s[n-2:0], f}`, from all ones. The generator's model compares
//! `valid` and every bit of `data`; the checker's model feeds a PRBS stream
//! from a random phase with random gaps, single-bit errors and bursts of
//! bad words that break the lock, and compares `locked` and `err_count`
//! each cycle against the checker's documented fill/lock/loss rules.

use crate::tb::cycle::{expect_eq, flag, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::prbs::PrbsConfig;
use linkforge_rtl::RtlError;

/// The second exponent `k` of PRBS`n` (`x^n + x^k + 1`), from O.150.
fn second_tap(n: u32) -> Option<u32> {
    match n {
        7 => Some(6),
        9 => Some(5),
        15 => Some(14),
        23 => Some(18),
        31 => Some(28),
        _ => None,
    }
}

/// A bit-serial PRBS register of `x^n + x^k + 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prbs {
    n: u32,
    k: u32,
    state: u64,
}

impl Prbs {
    /// PRBS`n` from all ones; `None` for a degree O.150 does not list.
    pub fn new(n: u32) -> Option<Prbs> {
        Some(Prbs {
            n,
            k: second_tap(n)?,
            state: (1 << n) - 1,
        })
    }

    /// The same register started from `state` (its low `n` bits; zero, the
    /// stuck state, is replaced by all ones).
    pub fn from_state(self, state: u64) -> Prbs {
        let state = state & self.mask();
        Prbs {
            state: if state == 0 { self.mask() } else { state },
            ..self
        }
    }

    fn mask(&self) -> u64 {
        (1 << self.n) - 1
    }

    /// The bit the register predicts next, without stepping.
    pub fn predict(&self) -> bool {
        (self.state >> (self.n - 1) ^ self.state >> (self.k - 1)) & 1 == 1
    }

    /// Shifts `bit` in as the newest.
    pub fn push(&mut self, bit: bool) {
        self.state = (self.state << 1 | u64::from(bit)) & self.mask();
    }

    /// The next bit of the sequence (the register runs free).
    pub fn next_bit(&mut self) -> bool {
        let f = self.predict();
        self.push(f);
        f
    }
}

/// The first `count` bits of PRBS`n` from all ones; empty for a degree
/// O.150 does not list.
pub fn sequence(n: u32, count: usize) -> Vec<bool> {
    Prbs::new(n).map_or_else(Vec::new, |mut p| (0..count).map(|_| p.next_bit()).collect())
}

/// The model's register of `cfg`'s polynomial, or the parameter error.
fn register(cfg: &PrbsConfig) -> Result<Prbs, RtlError> {
    Prbs::new(cfg.poly).ok_or_else(|| RtlError::Param {
        name: "poly".into(),
        message: format!("PRBS{} is not an O.150 polynomial", cfg.poly),
    })
}

/// `bits` (bit 0 the earliest) as a value of their length.
fn pack(word: &[bool]) -> Bits {
    let mut b = Bits::zero(word.len() as u32);
    for (i, &v) in word.iter().enumerate() {
        b.set_bit(i as u32, v);
    }
    b
}

/// The model of `prbs_gen`: `en` random (3 cycles in 4), `valid` is `en`
/// one cycle late and each word with `en` the next `W` bits.
#[derive(Clone, Debug)]
pub struct PrbsGenModel {
    width: u32,
    fresh: Prbs,
    prbs: Prbs,
    /// The registered outputs once a reset edge defined them.
    shown: Option<(bool, Bits)>,
}

impl PrbsGenModel {
    /// The model of the generator `cfg` describes.
    pub fn new(cfg: &PrbsConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        let prbs = register(cfg)?;
        Ok(PrbsGenModel {
            width: cfg.width,
            fresh: prbs,
            prbs,
            shown: None,
        })
    }

    /// The model of the `prbs_gen` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&PrbsConfig::from_params(params)?)
    }
}

impl CycleModel for PrbsGenModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![("rst".into(), 1), ("en".into(), 1)]
    }
    fn outputs(&self) -> Vec<String> {
        vec!["valid".into(), "data".into()]
    }
    fn words_per_cycle(&self) -> usize {
        1
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        vec![flag(cycle < RESET_CYCLES), flag(w & 3 != 0)]
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        let Some((valid, data)) = &self.shown else {
            return Ok(0);
        };
        expect_eq("valid", outputs[0].low_u64(), u64::from(*valid))?;
        if outputs[1] != *data {
            return Err(format!(
                "`data` is {}, the PRBS{} sequence continues with {}",
                outputs[1].to_hex(),
                self.fresh.n,
                data.to_hex()
            ));
        }
        Ok(1 + u64::from(self.width))
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.prbs = self.fresh;
            self.shown = Some((false, Bits::zero(self.width)));
        } else if let Some((valid, data)) = &mut self.shown {
            *valid = inputs[1].bit(0);
            if *valid {
                let word: Vec<bool> = (0..self.width).map(|_| self.prbs.next_bit()).collect();
                *data = pack(&word);
            }
        }
    }
    fn unit(&self) -> &'static str {
        "bits"
    }
}

/// Consecutive bad words after which a locked checker unlocks (documented
/// in `prbs_check`'s contract).
const LOSS_WORDS: u32 = 8;

/// The model of `prbs_check` and its stimulus: a PRBS stream from a random
/// phase, `in_valid` low one cycle in eight, a single-bit error in one
/// word in 64 and, one word in 1024, a burst of 12 bad words that breaks
/// the lock.
#[derive(Clone, Debug)]
pub struct PrbsCheckModel {
    width: u32,
    /// Words that fill the register before checking starts, `ceil(n/W)`.
    fill: u32,
    fresh: Prbs,
    /// The sending end; started from the first random word.
    tx: Option<Prbs>,
    /// Bad words still to send in the current burst.
    burst: u32,
    /// The checker: its register, lock, words since the (re)start while
    /// unlocked, consecutive bad words while locked, error count.
    rx: Prbs,
    locked: bool,
    run: u32,
    bad: u32,
    count: u64,
    reset_seen: bool,
    /// Lock gains and losses seen, for the metrics.
    locks: u64,
    losses: u64,
}

impl PrbsCheckModel {
    /// The model of the checker `cfg` describes.
    pub fn new(cfg: &PrbsConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        let prbs = register(cfg)?;
        Ok(PrbsCheckModel {
            width: cfg.width,
            fill: cfg.poly.div_ceil(cfg.width),
            fresh: prbs,
            tx: None,
            burst: 0,
            rx: prbs,
            locked: false,
            run: 0,
            bad: 0,
            count: 0,
            reset_seen: false,
            locks: 0,
            losses: 0,
        })
    }

    /// The model of the `prbs_check` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&PrbsConfig::from_params(params)?)
    }

    /// The checker takes one valid word.
    fn receive(&mut self, word: &Bits) {
        let mut wrong = 0u64;
        for i in 0..self.width {
            let bit = word.bit(i);
            let predicted = self.rx.predict();
            wrong += u64::from(predicted != bit);
            self.rx.push(if self.locked { predicted } else { bit });
        }
        if self.locked {
            self.count = (self.count + wrong).min(u64::from(u32::MAX));
            self.bad = if wrong > 0 { self.bad + 1 } else { 0 };
            if self.bad == LOSS_WORDS {
                self.locked = false;
                self.bad = 0;
                self.losses += 1;
            }
        } else if self.run >= self.fill && wrong > 0 {
            self.run = self.fill;
        } else if self.run == 2 * self.fill - 1 {
            self.locked = true;
            self.run = 0;
            self.locks += 1;
        } else {
            self.run += 1;
        }
    }
}

impl CycleModel for PrbsCheckModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("in_valid".into(), 1),
            ("in_data".into(), self.width),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        vec!["locked".into(), "err_count".into()]
    }
    fn words_per_cycle(&self) -> usize {
        1
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        let tx = self
            .tx
            .get_or_insert_with(|| self.fresh.from_state(w >> 32));
        let valid = w & 7 != 0;
        let mut word: Vec<bool> = if valid {
            (0..self.width).map(|_| tx.next_bit()).collect()
        } else {
            vec![false; self.width as usize]
        };
        if valid && self.burst == 0 && (w >> 3) & 1023 == 0 {
            self.burst = 12;
        }
        let flip = (w >> 13) % u64::from(self.width);
        if valid && (self.burst > 0 || (w >> 21) & 63 == 0) {
            word[flip as usize] ^= true;
            self.burst = self.burst.saturating_sub(1);
        }
        vec![flag(cycle < RESET_CYCLES), flag(valid), pack(&word)]
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        if !self.reset_seen {
            return Ok(0);
        }
        Ok(
            expect_eq("locked", outputs[0].low_u64(), u64::from(self.locked))?
                + expect_eq("err_count", outputs[1].low_u64(), self.count)?,
        )
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.rx = self.fresh;
            self.locked = false;
            (self.run, self.bad, self.count) = (0, 0, 0);
            self.reset_seen = true;
        } else if inputs[1].bit(0) {
            self.receive(&inputs[2]);
        }
    }
    fn unit(&self) -> &'static str {
        "outputs"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![
            ("locks".into(), self.locks.to_string()),
            ("lock_losses".into(), self.losses.to_string()),
            ("bit_errors_counted".into(), self.count.to_string()),
        ]
    }
}
