//! The completer at a switch port's link partner: what it returns for a
//! non-posted request delivered to it, and when. The completion fields
//! are written here from the PCIe Base Specification's text, not from the
//! switch generator:
//!
//! - 2.2.9 (completion rules): a completion carries the completer's ID,
//!   a status, the request's Requester ID, Tag, TC and Attr; the Byte
//!   Count of a completion other than a memory read's is 4, and its Lower
//!   Address 0.
//! - 2.3.1.1 (data return for read requests): I/O and configuration reads
//!   take exactly one completion; a memory read may be split, but only at
//!   naturally aligned multiples of the read completion boundary (RCB), in
//!   increasing address order; the Byte Count of each completion is the
//!   bytes still needed to finish the request, this completion's
//!   included (Table 2-40 gives the total from Length and the first and
//!   last DW byte enables); the Lower Address is the low 7 bits of the
//!   byte address of the completion's first enabled byte (Table 2-41 gives
//!   the first byte's offset from the first DW byte enables).
//! - 2.7.2.1 (data poisoning): a Configuration Write Request with a
//!   poisoned payload must not modify its target, and the completer
//!   returns a completion with status UR; a request without data is not
//!   poisoned by a transmitter, and what a receiver does with one that
//!   says so is unspecified.
//!
//! The requests the testbench makes are MRd (3- and 4-DW headers), CfgRd
//! and CfgWr (Type 1, or converted to Type 0 on the way); a memory read
//! is answered with CplDs, a read of another space with one CplD of one
//! DW, a write (I/O or configuration, both taken as control registers)
//! with one Cpl, status UR when it is poisoned. EP on a request without
//! data is ignored. The testbench makes no AtomicOp or locked read (its
//! decoder calls their types reserved), so the completer answers none.

use super::tlp::{self, status, Kind};
use std::collections::VecDeque;

/// Cycles from a completer taking a request to its completions being
/// ready to send.
pub const LATENCY: u64 = 4;

/// Completions a completer holds before it takes no more requests: its
/// receiver then keeps non-posted requests in its buffer and returns no
/// NPH credit for them, so what it owes stays bounded.
pub const QUEUE: usize = 16;

/// TC (DW0[22:20]) and Attr (DW0[18], DW0[13:12]): copied from a request
/// into its completions (2.2.9).
const TC_ATTR: u32 = 0x0074_3000;

/// The total bytes a memory read of `length` DW with byte enables
/// `first_be` and `last_be` returns (Table 2-40): a one-DW read (last BE
/// 0000b) spans its first enabled byte to its last (1 when none is
/// enabled); a longer one `length * 4` less the bytes the first BE
/// disables below its first enabled byte and those the last BE disables
/// above its last.
pub fn read_byte_count(length: u32, first_be: u32, last_be: u32) -> u32 {
    let (first_be, last_be) = (first_be & 0xF, last_be & 0xF);
    if last_be == 0 {
        if first_be == 0 {
            return 1;
        }
        return 32 - first_be.leading_zeros() - first_be.trailing_zeros();
    }
    let below = if first_be == 0 {
        0
    } else {
        first_be.trailing_zeros()
    };
    let above = 3 - (31 - last_be.leading_zeros());
    length * 4 - below - above
}

/// The offset of a read's first enabled byte in its first DW (Table
/// 2-41): the lowest set bit of the first DW BE, 0 when none is set.
pub fn first_byte(first_be: u32) -> u32 {
    match first_be & 0xF {
        0 => 0,
        be => be.trailing_zeros(),
    }
}

/// The completions a completer with ID `completer` returns for the
/// non-posted request `t` (header first), with status SC but for a
/// poisoned write: see the module documentation. A memory read is cut at every multiple of `rcb` bytes
/// that does not fit in the completion before it, each completion
/// carrying at most `max_payload_dw` DWs: precondition, every `rcb`-byte
/// aligned block of the read fits in `max_payload_dw`. Payload DWs are
/// `fill`'s.
pub fn answers(
    t: &[u32],
    completer: u16,
    rcb: u64,
    max_payload_dw: u64,
    mut fill: impl FnMut() -> u32,
) -> Vec<Vec<u32>> {
    let f = tlp::decode(t);
    let tc_attr = t[0] & TC_ATTR;
    let one = |status: u8, byte_count: u16, lower: u8, payload: &[u32]| {
        let mut c = tlp::completion(completer, status, byte_count, f.id, f.tag, lower, payload);
        c[0] |= tc_attr;
        c
    };
    if f.kind != Some(Kind::Memory) {
        if f.with_data && f.ep {
            // A poisoned write to a register: not written, answered UR.
            return vec![one(status::UR, 4, 0, &[])];
        }
        let data: Vec<u32> = if f.with_data { vec![] } else { vec![fill()] };
        return vec![one(status::SC, 4, 0, &data)];
    }
    let (first_be, last_be) = (t[1] & 0xF, t[1] >> 4 & 0xF);
    let start = f.address + u64::from(first_byte(first_be));
    let end = start + u64::from(read_byte_count(f.length, first_be, last_be));
    let dws = |from: u64, to: u64| to.div_ceil(4) - from / 4;
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        // The furthest boundary (a multiple of the RCB, or the end) whose
        // DWs fit; at least the next one.
        let mut to = ((at / rcb + 1) * rcb).min(end);
        while to < end {
            let further = (to + rcb).min(end);
            if dws(at, further) > max_payload_dw {
                break;
            }
            to = further;
        }
        let payload: Vec<u32> = (0..dws(at, to)).map(|_| fill()).collect();
        out.push(one(
            status::SC,
            (end - at) as u16,
            (at & 0x7F) as u8,
            &payload,
        ));
        at = to;
    }
    out
}

/// A completer's answers waiting to be sent, each with the cycle it is
/// ready.
#[derive(Default)]
pub struct Completer {
    queue: VecDeque<(u64, Vec<u32>)>,
}

impl Completer {
    /// Whether it takes another request ([`QUEUE`]).
    pub fn has_room(&self) -> bool {
        self.queue.len() < QUEUE
    }

    /// Whether it still owes completions.
    pub fn busy(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Takes the answers to a request in cycle `cycle`; they are ready
    /// [`LATENCY`] cycles later, in order.
    pub fn take(&mut self, cycle: u64, answers: Vec<Vec<u32>>) {
        self.queue
            .extend(answers.into_iter().map(|a| (cycle + LATENCY, a)));
    }

    /// The oldest completion, when it is ready in cycle `cycle`.
    pub fn ready(&mut self, cycle: u64) -> Option<Vec<u32>> {
        match self.queue.front() {
            Some(&(at, _)) if at <= cycle => self.queue.pop_front().map(|(_, c)| c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tb::switch::tlp::{config, decode, mem_read};

    #[test]
    fn byte_counts_and_first_bytes_follow_tables_2_40_and_2_41() {
        // Figure 2-92: Length 4, first BE 1000b, last BE 0001b: 10 bytes.
        assert_eq!(read_byte_count(4, 0b1000, 0b0001), 10);
        assert_eq!(read_byte_count(1, 0b1001, 0), 4);
        assert_eq!(read_byte_count(1, 0b0101, 0), 3);
        assert_eq!(read_byte_count(1, 0b1010, 0), 3);
        assert_eq!(read_byte_count(1, 0b0110, 0), 2);
        assert_eq!(read_byte_count(1, 0b0100, 0), 1);
        assert_eq!(read_byte_count(1, 0, 0), 1);
        assert_eq!(read_byte_count(8, 0b1111, 0b1000), 32);
        assert_eq!(read_byte_count(8, 0b1110, 0b0111), 30);
        assert_eq!(read_byte_count(8, 0b1100, 0b0011), 28);
        assert_eq!(read_byte_count(1024, 0b1111, 0b1111), 4096);
        assert_eq!(
            [0b0000, 0b0001, 0b1010, 0b0100, 0b1000].map(first_byte),
            [0, 0, 1, 2, 3]
        );
    }

    /// The bytes of each completion of `t` (byte count less the next's).
    fn sizes(t: &[u32], rcb: u64, max: u64) -> Vec<u32> {
        let counts: Vec<u32> = answers(t, 0xC001, rcb, max, || 0)
            .iter()
            .map(|c| match u32::from(decode(c).byte_count) {
                0 => 4096,
                n => n,
            })
            .collect();
        let next = counts.iter().skip(1).chain([&0]);
        counts.iter().zip(next).map(|(a, b)| a - b).collect()
    }

    #[test]
    fn reads_split_at_the_rcb_as_the_specifications_examples() {
        // 2.3.1.1 example 3: 256 bytes at 10020h, RCB 64: 32, 64, ... is
        // allowed; cut at every boundary where 64 bytes is the most that fits.
        let read = mem_read(0x1_0020, 0x0100, 7, 64);
        assert_eq!(sizes(&read, 64, 16), [32, 64, 64, 64, 32]);
        // With room for 160 bytes: 32 + 128 = 160, then 96.
        assert_eq!(sizes(&read, 64, 40), [160, 96]);
        // Example 4, an endpoint (RCB 128): 96, 160 is one of the choices.
        assert_eq!(sizes(&read, 128, 40), [96, 160]);
        assert_eq!(sizes(&read, 128, 64), [256]);
        // Example 1: 192 bytes at 10000h, RCB 64, 64 bytes at most.
        assert_eq!(sizes(&mem_read(0x1_0000, 1, 2, 48), 64, 16), [64, 64, 64]);
    }

    #[test]
    fn completions_carry_the_requests_ids_and_the_remaining_bytes() {
        // 64-bit address, first BE 1110b: 4-DW MRd of 20 DW from byte 1.
        let mut read = mem_read(0x2_0000_0078, 0x0300, 0x42, 20);
        read[1] = read[1] & !0xFF | 0x7E;
        let c = answers(&read, 0xC002, 64, 16, || 0xAB);
        assert_eq!(c.len(), 3);
        let f: Vec<_> = c.iter().map(|c| decode(c)).collect();
        // 80 bytes less one below and one above: 78, from 79h.
        assert_eq!(
            (f[0].id, f[0].status, f[0].byte_count),
            (0xC002, status::SC, 78)
        );
        assert_eq!((f[0].route_id, f[0].cpl_tag), (0x0300, 0x42));
        // 79h..7Fh up to the first RCB multiple: two DWs, 7 bytes; then
        // 80h..BFh (16 DWs, the most a completion carries here); then the
        // last 7 bytes from C0h, whose Lower Address has bit 6 set.
        let rest = f.iter().map(|f| (f.byte_count, f.lower_address, f.length));
        assert_eq!(
            rest.collect::<Vec<_>>(),
            [(78, 0x79, 2), (71, 0x00, 16), (7, 0x40, 2)]
        );
        assert!(c.iter().all(|c| c[3..].iter().all(|&d| d == 0xAB)));
        // A configuration read: one CplD of one DW, byte count 4.
        let c = answers(
            &config(true, 0x0300, 4, 0x0100, 9, None),
            0xC001,
            64,
            16,
            || 5,
        );
        assert_eq!(
            c,
            [tlp::completion(0xC001, status::SC, 4, 0x0100, 9, 0, &[5])]
        );
        // A configuration write: one Cpl; UR when poisoned (EP, DW0[14]).
        let mut write = config(true, 0x0300, 4, 0x0100, 9, Some(1));
        write[0] |= 1 << 14;
        let c = answers(&write, 0xC001, 64, 16, || 5);
        assert_eq!(
            c,
            [tlp::completion(0xC001, status::UR, 4, 0x0100, 9, 0, &[])]
        );
        let c = answers(
            &config(true, 0x0300, 4, 0x0100, 9, Some(1)),
            0xC001,
            64,
            16,
            || 5,
        );
        assert_eq!(
            c,
            [tlp::completion(0xC001, status::SC, 4, 0x0100, 9, 0, &[])]
        );
    }

    #[test]
    fn a_completer_answers_after_its_latency_in_order() {
        let mut k = Completer::default();
        k.take(10, vec![vec![1], vec![2]]);
        assert!(k.busy() && k.ready(10 + LATENCY - 1).is_none());
        assert_eq!(k.ready(10 + LATENCY), Some(vec![1]));
        assert_eq!(k.ready(10 + LATENCY), Some(vec![2]));
        assert!(!k.busy());
    }
}
