//! `eth_gearbox_tx` and `eth_gearbox_rx`: between 66-bit blocks and a
//! serial lane `W` bits wide (8..=64), the line bits in sending order with
//! bit 0 of a word the earliest: each block's header (index 0 first), then
//! its payload from bit 0.
//!
//! `eth_gearbox_tx` ports (`rst` synchronous, active high): `clk`, `rst`,
//! `in_ready`, `in_hdr[1:0]`, `in_data[63:0]`, `out_data[W-1:0]`. The
//! gearbox puts out `W` line bits every clock (registered) and takes a block
//! at every edge where `in_ready` is high, which is when it holds fewer
//! than `W` unsent bits: on average `W/66` blocks per clock. The source
//! must present a block whenever `in_ready` is high (a PCS always has one).
//!
//! `eth_gearbox_rx` ports: `clk`, `rst`, `in_data[W-1:0]` (the next `W`
//! received bits), `bitslip`; `out_valid`, `out_hdr[1:0]`,
//! `out_data[63:0]`, registered. Every received bit lands in exactly one
//! block, except one bit dropped per slip: a `bitslip` high at an edge
//! makes the next block cut after that edge start one bit later.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `width` of the transmit gearbox.
pub const WIDTH: IntParam = IntParam::new(
    "width",
    "w",
    8..=64,
    32,
    "lane width in bits, bit 0 sent first",
);
/// Parameter `width` of the receive gearbox: [`WIDTH`] received.
pub const RX_WIDTH: IntParam = IntParam {
    doc: "lane width in bits, bit 0 received first",
    ..WIDTH
};

/// Line bits in a block.
pub const BLOCK_BITS: u32 = 66;

/// A gearbox (either direction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GearboxConfig {
    /// Lane width `W` in bits ([`WIDTH`]).
    pub width: u32,
}

impl GearboxConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = GearboxConfig {
            width: WIDTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the width.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)
    }
}

/// Builds the transmit gearbox as module `module_name`.
pub fn eth_gearbox_tx(module_name: &str, cfg: &GearboxConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = cfg.width;
    let buf_w = w + BLOCK_BITS - 1;
    let cnt_w = bits_for((w + BLOCK_BITS) as usize);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_ready = m.output("in_ready", 1);
    let in_hdr = m.input("in_hdr", 2);
    let in_data = m.input("in_data", 64);
    let out_data = m.output("out_data", w);
    let buf = m.reg("buf", buf_w).reset(0);
    let cnt = m.reg("cnt", cnt_w).reset(0);
    let out_q = m.reg("out_q", w).reset(0);

    let ready = m.wire("ready", 1);
    m.assign(ready, cnt.lt(lit(w.into(), cnt_w)));
    let block = cat![in_data, in_hdr].zext(buf_w).shl(cnt);
    let bits = m.wire("bits", buf_w);
    m.assign(bits, buf | mux(ready, block, lit(0, buf_w)));
    let added = mux(ready, lit(BLOCK_BITS.into(), cnt_w), lit(0, cnt_w));
    m.next(out_q, bits.slice(w - 1, 0));
    m.next(buf, bits >> w);
    m.next(cnt, cnt + added - lit(w.into(), cnt_w));
    m.assert_always(
        cnt.lt(lit(BLOCK_BITS.into(), cnt_w)),
        "fewer than 66 bits wait in the transmit gearbox",
    );
    m.assign(in_ready, ready);
    m.assign(out_data, out_q);
    m.finish()
}

/// Builds the receive gearbox as module `module_name`.
pub fn eth_gearbox_rx(module_name: &str, cfg: &GearboxConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = cfg.width;
    let buf_w = BLOCK_BITS + w;
    let cnt_w = bits_for(buf_w as usize + 1);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_data = m.input("in_data", w);
    let bitslip = m.input("bitslip", 1);
    let out_valid = m.output("out_valid", 1);
    let out_hdr = m.output("out_hdr", 2);
    let out_data = m.output("out_data", 64);
    let buf = m.reg("buf", buf_w).reset(0);
    let cnt = m.reg("cnt", cnt_w).reset(0);
    let pend = m.reg("pend", 1).reset(0);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(0);
    let data_q = m.reg("data_q", 64).reset(0);

    let bits = m.wire("bits", buf_w);
    m.assign(bits, buf | in_data.zext(buf_w).shl(cnt));
    let have = m.wire("have", cnt_w);
    m.assign(have, cnt + lit(w.into(), cnt_w));
    let need = m.wire("need", cnt_w);
    m.assign(need, lit(BLOCK_BITS.into(), cnt_w) + pend.zext(cnt_w));
    let take = m.wire("take", 1);
    m.assign(take, have.ge(need));
    let block = m.wire("block", BLOCK_BITS);
    m.assign(block, mux(pend, bits >> 1, bits).trunc(BLOCK_BITS));

    m.next(pend, bitslip | (pend & !take));
    m.next(valid_q, take);
    m.when(take, |m| {
        m.next(buf, mux(pend, bits >> (BLOCK_BITS + 1), bits >> BLOCK_BITS));
        m.next(cnt, have - need);
        m.next(hdr_q, block.slice(1, 0));
        m.next(data_q, block.slice(BLOCK_BITS - 1, 2));
    })
    .otherwise(|m| {
        m.next(buf, bits);
        m.next(cnt, have);
    });
    m.assert_always(
        cnt.le(lit(BLOCK_BITS.into(), cnt_w)),
        "at most a block of bits waits in the receive gearbox",
    );
    m.assign(out_valid, valid_q);
    m.assign(out_hdr, hdr_q);
    m.assign(out_data, data_q);
    m.finish()
}

/// The catalogue entry of `eth_gearbox_tx`.
pub fn tx_kind() -> BlockKind {
    BlockKind {
        name: "eth_gearbox_tx",
        doc: "Ethernet transmit gearbox: 66-bit blocks to a W-bit serial lane",
        params: vec![WIDTH.spec()],
        build: |name, p| Ok(eth_gearbox_tx(name, &GearboxConfig::from_params(p)?)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `eth_gearbox_rx`.
pub fn rx_kind() -> BlockKind {
    BlockKind {
        name: "eth_gearbox_rx",
        doc: "Ethernet receive gearbox: a W-bit serial lane to 66-bit blocks, with bit slip",
        params: vec![RX_WIDTH.spec()],
        build: |name, p| Ok(eth_gearbox_rx(name, &GearboxConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
