//! Telemetry: register maps described in the config language, the register
//! blocks that implement them behind an AXI4-Lite slave, and the software
//! view of the same map (Markdown, JSON and a C header).
//!
//! - [`map`]: the register map, its rules and auto placement;
//! - [`regblock`]: the hardware;
//! - [`fifo`]: the history FIFO behind a register with `fifo` fields;
//! - [`docs`]: the documentation, JSON description and C header;
//! - [`wiring`]: a block's counters exposed through a register block (the
//!   `switch` and `retimer` kinds' `telemetry` option);
//! - [`interconnect`]: one AXI4-Lite bus routed to several register blocks
//!   in their own clock domains (a `card`'s shared bus).
//!
//! The catalogue kind `regmap` takes the map as its parameters. The
//! reference model and the bus testbench are in `linkforge-verif`
//! (`tb::telemetry`).

pub mod docs;
pub mod fifo;
pub mod interconnect;
pub mod map;
pub mod regblock;
pub mod wiring;

use crate::catalog::{BlockKind, ParamIssue, Params, PathStep};
use crate::params::param_error;
use crate::RtlError;
use map::{Access, Alert, Field, FieldRef, RegMap, Register};

/// The catalogue name of the register block.
pub const KIND: &str = "regmap";

/// The name of field `r`'s hardware port, `REG_FIELD` (the `w1c` and `rc`
/// inputs add `_set` and `_inc`).
pub fn port_name(map: &RegMap, r: FieldRef) -> String {
    format!("{}_{}", map.regs[r.reg].name, map.field(r).name)
}

/// The register map in `p`, or the first problem with it as a parameter
/// error naming its path (`reg[2].field[0].lsb`).
pub fn map_from_params(p: &Params) -> Result<RegMap, RtlError> {
    match RegMap::parse(p) {
        (Some(map), _) => Ok(map),
        (None, issues) => Err(issues.into_iter().next().map_or_else(
            || param_error("reg", "invalid register map"),
            |i| param_error(&path_text(&i.path), i.message),
        )),
    }
}

/// The clock and the reset a register block's bus is synchronous to.
pub type BusClock = (&'static str, &'static str);

/// `clk` and `rst`: the bus clock of a `regmap` and a `switch`.
pub const CLK_RST: BusClock = ("clk", "rst");

/// The register map a variant of `kind` with parameters `p` exposes on an
/// `s_axil_` port, with the bus clock: a `regmap`'s own, a `switch`'s or
/// `retimer`'s with `telemetry`, a `card`'s (all its components'); `None` for kinds and variants without one.
pub fn register_map(kind: &str, p: &Params) -> Result<Option<(RegMap, BusClock)>, RtlError> {
    let on = |map: Option<RegMap>, bus| map.map(|m| (m, bus));
    Ok(match kind {
        KIND => Some((map_from_params(p)?, CLK_RST)),
        "switch" => on(crate::switch::switch::register_map(p)?, CLK_RST),
        "retimer" => on(
            crate::retimer::top::register_map(p)?,
            crate::retimer::top::TELEMETRY_BUS,
        ),
        "cxl_controller" => on(crate::cxl::controller::register_map(p)?, CLK_RST),
        crate::card::KIND => Some((
            crate::card::CardConfig::from_params(p)?.register_map()?,
            CLK_RST,
        )),
        _ => None,
    })
}

/// The windows of a variant of `kind` whose register map is composed of
/// several blocks' (a `card`'s components, with their base addresses);
/// empty for other kinds.
pub fn windows(kind: &str, p: &Params) -> Result<Vec<(String, u64)>, RtlError> {
    Ok(match kind {
        crate::card::KIND => crate::card::CardConfig::from_params(p)?.bases(),
        _ => Vec::new(),
    })
}

/// Every problem with the register map in `p`.
pub fn issues(p: &Params) -> Vec<ParamIssue> {
    RegMap::parse(p).1
}

fn path_text(path: &[PathStep]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            PathStep::Param(n) if s.is_empty() => s.push_str(n),
            PathStep::Param(n) => {
                s.push('.');
                s.push_str(n);
            }
            PathStep::Row(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// A field `name` of `width` bits at bit `lsb` with `access`, reset value
/// `reset` and description `desc`, raising no interrupt.
pub fn field(name: &str, lsb: u32, width: u32, access: Access, reset: u32, desc: &str) -> Field {
    Field {
        name: name.into(),
        lsb,
        width,
        access,
        reset,
        irq: false,
        desc: desc.into(),
    }
}

/// A register `name` at byte `offset` with `fields`.
pub fn reg(name: &str, offset: u32, desc: &str, fields: Vec<Field>) -> Register {
    Register {
        name: name.into(),
        offset,
        desc: desc.into(),
        fields,
    }
}

/// The name of the die-temperature register of [`sensor_registers`].
pub const TEMPERATURE: &str = "temperature";

/// The die-temperature registers at byte offset `offset` on, as registers
/// `first..` of a map: `temperature` (`celsius`, `ro`, written by the
/// sensor), `temp_high` and `temp_crit` (`level`, `rw`, 85 and 105 degrees)
/// and `alert_status` (`high` and `crit`, `w1c`, raising `irq`), with the
/// alerts that set the status bits while the temperature is at a level.
pub fn sensor_registers(offset: u32, first: usize) -> (Vec<Register>, Vec<Alert>) {
    let alarm = |name: &str, lsb, desc: &str| Field {
        irq: true,
        ..field(name, lsb, 1, Access::W1c, 0, desc)
    };
    let at = |reg, field| FieldRef {
        reg: first + reg,
        field,
    };
    let regs = vec![
        reg(
            TEMPERATURE,
            offset,
            "die temperature, written by the sensor",
            vec![field(
                "celsius",
                0,
                8,
                Access::Ro,
                0,
                "degrees Celsius, unsigned",
            )],
        ),
        reg(
            "temp_high",
            offset + 4,
            "high-temperature alert level",
            vec![field("level", 0, 8, Access::Rw, 85, "degrees Celsius")],
        ),
        reg(
            "temp_crit",
            offset + 8,
            "critical-temperature alert level",
            vec![field("level", 0, 8, Access::Rw, 105, "degrees Celsius")],
        ),
        reg(
            "alert_status",
            offset + 12,
            "temperature alerts; each set bit raises irq",
            vec![
                alarm("high", 0, "temperature reached temp_high"),
                alarm("crit", 1, "temperature reached temp_crit"),
            ],
        ),
    ];
    let alerts = vec![
        Alert {
            source: at(0, 0),
            threshold: at(1, 0),
            status: at(3, 0),
        },
        Alert {
            source: at(0, 0),
            threshold: at(2, 0),
            status: at(3, 1),
        },
    ];
    (regs, alerts)
}

/// The map of a `regmap` that writes no registers: a small telemetry set
/// with a die temperature, high and critical thresholds that raise `irq`
/// ([`sensor_registers`]), a link status, an error counter and a control
/// register.
pub fn default_map() -> RegMap {
    let (sensor, alerts) = sensor_registers(0x04, 1);
    let mut regs = vec![reg(
        "scratch",
        0x00,
        "free for software",
        vec![field("value", 0, 32, Access::Rw, 0, "any value")],
    )];
    regs.extend(sensor);
    regs.extend([
        reg(
            "link",
            0x14,
            "link state",
            vec![
                field("up", 0, 1, Access::Ro, 0, "the link is up"),
                field("state", 4, 4, Access::Ro, 0, "state machine state"),
            ],
        ),
        reg(
            "errors",
            0x18,
            "receive errors since the last read",
            vec![field("count", 0, 16, Access::Rc, 0, "saturating count")],
        ),
        reg(
            "control",
            0x1C,
            "control",
            vec![
                field("enable", 0, 1, Access::Rw, 1, "enable the block"),
                field("kick", 8, 8, Access::Wo, 0, "command code; reads as zero"),
            ],
        ),
    ]);
    RegMap {
        addr_width: map::ADDR_WIDTH.default as u32,
        regs,
        alerts,
    }
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: KIND,
        doc: "register block from a register map, AXI4-Lite slave (s_axil_*), alerts and irq",
        params: map::specs(&default_map()),
        build: |name, p| Ok(regblock::regblock(name, &map_from_params(p)?)?),
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_map_is_valid_and_round_trips() {
        let map = default_map();
        let (parsed, issues) = RegMap::parse(&map.to_params());
        assert_eq!(issues, vec![]);
        assert_eq!(parsed, Some(map));
    }

    #[test]
    fn issue_paths_read_like_the_config() {
        let path = [
            PathStep::Param("reg"),
            PathStep::Row(2),
            PathStep::Param("field"),
            PathStep::Row(0),
            PathStep::Param("lsb"),
        ];
        assert_eq!(path_text(&path), "reg[2].field[0].lsb");
    }
}
