//! `retimer`: the composed retimer datapath for `L` NRZ lanes at the
//! 128b/130b rates. Each lane's ADC samples go through receive equalization
//! and clock recovery, are decided, block-aligned and cut into symbols; the
//! lanes are deskewed on the SKP ordered sets, cross to the local clock
//! through one elastic buffer (so SKP symbols are added and dropped
//! identically on all lanes) and are re-transmitted bit by bit.
//!
//! Per lane, in the recovered-clock domain `rx_clk` (one cycle per UI):
//! [`ffe`] (adapting, sign-sign LMS) -> [`dfe`] (adapting) -> decision ->
//! [`block_align`] (one bit per cycle) -> [`symbol_framer`]; beside them a
//! Mueller-Muller [`cdr`] on the ADC samples drives the lane's
//! phase-interpolator code. Then [`deskew`] over all lanes, the
//! [`elastic_buffer`] (one word = all lanes' symbols) and, in the local
//! domain `clk`, the [`serializer`].
//!
//! Symbols enter the elastic buffer from the first symbol of a block after
//! every lane has block lock and the lanes are aligned, until either is
//! lost. Until then, and after an underflow, `tx_valid` is low (the
//! transmitter idles).
//!
//! Ports, receive domain (`rx_rst` synchronous to `rx_clk`, active high);
//! lane `i` occupies field `i` of each packed port:
//!
//! - `rx_sample[L*S-1:0]`: each lane's signed ADC sample of this UI.
//! - `pi_code[L*P-1:0]`: each lane's phase-interpolator code (sample the
//!   next UI at this phase).
//! - `cdr_locked[L-1:0]`, `block_lock[L-1:0]`: per-lane lock.
//! - `hdr_errors[L*16-1:0]`: invalid sync headers seen with block lock;
//!   `lock_losses[L*16-1:0]`: block lock lost (both saturating).
//! - `ffe_coefs[L*N*C-1:0]`, `dfe_coefs[L*M*8-1:0]`: the adapted taps (the
//!   [`ffe`] and [`dfe`] layouts, per lane).
//! - `skew[L*K-1:0]`, `aligned`, `deskew_error`: the [`deskew`] telemetry
//!   (skew in UI).
//! - `eb_drops[15:0]`, `eb_overflows[15:0]`: the elastic buffer's write side;
//!   `eb_underflows_rx[15:0]`: its read side's `eb_underflows`, crossed
//!   Gray-coded through a [`sync2`] (two or three `rx_clk` edges late).
//! - `prbs_locked[L-1:0]`, `prbs_errors[L*32-1:0]`: each lane's
//!   [`prbs_check`] on its decided bits (with `prbs` not `off`).
//! - `ltssm_state[3:0]`, `ltssm_transitions[15:0]`, `ltssm_recoveries[15:0]`:
//!   the [`ltssm_tracker`] following lane 0's deskewed ordered sets (the
//!   [`os_decoder`]) while every lane is locked and the lanes aligned;
//!   `ltssm_changed` (the state changed at the last edge) and
//!   `ltssm_stamp[21:0]` (the `rx_clk` cycle count, wrapping) for a
//!   history of transitions.
//!
//! Ports, local domain (`rst` synchronous to `clk`, active high):
//!
//! - `tx_valid`, `tx_data[L-1:0]`: one re-transmitted bit per lane per cycle.
//! - `eb_fill`, `eb_adds[15:0]`, `eb_underflows[15:0]`: the elastic
//!   buffer's read side.
//!
//! Reset: assert `rx_rst` and `rst` together for at least three edges of
//! the slower clock.
//!
//! [`ffe`]: super::ffe
//! [`dfe`]: super::dfe
//! [`cdr`]: super::cdr
//! [`block_align`]: super::block_align
//! [`deskew`]: super::deskew
//! [`elastic_buffer`]: super::elastic_buffer
//! [`prbs_check`]: super::prbs::prbs_check
//! [`ltssm_tracker`]: super::ltssm::ltssm_tracker
//! [`os_decoder`]: super::ordered_sets::os_decoder
//! [`sync2`]: crate::common::sync2::sync2

use super::block_align::{block_align, BlockAlignConfig};
pub use super::cdr::PI_BITS;
use super::cdr::{cdr, CdrConfig, Detector};
pub use super::deskew::LANES;
use super::deskew::{deskew, DeskewConfig};
use super::dfe::{dfe, DfeConfig, Modulation};
use super::elastic_buffer::{elastic_buffer, ElasticBufferConfig};
use super::ffe::{ffe, FfeConfig};
use super::framing::{serializer, symbol_framer, LANE_WORD_BITS};
use super::ltssm::{ltssm_tracker, LtssmConfig, STATE_WIDTH, TIMEOUT_CYCLES};
use super::ordered_sets::os_decoder;
use super::prbs::{poly_degree, prbs_check, PrbsConfig, POLYS};
use super::COUNT_WIDTH;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::async_fifo::cross;
use crate::common::sync2::{sync2, Sync2Config};
use crate::common::{from_gray, saturating_count, to_gray};
use crate::params::{checked, param_error, ChoiceParam, IntParam};
use crate::telemetry::map::RegMap;
use crate::telemetry::wiring::{
    build_with_telemetry, telemetry_map, telemetry_spec, Exposure, History,
};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::InstanceHandle;
use std::sync::Arc;

/// Parameter `sample_bits`.
pub const SAMPLE_BITS: IntParam =
    IntParam::new("sample_bits", "s", 6..=12, 8, "signed ADC sample width");
/// Parameter `ffe_taps`.
pub const FFE_TAPS: IntParam = IntParam::new("ffe_taps", "ft", 1..=8, 4, "FFE taps");
/// Parameter `ffe_cursor`.
pub const FFE_CURSOR: IntParam = IntParam::new(
    "ffe_cursor",
    "fc",
    0..=7,
    1,
    "FFE main-cursor tap (pre-cursor taps)",
);
/// Parameter `dfe_taps`.
pub const DFE_TAPS: IntParam = IntParam::new("dfe_taps", "dt", 1..=8, 2, "DFE taps");
/// Parameter `level`.
pub const LEVEL: IntParam = IntParam::new(
    "level",
    "lv",
    1..=2047,
    60,
    "initial slicer level in ADC LSBs",
);
/// Parameter `mu_shift`.
pub const MU_SHIFT: IntParam =
    IntParam::new("mu_shift", "mu", 0..=12, 4, "LMS step 2^-mu_shift tap LSBs");
/// Parameter `max_skew`.
pub const MAX_SKEW: IntParam = IntParam::new(
    "max_skew",
    "k",
    1..=1024,
    64,
    "largest lane-to-lane skew in UI",
);
/// Parameter `eb_depth`.
pub const EB_DEPTH: IntParam = IntParam::new(
    "eb_depth",
    "d",
    32..=256,
    32,
    "elastic-buffer depth in words (a power of two)",
);
/// Parameter `prbs`: off or a polynomial.
pub const PRBS: ChoiceParam = ChoiceParam::new(
    "prbs",
    "",
    &[NO_PRBS, POLYS[0], POLYS[1], POLYS[2], POLYS[3], POLYS[4]],
    "prbs31",
    "each lane's PRBS checker on the decided bits (its error count saturates), or off",
);
/// Parameter `ltssm_timeout`.
pub const LTSSM_TIMEOUT: IntParam = IntParam {
    name: "ltssm_timeout",
    short: "",
    default: 1_536_000_000,
    doc: "rx_clk edges before an LTSSM training state times out (24 ms at 64 GT/s)",
    ..TIMEOUT_CYCLES
};

/// FFE tap width (8 fractional bits).
const FFE_COEFF_BITS: u32 = 10;
/// DFE tap width in sample LSBs.
const DFE_TAP_BITS: u32 = 8;
/// SKP symbols added or removed at a time at the 128b/130b rates.
const SKP_STEP: u32 = 4;
/// Bits of a lane's word through the deskew block:
/// `{valid, skp, start, hdr[1:0], sym[7:0]}`.
const DESKEW_WORD_BITS: u32 = LANE_WORD_BITS + 2;

/// A retimer datapath.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetimerConfig {
    /// Lanes L ([`LANES`]).
    pub lanes: u32,
    /// Signed ADC sample width S ([`SAMPLE_BITS`]).
    pub sample_bits: u32,
    /// FFE taps N ([`FFE_TAPS`]).
    pub ffe_taps: u32,
    /// Index of the FFE's main-cursor tap (0..N): the pre-cursor taps.
    pub ffe_cursor: u32,
    /// DFE taps M ([`DFE_TAPS`]).
    pub dfe_taps: u32,
    /// Initial data level of the slicers, in ADC LSBs (1..2^(S-1)).
    pub level: u32,
    /// LMS step `2^-mu_shift` tap LSBs of both equalizers ([`MU_SHIFT`]).
    pub mu_shift: u32,
    /// Phase-interpolator code width P ([`PI_BITS`]).
    pub pi_bits: u32,
    /// Largest lane-to-lane skew corrected, in UI ([`MAX_SKEW`]).
    pub max_skew: u32,
    /// Elastic-buffer depth in words (a power of two, [`EB_DEPTH`]).
    pub eb_depth: u32,
    /// Degree of each lane's PRBS checker polynomial (7, 9, 15, 23 or 31),
    /// `None` for no checker.
    pub prbs: Option<u32>,
    /// Edges of `rx_clk` an LTSSM training state may last before it times
    /// out (the spec's 24 ms).
    pub ltssm_timeout: u64,
}

impl RetimerConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = RetimerConfig {
            lanes: LANES.read(p)?,
            sample_bits: SAMPLE_BITS.read(p)?,
            ffe_taps: FFE_TAPS.read(p)?,
            ffe_cursor: FFE_CURSOR.read(p)?,
            dfe_taps: DFE_TAPS.read(p)?,
            level: LEVEL.read(p)?,
            mu_shift: MU_SHIFT.read(p)?,
            pi_bits: PI_BITS.read(p)?,
            max_skew: MAX_SKEW.read(p)?,
            eb_depth: EB_DEPTH.read(p)?,
            prbs: match PRBS.read(p)? {
                NO_PRBS => None,
                name => Some(poly_degree("prbs", name)?),
            },
            ltssm_timeout: LTSSM_TIMEOUT.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field, then the sub-blocks' configs.
    pub fn validate(&self) -> Result<(), RtlError> {
        LANES.check(self.lanes)?;
        SAMPLE_BITS.check(self.sample_bits)?;
        FFE_TAPS.check(self.ffe_taps)?;
        FFE_CURSOR.check_within(self.ffe_cursor, 0, i64::from(self.ffe_taps) - 1)?;
        DFE_TAPS.check(self.dfe_taps)?;
        let max_level = (1i64 << (self.sample_bits - 1)) - 1;
        LEVEL.check_within(self.level, 1, max_level)?;
        MU_SHIFT.check(self.mu_shift)?;
        PI_BITS.check(self.pi_bits)?;
        MAX_SKEW.check(self.max_skew)?;
        EB_DEPTH.check(self.eb_depth)?;
        if !self.eb_depth.is_power_of_two() {
            return Err(param_error(
                "eb_depth",
                format!("{} is not a power of two", self.eb_depth),
            ));
        }
        self.ffe().validate()?;
        self.dfe().validate()?;
        self.cdr().validate()?;
        self.deskew().validate()?;
        if let Some(prbs) = self.prbs() {
            prbs.validate()?;
        }
        self.ltssm().validate()?;
        self.elastic_buffer().validate()
    }

    /// Each lane's PRBS checker, one decided bit per UI, if any.
    pub fn prbs(&self) -> Option<PrbsConfig> {
        self.prbs.map(|poly| PrbsConfig { poly, width: 1 })
    }

    /// The LTSSM tracker: its own history is one entry (unused: the
    /// register block keeps the history, with time stamps).
    pub fn ltssm(&self) -> LtssmConfig {
        LtssmConfig {
            timeout_cycles: self.ltssm_timeout,
            history_depth: 1,
        }
    }

    /// Each lane's FFE.
    pub fn ffe(&self) -> FfeConfig {
        FfeConfig {
            taps: self.ffe_taps,
            cursor: self.ffe_cursor,
            sample_bits: self.sample_bits,
            coeff_bits: FFE_COEFF_BITS,
            adapt: true,
            modulation: Modulation::Nrz,
            level: self.level,
            mu_shift: self.mu_shift,
        }
    }

    /// Each lane's DFE, on the FFE's output.
    pub fn dfe(&self) -> DfeConfig {
        DfeConfig {
            taps: self.dfe_taps,
            sample_bits: self.ffe().out_bits(),
            tap_bits: DFE_TAP_BITS,
            modulation: Modulation::Nrz,
            adapt: true,
            level: self.level,
            mu_shift: self.mu_shift,
        }
    }

    /// Each lane's CDR: Mueller-Muller on the ADC samples, `Kp` = 1/4 and
    /// `Ki` = 1/1024 PI steps per vote, 256-UI lock windows.
    pub fn cdr(&self) -> CdrConfig {
        CdrConfig {
            detector: Detector::MuellerMuller,
            sample_bits: self.sample_bits,
            pi_bits: self.pi_bits,
            frac_bits: 14,
            kp_shift: 2,
            ki_shift: 10,
            lock_log2: 8,
            lock_threshold: 16,
        }
    }

    /// The lane deskew, on `{valid, skp, start, hdr, sym}` words every UI.
    pub fn deskew(&self) -> DeskewConfig {
        DeskewConfig {
            lanes: self.lanes,
            width: DESKEW_WORD_BITS,
            max_skew: self.max_skew,
        }
    }

    /// The elastic buffer: one word is every lane's symbol word.
    pub fn elastic_buffer(&self) -> ElasticBufferConfig {
        ElasticBufferConfig {
            width: self.lanes * LANE_WORD_BITS,
            depth: self.eb_depth,
            skp_step: SKP_STEP,
        }
    }
}

/// The `prbs` choice without a checker.
const NO_PRBS: &str = "off";
/// Bits of the LTSSM transition time stamp (low bits of the `rx_clk`
/// cycle count).
pub const STAMP_BITS: u32 = 22;

/// Per-lane signals the top collects into its packed ports.
#[derive(Default)]
struct LaneOutputs {
    pi_code: Vec<Expr>,
    cdr_locked: Vec<Expr>,
    block_lock: Vec<Expr>,
    hdr_errors: Vec<Expr>,
    lock_losses: Vec<Expr>,
    ffe_coefs: Vec<Expr>,
    dfe_coefs: Vec<Expr>,
    prbs_locked: Vec<Expr>,
    prbs_errors: Vec<Expr>,
    deskew_data: Vec<Expr>,
    deskew_marker: Vec<Expr>,
}

/// Packs per-lane values, lane 0 in the low bits.
fn pack(mut lanes: Vec<Expr>) -> Expr {
    lanes.reverse();
    concat(lanes)
}

/// Makes `value` the output port `name`, of its width.
fn expose(m: &mut ModuleBuilder, name: &str, value: impl Into<Expr>) {
    let value = value.into();
    let port = m.output(name, value.width());
    m.assign(port, value);
}

/// The sub-modules every lane instantiates.
struct LaneModules {
    ffe: Module,
    dfe: Module,
    cdr: Module,
    align: Module,
    framer: Module,
    prbs: Option<Module>,
}

/// Builds the retimer as module `module_name`.
pub fn retimer(module_name: &str, cfg: &RetimerConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (l, s) = (cfg.lanes, cfg.sample_bits);
    let subs = LaneModules {
        ffe: ffe(&format!("{module_name}_ffe"), &cfg.ffe())?,
        dfe: dfe(&format!("{module_name}_dfe"), &cfg.dfe())?,
        cdr: cdr(&format!("{module_name}_cdr"), &cfg.cdr())?,
        align: block_align(
            &format!("{module_name}_block_align"),
            &BlockAlignConfig { width: 1 },
        )?,
        framer: symbol_framer(&format!("{module_name}_symbol_framer"))?,
        prbs: cfg
            .prbs()
            .map(|c| prbs_check(&format!("{module_name}_prbs_check"), &c))
            .transpose()?,
    };
    let mut m = ModuleBuilder::new(module_name);
    let rx_clk = m.clock("rx_clk");
    let rx_rst = m.reset("rx_rst");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let rx = Domain {
        clock: rx_clk,
        reset: Some(rx_rst),
    };
    let rx_sample = m.input("rx_sample", l * s);

    let mut lanes = LaneOutputs::default();
    for lane in 0..l {
        let sample = rx_sample.slice((lane + 1) * s - 1, lane * s);
        let mut built = Ok(());
        m.in_domain(rx, |m| {
            built = receive_lane(m, &subs, lane, sample, (rx_clk, rx_rst), &mut lanes)
        });
        built?;
    }

    let u_deskew = m.instance(
        "u_deskew",
        deskew(&format!("{module_name}_deskew"), &cfg.deskew())?,
    );
    let u_eb = m.instance(
        "u_eb",
        elastic_buffer(&format!("{module_name}_eb"), &cfg.elastic_buffer())?,
    );
    let u_ser = m.instance(
        "u_ser",
        serializer(&format!("{module_name}_serializer"), l)?,
    );
    for (u, c, r) in [(&u_deskew, rx_clk, rx_rst), (&u_ser, clk, rst)] {
        m.assign(u.io("clk")?, c);
        m.assign(u.io("rst")?, r);
    }
    m.assign(u_eb.io("rx_clk")?, rx_clk);
    m.assign(u_eb.io("rx_rst")?, rx_rst);
    m.assign(u_eb.io("clk")?, clk);
    m.assign(u_eb.io("rst")?, rst);

    // Receive-side outputs and the deskewed lanes into the elastic buffer.
    let outputs = [
        ("pi_code", lanes.pi_code),
        ("cdr_locked", lanes.cdr_locked),
        ("block_lock", lanes.block_lock.clone()),
        ("hdr_errors", lanes.hdr_errors),
        ("lock_losses", lanes.lock_losses),
        ("ffe_coefs", lanes.ffe_coefs),
        ("dfe_coefs", lanes.dfe_coefs),
        ("prbs_locked", lanes.prbs_locked),
        ("prbs_errors", lanes.prbs_errors),
    ];
    for (name, values) in outputs {
        if !values.is_empty() {
            expose(&mut m, name, pack(values));
        }
    }
    m.assign(u_deskew.io("in_data")?, pack(lanes.deskew_data));
    m.assign(u_deskew.io("in_marker")?, pack(lanes.deskew_marker));
    let aligned_in = u_deskew.io("aligned")?;
    for (port, inner) in [
        ("skew", "skew"),
        ("aligned", "aligned"),
        ("deskew_error", "error"),
    ] {
        expose(&mut m, port, u_deskew.io(inner)?);
    }
    let deskewed = u_deskew.io("out_data")?;
    let ready = aligned_in & pack(lanes.block_lock).all();
    let mut fed = Ok(());
    m.in_domain(rx, |m| {
        fed = feed_elastic_buffer(m, cfg, deskewed, ready.clone(), &u_eb)
    });
    fed?;
    let mut tracked = Ok(());
    m.in_domain(rx, |m| {
        tracked = track_ltssm(m, module_name, cfg, deskewed, ready, (rx_clk, rx_rst))
    });
    tracked?;

    // Local side: the elastic buffer into the serializer.
    m.assign(u_ser.io("in_valid")?, u_eb.io("out_valid")?);
    m.assign(u_ser.io("in_data")?, u_eb.io("out_data")?);
    m.assign(u_eb.io("out_ready")?, u_ser.io("in_ready")?);
    for (port, inner, of) in [
        ("tx_valid", "tx_valid", &u_ser),
        ("tx_data", "tx_data", &u_ser),
        ("eb_fill", "fill", &u_eb),
        ("eb_adds", "adds", &u_eb),
        ("eb_underflows", "underflows", &u_eb),
        ("eb_drops", "drops", &u_eb),
        ("eb_overflows", "overflows", &u_eb),
    ] {
        expose(&mut m, port, of.io(inner)?);
    }
    let underflows = u_eb.io("underflows")?;
    let mut crossed = Ok(lit(0, COUNT_WIDTH));
    let local = Domain {
        clock: clk,
        reset: Some(rst),
    };
    m.in_domain(local, |m| {
        crossed = count_to_domain(m, module_name, "eb_underflows", underflows, rx_clk)
    });
    expose(&mut m, "eb_underflows_rx", crossed?);
    m.finish()
}

/// The saturating count `count` (of the current domain, stepping by at
/// most one per edge) in the domain of `to`: Gray-coded in a register,
/// through a [`sync2`] clocked by `to`, decoded. Each value seen is one
/// the count had (only one Gray bit changes per step).
fn count_to_domain(
    m: &mut ModuleBuilder,
    module_name: &str,
    name: &str,
    count: Signal,
    to: Clock,
) -> Result<Expr, HdlError> {
    let gray = m.reg(format!("{name}_gray"), count.width()).reset(0);
    m.next(gray, to_gray(count));
    let sync = Arc::new(sync2(
        &format!("{module_name}_sync2_w{}", count.width()),
        &Sync2Config {
            width: count.width(),
        },
    )?);
    Ok(from_gray(cross(
        m,
        &format!("u_sync_{name}"),
        &sync,
        gray,
        to,
    )?))
}

/// One lane's receive path; collects its outputs into `out`.
fn receive_lane(
    m: &mut ModuleBuilder,
    subs: &LaneModules,
    lane: u32,
    sample: Expr,
    (clk, rst): (Clock, Reset),
    out: &mut LaneOutputs,
) -> Result<(), HdlError> {
    let inst = |m: &mut ModuleBuilder, what: &str, module: &Module| -> Result<_, HdlError> {
        let u = m.instance(format!("u_{what}{lane}"), module.clone());
        m.assign(u.io("clk")?, clk);
        m.assign(u.io("rst")?, rst);
        Ok(u)
    };
    let u_ffe = inst(m, "ffe", &subs.ffe)?;
    let u_dfe = inst(m, "dfe", &subs.dfe)?;
    let u_cdr = inst(m, "cdr", &subs.cdr)?;
    let u_align = inst(m, "align", &subs.align)?;
    let u_framer = inst(m, "framer", &subs.framer)?;

    m.assign(u_ffe.io("sample")?, sample.clone());
    for u in [&u_ffe, &u_dfe] {
        m.assign(u.io("coef_we")?, low());
        let idx = u.io("coef_idx")?;
        m.assign(idx, lit(0, idx.width()));
        let data = u.io("coef_data")?;
        m.assign(data, lit(0, data.width()));
    }
    m.assign(u_dfe.io("sample")?, u_ffe.io("eq")?);
    m.assign(u_cdr.io("sample")?, sample);
    m.assign(u_align.io("in_valid")?, high());
    m.assign(u_align.io("in_data")?, u_dfe.io("decision")?);
    for port in ["blk_valid", "blk_hdr", "blk_data"] {
        m.assign(u_framer.io(port)?, u_align.io(port)?);
    }

    let lock = u_align.io("block_lock")?;
    let hdr = u_align.io("blk_hdr")?;
    let bad_header = u_align.io("blk_valid")? & hdr.eq(hdr.bit(0).repeat(2));
    let was_locked = m.reg(format!("was_locked{lane}"), 1).reset(0);
    m.next(was_locked, lock);
    out.hdr_errors.push(
        saturating_count(
            m,
            &format!("hdr_error_count{lane}"),
            bad_header,
            COUNT_WIDTH,
        )
        .into(),
    );
    out.lock_losses.push(
        saturating_count(
            m,
            &format!("lock_loss_count{lane}"),
            was_locked & !lock,
            COUNT_WIDTH,
        )
        .into(),
    );
    out.pi_code.push(u_cdr.io("pi_code")?.into());
    out.cdr_locked.push(u_cdr.io("locked")?.into());
    out.block_lock.push(lock.into());
    out.ffe_coefs.push(u_ffe.io("coefs")?.into());
    out.dfe_coefs.push(u_dfe.io("coefs")?.into());
    if let Some(checker) = &subs.prbs {
        let u_prbs = inst(m, "prbs", checker)?;
        m.assign(u_prbs.io("in_valid")?, high());
        m.assign(u_prbs.io("in_data")?, u_dfe.io("decision")?);
        out.prbs_locked.push(u_prbs.io("locked")?.into());
        out.prbs_errors.push(u_prbs.io("err_count")?.into());
    }
    let w = |p: &str| u_framer.io(p);
    out.deskew_data.push(cat![
        w("word_valid")?,
        w("word_skp")?,
        w("word_start")?,
        w("word_hdr")?,
        w("word_sym")?
    ]);
    out.deskew_marker.push(w("word_marker")?.into());
    Ok(())
}

/// Lane `lane`'s `{valid, skp, start, hdr, sym}` word of the deskewed
/// lanes.
fn lane_word(deskewed: Signal, lane: u32) -> Expr {
    let base = lane * DESKEW_WORD_BITS;
    deskewed.slice(base + DESKEW_WORD_BITS - 1, base)
}

/// The LTSSM tracker on lane 0's deskewed ordered sets (while `ready`:
/// every lane locked, the lanes aligned) and what it exposes: `ltssm_state`,
/// `ltssm_transitions`, `ltssm_recoveries`, and for the history
/// `ltssm_changed` (the state changed at the last edge) with
/// `ltssm_stamp` (the low [`STAMP_BITS`] bits of the `rx_clk` cycle count
/// then).
fn track_ltssm(
    m: &mut ModuleBuilder,
    module_name: &str,
    cfg: &RetimerConfig,
    deskewed: Signal,
    ready: Expr,
    (clk, rst): (Clock, Reset),
) -> Result<(), HdlError> {
    let decoder = m.instance(
        "u_os_decoder",
        os_decoder(&format!("{module_name}_os_decoder"))?,
    );
    let tracker = m.instance(
        "u_ltssm",
        ltssm_tracker(&format!("{module_name}_ltssm"), &cfg.ltssm())?,
    );
    for u in [&decoder, &tracker] {
        m.assign(u.io("clk")?, clk);
        m.assign(u.io("rst")?, rst);
    }
    let word = lane_word(deskewed, 0);
    let valid = word.clone().bit(DESKEW_WORD_BITS - 1) & ready;
    m.assign(decoder.io("word_valid")?, valid);
    m.assign(
        decoder.io("word_start")?,
        word.clone().bit(LANE_WORD_BITS - 1),
    );
    m.assign(decoder.io("word_hdr")?, word.clone().slice(9, 8));
    m.assign(decoder.io("word_sym")?, word.slice(7, 0));
    for seen in [
        "ts1_seen",
        "ts2_seen",
        "ts_link_num_valid",
        "ts_eq",
        "ts_ec",
        "hot_reset_bit",
        "disable_bit",
        "loopback_bit",
        "eieos_seen",
        "eios_seen",
        "idle_seen",
    ] {
        m.assign(tracker.io(seen)?, decoder.io(seen)?);
    }
    // Electrical idle and the power-management handshakes are not decoded.
    for level in ["electrical_idle", "pm_l1", "pm_l2", "hist_pop"] {
        m.assign(tracker.io(level)?, low());
    }
    let state = tracker.io("state")?;
    let cycle = m.reg("cycle", STAMP_BITS).reset(0);
    m.next(cycle, cycle + lit(1, STAMP_BITS));
    let last = m.reg("ltssm_last", STATE_WIDTH).reset(0);
    m.next(last, state);
    expose(m, "ltssm_state", state);
    expose(m, "ltssm_transitions", tracker.io("transitions")?);
    expose(m, "ltssm_recoveries", tracker.io("recovery_count")?);
    expose(m, "ltssm_changed", state.ne(last));
    expose(m, "ltssm_stamp", cycle);
    Ok(())
}

/// Writes the deskewed lanes into the elastic buffer from the first symbol
/// of a block while `ready` (every lane locked and the lanes aligned),
/// until it is lost.
fn feed_elastic_buffer(
    m: &mut ModuleBuilder,
    cfg: &RetimerConfig,
    deskewed: Signal,
    ready: Expr,
    eb: &InstanceHandle,
) -> Result<(), HdlError> {
    let lane_word = |lane: u32| lane_word(deskewed, lane);
    let lane0 = lane_word(0);
    let valid = lane0.clone().bit(DESKEW_WORD_BITS - 1);
    let skp = lane0.clone().bit(DESKEW_WORD_BITS - 2);
    let start = lane0.bit(LANE_WORD_BITS - 1);
    let forwarding = m.reg("forwarding", 1).reset(0);
    let opens = ready.clone() & valid.clone() & start;
    m.when(!ready.clone(), |m| m.next(forwarding, low()))
        .elsewhen(opens.clone(), |m| m.next(forwarding, high()));
    let words: Vec<Expr> = (0..cfg.lanes)
        .map(|lane| lane_word(lane).slice(LANE_WORD_BITS - 1, 0))
        .collect();
    m.assign(eb.io("rx_valid")?, valid & (opens | (forwarding & ready)));
    m.assign(eb.io("rx_skp")?, skp);
    m.assign(eb.io("rx_data")?, pack(words));
    Ok(())
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "retimer",
        doc: "N-lane 128b/130b retimer: FFE/DFE/CDR per lane, block align, deskew, elastic buffer, re-transmit",
        params: vec![
            LANES.spec(),
            SAMPLE_BITS.spec(),
            FFE_TAPS.spec(),
            FFE_CURSOR.spec(),
            DFE_TAPS.spec(),
            LEVEL.spec(),
            MU_SHIFT.spec(),
            PI_BITS.spec(),
            MAX_SKEW.spec(),
            EB_DEPTH.spec(),
            PRBS.spec(),
            LTSSM_TIMEOUT.spec(),
            telemetry_spec(
                "expose the receive-side counters and states (PRBS errors, LTSSM state and a history FIFO of its transitions, die temperature with alerts on irq) on an AXI4-Lite register block (s_axil_*, clocked by rx_clk)",
            ),
        ],
        build: |name, p| {
            let cfg = RetimerConfig::from_params(p)?;
            build_with_telemetry(name, p, TELEMETRY_BUS, &telemetry(&cfg), |n| {
                retimer(n, &cfg)
            })
        },
        issues: no_issues,
    }
}

/// The clock and reset of a retimer's telemetry bus: the receive domain's,
/// where the exposed values live.
pub const TELEMETRY_BUS: crate::telemetry::BusClock = ("rx_clk", "rx_rst");

/// What a retimer with `telemetry` exposes, all in the receive domain: PI
/// codes, CDR and block lock, sync-header errors and lock losses, FFE and
/// DFE taps, skew, alignment, the elastic buffer's write-side drops and
/// overflows and its read-side underflows (crossed from the local domain),
/// PRBS lock and error counts (with a checker), the LTSSM state,
/// transition and recovery counts (packed ports take one register per 32
/// bits); then the history FIFO `ltssm_history` of the states entered
/// (`state`, and `stamp`: the low [`STAMP_BITS`] bits of the `rx_clk`
/// cycle count at the change), and the die temperature with its alerts.
pub fn telemetry(cfg: &RetimerConfig) -> Exposure {
    let mut ports = vec![
        "pi_code",
        "cdr_locked",
        "block_lock",
        "hdr_errors",
        "lock_losses",
        "ffe_coefs",
        "dfe_coefs",
        "skew",
        "aligned",
        "deskew_error",
        "eb_drops",
        "eb_overflows",
        "eb_underflows_rx",
    ];
    if cfg.prbs.is_some() {
        ports.extend(["prbs_locked", "prbs_errors"]);
    }
    ports.extend(["ltssm_state", "ltssm_transitions", "ltssm_recoveries"]);
    Exposure {
        ports: ports.into_iter().map(String::from).collect(),
        history: Some(History {
            name: "ltssm_history".into(),
            desc: "LTSSM states entered, oldest first; a read removes the entry".into(),
            push: "ltssm_changed".into(),
            fields: vec![
                ("state".into(), "ltssm_state".into()),
                ("stamp".into(), "ltssm_stamp".into()),
            ],
        }),
        sensor: true,
    }
}

/// The register map of a retimer variant with `telemetry` set, `None`
/// without.
pub fn register_map(p: &Params) -> Result<Option<RegMap>, RtlError> {
    let cfg = RetimerConfig::from_params(p)?;
    telemetry_map(p, &telemetry(&cfg), |n| retimer(n, &cfg))
}
