//! Differential co-simulation: the same stimulus on the built-in simulator
//! and on a Verilog simulator (Icarus, Verilator) over the emitted Verilog,
//! compared output by output, step by step. Every sample is counted
//! ([`Comparison`]): compared, unknown for a named reason, or the first
//! disagreement, reported with the signal, the step and both values.
//!
//! An unknown (x or z) value from the peer is a disagreement, except on an
//! output fed by state without a reset ([`unknowns`]), where it is counted
//! for that output, and before every clock has risen once (nothing has
//! been reset yet), where it is counted as settling. An output driven from
//! reset that is never compared fails the comparison.
//!
//! The protocol, identical on every simulator: the design's clocks run with
//! their periods and phases; each step applies the data inputs, lets the
//! combinational logic settle, samples every output, then raises the clocks
//! whose next rising edge is the earliest (several at once when edges
//! coincide).

pub mod icarus;
mod stimulus;
pub mod unknowns;
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
    /// The other simulator's value; `None` when it was unknown (x or z).
    pub other: Option<Bits>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let other = match &self.other {
            Some(v) => v.to_string(),
            None => "x (unknown, on an output driven from reset)".to_string(),
        };
        write!(
            f,
            "`{}` differs at step {}: linkforge {}, Verilog {other}",
            self.signal, self.step, self.linkforge
        )
    }
}

/// The least share of the samples after settling a passing comparison
/// compares: unknowns from state without reset may hide no more.
pub const MIN_COVERAGE: f64 = 0.95;

/// How two traces compare, every sample counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Output samples in all: outputs times steps.
    pub samples: u64,
    /// Samples known on both sides and compared.
    pub compared: u64,
    /// Unknown samples before every clock had risen once.
    pub settling: u64,
    /// Per output fed by state without a reset: its unknown samples.
    pub unreset: Vec<(String, u64)>,
    /// Outputs driven from reset no sample of which was compared.
    pub never_compared: Vec<String>,
    /// The first disagreement.
    pub mismatch: Option<Mismatch>,
}

impl Comparison {
    /// The share of samples compared.
    pub fn coverage(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.compared as f64 / self.samples as f64
        }
    }

    /// The share of samples after settling that were compared.
    pub fn settled_coverage(&self) -> f64 {
        let judged = self.samples - self.settling;
        if judged == 0 {
            0.0
        } else {
            self.compared as f64 / judged as f64
        }
    }

    /// Passes when nothing disagreed, every output driven from reset was
    /// compared at least once, and at least [`MIN_COVERAGE`] of the samples
    /// after settling were compared (known on both sides); else says why not.
    pub fn verdict(&self) -> Result<(), String> {
        if let Some(m) = &self.mismatch {
            return Err(m.to_string());
        }
        let unreset: Vec<String> = self
            .unreset
            .iter()
            .map(|(name, n)| format!("`{name}` {n}"))
            .collect();
        if self.settled_coverage() < MIN_COVERAGE {
            return Err(format!(
                "compared {} of {} samples after settling ({:.1}%, under {:.0}%); unknown samples from state without reset: {}",
                self.compared,
                self.samples - self.settling,
                100.0 * self.settled_coverage(),
                100.0 * MIN_COVERAGE,
                if unreset.is_empty() { "none".to_string() } else { unreset.join(", ") }
            ));
        }
        if !self.never_compared.is_empty() {
            return Err(format!(
                "never compared: {} (unknown samples from state without reset: {})",
                self.never_compared.join(", "),
                unreset.join(", ")
            ));
        }
        Ok(())
    }
}

/// Compares `other` against `linkforge`, sample by sample. `unreset[i]`
/// says output `i` is fed by state without a reset; steps before
/// `settled` come before every clock has risen once. A step missing on
/// either side is a disagreement.
pub fn compare_traces(
    linkforge: &Observed,
    other: &Observed,
    unreset: &[bool],
    settled: usize,
) -> Comparison {
    let steps = linkforge.steps.len().max(other.steps.len());
    let mut c = Comparison {
        samples: (steps * linkforge.outputs.len()) as u64,
        compared: 0,
        settling: 0,
        unreset: Vec::new(),
        never_compared: Vec::new(),
        mismatch: None,
    };
    let mut unknown = vec![0u64; linkforge.outputs.len()];
    let mut compared = vec![false; linkforge.outputs.len()];
    'steps: for s in 0..steps {
        for (i, name) in linkforge.outputs.iter().enumerate() {
            let ours = linkforge
                .steps
                .get(s)
                .and_then(|r| r.get(i))
                .cloned()
                .flatten();
            let theirs = other.steps.get(s).and_then(|r| r.get(i));
            let differ = match (&ours, theirs) {
                (Some(a), Some(Some(b))) => {
                    c.compared += 1;
                    compared[i] = true;
                    a != b
                }
                (Some(_), Some(None)) if s < settled => {
                    c.settling += 1;
                    false
                }
                (Some(_), Some(None)) if unreset.get(i) == Some(&true) => {
                    unknown[i] += 1;
                    false
                }
                _ => true,
            };
            if differ {
                c.mismatch = Some(Mismatch {
                    signal: name.clone(),
                    step: s,
                    linkforge: ours.unwrap_or_else(|| Bits::zero(1)),
                    other: theirs.cloned().flatten(),
                });
                break 'steps;
            }
        }
    }
    c.unreset = linkforge
        .outputs
        .iter()
        .zip(unknown)
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| (name.clone(), n))
        .collect();
    c.never_compared = linkforge
        .outputs
        .iter()
        .zip(compared)
        .zip(unreset)
        .filter(|((_, seen), unreset)| !seen && !**unreset)
        .map(|((name, _), _)| name.clone())
        .collect();
    c
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
        // A design without a clock is combinational: a step is one
        // evaluation. A failed assertion or assumption does not stop the
        // run (the edge is complete): the peers evaluate neither, and what
        // is compared is what the engines compute, on any input.
        if !stimulus.clocks.is_empty() {
            match sim.step() {
                Ok(()) | Err(SimError::Assertion(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
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

/// Runs the stimulus on the built-in simulator and on `peer` and compares
/// them ([`Comparison::verdict`] judges). `workdir` receives the Verilog,
/// harness and stimulus files.
pub fn compare(
    design: &Design,
    stimulus: &Stimulus,
    peer: Peer,
    workdir: &Path,
) -> Result<Comparison, CosimError> {
    let ours = run_builtin(design, stimulus)?;
    let theirs = match peer {
        Peer::Icarus => icarus::run(design, stimulus, workdir)?,
        Peer::Verilator => verilator::run(design, stimulus, workdir)?,
    };
    let unreset = unknowns::fed_by_unreset_state(design);
    Ok(compare_traces(&ours, &theirs, &unreset, stimulus.settled()))
}

/// Checks the stimulus against the design and writes what a harness run
/// needs into `workdir`: `stimulus.txt`, `verilog` as `dut.v` and the
/// harness file.
pub(crate) fn prepare(
    design: &Design,
    verilog: &str,
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
    std::fs::write(workdir.join("dut.v"), verilog).map_err(io)?;
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
            .map(|((name, w), f)| {
                parse_hex(f, *w).map_err(|why| {
                    CosimError::Tool(format!(
                        "step {}: `{name}` printed as `{f}`: {why}",
                        trace.steps.len()
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
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

/// A hex value as printed by a simulator: `None` when it has unknown (x
/// or z) digits; an error for any other non-hex digit or a set bit beyond
/// `width`.
fn parse_hex(text: &str, width: u32) -> Result<Option<Bits>, String> {
    if text.chars().any(|c| matches!(c, 'x' | 'X' | 'z' | 'Z')) {
        return Ok(None);
    }
    let mut bits = Bits::zero(width);
    for (i, c) in text.chars().rev().enumerate() {
        let d = c
            .to_digit(16)
            .ok_or_else(|| format!("`{c}` is not a hex digit"))?;
        for b in 0..4 {
            let set = d >> b & 1 == 1;
            let at = i as u32 * 4 + b;
            if set && at >= width {
                return Err(format!("bit {at} is set in a {width}-bit port"));
            }
            if at < width {
                bits.set_bit(at, set);
            }
        }
    }
    Ok(Some(bits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_values_parse_unknowns_are_none_and_junk_is_an_error() {
        let v = |t, w| parse_hex(t, w).map(|b| b.map(|b| b.low_u64()));
        assert_eq!(v("1f", 5), Ok(Some(0x1f)));
        assert_eq!(v("001f", 5), Ok(Some(0x1f)));
        assert_eq!(v("x1", 8), Ok(None));
        assert_eq!(v("z", 1), Ok(None));
        assert!(v("3f", 5).is_err());
        assert!(v("1g", 8).is_err());
    }

    fn observed(rows: Vec<Vec<Option<u64>>>) -> Observed {
        Observed {
            outputs: vec!["p".into(), "q".into()],
            steps: rows
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|x| x.map(|x| Bits::from_u64(x, 4).unwrap()))
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn every_sample_is_counted_and_the_first_mismatch_named() {
        let a = observed(vec![
            vec![Some(1), Some(2)],
            vec![Some(3), Some(4)],
            vec![Some(5), Some(6)],
        ]);
        let mut b = a.clone();
        b.steps[0][0] = None; // before every clock rose: settling
        b.steps[2][1] = Some(Bits::from_u64(7, 4).unwrap());
        let c = compare_traces(&a, &b, &[false, false], 1);
        assert_eq!((c.samples, c.compared, c.settling), (6, 5, 1));
        let m = c.mismatch.clone().expect("differs");
        assert_eq!((m.signal.as_str(), m.step), ("q", 2));
        assert!(c.verdict().is_err());
    }

    #[test]
    fn an_unknown_on_an_output_driven_from_reset_is_a_mismatch() {
        let a = observed(vec![vec![Some(1), Some(2)], vec![Some(3), Some(4)]]);
        let mut b = a.clone();
        b.steps[1][1] = None;
        let c = compare_traces(&a, &b, &[false, false], 1);
        let m = c.mismatch.expect("an x after reset is a mismatch");
        assert_eq!((m.signal.as_str(), m.step, m.other), ("q", 1, None));
        // Fed by state without a reset, it is counted for that output instead.
        let c = compare_traces(&a, &b, &[false, true], 1);
        assert_eq!(c.mismatch, None);
        assert_eq!(c.unreset, [("q".to_string(), 1)]);
        assert_eq!(c.compared, 3);
    }

    #[test]
    fn an_output_driven_from_reset_never_compared_fails() {
        let a = observed((0..20).map(|s| vec![Some(s % 16), Some(1)]).collect());
        let mut b = a.clone();
        for row in &mut b.steps {
            row[1] = None;
        }
        // Unknown throughout, fed by state without reset: counted for `q`,
        // not a mismatch, but half the samples compared is too few.
        let c = compare_traces(&a, &b, &[false, true], 0);
        assert_eq!((c.mismatch.clone(), c.compared), (None, 20));
        assert_eq!(c.unreset, [("q".to_string(), 20)]);
        let why = c.verdict().unwrap_err();
        assert!(why.contains("compared 20 of 40 samples"), "{why}");
        // Unknown in one step of twenty: 97.5% compared passes.
        let mut few = a.clone();
        few.steps[7][1] = None;
        let c = compare_traces(&a, &few, &[false, true], 0);
        assert_eq!(c.verdict(), Ok(()));
        // Unknown only while settling, on an output driven from reset.
        let c = compare_traces(&a, &b, &[false, false], 20);
        let why = c.verdict().unwrap_err();
        assert!(why.contains("never compared: q"), "{why}");
    }
}
