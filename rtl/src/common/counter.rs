//! `counter`: a wrapping or saturating up-counter with enable and clear.
//!
//! Ports (all in the domain of `clk`; `rst` synchronous, active high):
//! `en`: count up by one at a rising edge; `clear`: back to zero at a
//! rising edge (wins over `en`); `count[W-1:0]`: the value; `at_max`: the
//! value is all ones (where a saturating counter stops and a wrapping one
//! goes back to zero next).

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new("width", "w", 1..=64, 16, "width in bits");
/// Parameter `mode`.
pub const MODE: ChoiceParam = ChoiceParam::new(
    "mode",
    "",
    &["wrap", "saturate"],
    "wrap",
    "wrap to zero or saturate at the maximum",
);

/// What the counter does at its maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterMode {
    /// Goes back to zero.
    Wrap,
    /// Stays at the maximum until cleared.
    Saturate,
}

/// A counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterConfig {
    /// Width in bits ([`WIDTH`]).
    pub width: u32,
    /// Behaviour at the maximum.
    pub mode: CounterMode,
}

impl CounterConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let mode = match MODE.read(p)? {
            "saturate" => CounterMode::Saturate,
            _ => CounterMode::Wrap,
        };
        let cfg = CounterConfig {
            width: WIDTH.read(p)?,
            mode,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the width.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)
    }
}

/// Builds the counter as module `module_name`.
pub fn counter(module_name: &str, cfg: &CounterConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let clear = m.input("clear", 1);
    let count = m.output("count", cfg.width);
    let at_max = m.output("at_max", 1);
    let q = m.reg("q", cfg.width).reset(0);
    let full = q.all();
    let step = match cfg.mode {
        CounterMode::Wrap => en.into(),
        CounterMode::Saturate => en & !full.clone(),
    };
    m.when(clear, |m| m.next(q, lit(0, cfg.width)))
        .elsewhen(step, |m| m.next(q, q + 1));
    m.assign(count, q);
    m.assign(at_max, full);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "counter",
        doc: "wrapping or saturating counter with enable and clear",
        params: vec![WIDTH.spec(), MODE.spec()],
        build: |name, p| Ok(counter(name, &CounterConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
