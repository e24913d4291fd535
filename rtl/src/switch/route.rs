//! `route_table`: where a packet goes, from its TLP header (see [`tlp`]),
//! by per-port windows programmed through registers (PCIe 7.5.1.3).
//!
//! Each output port `p` has a 32-bit memory window (address bits 31:20,
//! 1 MB granularity; it matches only addresses below 4 GB), a 64-bit
//! prefetchable window (address bits 63:20) and a secondary..subordinate
//! bus range. Memory requests (MRd, MWr) and messages routed by address
//! route by address; completions, Type 1 configuration requests and
//! messages routed by ID by the bus number in DW2[31:24] (the requester's
//! or the target's); a Type 1 configuration request whose target bus is
//! the claiming port's secondary bus leaves converted to Type 0. Other packets (I/O requests, implicitly routed
//! messages, unsupported Fmt/Type) no window claims. A window or range matches when
//! `base <= value <= limit`; after reset every window is empty (base above
//! limit). When several ports match, the lowest wins. A packet no port
//! claims goes to `default_port` when one is configured, else it is
//! unroutable.
//!
//! Register interface: a write at an edge with `cfg_we` high sets register
//! `cfg_addr = port * 8 + reg` to `cfg_wdata[43:0]`: reg 0 memory base
//! (`[11:0]`), 1 memory limit, 2 prefetchable base (`[43:0]`), 3
//! prefetchable limit, 4 bus range (`[7:0]` secondary, `[15:8]`
//! subordinate), 5 the port's ID (`[15:0]`: bus, device, function; the
//! composed switch answers an unroutable non-posted request arriving at
//! the port with a completion from this completer ID; the table itself
//! does not read it). Other addresses are ignored.
//!
//! Block ports: `clk`, `rst`, `cfg_we`, `cfg_addr[A-1:0]` (A = bits for
//! the port count + 3), `cfg_wdata[43:0]`, the header fields routing reads:
//! `hdr_fmt_type[7:0]` (DW0[31:24]), `hdr_dw2[31:0]`, `hdr_dw3[31:0]`;
//! `dest[S-1:0]`, `dest_valid`, `to_type0` (combinational).
//!
//! [`tlp`]: super::tlp

use super::onehot_index;
use super::tlp::{self, Header};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, param_error, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `ports`.
pub const PORTS: IntParam = IntParam::new("ports", "p", 2..=64, 4, "output ports");
/// Parameter `default_port`.
pub const DEFAULT_PORT: IntParam = IntParam::new(
    "default_port",
    "dp",
    -1..=63,
    -1,
    "port for packets no window claims; -1: unroutable, non-posted requests answered with UR, the rest dropped and counted",
);

/// Register index of the memory window base.
pub const REG_MEM_BASE: u64 = 0;
/// Register index of the memory window limit.
pub const REG_MEM_LIMIT: u64 = 1;
/// Register index of the prefetchable window base.
pub const REG_PREF_BASE: u64 = 2;
/// Register index of the prefetchable window limit.
pub const REG_PREF_LIMIT: u64 = 3;
/// Register index of the bus range.
pub const REG_BUS: u64 = 4;
/// Register index of the port's ID.
pub const REG_ID: u64 = 5;
/// Width of `cfg_wdata`.
pub const WDATA_BITS: u32 = 44;

/// Register address of `reg` of `port`.
pub fn reg_addr(port: usize, reg: u64) -> u64 {
    (port as u64) << 3 | reg
}

/// Width of `cfg_addr` for `ports` ports.
pub fn addr_width(ports: usize) -> u32 {
    bits_for(ports) + 3
}

/// The windows of one port, in register units (MB for memory windows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortWindows {
    /// Memory window: address bits 31:20, inclusive.
    pub mem: (u64, u64),
    /// Prefetchable window: address bits 63:20, inclusive.
    pub pref: (u64, u64),
    /// Secondary and subordinate bus numbers, inclusive.
    pub bus: (u8, u8),
    /// The port's ID (bus, device, function).
    pub id: u16,
}

impl PortWindows {
    /// The reset state: every window empty.
    pub const EMPTY: PortWindows = PortWindows {
        mem: (0xFFF, 0),
        pref: ((1 << 44) - 1, 0),
        bus: (0xFF, 0),
        id: 0,
    };
}

/// A routing table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteTableConfig {
    /// Output ports ([`PORTS`]).
    pub ports: usize,
    /// Where packets no port claims go; `None` makes them unroutable.
    pub default_port: Option<usize>,
}

impl RouteTableConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = RouteTableConfig {
            ports: PORTS.read(p)?,
            default_port: default_port_param(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the port count and that the default port exists.
    pub fn validate(&self) -> Result<(), RtlError> {
        PORTS.check(self.ports)?;
        match self.default_port {
            Some(d) if d >= self.ports => Err(param_error(
                "default_port",
                format!("port {d} does not exist among {} ports", self.ports),
            )),
            _ => Ok(()),
        }
    }
}

/// Parameter [`DEFAULT_PORT`]: `None` for -1.
pub(crate) fn default_port_param(p: &Params) -> Result<Option<usize>, RtlError> {
    let v: i64 = DEFAULT_PORT.read(p)?;
    Ok(usize::try_from(v).ok())
}

/// The table's registers in hardware, one set per port.
pub(crate) struct RouteTable {
    ports: Vec<[Signal; 6]>,
    default_port: Option<usize>,
}

impl RouteTable {
    /// Builds the registers, written through `cfg_we`/`cfg_addr`/`cfg_wdata`.
    pub fn build(
        m: &mut ModuleBuilder,
        cfg: &RouteTableConfig,
        we: Signal,
        addr: Signal,
        wdata: Signal,
    ) -> RouteTable {
        let aw = addr.width();
        let empty = PortWindows::EMPTY;
        let ports = (0..cfg.ports)
            .map(|p| {
                let fields = [
                    ("mem_base", 12, empty.mem.0),
                    ("mem_limit", 12, empty.mem.1),
                    ("pref_base", 44, empty.pref.0),
                    ("pref_limit", 44, empty.pref.1),
                    ("sec_bus", 8, empty.bus.0.into()),
                    ("sub_bus", 8, empty.bus.1.into()),
                ];
                let regs = fields.map(|(n, w, r)| m.reg(format!("rt{p}_{n}"), w).reset(r));
                let hit = |reg: u64| we & addr.eq(lit(reg_addr(p, reg), aw));
                for (k, reg) in [REG_MEM_BASE, REG_MEM_LIMIT, REG_PREF_BASE, REG_PREF_LIMIT]
                    .into_iter()
                    .enumerate()
                {
                    let q = regs[k];
                    m.when(hit(reg), |m| m.next(q, wdata.slice(q.width() - 1, 0)));
                }
                let (sec, sub) = (regs[4], regs[5]);
                m.when(hit(REG_BUS), |m| {
                    m.next(sec, wdata.slice(7, 0));
                    m.next(sub, wdata.slice(15, 8));
                });
                regs
            })
            .collect();
        RouteTable {
            ports,
            default_port: cfg.default_port,
        }
    }

    /// Where the decoded header `h` arriving at `from` goes. Without
    /// `from` every port's windows claim (the table alone, a switch
    /// without an upstream port); with it, see [`Ingress`].
    pub fn lookup(&self, h: &Header, from: Option<Ingress>) -> Route {
        let n = self.ports.len();
        let sw = bits_for(n);
        let upstream = from.map(|f| f.upstream);
        let by_addr = h.is_mem.clone() | h.msg_by_address.clone();
        let addr = h.addr.clone().slice(63, 20);
        let below_4g = !addr.clone().slice(43, 12).any();
        let mem_addr = addr.clone().slice(11, 0);
        let inside = |v: &Expr, lo: Signal, hi: Signal| lo.le(v.clone()) & v.clone().le(hi);
        let hits: Vec<Expr> = self
            .ports
            .iter()
            .map(|r| {
                let mem = below_4g.clone() & inside(&mem_addr, r[0], r[1]);
                let pref = inside(&addr, r[2], r[3]);
                (by_addr.clone() & (mem | pref)) | (h.by_id.clone() & inside(&h.bus, r[4], r[5]))
            })
            .enumerate()
            .map(|(p, hit)| if Some(p) == upstream { lit(0, 1) } else { hit })
            .collect();
        let hits = concat(hits.into_iter().rev().collect());
        let first = crate::common::arbiter::lowest_set(hits.clone());
        let claimed = hits.any();
        let secondary = self
            .ports
            .iter()
            .enumerate()
            .map(|(p, r)| first.clone().bit(p as u32).repeat(8) & r[4])
            .reduce(|a, b| a | b)
            .unwrap_or_else(|| lit(0, 8));
        let to_type0 = h.is_cfg1.clone() & claimed.clone() & h.bus.clone().eq(secondary);
        let dest = onehot_index(first.clone(), sw);
        let held = h.msg_broadcast.clone() | h.msg_local.clone();
        let route = |dest, valid| Route {
            dest,
            valid,
            to_type0: to_type0.clone(),
            broadcast: lit(0, 1),
        };
        let claimed = match from {
            Some(Ingress { port, upstream }) if port != upstream => {
                // From a downstream port: to the downstream port that claims
                // it, never back to this one, else up; `default_port` only
                // serves TLPs from above.
                let back = first.bit(port as u32);
                let up = !claimed.clone() | h.msg_to_root.clone();
                let dest = mux(up.clone(), lit(upstream as u64, sw), dest);
                return route(dest, (up | (claimed & !back)) & !held);
            }
            Some(_) => claimed & !h.msg_to_root.clone(),
            None => claimed,
        };
        let table = match self.default_port {
            Some(d) => route(mux(claimed, dest, lit(d as u64, sw)), !held),
            None => route(dest, claimed),
        };
        match from {
            // From the upstream port: a broadcast goes to every downstream
            // port, the lowest first.
            Some(Ingress { upstream, .. }) => {
                let bcast = h.msg_broadcast.clone();
                let lowest = u64::from(upstream == 0);
                Route {
                    dest: mux(bcast.clone(), lit(lowest, sw), table.dest),
                    valid: table.valid | bcast.clone(),
                    broadcast: bcast,
                    ..table
                }
            }
            None => table,
        }
    }
}

/// Where a TLP goes ([`RouteTable::lookup`]).
pub struct Route {
    /// The output port.
    pub dest: Expr,
    /// The TLP is routable (`dest` is meaningful).
    pub valid: Expr,
    /// A Type 1 configuration request whose target bus is the claiming
    /// port's secondary bus: it leaves as Type 0 (PCIe 7.3.3).
    pub to_type0: Expr,
    /// A broadcast from the root complex arriving at the upstream port: it
    /// goes to every downstream port, `dest` (the lowest) first.
    pub broadcast: Expr,
}

/// The port a TLP arrived at and the switch's upstream port, for
/// [`RouteTable::lookup`]: the upstream port's windows claim nothing; a
/// TLP from the upstream port goes to the downstream port that claims it;
/// one from a downstream port goes to another downstream port that claims
/// it, or up when none does or it is a message routed to the root complex;
/// one its own port claims is unroutable (a TLP never leaves by its ingress
/// port), as is a message to the root complex arriving from above. A
/// broadcast from the root complex arriving at the upstream port goes to
/// every downstream port; local messages, and broadcasts arriving anywhere
/// else, are not forwarded in any mode (not even to `default_port`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ingress {
    /// The port the TLP arrived at.
    pub port: usize,
    /// The upstream port.
    pub upstream: usize,
}

/// The ID register of each of `ports` ports (16 bits, reset 0), written
/// at register [`REG_ID`] through `we`/`addr`/`wdata`.
pub(crate) fn port_ids(
    m: &mut ModuleBuilder,
    ports: usize,
    we: Signal,
    addr: Signal,
    wdata: Signal,
) -> Vec<Signal> {
    let aw = addr.width();
    (0..ports)
        .map(|p| {
            let q = m.reg(format!("port{p}_id"), 16).reset(0);
            m.when(we & addr.eq(lit(reg_addr(p, REG_ID), aw)), |m| {
                m.next(q, wdata.slice(15, 0))
            });
            q
        })
        .collect()
}

/// Builds the routing table as module `module_name`.
pub fn route_table(module_name: &str, cfg: &RouteTableConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let we = m.input("cfg_we", 1);
    let addr = m.input("cfg_addr", addr_width(cfg.ports));
    let wdata = m.input("cfg_wdata", WDATA_BITS);
    let fmt_type = m.input("hdr_fmt_type", 8);
    let dw2 = m.input("hdr_dw2", 32);
    let dw3 = m.input("hdr_dw3", 32);
    let hdr = cat![dw3, dw2, lit(0, 32), fmt_type, lit(0, 24)];
    let dest = m.output("dest", bits_for(cfg.ports));
    let valid = m.output("dest_valid", 1);
    let to_type0 = m.output("to_type0", 1);
    let table = RouteTable::build(&mut m, cfg, we, addr, wdata);
    let route = table.lookup(&tlp::decode(hdr), None);
    m.assign(dest, route.dest);
    m.assign(valid, route.valid);
    m.assign(to_type0, route.to_type0);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "route_table",
        doc: "switch routing: memory, 64-bit prefetchable and bus-number windows via registers",
        params: vec![PORTS.spec(), DEFAULT_PORT.spec()],
        build: |name, p| Ok(route_table(name, &RouteTableConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
