//! `eth_fcs`: the Ethernet frame check sequence (CRC-32) over the frames of
//! an XGMII stream: it computes each frame's CRC-32 (the FCS a transmitter
//! appends) and checks frames that end in their own FCS, counting them.
//! The CRC is the [`crc`](crate::common::crc) block (CRC-32, 8 bytes per
//! clock).
//!
//! Framing rules (shared by the block and its model, `Monitor` in
//! `linkforge-verif`'s `tb::ethernet`):
//!
//! - Outside a frame, a word with start (`FBh`, a control lane) in lane 0,
//!   or else in lane 4, begins one; its preamble and SFD take the 8 lanes
//!   from the start, so the frame's bytes begin in the next word at lane 0
//!   (start in lane 0) or lane 4 (start in lane 4; lanes 0..3 of that word
//!   are preamble and not looked at).
//! - In a frame, the frame's bytes run up to the first control lane. If it
//!   holds terminate (`FDh`) the frame ends there: it is good when its
//!   bytes end in their own CRC-32 (sent least significant byte first),
//!   else an FCS error. Any other control character aborts the frame (a
//!   frame error). The rest of that word is not looked at.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `in_valid` (the
//! word is taken at this edge), `xgmii_d[63:0]`, `xgmii_c[7:0]`. For the
//! cycle after the edge that ends a frame: `frame_done`, and one of
//! `frame_good`, `frame_fcs_error`, `frame_aborted`; `fcs[31:0]` is then
//! the CRC-32 of the bytes of the frame (all of them up to terminate).
//! Counters (saturating, 32 bits): `frames` (frames ended), `fcs_errors`,
//! `frame_errors` (aborted frames).

use super::{COUNT_WIDTH, START, TERMINATE};
use crate::catalog::{no_issues, BlockKind};
use crate::common::crc::{crc, CrcConfig};
use crate::common::saturating_count;
use linkforge_hdl::prelude::*;

/// Builds the FCS monitor as module `module_name`.
pub fn eth_fcs(module_name: &str) -> Result<Module, HdlError> {
    let crc_module = crc(&format!("{module_name}_crc32"), &CrcConfig::crc32(8))?;
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let d = m.input("xgmii_d", 64);
    let c = m.input("xgmii_c", 8);
    let outputs = [
        "frame_done",
        "frame_good",
        "frame_fcs_error",
        "frame_aborted",
    ]
    .map(|name| m.output(name, 1));
    let fcs_out = m.output("fcs", 32);

    let in_frame = m.reg("in_frame", 1).reset(0);
    let lane4 = m.reg("lane4", 1).reset(0);
    let end_q = m.reg("end_q", 1).reset(0);
    let abort_q = m.reg("abort_q", 1).reset(0);

    let byte = |j: u32| d.slice(8 * j + 7, 8 * j);
    let is = |j: u32, ch: u8| c.bit(j) & byte(j).eq(lit(ch.into(), 8));
    let starts = is(0, START) | is(4, START);
    // Control lanes that count in this word, and the first of them.
    let ctl = m.wire("ctl", 8);
    m.assign(ctl, c & mux(lane4, lit(0xF0, 8), lit(0xFF, 8)));
    let first: Vec<Expr> = (0..8u32)
        .map(|k| {
            let below = if k == 0 {
                low()
            } else {
                ctl.slice(k - 1, 0).any()
            };
            ctl.bit(k) & !below
        })
        .collect();
    let term = m.wire("term", 1);
    m.assign(
        term,
        (0..8u32).fold(low(), |acc, k| {
            acc | (first[k as usize].clone() & byte(k).eq(lit(TERMINATE.into(), 8)))
        }),
    );
    let has_ctl = m.wire("has_ctl", 1);
    m.assign(has_ctl, ctl.any());
    // Bytes of the frame in this word: up to the first control lane.
    let upto = (0..8u32).rev().fold(lit(8, 4), |acc, k| {
        mux(first[k as usize].clone(), lit(k.into(), 4), acc)
    });
    let nbytes = m.wire("nbytes", 4);
    m.assign(nbytes, upto - mux(lane4, lit(4, 4), lit(0, 4)));
    let ends = m.wire("ends", 1);
    m.assign(ends, in_valid & in_frame & has_ctl);

    let u_crc = m.instance("u_crc", crc_module);
    m.assign(u_crc.io("clk")?, clk);
    m.assign(u_crc.io("rst")?, rst);
    m.assign(u_crc.io("start")?, in_valid & !in_frame & starts.clone());
    m.assign(u_crc.io("valid")?, in_valid & in_frame & (!has_ctl | term));
    m.assign(u_crc.io("data")?, mux(lane4, d >> 32, d));
    m.assign(u_crc.io("nbytes")?, nbytes);

    m.next(end_q, ends & term);
    m.next(abort_q, ends & !term);
    m.when(in_valid, |m| {
        m.when(in_frame, |m| {
            m.next(lane4, low());
            m.when(has_ctl, |m| m.next(in_frame, low()));
        })
        .elsewhen(starts, |m| {
            m.next(in_frame, high());
            m.next(lane4, !is(0, START));
        });
    });

    let ok = u_crc.io("ok")?;
    let [done, good, fcs_error, aborted] = outputs;
    m.assign(done, end_q | abort_q);
    m.assign(good, end_q & ok);
    m.assign(fcs_error, end_q & !ok);
    m.assign(aborted, abort_q);
    m.assign(fcs_out, u_crc.io("crc_out")?);
    for (name, event) in [
        ("frames", end_q | abort_q),
        ("fcs_errors", end_q & !ok),
        ("frame_errors", abort_q.into()),
    ] {
        let count = saturating_count(&mut m, &format!("{name}_q"), event, COUNT_WIDTH);
        let port = m.output(name, COUNT_WIDTH);
        m.assign(port, count);
    }
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "eth_fcs",
        doc: "Ethernet FCS (CRC-32) of every XGMII frame: computed, checked and counted",
        params: Vec::new(),
        build: |name, _| Ok(eth_fcs(name)?),
        issues: no_issues,
    }
}
