//! `dfe`: decision-feedback equalizer with M taps, an NRZ or PAM4 slicer and
//! sign-sign LMS adaptation of the taps and of the data level.
//!
//! Every cycle `z[n] = x[n] - sum_k w_k s[n-1-k]`, where `s` are past
//! decisions as symbol values (NRZ `+-1`, PAM4 `-3, -1, 1, 3`) and the taps
//! `w_k` are signed `T = tap_bits` wide in sample LSBs (tap 0 is the first
//! post-cursor). The slicer decides on `z` against the data level `L`: NRZ
//! by sign (levels `+-L`); PAM4 with thresholds `-2L, 0, 2L` (levels `+-L`,
//! `+-3L`). The error is `e = z - L s[n]`.
//!
//! With `adapt`, each cycle `w_k += mu sgn(e[n]) sgn(s[n-1-k])` and
//! `L += mu sgn(e[n]) sgn(s[n])`, with `mu = 2^-mu_shift` LSBs (taps and
//! level keep `mu_shift` extra fractional bits and saturate). `L` starts at
//! the `level` parameter.
//!
//! Ports (domain `clk`; `rst` synchronous, active high): `sample[S-1:0]`
//! signed, one per UI; `coef_we`, `coef_idx[I-1:0]`, `coef_data[T-1:0]`:
//! write tap `coef_idx` (wins over adaptation); `decision[D-1:0]`: the
//! decision on the previous cycle's sample (NRZ 1 bit, 1 = positive; PAM4 the
//! level 0..=3, 0 = most negative); `eq[Z-1:0]`: the `z` that decision was
//! taken on ([`DfeConfig::eq_bits`]); `coefs[M*T-1:0]`: the taps, tap 0 in
//! the low bits; `level[S-2:0]`: the data level.

use super::ffe::{saturate, step_saturating, TapBank};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, BoolParam, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `taps`.
pub const TAPS: IntParam = IntParam::new("taps", "t", 1..=16, 2, "number of post-cursor taps");
/// Parameter `sample_bits`.
pub const SAMPLE_BITS: IntParam =
    IntParam::new("sample_bits", "s", 4..=16, 10, "signed sample width");
/// Parameter `tap_bits`.
pub const TAP_BITS: IntParam = IntParam::new(
    "tap_bits",
    "k",
    3..=16,
    8,
    "signed tap width in sample LSBs",
);
/// Parameter `modulation`.
pub const MODULATION: ChoiceParam =
    ChoiceParam::new("modulation", "", &MODULATIONS, "nrz", "line code");
/// Parameter `adapt`.
pub const ADAPT: BoolParam = BoolParam::new(
    "adapt",
    "a",
    true,
    "sign-sign LMS adaptation of taps and level",
);
/// Parameter `level`.
pub const LEVEL: IntParam = IntParam::new(
    "level",
    "l",
    1..=32767,
    96,
    "initial data level in sample LSBs",
);
/// Parameter `mu_shift`.
pub const MU_SHIFT: IntParam =
    IntParam::new("mu_shift", "u", 0..=16, 6, "LMS step 2^-mu_shift LSBs");

/// The `modulation` choices.
pub(crate) const MODULATIONS: [&str; 2] = ["nrz", "pam4"];

/// The line code a slicer decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modulation {
    /// Two levels, sign slicer.
    Nrz,
    /// Four levels, three thresholds.
    Pam4,
}

impl Modulation {
    /// From a checked `modulation` choice.
    pub(crate) fn parse(name: &str) -> Modulation {
        if name == "pam4" {
            Modulation::Pam4
        } else {
            Modulation::Nrz
        }
    }

    /// Bits of a decision: 1 or 2.
    pub fn decision_bits(self) -> u32 {
        match self {
            Modulation::Nrz => 1,
            Modulation::Pam4 => 2,
        }
    }
}

/// A slicer's outputs.
pub(crate) struct Slice {
    /// The decision (NRZ 1 = positive; PAM4 level 0..=3).
    pub code: Expr,
    /// The error `z - target` is negative.
    pub err_neg: Expr,
}

/// Slices signed `z` against positive `level` (see the module doc).
pub(crate) fn slicer(z: Expr, level: Expr, modulation: Modulation) -> Slice {
    let zw = z.width();
    let x = zw.max(level.width() + 3) + 1;
    let zx = z.clone().sext(x);
    let l = level.zext(x);
    let neg = |v: Expr| lit(0, x) - v;
    let pos = !z.bit(zw - 1);
    let (code, magnitude) = match modulation {
        Modulation::Nrz => (pos.clone(), l),
        Modulation::Pam4 => {
            let l2 = l.clone() << 1;
            let hi = zx.clone().sge(l2.clone());
            let lo = zx.clone().sge(neg(l2.clone()));
            let low_bit = mux(pos.clone(), hi.clone(), lo.clone());
            let outer = mux(pos.clone(), hi, !lo);
            let magnitude = mux(outer, l.clone() + l2, l);
            (cat![pos.clone(), low_bit], magnitude)
        }
    };
    let target = mux(pos, magnitude.clone(), neg(magnitude));
    let err_neg = (zx - target).bit(x - 1);
    Slice { code, err_neg }
}

/// A decision-feedback equalizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DfeConfig {
    /// Number of taps M ([`TAPS`]).
    pub taps: u32,
    /// Signed sample width S ([`SAMPLE_BITS`]).
    pub sample_bits: u32,
    /// Signed tap width T in sample LSBs ([`TAP_BITS`]).
    pub tap_bits: u32,
    /// The line code.
    pub modulation: Modulation,
    /// Sign-sign LMS adaptation on.
    pub adapt: bool,
    /// The (initial) data level L in sample LSBs (1..2^(S-1)).
    pub level: u32,
    /// LMS step as a shift: `mu = 2^-mu_shift` LSBs ([`MU_SHIFT`]).
    pub mu_shift: u32,
}

impl DfeConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = DfeConfig {
            taps: TAPS.read(p)?,
            sample_bits: SAMPLE_BITS.read(p)?,
            tap_bits: TAP_BITS.read(p)?,
            modulation: Modulation::parse(MODULATION.read(p)?),
            adapt: ADAPT.read(p)?,
            level: LEVEL.read(p)?,
            mu_shift: MU_SHIFT.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), RtlError> {
        TAPS.check(self.taps)?;
        SAMPLE_BITS.check(self.sample_bits)?;
        TAP_BITS.check(self.tap_bits)?;
        let max_level = (1i64 << (self.sample_bits - 1)) - 1;
        LEVEL.check_within(self.level, 1, max_level)?;
        MU_SHIFT.check(self.mu_shift)
    }

    /// Width of `eq`: `max(S, T + 2) + bits_for(M + 1)`.
    pub fn eq_bits(&self) -> u32 {
        self.sample_bits.max(self.tap_bits + 2) + bits_for(self.taps as usize + 1)
    }
}

/// `w s` for a decision `code` as a `width`-bit signed value.
fn weighted(w: Expr, code: Expr, modulation: Modulation, width: u32) -> Expr {
    let w = w.sext(width);
    let neg = |v: Expr| lit(0, width) - v;
    match modulation {
        Modulation::Nrz => mux(code, w.clone(), neg(w)),
        Modulation::Pam4 => {
            let outer = code.clone().bit(1).eq(code.clone().bit(0));
            let magnitude = mux(outer, w.clone() + (w.clone() << 1), w);
            mux(code.bit(1), magnitude.clone(), neg(magnitude))
        }
    }
}

/// Builds the DFE as module `module_name`.
pub fn dfe(module_name: &str, cfg: &DfeConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (n, s, t) = (cfg.taps, cfg.sample_bits, cfg.tap_bits);
    let db = cfg.modulation.decision_bits();
    let zw = cfg.eq_bits();
    let extra = if cfg.adapt { cfg.mu_shift } else { 0 };
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let sample = m.input("sample", s);
    let decision = m.output("decision", db);
    let eq = m.output("eq", zw);
    let coefs = m.output("coefs", n * t);
    let level_out = m.output("level", s - 1);
    let bank = TapBank::new(&mut m, n, t, extra, |_| 0);

    // Decisions s[n-1-k].
    let hist: Vec<Signal> = (0..n)
        .map(|k| m.reg(format!("d{}", k + 1), db).reset(0))
        .collect();
    let feedback = (0..n as usize)
        .map(|k| weighted(bank.tap(k), hist[k].into(), cfg.modulation, zw))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0, zw));
    let z = sample.sext(zw) - feedback;

    let lvl = cfg.adapt.then(|| {
        m.reg("lvl", s - 1 + extra)
            .reset(u64::from(cfg.level) << extra)
    });
    let level = lvl.map_or_else(
        || lit(cfg.level.into(), s - 1),
        |r| r.slice(s - 2 + extra, extra),
    );
    let slice = slicer(z.clone(), level.clone(), cfg.modulation);
    let positive = |code: Expr| code.bit(db - 1);

    for (k, r) in hist.iter().enumerate() {
        let prev = if k == 0 {
            slice.code.clone()
        } else {
            hist[k - 1].into()
        };
        m.next(*r, prev);
    }
    let zr = m.reg("z", zw).reset(0);
    m.next(zr, saturate(z, zw));

    let ups = cfg.adapt.then(|| {
        hist.iter()
            .map(|d| slice.err_neg.clone() ^ positive((*d).into()))
            .collect()
    });
    bank.update(&mut m, ups);
    if let Some(r) = lvl {
        let up = slice.err_neg.clone() ^ positive(slice.code.clone());
        m.next(r, step_saturating(r, up, false));
    }
    m.assign(decision, hist[0]);
    m.assign(eq, zr);
    m.assign(coefs, bank.all());
    m.assign(level_out, level);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "dfe",
        doc: "decision-feedback equalizer with NRZ/PAM4 slicer and sign-sign LMS",
        params: vec![
            TAPS.spec(),
            SAMPLE_BITS.spec(),
            TAP_BITS.spec(),
            MODULATION.spec(),
            ADAPT.spec(),
            LEVEL.spec(),
            MU_SHIFT.spec(),
        ],
        build: |name, p| Ok(dfe(name, &DfeConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
