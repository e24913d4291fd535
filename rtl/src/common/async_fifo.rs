//! `async_fifo`: a first-in first-out queue from the clock domain of
//! `wr_clk` to that of `rd_clk`, for clock-domain crossings.
//!
//! The memory is written in the write domain and read in the read domain.
//! Each side keeps a binary pointer and a registered Gray-coded copy of it;
//! the Gray pointer crosses to the other side through a [`sync2`]
//! synchronizer (one bit changes per increment, so the far side sees either
//! the old or the new value). The module is not itself declared a
//! synchronizer: the HDL's clock-domain check verifies that the pointers
//! are the only values that cross, and only through `sync2`.
//!
//! Ports, write domain (`wr_rst` synchronous to `wr_clk`, active high):
//!
//! - `wr_en`, `wr_data[W-1:0]`: at a rising edge of `wr_clk` with `wr_en`
//!   high and `wr_full` low, `wr_data` is appended; a write while `wr_full`
//!   is high is ignored.
//! - `wr_full`: the memory holds `depth` words as far as the write side
//!   knows (reads become visible here two or three `wr_clk` edges late).
//! - `wr_count[A:0]` (`depth = 2^A`): words in the memory as the write side
//!   sees them, `0..=depth`; never below the true number.
//!
//! Ports, read domain (`rd_rst` synchronous to `rd_clk`, active high):
//!
//! - `rd_data[W-1:0]`, `rd_empty`, `rd_en`: first word fall through, as in
//!   `sync_fifo`: while `rd_empty` is low `rd_data` is the oldest word, and a
//!   rising edge of `rd_clk` with `rd_en` high removes it; `rd_en` while
//!   empty is ignored. A write becomes readable three or four `rd_clk` edges
//!   after it (two for the synchronizer, one for the read port).
//! - `rd_count[A:0]`: words readable as the read side sees them (the memory
//!   plus the output register); never above the true number.
//!
//! Capacity: `depth` words in the memory plus one in the read side's output
//! register. `depth` is a power of two so the Gray pointers wrap cleanly.
//!
//! Reset: assert `wr_rst` and `rd_rst` together and hold both for at least
//! three edges of the slower clock, so the synchronizers flush; resetting
//! one side alone loses the queue's consistency.

use super::fwft::fwft_read;
use super::sync2::{sync2, Sync2Config};
pub use super::sync_fifo::WIDTH;
use super::{from_gray, to_gray};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, param_error, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::MemoryHandle;
use std::sync::Arc;

/// Parameter `depth`.
pub const DEPTH: IntParam = IntParam::new(
    "depth",
    "d",
    2..=1 << 20,
    16,
    "memory capacity in words (a power of two)",
);

/// Size of an asynchronous FIFO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsyncFifoConfig {
    /// Word width in bits ([`WIDTH`]).
    pub width: u32,
    /// Memory capacity in words: a power of two in [`DEPTH`]'s range.
    pub depth: u32,
}

impl AsyncFifoConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = AsyncFifoConfig {
            width: WIDTH.read(p)?,
            depth: DEPTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range, and that `depth` is a power of two.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)?;
        DEPTH.check(self.depth)?;
        if !self.depth.is_power_of_two() {
            return Err(param_error(
                "depth",
                format!("{} is not a power of two", self.depth),
            ));
        }
        Ok(())
    }

    /// Width of the pointers, the Gray codes and the count ports (`A + 1`).
    pub fn pointer_width(&self) -> u32 {
        self.depth.trailing_zeros() + 1
    }
}

/// What both sides share: the memory, the pointer width and the size.
#[derive(Clone, Copy)]
struct Shared {
    mem: MemoryHandle,
    cfg: AsyncFifoConfig,
}

impl Shared {
    fn address_width(&self) -> u32 {
        self.cfg.pointer_width() - 1
    }
}

/// Builds the FIFO as module `module_name`.
pub fn async_fifo(module_name: &str, cfg: &AsyncFifoConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let pw = cfg.pointer_width();
    let mut m = ModuleBuilder::new(module_name);
    let wr_clk = m.clock("wr_clk");
    let wr_rst = m.reset("wr_rst");
    let rd_clk = m.clock("rd_clk");
    let rd_rst = m.reset("rd_rst");
    let wr = Domain {
        clock: wr_clk,
        reset: Some(wr_rst),
    };
    let rd = Domain {
        clock: rd_clk,
        reset: Some(rd_rst),
    };
    let shared = Shared {
        mem: m.memory("mem", cfg.width, cfg.depth),
        cfg: *cfg,
    };

    // Each Gray pointer crosses to the other domain through a synchronizer.
    let sync = Arc::new(sync2(&format!("sync2_w{pw}"), &Sync2Config { width: pw })?);
    let wr_gray = m.reg("wr_gray", pw).clock(wr_clk).reset_by(wr_rst).reset(0);
    let rd_gray = m.reg("rd_gray", pw).clock(rd_clk).reset_by(rd_rst).reset(0);
    let wr_gray_in_rd = cross(&mut m, "u_sync_wr_ptr", &sync, wr_gray, rd_clk)?;
    let rd_gray_in_wr = cross(&mut m, "u_sync_rd_ptr", &sync, rd_gray, wr_clk)?;

    m.in_domain(wr, |m| write_side(m, shared, wr_gray, rd_gray_in_wr));
    m.in_domain(rd, |m| read_side(m, shared, rd_gray, wr_gray_in_rd));
    m.finish()
}

/// Instantiates `sync` as `name`, clocked by `clock`, fed by `d`; returns its output.
pub(crate) fn cross(
    m: &mut ModuleBuilder,
    name: &str,
    sync: &Arc<Module>,
    d: Signal,
    clock: Clock,
) -> Result<Signal, HdlError> {
    let u = m.instance(name, sync.clone());
    m.assign(u.io("clk")?, clock);
    m.assign(u.io("d")?, d);
    u.io("q")
}

/// The write domain: pointer, full flag, count and memory write port.
fn write_side(m: &mut ModuleBuilder, s: Shared, gray: Signal, rd_gray: Signal) {
    let pw = s.cfg.pointer_width();
    let wr_en = m.input("wr_en", 1);
    let wr_data = m.input("wr_data", s.cfg.width);
    let wr_full = m.output("wr_full", 1);
    let wr_count = m.output("wr_count", pw);
    let ptr = m.reg("wr_ptr", pw).reset(0);
    let level = m.wire("wr_level", pw);
    m.assign(level, ptr - from_gray(rd_gray));
    let full = level.eq(lit(s.cfg.depth.into(), pw));
    m.when(wr_en & !full.clone(), |m| {
        m.mem_write(s.mem, ptr.trunc(s.address_width()), wr_data);
        m.next(ptr, ptr + 1);
        m.next(gray, to_gray(ptr + 1));
    });
    m.assign(wr_full, full);
    m.assign(wr_count, level);
}

/// The read domain: pointer, output register, empty flag and count.
fn read_side(m: &mut ModuleBuilder, s: Shared, gray: Signal, wr_gray: Signal) {
    let pw = s.cfg.pointer_width();
    let rd_en = m.input("rd_en", 1);
    let rd_data = m.output("rd_data", s.cfg.width);
    let rd_empty = m.output("rd_empty", 1);
    let rd_count = m.output("rd_count", pw);
    let ptr = m.reg("rd_ptr", pw).reset(0);
    let valid = m.reg("rd_valid", 1).reset(0);
    let written = m.wire("rd_wr_ptr", pw);
    m.assign(written, from_gray(wr_gray));
    let addr = ptr.trunc(s.address_width());
    let read = fwft_read(m, s.mem, valid, addr, ptr.ne(written), rd_en);
    m.when(read.load, |m| {
        m.next(ptr, ptr + 1);
        m.next(gray, to_gray(ptr + 1));
    });
    m.assign(rd_data, read.data);
    m.assign(rd_empty, !valid);
    m.assign(rd_count, (written - ptr) + valid.zext(pw));
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "async_fifo",
        doc: "asynchronous (two-clock) FIFO with Gray-coded pointers through sync2",
        params: vec![WIDTH.spec(), DEPTH.spec()],
        build: |name, p| Ok(async_fifo(name, &AsyncFifoConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
