//! The history FIFO of a register with `fifo` fields: [`FIFO_DEPTH`]
//! entries in flip-flops, the oldest in slot 0, so a read sees it with no
//! latency and removes it at the edge that accepts the read.
//!
//! At an edge: `pop` removes the oldest entry (if any); then `push`
//! appends `entry` unless the FIFO is still full, in which case the entry
//! is dropped and `overflow` is set. `overflow` is cleared by `clear` (a
//! read of the register) unless a drop sets it at the same edge. Slots
//! past the last entry hold zero, so slot 0 reads zero when the FIFO is
//! empty.

use super::map::{FIFO_COUNT_BITS, FIFO_DEPTH};
use linkforge_hdl::prelude::*;

/// The FIFO's state, as the register block reads it.
pub struct HistoryFifo {
    /// The oldest entry (zero when empty).
    pub head: Expr,
    /// Entries held (`FIFO_COUNT_BITS` bits).
    pub count: Signal,
    /// An entry was dropped since the last `clear`.
    pub overflow: Signal,
}

/// Builds the FIFO `name` in `m`'s current domain: `entry` is appended at
/// an edge with `push`, the oldest removed at an edge with `pop`, the
/// overflow flag cleared at an edge with `clear`.
pub fn history_fifo(
    m: &mut ModuleBuilder,
    name: &str,
    entry: Expr,
    push: Expr,
    pop: Expr,
    clear: Expr,
) -> HistoryFifo {
    let width = entry.width();
    let slots: Vec<Signal> = (0..FIFO_DEPTH)
        .map(|i| m.reg(format!("{name}_slot{i}"), width).reset(0))
        .collect();
    let count = m.reg(format!("{name}_count"), FIFO_COUNT_BITS).reset(0);
    let overflow = m.reg(format!("{name}_overflow"), 1).reset(0);
    let depth = |v: u32| lit(u64::from(v), FIFO_COUNT_BITS);
    let popped = pop & count.ne(depth(0));
    let left = mux(popped.clone(), count - depth(1), Expr::from(count));
    let accepted = push.clone() & left.clone().ne(depth(FIFO_DEPTH));
    for (i, &slot) in slots.iter().enumerate() {
        let later = slots
            .get(i + 1)
            .map_or_else(|| lit(0, width), |&s| Expr::from(s));
        let kept = mux(popped.clone(), later, Expr::from(slot));
        let here = accepted.clone() & left.clone().eq(depth(i as u32));
        m.next(slot, mux(here, entry.clone(), kept));
    }
    m.next(count, mux(accepted.clone(), left.clone() + depth(1), left));
    m.next(overflow, (overflow & !clear) | (push & !accepted));
    HistoryFifo {
        head: slots[0].into(),
        count,
        overflow,
    }
}
