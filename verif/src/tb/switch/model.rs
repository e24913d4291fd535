//! Rust reference models of the switch blocks: where `route_table` sends a
//! TLP through a set of programmed windows, the credit gate of
//! `credit_port`, and the transaction ordering rules the switch keeps.

use super::tlp::{decode, Class, Kind};
use linkforge_rtl::switch::route::{
    reg_addr, PortWindows, REG_BUS, REG_ID, REG_MEM_BASE, REG_MEM_LIMIT, REG_PREF_BASE,
    REG_PREF_LIMIT,
};
use std::collections::VecDeque;

/// Message routing subfield values (PCIe 2.2.8): to the root complex, by
/// address, by ID, broadcast from the root complex, local, gathered and
/// routed to the root complex.
const MSG_ROOT: u8 = 0b000;
const MSG_ADDRESS: u8 = 0b001;
const MSG_ID: u8 = 0b010;
const MSG_BROADCAST: u8 = 0b011;
const MSG_LOCAL: u8 = 0b100;
const MSG_GATHERED: u8 = 0b101;

/// The spec's credit gate on `bits`-bit counters: may a packet needing `need`
/// credits be sent?
pub fn credit_ok(limit: u64, consumed: u64, need: u64, bits: u32) -> bool {
    let modulus = 1u64 << bits;
    limit.wrapping_sub(consumed.wrapping_add(need)) & (modulus - 1) <= modulus / 2
}

/// May a TLP of class `later` pass an earlier one of class `earlier` on
/// the same path? From the ordering rules summary table of the PCIe Base
/// Specification (2.4.1), with Relaxed Ordering and ID-Based Ordering
/// clear: nothing passes a posted request; posted requests and
/// completions may pass a non-posted request (they must be allowed to, or
/// the fabric deadlocks), a non-posted request may pass one too; posted
/// and non-posted requests may pass a completion; a completion may not
/// pass another completion of the same transaction (`same_transaction`:
/// equal requester ID and tag), but may pass others.
pub fn may_pass(later: Class, earlier: Class, same_transaction: bool) -> bool {
    match (earlier, later) {
        (Class::Posted, _) => false,
        (Class::NonPosted, _) => true,
        (Class::Completion, Class::Completion) => !same_transaction,
        (Class::Completion, _) => true,
    }
}

/// The class a random `word` draws with relative weights `mix` (posted,
/// non-posted, completions; not all zero).
pub fn class_of(mix: [u64; 3], word: u64) -> Class {
    let pick = word % mix.iter().sum::<u64>();
    if pick < mix[0] {
        Class::Posted
    } else if pick < mix[0] + mix[1] {
        Class::NonPosted
    } else {
        Class::Completion
    }
}

/// Packets of one class a test transmitter holds before it offers no more
/// of that class, so a class stalled for credit does not stop the others.
pub const BACKLOG: usize = 16;

/// The packet of `waiting` (oldest first) a transmitter sends next: the
/// oldest that `ok` allows (its credit) and that may pass every older one
/// still waiting ([`may_pass`]); `key` gives a packet's class and
/// transaction (requester ID and tag).
pub fn next_to_send<T>(
    waiting: &VecDeque<T>,
    key: impl Fn(&T) -> (Class, u32),
    ok: impl Fn(&T) -> bool,
) -> Option<usize> {
    waiting.iter().enumerate().position(|(at, p)| {
        let (class, txn) = key(p);
        ok(p)
            && waiting.iter().take(at).all(|e| {
                let (earlier, other) = key(e);
                may_pass(class, earlier, other == txn)
            })
    })
}

/// The Rust reference model of the routing table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteModel {
    /// The windows of each port.
    pub ports: Vec<PortWindows>,
    /// Where unclaimed packets go; `None` drops them.
    pub default_port: Option<usize>,
    /// The switch's upstream port, whose windows claim nothing; `None`
    /// for a table alone or a switch without one.
    pub upstream: Option<usize>,
}

impl RouteModel {
    /// The output of the TLP whose header starts `t` arriving at port
    /// `from`, or `None` when it is unroutable. Memory requests and
    /// address-routed messages go by the windows (a 32-bit window only
    /// below 4 GB); completions, Type 1 configuration requests and
    /// ID-routed messages by the bus of the ID in bytes 8 and 9; nothing
    /// else is claimed. With an upstream port (PCIe switch routing): from a
    /// downstream port a TLP goes to another downstream port that claims
    /// it, never back out of `from`, and up when no port claims it or it is
    /// a message to the root complex; from the upstream port, a message to
    /// the root complex is unroutable. Broadcast and local messages have no
    /// single output (see [`RouteModel::destinations`]).
    pub fn route(&self, t: &[u32], from: usize) -> Option<usize> {
        let f = decode(t);
        let inside = |(lo, hi): (u64, u64), v: u64| lo <= v && v <= hi;
        let mb = f.address >> 20;
        let bus = u64::from(f.route_id >> 8);
        let by_address =
            |p: &PortWindows| (f.address >> 32 == 0 && inside(p.mem, mb)) || inside(p.pref, mb);
        let by_id = |p: &PortWindows| inside((p.bus.0.into(), p.bus.1.into()), bus);
        let claimed = self.ports.iter().enumerate().position(|(k, p)| {
            Some(k) != self.upstream
                && match f.kind {
                    Some(Kind::Memory) | Some(Kind::Message(MSG_ADDRESS)) => by_address(p),
                    Some(Kind::Completion)
                    | Some(Kind::Config(true))
                    | Some(Kind::Message(MSG_ID)) => by_id(p),
                    _ => false,
                }
        });
        let to_root = matches!(f.kind, Some(Kind::Message(MSG_ROOT | MSG_GATHERED)));
        if matches!(f.kind, Some(Kind::Message(MSG_BROADCAST | MSG_LOCAL))) {
            return None;
        }
        match self.upstream {
            Some(up) if from != up => match claimed {
                _ if to_root => Some(up),
                Some(p) if p == from => None,
                Some(p) => Some(p),
                None => Some(up),
            },
            Some(_) if to_root => None,
            _ => claimed.or(self.default_port),
        }
    }

    /// Every output the TLP whose header starts `t`, arriving at port
    /// `from`, leaves by: a message broadcast from the root complex
    /// (routing `011`) arriving at the upstream port leaves by every
    /// downstream port (2.2.8); a local message (`100`), or a broadcast
    /// arriving anywhere else, by none; any other TLP by its
    /// [`RouteModel::route`], if it has one.
    pub fn destinations(&self, t: &[u32], from: usize) -> Vec<usize> {
        match self.upstream {
            Some(up) if from == up && decode(t).kind == Some(Kind::Message(MSG_BROADCAST)) => {
                (0..self.ports.len()).filter(|&p| p != up).collect()
            }
            _ => self.route(t, from).into_iter().collect(),
        }
    }

    /// Whether the TLP whose header starts `t` leaves converted to Type 0:
    /// a Type 1 configuration request whose target bus is the secondary bus
    /// of the port that claims it (PCIe 7.3.3).
    pub fn to_type0(&self, t: &[u32]) -> bool {
        let f = decode(t);
        let bus = (f.route_id >> 8) as u8;
        let claimed = self
            .ports
            .iter()
            .enumerate()
            .find(|&(k, p)| Some(k) != self.upstream && p.bus.0 <= bus && bus <= p.bus.1)
            .map(|(_, p)| p);
        f.kind == Some(Kind::Config(true)) && claimed.is_some_and(|p| p.bus.0 == bus)
    }

    /// The register writes `(cfg_addr, cfg_wdata)` that program the table.
    pub fn writes(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        for (p, w) in self.ports.iter().enumerate() {
            out.push((reg_addr(p, REG_MEM_BASE), w.mem.0));
            out.push((reg_addr(p, REG_MEM_LIMIT), w.mem.1));
            out.push((reg_addr(p, REG_PREF_BASE), w.pref.0));
            out.push((reg_addr(p, REG_PREF_LIMIT), w.pref.1));
            out.push((
                reg_addr(p, REG_BUS),
                u64::from(w.bus.1) << 8 | u64::from(w.bus.0),
            ));
            out.push((reg_addr(p, REG_ID), w.id.into()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tb::switch::tlp::{completion, config, mem_read, mem_write, message};

    #[test]
    fn the_gate_wraps_modulo_the_counter() {
        assert!(credit_ok(10, 9, 1, 8));
        assert!(!credit_ok(10, 10, 1, 8));
        // Limit and consumed both wrapped past 255.
        assert!(credit_ok(3, 250, 5, 8));
        assert!(!credit_ok(3, 250, 10, 8));
        assert!(credit_ok(0, 0, 0, 12));
    }

    #[test]
    fn the_model_routes_by_window_and_bus() {
        let mut ports = vec![PortWindows::EMPTY; 3];
        ports[1].mem = (0x010, 0x01F);
        ports[2].pref = (0x1000, 0x1FFF);
        ports[0].bus = (3, 5);
        let mut model = RouteModel {
            ports,
            default_port: None,
            upstream: None,
        };
        let cpl = |requester: u16| completion(0, 0, 0, requester, 0, 0, &[]);
        assert_eq!(model.route(&mem_write(0x0150_0000, 0, 0, &[1]), 1), Some(1));
        assert_eq!(model.route(&mem_read(0x0250_0000, 0, 0, 1), 1), None);
        assert_eq!(model.route(&cpl(0x0400), 1), Some(0));
        assert_eq!(
            model.route(&mem_write(0x1_2345_6789, 0, 0, &[0]), 1),
            Some(2)
        );
        // A 64-bit address whose bits 31:20 fall in a 32-bit window.
        assert_eq!(model.route(&mem_read(0x2_0150_0000, 0, 0, 1), 1), None);
        assert_eq!(
            model.route(&config(true, 0x0508, 0, 0, 0, None), 1),
            Some(0)
        );
        assert_eq!(model.route(&config(false, 0x0508, 0, 0, 0, None), 1), None);
        assert!(!model.to_type0(&config(true, 0x0408, 0, 0, 0, None)));
        assert!(model.to_type0(&config(true, 0x0308, 0, 0, 0, None)));
        assert!(!model.to_type0(&mem_read(0x0300_0000, 0, 0, 1)));
        assert_eq!(
            model.route(&message(0b010, 0, 0, 0, 0x0300 << 48, &[]), 1),
            Some(0)
        );
        assert_eq!(
            model.route(&message(0b001, 0, 0, 0, 0x1_2345_6789, &[]), 1),
            Some(2)
        );
        assert_eq!(model.route(&message(0b000, 0, 0, 0, 0, &[]), 1), None);
        assert_eq!(model.route(&cpl(0x0600), 1), None);
        model.default_port = Some(2);
        assert_eq!(model.route(&cpl(0x0600), 1), Some(2));
    }

    #[test]
    fn with_an_upstream_port_tlps_go_up_never_back() {
        let mut ports = vec![PortWindows::EMPTY; 3];
        ports[0].mem = (0x000, 0x00F);
        ports[1].mem = (0x010, 0x01F);
        ports[2].mem = (0x020, 0x02F);
        let model = RouteModel {
            ports,
            default_port: None,
            upstream: Some(0),
        };
        let read = |mb: u64| mem_read((mb << 20) as u32 as u64, 0, 0, 1);
        // From above: to the claiming downstream port; the upstream port's
        // own window claims nothing.
        assert_eq!(model.route(&read(0x015), 0), Some(1));
        assert_eq!(model.route(&read(0x005), 0), None);
        // From below: peer to peer, up when unclaimed, never back.
        assert_eq!(model.route(&read(0x025), 1), Some(2));
        assert_eq!(model.route(&read(0x0F0), 1), Some(0));
        assert_eq!(model.route(&read(0x015), 1), None);
        // Messages to the root complex go up from below, nowhere from above.
        let to_root = message(0b000, 0, 0, 0, 0, &[]);
        assert_eq!(model.route(&to_root, 2), Some(0));
        assert_eq!(model.route(&to_root, 0), None);
        let gathered = message(0b101, 0, 0, 0, 0, &[]);
        assert_eq!(model.route(&gathered, 1), Some(0));
        // A broadcast from above leaves by every downstream port; one from
        // below, and local messages, stop at the switch.
        let broadcast = message(0b011, 0, 0, 0, 0, &[]);
        assert_eq!(model.route(&broadcast, 0), None);
        assert_eq!(model.destinations(&broadcast, 0), vec![1, 2]);
        assert_eq!(model.destinations(&broadcast, 1), Vec::<usize>::new());
        let local = message(0b100, 0, 0, 0, 0, &[]);
        assert_eq!(model.destinations(&local, 0), Vec::<usize>::new());
        assert_eq!(model.destinations(&local, 1), Vec::<usize>::new());
        assert_eq!(model.destinations(&read(0x025), 1), vec![2]);
    }
}
