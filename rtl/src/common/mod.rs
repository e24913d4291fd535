//! Common building blocks shared by every family: synchronizers, FIFOs,
//! arbiters, LFSRs, CRCs and counters.
//!
//! Each block has a typed `*Config` (with `from_params` for the catalogue and
//! `validate` for configs built in Rust), a generator
//! `fn(module_name, &Config) -> Result<Module, HdlError>` that checks its
//! config first, and a catalogue entry `kind()`. The module documentation of
//! each block states its port contract; port names are the interface.

pub mod arbiter;
pub mod async_fifo;
pub mod counter;
pub mod crc;
mod fwft;
pub(crate) mod gf2;
pub mod lfsr;
pub mod sync2;
pub mod sync_fifo;

use linkforge_hdl::prelude::*;

/// The low `n` bits set (`n` in 1..=64; clamped).
pub(crate) fn ones(n: u32) -> u64 {
    u64::MAX >> (64 - n.clamp(1, 64))
}

/// Binary to Gray code: `b ^ (b >> 1)`.
pub fn to_gray(b: impl Into<Expr>) -> Expr {
    let b = b.into();
    b.clone() ^ (b >> 1)
}

/// Gray code to binary: bit `i` is the parity of Gray bits `w-1..=i`.
pub fn from_gray(g: impl Into<Expr>) -> Expr {
    let g = g.into();
    let w = g.width();
    let bits = (0..w)
        .rev()
        .map(|i| {
            if i == w - 1 {
                g.clone().bit(i)
            } else {
                g.clone().slice(w - 1, i).parity()
            }
        })
        .collect();
    concat(bits)
}

/// A `width`-bit register `name` in the current clock domain counting the
/// edges where `event` is high, stopping at its maximum.
pub(crate) fn saturating_count(
    m: &mut ModuleBuilder,
    name: &str,
    event: Expr,
    width: u32,
) -> Signal {
    let q = m.reg(name, width).reset(0);
    m.when(event & !q.all(), |m| m.next(q, q + 1));
    q
}
