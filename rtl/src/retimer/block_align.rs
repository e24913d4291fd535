//! `block_align`: 128b/130b block alignment. Finds the sync headers in a
//! raw bit stream at any bit offset and puts out whole aligned blocks.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `in_valid`,
//! `in_data[W-1:0]` (the next `W` received bits, bit 0 the earliest);
//! `block_lock`, `blk_valid`, `blk_hdr[1:0]`, `blk_data[127:0]`
//! (registered). A block is 130 bits: `blk_hdr[0]` is H0 (the first bit),
//! `blk_hdr[1]` is H1, `blk_data[0]` the bit after H1. Headers 01b and 10b
//! (`H1 H0`) are valid, 00b and 11b invalid.
//!
//! The aligner cuts the stream into 130-bit candidate blocks, one per edge
//! at most, and checks each header (the stream is never lost: each bit
//! enters exactly one candidate block, except the bits slipped below).
//!
//! - Hunting (`block_lock` low): a candidate with an invalid header makes
//!   the next candidate start one bit later (a bit slip, so every offset is
//!   tried in turn); 8 consecutive valid headers at one offset set
//!   `block_lock`.
//! - Locked: the candidates are counted in windows of 8, the first window
//!   starting with the block after lock; the 4th invalid header within one
//!   window clears `block_lock` and slips one bit, and hunting resumes.
//!
//! `blk_valid` pulses, one cycle after the edge that completes a block, for
//! each block after which `block_lock` is high: the 8th valid header that
//! gains lock and every later block (invalid headers included) up to, but
//! not including, the one that loses it. With random payload a wrong offset
//! can pass 8 headers by chance (probability 1/256 per offset tried); the
//! window rule then drops it after a few blocks.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new(
    "width",
    "w",
    1..=64,
    32,
    "received bits per clock, bit 0 the earliest",
);
/// Bits in a block, header included.
const BLOCK: u32 = 130;
/// Consecutive valid headers that gain lock.
pub const LOCK_HEADERS: u64 = 8;
/// Blocks in a loss-of-lock window.
pub const LOSS_WINDOW: u64 = 8;
/// Invalid headers in one window that lose lock.
pub const LOSS_BAD: u64 = 4;

/// A block aligner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockAlignConfig {
    /// Received bits per clock, `W` ([`WIDTH`]).
    pub width: u32,
}

impl BlockAlignConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = BlockAlignConfig {
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

/// Builds the block aligner as module `module_name`.
pub fn block_align(module_name: &str, cfg: &BlockAlignConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = cfg.width;
    // Bits held between edges: at most a block (waiting for a slip bit).
    let buf_w = BLOCK + w;
    let cnt_w = bits_for((BLOCK + w) as usize + 1);
    let count_w = bits_for(LOCK_HEADERS.max(LOSS_WINDOW) as usize);
    let bad_w = bits_for(LOSS_BAD as usize);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_data = m.input("in_data", w);
    let block_lock = m.output("block_lock", 1);
    let blk_valid = m.output("blk_valid", 1);
    let blk_hdr = m.output("blk_hdr", 2);
    let blk_data = m.output("blk_data", 128);

    let buf = m.reg("buf", buf_w).reset(0);
    let cnt = m.reg("cnt", cnt_w).reset(0);
    let slip = m.reg("slip", 1).reset(0);
    let locked = m.reg("locked", 1).reset(0);
    // Hunting: valid headers in a row; locked: blocks in the window.
    let count = m.reg("count", count_w).reset(0);
    let bad = m.reg("bad", bad_w).reset(0);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(0);
    let data_q = m.reg("data_q", 128).reset(0);

    // The held bits with this edge's bits after them.
    let bits = m.wire("bits", buf_w);
    m.assign(bits, buf | in_data.zext(buf_w).shl(cnt));
    let have = m.wire("have", cnt_w);
    m.assign(have, cnt + lit(w.into(), cnt_w));
    let need = m.wire("need", cnt_w);
    m.assign(need, lit(BLOCK.into(), cnt_w) + slip.zext(cnt_w));
    let take = m.wire("take", 1);
    m.assign(take, in_valid & have.ge(need));
    let block = m.wire("block", BLOCK);
    m.assign(block, mux(slip, bits >> 1, bits).trunc(BLOCK));
    let hdr_ok = m.wire("hdr_ok", 1);
    m.assign(hdr_ok, block.bit(0) ^ block.bit(1));
    let gain = m.wire("gain", 1);
    m.assign(
        gain,
        !locked & hdr_ok & count.eq(lit(LOCK_HEADERS - 1, count_w)),
    );
    let lose = m.wire("lose", 1);
    m.assign(lose, locked & !hdr_ok & bad.eq(lit(LOSS_BAD - 1, bad_w)));

    m.when(in_valid, |m| {
        m.when(take, |m| {
            m.next(buf, mux(slip, bits >> (BLOCK + 1), bits >> BLOCK));
            m.next(cnt, have - need);
        })
        .otherwise(|m| {
            m.next(buf, bits);
            m.next(cnt, have);
        });
    });
    m.next(valid_q, take & mux(locked, !lose, gain));
    m.when(take, |m| {
        m.next(hdr_q, block.slice(1, 0));
        m.next(data_q, block.slice(BLOCK - 1, 2));
        m.next(slip, low());
        m.when(gain, |m| {
            m.next(locked, high());
            m.next(count, lit(0, count_w));
            m.next(bad, lit(0, bad_w));
        })
        .elsewhen(lose, |m| {
            m.next(locked, low());
            m.next(count, lit(0, count_w));
            m.next(slip, high());
        })
        .elsewhen(locked, |m| {
            let window_end = count.eq(lit(LOSS_WINDOW - 1, count_w));
            m.next(count, mux(window_end.clone(), lit(0, count_w), count + 1));
            m.next(
                bad,
                mux(window_end, lit(0, bad_w), bad + (!hdr_ok).zext(bad_w)),
            );
        })
        .elsewhen(hdr_ok, |m| m.next(count, count + 1))
        .otherwise(|m| {
            m.next(count, lit(0, count_w));
            m.next(slip, high());
        });
    });
    m.assert_always(!valid_q | locked, "a block is put out only with block lock");
    m.assign(block_lock, locked);
    m.assign(blk_valid, valid_q);
    m.assign(blk_hdr, hdr_q);
    m.assign(blk_data, data_q);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "block_align",
        doc: "128b/130b block aligner: sync-header hunt, lock and aligned blocks",
        params: vec![WIDTH.spec()],
        build: |name, p| Ok(block_align(name, &BlockAlignConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
