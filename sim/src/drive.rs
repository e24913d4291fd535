//! A testbench loop without per-call overhead: [`Sim::drive`] calls a
//! closure before every rising edge, and the closure sets the top module's
//! inputs and reads its outputs through handles resolved once
//! ([`InputPort`], [`OutputPort`]). A set is one store, a read of a settled
//! output one load: nothing is looked up or checked per call, so a small
//! design's cycle costs what its logic and the closure's own work cost.
//!
//! ```
//! use linkforge_hdl::prelude::*;
//! use linkforge_sim::Sim;
//!
//! let mut m = ModuleBuilder::new("acc");
//! let _clk = m.clock("clk");
//! let a = m.input("a", 8);
//! let sum = m.output("sum", 8);
//! let q = m.reg("q", 8).no_reset();
//! m.next(q, q + a);
//! m.assign(sum, q);
//! let design = Design::new(m.finish()?)?;
//!
//! let mut sim = Sim::new(&design)?;
//! let (a, sum) = (sim.input_port("a")?, sim.output_port("sum")?);
//! let mut seen = Vec::new();
//! sim.drive(4, |io| {
//!     seen.push(io.get(sum));
//!     io.set(a, 3);
//! })?;
//! assert_eq!(seen, [0, 3, 6, 9]);
//! assert_eq!(sim.peek_handle(sim.signal("sum")?), 12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::compile::Program;
use crate::wide::top_mask;
use crate::{settle, Logic, Settled, Sim, SimError};
use linkforge_hdl::words_for;

/// A data input of the top module, for [`Ports::set`]. Like a
/// [`crate::SignalHandle`], it works on every simulator of one compiled
/// design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputPort {
    off: u32,
    words: u32,
    /// The bits of the top word that belong to the port.
    top_mask: u64,
}

/// An output of the top module, for [`Ports::get`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputPort {
    off: u32,
    words: u32,
}

impl InputPort {
    /// Words of the port's value (64 bits each).
    pub fn words(&self) -> usize {
        self.words as usize
    }
}

impl OutputPort {
    /// Words of the port's value (64 bits each).
    pub fn words(&self) -> usize {
        self.words as usize
    }
}

/// The top module's ports between two edges: in a [`Sim::drive`] closure,
/// or from [`Sim::ports`].
pub struct Ports<'s> {
    program: &'s Program,
    state: &'s mut [u64],
    scratch: &'s mut [u64],
    /// The simulator's record of what is settled, brought up to date when
    /// the ports are dropped.
    settled: &'s mut Settled,
    dump_pending: &'s mut bool,
    /// An input was set since the outputs were last settled.
    changed: bool,
}

impl Ports<'_> {
    /// Sets input `port` to `value`, cut to the port's width (a wider
    /// port's upper words become zero), as a poke would.
    #[inline]
    pub fn set(&mut self, port: InputPort, value: u64) {
        let off = port.off as usize;
        if port.words == 1 {
            self.state[off] = value & port.top_mask;
        } else {
            let words = &mut self.state[off..off + port.words as usize];
            words[0] = value;
            words[1..].fill(0);
        }
        self.changed = true;
    }

    /// Sets word `k` (bits `64 k` up) of input `port` to `value`, cut to the
    /// port's width; its other words keep their values. Panics when the
    /// port has no word `k`.
    #[inline]
    pub fn set_word(&mut self, port: InputPort, k: usize, value: u64) {
        assert!(k < port.words(), "word {k} of a {}-word port", port.words);
        let mask = match k + 1 == port.words() {
            true => port.top_mask,
            false => u64::MAX,
        };
        self.state[port.off as usize + k] = value & mask;
        self.changed = true;
    }

    /// The low 64 bits of output `port`, with the inputs as set so far.
    #[inline]
    pub fn get(&mut self, port: OutputPort) -> u64 {
        self.settle_outputs();
        self.state[port.off as usize]
    }

    /// Every word of output `port`, with the inputs as set so far.
    #[inline]
    pub fn get_words(&mut self, port: OutputPort) -> &[u64] {
        self.settle_outputs();
        let off = port.off as usize;
        &self.state[off..off + port.words as usize]
    }

    #[inline]
    fn settle_outputs(&mut self) {
        if self.changed || *self.settled == Settled::Nothing {
            settle(self.program, Logic::Outputs, self.state, self.scratch);
            *self.dump_pending |= self.changed;
            self.changed = false;
            *self.settled = Settled::Outputs;
        }
    }
}

impl Drop for Ports<'_> {
    fn drop(&mut self) {
        if self.changed {
            *self.settled = Settled::Nothing;
            *self.dump_pending = true;
        }
    }
}

impl Sim {
    /// The data input `name` of the top module (not a clock), for a
    /// [`Sim::drive`] closure.
    pub fn input_port(&self, name: &str) -> Result<InputPort, SimError> {
        let h = self.signal(name)?;
        let s = &self.model.signals[h.index as usize];
        if !s.input {
            return Err(SimError::NotAnInput(s.name.clone()));
        }
        Ok(InputPort {
            off: h.off,
            words: words_for(h.width) as u32,
            top_mask: top_mask(h.width),
        })
    }

    /// The output `name` of the top module, for a [`Sim::drive`] closure.
    pub fn output_port(&self, name: &str) -> Result<OutputPort, SimError> {
        let h = self.signal(name)?;
        if !h.output {
            return Err(SimError::NotAnOutput(
                self.model.signals[h.index as usize].name.clone(),
            ));
        }
        Ok(OutputPort {
            off: h.off,
            words: words_for(h.width) as u32,
        })
    }

    /// The top module's ports now, to set and read as in a [`Sim::drive`]
    /// closure.
    pub fn ports(&mut self) -> Ports<'_> {
        Ports {
            program: &self.model.program,
            state: &mut self.state,
            scratch: &mut self.scratch,
            settled: &mut self.settled,
            dump_pending: &mut self.dump_pending,
            changed: false,
        }
    }

    /// Runs `cycles` rising edges as [`Sim::step`] does, calling `f`
    /// before each: what `f` sets is what the edge samples, and what it
    /// reads before setting anything is the state after the previous edge.
    /// Stops early as `step` does (a failed assertion, an interrupt); a
    /// waveform being written records every edge.
    pub fn drive(
        &mut self,
        cycles: u64,
        mut f: impl FnMut(&mut Ports<'_>),
    ) -> Result<(), SimError> {
        for _ in 0..cycles {
            f(&mut self.ports());
            if let Err(e) = self.advance_to_rise() {
                return self.flush_trace(Err(e));
            }
        }
        self.flush_trace(Ok(()))
    }
}
