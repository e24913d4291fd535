//! `prbs_gen` and `prbs_check`: PRBS test-pattern generator and
//! self-synchronizing checker, `W` bits per clock.
//!
//! The polynomial is `poly` = `prbs7` (x^7+x^6+1), `prbs9` (x^9+x^5+1),
//! `prbs15` (x^15+x^14+1), `prbs23` (x^23+x^18+1) or `prbs31`
//! (x^31+x^28+1): a Fibonacci LFSR `s` of `n` bits starting all ones; each
//! bit step computes `f = s[n-1] ^ s[k-1]` (for x^n + x^k + 1), emits `f`
//! and shifts `s <= {s[n-2:0], f}`. Words carry bit 0 the earliest.
//!
//! `prbs_gen` ports (`rst` synchronous, active high, everywhere):
//! `clk`, `rst`, `en`; `data[W-1:0]`, `valid` (registered). At each rising
//! edge with `en` high, `data` takes the next `W` bits of the sequence and
//! `valid` is `en` one cycle late; `data` holds while `en` is low. The first
//! word with `valid` high after reset is bits `0..W` of the sequence.
//!
//! `prbs_check` ports: `clk`, `rst`, `in_valid`, `in_data[W-1:0]`;
//! `locked`, `err_count[31:0]` (registered). Words with `in_valid` low are
//! ignored. Let `F = ceil(n / W)`.
//!
//! - Unlocked, the received bits enter the register (self-synchronizing),
//!   and each bit is predicted from the `n` received before it. The first
//!   `F` words after reset or loss of lock only fill the register; a later
//!   word is checked, and a word with a mismatch starts the count of clean
//!   words again. After `F` consecutive checked words without a mismatch
//!   (`2F` words from reset on an error-free stream, which is at least `n`
//!   received bits matching their prediction) `locked` rises.
//! - Locked, the register runs free (predicts from its own state, ignoring
//!   the received bits), and `err_count` adds the number of mismatched bits
//!   of each word, saturating at `2^32 - 1`: every wrong bit counts once.
//!   Words received before lock are never counted; `rst` clears the count.
//! - Lock is lost after 8 consecutive words each with at least one
//!   mismatch (the counter keeps its value); the checker then fills and
//!   checks again as after reset.

use crate::catalog::{no_issues, BlockKind, ParamSpec, Params};
use crate::common::gf2::vector_expr;
use crate::common::lfsr::{steps, LfsrConfig};
use crate::common::ones;
use crate::params::{checked, param_error, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `poly`.
pub const POLY: ChoiceParam = ChoiceParam::new("poly", "", &POLYS, "prbs31", "PRBS polynomial");
/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new(
    "width",
    "w",
    1..=256,
    32,
    "bits per clock, bit 0 the earliest",
);

/// Catalogue names of the polynomials.
pub const POLYS: [&str; 5] = ["prbs7", "prbs9", "prbs15", "prbs23", "prbs31"];

/// The degree of the polynomial named `name` (`prbs<n>`), for parameter
/// `param`.
pub fn poly_degree(param: &str, name: &str) -> Result<u32, RtlError> {
    name.trim_start_matches("prbs")
        .parse()
        .map_err(|_| param_error(param, format!("`{name}` is not prbs<n>")))
}
/// Consecutive words with errors after which a locked checker unlocks.
pub const LOSS_WORDS: u64 = 8;

/// A PRBS generator or checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrbsConfig {
    /// Degree of the polynomial: 7, 9, 15, 23 or 31 (`prbs<n>`).
    pub poly: u32,
    /// Bits per clock, `W` ([`WIDTH`]).
    pub width: u32,
}

impl PrbsConfig {
    /// Reads and checks the config: `poly` names the polynomial (`prbs7`
    /// ... `prbs31`), `width` the bits per clock.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let poly = POLY.read(p)?;
        let cfg = PrbsConfig {
            poly: poly_degree("poly", poly)?,
            width: WIDTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks that the polynomial is a PRBS preset and the width.
    pub fn validate(&self) -> Result<(), RtlError> {
        if self.taps().is_empty() {
            return Err(param_error(
                "poly",
                format!("{} is not one of 7, 9, 15, 23, 31", self.poly),
            ));
        }
        WIDTH.check(self.width)
    }

    /// The polynomial's exponents (`[n, k]`), empty for an unknown degree.
    fn taps(&self) -> Vec<u32> {
        LfsrConfig::prbs_taps(&format!("prbs{}", self.poly)).unwrap_or_default()
    }
}

/// Builds the PRBS generator as module `module_name`.
pub fn prbs_gen(module_name: &str, cfg: &PrbsConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (n, w) = (cfg.poly, cfg.width);
    let (bits, next) = steps(&cfg.taps(), w, false);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let data = m.output("data", w);
    let valid = m.output("valid", 1);
    let state = m.reg("state", n).reset(ones(n));
    let data_q = m.reg("data_q", w).reset(0);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let src = Expr::from(state);
    m.when(en, |m| {
        m.next(state, vector_expr(&next, &src));
        m.next(data_q, vector_expr(&bits, &src));
    });
    m.next(valid_q, en);
    m.assign(data, data_q);
    m.assign(valid, valid_q);
    m.finish()
}

/// The number of set bits of `e`, `bits_for(width + 1)` bits wide, by a
/// balanced tree of adders.
fn popcount(e: &Expr) -> Expr {
    let w = e.width();
    if w == 1 {
        return e.clone();
    }
    let half = w / 2;
    let out = bits_for(w as usize + 1);
    let lo = popcount(&e.clone().slice(half - 1, 0));
    let hi = popcount(&e.clone().slice(w - 1, half));
    lo.zext(out) + hi.zext(out)
}

/// Builds the self-synchronizing PRBS checker as module `module_name`.
pub fn prbs_check(module_name: &str, cfg: &PrbsConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (n, w) = (cfg.poly, cfg.width);
    let taps = cfg.taps();
    let fill = u64::from(n.div_ceil(w));
    // Variables: the register (bits 0..n), then the received word.
    let (free_bits, free_next) = steps(&taps, w, false);
    let (sync_bits, sync_next) = steps(&taps, w, true);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_data = m.input("in_data", w);
    let locked = m.output("locked", 1);
    let err_count = m.output("err_count", 32);

    let state = m.reg("state", n).reset(ones(n));
    let locked_q = m.reg("locked_q", 1).reset(0);
    // Unlocked: valid words since the (re)start, 0..2F-1.
    let run_w = bits_for(2 * fill as usize);
    let run = m.reg("run", run_w).reset(0);
    // Locked: consecutive words with errors, 0..LOSS_WORDS-1.
    let bad_w = bits_for(LOSS_WORDS as usize);
    let bad = m.reg("bad", bad_w).reset(0);
    let count = m.reg("count", 32).reset(0);

    let src = cat![in_data, state];
    let expected = m.wire("expected", w);
    m.assign(
        expected,
        mux(
            locked_q,
            vector_expr(&free_bits, &src),
            vector_expr(&sync_bits, &src),
        ),
    );
    let wrong = m.wire("wrong", w);
    m.assign(wrong, in_data ^ expected);
    let errors = m.wire("errors", bits_for(w as usize + 1));
    m.assign(errors, popcount(&wrong.into()));
    let sum = m.wire("sum", 33);
    m.assign(sum, count.add_carry(errors.zext(32)));

    m.when(in_valid, |m| {
        m.when(locked_q, |m| {
            m.next(state, vector_expr(&free_next, &src));
            m.next(count, mux(sum.bit(32), lit(ones(32), 32), sum.trunc(32)));
            m.when(wrong.any(), |m| {
                m.when(bad.eq(lit(LOSS_WORDS - 1, bad_w)), |m| {
                    m.next(locked_q, low());
                    m.next(bad, lit(0, bad_w));
                })
                .otherwise(|m| m.next(bad, bad + 1));
            })
            .otherwise(|m| m.next(bad, lit(0, bad_w)));
        })
        .otherwise(|m| {
            m.next(state, vector_expr(&sync_next, &src));
            m.when(run.ge(lit(fill, run_w)) & wrong.any(), |m| {
                m.next(run, lit(fill, run_w))
            })
            .elsewhen(run.eq(lit(2 * fill - 1, run_w)), |m| {
                m.next(locked_q, high());
                m.next(run, lit(0, run_w));
            })
            .otherwise(|m| m.next(run, run + 1));
        });
    });
    m.assign(locked, locked_q);
    m.assign(err_count, count);
    m.finish()
}

/// The parameters both blocks share.
fn params() -> Vec<ParamSpec> {
    vec![POLY.spec(), WIDTH.spec()]
}

/// The catalogue entry of `prbs_gen`.
pub fn gen_kind() -> BlockKind {
    BlockKind {
        name: "prbs_gen",
        doc: "PRBS7/9/15/23/31 pattern generator, W bits per clock",
        params: params(),
        build: |name, p| Ok(prbs_gen(name, &PrbsConfig::from_params(p)?)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `prbs_check`.
pub fn check_kind() -> BlockKind {
    BlockKind {
        name: "prbs_check",
        doc: "self-synchronizing PRBS checker with lock and a bit-error counter",
        params: params(),
        build: |name, p| Ok(prbs_check(name, &PrbsConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
