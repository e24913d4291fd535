//! `ffe`: feed-forward equalizer, an N-tap FIR on signed ADC samples with
//! writable taps and optional sign-sign LMS adaptation.
//!
//! Fixed point: samples are signed `S = sample_bits` wide; taps are signed
//! `C = coeff_bits` wide with `C - 2` fractional bits (range `[-2, 2)`). The
//! output is `eq[n] = sat(floor(sum_k c_k x[n-k] / 2^(C-2)))`, saturated to
//! `S + 2` bits, registered (available the cycle after `sample`). Tap
//! `cursor` resets to 1.0, the others to 0.
//!
//! Ports (domain `clk`; `rst` synchronous, active high): `sample[S-1:0]`
//! (signed, one per UI); `coef_we`, `coef_idx[I-1:0]`, `coef_data[C-1:0]`:
//! write tap `coef_idx` at a rising edge (wins over adaptation; indices past
//! the last tap are ignored); `eq[S+1:0]`: the equalized sample;
//! `coefs[N*C-1:0]`: the taps, tap 0 in the low bits.
//!
//! With `adapt`, every cycle the output is sliced (NRZ levels `+-level`, PAM4
//! `+-level`, `+-3 level` with thresholds 0 and `+-2 level`), the error
//! `e = eq - target` taken, and each tap moves by
//! `-mu sgn(e[n]) sgn(x[n-k])` with `mu = 2^-mu_shift` tap LSBs (taps keep
//! `mu_shift` extra fractional bits and saturate).

use super::dfe::{slicer, Modulation, MODULATIONS};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, BoolParam, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `taps`.
pub const TAPS: IntParam = IntParam::new("taps", "t", 1..=16, 5, "number of taps");
/// Parameter `cursor`.
pub const CURSOR: IntParam =
    IntParam::new("cursor", "c", 0..=15, 1, "main-cursor tap (reset to 1.0)");
/// Parameter `sample_bits`.
pub const SAMPLE_BITS: IntParam =
    IntParam::new("sample_bits", "s", 4..=16, 8, "signed sample width");
/// Parameter `coeff_bits`.
pub const COEFF_BITS: IntParam = IntParam::new(
    "coeff_bits",
    "k",
    4..=16,
    10,
    "signed tap width, 2 integer bits",
);
/// Parameter `adapt`.
pub const ADAPT: BoolParam = BoolParam::new("adapt", "a", true, "sign-sign LMS adaptation");
/// Parameter `modulation`.
pub const MODULATION: ChoiceParam = ChoiceParam::new(
    "modulation",
    "",
    &MODULATIONS,
    "nrz",
    "slicer line code for LMS",
);
/// Parameter `level`.
pub const LEVEL: IntParam = IntParam::new(
    "level",
    "l",
    1..=65535,
    96,
    "slicer (inner) level in output LSBs",
);
/// Parameter `mu_shift`.
pub const MU_SHIFT: IntParam =
    IntParam::new("mu_shift", "u", 0..=16, 6, "LMS step 2^-mu_shift tap LSBs");

/// A feed-forward equalizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FfeConfig {
    /// Number of taps N ([`TAPS`]).
    pub taps: u32,
    /// Index of the main-cursor tap, reset to 1.0 (0..N).
    pub cursor: u32,
    /// Signed sample width S ([`SAMPLE_BITS`]).
    pub sample_bits: u32,
    /// Signed tap width C ([`COEFF_BITS`]), `C - 2` fractional bits.
    pub coeff_bits: u32,
    /// Sign-sign LMS adaptation on.
    pub adapt: bool,
    /// The slicer's line code for adaptation.
    pub modulation: Modulation,
    /// The slicer's (inner) level in output LSBs (1..2^S).
    pub level: u32,
    /// LMS step as a shift: `mu = 2^-mu_shift` tap LSBs ([`MU_SHIFT`]).
    pub mu_shift: u32,
}

impl FfeConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = FfeConfig {
            taps: TAPS.read(p)?,
            cursor: CURSOR.read(p)?,
            sample_bits: SAMPLE_BITS.read(p)?,
            coeff_bits: COEFF_BITS.read(p)?,
            adapt: ADAPT.read(p)?,
            modulation: Modulation::parse(MODULATION.read(p)?),
            level: LEVEL.read(p)?,
            mu_shift: MU_SHIFT.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), RtlError> {
        TAPS.check(self.taps)?;
        CURSOR.check_within(self.cursor, 0, i64::from(self.taps) - 1)?;
        SAMPLE_BITS.check(self.sample_bits)?;
        COEFF_BITS.check(self.coeff_bits)?;
        LEVEL.check_within(self.level, 1, (1 << self.sample_bits) - 1)?;
        MU_SHIFT.check(self.mu_shift)
    }

    /// Width of `eq`: `S + 2`.
    pub fn out_bits(&self) -> u32 {
        self.sample_bits + 2
    }

    /// Fractional bits of a tap: `C - 2`.
    pub fn frac_bits(&self) -> u32 {
        self.coeff_bits - 2
    }
}

/// `e` (signed) saturated to `to` bits (sign-extended when narrower).
pub(crate) fn saturate(e: Expr, to: u32) -> Expr {
    let w = e.width();
    if w <= to {
        return e.sext(to);
    }
    let top = e.clone().slice(w - 1, to - 1);
    let fits = top.clone().all() | !top.any();
    let limit = mux(
        e.clone().bit(w - 1),
        lit(1 << (to - 1), to),
        lit((1 << (to - 1)) - 1, to),
    );
    mux(fits, e.trunc(to), limit)
}

/// `reg` (signed when `signed`) plus one when `up`, else minus one, held at
/// its extremes.
pub(crate) fn step_saturating(reg: Signal, up: Expr, signed: bool) -> Expr {
    let w = reg.width();
    let (max, min) = if signed {
        ((1u64 << (w - 1)) - 1, 1u64 << (w - 1))
    } else {
        (crate::common::ones(w), 0)
    };
    let inc = mux(reg.eq(lit(max, w)), reg, reg + 1);
    let dec = mux(reg.eq(lit(min, w)), reg, reg - 1);
    mux(up, inc, dec)
}

/// Tap registers with the write port (`coef_we`, `coef_idx`,
/// `coef_data`) and optional sign-sign LMS steps; shared by FFE and DFE.
pub(crate) struct TapBank {
    regs: Vec<Signal>,
    width: u32,
    extra: u32,
    we: Signal,
    idx: Signal,
    data: Signal,
}

impl TapBank {
    /// `count` signed taps of `width` bits plus `extra` fractional bits for
    /// LMS; tap `k` resets to `reset(k)` (in tap LSBs).
    pub(crate) fn new(
        m: &mut ModuleBuilder,
        count: u32,
        width: u32,
        extra: u32,
        reset: impl Fn(u32) -> u64,
    ) -> TapBank {
        let we = m.input("coef_we", 1);
        let idx = m.input("coef_idx", bits_for(count as usize));
        let data = m.input("coef_data", width);
        let regs = (0..count)
            .map(|k| {
                m.reg(format!("w{k}"), width + extra)
                    .reset(reset(k) << extra)
            })
            .collect();
        TapBank {
            regs,
            width,
            extra,
            we,
            idx,
            data,
        }
    }

    /// The value of tap `k` (without the LMS fraction).
    pub(crate) fn tap(&self, k: usize) -> Expr {
        self.regs[k].slice(self.width + self.extra - 1, self.extra)
    }

    /// Every tap, tap 0 in the low bits.
    pub(crate) fn all(&self) -> Expr {
        concat((0..self.regs.len()).rev().map(|k| self.tap(k)).collect())
    }

    /// Next state: a write wins; otherwise, with `ups`, tap `k` steps up by
    /// one LSB of its fraction when `ups[k]` and down otherwise.
    pub(crate) fn update(&self, m: &mut ModuleBuilder, ups: Option<Vec<Expr>>) {
        let wide = self.data.zext(self.width + self.extra) << self.extra;
        for (k, w) in self.regs.iter().enumerate() {
            let written = self.we & self.idx.eq(lit(k as u64, self.idx.width()));
            let chain = m.when(written, |m| m.next(*w, wide.clone()));
            if let Some(up) = ups.as_ref().and_then(|u| u.get(k)).cloned() {
                chain.otherwise(|m| m.next(*w, step_saturating(*w, up, true)));
            }
        }
    }
}

/// Builds the FFE as module `module_name`.
pub fn ffe(module_name: &str, cfg: &FfeConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (n, s, c) = (cfg.taps, cfg.sample_bits, cfg.coeff_bits);
    let out_bits = cfg.out_bits();
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let sample = m.input("sample", s);
    let eq = m.output("eq", out_bits);
    let coefs = m.output("coefs", n * c);

    // Past samples x[n-1-i] for the FIR.
    let line: Vec<Signal> = (1..n).map(|i| m.reg(format!("x{i}"), s).reset(0)).collect();
    let inputs: Vec<Expr> = std::iter::once(sample.into())
        .chain(line.iter().map(|x| Expr::from(*x)))
        .collect();
    for (r, prev) in line.iter().zip(&inputs) {
        m.next(*r, prev.clone());
    }

    let extra = if cfg.adapt { cfg.mu_shift } else { 0 };
    let one = 1u64 << cfg.frac_bits();
    let bank = TapBank::new(
        &mut m,
        n,
        c,
        extra,
        |k| if k == cfg.cursor { one } else { 0 },
    );

    let sum_bits = s + c + bits_for(n as usize);
    let terms = inputs
        .iter()
        .enumerate()
        .map(|(k, x)| bank.tap(k).mul_signed(x.clone()).sext(sum_bits));
    let sum = terms
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0, sum_bits));
    let y = m.reg("y", out_bits).reset(0);
    m.next(y, saturate(sum.sra_const(cfg.frac_bits()), out_bits));
    m.assign(eq, y);

    // w_k -= mu sgn(e) sgn(x[n-1-k]) (aligned with `y`): up when the signs
    // differ. Only the sign of the oldest sample is kept for this.
    let ups = cfg.adapt.then(|| {
        let e = slicer(y.into(), lit(cfg.level.into(), s), cfg.modulation).err_neg;
        let oldest = m.reg(format!("x{n}_sign"), 1).reset(0);
        let signs: Vec<Expr> = inputs.iter().map(|x| x.clone().bit(s - 1)).collect();
        m.next(oldest, signs[signs.len() - 1].clone());
        let aligned = line.iter().map(|x| x.bit(s - 1)).chain([oldest.into()]);
        aligned.map(|sign| e.clone() ^ sign).collect()
    });
    bank.update(&mut m, ups);
    m.assign(coefs, bank.all());
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "ffe",
        doc: "feed-forward equalizer: N-tap FIR with sign-sign LMS",
        params: vec![
            TAPS.spec(),
            CURSOR.spec(),
            SAMPLE_BITS.spec(),
            COEFF_BITS.spec(),
            ADAPT.spec(),
            MODULATION.spec(),
            LEVEL.spec(),
            MU_SHIFT.spec(),
        ],
        build: |name, p| Ok(ffe(name, &FfeConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
