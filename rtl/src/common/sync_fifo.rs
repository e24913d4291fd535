//! `sync_fifo`: a synchronous first-in first-out queue in one clock domain,
//! stored in a memory (block RAM on FPGAs) with a first-word-fall-through
//! output register.
//!
//! Ports (all in the domain of `clk`; `rst` is synchronous, active high):
//!
//! - `wr_en`, `wr_data[W-1:0]`: at a rising edge with `wr_en` high and
//!   `wr_full` low, `wr_data` is appended. A write while `wr_full` is high is
//!   ignored, even if a read frees a place at the same edge.
//! - `wr_full`: the queue holds `depth` words (a function of the state only).
//! - `rd_data[W-1:0]`, `rd_empty`: first word fall through. While `rd_empty`
//!   is low, `rd_data` is the oldest word; at a rising edge with `rd_en`
//!   high it is removed. `rd_en` while `rd_empty` is high is ignored. While
//!   `rd_empty` is high, `rd_data` holds a stale value.
//! - `count[C-1:0]` (C = bits to hold `depth`): words held, including one
//!   not yet visible on `rd_data`.
//!
//! Timing: a word written at edge `t` is visible on `rd_data` after edge
//! `t + 1` (two edges from write to read, through the memory's synchronous
//! read port), if it is then the oldest. `count` and `wr_full` change after
//! the edge of the write or read. Overflow and underflow attempts never
//! change the state.

use super::fwft::fwft_read;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new("width", "w", 1..=1024, 32, "word width in bits");
/// Parameter `depth`.
pub const DEPTH: IntParam = IntParam::new("depth", "d", 1..=1 << 20, 16, "capacity in words");

/// Size of a synchronous FIFO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncFifoConfig {
    /// Word width in bits ([`WIDTH`]).
    pub width: u32,
    /// Capacity in words ([`DEPTH`]; any value, not only powers of two).
    pub depth: u32,
}

impl SyncFifoConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = SyncFifoConfig {
            width: WIDTH.read(p)?,
            depth: DEPTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)?;
        DEPTH.check(self.depth)
    }

    /// Width of the `count` port.
    pub fn count_width(&self) -> u32 {
        bits_for(self.depth as usize + 1)
    }
}

/// `ptr + 1`, wrapping to zero after `last`.
fn wrap_inc(ptr: Signal, last: u64) -> Expr {
    let w = ptr.width();
    if w < 64 && last == (1 << w) - 1 {
        ptr + 1
    } else {
        mux(ptr.eq(lit(last, w)), lit(0, w), ptr + 1)
    }
}

/// Builds the FIFO as module `module_name`.
pub fn sync_fifo(module_name: &str, cfg: &SyncFifoConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let depth = u64::from(cfg.depth);
    let aw = bits_for(cfg.depth as usize);
    let cw = cfg.count_width();
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let wr_en = m.input("wr_en", 1);
    let wr_data = m.input("wr_data", cfg.width);
    let wr_full = m.output("wr_full", 1);
    let rd_en = m.input("rd_en", 1);
    let rd_data = m.output("rd_data", cfg.width);
    let rd_empty = m.output("rd_empty", 1);
    let count = m.output("count", cw);

    let mem = m.memory("mem", cfg.width, cfg.depth);
    let wr_ptr = m.reg("wr_ptr", aw).reset(0);
    let rd_ptr = m.reg("rd_ptr", aw).reset(0);
    let held = m.reg("held", cw).reset(0);
    let valid = m.reg("rd_valid", 1).reset(0);

    let full = held.eq(lit(depth, cw));
    let push = wr_en & !full.clone();
    // The memory holds the words not in the output register.
    let mem_nonempty = held.ne(valid.zext(cw));
    let read = fwft_read(&mut m, mem, valid, rd_ptr, mem_nonempty, rd_en);

    m.when(push.clone(), |m| {
        m.mem_write(mem, wr_ptr, wr_data);
        m.next(wr_ptr, wrap_inc(wr_ptr, depth - 1));
    });
    m.when(read.load, |m| m.next(rd_ptr, wrap_inc(rd_ptr, depth - 1)));
    m.when(push.clone() & !read.pop.clone(), |m| m.next(held, held + 1))
        .elsewhen(read.pop & !push, |m| m.next(held, held - 1));

    m.assert_always(
        held.le(lit(depth, cw)),
        "the FIFO never holds more than depth words",
    );
    m.assign(wr_full, full);
    m.assign(rd_data, read.data);
    m.assign(rd_empty, !valid);
    m.assign(count, held);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "sync_fifo",
        doc: "synchronous FIFO in block RAM, first word fall through",
        params: vec![WIDTH.spec(), DEPTH.spec()],
        build: |name, p| Ok(sync_fifo(name, &SyncFifoConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
