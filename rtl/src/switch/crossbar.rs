//! `crossbar`: N inputs x N outputs; each output registers the input its
//! select picks, with a synchronous reset.
//!
//! Ports: `clk`, `rst`, `in0..in{N-1}[W-1:0]`, `sel0..sel{N-1}[S-1:0]`
//! (S = bits to index N), `out0..out{N-1}[W-1:0]`.

use crate::catalog::{BlockKind, ParamKind, ParamSpec, Params, Value};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Size of a crossbar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossbarConfig {
    /// Inputs and outputs (2..=64).
    pub ports: usize,
    /// Data width in bits (8..=1024).
    pub width: u32,
}

impl CrossbarConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        Ok(CrossbarConfig {
            ports: crate::in_range(p, "ports", 2, 64)? as usize,
            width: crate::in_range(p, "data_width", 8, 1024)? as u32,
        })
    }
}

/// Builds the crossbar as module `name`.
pub fn crossbar(name: &str, cfg: &CrossbarConfig) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(name);
    m.clock("clk");
    m.reset("rst");
    let sel_w = bits_for(cfg.ports);
    let ins: Vec<Expr> = (0..cfg.ports)
        .map(|i| m.input(format!("in{i}"), cfg.width).into())
        .collect();
    for o in 0..cfg.ports {
        let sel = m.input(format!("sel{o}"), sel_w);
        let out = m.output(format!("out{o}"), cfg.width);
        let q = m.reg(format!("q{o}"), cfg.width).reset(0);
        m.next(q, select(sel, &ins));
        m.assign(out, q);
    }
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "crossbar",
        doc: "N x N crossbar with per-output select and registered outputs",
        params: vec![
            ParamSpec {
                name: "ports",
                short: "p",
                kind: ParamKind::Int { min: 2, max: 64 },
                default: Value::Int(4),
                doc: "inputs and outputs",
            },
            ParamSpec {
                name: "data_width",
                short: "w",
                kind: ParamKind::Int { min: 8, max: 1024 },
                default: Value::Int(32),
                doc: "data width in bits",
            },
        ],
        build: |name, p| Ok(crossbar(name, &CrossbarConfig::from_params(p)?)?),
    }
}
