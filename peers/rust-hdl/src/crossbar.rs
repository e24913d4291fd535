//! linkforge's `crossbar` (8 ports x 64 bits, registered outputs) in
//! rust-hdl. Ports in linkforge's order: `in0..in7`, then `sel0..sel7`
//! (3 bits) in; `out0..out7` out.

use crate::Model;
use linkforge_verif::bench::fold;
use rust_hdl::prelude::*;

/// Ports of the crossbar.
const PORTS: usize = 8;

/// The crossbar: output `o` registers input `sel[o]`.
#[derive(LogicBlock, Default)]
pub struct Crossbar {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// The inputs.
    pub ins: [Signal<In, Bits<64>>; PORTS],
    /// Each output's select.
    pub sel: [Signal<In, Bits<3>>; PORTS],
    /// The registered outputs.
    pub outs: [Signal<Out, Bits<64>>; PORTS],
    q: [DFF<Bits<64>>; PORTS],
}

impl Logic for Crossbar {
    fn update(&mut self) {
        for o in 0..PORTS {
            self.q[o].clock.next = self.clock.val();
            self.q[o].d.next = if self.rst.val() {
                0.into()
            } else {
                self.ins[self.sel[o].val().index()].val()
            };
            self.outs[o].next = self.q[o].q.val();
        }
    }
}

impl Model for Crossbar {
    fn set_reset(&mut self, high: bool) {
        self.rst.next = high;
    }

    fn set_clock(&mut self, high: bool) {
        self.clock.next = Clock { clk: high };
    }

    fn set_inputs(&mut self, draw: &mut dyn FnMut(u64) -> u64) {
        for i in &mut self.ins {
            i.next = draw(u64::MAX).into();
        }
        for s in &mut self.sel {
            s.next = draw(PORTS as u64 - 1).into();
        }
    }

    fn fold_outputs(&self, checksum: u64) -> u64 {
        self.outs
            .iter()
            .fold(checksum, |c, o| fold(c, o.val().to_u64()))
    }
}
