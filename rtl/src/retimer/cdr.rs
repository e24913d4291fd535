//! `cdr`: digital clock-data recovery: a phase detector, a
//! proportional-integral loop filter, a phase-interpolator code and lock
//! detection.
//!
//! Phase detectors (one vote per UI: up = sample later, down = earlier):
//! - `alexander` (bang-bang, NRZ): inputs `data` and `edge`, sampler
//!   decisions (1 = positive) of the data sample and of the edge sample half
//!   a UI before it. On a transition (`data` differs from the previous
//!   `data`), `edge` equal to the previous bit votes up, equal to `data`
//!   votes down.
//! - `mm` (Mueller-Muller on ADC samples): input `sample[S-1:0]` signed;
//!   with `s` the sign decisions (`+-1`), `x[n] s[n-1] - x[n-1] s[n]`
//!   positive votes up, negative down.
//!
//! Loop filter, in phase units of `2^-F` PI steps (`F = frac_bits`):
//! `acc += pd 2^(F - ki_shift)` (saturating, width `P + F`);
//! `phase += pd 2^(F - kp_shift) + acc` modulo one UI (`2^(P + F)`), i.e.
//! `Kp = 2^-kp_shift` and `Ki = 2^-ki_shift` PI steps per vote. The
//! integral tracks a frequency offset: `acc` settles at the phase ramp.
//!
//! Lock detection: votes are summed over windows of `2^lock_log2` UI; a
//! window is quiet when `|net vote| <= lock_threshold`; `locked` is high
//! after two consecutive quiet windows and drops at the end of a noisy one.
//!
//! Ports (domain `clk`, one cycle per UI; `rst` synchronous, active high):
//! inputs as above; `pi_code[P-1:0]` the phase-interpolator code
//! (`P = pi_bits`, `2^P` steps per UI, registered); `up`, `dn`: this
//! cycle's vote; `freq[P+F-1:0]`: the integral (signed, `2^-F` PI steps per
//! UI); `locked`.

use super::ffe::saturate;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `detector`.
pub const DETECTOR: ChoiceParam = ChoiceParam::new(
    "detector",
    "",
    &["alexander", "mm"],
    "alexander",
    "phase detector",
);
/// Parameter `sample_bits`.
pub const SAMPLE_BITS: IntParam =
    IntParam::new("sample_bits", "s", 2..=16, 8, "signed sample width (mm)");
/// Parameter `pi_bits`.
pub const PI_BITS: IntParam =
    IntParam::new("pi_bits", "p", 3..=8, 6, "phase-interpolator code width");
/// Parameter `frac_bits`.
pub const FRAC_BITS: IntParam =
    IntParam::new("frac_bits", "f", 2..=24, 14, "fractional phase bits");
/// Parameter `kp_shift`.
pub const KP_SHIFT: IntParam = IntParam::new(
    "kp_shift",
    "kp",
    0..=24,
    2,
    "proportional gain 2^-kp_shift PI steps",
);
/// Parameter `ki_shift`.
pub const KI_SHIFT: IntParam = IntParam::new(
    "ki_shift",
    "ki",
    0..=24,
    10,
    "integral gain 2^-ki_shift PI steps/UI",
);
/// Parameter `lock_log2`.
pub const LOCK_LOG2: IntParam =
    IntParam::new("lock_log2", "lw", 2..=16, 8, "lock window 2^lock_log2 UI");
/// Parameter `lock_threshold`.
pub const LOCK_THRESHOLD: IntParam = IntParam::new(
    "lock_threshold",
    "lt",
    0..=65536,
    16,
    "largest quiet net vote",
);

/// The phase detector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detector {
    /// Bang-bang on data and edge samples (NRZ).
    Alexander,
    /// Mueller-Muller on ADC samples.
    MuellerMuller,
}

/// A clock-data recovery loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CdrConfig {
    /// The phase detector.
    pub detector: Detector,
    /// Signed sample width S for `mm` ([`SAMPLE_BITS`]; unused by `alexander`).
    pub sample_bits: u32,
    /// PI code width P ([`PI_BITS`]): `2^P` steps per UI.
    pub pi_bits: u32,
    /// Fractional phase bits F ([`FRAC_BITS`]).
    pub frac_bits: u32,
    /// Proportional gain `2^-kp_shift` PI steps per vote (0..=F).
    pub kp_shift: u32,
    /// Integral gain `2^-ki_shift` PI steps per UI per vote (0..=F).
    pub ki_shift: u32,
    /// Lock window `2^lock_log2` UI ([`LOCK_LOG2`]).
    pub lock_log2: u32,
    /// Largest quiet net vote per window (0..=2^lock_log2).
    pub lock_threshold: u32,
}

impl CdrConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let detector = match DETECTOR.read(p)? {
            "mm" => Detector::MuellerMuller,
            _ => Detector::Alexander,
        };
        let cfg = CdrConfig {
            detector,
            sample_bits: SAMPLE_BITS.read(p)?,
            pi_bits: PI_BITS.read(p)?,
            frac_bits: FRAC_BITS.read(p)?,
            kp_shift: KP_SHIFT.read(p)?,
            ki_shift: KI_SHIFT.read(p)?,
            lock_log2: LOCK_LOG2.read(p)?,
            lock_threshold: LOCK_THRESHOLD.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field.
    pub fn validate(&self) -> Result<(), RtlError> {
        SAMPLE_BITS.check(self.sample_bits)?;
        PI_BITS.check(self.pi_bits)?;
        FRAC_BITS.check(self.frac_bits)?;
        let frac = i64::from(self.frac_bits);
        KP_SHIFT.check_within(self.kp_shift, 0, frac)?;
        KI_SHIFT.check_within(self.ki_shift, 0, frac)?;
        LOCK_LOG2.check(self.lock_log2)?;
        LOCK_THRESHOLD.check_within(self.lock_threshold, 0, 1 << self.lock_log2)
    }

    /// Width of the phase and the integral: `P + F`.
    pub fn phase_bits(&self) -> u32 {
        self.pi_bits + self.frac_bits
    }
}

/// The phase detector's `(up, dn)` votes.
fn detector(m: &mut ModuleBuilder, cfg: &CdrConfig) -> (Expr, Expr) {
    match cfg.detector {
        Detector::Alexander => {
            let data = m.input("data", 1);
            let edge = m.input("edge", 1);
            let prev = m.reg("data_prev", 1).reset(0);
            m.next(prev, data);
            let transition = data ^ prev;
            (
                transition.clone() & edge.eq(prev),
                transition & edge.eq(data),
            )
        }
        Detector::MuellerMuller => {
            let s = cfg.sample_bits;
            let x = m.input("sample", s);
            let x_prev = m.reg("sample_prev", s).reset(0);
            m.next(x_prev, x);
            let w = s + 2;
            let signed = |v: Expr, negative: Expr| {
                let v = v.sext(w);
                mux(negative, lit(0, w) - v.clone(), v)
            };
            let mm = signed(x.into(), x_prev.bit(s - 1)) - signed(x_prev.into(), x.bit(s - 1));
            let negative = mm.clone().bit(w - 1);
            (!negative.clone() & mm.any(), negative)
        }
    }
}

/// `+-2^shift` in `width` bits by vote, else 0.
fn gain(up: &Expr, dn: &Expr, shift: u32, width: u32) -> Expr {
    let step = 1u64 << shift;
    let minus = crate::common::ones(width) - step + 1;
    mux(
        up.clone(),
        lit(step, width),
        mux(dn.clone(), lit(minus, width), lit(0, width)),
    )
}

/// Builds the CDR as module `module_name`.
pub fn cdr(module_name: &str, cfg: &CdrConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let pw = cfg.phase_bits();
    let f = cfg.frac_bits;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let (up, dn) = detector(&mut m, cfg);
    let pi_code = m.output("pi_code", cfg.pi_bits);
    let up_out = m.output("up", 1);
    let dn_out = m.output("dn", 1);
    let freq = m.output("freq", pw);
    let locked = m.output("locked", 1);

    let acc = m.reg("acc", pw).reset(0);
    let phase = m.reg("phase", pw).reset(0);
    let acc_next = saturate(
        acc.sext(pw + 1) + gain(&up, &dn, f - cfg.ki_shift, pw + 1),
        pw,
    );
    m.next(acc, acc_next.clone());
    m.next(
        phase,
        phase + gain(&up, &dn, f - cfg.kp_shift, pw) + acc_next,
    );
    m.assign(pi_code, phase.slice(pw - 1, f));
    m.assign(up_out, up.clone());
    m.assign(dn_out, dn.clone());
    m.assign(freq, acc);

    // Lock detection over windows of 2^lock_log2 votes.
    let lw = cfg.lock_log2;
    let nw = lw + 2;
    let count = m.reg("lock_count", lw).reset(0);
    let net = m.reg("lock_net", nw).reset(0);
    let quiet_prev = m.reg("lock_quiet", 1).reset(0);
    let locked_r = m.reg("locked_r", 1).reset(0);
    let net_next = net + gain(&up, &dn, 0, nw);
    let magnitude = mux(
        net_next.clone().bit(nw - 1),
        lit(0, nw) - net_next.clone(),
        net_next.clone(),
    );
    let quiet = magnitude.le(lit(cfg.lock_threshold.into(), nw));
    m.next(count, count + 1);
    m.when(count.all(), |m| {
        m.next(net, lit(0, nw));
        m.next(quiet_prev, quiet.clone());
        m.next(locked_r, quiet & quiet_prev);
    })
    .otherwise(|m| m.next(net, net_next));
    m.assign(locked, locked_r);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "cdr",
        doc: "clock-data recovery: Alexander or Mueller-Muller PD, PI loop, lock detect",
        params: vec![
            DETECTOR.spec(),
            SAMPLE_BITS.spec(),
            PI_BITS.spec(),
            FRAC_BITS.spec(),
            KP_SHIFT.spec(),
            KI_SHIFT.spec(),
            LOCK_LOG2.spec(),
            LOCK_THRESHOLD.spec(),
        ],
        build: |name, p| Ok(cdr(name, &CdrConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
