//! `elastic_buffer`: the retimer's clock-compensation FIFO, from the
//! recovered clock `rx_clk` to the local clock `clk`, for one lane's symbol
//! stream with SKP ordered sets (PCIe 4.2.8, 4.3.6.7).
//!
//! A word is one symbol of `width` bits plus a flag `skp` that marks the SKP
//! symbols of a SKP ordered set (in 128b/130b the four-symbol groups that
//! may be added or removed; the SKP_END and LFSR symbols are ordinary words).
//! A *SKP run* is a maximal sequence of consecutive `skp` words; the sender
//! makes its length a multiple of `skp_step` (4 for 128b/130b, 1 for 8b/10b).
//!
//! The words cross through an [`async_fifo`] instance. The fill level is kept
//! near `depth / 2`:
//!
//! - *Drop* (write side): when the write side's count `rx_fill` is at or
//!   above `depth / 2 + 2 * skp_step` as the `skp_step`-th SKP word of a run
//!   is written, the next `skp_step` SKP words of that run are not written.
//!   The first `skp_step` SKP words of a run are always kept; a data word
//!   ends a drop, so a short run simply keeps all its words.
//! - *Add* (read side): when the read side's count `fill` is below
//!   `depth / 2 - 2 * skp_step` and the oldest word is the first SKP word of
//!   a run, it is output `skp_step` extra times before it is removed.
//!
//! Only SKP words are ever added or removed, always `skp_step` at a time:
//! data words are never lost or duplicated unless the FIFO over- or
//! underflows (counted). A run of only `skp_step` words cannot be shortened
//! (the spec's minimum SKP ordered set), so compensation of a faster
//! `rx_clk` needs runs of at least `2 * skp_step` (a 128b/130b transmitter
//! sends 12 SKP symbols). With that and `depth >= 8 * skp_step`, a clock
//! offset of ±600 ppm is absorbed when SKP ordered sets come every 370-375
//! blocks of up to 16 words.
//!
//! Ports, receive domain (`rx_rst` synchronous to `rx_clk`, active high):
//!
//! - `rx_valid`, `rx_data[W-1:0]`, `rx_skp`: a word at each rising edge of
//!   `rx_clk` with `rx_valid` high.
//! - `rx_fill[A:0]` (`depth = 2^A`): words held as the write side sees them.
//! - `drops[15:0]`: groups of `skp_step` SKP words removed (saturating).
//! - `overflows[15:0]`: words lost because the FIFO was full (saturating).
//!
//! Ports, local domain (`rst` synchronous to `clk`, active high):
//!
//! - `out_ready`: the reader takes the word on offer at the next rising edge
//!   of `clk` (tie high to read at every edge).
//! - `out_valid`, `out_data[W-1:0]`, `out_skp`: the word on offer (the FIFO
//!   head, or an added copy of it). After reset `out_valid` stays low until
//!   `fill` first reaches `depth / 2`; from then on it is high unless the
//!   FIFO is empty (an underflow).
//! - `fill[A:0]`: words readable as the read side sees them.
//! - `adds[15:0]`: groups of `skp_step` SKP words inserted (saturating).
//! - `underflows[15:0]`: reads (`out_ready` high) without a word after the
//!   start (saturating).
//!
//! Reset: assert `rx_rst` and `rst` together for at least three edges of
//! the slower clock (the [`async_fifo`] contract).

use super::COUNT_WIDTH;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::async_fifo::{async_fifo, AsyncFifoConfig};
use crate::common::saturating_count;
use crate::params::{checked, param_error, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new("width", "w", 1..=1023, 8, "symbol width in bits");
/// Parameter `depth`.
pub const DEPTH: IntParam = IntParam::new(
    "depth",
    "d",
    8..=1 << 12,
    32,
    "FIFO depth in words (a power of two, at least 8 * skp_step)",
);
/// Parameter `skp_step`.
pub const SKP_STEP: IntParam = IntParam::new(
    "skp_step",
    "s",
    1..=16,
    4,
    "SKP symbols added or removed at a time (4 for 128b/130b, 1 for 8b/10b)",
);

/// Size and SKP granularity of an elastic buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElasticBufferConfig {
    /// Symbol width in bits ([`WIDTH`]).
    pub width: u32,
    /// FIFO memory depth in words: a power of two in [`DEPTH`]'s range, at least
    /// `8 * skp_step`.
    pub depth: u32,
    /// SKP words added or removed at a time ([`SKP_STEP`]; 4 for 128b/130b).
    pub skp_step: u32,
}

impl ElasticBufferConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = ElasticBufferConfig {
            width: WIDTH.read(p)?,
            depth: DEPTH.read(p)?,
            skp_step: SKP_STEP.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the ranges, that `depth` is a power of two and that it leaves
    /// room for the watermarks.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)?;
        DEPTH.check(self.depth)?;
        SKP_STEP.check(self.skp_step)?;
        if !self.depth.is_power_of_two() {
            return Err(param_error(
                "depth",
                format!("{} is not a power of two", self.depth),
            ));
        }
        if self.depth < 8 * self.skp_step {
            return Err(param_error(
                "depth",
                format!(
                    "{} is below 8 * skp_step = {}",
                    self.depth,
                    8 * self.skp_step
                ),
            ));
        }
        Ok(())
    }

    /// The FIFO instance's config (one extra bit for the SKP flag).
    pub fn fifo(&self) -> AsyncFifoConfig {
        AsyncFifoConfig {
            width: self.width + 1,
            depth: self.depth,
        }
    }

    /// The write-side count at or above which SKP words are dropped.
    pub fn high_watermark(&self) -> u32 {
        self.depth / 2 + 2 * self.skp_step
    }

    /// The read-side count below which SKP words are added.
    pub fn low_watermark(&self) -> u32 {
        self.depth / 2 - 2 * self.skp_step
    }
}

/// The parent-side signals of the FIFO instance.
struct Fifo {
    wr_en: Signal,
    wr_data: Signal,
    wr_full: Signal,
    wr_count: Signal,
    rd_en: Signal,
    rd_data: Signal,
    rd_empty: Signal,
    rd_count: Signal,
}

/// Builds the elastic buffer as module `module_name`.
pub fn elastic_buffer(module_name: &str, cfg: &ElasticBufferConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let fc = cfg.fifo();
    let fifo = async_fifo(&format!("async_fifo_w{}_d{}", fc.width, fc.depth), &fc)?;
    let mut m = ModuleBuilder::new(module_name);
    let rx_clk = m.clock("rx_clk");
    let rx_rst = m.reset("rx_rst");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let u = m.instance("u_fifo", fifo);
    m.assign(u.io("wr_clk")?, rx_clk);
    m.assign(u.io("wr_rst")?, rx_rst);
    m.assign(u.io("rd_clk")?, clk);
    m.assign(u.io("rd_rst")?, rst);
    let f = Fifo {
        wr_en: u.io("wr_en")?,
        wr_data: u.io("wr_data")?,
        wr_full: u.io("wr_full")?,
        wr_count: u.io("wr_count")?,
        rd_en: u.io("rd_en")?,
        rd_data: u.io("rd_data")?,
        rd_empty: u.io("rd_empty")?,
        rd_count: u.io("rd_count")?,
    };
    let rx = Domain {
        clock: rx_clk,
        reset: Some(rx_rst),
    };
    let local = Domain {
        clock: clk,
        reset: Some(rst),
    };
    m.in_domain(rx, |m| write_side(m, cfg, &f));
    m.in_domain(local, |m| read_side(m, cfg, &f));
    m.finish()
}

/// Width of the registers counting up to `skp_step`.
fn step_width(cfg: &ElasticBufferConfig) -> u32 {
    bits_for(cfg.skp_step as usize + 1)
}

/// The receive domain: SKP run tracking, drops and the FIFO write port.
fn write_side(m: &mut ModuleBuilder, cfg: &ElasticBufferConfig, f: &Fifo) {
    let sw = step_width(cfg);
    let pw = f.wr_count.width();
    let rx_valid = m.input("rx_valid", 1);
    let rx_data = m.input("rx_data", cfg.width);
    let rx_skp = m.input("rx_skp", 1);
    let rx_fill = m.output("rx_fill", pw);
    let drops = m.output("drops", COUNT_WIDTH);
    let overflows = m.output("overflows", COUNT_WIDTH);

    // SKP words of the current run written so far (stops at `skp_step`) and
    // SKP words still to drop.
    let run = m.reg("rx_run", sw).reset(0);
    let dropping = m.reg("rx_dropping", sw).reset(0);
    let skp = rx_valid & rx_skp;
    let drop_now = skp.clone() & dropping.any();
    let arm = run.eq(lit(u64::from(cfg.skp_step) - 1, sw))
        & f.wr_count.ge(lit(cfg.high_watermark().into(), pw));
    m.when(rx_valid & !rx_skp, |m| {
        m.next(run, lit(0, sw));
        m.next(dropping, lit(0, sw));
    })
    .elsewhen(drop_now.clone(), |m| m.next(dropping, dropping - 1))
    .elsewhen(skp, |m| {
        m.when(run.ne(lit(cfg.skp_step.into(), sw)), |m| {
            m.next(run, run + 1)
        });
        m.when(arm, |m| m.next(dropping, lit(cfg.skp_step.into(), sw)));
    });

    let write = rx_valid & !drop_now.clone();
    m.assign(f.wr_en, write.clone());
    m.assign(f.wr_data, cat![rx_skp, rx_data]);
    m.assign(rx_fill, f.wr_count);
    let dropped = saturating_count(
        m,
        "drop_count",
        drop_now & dropping.eq(lit(1, sw)),
        COUNT_WIDTH,
    );
    let lost = saturating_count(m, "overflow_count", write & f.wr_full, COUNT_WIDTH);
    m.assign(drops, dropped);
    m.assign(overflows, lost);
}

/// The local domain: start-up, SKP insertion and the FIFO read port.
fn read_side(m: &mut ModuleBuilder, cfg: &ElasticBufferConfig, f: &Fifo) {
    let sw = step_width(cfg);
    let pw = f.rd_count.width();
    let out_ready = m.input("out_ready", 1);
    let out_valid = m.output("out_valid", 1);
    let out_data = m.output("out_data", cfg.width);
    m.interface(Protocol::ValidReady, "out_");
    let out_skp = m.output("out_skp", 1);
    let fill = m.output("fill", pw);
    let adds = m.output("adds", COUNT_WIDTH);
    let underflows = m.output("underflows", COUNT_WIDTH);

    let started = m.reg("started", 1).reset(0);
    m.when(f.rd_count.ge(lit((cfg.depth / 2).into(), pw)), |m| {
        m.next(started, high())
    });
    let head_skp = f.rd_data.bit(cfg.width);
    let valid = started & !f.rd_empty;
    let taken = valid.clone() & out_ready;
    // The last word output was a SKP word: the head is not a run's first.
    let prev_skp = m.reg("prev_skp", 1).reset(0);
    // Extra copies of the head still to output.
    let inserting = m.reg("inserting", sw).reset(0);
    let arm = taken.clone()
        & head_skp.clone()
        & !prev_skp
        & f.rd_count.lt(lit(cfg.low_watermark().into(), pw));
    m.when(arm.clone(), |m| {
        m.next(inserting, lit(u64::from(cfg.skp_step) - 1, sw))
    })
    .elsewhen(taken.clone() & inserting.any(), |m| {
        m.next(inserting, inserting - 1)
    });
    m.when(taken.clone(), |m| m.next(prev_skp, head_skp.clone()));
    let hold = arm.clone() | inserting.any();
    m.assign(f.rd_en, taken & !hold);

    m.assign(out_valid, valid);
    m.assign(out_data, f.rd_data.trunc(cfg.width));
    m.assign(out_skp, head_skp);
    m.assign(fill, f.rd_count);
    let added = saturating_count(m, "add_count", arm, COUNT_WIDTH);
    let starved = saturating_count(
        m,
        "underflow_count",
        started & f.rd_empty & out_ready,
        COUNT_WIDTH,
    );
    m.assign(adds, added);
    m.assign(underflows, starved);
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "elastic_buffer",
        doc: "clock-compensation FIFO that adds and drops SKP symbols to stay centred",
        params: vec![WIDTH.spec(), DEPTH.spec(), SKP_STEP.spec()],
        build: |name, p| Ok(elastic_buffer(name, &ElasticBufferConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
