//! Differential co-simulation: the same stimulus on the built-in simulator
//! and on Icarus over the emitted Verilog, compared output by output, cycle
//! by cycle. The first disagreement is reported with the signal, the cycle
//! and both values.

pub mod icarus;

use crate::sim::{Sim, SimError};
use linkforge_hdl::{Bits, Design};
use std::fmt;
use std::path::Path;

/// Outputs observed by one simulator: `cycles[c][i]` is output `outputs[i]`
/// sampled before the rising edge of cycle `c`; `None` when the value had
/// unknown (x/z) bits, as registers without a reset have in Verilog until
/// first written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Output names, in port order.
    pub outputs: Vec<String>,
    /// Sampled values per cycle.
    pub cycles: Vec<Vec<Option<Bits>>>,
}

/// Why a co-simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum CosimError {
    /// Files could not be written.
    #[error("co-simulation files: {0}")]
    Io(String),
    /// The stimulus does not fit the design.
    #[error("stimulus: {0}")]
    Stimulus(String),
    /// An external tool failed or printed something unexpected.
    #[error("{0}")]
    Tool(String),
    /// The built-in simulator rejected the design or a poke.
    #[error("built-in simulator: {0}")]
    Sim(#[from] SimError),
}

/// The first place two traces disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The output.
    pub signal: String,
    /// The cycle (0-based).
    pub cycle: usize,
    /// The built-in simulator's value.
    pub linkforge: Bits,
    /// The other simulator's value.
    pub other: Bits,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` differs at cycle {}: linkforge {}, Verilog {}",
            self.signal, self.cycle, self.linkforge, self.other
        )
    }
}

/// The first output and cycle where `linkforge` and `other` disagree. A
/// value `other` reports as unknown is not compared; a missing cycle counts
/// as a disagreement.
pub fn first_mismatch(linkforge: &Trace, other: &Trace) -> Option<Mismatch> {
    let cycles = linkforge.cycles.len().max(other.cycles.len());
    let missing = || Bits::zero(1);
    for c in 0..cycles {
        for (i, name) in linkforge.outputs.iter().enumerate() {
            let a = linkforge.cycles.get(c).and_then(|r| r.get(i));
            let b = other.cycles.get(c).and_then(|r| r.get(i));
            let differ = match (a, b) {
                (Some(_), Some(None)) => false,
                (Some(a), Some(b)) => a != b,
                _ => true,
            };
            if differ {
                return Some(Mismatch {
                    signal: name.clone(),
                    cycle: c,
                    linkforge: a.cloned().flatten().unwrap_or_else(missing),
                    other: b.cloned().flatten().unwrap_or_else(missing),
                });
            }
        }
    }
    None
}

/// Runs the stimulus on the built-in simulator with the protocol of
/// [`icarus::run`]: apply inputs, sample outputs, one rising edge of `clock`.
pub fn run_builtin(
    design: &Design,
    clock: &str,
    cycles: &[Vec<Bits>],
) -> Result<Trace, CosimError> {
    let top = design.top();
    let ins = icarus::data_inputs(top, clock);
    let outs = icarus::outputs(top);
    let mut sim = Sim::new(design)?;
    let in_handles = ins
        .iter()
        .map(|(n, _)| sim.signal(n))
        .collect::<Result<Vec<_>, _>>()?;
    let out_handles = outs
        .iter()
        .map(|(n, _)| sim.signal(n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut trace = Trace {
        outputs: outs.iter().map(|(n, _)| n.to_string()).collect(),
        cycles: Vec::new(),
    };
    for values in cycles {
        for (h, v) in in_handles.iter().zip(values) {
            sim.poke_bits_handle(*h, v)?;
        }
        let row = out_handles
            .iter()
            .map(|h| Some(sim.peek_bits_handle(*h)))
            .collect();
        trace.cycles.push(row);
        sim.run_cycles(clock, 1)?;
    }
    Ok(trace)
}

/// Runs the stimulus on both simulators and returns the first mismatch, if
/// any. `workdir` receives the Verilog, testbench and stimulus files.
pub fn against_icarus(
    design: &Design,
    clock: &str,
    cycles: &[Vec<Bits>],
    workdir: &Path,
) -> Result<Option<Mismatch>, CosimError> {
    let ours = run_builtin(design, clock, cycles)?;
    let theirs = icarus::run(design, clock, cycles, workdir)?;
    Ok(first_mismatch(&ours, &theirs))
}
