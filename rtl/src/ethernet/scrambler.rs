//! `eth_scrambler` and `eth_descrambler`: the self-synchronizing scrambler
//! 1 + x^39 + x^58 of IEEE 802.3 Clause 49 on the 64-bit payload of one
//! block per clock; the sync header passes unscrambled.
//!
//! Bit by bit, payload bit 0 first: the scrambler sends
//! `out = in ^ s[38] ^ s[57]` and shifts `out` into `s` (`s[0]` the latest
//! line bit); the descrambler puts out `in ^ s[38] ^ s[57]` and shifts the
//! received bit in, so it locks onto any scrambler after 58 bits. Both
//! start from an all-zero register.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `in_valid`,
//! `in_hdr[1:0]`, `in_data[63:0]`; `out_valid`, `out_hdr[1:0]`,
//! `out_data[63:0]`, registered (one cycle later). The register advances
//! only on blocks with `in_valid` high; the outputs hold otherwise.

use super::HDR_CONTROL;
use crate::catalog::{no_issues, BlockKind};
use linkforge_hdl::prelude::*;

/// Register length: the degree of the polynomial.
pub const STATE: u32 = 58;
/// The taps (line bits back in time, 1-based): x^39 and x^58.
pub const TAPS: [u32; 2] = [39, 58];

/// Which way the block works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Scramble: the register takes the sent (scrambled) bits.
    Scramble,
    /// Descramble: the register takes the received bits.
    Descramble,
}

/// Builds the scrambler (or descrambler) as module `module_name`.
pub fn eth_scrambler(module_name: &str, dir: Direction) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_hdr = m.input("in_hdr", 2);
    let in_data = m.input("in_data", 64);
    let out_valid = m.output("out_valid", 1);
    let out_hdr = m.output("out_hdr", 2);
    let out_data = m.output("out_data", 64);
    // hist[j] is the line bit 58 - j bits before this block's bit 0.
    let hist = m.reg("hist", STATE).reset(0);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(HDR_CONTROL);
    let data_q = m.reg("data_q", 64).reset(0);

    // Line bit `n` of this block (negative: an earlier block's).
    let mut line: Vec<Expr> = Vec::with_capacity(64);
    let mut out = Vec::with_capacity(64);
    for i in 0..64i64 {
        let back = |n: i64, line: &[Expr]| -> Expr {
            if n >= 0 {
                line[n as usize].clone()
            } else {
                hist.bit((i64::from(STATE) + n) as u32)
            }
        };
        let key = back(i - i64::from(TAPS[0]), &line) ^ back(i - i64::from(TAPS[1]), &line);
        let bit = in_data.bit(i as u32);
        let o = bit.clone() ^ key;
        line.push(match dir {
            Direction::Scramble => o.clone(),
            Direction::Descramble => bit,
        });
        out.push(o);
    }
    let result = m.wire("result", 64);
    m.assign(result, concat(out.into_iter().rev().collect()));
    let next_hist = match dir {
        Direction::Scramble => result.slice(63, 64 - STATE),
        Direction::Descramble => in_data.slice(63, 64 - STATE),
    };

    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(hist, next_hist);
        m.next(hdr_q, in_hdr);
        m.next(data_q, result);
    });
    m.assign(out_valid, valid_q);
    m.assign(out_hdr, hdr_q);
    m.assign(out_data, data_q);
    m.finish()
}

/// The catalogue entry of `eth_scrambler`.
pub fn scrambler_kind() -> BlockKind {
    BlockKind {
        name: "eth_scrambler",
        doc: "Ethernet 64b/66b scrambler 1 + x^39 + x^58, one block per clock",
        params: Vec::new(),
        build: |name, _| Ok(eth_scrambler(name, Direction::Scramble)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `eth_descrambler`.
pub fn descrambler_kind() -> BlockKind {
    BlockKind {
        name: "eth_descrambler",
        doc: "Ethernet 64b/66b self-synchronizing descrambler, one block per clock",
        params: Vec::new(),
        build: |name, _| Ok(eth_scrambler(name, Direction::Descramble)?),
        issues: no_issues,
    }
}
