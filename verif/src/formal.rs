//! Bounded proofs of a design's assertions: the generated Verilog (whose
//! assertions and assumptions sit inside `ifdef FORMAL`) and a harness that
//! starts the design in reset go through Yosys (`read_verilog -formal`,
//! `write_smt2`) to `yosys-smtbmc -s z3`, which checks every assertion in
//! every reachable state of the first `depth` clock cycles.
//!
//! A failure comes back with the step, the assertion's message and the
//! counterexample as a VCD with a GTKWave save file beside it (a marker on
//! the failing step). Designs with more than one clock are proven through
//! `clk2fflogic`, where the solver may advance any clock at each step.

use crate::tools::{run, run_ok, tail, write_input, ToolError};
use crate::wave::marker_save_file;
use linkforge_hdl::verilog::names::legalize;
use linkforge_hdl::verilog::{self, range, ASSERTION_MARKER};
use linkforge_hdl::Design;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A reset input the harness asserts in the first cycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetInput {
    /// The top-level input's name.
    pub name: String,
    /// Asserted when low.
    pub active_low: bool,
}

/// The outcome of a bounded proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No assertion fails in the first `depth` steps.
    Proven {
        /// Steps checked.
        depth: u32,
    },
    /// An assertion fails.
    Failed(Counterexample),
}

/// An assertion the solver broke, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    /// The solver's step (clock cycle, 0 the first, in reset) at which the
    /// failure is reported: the assertion is checked on the values before
    /// that step's clock edge, as the simulator checks it.
    pub step: u32,
    /// The assertion's message, as written in the HDL.
    pub message: String,
    /// The instance that declared it.
    pub instance: String,
    /// The counterexample waveform.
    pub vcd: PathBuf,
    /// Its GTKWave save file.
    pub gtkw: PathBuf,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Proven { depth } => write!(f, "proven to depth {depth}"),
            Verdict::Failed(c) => write!(
                f,
                "FAILED at step {}: \"{}\" in `{}`; counterexample {} (open {})",
                c.step,
                c.message,
                c.instance,
                c.vcd.display(),
                c.gtkw.display()
            ),
        }
    }
}

/// Why a proof could not run.
#[derive(Debug, thiserror::Error)]
pub enum FormalError {
    /// Writing the inputs or running a tool failed.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// The design declares no assertion.
    #[error("`{0}` declares no assertion: there is nothing to prove")]
    NothingToProve(String),
}

/// Whether any module of `design` declares an assertion (not only
/// assumptions).
fn has_assertions(design: &Design) -> bool {
    design.modules().any(|(_, m)| {
        m.assertions
            .iter()
            .any(|a| a.kind == linkforge_hdl::AssertionKind::Assert)
    })
}

/// The harness: the design's ports as its own, the design inside, and each
/// reset assumed asserted in the first cycle.
fn harness(design: &Design, name: &str, resets: &[ResetInput]) -> String {
    let top = design.top();
    let mut ports = Vec::new();
    for &p in &top.ports {
        let dir = if top.is_input(p) { "input" } else { "output" };
        let s = top.signal(p);
        ports.push(format!(
            "    {dir} wire {}{}",
            range(s.width),
            legalize(&s.name)
        ));
    }
    let mut text = String::new();
    // Writing to a `String` cannot fail.
    let _ = writeln!(text, "`default_nettype none\nmodule {name} (");
    let _ = writeln!(text, "{}\n);", ports.join(",\n"));
    let _ = writeln!(text, "    {}", verilog::instantiate_top(design, "dut"));
    text.push_str("`ifdef FORMAL\n");
    for r in resets {
        let level = if r.active_low { "!" } else { "" };
        let _ = writeln!(text, "    initial assume ({level}{});", legalize(&r.name));
    }
    text.push_str("`endif\nendmodule\n`default_nettype wire\n");
    text
}

/// The files [`prove`] writes into its directory: the design, the harness,
/// the SMT2 model, and on failure the counterexample and its save file.
pub fn outputs(design: &Design) -> [String; 5] {
    let top = design.top_name();
    [
        format!("{top}.v"),
        format!("{top}_formal.v"),
        format!("{top}.smt2"),
        format!("{top}.cex.vcd"),
        format!("{top}.cex.gtkw"),
    ]
}

/// Proves `design`'s assertions for `depth` cycles after a reset in the
/// first, writing the Verilog, the SMT2 model and any counterexample into
/// `dir`.
pub fn prove(
    design: &Design,
    resets: &[ResetInput],
    depth: u32,
    dir: &Path,
) -> Result<Verdict, FormalError> {
    let top = design.top_name();
    if !has_assertions(design) {
        return Err(FormalError::NothingToProve(top.to_string()));
    }
    let harness_name = format!("{top}_formal");
    let [design_v, harness_v, smt2, vcd, gtkw] = outputs(design).map(|f| dir.join(f));
    write_input(&design_v, &verilog::emit(design))?;
    write_input(&harness_v, &harness(design, &harness_name, resets))?;
    let clocks = design
        .top()
        .ports
        .iter()
        .filter(|&&p| {
            matches!(
                design.top().signal(p).kind,
                linkforge_hdl::ir::SignalKind::Input { clock: true }
            )
        })
        .count();
    let multiclock = if clocks > 1 { "clk2fflogic; " } else { "" };
    let script = format!(
        "read_verilog -formal {} {}; prep -flatten -top {harness_name}; async2sync; \
         {multiclock}dffunmap; write_smt2 -wires {}",
        design_v.display(),
        harness_v.display(),
        smt2.display()
    );
    run_ok("yosys", Command::new("yosys").args(["-q", "-p", &script]))?;
    let _ = std::fs::remove_file(&vcd);
    // A failed proof is a failing exit; the log says which.
    let (_, log) = run(Command::new("yosys-smtbmc")
        // Unrolled: z3 stalls on the uninterpreted-function form of
        // designs with several instances (the switch scheduler).
        .args([
            "-s",
            "z3",
            "--unroll",
            "-t",
            &depth.to_string(),
            "--dump-vcd",
        ])
        .arg(&vcd)
        .arg(&smt2));
    if log.contains("Status: PASSED") {
        return Ok(Verdict::Proven { depth });
    }
    if !log.contains("Status: FAILED") {
        return Err(ToolError::Failed {
            tool: "yosys-smtbmc",
            output: tail(&log),
        }
        .into());
    }
    let step = log
        .lines()
        .filter_map(|l| l.split("Checking assertions in step ").nth(1))
        .filter_map(|rest| rest.trim_end_matches('.').trim().parse().ok())
        .next_back()
        .unwrap_or(0);
    let (instance, message) = failed_assertion(&log).unwrap_or_else(|| {
        (
            harness_name.clone(),
            "an assertion (the solver did not say which)".to_string(),
        )
    });
    write_input(&gtkw, &save_file(&vcd, &harness_name, design))?;
    Ok(Verdict::Failed(Counterexample {
        step,
        message,
        instance,
        vcd,
        gtkw,
    }))
}

/// The instance and message of the assertion smtbmc reports as failed:
/// `Assert failed in TOP: LOCATIONS (CELL)`, where the last of the
/// `|`-separated locations is the assertion's span in the generated
/// Verilog (`FILE:LINE.COL-LINE.COL`, the statement on its last line, the
/// message in the comment after it) and the cell name carries the
/// flattened instance path (`$flatten/dut.u0.$assert$...`).
fn failed_assertion(log: &str) -> Option<(String, String)> {
    let rest = log
        .lines()
        .find_map(|l| l.split("Assert failed in ").nth(1))?;
    let (top, rest) = rest.split_once(": ")?;
    let (locations, cell) = rest.split_once(" (").unwrap_or((rest, ""));
    let span = locations.rsplit('|').next()?.trim();
    let (file, position) = span.rsplit_once(':')?;
    let last_line = position.rsplit('-').next()?.split('.').next()?;
    let line: usize = last_line.parse().ok()?;
    let text = std::fs::read_to_string(file).ok()?;
    let source = text.lines().nth(line.checked_sub(1)?)?;
    let comment = source.split(ASSERTION_MARKER).nth(1)?;
    let message = comment.trim().split_once(' ')?.1.trim().trim_matches('"');
    let path = cell
        .split("$flatten/")
        .nth(1)
        .and_then(|p| p.split(".$").next())
        .map_or_else(|| top.to_string(), |p| format!("{top}.{p}"));
    Some((path, message.to_string()))
}

/// A GTKWave save file for counterexample `vcd`: the harness's ports and
/// a marker at the last (failing) time.
fn save_file(vcd: &Path, harness: &str, design: &Design) -> String {
    let end = std::fs::read_to_string(vcd)
        .ok()
        .and_then(|t| {
            t.lines()
                .filter_map(|l| l.strip_prefix('#'))
                .filter_map(|n| n.trim().parse::<u64>().ok())
                .next_back()
        })
        .unwrap_or(0);
    let top = design.top();
    let ports: Vec<(String, u32)> = top
        .ports
        .iter()
        .map(|&p| {
            let s = top.signal(p);
            (format!("{harness}.{}", legalize(&s.name)), s.width)
        })
        .collect();
    marker_save_file(
        "linkforge prove: counterexample, marker at the failing step",
        vcd,
        end,
        &ports,
    )
}
