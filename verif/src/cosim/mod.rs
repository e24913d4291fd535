//! Differential co-simulation: the same stimulus on the built-in simulator
//! and on a Verilog simulator (Icarus, Verilator) over the emitted Verilog,
//! compared output by output, step by step. The first disagreement is
//! reported with the signal, the step and both values.
//!
//! The protocol, identical on every simulator: the design's clocks run with
//! their periods and phases; each step applies the data inputs, lets the
//! combinational logic settle, samples every output, then raises the clocks
//! whose next rising edge is the earliest (several at once when edges
//! coincide).

pub mod icarus;
mod stimulus;
pub mod verilator;

pub use stimulus::{ClockSpec, Stimulus};

use crate::sim::{Sim, SimError};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::{Bits, Design, Module};
use std::fmt;
use std::path::Path;

/// Observed observed by one simulator: `steps[s][i]` is output `outputs[i]`
/// sampled in step `s`; `None` when the value had unknown (x/z) bits, as
/// registers without a reset and unwritten memory words have in Icarus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// Output names, in port order.
    pub outputs: Vec<String>,
    /// Sampled values per step.
    pub steps: Vec<Vec<Option<Bits>>>,
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
    /// The step (0-based).
    pub step: usize,
    /// The built-in simulator's value.
    pub linkforge: Bits,
    /// The other simulator's value.
    pub other: Bits,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` differs at step {}: linkforge {}, Verilog {}",
            self.signal, self.step, self.linkforge, self.other
        )
    }
}

/// The first output and step where `linkforge` and `other` disagree. A
/// value `other` reports as unknown is not compared; a missing step counts
/// as a disagreement.
pub fn first_mismatch(linkforge: &Observed, other: &Observed) -> Option<Mismatch> {
    let steps = linkforge.steps.len().max(other.steps.len());
    let missing = || Bits::zero(1);
    for s in 0..steps {
        for (i, name) in linkforge.outputs.iter().enumerate() {
            let a = linkforge.steps.get(s).and_then(|r| r.get(i));
            let b = other.steps.get(s).and_then(|r| r.get(i));
            let differ = match (a, b) {
                (Some(_), Some(None)) => false,
                (Some(a), Some(b)) => a != b,
                _ => true,
            };
            if differ {
                return Some(Mismatch {
                    signal: name.clone(),
                    step: s,
                    linkforge: a.cloned().flatten().unwrap_or_else(missing),
                    other: b.cloned().flatten().unwrap_or_else(missing),
                });
            }
        }
    }
    None
}

/// A port of the top module: name and width.
pub type Port<'m> = (&'m str, u32);

fn ports(top: &Module, keep: impl Fn(&SignalKind) -> bool) -> Vec<Port<'_>> {
    top.ports
        .iter()
        .map(|p| top.signal(*p))
        .filter(|s| keep(&s.kind))
        .map(|s| (s.name.as_str(), s.width))
        .collect()
}

/// The clock inputs of a module, in port order.
pub fn clock_inputs(top: &Module) -> Vec<Port<'_>> {
    ports(top, |k| matches!(k, SignalKind::Input { clock: true }))
}

/// The data inputs of a module (inputs that are not clocks), in port order.
pub fn data_inputs(top: &Module) -> Vec<Port<'_>> {
    ports(top, |k| matches!(k, SignalKind::Input { clock: false }))
}

/// The outputs of a module, in port order.
pub fn outputs(top: &Module) -> Vec<Port<'_>> {
    ports(top, |k| matches!(k, SignalKind::Output))
}

/// Runs the stimulus on the built-in simulator.
pub fn run_builtin(design: &Design, stimulus: &Stimulus) -> Result<Observed, CosimError> {
    let top = design.top();
    stimulus.check(top)?;
    let mut sim = Sim::new(design)?;
    for c in &stimulus.clocks {
        sim.clock(&c.name, c.period_ps, c.phase_ps)?;
    }
    let in_handles = data_inputs(top)
        .iter()
        .map(|(n, _)| sim.signal(n))
        .collect::<Result<Vec<_>, _>>()?;
    let outs = outputs(top);
    let out_handles = outs
        .iter()
        .map(|(n, _)| sim.signal(n))
        .collect::<Result<Vec<_>, _>>()?;
    let mut trace = Observed {
        outputs: outs.iter().map(|(n, _)| n.to_string()).collect(),
        steps: Vec::new(),
    };
    let mut expected_cycles = vec![0u64; stimulus.clocks.len()];
    for (values, &edges) in stimulus.steps.iter().zip(&stimulus.edges) {
        for (h, v) in in_handles.iter().zip(values) {
            sim.poke_bits_handle(*h, v)?;
        }
        let row = out_handles
            .iter()
            .map(|h| Some(sim.peek_bits_handle(*h)))
            .collect();
        trace.steps.push(row);
        sim.step()?;
        for (i, c) in stimulus.clocks.iter().enumerate() {
            expected_cycles[i] += (edges >> i) & 1;
            if sim.cycles(&c.name)? != expected_cycles[i] {
                return Err(CosimError::Stimulus(format!(
                    "clock `{}` disagrees with the edge schedule at step {}",
                    c.name,
                    trace.steps.len() - 1
                )));
            }
        }
    }
    Ok(trace)
}

/// A Verilog simulator that can replay a [`Stimulus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// Icarus Verilog (`iverilog` + `vvp`), four-state.
    Icarus,
    /// Verilator (two-state; unknowns start as zero like the built-in simulator).
    Verilator,
}

/// Runs the stimulus on the built-in simulator and on `peer` and returns the
/// first mismatch, if any. `workdir` receives the Verilog, harness and
/// stimulus files.
pub fn compare(
    design: &Design,
    stimulus: &Stimulus,
    peer: Peer,
    workdir: &Path,
) -> Result<Option<Mismatch>, CosimError> {
    let ours = run_builtin(design, stimulus)?;
    let theirs = match peer {
        Peer::Icarus => icarus::run(design, stimulus, workdir)?,
        Peer::Verilator => verilator::run(design, stimulus, workdir)?,
    };
    Ok(first_mismatch(&ours, &theirs))
}

/// Checks the stimulus against the design and writes what a harness run
/// needs into `workdir`: `stimulus.txt`, `dut.v` and the harness file.
pub(crate) fn prepare(
    design: &Design,
    stimulus: &Stimulus,
    workdir: &Path,
    harness_file: &str,
    harness: &str,
) -> Result<(), CosimError> {
    let top = design.top();
    stimulus.check(top)?;
    if outputs(top).is_empty() {
        return Err(CosimError::Stimulus(
            "the design has no outputs to compare".into(),
        ));
    }
    let io = |e: std::io::Error| CosimError::Io(e.to_string());
    stimulus.write(&workdir.join("stimulus.txt"))?;
    std::fs::write(workdir.join("dut.v"), linkforge_hdl::verilog::emit(design)).map_err(io)?;
    std::fs::write(workdir.join(harness_file), harness).map_err(io)
}

/// Runs a command and returns its standard output, or the tool error.
pub(crate) fn run_tool(cmd: &mut std::process::Command, what: &str) -> Result<String, CosimError> {
    let out = cmd
        .output()
        .map_err(|e| CosimError::Tool(format!("cannot run {what}: {e}")))?;
    if !out.status.success() {
        return Err(CosimError::Tool(format!(
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Parses the lines a harness printed (one line per step, space-separated
/// hex outputs); lines starting with `WARNING` or `ERROR` are errors.
pub(crate) fn parse_trace(text: &str, top: &Module, steps: usize) -> Result<Observed, CosimError> {
    let outs = outputs(top);
    let mut trace = Observed {
        outputs: outs.iter().map(|(n, _)| n.to_string()).collect(),
        steps: Vec::new(),
    };
    for line in text.lines() {
        if line.starts_with("WARNING") || line.starts_with("ERROR") || line.starts_with('%') {
            return Err(CosimError::Tool(format!("simulator said: {line}")));
        }
        if trace.steps.len() == steps {
            break;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != outs.len() {
            return Err(CosimError::Tool(format!("unexpected output line `{line}`")));
        }
        let row = outs
            .iter()
            .zip(&fields)
            .map(|((_, w), f)| parse_hex(f, *w))
            .collect();
        trace.steps.push(row);
    }
    if trace.steps.len() != steps {
        return Err(CosimError::Tool(format!(
            "the simulator printed {} steps, expected {steps}",
            trace.steps.len()
        )));
    }
    Ok(trace)
}

/// A hex value as printed by a simulator; `None` when it has unknown (x/z)
/// digits or bits beyond `width`.
fn parse_hex(text: &str, width: u32) -> Option<Bits> {
    let mut bits = Bits::zero(width);
    for (i, c) in text.chars().rev().enumerate() {
        let d = c.to_digit(16)?;
        for b in 0..4 {
            let set = d >> b & 1 == 1;
            let at = i as u32 * 4 + b;
            if set && at >= width {
                return None;
            }
            bits.set_bit(at, set);
        }
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_values_parse_and_unknowns_are_none() {
        assert_eq!(parse_hex("1f", 5).map(|b| b.low_u64()), Some(0x1f));
        assert_eq!(parse_hex("001f", 5).map(|b| b.low_u64()), Some(0x1f));
        assert!(parse_hex("x1", 8).is_none());
        assert!(parse_hex("3f", 5).is_none());
    }

    #[test]
    fn a_mismatch_names_the_first_step_and_signal() {
        let v = |x| Some(Bits::from_u64(x, 4).unwrap());
        let a = Observed {
            outputs: vec!["p".into(), "q".into()],
            steps: vec![vec![v(1), v(2)], vec![v(3), v(4)]],
        };
        let mut b = a.clone();
        b.steps[1][1] = v(5);
        b.steps[0][0] = None; // unknown in the peer: not compared
        let m = first_mismatch(&a, &b).expect("differs");
        assert_eq!((m.signal.as_str(), m.step), ("q", 1));
        assert_eq!(m.other, Bits::from_u64(5, 4).unwrap());
    }
}
