//! `sync2`: a two-flop synchronizer for a value entering the clock domain
//! of `clk`, declared as a synchronizer for the HDL's clock-domain check.
//!
//! Ports: `clk`; `d[W-1:0]` (any clock domain, or none); `q[W-1:0]`, `d`
//! delayed by two rising edges of `clk`. The flops have no reset. Each bit is
//! synchronized on its own, so a multi-bit `d` must change at most one bit
//! between samples (a Gray-coded counter) or be held stable until a
//! synchronized handshake says it may be read.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new("width", "w", 1..=1024, 1, "bits synchronized");

/// A synchronizer of `width` bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sync2Config {
    /// Bits synchronized ([`WIDTH`]).
    pub width: u32,
}

impl Sync2Config {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = Sync2Config {
            width: WIDTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)
    }
}

/// Builds the synchronizer as module `module_name`.
pub fn sync2(module_name: &str, cfg: &Sync2Config) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    let d = m.input("d", cfg.width);
    let q = m.output("q", cfg.width);
    let meta = m.reg("meta", cfg.width).no_reset();
    let stable = m.reg("stable", cfg.width).no_reset();
    m.next(meta, d);
    m.next(stable, meta);
    m.assign(q, stable);
    m.declare_synchronizer();
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "sync2",
        doc: "two-flop clock-domain synchronizer",
        params: vec![WIDTH.spec()],
        build: |name, p| Ok(sync2(name, &Sync2Config::from_params(p)?)?),
        issues: no_issues,
    }
}
