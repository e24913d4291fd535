//! PCIe transaction layer packets as the switch carries them (PCIe Base
//! Specification 2.2).
//!
//! A TLP is a run of DWs streamed from its start beat: DW `k` sits at
//! `data[32k+31:32k]` counting from the start beat (DW0 in bits 31:0), so a
//! beat of W bits holds W/32 DWs and a packet ends in the beat holding its
//! last DW. Each header DW is the 32-bit number of the specification's
//! figures (byte 0 in bits 31:24); payload DWs pass unchanged. The switch
//! reads the first four DWs (the header window, [`HEADER_BITS`]):
//!
//! | field | position |
//! |---|---|
//! | Fmt | DW0[31:29]: `000` 3-DW no data, `001` 4-DW no data, `010` 3-DW with data, `011` 4-DW with data |
//! | Type | DW0[28:24]: MRd/MWr `00000`, IORd/IOWr `00010`, CfgRd0/CfgWr0 `00100`, CfgRd1/CfgWr1 `00101`, Cpl/CplD `01010`, Msg/MsgD `10rrr` (r = routing subfield) |
//! | TC, TD, EP, Attr | DW0[22:20], DW0[15], DW0[14], DW0[18] and DW0[13:12]: carried, never changed |
//! | Length | DW0[9:0]: payload in DW, `0` meaning 1024 |
//! | address | 3-DW: DW2[31:2] = address[31:2]; 4-DW: DW2 = address[63:32], DW3[31:2] = address[31:2] |
//! | ID-routing bus | DW2[31:24]: a completion's requester bus, a configuration request's or an ID-routed message's target bus |
//!
//! Classes (2.4): MWr and Msg/MsgD are posted, MRd, MRdLk, IORd/IOWr,
//! configuration requests and AtomicOps non-posted, Cpl/CplD and
//! CplLk/CplDLk completions. The switch routes MRd/MWr, I/O,
//! configuration, completions and messages; the other defined TLPs no
//! window claims. Any other Fmt/Type combination, a TLP prefix (Fmt
//! `100`) included, is reserved here, and the TLP malformed. A TLP spans
//! its header, its payload (Length DWs with data) and, with TD set, a
//! 1-DW digest.

use linkforge_hdl::prelude::*;

/// Bits of the header window: DW0 to DW3.
pub const HEADER_BITS: u32 = 128;

/// Fmt of a request with a 4-DW header and data (MWr with a 64-bit address).
pub const FMT_4DW_DATA: u64 = 0b011;
/// Type of memory requests (MRd, MWr).
pub const TYPE_MEM: u64 = 0b0_0000;
/// Type of I/O requests (IORd, IOWr).
const TYPE_IO: u64 = 0b0_0010;
/// Type of Type 0 configuration requests.
const TYPE_CFG0: u64 = 0b0_0100;
/// Type of Type 1 configuration requests.
const TYPE_CFG1: u64 = 0b0_0101;
/// Type of completions (Cpl, CplD).
const TYPE_CPL: u64 = 0b0_1010;
/// Type of locked completions (CplLk, CplDLk).
const TYPE_CPLLK: u64 = 0b0_1011;
/// Type of locked memory reads (MRdLk).
const TYPE_MRDLK: u64 = 0b0_0001;
/// Types of the AtomicOp requests: FetchAdd, Swap, CAS.
const TYPE_FETCH_ADD: u64 = 0b0_1100;
const TYPE_SWAP: u64 = 0b0_1101;
const TYPE_CAS: u64 = 0b0_1110;
/// The last message routing subfield the specification defines
/// (`101`, gathered and routed to the root complex).
const MSG_LAST_ROUTING: u64 = 0b101;
/// Completion status Unsupported Request (2.2.9).
const STATUS_UR: u64 = 0b001;
/// Message routing subfield: by address.
pub const MSG_BY_ADDRESS: u64 = 0b001;
/// Message routing subfield: by ID.
pub const MSG_BY_ID: u64 = 0b010;
/// Message routing subfield: to the root complex.
const MSG_TO_ROOT: u64 = 0b000;
/// Message routing subfield: broadcast from the root complex.
const MSG_BROADCAST: u64 = 0b011;
/// Message routing subfield: local, terminating at the receiver.
const MSG_LOCAL: u64 = 0b100;
/// Message routing subfield: gathered and routed to the root complex.
const MSG_GATHERED: u64 = 0b101;

/// The flow-control class of a packet (PCIe 2.4, 2.6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Posted requests (MWr, Msg, MsgD): credit types PH and PD.
    Posted,
    /// Non-posted requests (MRd, IORd, IOWr, CfgRd, CfgWr): NPH and NPD.
    NonPosted,
    /// Completions (Cpl, CplD): CplH and CplD.
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

/// The fields of a header window the switch acts on, in hardware.
pub(crate) struct Header {
    /// The class code (2 bits; unsupported packets read as posted).
    pub class: Expr,
    /// Data credits the packet needs: ceil(Length / 4) with data, else 0
    /// (12 bits).
    pub data_credits: Expr,
    /// A memory request (MRd, MWr).
    pub is_mem: Expr,
    /// A Type 1 configuration request (CfgRd1, CfgWr1).
    pub is_cfg1: Expr,
    /// A completion, a Type 1 configuration request or an ID-routed
    /// message: routed by [`Header::bus`].
    pub by_id: Expr,
    /// A message routed by address.
    pub msg_by_address: Expr,
    /// A message routed to the root complex (routing `000`, or `101`
    /// gathered and routed to it).
    pub msg_to_root: Expr,
    /// A message broadcast from the root complex (routing `011`).
    pub msg_broadcast: Expr,
    /// A message local to the receiver, terminating there (routing `100`).
    pub msg_local: Expr,
    /// The request's address (64 bits; zero-extended from a 3-DW header).
    pub addr: Expr,
    /// DW2[31:24], the bus number ID routing uses (8 bits).
    pub bus: Expr,
    /// Fmt/Type is none of the combinations the specification defines for
    /// a TLP without prefixes (see [`decode`]): the TLP is malformed.
    pub reserved: Expr,
    /// DWs the TLP spans: header, payload (Length with data) and the digest
    /// when TD is set (11 bits).
    pub dws: Expr,
}

/// The three DWs (DW0 in bits 31:0) of the completion with status UR that
/// answers the non-posted request whose header window is `hdr`, from
/// completer `id` (16 bits): a Cpl keeping the request's TC, tag bits
/// T9/T8 and attributes; byte count Length x 4 for a memory read (byte
/// enables not taken off; 4096 reads as 0), else 4; the request's
/// requester ID and tag; the lower address of a memory read's first
/// enabled byte, else 0.
pub(crate) fn ur_completion(hdr: &Expr, id: Expr) -> Expr {
    let dw0 = hdr.clone().slice(31, 0);
    let dw1 = hdr.clone().slice(63, 32);
    let h = decode(hdr.clone());
    let bit = |k: u32| dw0.clone().bit(k);
    let cpl_dw0 = cat![
        lit(0b000, 3),
        lit(TYPE_CPL, 5),
        bit(23),
        dw0.clone().slice(22, 20),
        bit(19),
        bit(18),
        lit(0, 4),
        dw0.clone().slice(13, 12),
        lit(0, 12)
    ];
    let read = h.is_mem & !bit(30);
    let length = dw0.slice(9, 0);
    let byte_count = mux(read.clone(), cat![length, lit(0, 2)], lit(4, 12));
    let be = dw1.clone().slice(3, 0);
    let offset = (1..4u64).rev().fold(lit(0, 2), |acc, k| {
        mux(be.clone().bit(k as u32), lit(k, 2), acc)
    });
    let offset = mux(be.bit(0), lit(0, 2), offset);
    let lower = mux(read, cat![h.addr.slice(6, 2), offset], lit(0, 7));
    let cpl_dw1 = cat![id, lit(STATUS_UR, 3), lit(0, 1), byte_count];
    let cpl_dw2 = cat![dw1.slice(31, 8), lit(0, 1), lower];
    cat![cpl_dw2, cpl_dw1, cpl_dw0]
}

/// Decodes the header window `hdr` ([`HEADER_BITS`] bits, DW0 in 31:0).
pub(crate) fn decode(hdr: impl Into<Expr>) -> Header {
    let h = hdr.into();
    let dw = |k: u32| h.clone().slice(32 * k + 31, 32 * k);
    let dw0 = dw(0);
    let fmt = dw0.clone().slice(31, 29);
    let ty = dw0.clone().slice(28, 24);
    let with_data = fmt.clone().bit(1);
    let four_dw = fmt.clone().bit(0);
    let fmt_is = |v: u64| fmt.clone().eq(lit(v, 3));
    let ty_is = |v: u64| ty.clone().eq(lit(v, 5));
    let three_dw = fmt_is(0b000) | fmt_is(0b010);
    let any_fmt = three_dw.clone() | fmt_is(0b001) | fmt_is(0b011);
    let is_mem = ty_is(TYPE_MEM) & any_fmt;
    let is_io = ty_is(TYPE_IO) & three_dw.clone();
    let is_cfg = (ty_is(TYPE_CFG0) | ty_is(TYPE_CFG1)) & three_dw.clone();
    let is_cfg1 = ty_is(TYPE_CFG1) & three_dw.clone();
    let is_cpl = ty_is(TYPE_CPL) & three_dw.clone();
    let is_msg = ty.clone().slice(4, 3).eq(lit(0b10, 2)) & (fmt_is(0b001) | fmt_is(0b011));
    let route = ty.clone().slice(2, 0);
    // Defined but not routed here: MRdLk, CplLk and the AtomicOps.
    let is_locked_read = ty_is(TYPE_MRDLK) & (fmt_is(0b000) | fmt_is(0b001));
    let is_locked_cpl = ty_is(TYPE_CPLLK) & three_dw.clone();
    let is_atomic = (ty_is(TYPE_FETCH_ADD) | ty_is(TYPE_SWAP) | ty_is(TYPE_CAS))
        & (fmt_is(0b010) | fmt_is(0b011));
    let defined = is_mem.clone()
        | is_io.clone()
        | is_cfg.clone()
        | is_cpl.clone()
        | is_locked_cpl.clone()
        | is_locked_read.clone()
        | is_atomic.clone()
        | (is_msg.clone() & route.clone().le(lit(MSG_LAST_ROUTING, 3)));
    let msg_by_id = is_msg.clone() & route.clone().eq(lit(MSG_BY_ID, 3));
    let msg_by_address = is_msg.clone() & route.clone().eq(lit(MSG_BY_ADDRESS, 3));
    let msg_to_root = is_msg.clone()
        & (route.clone().eq(lit(MSG_TO_ROOT, 3)) | route.clone().eq(lit(MSG_GATHERED, 3)));
    let msg_broadcast = is_msg.clone() & route.clone().eq(lit(MSG_BROADCAST, 3));
    let msg_local = is_msg.clone() & route.clone().eq(lit(MSG_LOCAL, 3));
    let posted = (is_mem.clone() & with_data.clone()) | is_msg;
    let nonposted =
        (is_mem.clone() & !with_data.clone()) | is_io | is_cfg | is_locked_read | is_atomic;
    let class = mux(
        is_cpl.clone() | is_locked_cpl,
        lit(Class::Completion.code(), 2),
        mux(
            nonposted & !posted,
            lit(Class::NonPosted.code(), 2),
            lit(Class::Posted.code(), 2),
        ),
    );
    let digest = dw0.clone().bit(15);
    let length = dw0.slice(9, 0);
    let payload = mux(length.clone().any(), length.zext(11), lit(1024, 11));
    let credits = (payload.clone().zext(12) + 3) >> 2;
    let data_credits = mux(with_data.clone(), credits, lit(0, 12));
    let dws = mux(four_dw.clone(), lit(4, 11), lit(3, 11))
        + mux(with_data, payload, lit(0, 11))
        + digest.zext(11);
    let low = dw(2).slice(31, 2);
    let addr = mux(
        four_dw,
        cat![dw(2), dw(3).slice(31, 2), lit(0, 2)],
        cat![lit(0, 32), low, lit(0, 2)],
    );
    Header {
        class,
        data_credits,
        is_mem,
        is_cfg1: is_cfg1.clone(),
        by_id: is_cpl | is_cfg1 | msg_by_id,
        msg_by_address,
        msg_to_root,
        msg_broadcast,
        msg_local,
        addr,
        bus: dw(2).slice(31, 24),
        reserved: !defined,
        dws,
    }
}
