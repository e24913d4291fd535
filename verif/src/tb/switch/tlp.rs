//! The testbench's own PCIe TLP encoder and decoder, written from the PCIe
//! Base Specification's transaction layer chapter (2.2.1 common header,
//! 2.2.7 memory/I/O/configuration requests, 2.2.8 messages, 2.2.9
//! completions) and sharing nothing with the generator's decoder.
//!
//! A header DW is held as the specification draws it: byte 0 is bits
//! 31:24. On the wire DW `k` of a packet sits at bits `32k+31:32k` from its
//! start beat ([`to_beats`], [`from_beats`]).

use linkforge_hdl::Bits;

/// Flow-control class (2.4, 2.6.1), in the order of the credit ports:
/// posted, non-posted, completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// MWr, Msg, MsgD.
    Posted = 0,
    /// MRd, IORd, IOWr, CfgRd, CfgWr.
    NonPosted = 1,
    /// Cpl, CplD.
    Completion = 2,
}

/// Completion status values (2.2.9).
pub mod status {
    /// Successful completion.
    pub const SC: u8 = 0b000;
    /// Unsupported request.
    pub const UR: u8 = 0b001;
    /// Configuration request retry status.
    pub const CRS: u8 = 0b010;
    /// Completer abort.
    pub const CA: u8 = 0b100;
}

/// DW0 of a header: Fmt (2 bits of format, 1 of "with data"), Type, and
/// Length in DW (0 stands for 1024, 2.2.2).
fn dw0(with_data: bool, four_dw: bool, ty: u32, length: u32) -> u32 {
    let fmt = u32::from(with_data) << 1 | u32::from(four_dw);
    fmt << 29 | ty << 24 | (length & 0x3FF)
}

/// A request's DW1: requester ID, tag, last and first DW byte enables.
fn request_dw1(requester: u16, tag: u8, length: u32) -> u32 {
    // A one-DW request has last DW byte enables 0000b (2.2.5).
    let last_be = if length == 1 { 0 } else { 0xF };
    u32::from(requester) << 16 | u32::from(tag) << 8 | last_be << 4 | 0xF
}

/// A memory request's header and payload: a 32-bit address takes a 3-DW
/// header, any other a 4-DW one (2.2.4.1).
fn memory(write: bool, addr: u64, requester: u16, tag: u8, length: u32) -> Vec<u32> {
    let long = addr >> 32 != 0;
    let mut h = vec![
        dw0(write, long, 0, length),
        request_dw1(requester, tag, length),
    ];
    if long {
        h.push((addr >> 32) as u32);
    }
    h.push(addr as u32 & !3);
    h
}

/// MWr of `payload` to `addr` (a DW address: bits 1:0 are dropped).
pub fn mem_write(addr: u64, requester: u16, tag: u8, payload: &[u32]) -> Vec<u32> {
    let mut t = memory(true, addr, requester, tag, payload.len() as u32);
    t.extend_from_slice(payload);
    t
}

/// MRd of `length` DW (1..=1024) at `addr`.
pub fn mem_read(addr: u64, requester: u16, tag: u8, length: u32) -> Vec<u32> {
    memory(false, addr, requester, tag, length)
}

/// A completion (CplD when `payload` is not empty): DW1 completer ID,
/// status, BCM, byte count; DW2 requester ID, tag, lower address.
pub fn completion(
    completer: u16,
    status: u8,
    byte_count: u16,
    requester: u16,
    tag: u8,
    lower_address: u8,
    payload: &[u32],
) -> Vec<u32> {
    let mut t = vec![
        dw0(!payload.is_empty(), false, 0b0_1010, payload.len() as u32),
        u32::from(completer) << 16 | u32::from(status & 7) << 13 | u32::from(byte_count & 0xFFF),
        u32::from(requester) << 16 | u32::from(tag) << 8 | u32::from(lower_address & 0x7F),
    ];
    t.extend_from_slice(payload);
    t
}

/// A configuration read or write (Type 1 when `type1`) of register DW
/// `register` (0..1024) of bus/device/function `target`; a write carries
/// `data` (one DW).
pub fn config(
    type1: bool,
    target: u16,
    register: u16,
    requester: u16,
    tag: u8,
    data: Option<u32>,
) -> Vec<u32> {
    let ty = if type1 { 0b0_0101 } else { 0b0_0100 };
    let mut t = vec![
        dw0(data.is_some(), false, ty, 1),
        request_dw1(requester, tag, 1),
        u32::from(target) << 16 | u32::from(register & 0x3FF) << 2,
    ];
    t.extend(data);
    t
}

/// A message (MsgD when `payload` is not empty) with routing subfield
/// `route` (Type 10rrr), message code `code` and bytes 8..15 `target`
/// (the address for address routing, the target ID in bits 63:48 for ID
/// routing).
pub fn message(
    route: u8,
    code: u8,
    requester: u16,
    tag: u8,
    target: u64,
    payload: &[u32],
) -> Vec<u32> {
    let mut t = vec![
        dw0(
            !payload.is_empty(),
            true,
            0b1_0000 | u32::from(route & 7),
            payload.len() as u32,
        ),
        u32::from(requester) << 16 | u32::from(tag) << 8 | u32::from(code),
        (target >> 32) as u32,
        target as u32,
    ];
    t.extend_from_slice(payload);
    t
}

/// What kind of TLP a header is (Fmt and Type, 2.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// MRd or MWr.
    Memory,
    /// IORd or IOWr.
    Io,
    /// CfgRd0/CfgWr0 (`false`) or CfgRd1/CfgWr1 (`true`).
    Config(bool),
    /// Cpl or CplD.
    Completion,
    /// Msg or MsgD with its routing subfield.
    Message(u8),
}

/// The fields of a received header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    /// The kind; `None` for a reserved Fmt/Type combination.
    pub kind: Option<Kind>,
    /// A payload follows the header.
    pub with_data: bool,
    /// Header DWs: 3 or 4.
    pub header_dws: usize,
    /// Traffic class, DW0[22:20].
    pub tc: u8,
    /// TLP digest present, DW0[15].
    pub td: bool,
    /// Poisoned, DW0[14].
    pub ep: bool,
    /// Length in DW (1..=1024).
    pub length: u32,
    /// Requests: the requester ID; completions: the completer ID.
    pub id: u16,
    /// Requests: the tag (DW1[15:8]).
    pub tag: u8,
    /// Memory, I/O and address-routed message requests: the address.
    pub address: u64,
    /// Completions: status (DW1[15:13]) and byte count (DW1[11:0]).
    pub status: u8,
    /// Completions: byte count.
    pub byte_count: u16,
    /// Completions: the requester ID (DW2[31:16]); configuration requests
    /// and ID-routed messages: the target ID (bytes 8 and 9).
    pub route_id: u16,
    /// Completions: the tag (DW2[15:8]).
    pub cpl_tag: u8,
    /// Completions: lower address (DW2[6:0]).
    pub lower_address: u8,
}

impl Fields {
    /// The flow-control class; `None` for a reserved Fmt/Type.
    pub fn class(&self) -> Option<Class> {
        Some(match self.kind? {
            Kind::Memory if self.with_data => Class::Posted,
            Kind::Message(_) => Class::Posted,
            Kind::Completion => Class::Completion,
            _ => Class::NonPosted,
        })
    }

    /// Data credits the packet takes: one per 16 bytes of payload.
    pub fn data_credits(&self) -> u64 {
        if self.with_data {
            u64::from(self.length).div_ceil(4)
        } else {
            0
        }
    }

    /// DWs of the whole packet, header and payload (no digest).
    pub fn total_dws(&self) -> usize {
        self.header_dws
            + if self.with_data {
                self.length as usize
            } else {
                0
            }
    }
}

/// Decodes the header at the start of `t` (at least 3 DWs; a 4-DW header
/// needs 4).
pub fn decode(t: &[u32]) -> Fields {
    let d0 = t[0];
    let fmt = d0 >> 29;
    let ty = d0 >> 24 & 0x1F;
    let with_data = fmt & 2 != 0;
    let four = fmt & 1 != 0;
    let kind = match (fmt, ty) {
        (0..=3, 0) => Some(Kind::Memory),
        (0 | 2, 0b0_0010) => Some(Kind::Io),
        (0 | 2, 0b0_0100) => Some(Kind::Config(false)),
        (0 | 2, 0b0_0101) => Some(Kind::Config(true)),
        (0 | 2, 0b0_1010) => Some(Kind::Completion),
        (1 | 3, 0b1_0000..=0b1_0111) => Some(Kind::Message((ty & 7) as u8)),
        _ => None,
    };
    let header_dws = if four { 4 } else { 3 };
    let d2 = t[2];
    let d3 = t.get(3).copied().unwrap_or(0);
    let address = if four {
        u64::from(d2) << 32 | u64::from(d3 & !3)
    } else {
        u64::from(d2 & !3)
    };
    let length = match d0 & 0x3FF {
        0 => 1024,
        l => l,
    };
    Fields {
        kind,
        with_data,
        header_dws,
        tc: (d0 >> 20 & 7) as u8,
        td: d0 >> 15 & 1 == 1,
        ep: d0 >> 14 & 1 == 1,
        length,
        id: (t[1] >> 16) as u16,
        tag: (t[1] >> 8) as u8,
        address,
        status: (t[1] >> 13 & 7) as u8,
        byte_count: (t[1] & 0xFFF) as u16,
        route_id: (d2 >> 16) as u16,
        cpl_tag: (d2 >> 8) as u8,
        lower_address: (d2 & 0x7F) as u8,
    }
}

/// The beats of `width` bits carrying the DWs `t`, DW `k` at bits
/// `32k+31:32k` from the first beat; DWs past the end of the last beat
/// are `fill`'s.
pub fn to_beats(t: &[u32], width: u32, mut fill: impl FnMut() -> u32) -> Vec<Bits> {
    let per = (width / 32) as usize;
    t.chunks(per)
        .map(|c| {
            let mut dws: Vec<u32> = c.to_vec();
            dws.resize_with(per, &mut fill);
            let words: Vec<u64> = dws
                .chunks(2)
                .map(|p| u64::from(p[0]) | u64::from(*p.get(1).unwrap_or(&0)) << 32)
                .collect();
            Bits::from_words(&words, width)
        })
        .collect()
}

/// The keep flags of the beats of a TLP of `dws` DWs in `width`-bit beats:
/// bit `k` of a beat's flags set when its DW `k` belongs to the TLP.
pub fn keeps(dws: usize, width: u32) -> Vec<u64> {
    let per = (width / 32) as usize;
    (0..dws.div_ceil(per))
        .map(|b| {
            let valid = (dws - b * per).min(per);
            u64::MAX >> (64 - valid)
        })
        .collect()
}

/// The DWs the beats `beats` of `width` bits carry, in order.
pub fn from_beats(beats: &[Bits], width: u32) -> Vec<u32> {
    beats
        .iter()
        .flat_map(|b| (0..width / 32).map(move |k| b.field(32 * k, 32) as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_flags_mark_the_last_beats_dws() {
        assert_eq!(keeps(3, 128), [0b0111]);
        assert_eq!(keeps(5, 64), [0b11, 0b11, 0b01]);
        assert_eq!(keeps(8, 256), [0xFF]);
        assert_eq!(keeps(9, 256), [0xFF, 0x01]);
    }

    #[test]
    fn known_answers_from_the_specification_figures() {
        // A 4-DW MWr of one DW: Fmt 011b, Type 00000b, Length 1.
        let t = mem_write(0x1_0000_0000, 0x0100, 7, &[0xDEAD_BEEF]);
        assert_eq!(t[0], 0x6000_0001);
        assert_eq!(t[1], 0x0100_0700 | 0x0F);
        assert_eq!(t[2..], [1, 0, 0xDEAD_BEEF]);
        // A 3-DW MRd of 16 DW at 0x1000: Fmt 000b.
        let t = mem_read(0x1000, 0x0200, 0x42, 16);
        assert_eq!(t, [0x0000_0010, 0x0200_42FF, 0x1000]);
        // A 3-DW MWr of 1024 DW encodes Length 0.
        assert_eq!(mem_write(0x40, 0, 0, &[0; 1024])[0], 0x4000_0000);
        // CplD, status SC, of one DW: Fmt 010b, Type 01010b.
        let t = completion(0x0300, status::SC, 4, 0x0100, 9, 0x10, &[5]);
        assert_eq!(t[..3], [0x4A00_0001, 0x0300_0004, 0x0100_0910]);
        // A UR completion without data: Fmt 000b, status 001b in DW1[15:13].
        let t = completion(0x0300, status::UR, 0, 0x0100, 9, 0, &[]);
        assert_eq!(t[..2], [0x0A00_0000, 0x0300_2000]);
        // CfgRd1 of bus 5, device 1, function 2, register 0x10.
        let t = config(true, 5 << 8 | 1 << 3 | 2, 0x10, 0, 1, None);
        assert_eq!(t, [0x0500_0001, 0x0000_010F, 0x050A_0040]);
        // Msg routed to the root complex (r = 000b), 4-DW header: 30h.
        assert_eq!(message(0, 0x20, 0, 0, 0, &[])[0], 0x3000_0000);
    }

    #[test]
    fn the_decoder_reads_back_what_the_encoder_wrote() {
        let f = decode(&mem_write(0x1_2345_6788, 0xABCD, 3, &[0; 5]));
        assert_eq!(f.kind, Some(Kind::Memory));
        assert_eq!(f.class(), Some(Class::Posted));
        assert_eq!((f.header_dws, f.length, f.id, f.tag), (4, 5, 0xABCD, 3));
        assert_eq!(f.address, 0x1_2345_6788);
        assert_eq!(f.data_credits(), 2);
        assert_eq!(f.total_dws(), 9);
        let f = decode(&mem_read(0x8000_0000, 1, 2, 1024));
        assert_eq!(f.class(), Some(Class::NonPosted));
        assert_eq!((f.length, f.data_credits(), f.total_dws()), (1024, 0, 3));
        let f = decode(&completion(
            0x0808,
            status::CA,
            0x80,
            0x1234,
            0x56,
            0x3F,
            &[1, 2],
        ));
        assert_eq!(f.class(), Some(Class::Completion));
        assert_eq!((f.id, f.status, f.byte_count), (0x0808, status::CA, 0x80));
        assert_eq!(
            (f.route_id, f.cpl_tag, f.lower_address),
            (0x1234, 0x56, 0x3F)
        );
        let f = decode(&message(0b010, 0x7E, 1, 0, 0x0500 << 48, &[]));
        assert_eq!((f.kind, f.route_id), (Some(Kind::Message(2)), 0x0500));
        assert_eq!(f.class(), Some(Class::Posted));
        // Fmt 001b with Type 00010b (a 4-DW I/O request) is reserved.
        assert_eq!(decode(&[0x2200_0001, 0, 0, 0]).kind, None);
    }

    #[test]
    fn beats_carry_dw_k_at_bits_32k() {
        let t: Vec<u32> = (1..=5).collect();
        let beats = to_beats(&t, 128, || 0xFFFF_FFFF);
        assert_eq!(beats.len(), 2);
        assert_eq!(beats[0].words()[0], 0x0000_0002_0000_0001);
        assert_eq!(beats[1].words()[0], 0xFFFF_FFFF_0000_0005);
        assert_eq!(from_beats(&beats, 128)[..5], t[..]);
        let beats = to_beats(&t, 64, || 0);
        assert_eq!(beats.len(), 3);
        assert_eq!(from_beats(&beats, 64), [1, 2, 3, 4, 5, 0]);
    }
}
