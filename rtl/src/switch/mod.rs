//! Fabric switch blocks: crossbar, input queues, schedulers, credit flow
//! control, routing and the composed switch.
//!
//! - [`crossbar`]: N x N datapath with registered outputs.
//! - [`tlp`]: the header word the switch routes and accounts by.
//! - [`credit`]: PCIe credit-based flow control (six credit types, the
//!   modulo gate), transmitter and receiver sides.
//! - [`route`]: the routing table (address windows, bus ranges) behind a
//!   register interface (its Rust reference model is in `linkforge-verif`'s
//!   `tb::switch`).
//! - [`input_queue`]: an input buffer holding one FIFO (`fifo`) or one
//!   virtual output queue per output (`voq`) in one shared memory.
//! - [`scheduler`]: matches inputs to outputs (iSLIP, round robin,
//!   weighted round robin, fixed priority).
//! - [`switch`]: the composed switch; `broadcast` its replication of
//!   broadcast messages from the root complex.
//!
//! The switch's traffic harness and testbench are in `linkforge-verif`
//! (`tb::switch`).

mod broadcast;
pub mod credit;
pub mod crossbar;
pub mod input_queue;
pub mod route;
pub mod scheduler;
#[allow(clippy::module_inception)]
pub mod switch;
pub mod tlp;
pub mod traffic;

use linkforge_hdl::prelude::*;

/// The index (`width` bits) of the set bit of the one-hot `x`; zero when
/// `x` is zero.
pub(crate) fn onehot_index(x: impl Into<Expr>, width: u32) -> Expr {
    let x = x.into();
    (0..x.width())
        .map(|j| x.clone().bit(j).repeat(width) & lit(j.into(), width))
        .reduce(|a, b| a | b)
        .unwrap_or_else(|| lit(0, width))
}

/// The `n`-bit one-hot decoding of `index` (bit `j` set when `index == j`).
pub(crate) fn decode(index: impl Into<Expr>, n: usize) -> Expr {
    let index = index.into();
    let w = index.width();
    concat(
        (0..n)
            .rev()
            .map(|j| index.clone().eq(lit(j as u64, w)))
            .collect(),
    )
}

/// Bit `j` of each of `rows`, gathered into one `rows.len()`-bit vector
/// (row `k` gives bit `k`): the column of a request matrix.
pub(crate) fn column(rows: &[Expr], j: u32) -> Expr {
    concat(rows.iter().rev().map(|r| r.clone().bit(j)).collect())
}

/// `count` registers of `width` bits reset to zero, register `k` named
/// `name(k)`.
pub(crate) fn regs(
    m: &mut ModuleBuilder,
    count: usize,
    width: u32,
    name: impl Fn(usize) -> String,
) -> Vec<Signal> {
    (0..count).map(|k| m.reg(name(k), width).reset(0)).collect()
}

/// A `width`-bit register `name` that adds `amount` at each edge where
/// `event` is high, stopping at its maximum instead of wrapping.
pub(crate) fn saturating_sum(
    m: &mut ModuleBuilder,
    name: &str,
    event: Expr,
    amount: Expr,
    width: u32,
) -> Signal {
    let q = m.reg(name, width).reset(0);
    let sum = q.add_carry(amount.zext(width));
    let top = sum.clone().bit(width);
    m.when(event, |m| {
        m.next(
            q,
            mux(top, lit(u64::MAX >> (64 - width), width), sum.trunc(width)),
        )
    });
    q
}
