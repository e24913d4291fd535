//! The requesters' scoreboard: every non-posted request a port's link
//! partner sends must be answered exactly once, either by one completion
//! with a status other than SC (the switch's UR for a request it cannot
//! route) or by successful completions that together return exactly the
//! bytes requested, in increasing address order (PCIe 2.3.1.1), each
//! carrying the Byte Count still needed and the Lower Address of its first
//! byte; a completion that matches no outstanding request, or matches one
//! but disagrees with it, is an unexpected completion (2.3.2). The
//! expected totals and first bytes come from the spec's tables in
//! [`completer`](super::completer).
//!
//! The testbench also sends completions as independent traffic (the
//! `mix` weight for completions); they carry a requester ID whose device
//! number no requester uses ([`is_answer`]) and are not judged here.

use super::completer::{first_byte, read_byte_count};
use super::tlp::{self, status, Kind};
use std::collections::HashMap;

/// DevFn bit 7 (device numbers 16..31): set in the requester ID of the
/// testbench's independent completions, clear in every requester's ID.
pub const INDEPENDENT_DEVFN: u16 = 0x80;

/// Whether the completion `t` answers a request (rather than being
/// independent traffic): its requester ID's device number is one a
/// requester uses ([`INDEPENDENT_DEVFN`] clear).
pub fn is_answer(t: &[u32]) -> bool {
    tlp::decode(t).route_id & INDEPENDENT_DEVFN == 0
}

/// A request not yet fully answered.
#[derive(Clone, Copy, Debug)]
struct Outstanding {
    /// The requester's port.
    port: usize,
    /// Cycle its start beat entered the switch.
    sent: u64,
    /// A memory read (answered by possibly several completions).
    read: bool,
    /// Its successful completions carry data.
    data: bool,
    /// Byte address of the next byte to return (memory reads; 0 otherwise).
    next: u64,
    /// Bytes still to return (4 for a request other than a memory read).
    remaining: u32,
}

/// Outstanding requests by requester ID and tag, and what was answered.
#[derive(Debug)]
pub struct Requesters {
    outstanding: HashMap<(u16, u8), Outstanding>,
    rcb: u64,
    /// Successful completions accepted.
    pub completions: u64,
    /// Requests answered in full (by successful completions or one UR).
    pub answered: u64,
}

impl Requesters {
    /// A scoreboard for completers splitting reads at `rcb` bytes.
    pub fn new(rcb: u64) -> Requesters {
        Requesters {
            outstanding: HashMap::new(),
            rcb,
            completions: 0,
            answered: 0,
        }
    }

    /// Whether requester ID `id` has a request with tag `tag` outstanding.
    pub fn waiting(&self, id: u16, tag: u8) -> bool {
        self.outstanding.contains_key(&(id, tag))
    }

    /// Whether any request is outstanding.
    pub fn busy(&self) -> bool {
        !self.outstanding.is_empty()
    }

    /// Port `port`'s requester sent the non-posted request `t` (header
    /// first), its start beat in cycle `cycle`. Fails if its requester ID
    /// and tag are already outstanding.
    pub fn issue(&mut self, port: usize, t: &[u32], cycle: u64) -> Result<(), String> {
        let f = tlp::decode(t);
        let read = f.kind == Some(Kind::Memory) && !f.with_data;
        let (first_be, last_be) = (t[1] & 0xF, t[1] >> 4 & 0xF);
        let o = Outstanding {
            port,
            sent: cycle,
            read,
            data: !f.with_data,
            next: if read {
                f.address + u64::from(first_byte(first_be))
            } else {
                0
            },
            remaining: if read {
                read_byte_count(f.length, first_be, last_be)
            } else {
                4
            },
        };
        match self.outstanding.insert((f.id, f.tag), o) {
            Some(_) => Err(format!(
                "rx{port}: requester {:04x} reused tag {} while outstanding",
                f.id, f.tag
            )),
            None => Ok(()),
        }
    }

    /// Port `port` delivered the completion `t` (header first) to its
    /// requester. Fails on an unexpected completion.
    pub fn complete(&mut self, port: usize, t: &[u32]) -> Result<(), String> {
        let f = tlp::decode(t);
        let key = (f.route_id, f.cpl_tag);
        let what = format!(
            "tx{port}: completion for requester {:04x} tag {} (status {:03b}, byte count {}, \
             lower address {:02x})",
            f.route_id, f.cpl_tag, f.status, f.byte_count, f.lower_address
        );
        let Some(o) = self.outstanding.get_mut(&key) else {
            return Err(format!("unexpected {what}: no such request outstanding"));
        };
        if o.port != port {
            return Err(format!(
                "unexpected {what}: its requester is at rx{}",
                o.port
            ));
        }
        let count = match f.byte_count {
            0 => 4096,
            n => u32::from(n),
        };
        if count != o.remaining {
            return Err(format!(
                "unexpected {what}: {} bytes remain to be returned",
                o.remaining
            ));
        }
        if u64::from(f.lower_address) != o.next & 0x7F {
            return Err(format!(
                "unexpected {what}: the next byte is at {:x} (out of address order?)",
                o.next
            ));
        }
        let data = f.with_data;
        if f.status != status::SC {
            if data {
                return Err(format!("unexpected {what}: a failed completion with data"));
            }
            self.outstanding.remove(&key);
            self.answered += 1;
            return Ok(());
        }
        if data != o.data || (!o.read && data && f.length != 1) {
            return Err(format!(
                "unexpected {what}: {} DWs of data for a request that takes {}",
                if data { f.length } else { 0 },
                if !o.data {
                    "none"
                } else if o.read {
                    "some"
                } else {
                    "one"
                }
            ));
        }
        // A read's completion returns its DWs from the next byte on, all
        // of them but the last one's bytes past the request's end.
        let returned = if o.read {
            let here = f.length * 4 - (o.next & 3) as u32;
            if here >= o.remaining + 4 {
                return Err(format!(
                    "unexpected {what}: {here} bytes of data, {} remain",
                    o.remaining
                ));
            }
            here.min(o.remaining)
        } else {
            o.remaining
        };
        o.remaining -= returned;
        o.next += u64::from(returned);
        if o.remaining != 0 && o.next % self.rcb != 0 {
            return Err(format!(
                "unexpected {what}: it ends at {:x}, not at a multiple of the {}-byte RCB",
                o.next, self.rcb
            ));
        }
        self.completions += 1;
        if o.remaining == 0 {
            self.outstanding.remove(&key);
            self.answered += 1;
        }
        Ok(())
    }

    /// The requests still outstanding, oldest first, one per line: port,
    /// requester ID, tag, cycle sent.
    pub fn unanswered(&self) -> String {
        let mut left: Vec<_> = self.outstanding.iter().collect();
        left.sort_by_key(|(_, o)| o.sent);
        left.iter()
            .map(|((id, tag), o)| {
                format!(
                    "rx{}: requester {id:04x} tag {tag} sent at cycle {} never answered \
                     ({} bytes missing)",
                    o.port, o.sent, o.remaining
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tb::switch::completer::answers;
    use crate::tb::switch::tlp::{completion, config, mem_read};

    /// A 256-byte read at 10020h, answered at RCB 64 in five completions.
    fn read_and_answers() -> (Requesters, Vec<Vec<u32>>) {
        let mut r = Requesters::new(64);
        let read = mem_read(0x1_0020, 0x0300, 5, 64);
        r.issue(1, &read, 100).expect("a fresh tag");
        (r, answers(&read, 0xC002, 64, 16, || 0))
    }

    #[test]
    fn a_read_answered_in_address_order_is_answered_once() {
        let (mut r, c) = read_and_answers();
        assert_eq!(c.len(), 5);
        for a in &c {
            assert!(r.waiting(0x0300, 5));
            r.complete(1, a).expect("an expected completion");
        }
        assert!(!r.busy());
        assert_eq!((r.completions, r.answered), (5, 1));
    }

    #[test]
    fn a_duplicate_completion_is_unexpected() {
        let (mut r, c) = read_and_answers();
        r.complete(1, &c[0]).expect("the first");
        let e = r.complete(1, &c[0]).expect_err("a duplicate");
        assert!(e.contains("unexpected") && e.contains("remain"), "{e}");
        for a in &c[1..] {
            r.complete(1, a).expect("the rest");
        }
        let e = r.complete(1, &c[4]).expect_err("after the last");
        assert!(e.contains("no such request outstanding"), "{e}");
    }

    #[test]
    fn a_wrong_byte_count_or_order_or_port_is_unexpected() {
        let (mut r, c) = read_and_answers();
        let mut wrong = c[0].clone();
        wrong[1] = wrong[1] & !0xFFF | 255;
        let e = r.complete(1, &wrong).expect_err("wrong byte count");
        assert!(e.contains("256 bytes remain"), "{e}");
        let e = r.complete(1, &c[1]).expect_err("the second first");
        assert!(e.contains("unexpected"), "{e}");
        let e = r.complete(2, &c[0]).expect_err("at the wrong port");
        assert!(e.contains("requester is at rx1"), "{e}");
        assert!(r
            .unanswered()
            .contains("requester 0300 tag 5 sent at cycle 100"));
        for a in &c[..4] {
            r.complete(1, a).expect("in order");
        }
        // The last with a DW more than the 32 bytes left.
        let mut long = c[4].clone();
        long[0] += 1;
        long.push(0);
        let e = r.complete(1, &long).expect_err("too much data");
        assert!(e.contains("36 bytes of data, 32 remain"), "{e}");
    }

    #[test]
    fn a_ur_answers_a_request_alone() {
        let mut r = Requesters::new(64);
        let cfg = config(true, 0x0900, 1, 0x0300, 6, None);
        r.issue(0, &cfg, 7).expect("a fresh tag");
        let e = r.issue(0, &cfg, 8).expect_err("the same tag again");
        assert!(e.contains("reused tag 6"), "{e}");
        r.complete(0, &completion(0xC000, status::UR, 4, 0x0300, 6, 0, &[]))
            .expect("a UR");
        assert_eq!((r.completions, r.answered), (0, 1));
        // A configuration read's completion carries one DW.
        r.issue(0, &cfg, 9).expect("the tag is free again");
        let two = completion(0xC001, status::SC, 4, 0x0300, 6, 0, &[1, 2]);
        assert!(r.complete(0, &two).is_err());
    }
}
