//! `card`: a board of retimers, switches, Ethernet PCSs and CXL memory
//! controllers described in the config language, with one shared
//! AXI4-Lite register bus.
//!
//! A card's components are rows of one table per component kind
//! (`retimer NAME { .. }`, `switch NAME { .. }`, `eth_pcs NAME { .. }`,
//! `cxl_controller NAME { .. }`),
//! each row taking that kind's own parameters. Every component is built
//! with its telemetry register block and instantiated as `u_NAME`; all its
//! ports except the register block's come out as `NAME_PORT` (clocks stay
//! clocks, inputs keep their clock domains, interfaces are re-declared on
//! the prefixed names).
//!
//! The register bus: clock `clk`, synchronous reset `rst`, AXI4-Lite slave
//! `s_axil_*` through the [`interconnect`]. Components take windows in
//! order: all retimers, then all switches, then all PCSs, then all CXL
//! controllers, each in source order; window `i` starts at `i * 4 KiB`.
//! Each component's register block runs on its own clock (a retimer's and
//! a PCS's on `NAME_rx_clk`, a switch's and a controller's on `NAME_clk`,
//! where the counters live) and the bus crosses to
//! it through asynchronous FIFOs. Hold `rst` and every component reset
//! together for at least three edges of the slowest clock.
//!
//! A PCS's window exposes `rx_block_lock`, its receive-side counters and
//! `rx_hi_ber`; its transmit counters (transmit domain) are not on the bus.

pub mod bridge;

use crate::catalog::{BlockKind, ParamIssue, ParamKind, ParamSpec, Params, PathStep, Value};
use crate::cxl::controller::{cxl_controller, ControllerConfig};
use crate::ethernet::pcs::{eth_pcs, EthPcsConfig};
use crate::params::param_error;
use crate::retimer::top::{retimer, RetimerConfig};
use crate::switch::switch::{switch, SwitchConfig};
use crate::telemetry::interconnect::{bus_addr_width, interconnect, window_base, Window};
use crate::telemetry::map::{RegMap, Register};
use crate::telemetry::regblock::PREFIX;
use crate::telemetry::wiring::{
    exposed, exposure_map, pass_through, with_registers, Exposed, Exposure, BUS,
};
use crate::telemetry::{BusClock, CLK_RST};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// The catalogue name.
pub const KIND: &str = "card";

/// The most components on one card (windows on a 16-bit bus address).
pub const MAX_COMPONENTS: usize = 16;

/// A kind of component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentKind {
    /// A `retimer`.
    Retimer,
    /// A `switch`.
    Switch,
    /// An `eth_pcs`.
    EthPcs,
    /// A `cxl_controller`.
    CxlController,
}

impl ComponentKind {
    /// Every kind, in window order.
    pub const ALL: [ComponentKind; 4] = [
        ComponentKind::Retimer,
        ComponentKind::Switch,
        ComponentKind::EthPcs,
        ComponentKind::CxlController,
    ];

    /// The kind's catalogue name, also the card's table for it.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::Retimer => "retimer",
            ComponentKind::Switch => "switch",
            ComponentKind::EthPcs => "eth_pcs",
            ComponentKind::CxlController => "cxl_controller",
        }
    }

    /// The catalogue entry of the kind.
    fn block_kind(self) -> BlockKind {
        match self {
            ComponentKind::Retimer => crate::retimer::top::kind(),
            ComponentKind::Switch => crate::switch::switch::kind(),
            ComponentKind::EthPcs => crate::ethernet::pcs::kind(),
            ComponentKind::CxlController => crate::cxl::controller::kind(),
        }
    }

    /// The kind's reset inputs.
    pub fn resets(self) -> &'static [&'static str] {
        match self {
            ComponentKind::Retimer => &["rx_rst", "rst"],
            ComponentKind::Switch => &["rst"],
            ComponentKind::EthPcs => &["tx_rst", "rx_rst"],
            ComponentKind::CxlController => &["rst"],
        }
    }

    /// The clock and reset of the kind's register block.
    pub fn bus(self) -> BusClock {
        match self {
            ComponentKind::Retimer => crate::retimer::top::TELEMETRY_BUS,
            ComponentKind::Switch | ComponentKind::CxlController => CLK_RST,
            ComponentKind::EthPcs => crate::ethernet::pcs::TELEMETRY_BUS,
        }
    }
}

/// One component: its kind, name and that kind's complete parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Component {
    /// What it is.
    pub kind: ComponentKind,
    /// Its name: instance `u_NAME`, ports `NAME_*`.
    pub name: String,
    /// The kind's parameters (the row's members).
    pub params: Params,
}

impl Component {
    /// The component without its register block, as module `module_name`,
    /// with the outputs its register block exposes.
    pub fn core(&self, module_name: &str) -> Result<(Module, Exposure), RtlError> {
        Ok(match self.kind {
            ComponentKind::Retimer => (
                retimer(module_name, &RetimerConfig::from_params(&self.params)?)?,
                crate::retimer::top::telemetry(&RetimerConfig::from_params(&self.params)?),
            ),
            ComponentKind::Switch => {
                let cfg = SwitchConfig::from_params(&self.params)?;
                (
                    switch(module_name, &cfg)?,
                    crate::switch::switch::telemetry_ports(&cfg).into(),
                )
            }
            ComponentKind::EthPcs => (
                eth_pcs(module_name, &EthPcsConfig::from_params(&self.params)?)?,
                crate::ethernet::pcs::telemetry_ports().into(),
            ),
            ComponentKind::CxlController => {
                let cfg = ControllerConfig::from_params(&self.params)?;
                (
                    cxl_controller(module_name, &cfg)?,
                    crate::cxl::controller::telemetry_ports(&cfg).into(),
                )
            }
        })
    }

    /// The registers of the component's register block, in order (register
    /// `i` at offset `4 * i` of its window), with the output each reads.
    pub fn exposed(&self) -> Result<Vec<Exposed>, RtlError> {
        let (core, expose) = self.core("core")?;
        Ok(exposed(&core, &expose.ports)?)
    }

    /// The register map of the component's own register block (offsets
    /// inside its window).
    pub fn register_map(&self) -> Result<RegMap, RtlError> {
        let (core, expose) = self.core("core")?;
        Ok(exposure_map(&core, &expose)?)
    }
}

/// A card: its components in window order.
#[derive(Clone, Debug, PartialEq)]
pub struct CardConfig {
    /// The components; component `i` has window `i`.
    pub components: Vec<Component>,
}

impl CardConfig {
    /// The card described by `p`: every row of every component table.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let mut components = Vec::new();
        for kind in ComponentKind::ALL {
            for row in p.list(kind.name())? {
                let Value::Group(row) = row else {
                    return Err(param_error(kind.name(), "expected named rows"));
                };
                let mut params = row.clone();
                let name = match params.0.remove("name") {
                    Some(Value::Str(n)) => n,
                    _ => return Err(param_error(kind.name(), "a row has no name")),
                };
                components.push(Component { kind, name, params });
            }
        }
        let cfg = CardConfig { components };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the number of components and their names: distinct, and
    /// none that would clash with the bus ports.
    pub fn validate(&self) -> Result<(), RtlError> {
        match self.issues().into_iter().next() {
            Some(i) => Err(param_error(
                match i.path.first() {
                    Some(PathStep::Param(n)) => n,
                    _ => KIND,
                },
                i.message,
            )),
            None => Ok(()),
        }
    }

    /// Every problem with the components' names and number, located at
    /// the offending row.
    pub fn issues(&self) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        let mut rows = std::collections::BTreeMap::new();
        for (i, c) in self.components.iter().enumerate() {
            let row = rows.entry(c.kind.name()).or_insert(0usize);
            let path = vec![PathStep::Param(c.kind.name()), PathStep::Row(*row)];
            *row += 1;
            let clash = format!("{}_", c.name);
            if PREFIX.starts_with(&clash) || ["clk", "rst"].contains(&c.name.as_str()) {
                issues.push(ParamIssue {
                    path: path.clone(),
                    message: format!("component name `{}` clashes with the bus ports", c.name),
                    help: Some("the card's bus is `clk`, `rst` and `s_axil_*`".into()),
                });
            }
            if let Some(first) = self.components[..i].iter().find(|d| d.name == c.name) {
                issues.push(ParamIssue {
                    path: path.clone(),
                    message: format!(
                        "a {} is already called `{}` on this card",
                        first.kind.name(),
                        c.name
                    ),
                    help: Some(
                        "component names prefix the card's ports, so they must differ".into(),
                    ),
                });
            }
            if i == MAX_COMPONENTS {
                issues.push(ParamIssue {
                    path,
                    message: format!("more than {MAX_COMPONENTS} components on one card"),
                    help: None,
                });
            }
        }
        issues
    }

    /// The card's register map: every component's registers, renamed
    /// `NAME_REG`, at its window's base.
    pub fn register_map(&self) -> Result<RegMap, RtlError> {
        let mut regs = Vec::new();
        for (i, c) in self.components.iter().enumerate() {
            let base = window_base(i) as u32;
            for r in c.register_map()?.regs {
                regs.push(Register {
                    name: format!("{}_{}", c.name, r.name),
                    offset: base + r.offset,
                    desc: format!("{} `{}`: {}", c.kind.name(), c.name, r.desc),
                    fields: r.fields,
                });
            }
        }
        Ok(RegMap {
            addr_width: bus_addr_width(self.components.len()),
            regs,
            alerts: Vec::new(),
        })
    }

    /// The base address of every component's window, by name.
    pub fn bases(&self) -> Vec<(String, u64)> {
        self.components
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), window_base(i)))
            .collect()
    }
}

/// Builds the card as module `module_name`.
pub fn card(module_name: &str, cfg: &CardConfig) -> Result<Module, RtlError> {
    cfg.validate()?;
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let mut windows = Vec::new();
    let mut outers = Vec::new();
    for c in &cfg.components {
        let (core, expose) = c.core(&format!("{module_name}_{}_core", c.name))?;
        let map = exposure_map(&core, &expose)?;
        let wrapped = with_registers(
            &format!("{module_name}_{}", c.name),
            core,
            &expose,
            c.kind.bus(),
        )?;
        let outer = pass_through(
            &mut m,
            wrapped,
            &format!("u_{}", c.name),
            &format!("{}_", c.name),
            |p| p.starts_with(PREFIX),
        )?;
        windows.push(Window {
            name: c.name.clone(),
            addr_width: map.addr_width,
        });
        outers.push(outer);
    }
    let bus = m.instance(
        "u_bus",
        interconnect(&format!("{module_name}_bus"), &windows)?,
    );
    m.assign(bus.io("clk")?, clk);
    m.assign(bus.io("rst")?, rst);
    let mut slave = Vec::new();
    for (port, input) in BUS {
        let name = format!("{PREFIX}{port}");
        slave.push((bus.io(&name)?, name, input));
    }
    m.in_domain(
        Domain {
            clock: clk,
            reset: None,
        },
        |m| {
            for (inner, name, input) in slave {
                if input {
                    let outer = m.input(name, inner.width());
                    m.assign(inner, outer);
                } else {
                    let outer = m.output(name, inner.width());
                    m.assign(outer, inner);
                }
            }
            m.interface(Protocol::Axi4Lite, PREFIX);
        },
    );
    for (c, outer) in cfg.components.iter().zip(&outers) {
        let (clock_name, reset_name) = c.kind.bus();
        let missing =
            |what: &str| param_error(c.kind.name(), format!("`{}` has no {what}", c.name));
        let clock = outer.clock(clock_name).ok_or_else(|| missing(clock_name))?;
        let reset = outer.input(reset_name).ok_or_else(|| missing(reset_name))?;
        m.assign(bus.io(&format!("{}_clk", c.name))?, clock);
        m.assign(bus.io(&format!("{}_rst", c.name))?, reset);
        for (port, input) in BUS {
            let inner = outer.instance.io(&format!("{PREFIX}{port}"))?;
            let master = bus.io(&format!("{}_axil_{port}", c.name))?;
            if input {
                m.assign(inner, master);
            } else {
                m.assign(master, inner);
            }
        }
    }
    Ok(m.finish()?)
}

/// The table of `kind` in a card's parameters: rows with the kind's own
/// parameters (without its `telemetry` option: a card component always
/// has its register block).
fn table_spec(kind: ComponentKind) -> ParamSpec {
    let block = kind.block_kind();
    let row = block
        .params
        .into_iter()
        .filter(|p| p.name != "telemetry")
        .collect();
    ParamSpec {
        name: kind.name(),
        short: "",
        kind: ParamKind::Table {
            row,
            max_len: MAX_COMPONENTS,
        },
        default: Value::List(Vec::new()),
        doc: match kind {
            ComponentKind::Retimer => "retimers on the card: `retimer NAME { lanes = 4; .. }`",
            ComponentKind::Switch => "switches on the card: `switch NAME { ports = 4; .. }`",
            ComponentKind::EthPcs => "Ethernet PCSs on the card: `eth_pcs NAME { .. }`",
            ComponentKind::CxlController => {
                "CXL memory controllers on the card: `cxl_controller NAME { hosts = 2; .. }`"
            }
        },
    }
}

/// Every problem with the card in `p` beyond what the specs check.
pub fn issues(p: &Params) -> Vec<ParamIssue> {
    let mut components = Vec::new();
    for kind in ComponentKind::ALL {
        for row in p.list(kind.name()).unwrap_or_default() {
            if let Value::Group(row) = row {
                components.push(Component {
                    kind,
                    name: row.str("name").unwrap_or_default().to_string(),
                    params: row.clone(),
                });
            }
        }
    }
    CardConfig { components }.issues()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: KIND,
        doc: "card: retimers, switches, Ethernet PCSs and CXL controllers from the config, one shared AXI4-Lite register bus (s_axil_*)",
        params: ComponentKind::ALL.into_iter().map(table_spec).collect(),
        build: |name, p| card(name, &CardConfig::from_params(p)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of `kind` named `name` with that kind's defaults.
    fn row(kind: ComponentKind, name: &str) -> Value {
        let mut p = Params::defaults(&kind.block_kind().params);
        p.0.insert("name".into(), Value::Str(name.into()));
        Value::Group(p)
    }

    fn card_params(rows: &[(ComponentKind, &str)]) -> Params {
        let mut p = Params::defaults(&kind().params);
        for (k, name) in rows {
            if let Some(Value::List(list)) = p.0.get_mut(k.name()) {
                list.push(row(*k, name));
            }
        }
        p
    }

    #[test]
    fn windows_go_by_kind_then_source_order() {
        let p = card_params(&[
            (ComponentKind::CxlController, "mem"),
            (ComponentKind::EthPcs, "up"),
            (ComponentKind::Switch, "sw"),
            (ComponentKind::Retimer, "b"),
            (ComponentKind::Retimer, "a"),
        ]);
        let cfg = CardConfig::from_params(&p).expect("valid card");
        let bases = cfg.bases();
        let want = [
            ("b", 0),
            ("a", 0x1000),
            ("sw", 0x2000),
            ("up", 0x3000),
            ("mem", 0x4000),
        ];
        assert_eq!(bases, want.map(|(n, b)| (n.to_string(), b)).to_vec(),);
        let map = cfg.register_map().expect("map");
        assert_eq!(map.regs[0].name, "b_pi_code");
        let up = map
            .regs
            .iter()
            .find(|r| r.name == "up_rx_frames")
            .expect("rx_frames");
        assert_eq!(up.offset, 0x3000 + 5 * 4);
    }

    #[test]
    fn duplicate_and_clashing_names_are_issues_on_their_rows() {
        let p = card_params(&[
            (ComponentKind::Retimer, "x"),
            (ComponentKind::Switch, "s"),
            (ComponentKind::EthPcs, "x"),
        ]);
        let issues = issues(&p);
        let paths: Vec<_> = issues.iter().map(|i| i.path.clone()).collect();
        assert_eq!(
            paths,
            vec![
                vec![PathStep::Param("switch"), PathStep::Row(0)],
                vec![PathStep::Param("eth_pcs"), PathStep::Row(0)],
            ]
        );
        assert!(CardConfig::from_params(&p).is_err());
    }

    #[test]
    fn an_empty_card_still_builds_its_bus() {
        let m = card(
            "empty",
            &CardConfig {
                components: Vec::new(),
            },
        )
        .expect("builds");
        assert!(m.port("s_axil_araddr").is_some());
    }
}
