//! Testbenches built from a cycle-by-cycle reference model.
//!
//! A [`CycleModel`] draws each cycle's inputs from the random words, judges
//! the outputs the design shows with those inputs applied (before the clock
//! edge), then follows the edge. [`CycleTb`] does the poking, peeking and
//! stepping around it, and counts the model's comparisons as the run's
//! checks: a run whose model compared nothing is a failure
//! ([`Outcome::judged`]).

use crate::tb::{Failure, Outcome, Testbench};
use crate::{Sim, SimError};
use linkforge_hdl::Bits;

/// A reference model of one block, stepped with the design cycle by cycle.
pub trait CycleModel: Clone {
    /// The top-level inputs the model drives (resets included) with their
    /// widths, in the order of [`CycleModel::drive`]'s values.
    fn inputs(&self) -> Vec<(String, u32)>;
    /// The outputs the model reads, in the order [`CycleModel::judge`]
    /// receives them.
    fn outputs(&self) -> Vec<String>;
    /// Random words one cycle's [`CycleModel::drive`] consumes at most.
    fn words_per_cycle(&self) -> usize;
    /// Periods and phases in ps of the clocks the model runs at, when not
    /// the simulator's defaults.
    fn clocks(&self) -> Vec<(&'static str, u64, u64)> {
        Vec::new()
    }
    /// The inputs of `cycle` (counted from 0), one per
    /// [`CycleModel::inputs`], each masked to its width; `shown` holds the
    /// outputs after the last edge, before these inputs are applied (a
    /// source that waits for a ready, a slip that answers a header).
    fn drive(
        &mut self,
        cycle: u64,
        words: &mut dyn Iterator<Item = u64>,
        shown: &[Bits],
    ) -> Vec<Bits>;
    /// Compares `outputs`, shown with `inputs` applied before the edge
    /// that ends `cycle`, with what the model expects: the number of
    /// comparisons made, or what differed.
    fn judge(&mut self, cycle: u64, inputs: &[Bits], outputs: &[Bits]) -> Result<u64, String>;
    /// Follows the edge that ended a cycle with `inputs` applied; `ticked`
    /// says which clocks rose on it, in the order of
    /// [`CycleModel::clocks`] (or of [`Sim::clocks`] when that is empty).
    fn advance(&mut self, inputs: &[Bits], ticked: &[bool]);
    /// What one comparison is, for the metrics (`words`, `bits`, `grants`).
    fn unit(&self) -> &'static str;
    /// Cycles a run needs before its verdict means anything
    /// ([`Testbench::cycles_needed`]).
    fn cycles_needed(&self) -> u64 {
        0
    }
    /// The model's own metrics after a run, besides the comparison count.
    fn metrics(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// The testbench of a [`CycleModel`]: each run starts from a clone of the
/// model it was built with.
#[derive(Clone, Debug)]
pub struct CycleTb<M> {
    model: M,
}

impl<M: CycleModel> CycleTb<M> {
    /// The testbench of `model` in its reset state.
    pub fn new(model: M) -> Self {
        CycleTb { model }
    }
}

impl<M: CycleModel> Testbench for CycleTb<M> {
    fn words_per_cycle(&self) -> usize {
        self.model.words_per_cycle()
    }

    fn cycles_needed(&self) -> u64 {
        self.model.cycles_needed()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let mut model = self.model.clone();
        let declared = model.clocks();
        for &(clock, period, phase) in &declared {
            sim.clock(clock, period, phase)?;
        }
        let clocks: Vec<String> = if declared.is_empty() {
            sim.clocks().map(str::to_string).collect()
        } else {
            declared.iter().map(|(c, _, _)| c.to_string()).collect()
        };
        let inputs = model
            .inputs()
            .iter()
            .map(|(name, _)| sim.signal(name))
            .collect::<Result<Vec<_>, SimError>>()?;
        let outputs = model
            .outputs()
            .iter()
            .map(|name| sim.signal(name))
            .collect::<Result<Vec<_>, SimError>>()?;
        let mut outcome = Outcome::default();
        for cycle in 0..cycles {
            let before: Vec<Bits> = outputs.iter().map(|&h| sim.peek_bits_handle(h)).collect();
            let values = model.drive(cycle, words, &before);
            for (&h, v) in inputs.iter().zip(&values) {
                sim.poke_bits_handle(h, v)?;
            }
            let shown: Vec<Bits> = outputs.iter().map(|&h| sim.peek_bits_handle(h)).collect();
            outcome.checks_passed += model
                .judge(cycle, &values, &shown)
                .map_err(|message| Failure::new(sim, message))?;
            let before = clocks
                .iter()
                .map(|c| sim.cycles(c))
                .collect::<Result<Vec<_>, _>>()?;
            // A design without a clock is combinational: a cycle is one
            // evaluation of its inputs.
            if !clocks.is_empty() {
                sim.step().map_err(|e| Failure::new(sim, e.to_string()))?;
            }
            let ticked = clocks
                .iter()
                .zip(&before)
                .map(|(c, &b)| Ok(sim.cycles(c)? > b))
                .collect::<Result<Vec<_>, SimError>>()?;
            model.advance(&values, &ticked);
            outcome.cycles += 1;
            progress(cycle + 1);
        }
        outcome.metrics.push((
            format!("{}_compared", model.unit()),
            outcome.checks_passed.to_string(),
        ));
        outcome.metrics.extend(model.metrics());
        Ok(outcome)
    }
}

/// A 1-bit input that holds with a probability redrawn every 32 cycles,
/// so that a run has stretches of mostly on and mostly off (a FIFO fills
/// up and drains) rather than one fixed mix.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bursty {
    threshold: u8,
}

impl Bursty {
    /// Whether the input holds at `cycle`, drawn from one random `word`.
    pub fn next(&mut self, cycle: u64, word: u64) -> bool {
        if cycle % 32 == 0 {
            self.threshold = (word >> 56) as u8;
        }
        (word as u8) < self.threshold
    }
}

/// The next `N` words (zeros once they run out).
pub fn take<const N: usize>(words: &mut dyn Iterator<Item = u64>) -> [u64; N] {
    std::array::from_fn(|_| words.next().unwrap_or(0))
}

/// `value` as a `width`-bit input (higher bits dropped).
pub fn bits(value: u64, width: u32) -> Bits {
    Bits::from_u64_wrapping(value, width)
}

/// A 1-bit input.
pub fn flag(value: bool) -> Bits {
    bits(value as u64, 1)
}

/// One comparison of output `name`: `Ok(1)` when `got` equals `want`, else
/// the message naming both.
pub fn expect_eq(name: &str, got: u64, want: u64) -> Result<u64, String> {
    if got == want {
        Ok(1)
    } else {
        Err(format!("`{name}` is {got:#x}, the model expects {want:#x}"))
    }
}
