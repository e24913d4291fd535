//! The header word: the low 64 bits of a packet's first beat, from which
//! the switch routes a packet and counts its flow-control credits.
//!
//! The layout is linkforge's compact form of a PCIe TLP header:
//!
//! | bits | field |
//! |---|---|
//! | `[4:0]` | Type (`00000` memory request, `01010` completion) |
//! | `[7:5]` | Fmt (`000`/`001` MRd with a 3/4 DW header, `010`/`011` MWr; `000` Cpl, `010` CplD) |
//! | `[15:8]` | Length: payload beats after the header beat (0..=255) |
//! | `[63:20]` | memory requests: address bits 63:20 (windows have 1 MB granularity) |
//! | `[31:16]` | completions: the requester ID the completion is routed to (bus `[31:24]`) |
//!
//! A packet is its header beat followed by `Length` payload beats. MWr is
//! posted, MRd non-posted, Cpl/CplD completions; any other Fmt/Type is
//! unsupported (accounted as posted, never routable).

use linkforge_hdl::prelude::*;

/// Type of memory requests.
pub const TYPE_MEM: u64 = 0b00000;
/// Type of completions.
pub const TYPE_CPL: u64 = 0b01010;

/// The flow-control class of a packet (PCIe 2.4, 2.6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Posted requests (MWr): credit types PH and PD.
    Posted,
    /// Non-posted requests (MRd): NPH and NPD.
    NonPosted,
    /// Completions: CplH and CplD.
    Completion,
}

impl Class {
    /// Every class, in code order.
    pub const ALL: [Class; 3] = [Class::Posted, Class::NonPosted, Class::Completion];

    /// The 2-bit code the hardware carries.
    pub fn code(self) -> u64 {
        self as u64
    }
}

/// A memory write of `payload_beats` beats to `addr` (only bits 63:20 are
/// kept; `payload_beats` is cut to 8 bits).
pub fn mem_write(addr: u64, payload_beats: u64) -> u64 {
    let fmt = if addr >> 32 == 0 { 0b010 } else { 0b011 };
    word(fmt, TYPE_MEM, payload_beats) | (addr & !0xF_FFFF)
}

/// A memory read of `addr` (a one-beat packet).
pub fn mem_read(addr: u64) -> u64 {
    let fmt = if addr >> 32 == 0 { 0b000 } else { 0b001 };
    word(fmt, TYPE_MEM, 0) | (addr & !0xF_FFFF)
}

/// A completion routed to requester `id`, carrying `tag` in bits 63:32 and
/// `payload_beats` beats of data (CplD when non-zero).
pub fn completion(id: u16, tag: u32, payload_beats: u64) -> u64 {
    let fmt = if payload_beats == 0 { 0b000 } else { 0b010 };
    word(fmt, TYPE_CPL, payload_beats) | u64::from(id) << 16 | u64::from(tag) << 32
}

fn word(fmt: u64, ty: u64, payload_beats: u64) -> u64 {
    fmt << 5 | ty | (payload_beats & 0xFF) << 8
}

/// The class of header `w`; `None` for an unsupported Fmt/Type.
pub fn class_of(w: u64) -> Option<Class> {
    match (w & 0x1F, w >> 6 & 1) {
        (TYPE_MEM, 1) => Some(Class::Posted),
        (TYPE_MEM, _) => Some(Class::NonPosted),
        (TYPE_CPL, _) => Some(Class::Completion),
        _ => None,
    }
}

/// The payload beats (Length) of header `w`.
pub fn payload_beats(w: u64) -> u64 {
    w >> 8 & 0xFF
}

/// The decoded fields of a header word in hardware.
pub(crate) struct Decoded {
    /// The class code (2 bits; unsupported types read as posted).
    pub class: Expr,
    /// Length: payload beats (8 bits).
    pub length: Expr,
    /// Type (5 bits), for the routing table.
    pub ty: Expr,
    /// Address bits 63:20 (44 bits), for the routing table.
    pub addr: Expr,
}

/// Decodes the header word in the low 64 bits of `beat`.
pub(crate) fn decode(beat: impl Into<Expr>) -> Decoded {
    let w = beat.into();
    let ty = w.clone().slice(4, 0);
    let is_cpl = ty.clone().eq(lit(TYPE_CPL, 5));
    let nonposted = ty.clone().eq(lit(TYPE_MEM, 5)) & !w.clone().bit(6);
    let class = mux(
        is_cpl,
        lit(Class::Completion.code(), 2),
        mux(
            nonposted,
            lit(Class::NonPosted.code(), 2),
            lit(Class::Posted.code(), 2),
        ),
    );
    Decoded {
        class,
        length: w.clone().slice(15, 8),
        ty,
        addr: w.slice(63, 20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_classify_and_keep_their_fields() {
        let w = mem_write(0x1234_5678_9ABC_DEF0, 7);
        assert_eq!(class_of(w), Some(Class::Posted));
        assert_eq!(payload_beats(w), 7);
        assert_eq!(w >> 20, 0x0123_4567_89AB);
        assert_eq!(class_of(mem_read(0x100000)), Some(Class::NonPosted));
        let c = completion(0x0310, 0xDEAD_BEEF, 2);
        assert_eq!(class_of(c), Some(Class::Completion));
        assert_eq!(c >> 24 & 0xFF, 3);
        assert_eq!(c >> 32, 0xDEAD_BEEF);
        assert_eq!(class_of(0x04), None);
    }
}
