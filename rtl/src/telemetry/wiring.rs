//! Telemetry wiring: a block's counters and states exposed read-only
//! through a register block on an `s_axil_` port.
//!
//! [`exposure_map`] makes a map with one `ro` register per 32 bits of each
//! exposed output (`NAME`, or `NAME_0`, `NAME_1`, ... for wider ones, each
//! with one field `value`), then optionally a history FIFO of some outputs
//! and the die-temperature registers with their alerts ([`Exposure`]);
//! [`with_registers`] wraps the block: every port of the block passes
//! through under its own name, and the register block (instance `regs`)
//! reads the exposed outputs.

use super::map::{Access, Field, RegMap, Register, FIFO_COUNT_BITS, REG_BITS, REG_BYTES};
use super::regblock::{regblock, PREFIX};
use super::{sensor_registers, TEMPERATURE};
use linkforge_hdl::ir::{SignalId, SignalKind};
use linkforge_hdl::prelude::*;
use linkforge_hdl::ErrorKind;
use linkforge_hdl::{InstanceHandle, SourceLoc};

/// The name of the parameter that turns a block's telemetry on.
pub const TELEMETRY: &str = "telemetry";

/// The `telemetry` parameter of a block kind whose values can be exposed;
/// `doc` says which values, on which clock.
pub fn telemetry_spec(doc: &'static str) -> crate::catalog::ParamSpec {
    crate::params::BoolParam::new(TELEMETRY, "tm", false, doc).spec()
}

/// Builds a block as module `name` with `core` (which builds the block
/// under a given module name): bare, or, when `p` sets `telemetry`, inside
/// [`with_registers`] exposing `expose` on the bus clocked by `bus`.
pub fn build_with_telemetry(
    name: &str,
    p: &crate::catalog::Params,
    bus: super::BusClock,
    expose: &Exposure,
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
    expose: &Exposure,
    core: impl Fn(&str) -> Result<Module, HdlError>,
) -> Result<Option<RegMap>, crate::RtlError> {
    if !p.bool(TELEMETRY)? {
        return Ok(None);
    }
    Ok(Some(exposure_map(&core("core")?, expose)?))
}

/// The register holding bits `32k..` of output `port` (`width` bits).
fn reg_name(port: &str, width: u32, k: u32) -> String {
    if width > REG_BITS {
        format!("{port}_{k}")
    } else {
        port.to_string()
    }
}

/// One register of an exposure map: bits `32 * word ..` of output `port`
/// (`bits` of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposed {
    /// The exposed output.
    pub port: String,
    /// Which 32-bit word of it.
    pub word: u32,
    /// Bits in this register.
    pub bits: u32,
    /// The width of the whole output.
    pub width: u32,
}

/// The registers exposing the outputs `expose` of `core`, in register
/// order (register `i` at offset `4 * i`); an unknown or non-output name is
/// an error naming it.
#[track_caller]
pub fn exposed(core: &Module, expose: &[String]) -> Result<Vec<Exposed>, HdlError> {
    let loc = SourceLoc::caller();
    let mut out = Vec::new();
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
        for word in 0..width.div_ceil(REG_BITS) {
            out.push(Exposed {
                port: port.clone(),
                word,
                bits: (width - word * REG_BITS).min(REG_BITS),
                width,
            });
        }
    }
    Ok(out)
}

/// What a block's register block exposes, in register order: one `ro`
/// register per 32 bits of each output in `ports`, then the `history`
/// FIFO register, then, with `sensor`, the die-temperature registers and
/// alerts of [`sensor_registers`] (wrapper input `temperature[7:0]`, output
/// `irq`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Outputs read as they are.
    pub ports: Vec<String>,
    /// A history of output values, read through a FIFO.
    pub history: Option<History>,
    /// A die-temperature register written by a sensor, alert levels and
    /// `irq`.
    pub sensor: bool,
}

impl From<Vec<String>> for Exposure {
    /// The outputs `ports` only.
    fn from(ports: Vec<String>) -> Exposure {
        Exposure {
            ports,
            ..Exposure::default()
        }
    }
}

/// A history FIFO register `name`: at each edge where output `push` is
/// high an entry of the outputs `fields` (`(field, output)`, each field as
/// wide as its output, the first in the low bits) is appended; after the
/// entry come the fields `count` ([`FIFO_COUNT_BITS`]) and `overflow`
/// (1 bit). Entries, count and overflow must fit in 32 bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// The register's name.
    pub name: String,
    /// Its description.
    pub desc: String,
    /// The output that appends an entry.
    pub push: String,
    /// The entry's fields and the outputs they record.
    pub fields: Vec<(String, String)>,
}

/// The width of output `port` of `core`, or an error naming it.
#[track_caller]
fn output_width(core: &Module, port: &str) -> Result<u32, HdlError> {
    core.port(port)
        .filter(|&p| !core.is_input(p))
        .map(|p| core.signal(p).width)
        .ok_or_else(|| {
            HdlError::single(
                ErrorKind::Invalid(format!("`{port}` is not an output of `{}`", core.name)),
                core.name.clone(),
                SourceLoc::caller(),
            )
        })
}

/// The register of `history` at `offset`.
#[track_caller]
fn history_register(core: &Module, h: &History, offset: u32) -> Result<Register, HdlError> {
    let field = |name: &str, lsb, width, access, desc: String| Field {
        name: name.into(),
        lsb,
        width,
        access,
        reset: 0,
        irq: false,
        desc,
    };
    let mut fields = Vec::new();
    let mut lsb = 0;
    for (name, port) in &h.fields {
        let width = output_width(core, port)?;
        fields.push(field(name, lsb, width, Access::Fifo, format!("`{port}`")));
        lsb += width;
    }
    fields.push(field(
        "count",
        lsb,
        FIFO_COUNT_BITS,
        Access::FifoCount,
        "entries held before this read".into(),
    ));
    fields.push(field(
        "overflow",
        lsb + FIFO_COUNT_BITS,
        1,
        Access::FifoOvf,
        "an entry was dropped (FIFO full) since the last read".into(),
    ));
    if lsb + FIFO_COUNT_BITS + 1 > REG_BITS {
        return Err(HdlError::single(
            ErrorKind::Invalid(format!(
                "the history `{}` needs {} bits, more than a register",
                h.name,
                lsb + FIFO_COUNT_BITS + 1
            )),
            core.name.clone(),
            SourceLoc::caller(),
        ));
    }
    Ok(Register {
        name: h.name.clone(),
        offset,
        desc: h.desc.clone(),
        fields,
    })
}

/// The map of `exposure` of `core`, from offset 0; an unknown or
/// non-output name is an error naming it.
#[track_caller]
pub fn exposure_map(core: &Module, exposure: &Exposure) -> Result<RegMap, HdlError> {
    let mut regs: Vec<Register> = exposed(core, &exposure.ports)?
        .into_iter()
        .enumerate()
        .map(|(i, e)| Register {
            name: reg_name(&e.port, e.width, e.word),
            offset: i as u32 * REG_BYTES,
            desc: format!(
                "`{}` bits {}..={}",
                e.port,
                e.word * REG_BITS,
                e.word * REG_BITS + e.bits - 1
            ),
            fields: vec![Field {
                name: "value".into(),
                lsb: 0,
                width: e.bits,
                access: Access::Ro,
                reset: 0,
                irq: false,
                desc: String::new(),
            }],
        })
        .collect();
    let next = |regs: &[Register]| regs.len() as u32 * REG_BYTES;
    if let Some(h) = &exposure.history {
        let offset = next(&regs);
        regs.push(history_register(core, h, offset)?);
    }
    let mut alerts = Vec::new();
    if exposure.sensor {
        let (sensor, sensor_alerts) = sensor_registers(next(&regs), regs.len());
        regs.extend(sensor);
        alerts = sensor_alerts;
    }
    let bytes = (regs.len().max(1) as u32) * REG_BYTES;
    let addr_width = bits_for(bytes as usize).clamp(4, 16);
    Ok(RegMap {
        addr_width,
        regs,
        alerts,
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

/// The outer ports [`pass_through`] declared for a core's clocks and
/// inputs, by the core's port name.
pub struct Outer {
    /// The instance of the core.
    pub instance: InstanceHandle,
    /// Outer clocks, by the core's clock name.
    pub clocks: Vec<(String, Clock)>,
    /// Outer inputs, by the core's input name.
    pub inputs: Vec<(String, Signal)>,
}

impl Outer {
    /// The outer clock for the core's clock `name`.
    pub fn clock(&self, name: &str) -> Option<Clock> {
        self.clocks.iter().find(|(n, _)| n == name).map(|(_, c)| *c)
    }

    /// The outer input for the core's input `name`.
    pub fn input(&self, name: &str) -> Option<Signal> {
        self.inputs.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    }
}

/// Instantiates `core` as `instance` in `m` and brings its ports out as
/// `PREFIX` + the port's name: clocks as clocks, inputs in their clock
/// domains, outputs as outputs, and the core's interfaces re-declared on
/// the prefixed names. Ports (and interfaces) for which `inner(name)`
/// holds stay unconnected for the caller to wire.
pub fn pass_through(
    m: &mut ModuleBuilder,
    core: Module,
    instance: &str,
    prefix: &str,
    inner: impl Fn(&str) -> bool,
) -> Result<Outer, HdlError> {
    let mut clocks: Vec<(SignalId, Clock)> = Vec::new();
    let mut outer_clocks = Vec::new();
    for &p in &core.ports {
        let s = core.signal(p);
        if matches!(s.kind, SignalKind::Input { clock: true }) {
            let c = m.clock(format!("{prefix}{}", s.name));
            clocks.push((p, c));
            outer_clocks.push((s.name.clone(), c));
        }
    }
    let clock_of = |id: Option<SignalId>| {
        id.and_then(|c| clocks.iter().find(|(k, _)| *k == c).map(|(_, clk)| *clk))
    };
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
    let interfaces: Vec<(Protocol, String, Option<Clock>)> = core
        .interfaces
        .iter()
        .filter(|i| !inner(&i.prefix))
        .map(|i| (i.protocol, i.prefix.clone(), clock_of(Some(i.clock))))
        .collect();
    let u = m.instance(instance, core);
    let mut inputs = Vec::new();
    for CorePort {
        name: port,
        width,
        input,
        clock,
        domain,
    } in ports
    {
        if inner(&port) {
            continue;
        }
        let wire = u.io(&port)?;
        let outer_name = format!("{prefix}{port}");
        match (input, clock) {
            (true, Some(c)) => m.assign(wire, c),
            (true, None) => {
                let mut outer = None;
                let declare = |m: &mut ModuleBuilder| outer = Some(m.input(outer_name, width));
                match domain {
                    Some(clock) => m.in_domain(Domain { clock, reset: None }, declare),
                    None => declare(m),
                }
                if let Some(outer) = outer {
                    m.assign(wire, outer);
                    inputs.push((port, outer));
                }
            }
            (false, _) => {
                let outer = m.output(outer_name, width);
                m.assign(outer, wire);
            }
        }
    }
    for (protocol, iprefix, clock) in interfaces {
        if let Some(clock) = clock {
            m.in_domain(Domain { clock, reset: None }, |m| {
                m.interface(protocol, format!("{prefix}{iprefix}"))
            });
        }
    }
    Ok(Outer {
        instance: u,
        clocks: outer_clocks,
        inputs,
    })
}

/// Wraps `core` as module `name`: its ports pass through (clocks as
/// clocks, inputs in their clock domains), and the register block of
/// `exposure_map(core, exposure)` reads the exposed outputs on `s_axil_*`,
/// clocked and reset by the core's clock and reset named in `bus` (the
/// exposed outputs must belong to that clock's domain).
pub fn with_registers(
    name: &str,
    core: Module,
    exposure: &Exposure,
    bus: super::BusClock,
) -> Result<Module, HdlError> {
    let map = exposure_map(&core, exposure)?;
    let words = exposed(&core, &exposure.ports)?;
    let regs_module = regblock(&format!("{name}_regs"), &map)?;
    let core_name = core.name.clone();
    let mut m = ModuleBuilder::new(name);
    let outer = pass_through(&mut m, core, "core", "", |_| false)?;
    let missing = |what: &str| {
        HdlError::single(
            ErrorKind::Invalid(format!("`{core_name}` has no {what}")),
            name.to_string(),
            SourceLoc::caller(),
        )
    };
    let bus_clock = outer
        .clock(bus.0)
        .ok_or_else(|| missing(&format!("clock `{}`", bus.0)))?;
    let bus_reset = outer
        .input(bus.1)
        .ok_or_else(|| missing(&format!("reset `{}`", bus.1)))?;
    let u = outer.instance;
    let r = m.instance("regs", regs_module);
    m.assign(r.io("clk")?, bus_clock);
    m.assign(r.io("rst")?, bus_reset);
    let axi = Axi4Lite::new(r.io(&format!("{PREFIX}awaddr"))?.width(), REG_BITS);
    let inner = r.bundle(PREFIX, axi)?;
    let domain = Domain {
        clock: bus_clock,
        reset: None,
    };
    let (outer_bus, temperature) = m.in_domain(domain, |m| {
        let bus = m.sink(PREFIX, axi);
        let temperature = exposure.sensor.then(|| m.input(TEMPERATURE, 8));
        (bus, temperature)
    });
    m.connect(&outer_bus, &inner);
    for e in words {
        let lo = e.word * REG_BITS;
        let field = r.io(&format!("{}_value", reg_name(&e.port, e.width, e.word)))?;
        m.assign(field, u.io(&e.port)?.slice(lo + e.bits - 1, lo));
    }
    if let Some(h) = &exposure.history {
        m.assign(r.io(&format!("{}_push", h.name))?, u.io(&h.push)?);
        for (field, port) in &h.fields {
            m.assign(r.io(&format!("{}_{field}", h.name))?, u.io(port)?);
        }
    }
    if let Some(temperature) = temperature {
        m.assign(r.io(&format!("{TEMPERATURE}_celsius"))?, temperature);
        for status in ["alert_status_high_set", "alert_status_crit_set"] {
            m.assign(r.io(status)?, low());
        }
        let irq = m.output("irq", 1);
        m.assign(irq, r.io("irq")?);
    }
    m.finish()
}
