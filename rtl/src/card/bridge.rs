//! Bridges between an [`eth_pcs`](crate::ethernet::pcs)'s XGMII and a
//! 64-bit [`switch`](crate::switch::switch) port, each crossing between the
//! PCS's clock and the switch's through [`async_fifo`]s.
//!
//! **Frames as switch packets.** A frame (its bytes from the destination
//! MAC address through the FCS; preamble and SFD stripped) crosses the
//! switch as a PCIe memory write with a 4-DW header (see
//! [`crate::switch::tlp`]): header beat 0 holds DW0 (bits 31:0: Fmt `011`,
//! Type `00000`, TC, attributes, TD and EP zero, Length the frame's bytes
//! in DW, rounded up) and DW1 (bits 63:32: requester ID and tag zero, last
//! DW byte enables the bytes of the last DW with byte 0 in bit 0, first DW
//! byte enables `1111`); header beat 1 holds DW2 (address bits 63:32) and
//! DW3 (address bits 31:0). The address is the destination MAC address
//! shifted left by 16 (the first byte sent in address bits 63:56). The
//! payload follows in 8-byte beats, byte `i` of a beat in bits `8i+7:8i`
//! (XGMII lane order). Frames are at least [`MIN_FRAME_BYTES`] long, so
//! Length is at least 16 and the last DW's byte enables are DW1's.
//!
//! So the switch routes frames by destination MAC address through its
//! prefetchable windows: a window `base..=limit` (address bits 63:20)
//! claims the MAC addresses `base << 4 ..= limit << 4 | 0xF` (`mac_window`
//! in `linkforge-verif`'s `tb::card`). A MAC address whose first four bytes
//! are zero gives a 4-DW header addressing below 4 GB, which the
//! specification leaves to the receiver; the switch routes it by its
//! prefetchable windows all the same.
//!
//! **`xgmii_to_switch`** (PCS receive side to a switch input). Receive domain
//! (`rx_clk`, `rx_rst`): `xgmii_rx_valid`, `xgmii_rxd[63:0]`,
//! `xgmii_rxc[7:0]` as the PCS gives them. Frames are found with the
//! framing rules of [`eth_fcs`] (start in lane 0 or 4, the frame up to the
//! first control lane, which must be terminate), checked by an `eth_fcs`
//! instance, and stored whole. A frame is forwarded only if its FCS is
//! good, it ended with terminate, it has at least [`MIN_FRAME_BYTES`]
//! bytes and at most `max_frame_beats` beats, and the FIFOs had room for
//! it; anything else is dropped and counted. Switch domain (`clk`, `rst`):
//! `pkt_valid`, `pkt_ready`, `pkt_sop`, `pkt_eop`, `pkt_data[63:0]`,
//! `pkt_keep[1:0]` (a [`TlpStream`]) to the switch's receive port, and `pkt_fc_{ph,pd,nph,npd,cplh,cpld}` (the input's
//! advertised credit limits): a packet starts only when the limits let its
//! header and data credits through ([`credit`](crate::switch::credit)),
//! and only once its whole frame is in the FIFO, so its beats follow each
//! other without gaps. Counters (saturating, 32 bits): receive domain
//! `rx_frames` (frames ended), `rx_dropped` (all frames not forwarded),
//! `rx_oversize` (of which too long), `rx_overflow` (of which the FIFOs had
//! no room for); switch domain `packets` (packets sent to the switch).
//!
//! **`switch_to_xgmii`** (a switch output to the PCS transmit side). Switch
//! domain (`clk`, `rst`): `pkt_valid`, `pkt_ready`, `pkt_sop`, `pkt_eop`,
//! `pkt_data[63:0]`, `pkt_keep[1:0]` from the switch's transmit port, and `pkt_fc_*` (the limits this
//! receiver advertises: the largest the counters allow, since `pkt_ready`
//! holds the packets back when the FIFO is full; credits return as each
//! packet's last beat is taken). The beats after a packet's two header
//! beats become the frame's bytes; the last DW's byte enables (DW1[7:4])
//! and the end beat's keep flags say how many bytes of the last beat count (byte
//! enables other than `0001`, `0011`, `0111` count as four bytes). A packet
//! with no payload beats is dropped and counted. Transmit domain (`tx_clk`, `tx_rst`):
//! `xgmii_tx_ready` (the PCS takes `xgmii_txd`/`xgmii_txc` at this edge),
//! `xgmii_txd[63:0]`, `xgmii_txc[7:0]`. A frame is sent only once all of it
//! is in the FIFO: start (`FBh` in lane 0), six `55h` and the SFD `D5h`,
//! its bytes, terminate (`FDh`) and idles (`07h`), at least
//! [`MIN_IPG_BYTES`] idles before the next start. The FCS travels with the
//! frame's bytes and is not recomputed. Should the FIFO ever run dry in a
//! frame, error characters (`FEh`) go out, aborting it, and `underruns`
//! counts them. Counters: switch domain `packets` (taken), `drops`
//! (packets with no payload); transmit domain `tx_frames`, `underruns`.
//!
//! Latency: a frame waits for its last byte on each side (store and
//! forward), plus three or four edges of the far clock per crossing.
//!
//! [`async_fifo`]: crate::common::async_fifo
//! [`eth_fcs`]: crate::ethernet::fcs

use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::async_fifo::{async_fifo, AsyncFifoConfig};
use crate::common::saturating_count;
use crate::ethernet::fcs::eth_fcs;
use crate::ethernet::{COUNT_WIDTH, ERROR, IDLE, START, TERMINATE};
use crate::params::{checked, IntParam};
use crate::switch::credit::{
    rx_limits, CreditSet, PacketCredits, TxCredits, DATA_BITS, DATA_CREDITS, HDR_CREDITS,
};
use crate::switch::tlp::{self, Class};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::InstanceHandle;

/// Bytes in one beat (the switch's data width must be 64).
pub const BEAT_BYTES: usize = 8;
/// Beats of a packet's 4-DW header at the bridges' 64 bits.
pub const HEADER_BEATS: u32 = 2;
/// The switch data width the bridges meet.
pub const DATA_WIDTH: u32 = 64;
/// Frames shorter than this (runts) are dropped.
pub const MIN_FRAME_BYTES: usize = 64;
/// Idle characters `switch_to_xgmii` leaves at least between frames.
pub const MIN_IPG_BYTES: usize = 12;
/// Frames `xgmii_to_switch` holds at once (descriptor FIFO depth).
const FRAMES: u32 = 16;
/// Descriptor bits of `xgmii_to_switch`: forward flag, tail, beats.
const DESC_BITS: u32 = 1 + 4 + 8;
/// The start word: start in lane 0, six preamble bytes and the SFD.
const START_WORD: u64 = 0xD555_5555_5555_55FB;

/// Parameter `max_frame_beats`.
pub const MAX_FRAME_BEATS: IntParam = IntParam::new(
    "max_frame_beats",
    "mfb",
    8..=255,
    64,
    "longest frame carried, in 8-byte beats (a switch's max_packet_beats less two)",
);

/// A bridge's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BridgeConfig {
    /// The longest frame carried, in 8-byte beats ([`MAX_FRAME_BEATS`]): a switch's
    /// `max_packet_beats` less the [`HEADER_BEATS`].
    pub max_frame_beats: u32,
}

impl BridgeConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = BridgeConfig {
            max_frame_beats: MAX_FRAME_BEATS.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the range.
    pub fn validate(&self) -> Result<(), RtlError> {
        MAX_FRAME_BEATS.check(self.max_frame_beats)
    }

    /// Words in each data FIFO: room for two longest frames.
    pub fn fifo_depth(&self) -> u32 {
        (2 * self.max_frame_beats).next_power_of_two()
    }

    /// The longest frame carried, in bytes.
    pub fn max_frame_bytes(&self) -> usize {
        self.max_frame_beats as usize * BEAT_BYTES
    }
}

/// Connects an async FIFO's write side to `wr` and read side to `rd`.
fn fifo(
    m: &mut ModuleBuilder,
    name: &str,
    module: Module,
    (wr_clk, wr_rst): (Clock, Reset),
    (rd_clk, rd_rst): (Clock, Reset),
) -> Result<InstanceHandle, HdlError> {
    let u = m.instance(name, module);
    m.assign(u.io("wr_clk")?, wr_clk);
    m.assign(u.io("wr_rst")?, wr_rst);
    m.assign(u.io("rd_clk")?, rd_clk);
    m.assign(u.io("rd_rst")?, rd_rst);
    Ok(u)
}

/// A saturating counter of `event` on output `name`.
fn counter(m: &mut ModuleBuilder, name: &str, event: Expr) {
    let q = saturating_count(m, &format!("{name}_q"), event, COUNT_WIDTH);
    let out = m.output(name, COUNT_WIDTH);
    m.assign(out, q);
}

/// A wire `name` driven by `value`.
fn named(m: &mut ModuleBuilder, name: &str, value: Expr) -> Signal {
    let w = m.wire(name, value.width());
    m.assign(w, value);
    w
}

/// Builds `xgmii_to_switch` as module `module_name`.
pub fn xgmii_to_switch(module_name: &str, cfg: &BridgeConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let data_cfg = AsyncFifoConfig {
        width: DATA_WIDTH,
        depth: cfg.fifo_depth(),
    };
    let desc_cfg = AsyncFifoConfig {
        width: DESC_BITS,
        depth: FRAMES,
    };
    let mut m = ModuleBuilder::new(module_name);
    let rx_clk = m.clock("rx_clk");
    let rx_rst = m.reset("rx_rst");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let (rx, sw) = ((rx_clk, rx_rst), (clk, rst));
    let data = fifo(
        &mut m,
        "u_data",
        async_fifo(&format!("{module_name}_data"), &data_cfg)?,
        rx,
        sw,
    )?;
    let desc = fifo(
        &mut m,
        "u_desc",
        async_fifo(&format!("{module_name}_desc"), &desc_cfg)?,
        rx,
        sw,
    )?;
    let u_fcs = m.instance("u_fcs", eth_fcs(&format!("{module_name}_fcs"))?);
    m.assign(u_fcs.io("clk")?, rx_clk);
    m.assign(u_fcs.io("rst")?, rx_rst);
    let mut result = Ok(());
    m.in_domain(
        Domain {
            clock: rx_clk,
            reset: Some(rx_rst),
        },
        |m| result = receive_side(m, cfg, &data, &desc, &u_fcs),
    );
    result?;
    let mut result = Ok(());
    m.in_domain(
        Domain {
            clock: clk,
            reset: Some(rst),
        },
        |m| result = forward_side(m, &data, &desc),
    );
    result?;
    m.finish()
}

/// `xgmii_to_switch`'s receive domain: framing, the FIFO writes, drops.
fn receive_side(
    m: &mut ModuleBuilder,
    cfg: &BridgeConfig,
    data: &InstanceHandle,
    desc: &InstanceHandle,
    u_fcs: &InstanceHandle,
) -> Result<(), HdlError> {
    let valid = m.input("xgmii_rx_valid", 1);
    let d = m.input("xgmii_rxd", 64);
    let c = m.input("xgmii_rxc", 8);
    m.assign(u_fcs.io("in_valid")?, valid);
    m.assign(u_fcs.io("xgmii_d")?, d);
    m.assign(u_fcs.io("xgmii_c")?, c);

    let in_frame = m.reg("in_frame", 1).reset(0);
    // The frame started in lane 4: its bytes sit 4 lanes late in every
    // word, the 4 left over from the last word wait in `pend`.
    let shift = m.reg("shift", 1).reset(0);
    let first = m.reg("first", 1).reset(0);
    let pend = m.reg("pend", 32).reset(0);
    // Beats of the frame so far (written or not), beats written, the byte
    // count of the last beat.
    let beats = m.reg("beats", 9).reset(0);
    let written = m.reg("written", 8).reset(0);
    let tail = m.reg("tail", 4).reset(0);
    let oversize = m.reg("oversize", 1).reset(0);
    let overflow = m.reg("overflow", 1).reset(0);
    // The frame ended at the last edge (the FCS monitor's verdict is out
    // now); a beat still to write then.
    let ending = named(m, "ending", u_fcs.io("frame_done")?.into());
    let flush = m.reg("flush", 1).reset(0);
    let flush_data = m.reg("flush_data", 32).reset(0);

    let byte = |j: u32| d.slice(8 * j + 7, 8 * j);
    let is = |j: u32, ch: u8| c.bit(j) & byte(j).eq(lit(ch.into(), 8));
    let starts = is(0, START) | is(4, START);
    let lead = named(m, "lead", shift & first);
    let ctl = m.wire("ctl", 8);
    m.assign(ctl, c & mux(lead, lit(0xF0, 8), lit(0xFF, 8)));
    let has_ctl = m.wire("has_ctl", 1);
    m.assign(has_ctl, ctl.any());
    // Lanes before the first control lane (8 when none).
    let k = m.wire("k", 4);
    m.assign(
        k,
        (0..8u32)
            .rev()
            .fold(lit(8, 4), |acc, j| mux(ctl.bit(j), lit(j.into(), 4), acc)),
    );
    let word = m.wire("word", 1);
    m.assign(word, valid & in_frame);
    let high_half = named(m, "high_half", d.slice(63, 32));
    // This word's beat: without the shift the word itself (k bytes);
    // shifted, `pend` then the word's low half (4 + k bytes, at most 8),
    // except in the word after the start, whose bytes 4..k only fill
    // `pend` unless the frame ends there.
    let k_gt4 = k.gt(lit(4, 4));
    let emit = named(
        m,
        "emit",
        mux(
            shift,
            mux(first, has_ctl & k_gt4.clone(), high()),
            k.ne(lit(0, 4)),
        ),
    );
    let emit_data = mux(
        lead,
        high_half.zext(64),
        mux(shift, cat![d.slice(31, 0), pend], Expr::from(d)),
    );
    let k5 = k.zext(5);
    let emit_tail = mux(
        lead,
        k - 4,
        mux(
            shift,
            mux(
                k.lt(lit(4, 4)),
                (k5 + 4).trunc(4),
                lit(BEAT_BYTES as u64, 4),
            ),
            Expr::from(k),
        ),
    );
    // A shifted frame ending after lane 4 has one more beat.
    let need_flush = named(m, "need_flush", shift & !first & has_ctl & k_gt4);

    // The one write port: this word's beat, or the flush after the end.
    let flushing = named(m, "flushing", ending & flush);
    let beat = m.wire("beat", 1);
    m.assign(beat, (word & emit) | flushing);
    let beat_data = mux(flushing, flush_data.zext(64), emit_data);
    let room = named(m, "room", beats.lt(lit(cfg.max_frame_beats.into(), 9)));
    let full = data.io("wr_full")?;
    let too_long = named(m, "too_long", beat & !room);
    let no_room = named(m, "no_room", beat & room & full);
    let oversize_now = named(m, "oversize_now", oversize | too_long);
    let overflow_now = named(m, "overflow_now", overflow | no_room);
    let write = beat & room & !full & !oversize & !overflow;
    m.assign(data.io("wr_en")?, write.clone());
    m.assign(data.io("wr_data")?, beat_data);
    let written_now = named(m, "written_now", written + write.zext(8));

    // The end: one edge after the word holding the control lane, with the
    // FCS monitor's verdict.
    let total = named(m, "total", beats + flushing.zext(9));
    let runt = total.lt(lit((MIN_FRAME_BYTES / BEAT_BYTES) as u64, 9))
        | (total.eq(lit((MIN_FRAME_BYTES / BEAT_BYTES) as u64, 9))
            & tail.ne(lit(BEAT_BYTES as u64, 4)));
    let good = u_fcs.io("frame_good")?;
    let forward = named(m, "forward", good & !runt & !oversize_now & !overflow_now);
    let push = ending & written_now.ne(lit(0, 8));
    m.assign(desc.io("wr_en")?, push);
    m.assign(desc.io("wr_data")?, cat![forward, tail, written_now]);
    counter(m, "rx_frames", ending.into());
    counter(m, "rx_dropped", ending & !forward);
    counter(m, "rx_oversize", ending & oversize_now);
    counter(m, "rx_overflow", ending & !oversize_now & overflow_now);

    let desc_full = desc.io("wr_full")?;
    m.when(beat & room, |m| m.next(beats, beats + 1));
    m.when(too_long, |m| m.next(oversize, high()));
    m.when(no_room, |m| m.next(overflow, high()));
    m.next(written, written_now);
    m.when(word, |m| {
        m.next(first, low());
        m.next(pend, high_half);
        m.when(emit, |m| m.next(tail, emit_tail));
        m.when(has_ctl, |m| {
            m.next(in_frame, low());
            m.next(flush, need_flush);
            m.next(flush_data, high_half);
            m.when(need_flush, |m| m.next(tail, k - 4));
        });
    })
    .elsewhen(valid & !in_frame & starts, |m| {
        m.next(in_frame, high());
        m.next(shift, !is(0, START));
        m.next(first, high());
        m.next(beats, lit(0, 9));
        m.next(written, lit(0, 8));
        m.next(oversize, low());
        // No room for the frame's descriptor: drop it whole.
        m.next(overflow, desc_full);
    });
    Ok(())
}

/// `xgmii_to_switch`'s switch domain: a stored frame to the switch input as
/// two header beats and its payload, within the input's credit limits; a
/// dropped frame's beats are read and discarded.
fn forward_side(
    m: &mut ModuleBuilder,
    data: &InstanceHandle,
    desc: &InstanceHandle,
) -> Result<(), HdlError> {
    let pkt = m.source("pkt_", TlpStream::new(DATA_WIDTH));
    let (valid, ready, sop, eop, out) =
        (pkt.valid(), pkt.ready(), pkt.sop(), pkt.eop(), pkt.data());
    let limits = CreditSet::new("pkt_fc_", |name, width| m.input(name, width));
    let credits = TxCredits::build(m, "pkt_", limits);

    let head = desc.io("rd_data")?;
    let has_desc = !desc.io("rd_empty")?;
    let forward = head.bit(DESC_BITS - 1);
    let tail = head.slice(11, 8);
    let frame_beats = head.slice(7, 0);
    let beat = data.io("rd_data")?;
    let has_beat = !data.io("rd_empty")?;

    let busy = m.reg("busy", 1).reset(0);
    let second = m.reg("second", 1).reset(0);
    let discard = m.reg("discard", 1).reset(0);
    let count = m.reg("count", 8).reset(0);
    let last = (count + 1).eq(frame_beats.clone());
    let class = lit(Class::Posted.code(), 2);
    // Length in DW: the full beats' 2 each, then 1 or 2 for the last.
    let full_dws = (frame_beats.clone().zext(10) - 1) << 1;
    let upper = tail.clone().gt(lit(4, 4));
    let length = full_dws + mux(upper.clone(), lit(2, 10), lit(1, 10));
    // Both DWs of every beat count but the last payload beat's upper one
    // when the frame ends in its lower half.
    let lower_only = busy & last.clone() & !upper.clone();
    m.assign(pkt.keep(), mux(lower_only, lit(0b01, 2), lit(0b11, 2)));
    let need = (length.clone().zext(DATA_BITS) + 3) >> 2;
    // Bytes of the last DW and its byte enables (byte 0 in bit 0).
    let last_bytes = mux(upper, tail.clone() - 4, tail.clone());
    let last_be = (1..=4u64).fold(lit(0, 4), |acc, r| {
        mux(last_bytes.clone().eq(lit(r, 4)), lit((1 << r) - 1, 4), acc)
    });
    let idle = !busy & !second & !discard;
    let can_head = idle.clone()
        & has_desc.clone()
        & forward.clone()
        & has_beat.clone()
        & credits.ok(&class, &need);
    // The header: the destination MAC address is the first beat's bytes 0..5.
    let dst: Vec<Expr> = (0..6u32).map(|j| beat.slice(8 * j + 7, 8 * j)).collect();
    let mac = concat(dst);
    let dw0 = cat![
        lit(tlp::FMT_4DW_DATA, 3),
        lit(tlp::TYPE_MEM, 5),
        lit(0, 14),
        length
    ];
    let dw1 = cat![lit(0, 24), last_be, lit(0xF, 4)];
    let dw2 = mac.clone().slice(47, 16);
    let dw3 = cat![mac.slice(15, 0), lit(0, 16)];
    m.assign(valid, can_head | second | (busy & has_beat.clone()));
    m.assign(sop, !busy & !second);
    m.assign(eop, busy & last.clone());
    m.assign(
        out,
        mux(busy, beat, mux(second, cat![dw3, dw2], cat![dw1, dw0])),
    );
    let fire = m.wire("fire", 1);
    m.assign(fire, valid & ready);
    let head_taken = fire & !busy & !second;
    let beat_taken = fire & busy;
    let dropped = discard & has_beat;
    let sent = PacketCredits {
        when: head_taken.clone(),
        class: class.clone(),
        data: need.clone(),
    };
    credits.consume(m, &sent, None);
    m.assign(data.io("rd_en")?, beat_taken.clone() | dropped.clone());
    let done = (beat_taken.clone() | dropped.clone()) & last;
    m.assign(desc.io("rd_en")?, done.clone());
    m.when(done.clone(), |m| {
        m.next(busy, low());
        m.next(discard, low());
    })
    .elsewhen(fire & second, |m| {
        m.next(second, low());
        m.next(busy, high());
        m.next(count, lit(0, 8));
    })
    .elsewhen(head_taken, |m| m.next(second, high()))
    .elsewhen(idle & has_desc & !forward, |m| {
        m.next(discard, high());
        m.next(count, lit(0, 8));
    });
    m.when(beat_taken.clone() | dropped, |m| m.next(count, count + 1));
    counter(m, "packets", beat_taken & done);
    Ok(())
}

/// Builds `switch_to_xgmii` as module `module_name`.
pub fn switch_to_xgmii(module_name: &str, cfg: &BridgeConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let data_cfg = AsyncFifoConfig {
        width: DATA_WIDTH + 5,
        depth: cfg.fifo_depth(),
    };
    let frames_cfg = AsyncFifoConfig {
        width: 1,
        depth: cfg.fifo_depth(),
    };
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let tx_clk = m.clock("tx_clk");
    let tx_rst = m.reset("tx_rst");
    let (sw, tx) = ((clk, rst), (tx_clk, tx_rst));
    let data = fifo(
        &mut m,
        "u_data",
        async_fifo(&format!("{module_name}_data"), &data_cfg)?,
        sw,
        tx,
    )?;
    let frames = fifo(
        &mut m,
        "u_frames",
        async_fifo(&format!("{module_name}_frames"), &frames_cfg)?,
        sw,
        tx,
    )?;
    let mut result = Ok(());
    m.in_domain(
        Domain {
            clock: clk,
            reset: Some(rst),
        },
        |m| result = take_side(m, &data, &frames),
    );
    result?;
    let mut result = Ok(());
    m.in_domain(
        Domain {
            clock: tx_clk,
            reset: Some(tx_rst),
        },
        |m| result = transmit_side(m, &data, &frames),
    );
    result?;
    m.finish()
}

/// `switch_to_xgmii`'s switch domain: packets from the switch output into
/// the FIFO (payload beats with their last flag and byte count), one entry
/// in the frame FIFO per complete frame; credits back as packets are taken.
fn take_side(
    m: &mut ModuleBuilder,
    data: &InstanceHandle,
    frames: &InstanceHandle,
) -> Result<(), HdlError> {
    let pkt = m.sink("pkt_", TlpStream::new(DATA_WIDTH));
    let (valid, ready, sop, eop, beat) =
        (pkt.valid(), pkt.ready(), pkt.sop(), pkt.eop(), pkt.data());

    // The start beat holds DW0 (Length in [9:0]) and DW1 (last DW byte
    // enables in [39:36]).
    let hdr = tlp::decode(beat.zext(tlp::HEADER_BITS));
    let be = beat.slice(39, 36);
    let last_bytes = [(0b0001, 1), (0b0011, 2), (0b0111, 3)]
        .into_iter()
        .fold(lit(4, 4), |acc, (mask, r)| {
            mux(be.clone().eq(lit(mask, 4)), lit(r, 4), acc)
        });
    let credits_now = hdr.data_credits;
    // Bytes of the last DW, kept from the start beat; the end beat's keep
    // flags say whether that DW is its lower or upper one.
    let last_dw_bytes = m.reg("last_dw_bytes", 4).reset(4);
    let keep = pkt.keep();
    let tail = mux(
        keep.bit(1),
        last_dw_bytes + 4,
        mux(keep.bit(0), Expr::from(last_dw_bytes), lit(0, 4)),
    );
    let second = m.reg("second", 1).reset(0);
    let class = m.reg("class", 2).reset(0);
    let need = m.reg("need", DATA_BITS).reset(0);
    m.assign(ready, !data.io("wr_full")? & !frames.io("wr_full")?);
    let fire = m.wire("fire", 1);
    m.assign(fire, valid & ready);
    m.when(fire & sop, |m| {
        m.next(last_dw_bytes, last_bytes);
        m.next(class, hdr.class.clone());
        m.next(need, credits_now.clone());
    });
    m.when(fire, |m| m.next(second, sop & !eop));
    let payload = fire & !sop & !second;
    let beat_tail = mux(eop, tail, lit(BEAT_BYTES as u64, 4));
    m.assign(data.io("wr_en")?, payload.clone());
    m.assign(data.io("wr_data")?, cat![eop, beat_tail, beat]);
    m.assign(frames.io("wr_en")?, payload.clone() & eop);
    m.assign(frames.io("wr_data")?, high());
    let release = PacketCredits {
        when: fire & eop,
        class: mux(sop, hdr.class, class),
        data: mux(sop, credits_now, need),
    };
    let limits = rx_limits(
        m,
        "pkt_fc_q_",
        [(HDR_CREDITS.max as u64, DATA_CREDITS.max as u64); 3],
        &[release],
        &[],
    );
    let outs = CreditSet::new("pkt_fc_", |name, width| m.output(name, width));
    for (o, l) in outs.all().into_iter().zip(limits) {
        m.assign(o, l);
    }
    counter(m, "packets", fire & eop);
    counter(m, "drops", fire & eop & (sop | second));
    Ok(())
}

/// `switch_to_xgmii`'s transmit domain: whole frames onto the XGMII.
fn transmit_side(
    m: &mut ModuleBuilder,
    data: &InstanceHandle,
    frames: &InstanceHandle,
) -> Result<(), HdlError> {
    let take = m.input("xgmii_tx_ready", 1);
    let txd = m.output("xgmii_txd", 64);
    let txc = m.output("xgmii_txc", 8);
    let sending = m.reg("sending", 1).reset(0);
    let term = m.reg("term", 1).reset(0);
    let gap = m.reg("gap", 2).reset(0);

    let head = data.io("rd_data")?;
    let has_beat = !data.io("rd_empty")?;
    let last = head.bit(DATA_WIDTH + 4);
    let tail = head.slice(DATA_WIDTH + 3, DATA_WIDTH);
    let bytes = head.slice(DATA_WIDTH - 1, 0);
    let repeat = |b: u8| lit(u64::from_ne_bytes([b; 8]), 64);
    let start = !sending & !term & !frames.io("rd_empty")? & gap.eq(lit(0, 2));
    // The last beat: its bytes below `tail`, terminate at lane `tail`,
    // idles after.
    let lanes: Vec<(Expr, Expr)> = (0..8u32)
        .map(|j| {
            let at = lit(j.into(), 4);
            let data_lane = at.clone().lt(tail.clone());
            let byte = mux(
                data_lane.clone(),
                bytes.clone().slice(8 * j + 7, 8 * j),
                mux(
                    at.eq(tail.clone()),
                    lit(TERMINATE.into(), 8),
                    lit(IDLE.into(), 8),
                ),
            );
            (byte, !data_lane)
        })
        .collect();
    let last_d = concat(lanes.iter().rev().map(|(b, _)| b.clone()).collect());
    let last_c = concat(lanes.iter().rev().map(|(_, c)| c.clone()).collect());
    let (d, c) = (m.wire("word_d", 64), m.wire("word_c", 8));
    let in_frame_d = mux(
        has_beat.clone(),
        mux(last.clone(), last_d, bytes.clone()),
        repeat(ERROR),
    );
    let in_frame_c = mux(
        has_beat.clone(),
        mux(last.clone(), last_c, lit(0, 8)),
        lit(0xFF, 8),
    );
    let idle_d = mux(
        term,
        lit(
            u64::from_le_bytes([TERMINATE, IDLE, IDLE, IDLE, IDLE, IDLE, IDLE, IDLE]),
            64,
        ),
        mux(start.clone(), lit(START_WORD, 64), repeat(IDLE)),
    );
    let idle_c = mux(start.clone() & !term, lit(0x01, 8), lit(0xFF, 8));
    m.assign(d, mux(sending, in_frame_d, idle_d));
    m.assign(c, mux(sending, in_frame_c, idle_c));
    m.assign(txd, d);
    m.assign(txc, c);

    let pop = take & sending & has_beat.clone();
    let ends = pop.clone() & last;
    m.assign(data.io("rd_en")?, pop);
    m.assign(frames.io("rd_en")?, take & start.clone());
    // Idle words after the terminate word: 12 idles at least.
    let words_after = mux(tail.clone().le(lit(3, 4)), lit(1, 2), lit(2, 2));
    m.when(take, |m| {
        m.when(ends.clone(), |m| {
            m.next(sending, low());
            m.when(tail.eq(lit(BEAT_BYTES as u64, 4)), |m| m.next(term, high()))
                .otherwise(|m| m.next(gap, words_after));
        })
        .elsewhen(term, |m| {
            m.next(term, low());
            m.next(gap, lit(1, 2));
        })
        .elsewhen(start, |m| m.next(sending, high()))
        .elsewhen(gap.ne(lit(0, 2)), |m| m.next(gap, gap - 1));
    });
    counter(m, "tx_frames", ends);
    counter(m, "underruns", take & sending & !has_beat);
    Ok(())
}

/// The parameter of both bridges.
fn params() -> Vec<crate::catalog::ParamSpec> {
    vec![MAX_FRAME_BEATS.spec()]
}

/// The catalogue entry of `xgmii_to_switch`.
pub fn rx_kind() -> BlockKind {
    BlockKind {
        name: "xgmii_to_switch",
        doc: "bridge: PCS receive XGMII frames (FCS-checked, stored whole) to 64-bit switch packets routed by destination MAC, across clock domains",
        params: params(),
        build: |name, p| Ok(xgmii_to_switch(name, &BridgeConfig::from_params(p)?)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `switch_to_xgmii`.
pub fn tx_kind() -> BlockKind {
    BlockKind {
        name: "switch_to_xgmii",
        doc: "bridge: 64-bit switch packets to whole XGMII frames (start, preamble, SFD, terminate, idles) for a PCS, across clock domains",
        params: params(),
        build: |name, p| Ok(switch_to_xgmii(name, &BridgeConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
