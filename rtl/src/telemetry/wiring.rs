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
use linkforge_hdl::ir::{SignalId, SignalKind};
use linkforge_hdl::prelude::*;
use linkforge_hdl::ErrorKind;
use linkforge_hdl::SourceLoc;

/// The name of the parameter that turns a block's telemetry on.
pub const TELEMETRY: &str = "telemetry";

/// The `telemetry` parameter of a block kind whose values can be exposed;
/// `doc` says which values, on which clock.
pub fn telemetry_spec(doc: &'static str) -> crate::catalog::ParamSpec {
    crate::catalog::ParamSpec {
        name: TELEMETRY,
        short: "tm",
        kind: crate::catalog::ParamKind::Bool,
        default: crate::catalog::Value::Bool(false),
        doc,
    }
}

/// Builds a block as module `name` with `core` (which builds the block
/// under a given module name): bare, or, when `p` sets `telemetry`, inside
/// [`with_registers`] exposing `expose` on the bus clocked by `bus`.
pub fn build_with_telemetry(
    name: &str,
    p: &crate::catalog::Params,
    bus: super::BusClock,
    expose: &[String],
    core: impl Fn(&str) -> Result<Module, HdlError>,
) -> Result<Module, crate::RtlError> {
    if p.bool(TELEMETRY)? {
        Ok(with_registers(
            name,
            core(&format!("{name}_core"))?,
            expose,
            bus,
        )?)
    } else {
        Ok(core(name)?)
    }
}

/// The register map of a block variant that sets `telemetry` (built by
/// `core` as in [`build_with_telemetry`]), `None` for one that does not.
pub fn telemetry_map(
    p: &crate::catalog::Params,
    expose: &[String],
    core: impl Fn(&str) -> Result<Module, HdlError>,
) -> Result<Option<RegMap>, crate::RtlError> {
    if !p.bool(TELEMETRY)? {
        return Ok(None);
    }
    Ok(Some(exposure_map(&core("core")?, expose)?))
}

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

/// A port of the wrapped block, with the wrapper's clock for it (if it is
/// a clock) and for its domain.
struct CorePort {
    name: String,
    width: u32,
    input: bool,
    clock: Option<Clock>,
    domain: Option<Clock>,
}

/// Wraps `core` as module `name`: its ports pass through (clocks as
/// clocks, inputs in their clock domains), and the register block of
/// `exposure_map(core, expose)` reads the exposed outputs on `s_axil_*`,
/// clocked and reset by the core's clock and reset named in `bus` (the
/// exposed outputs must belong to that clock's domain).
pub fn with_registers(
    name: &str,
    core: Module,
    expose: &[String],
    bus: super::BusClock,
) -> Result<Module, HdlError> {
    let map = exposure_map(&core, expose)?;
    let regs_module = regblock(&format!("{name}_regs"), &map)?;
    let mut m = ModuleBuilder::new(name);
    let mut clocks: Vec<(SignalId, Clock)> = Vec::new();
    for &p in &core.ports {
        let s = core.signal(p);
        if matches!(s.kind, SignalKind::Input { clock: true }) {
            clocks.push((p, m.clock(s.name.clone())));
        }
    }
    let clock_of = |id: Option<SignalId>| {
        id.and_then(|c| clocks.iter().find(|(k, _)| *k == c).map(|(_, clk)| *clk))
    };
    let missing = |what: &str| {
        HdlError::single(
            ErrorKind::Invalid(format!("`{}` has no {what}", core.name)),
            name.to_string(),
            SourceLoc::caller(),
        )
    };
    let bus_clock = core
        .port(bus.0)
        .and_then(|p| clock_of(Some(p)))
        .ok_or_else(|| missing(&format!("clock `{}`", bus.0)))?;
    let ports: Vec<CorePort> = core
        .ports
        .iter()
        .map(|&p| {
            let s = core.signal(p);
            CorePort {
                name: s.name.clone(),
                width: s.width,
                input: core.is_input(p),
                clock: clock_of(Some(p)),
                domain: clock_of(s.domain),
            }
        })
        .collect();
    core.port(bus.1)
        .ok_or_else(|| missing(&format!("reset `{}`", bus.1)))?;
    // The core's interfaces stay interfaces of the wrapper, on its clocks.
    let interfaces: Vec<(Protocol, String, Option<Clock>)> = core
        .interfaces
        .iter()
        .map(|i| (i.protocol, i.prefix.clone(), clock_of(Some(i.clock))))
        .collect();
    let u = m.instance("core", core);
    let mut bus_reset = None;
    for CorePort {
        name: port,
        width,
        input,
        clock,
        domain,
    } in ports
    {
        let inner = u.io(&port)?;
        match (input, clock) {
            (true, Some(c)) => m.assign(inner, c),
            (true, None) => {
                let mut outer = None;
                let mut declare =
                    |m: &mut ModuleBuilder| outer = Some(m.input(port.clone(), width));
                match domain {
                    Some(clock) => m.in_domain(Domain { clock, reset: None }, declare),
                    None => declare(&mut m),
                }
                if let Some(outer) = outer {
                    m.assign(inner, outer);
                    if port == bus.1 {
                        bus_reset = Some(outer);
                    }
                }
            }
            (false, _) => {
                let outer = m.output(port, width);
                m.assign(outer, inner);
            }
        }
    }
    let r = m.instance("regs", regs_module);
    m.assign(r.io("clk")?, bus_clock);
    if let Some(rst) = bus_reset {
        m.assign(r.io("rst")?, rst);
    }
    let wanted = BUS
        .iter()
        .filter(|(_, input)| *input)
        .map(|(p, _)| {
            let port = format!("{PREFIX}{p}");
            r.io(&port).map(|s| (port, s.width()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut bus_inputs = Vec::new();
    let domain = Domain {
        clock: bus_clock,
        reset: None,
    };
    m.in_domain(domain, |m| {
        for (port, width) in wanted {
            bus_inputs.push((port.clone(), m.input(port, width)));
        }
        m.interface(Protocol::Axi4Lite, PREFIX);
    });
    for (protocol, prefix, clock) in interfaces {
        if let Some(clock) = clock {
            m.in_domain(Domain { clock, reset: None }, |m| {
                m.interface(protocol, prefix)
            });
        }
    }
    for (bus_port, input) in BUS {
        let port = format!("{PREFIX}{bus_port}");
        let inner = r.io(&port)?;
        if !input {
            let outer = m.output(port, inner.width());
            m.assign(outer, inner);
        }
    }
    for (port, outer) in bus_inputs {
        m.assign(r.io(&port)?, outer);
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
