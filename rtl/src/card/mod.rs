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
//!
//! **Links.** A PCS row with `switch = "NAME"; port = N;` attaches the PCS
//! to port `N` of switch `NAME` ([`EthLink`]): an
//! [`xgmii_to_switch`](bridge::xgmii_to_switch) `u_PCS_rx_bridge` carries the
//! PCS's received frames into the port's input, a
//! [`switch_to_xgmii`](bridge::switch_to_xgmii) `u_PCS_tx_bridge` the port's
//! output packets to the PCS's transmit side, each crossing between the
//! PCS's clock and the switch's. The connected ports (the PCS's XGMII, the
//! port's beats and credit limits, [`LINK_PCS_PORTS`],
//! [`link_switch_port`]) stay inside the card; the port's counters stay
//! card ports, and the bridges' counters come out as `PCS_link_*`
//! ([`LINK_COUNTERS`]). The bridges carry frames of up to the switch's
//! `max_packet_beats` less [`bridge::HEADER_BEATS`] beats. [`CardConfig::issues`] checks every
//! attachment (the switch exists and is one, the port exists and is taken
//! once and is not the default port, `data_width = 64`, packets of at
//! least [`LINK_MIN_PACKET_BEATS`] beats), locating each problem at the
//! row's `switch` or `port` member.

pub mod bridge;

use crate::catalog::{BlockKind, ParamIssue, ParamKind, ParamSpec, Params, PathStep, Value};
use crate::cxl::controller::{cxl_controller, ControllerConfig};
use crate::ethernet::pcs::{eth_pcs, EthPcsConfig};
use crate::params::param_error;
use crate::retimer::top::{retimer, RetimerConfig};
use crate::switch::input_queue::Forwarding;
use crate::switch::switch::{switch, SwitchConfig};
use crate::telemetry::interconnect::{bus_addr_width, interconnect, window_base, Window};
use crate::telemetry::map::{RegMap, Register, REG_BITS};
use crate::telemetry::regblock::PREFIX;
use crate::telemetry::wiring::{
    exposed, exposure_map, pass_through, with_registers, Exposed, Exposure, Outer,
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
    /// A PCS's `switch` and `port` members as written (`""` and -1 when
    /// not given); always unset for the other kinds.
    pub link: (String, i64),
}

/// The `switch` member of an unconnected PCS.
const NO_SWITCH: &str = "";
/// The `port` member of an unconnected PCS.
const NO_PORT: i64 = -1;

impl Component {
    /// The component of `kind` in table row `row` (its members, with the
    /// row's `name`).
    fn from_row(kind: ComponentKind, row: &Params) -> Self {
        let mut params = row.clone();
        let name = match params.0.remove("name") {
            Some(Value::Str(n)) => n,
            _ => String::new(),
        };
        let mut link = (NO_SWITCH.to_string(), NO_PORT);
        if kind == ComponentKind::EthPcs {
            if let Some(Value::Str(s)) = params.0.remove(LINK_SWITCH) {
                link.0 = s;
            }
            if let Some(Value::Int(p)) = params.0.remove(LINK_PORT) {
                link.1 = p;
            }
        }
        Component {
            kind,
            name,
            params,
            link,
        }
    }

    /// Whether the row names a switch or a port.
    fn linked(&self) -> bool {
        self.link.0 != NO_SWITCH || self.link.1 != NO_PORT
    }
}

/// A PCS attached to a switch port: the PCS's receive side feeds the
/// port's input through an [`xgmii_to_switch`](bridge::xgmii_to_switch), the
/// port's output feeds the PCS's transmit side through a
/// [`switch_to_xgmii`](bridge::switch_to_xgmii).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthLink {
    /// The PCS's component index.
    pub pcs: usize,
    /// The switch's component index.
    pub switch: usize,
    /// The switch port.
    pub port: usize,
}

/// The PCS row member naming the switch a PCS attaches to.
pub const LINK_SWITCH: &str = "switch";
/// The PCS row member naming the switch port.
pub const LINK_PORT: &str = "port";
/// The fewest beats a switch attached to a PCS must take in a packet: a
/// header and a minimum frame.
pub const LINK_MIN_PACKET_BEATS: u32 =
    bridge::HEADER_BEATS + (bridge::MIN_FRAME_BYTES / bridge::BEAT_BYTES) as u32;

/// The PCS ports a link connects inside the card.
pub const LINK_PCS_PORTS: [&str; 6] = [
    "xgmii_txd",
    "xgmii_txc",
    "xgmii_tx_ready",
    "xgmii_rxd",
    "xgmii_rxc",
    "xgmii_rx_valid",
];

/// Whether switch port (or interface prefix) `name` is one a link on
/// `port` connects inside the card: the TLP streams and credits of
/// `rx{port}_` and `tx{port}_`, not their counters.
pub fn link_switch_port(name: &str, port: usize) -> bool {
    [format!("rx{port}_"), format!("tx{port}_")]
        .iter()
        .any(|prefix| {
            name.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                rest.is_empty()
                    || ["valid", "ready", "sop", "eop", "data", "keep", "nullify"].contains(&rest)
                    || rest.starts_with("fc_")
            })
        })
}

/// The counters of a link's bridges, each a card output
/// `PCS_link_NAME`: (bridge instance, the bridge's port, NAME).
pub const LINK_COUNTERS: [(&str, &str, &str); 9] = [
    ("rx", "rx_frames", "rx_frames"),
    ("rx", "rx_dropped", "rx_dropped"),
    ("rx", "rx_oversize", "rx_oversize"),
    ("rx", "rx_overflow", "rx_overflow"),
    ("rx", "packets", "rx_packets"),
    ("tx", "packets", "tx_packets"),
    ("tx", "drops", "tx_drops"),
    ("tx", "tx_frames", "tx_frames"),
    ("tx", "underruns", "tx_underruns"),
];

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
                    crate::switch::switch::telemetry(&cfg),
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
                    crate::cxl::controller::telemetry(&cfg),
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
                let c = Component::from_row(kind, row);
                if c.name.is_empty() {
                    return Err(param_error(kind.name(), "a row has no name"));
                }
                components.push(c);
            }
        }
        let cfg = CardConfig { components };
        cfg.validate()?;
        Ok(cfg)
    }

    /// The PCSs attached to switch ports (every attachment whose switch
    /// exists; [`CardConfig::validate`] checks the rest).
    pub fn links(&self) -> Vec<EthLink> {
        self.components
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == ComponentKind::EthPcs)
            .filter_map(|(pcs, c)| {
                let switch = self
                    .components
                    .iter()
                    .position(|d| d.kind == ComponentKind::Switch && d.name == c.link.0)?;
                let port = usize::try_from(c.link.1).ok()?;
                Some(EthLink { pcs, switch, port })
            })
            .collect()
    }

    /// The bridges' size for a link to switch `switch`.
    pub fn bridge(&self, switch: usize) -> Result<bridge::BridgeConfig, RtlError> {
        let sw = SwitchConfig::from_params(&self.components[switch].params)?;
        let cfg = bridge::BridgeConfig {
            max_frame_beats: (sw.max_packet_beats - bridge::HEADER_BEATS)
                .min(bridge::MAX_FRAME_BEATS.max as u32),
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the number of components, their names (distinct, and none
    /// that would clash with the bus ports) and the PCSs' attachments.
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

    /// Every problem with the components' names and number and the PCSs'
    /// attachments, located at the offending row or member.
    pub fn issues(&self) -> Vec<ParamIssue> {
        let mut issues = Vec::new();
        let mut rows = std::collections::BTreeMap::new();
        let mut attached = std::collections::BTreeMap::new();
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
                    path: path.clone(),
                    message: format!("more than {MAX_COMPONENTS} components on one card"),
                    help: None,
                });
            }
            if c.linked() {
                self.link_issues(c, &path, &mut attached, &mut issues);
            }
        }
        issues
    }

    /// The problems with PCS `c`'s attachment (its row at `path`); records
    /// the (switch, port) it takes in `attached`.
    fn link_issues(
        &self,
        c: &Component,
        path: &[PathStep],
        attached: &mut std::collections::BTreeMap<(usize, i64), String>,
        issues: &mut Vec<ParamIssue>,
    ) {
        let at = |member: &'static str| {
            let mut p = path.to_vec();
            p.push(PathStep::Param(member));
            p
        };
        let mut issue = |member, message: String, help: Option<String>| {
            issues.push(ParamIssue {
                path: at(member),
                message,
                help,
            })
        };
        let (name, port) = (&c.link.0, c.link.1);
        if name == NO_SWITCH {
            return issue(
                LINK_PORT,
                format!("`{LINK_PORT}` without `{LINK_SWITCH}`"),
                Some(format!(
                    "attach the PCS with `{LINK_SWITCH} = \"NAME\"; {LINK_PORT} = N;`"
                )),
            );
        }
        let switches: Vec<&str> = self
            .components
            .iter()
            .filter(|d| d.kind == ComponentKind::Switch)
            .map(|d| d.name.as_str())
            .collect();
        let help = Some(if switches.is_empty() {
            "this card has no switch".to_string()
        } else {
            format!("switches on this card: {}", switches.join(", "))
        });
        let Some(j) = self.components.iter().position(|d| &d.name == name) else {
            return issue(
                LINK_SWITCH,
                format!("no component `{name}` on this card"),
                help,
            );
        };
        let target = &self.components[j];
        if target.kind != ComponentKind::Switch {
            return issue(
                LINK_SWITCH,
                format!(
                    "`{name}` is a {}; a PCS attaches to a switch port",
                    target.kind.name()
                ),
                help,
            );
        }
        // A switch with bad parameters has its own issues.
        let Ok(sw) = SwitchConfig::from_params(&target.params) else {
            return;
        };
        if sw.data_width != bridge::DATA_WIDTH {
            issue(
                LINK_SWITCH,
                format!(
                    "switch `{name}` has data_width = {}; a PCS's frames cross as one 64-bit XGMII word per beat",
                    sw.data_width
                ),
                Some(format!("set `data_width = 64;` on switch `{name}`")),
            );
        }
        if sw.forwarding == Forwarding::CutThrough {
            issue(
                LINK_SWITCH,
                format!(
                    "switch `{name}` forwards cut-through; a PCS's transmit bridge sends every frame it starts, so it cannot drop one the switch ends nullified"
                ),
                Some(format!("set `forwarding = store_and_forward;` on switch `{name}`")),
            );
        }
        if sw.max_packet_beats < LINK_MIN_PACKET_BEATS {
            issue(
                LINK_SWITCH,
                format!(
                    "switch `{name}` takes packets of at most {} beats; a {}-byte frame needs {LINK_MIN_PACKET_BEATS} ({} header and {} payload beats)",
                    sw.max_packet_beats,
                    bridge::MIN_FRAME_BYTES,
                    bridge::HEADER_BEATS,
                    LINK_MIN_PACKET_BEATS - bridge::HEADER_BEATS
                ),
                Some(format!("set `max_packet_beats` to at least {LINK_MIN_PACKET_BEATS} on switch `{name}`")),
            );
        }
        if port == NO_PORT {
            return issue(
                LINK_SWITCH,
                format!("the PCS attaches to switch `{name}` but names no `{LINK_PORT}`"),
                Some(format!(
                    "add `{LINK_PORT} = N;` with N in 0..={}",
                    sw.ports - 1
                )),
            );
        }
        if port < 0 || port as usize >= sw.ports {
            return issue(
                LINK_PORT,
                format!("switch `{name}` has no port {port}"),
                Some(format!("its ports are 0..={}", sw.ports - 1)),
            );
        }
        if sw.default_port == Some(port as usize) {
            issue(
                LINK_PORT,
                format!("port {port} is switch `{name}`'s default_port, where its unroutable packets go"),
                Some("attach the PCS to another port, or change default_port".into()),
            );
        }
        if let Some(other) = attached.insert((j, port), c.name.clone()) {
            issue(
                LINK_PORT,
                format!("port {port} of switch `{name}` is already attached to `{other}`"),
                Some("each switch port attaches one PCS".into()),
            );
        }
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
    let links = cfg.links();
    let mut windows = Vec::new();
    let mut outers = Vec::new();
    for (i, c) in cfg.components.iter().enumerate() {
        // The ports a link connects inside the card.
        let pcs_linked = links.iter().any(|l| l.pcs == i);
        let switch_ports: Vec<usize> = links
            .iter()
            .filter(|l| l.switch == i)
            .map(|l| l.port)
            .collect();
        let inside = |p: &str| {
            p.starts_with(PREFIX)
                || (pcs_linked && LINK_PCS_PORTS.contains(&p))
                || switch_ports.iter().any(|&k| link_switch_port(p, k))
        };
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
            inside,
        )?;
        windows.push(Window {
            name: c.name.clone(),
            addr_width: map.addr_width,
        });
        outers.push(outer);
    }
    for l in &links {
        link(&mut m, module_name, cfg, l, &outers)?;
    }
    let bus = m.instance(
        "u_bus",
        interconnect(&format!("{module_name}_bus"), &windows)?,
    );
    m.assign(bus.io("clk")?, clk);
    m.assign(bus.io("rst")?, rst);
    let bus_axi = Axi4Lite::new(bus.io(&format!("{PREFIX}awaddr"))?.width(), REG_BITS);
    let slave = m.in_domain(
        Domain {
            clock: clk,
            reset: None,
        },
        |m| m.sink(PREFIX, bus_axi),
    );
    m.connect(&slave, &bus.bundle(PREFIX, bus_axi)?);
    for ((c, outer), window) in cfg.components.iter().zip(&outers).zip(&windows) {
        let (clock_name, reset_name) = c.kind.bus();
        let missing =
            |what: &str| param_error(c.kind.name(), format!("`{}` has no {what}", c.name));
        let clock = outer.clock(clock_name).ok_or_else(|| missing(clock_name))?;
        let reset = outer.input(reset_name).ok_or_else(|| missing(reset_name))?;
        m.assign(bus.io(&format!("{}_clk", c.name))?, clock);
        m.assign(bus.io(&format!("{}_rst", c.name))?, reset);
        let regs = outer
            .instance
            .bundle(PREFIX, Axi4Lite::new(window.addr_width, REG_BITS))?;
        let master = bus.bundle(&format!("{}_axil_", c.name), *regs.bundle())?;
        m.connect(&master, &regs);
    }
    Ok(m.finish()?)
}

/// The bridges of link `l`: `u_PCS_rx_bridge` from the PCS's receive
/// side to the switch input, `u_PCS_tx_bridge` from the switch output to
/// the PCS's transmit side, and their counters as `PCS_link_*` outputs.
fn link(
    m: &mut ModuleBuilder,
    module_name: &str,
    cfg: &CardConfig,
    l: &EthLink,
    outers: &[Outer],
) -> Result<(), RtlError> {
    let (pcs, sw) = (&outers[l.pcs], &outers[l.switch]);
    let name = &cfg.components[l.pcs].name;
    let size = cfg.bridge(l.switch)?;
    let missing = |what: &str| param_error("eth_pcs", format!("`{name}`'s link has no {what}"));
    let clock = |o: &Outer, n: &str| o.clock(n).ok_or_else(|| missing(n));
    let reset = |o: &Outer, n: &str| o.input(n).ok_or_else(|| missing(n));
    let rx = m.instance(
        format!("u_{name}_rx_bridge"),
        bridge::xgmii_to_switch(&format!("{module_name}_{name}_rx_bridge"), &size)?,
    );
    let tx = m.instance(
        format!("u_{name}_tx_bridge"),
        bridge::switch_to_xgmii(&format!("{module_name}_{name}_tx_bridge"), &size)?,
    );
    m.assign(rx.io("rx_clk")?, clock(pcs, "rx_clk")?);
    m.assign(rx.io("rx_rst")?, reset(pcs, "rx_rst")?);
    m.assign(tx.io("tx_clk")?, clock(pcs, "tx_clk")?);
    m.assign(tx.io("tx_rst")?, reset(pcs, "tx_rst")?);
    for b in [&rx, &tx] {
        m.assign(b.io("clk")?, clock(sw, "clk")?);
        m.assign(b.io("rst")?, reset(sw, "rst")?);
    }
    let (p, s) = (&pcs.instance, &sw.instance);
    for port in ["xgmii_rx_valid", "xgmii_rxd", "xgmii_rxc"] {
        m.assign(rx.io(port)?, p.io(port)?);
    }
    for port in ["xgmii_txd", "xgmii_txc"] {
        m.assign(p.io(port)?, tx.io(port)?);
    }
    m.assign(tx.io("xgmii_tx_ready")?, p.io("xgmii_tx_ready")?);
    let (input, output) = (format!("rx{}_", l.port), format!("tx{}_", l.port));
    let stream = TlpStream::new(bridge::DATA_WIDTH);
    m.connect(&rx.bundle("pkt_", stream)?, &s.bundle(&input, stream)?);
    m.connect(&s.bundle(&output, stream)?, &tx.bundle("pkt_", stream)?);
    // The receive bridge passes only whole, good frames: it nullifies none.
    // (The switch, store and forward here, nullifies none either.)
    m.assign(s.io(&format!("{input}nullify"))?, low());
    for (h, d) in crate::switch::credit::TYPE_NAMES {
        for t in [h, d] {
            m.assign(
                rx.io(&format!("pkt_fc_{t}"))?,
                s.io(&format!("{input}fc_{t}"))?,
            );
            m.assign(
                s.io(&format!("{output}fc_{t}"))?,
                tx.io(&format!("pkt_fc_{t}"))?,
            );
        }
    }
    for (side, port, counter) in LINK_COUNTERS {
        let b = if side == "rx" { &rx } else { &tx };
        let inner = b.io(port)?;
        let out = m.output(format!("{name}_link_{counter}"), inner.width());
        m.assign(out, inner);
    }
    Ok(())
}

/// The table of `kind` in a card's parameters: rows with the kind's own
/// parameters (without its `telemetry` option: a card component always
/// has its register block).
fn table_spec(kind: ComponentKind) -> ParamSpec {
    let block = kind.block_kind();
    let mut row: Vec<ParamSpec> = block
        .params
        .into_iter()
        .filter(|p| p.name != "telemetry")
        .collect();
    if kind == ComponentKind::EthPcs {
        row.push(ParamSpec {
            name: LINK_SWITCH,
            short: "",
            kind: ParamKind::Text,
            default: Value::Str(NO_SWITCH.into()),
            doc: "the switch whose port this PCS attaches to (\"\": none, the PCS's XGMII stays on the card's ports)",
        });
        row.push(ParamSpec {
            name: LINK_PORT,
            short: "",
            kind: ParamKind::Int {
                min: NO_PORT,
                max: 63,
            },
            default: Value::Int(NO_PORT),
            doc: "the switch port this PCS attaches to (with `switch`)",
        });
    }
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
            ComponentKind::EthPcs => {
                "Ethernet PCSs on the card: `eth_pcs NAME { switch = \"SW\"; port = 0; .. }`"
            }
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
                components.push(Component::from_row(kind, row));
            }
        }
    }
    CardConfig { components }.issues()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: KIND,
        doc: "card: retimers, switches, Ethernet PCSs (each optionally attached to a switch port through bridges) and CXL controllers from the config, one shared AXI4-Lite register bus (s_axil_*)",
        params: ComponentKind::ALL.into_iter().map(table_spec).collect(),
        build: |name, p| card(name, &CardConfig::from_params(p)?),
        issues,
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

    /// Sets member `key` of row `row` of table `kind` in `p`.
    fn set(p: &mut Params, kind: ComponentKind, row: usize, key: &str, v: Value) {
        if let Some(Value::List(rows)) = p.0.get_mut(kind.name()) {
            if let Some(Value::Group(g)) = rows.get_mut(row) {
                g.0.insert(key.into(), v);
            }
        }
    }

    /// A card with switch `sw` (64-bit, 16-beat packets, 4 ports), PCSs
    /// `a` and `b` (windows 1 and 2) and a CXL controller.
    fn linked_card() -> Params {
        let mut p = card_params(&[
            (ComponentKind::Switch, "sw"),
            (ComponentKind::CxlController, "mem"),
            (ComponentKind::EthPcs, "a"),
            (ComponentKind::EthPcs, "b"),
        ]);
        set(
            &mut p,
            ComponentKind::Switch,
            0,
            "max_packet_beats",
            Value::Int(16),
        );
        set(
            &mut p,
            ComponentKind::Switch,
            0,
            "queue_depth",
            Value::Int(128),
        );
        p
    }

    fn attach(p: &mut Params, row: usize, switch: &str, port: i64) {
        set(
            p,
            ComponentKind::EthPcs,
            row,
            LINK_SWITCH,
            Value::Str(switch.into()),
        );
        set(p, ComponentKind::EthPcs, row, LINK_PORT, Value::Int(port));
    }

    /// The (row, member, message) of each issue.
    fn link_issues_of(p: &Params) -> Vec<(usize, &'static str, String)> {
        issues(p)
            .into_iter()
            .map(|i| match i.path.as_slice() {
                [PathStep::Param("eth_pcs"), PathStep::Row(r), PathStep::Param(m)] => {
                    (*r, *m, i.message)
                }
                other => panic!("issue not on a PCS member: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn attachments_resolve_to_links() {
        let mut p = linked_card();
        attach(&mut p, 0, "sw", 2);
        attach(&mut p, 1, "sw", 0);
        assert!(issues(&p).is_empty(), "{:?}", issues(&p));
        let cfg = CardConfig::from_params(&p).expect("valid");
        assert_eq!(
            cfg.links(),
            vec![
                EthLink {
                    pcs: 1,
                    switch: 0,
                    port: 2
                },
                EthLink {
                    pcs: 2,
                    switch: 0,
                    port: 0
                },
            ]
        );
        assert_eq!(cfg.bridge(0).expect("size").max_frame_beats, 14);
    }

    #[test]
    fn bad_attachments_are_issues_on_their_members() {
        type Edit = Box<dyn Fn(&mut Params)>;
        type Want = Vec<(usize, &'static str, &'static str)>;
        let cases: Vec<(Edit, Want)> = vec![
            (
                Box::new(|p| attach(p, 0, "nope", 0)),
                vec![(0, "switch", "no component `nope` on this card")],
            ),
            (
                Box::new(|p| attach(p, 0, "mem", 0)),
                vec![(0, "switch", "`mem` is a cxl_controller; a PCS attaches to a switch port")],
            ),
            (
                Box::new(|p| attach(p, 1, "sw", 4)),
                vec![(1, "port", "switch `sw` has no port 4")],
            ),
            (
                Box::new(|p| {
                    attach(p, 0, "sw", 1);
                    attach(p, 1, "sw", 1);
                }),
                vec![(1, "port", "port 1 of switch `sw` is already attached to `a`")],
            ),
            (
                Box::new(|p| set(p, ComponentKind::EthPcs, 0, LINK_PORT, Value::Int(2))),
                vec![(0, "port", "`port` without `switch`")],
            ),
            (
                Box::new(|p| {
                    set(p, ComponentKind::EthPcs, 0, LINK_SWITCH, Value::Str("sw".into()))
                }),
                vec![(0, "switch", "the PCS attaches to switch `sw` but names no `port`")],
            ),
            (
                Box::new(|p| {
                    attach(p, 0, "sw", 1);
                    set(p, ComponentKind::Switch, 0, "data_width", Value::Int(128));
                    set(p, ComponentKind::Switch, 0, "max_packet_beats", Value::Int(8));
                }),
                vec![
                    (0, "switch", "switch `sw` has data_width = 128; a PCS's frames cross as one 64-bit XGMII word per beat"),
                    (0, "switch", "switch `sw` takes packets of at most 8 beats; a 64-byte frame needs 10 (2 header and 8 payload beats)"),
                ],
            ),
            (
                Box::new(|p| {
                    attach(p, 0, "sw", 1);
                    set(p, ComponentKind::Switch, 0, "forwarding", Value::Str("cut_through".into()));
                }),
                vec![(0, "switch", "switch `sw` forwards cut-through; a PCS's transmit bridge sends every frame it starts, so it cannot drop one the switch ends nullified")],
            ),
            (
                Box::new(|p| {
                    attach(p, 0, "sw", 3);
                    set(p, ComponentKind::Switch, 0, "default_port", Value::Int(3));
                }),
                vec![(0, "port", "port 3 is switch `sw`'s default_port, where its unroutable packets go")],
            ),
        ];
        for (edit, want) in cases {
            let mut p = linked_card();
            edit(&mut p);
            let got = link_issues_of(&p);
            let want: Vec<(usize, &str, String)> = want
                .into_iter()
                .map(|(r, m, s)| (r, m, s.to_string()))
                .collect();
            assert_eq!(got, want);
            assert!(CardConfig::from_params(&p).is_err());
        }
    }

    #[test]
    fn a_link_takes_its_ports_inside_the_card() {
        let mut p = linked_card();
        attach(&mut p, 0, "sw", 2);
        let m = card("c", &CardConfig::from_params(&p).expect("valid")).expect("builds");
        for gone in [
            "a_xgmii_txd",
            "a_xgmii_rx_valid",
            "sw_rx2_valid",
            "sw_tx2_fc_ph",
        ] {
            assert!(m.port(gone).is_none(), "{gone} is still a card port");
        }
        for kept in [
            "b_xgmii_txd",
            "a_serdes_rx_data",
            "sw_rx2_drops",
            "sw_tx2_packets",
            "sw_rx1_valid",
            "a_link_rx_frames",
            "a_link_tx_frames",
        ] {
            assert!(m.port(kept).is_some(), "no card port {kept}");
        }
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
