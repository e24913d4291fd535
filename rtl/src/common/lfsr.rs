//! `lfsr`: a Fibonacci linear-feedback shift register producing several
//! bits of its sequence per clock, for PRBS patterns and scramblers.
//!
//! The polynomial `x^n + ... + 1` is given by its exponents (`taps`, the
//! constant term implied); the sequence obeys `b[t] = XOR of b[t - e]` over
//! the taps `e`, so PRBS7 `x^7 + x^6 + 1` is taps `[7, 6]`. The output bit
//! is the feedback bit.
//!
//! Ports: `clk`, `rst` (synchronous, active high: loads the seed), `en`;
//! `out[B-1:0]`: the next `B` bits of the sequence, bit 0 the earliest,
//! combinational from the state. At a rising edge with `en` high the
//! register advances by `B` bits, so `out` shows the following `B`.
//!
//! State: the `n`-bit register holds the last `n` bits of the sequence, bit
//! 0 the most recent; the seed is that history (all ones by default) and
//! must not be zero.

use super::gf2::{vector_expr, Terms};
use super::ones;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{check_range, checked, param_error, ChoiceParam, IntListParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// The smallest degree of a polynomial.
const MIN_DEGREE: i64 = 2;
/// Parameter `poly`: the polynomials' names, `custom` last.
pub const POLY: ChoiceParam = ChoiceParam::new(
    "poly",
    "",
    &["prbs7", "prbs9", "prbs15", "prbs23", "prbs31", "custom"],
    "prbs31",
    "polynomial: a PRBS preset, or custom (then set taps)",
);
/// Parameter `taps`.
pub const TAPS: IntListParam = IntListParam::new(
    "taps",
    "t",
    1..=64,
    64,
    "custom polynomial exponents without the +1, e.g. [7, 6] for x^7+x^6+1",
);
/// Parameter `bits`.
pub const BITS: IntParam = IntParam::new("bits", "b", 1..=512, 1, "sequence bits per clock");
/// Parameter `seed`.
pub const SEED: IntParam = IntParam::new(
    "seed",
    "s",
    -1..=i64::MAX,
    -1,
    "reset history, bit 0 the most recent; -1 for all ones",
);

/// A Fibonacci LFSR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LfsrConfig {
    /// Exponents of the polynomial without the constant term, each distinct;
    /// the largest is the degree `n` (2..=64).
    pub taps: Vec<u32>,
    /// Sequence bits per clock ([`BITS`]).
    pub bits: u32,
    /// Reset state: the last `n` bits of the sequence, bit 0 the most
    /// recent; non-zero and below `2^n`.
    pub seed: u64,
}

impl LfsrConfig {
    /// The taps of a named PRBS polynomial (`prbs7`, `prbs9`, `prbs15`,
    /// `prbs23`, `prbs31`).
    pub fn prbs_taps(name: &str) -> Option<Vec<u32>> {
        let taps = match name {
            "prbs7" => [7, 6],
            "prbs9" => [9, 5],
            "prbs15" => [15, 14],
            "prbs23" => [23, 18],
            "prbs31" => [31, 28],
            _ => return None,
        };
        Some(taps.to_vec())
    }

    /// A PRBS generator by name with an all-ones seed.
    pub fn prbs(name: &str, bits: u32) -> Option<Self> {
        let taps = Self::prbs_taps(name)?;
        Some(LfsrConfig {
            seed: ones(degree(&taps)),
            taps,
            bits,
        })
    }

    /// Reads and checks the config: `poly` names a PRBS polynomial, or is
    /// `custom` and `taps` lists the exponents; `seed` -1 means all ones.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let listed = TAPS.read(p)?;
        let poly = POLY.read(p)?;
        let taps = match (LfsrConfig::prbs_taps(poly), listed.is_empty()) {
            (Some(taps), true) => taps,
            (None, false) => listed.iter().map(|&t| t as u32).collect(),
            (Some(_), false) => {
                return Err(param_error(
                    "taps",
                    format!("taps are given by poly = {poly}; set poly = custom to list them"),
                ))
            }
            (None, true) => return Err(param_error("taps", "poly = custom needs taps")),
        };
        let seed = match SEED.read(p)? {
            -1 => ones(degree(&taps)),
            s => u64::try_from(s).map_err(|_| param_error("seed", format!("{s} is negative")))?,
        };
        let cfg = LfsrConfig {
            taps,
            bits: BITS.read(p)?,
            seed,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// The degree `n`: the largest tap.
    pub fn degree(&self) -> u32 {
        degree(&self.taps)
    }

    /// Checks the taps, the bits per clock and the seed.
    pub fn validate(&self) -> Result<(), RtlError> {
        let n = self.degree();
        check_range(TAPS.name, n, MIN_DEGREE, TAPS.max)?;
        for (i, t) in self.taps.iter().enumerate() {
            if *t == 0 || self.taps[..i].contains(t) {
                return Err(param_error(
                    "taps",
                    format!("{t} is zero or repeated; list each exponent above 0 once"),
                ));
            }
        }
        BITS.check(self.bits)?;
        if self.seed == 0 || self.seed > ones(n) {
            return Err(param_error(
                "seed",
                format!("{:#x} is zero or wider than {n} bits", self.seed),
            ));
        }
        Ok(())
    }
}

/// The largest tap (0 for none).
fn degree(taps: &[u32]) -> u32 {
    taps.iter().copied().max().unwrap_or(0)
}

/// Runs the recurrence `b[t] = XOR of b[t - e]` over `taps` for `bits`
/// steps on symbolic bits. Variables `0..n` are the history (bit 0 the most
/// recent, `n` the degree); when `fed`, variables `n..n + bits` are bits
/// received in the same order, and they (not the predictions) enter the
/// history, as in a self-synchronizing checker. Returns the `bits`
/// predictions, earliest first, and the history afterwards, bit 0 the most
/// recent.
pub(crate) fn steps(taps: &[u32], bits: u32, fed: bool) -> (Vec<Terms>, Vec<Terms>) {
    let n = degree(taps);
    let vars = if fed { n + bits } else { n };
    // The sequence as sums of variables, oldest first: the history, then `bits` more.
    let mut seq: Vec<Terms> = (0..n).rev().map(|k| Terms::var(vars, k)).collect();
    let mut predictions = Vec::with_capacity(bits as usize);
    for j in 0..bits {
        let mut next = Terms::zero(vars);
        for &e in taps {
            next.add(&seq[seq.len() - e as usize]);
        }
        seq.push(if fed {
            Terms::var(vars, n + j)
        } else {
            next.clone()
        });
        predictions.push(next);
    }
    let history = seq.iter().rev().take(n as usize).cloned().collect();
    (predictions, history)
}

/// Builds the LFSR as module `module_name`.
pub fn lfsr(module_name: &str, cfg: &LfsrConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let n = cfg.degree();
    let (outputs, next_state) = steps(&cfg.taps, cfg.bits, false);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let out = m.output("out", cfg.bits);
    let state = m.reg("state", n).reset(cfg.seed);
    let src = Expr::from(state);
    m.assign(out, vector_expr(&outputs, &src));
    m.when(en, |m| m.next(state, vector_expr(&next_state, &src)));
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "lfsr",
        doc: "Fibonacci LFSR (PRBS) with any polynomial, several bits per clock",
        params: vec![POLY.spec(), TAPS.spec(), BITS.spec(), SEED.spec()],
        build: |name, p| Ok(lfsr(name, &LfsrConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
