//! Telemetry wiring: a block's counters and states exposed read-only
//! through a register block on an `s_axil_` port.
//!
//! [`exposure_map`] makes a map with one `ro` register per 32 bits of each
//! exposed output (`NAME`, or `NAME_0`, `NAME_1`, ... for wider ones, each
//! with one field `value`); [`with_registers`] wraps the block: every port
//! of the block passes through under its own name, and the register block
//! (instance `regs`) reads the exposed outputs.

use super::map::{Access, Field, RegMap, Register, REG_BITS, REG_BYTES};
use super::regblock::{regblock, PREFIX};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::prelude::*;
use linkforge_hdl::ErrorKind;
use linkforge_hdl::SourceLoc;

/// The AXI4-Lite ports of a register block: (name without the prefix,
/// input).
const BUS: [(&str, bool); 17] = [
    ("awaddr", true),
    ("awvalid", true),
    ("awready", false),
    ("wdata", true),
    ("wstrb", true),
    ("wvalid", true),
    ("wready", false),
    ("bresp", false),
    ("bvalid", false),
    ("bready", true),
    ("araddr", true),
    ("arvalid", true),
    ("arready", false),
    ("rdata", false),
    ("rresp", false),
    ("rvalid", false),
    ("rready", true),
];

/// The register holding bits `32k..` of output `port` (`width` bits).
fn reg_name(port: &str, width: u32, k: u32) -> String {
    if width > REG_BITS {
        format!("{port}_{k}")
    } else {
        port.to_string()
    }
}

/// The map exposing the outputs `expose` of `core`, in that order, from
/// offset 0; an unknown or non-output name is an error naming it.
#[track_caller]
pub fn exposure_map(core: &Module, expose: &[String]) -> Result<RegMap, HdlError> {
    let loc = SourceLoc::caller();
    let mut regs = Vec::new();
    for port in expose {
        let id = core
            .port(port)
            .filter(|&p| !core.is_input(p))
            .ok_or_else(|| {
                HdlError::single(
                    ErrorKind::Invalid(format!("`{port}` is not an output of `{}`", core.name)),
                    core.name.clone(),
                    loc,
                )
            })?;
        let width = core.signal(id).width;
        for k in 0..width.div_ceil(REG_BITS) {
            let bits = (width - k * REG_BITS).min(REG_BITS);
            regs.push(Register {
                name: reg_name(port, width, k),
                offset: regs.len() as u32 * REG_BYTES,
                desc: format!(
                    "`{port}` bits {}..={}",
                    k * REG_BITS,
                    k * REG_BITS + bits - 1
                ),
                fields: vec![Field {
                    name: "value".into(),
                    lsb: 0,
                    width: bits,
                    access: Access::Ro,
                    reset: 0,
                    irq: false,
                    desc: String::new(),
                }],
            });
        }
    }
    let bytes = (regs.len().max(1) as u32) * REG_BYTES;
    let addr_width = bits_for(bytes as usize).clamp(4, 16);
    Ok(RegMap {
        addr_width,
        regs,
        alerts: Vec::new(),
    })
}

/// Wraps `core` (one clock `clk`, reset `rst`) as module `name`: its ports
/// pass through, and the register block of `exposure_map(core, expose)`
/// reads the exposed outputs on `s_axil_*`.
pub fn with_registers(name: &str, core: Module, expose: &[String]) -> Result<Module, HdlError> {
    let map = exposure_map(&core, expose)?;
    let regs_module = regblock(&format!("{name}_regs"), &map)?;
    let mut m = ModuleBuilder::new(name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let ports: Vec<(String, u32, bool, bool)> = core
        .ports
        .iter()
        .map(|&p| {
            let s = core.signal(p);
            let clock = matches!(s.kind, SignalKind::Input { clock: true });
            (s.name.clone(), s.width, core.is_input(p), clock)
        })
        .collect();
    let u = m.instance("core", core);
    for (port, width, input, clock) in &ports {
        let inner = u.io(port)?;
        match (port.as_str(), input, clock) {
            ("clk", _, true) => m.assign(inner, clk),
            ("rst", true, _) => m.assign(inner, rst.signal()),
            (_, true, _) => {
                let outer = m.input(port.clone(), *width);
                m.assign(inner, outer);
            }
            (_, false, _) => {
                let outer = m.output(port.clone(), *width);
                m.assign(outer, inner);
            }
        }
    }
    let r = m.instance("regs", regs_module);
    m.assign(r.io("clk")?, clk);
    m.assign(r.io("rst")?, rst.signal());
    for (bus, input) in BUS {
        let port = format!("{PREFIX}{bus}");
        let inner = r.io(&port)?;
        if input {
            let outer = m.input(port, inner.width());
            m.assign(inner, outer);
        } else {
            let outer = m.output(port, inner.width());
            m.assign(outer, inner);
        }
    }
    for port in expose {
        let source = u.io(port)?;
        let width = source.width();
        for k in 0..width.div_ceil(REG_BITS) {
            let hi = (k * REG_BITS + REG_BITS).min(width) - 1;
            let field = r.io(&format!("{}_value", reg_name(port, width, k)))?;
            m.assign(field, source.slice(hi, k * REG_BITS));
        }
    }
    m.finish()
}
