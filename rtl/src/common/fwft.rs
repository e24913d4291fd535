//! The first-word-fall-through read stage shared by the FIFOs: an output
//! register (the memory's synchronous read port) that holds the oldest word
//! whenever one is available, so `rd_data` is valid while `rd_empty` is low
//! and `rd_en` pops it.

use linkforge_hdl::prelude::*;
use linkforge_hdl::MemoryHandle;

/// What the read stage tells the FIFO around it.
pub(crate) struct FwftRead {
    /// The oldest word, valid while the stage's `valid` register is set.
    pub data: Signal,
    /// A word moves from the memory to the output register at this edge:
    /// the FIFO advances its memory read pointer.
    pub load: Expr,
    /// The word in the output register is consumed at this edge.
    pub pop: Expr,
}

/// Builds the read stage in the current clock domain. `valid` is the
/// caller's 1-bit register (reset to 0) that says the output register holds
/// a word; this drives it. `addr` is the memory read pointer and
/// `mem_nonempty` says the memory holds a word not yet loaded.
pub(crate) fn fwft_read(
    m: &mut ModuleBuilder,
    mem: MemoryHandle,
    valid: Signal,
    addr: impl Into<Expr>,
    mem_nonempty: Expr,
    rd_en: Signal,
) -> FwftRead {
    let pop = rd_en & valid;
    let load = mem_nonempty & (!valid | pop.clone());
    let data = m.mem_read(mem, "rd_q", addr, load.clone());
    m.when(load.clone(), |m| m.next(valid, high()))
        .elsewhen(pop.clone(), |m| m.next(valid, low()));
    FwftRead { data, load, pop }
}
