//! linkforge's `counter` (32-bit, wrapping, with enable and clear) in
//! rust-hdl. Ports in linkforge's order: `en`, `clear` in; `count`,
//! `at_max` out.

use crate::Model;
use linkforge_verif::bench::fold;
use rust_hdl::prelude::*;

/// The counter.
#[derive(LogicBlock, Default)]
pub struct Counter {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Count up.
    pub en: Signal<In, Bit>,
    /// Back to zero (before `en`).
    pub clear: Signal<In, Bit>,
    /// The count.
    pub count: Signal<Out, Bits<32>>,
    /// The count is all ones.
    pub at_max: Signal<Out, Bit>,
    q: DFF<Bits<32>>,
}

impl Logic for Counter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, q);
        if self.rst.val() | self.clear.val() {
            self.q.d.next = 0.into();
        } else if self.en.val() {
            self.q.d.next = self.q.q.val() + 1;
        }
        self.count.next = self.q.q.val();
        self.at_max.next = self.q.q.val().all();
    }
}

impl Model for Counter {
    fn set_reset(&mut self, high: bool) {
        self.rst.next = high;
    }

    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }

    fn set_inputs(&mut self, draw: &mut dyn FnMut(u64) -> u64) {
        self.en.next = draw(1) == 1;
        self.clear.next = draw(1) == 1;
    }

    fn fold_outputs(&self, checksum: u64) -> u64 {
        let checksum = fold(checksum, self.count.val().to_u64());
        fold(checksum, u64::from(self.at_max.val()))
    }
}
