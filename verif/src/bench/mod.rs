//! Simulator benchmark: cycles per second of the built-in simulator against
//! Verilator and Icarus on the same emitted Verilog with the same stimulus.
//!
//! # The stimulus protocol
//!
//! Every engine runs the same loop, written once in Rust ([`run_linkforge`]),
//! once in C++ (Verilator's main) and once in Verilog (Icarus's testbench):
//!
//! ```text
//! x = SEED; checksum = 0
//! for cycle in 0..n:
//!     reset = (cycle == 0)
//!     for each data input, in port order:
//!         x ^= x << 13; x ^= x >> 7; x ^= x << 17
//!         input = low bits of x
//!     one rising clock edge
//!     for each output, in port order:
//!         checksum = rotate_left(checksum, 1) ^ output
//! ```
//!
//! The checksum proves that the engines simulated the same thing: the
//! runner compares every engine's checksum with the built-in simulator's at
//! equal cycle counts and reports a disagreement in the table and in
//! [`Report::mismatches`].
//!
//! # Timing
//!
//! - linkforge: build time is [`Sim::new`]; only the loop is timed.
//! - Verilator: build time is the wall time of `verilator --build` (with
//!   make and the C++ compiler); the C++ main times only its loop.
//! - Icarus: build time is `iverilog`; a run is the wall time of `vvp` for
//!   `n` cycles minus that of an empty run (start-up and elaboration).

pub mod designs;
pub mod peers;

use crate::sim::{Sim, SimError};
use linkforge_hdl::{Design, HdlError};
use std::fmt::Write;
use std::time::{Duration, Instant};

/// The seed of the stimulus generator, shared by every engine.
pub const SEED: u64 = 0x2545_F491_4F6C_DD1D;

pub use crate::models::xorshift::xorshift64;

/// Folds one output value into a running checksum.
#[inline]
pub fn fold(checksum: u64, value: u64) -> u64 {
    checksum.rotate_left(1) ^ value
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A reference design failed the HDL checks.
    #[error("design: {0}")]
    Hdl(#[from] HdlError),
    /// The built-in simulator rejected the design or a poke.
    #[error("built-in simulator: {0}")]
    Sim(#[from] SimError),
    /// The design has a port the harnesses cannot drive.
    #[error("port `{port}` is {width} bits; the benchmark drives ports of 1..=64 bits")]
    PortTooWide {
        /// The port.
        port: String,
        /// Its width.
        width: u32,
    },
    /// A clock or reset name that is not an input of the top module.
    #[error("`{0}` is not an input of the top module")]
    NoSuchInput(String),
    /// A cycle count the harnesses cannot run.
    #[error("cycle count {0} is out of range (1..=2^31-1)")]
    Cycles(u64),
    /// Files for a peer could not be written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A peer tool failed or printed something unexpected.
    #[error("{tool}: {message}")]
    Tool {
        /// The tool.
        tool: &'static str,
        /// What went wrong (with the tool's output).
        message: String,
    },
}

/// A port driven or observed by the harnesses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// Name in the top module.
    pub name: String,
    /// Width in bits (1..=64).
    pub width: u32,
}

impl Port {
    /// The low `width` bits set.
    pub fn mask(&self) -> u64 {
        u64::MAX >> (64 - self.width)
    }
}

/// A design with the ports the stimulus protocol drives.
pub struct Workload {
    /// Short name (as given to `--design`).
    pub name: String,
    /// One-line description for the table.
    pub description: String,
    /// The design.
    pub design: Design,
    /// The clock input.
    pub clock: String,
    /// The synchronous reset input, high in cycle 0 only.
    pub reset: Option<String>,
    /// Data inputs in port order (clock and reset excluded).
    pub inputs: Vec<Port>,
    /// Outputs in port order.
    pub outputs: Vec<Port>,
    /// The workload runs the configured cycle counts divided by this (at
    /// least one cycle), so that a large design finishes in reasonable time.
    pub cycle_divisor: u64,
}

impl Workload {
    /// A workload over the top module of `design`, clocked by `clock`.
    pub fn new(
        name: &str,
        description: &str,
        design: Design,
        clock: &str,
        reset: Option<&str>,
    ) -> Result<Workload, BenchError> {
        let top = design.top();
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        let mut seen = Vec::new();
        for p in &top.ports {
            let s = top.signal(*p);
            if !(1..=64).contains(&s.width) {
                return Err(BenchError::PortTooWide {
                    port: s.name.clone(),
                    width: s.width,
                });
            }
            let port = Port {
                name: s.name.clone(),
                width: s.width,
            };
            if !top.is_input(*p) {
                outputs.push(port);
            } else if s.name == clock || Some(s.name.as_str()) == reset {
                seen.push(s.name.clone());
            } else {
                inputs.push(port);
            }
        }
        for wanted in std::iter::once(clock).chain(reset) {
            if !seen.iter().any(|s| s == wanted) {
                return Err(BenchError::NoSuchInput(wanted.to_string()));
            }
        }
        Ok(Workload {
            name: name.to_string(),
            description: description.to_string(),
            design,
            clock: clock.to_string(),
            reset: reset.map(str::to_string),
            inputs,
            outputs,
            cycle_divisor: 1,
        })
    }
}

/// Cycle counts of a benchmark run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchConfig {
    /// Cycles of the timed linkforge and Verilator runs.
    pub cycles: u64,
    /// Cycles of the Icarus run, and of the checksum runs of the others.
    pub icarus_cycles: u64,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            cycles: 2_000_000,
            icarus_cycles: 20_000,
        }
    }
}

/// A simulator the benchmark runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The built-in simulator.
    Linkforge,
    /// Verilator, single-threaded, -O3.
    Verilator,
    /// Icarus Verilog (`iverilog` + `vvp`).
    Icarus,
}

impl Engine {
    /// Lower-case name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Linkforge => "linkforge",
            Engine::Verilator => "verilator",
            Engine::Icarus => "icarus",
        }
    }
}

/// One run of the stimulus loop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    /// Cycles simulated.
    pub cycles: u64,
    /// Seconds the loop took.
    pub seconds: f64,
    /// The folded outputs.
    pub checksum: u64,
}

impl Run {
    /// Cycles per second (0 when the run was too short to time).
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 {
            self.cycles as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// What one engine measured on one design.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// Time to turn the design into something that runs.
    pub build: Duration,
    /// The timed run.
    pub timed: Run,
    /// The run at [`BenchConfig::icarus_cycles`] whose checksum is compared.
    pub check: Run,
}

/// How an engine fared on one design.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// It ran.
    Ran(Measurement),
    /// The tool is not installed.
    NotInstalled,
    /// It failed; the message says why.
    Failed(String),
}

/// The results of every engine on one design.
#[derive(Clone, Debug, PartialEq)]
pub struct DesignReport {
    /// Short name of the design.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Name of the top module in the emitted Verilog.
    pub top: String,
    /// One entry per engine, linkforge first.
    pub engines: Vec<(Engine, Outcome)>,
    /// Checksum disagreements with the built-in simulator (empty when all agree).
    pub mismatches: Vec<String>,
}

impl DesignReport {
    /// The measurement of `engine`, when it ran.
    pub fn measurement(&self, engine: Engine) -> Option<&Measurement> {
        self.engines.iter().find_map(|(e, o)| match o {
            Outcome::Ran(m) if *e == engine => Some(m),
            _ => None,
        })
    }

    /// linkforge's cycles per second divided by `engine`'s.
    pub fn speedup_over(&self, engine: Engine) -> Option<f64> {
        let ours = self.measurement(Engine::Linkforge)?.timed.rate();
        let theirs = self.measurement(engine)?.timed.rate();
        (theirs > 0.0).then(|| ours / theirs)
    }
}

/// The machine the benchmark ran on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// Logical CPUs available (as `nproc`).
    pub cpus: usize,
    /// CPU model from `/proc/cpuinfo`.
    pub cpu_model: String,
    /// `verilator --version`, or "not installed".
    pub verilator: String,
    /// `iverilog -V` (first line), or "not installed".
    pub icarus: String,
}

impl Machine {
    /// Describes the machine this process runs on.
    pub fn detect() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
            verilator: peers::version("verilator", "--version"),
            icarus: peers::version("iverilog", "-V"),
        }
    }
}

/// A whole benchmark: the machine and one report per design.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Where it ran.
    pub machine: Machine,
    /// The cycle counts used.
    pub config: BenchConfig,
    /// One report per design, in run order.
    pub designs: Vec<DesignReport>,
}

/// Runs every workload on every engine. `log` receives a line as each step
/// starts.
pub fn run(
    workloads: &[Workload],
    config: &BenchConfig,
    log: &mut impl FnMut(&str),
) -> Result<Report, BenchError> {
    let mut reports = Vec::new();
    for w in workloads {
        reports.push(run_workload(w, config, log)?);
    }
    Ok(Report {
        machine: Machine::detect(),
        config: *config,
        designs: reports,
    })
}

/// Runs `workload` on linkforge, Verilator and Icarus and compares checksums.
/// A missing or failing peer is recorded in the report, not returned as an
/// error; an invalid cycle count is an error.
pub fn run_workload(
    workload: &Workload,
    config: &BenchConfig,
    log: &mut impl FnMut(&str),
) -> Result<DesignReport, BenchError> {
    for n in [config.cycles, config.icarus_cycles] {
        if n == 0 || n > i32::MAX as u64 {
            return Err(BenchError::Cycles(n));
        }
    }
    let divisor = workload.cycle_divisor.max(1);
    let config = &BenchConfig {
        cycles: (config.cycles / divisor).max(1),
        icarus_cycles: (config.icarus_cycles / divisor).max(1),
    };
    let name = &workload.name;
    let outcome = |r: Result<Measurement, BenchError>| match r {
        Ok(m) => Outcome::Ran(m),
        Err(e) => Outcome::Failed(e.to_string()),
    };
    log(&format!("{name}: linkforge"));
    let ours = outcome(measure_linkforge(workload, config));
    log(&format!("{name}: verilator"));
    let verilator = match peers::installed("verilator", "--version") {
        true => outcome(peers::verilator(workload, config)),
        false => Outcome::NotInstalled,
    };
    log(&format!("{name}: icarus"));
    let icarus = match peers::installed("iverilog", "-V") {
        true => outcome(peers::icarus(workload, config)),
        false => Outcome::NotInstalled,
    };
    let engines = vec![
        (Engine::Linkforge, ours),
        (Engine::Verilator, verilator),
        (Engine::Icarus, icarus),
    ];
    let mismatches = compare(&engines);
    Ok(DesignReport {
        name: name.clone(),
        description: workload.description.clone(),
        top: workload.design.top_name().to_string(),
        engines,
        mismatches,
    })
}

/// Every run whose checksum differs from linkforge's at the same cycle count.
fn compare(engines: &[(Engine, Outcome)]) -> Vec<String> {
    let Some((_, Outcome::Ran(ours))) = engines.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (engine, outcome) in &engines[1..] {
        let Outcome::Ran(theirs) = outcome else {
            continue;
        };
        for run in [theirs.check, theirs.timed] {
            let reference = [ours.check, ours.timed]
                .into_iter()
                .find(|r| r.cycles == run.cycles);
            if let Some(r) = reference {
                if r.checksum != run.checksum {
                    out.push(format!(
                        "{} after {} cycles: linkforge {:016x}, {} {:016x}",
                        engine.name(),
                        run.cycles,
                        r.checksum,
                        engine.name(),
                        run.checksum
                    ));
                }
            }
        }
    }
    out.dedup();
    out
}

/// Builds the built-in simulator for `workload` and runs the checksum run
/// and the timed run.
fn measure_linkforge(workload: &Workload, config: &BenchConfig) -> Result<Measurement, BenchError> {
    let start = Instant::now();
    let sim = Sim::new(&workload.design)?;
    let build = start.elapsed();
    let check = run_linkforge(sim, workload, config.icarus_cycles)?;
    let timed = run_linkforge(Sim::new(&workload.design)?, workload, config.cycles)?;
    Ok(Measurement {
        build,
        timed,
        check,
    })
}

/// Runs the stimulus protocol for `cycles` cycles on a fresh `sim` of
/// `workload`'s design, timing only the loop.
pub fn run_linkforge(mut sim: Sim, workload: &Workload, cycles: u64) -> Result<Run, BenchError> {
    let handle = |p: &str| sim.signal(p);
    let reset = workload.reset.as_deref().map(handle).transpose()?;
    let inputs = workload
        .inputs
        .iter()
        .map(|p| Ok((handle(&p.name)?, p.mask())))
        .collect::<Result<Vec<_>, SimError>>()?;
    let outputs = workload
        .outputs
        .iter()
        .map(|p| handle(&p.name))
        .collect::<Result<Vec<_>, SimError>>()?;
    let mut x = SEED;
    let mut checksum = 0u64;
    let start = Instant::now();
    for cycle in 0..cycles {
        if let Some(r) = reset {
            sim.poke_handle(r, u64::from(cycle == 0))?;
        }
        for &(h, mask) in &inputs {
            x = xorshift64(x);
            sim.poke_handle(h, x & mask)?;
        }
        sim.step()?;
        for &h in &outputs {
            checksum = fold(checksum, sim.peek_handle(h));
        }
    }
    Ok(Run {
        cycles,
        seconds: start.elapsed().as_secs_f64(),
        checksum,
    })
}

impl Report {
    /// Every checksum disagreement, prefixed with its design.
    pub fn mismatches(&self) -> Vec<String> {
        self.designs
            .iter()
            .flat_map(|d| d.mismatches.iter().map(move |m| format!("{}: {m}", d.name)))
            .collect()
    }

    /// The results as a plain-text table with the machine and the ratios.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let m = &self.machine;
        let _ = writeln!(t, "machine: {} CPUs (nproc), {}", m.cpus, m.cpu_model);
        let _ = writeln!(t, "peers:   {}; {}", m.verilator, m.icarus);
        let _ = writeln!(
            t,
            "cycles:  {} (linkforge, verilator), {} (icarus and checksum runs); large designs run fewer\n",
            self.config.cycles, self.config.icarus_cycles
        );
        let header = [
            "design",
            "engine",
            "build",
            "cycles",
            "cycles/s",
            "linkforge/engine",
            "checksum",
        ];
        let mut rows: Vec<[String; 7]> = vec![header.map(str::to_string)];
        for d in &self.designs {
            for (engine, outcome) in &d.engines {
                let checksum_state = if d.mismatches.iter().any(|s| s.starts_with(engine.name())) {
                    "MISMATCH"
                } else {
                    "ok"
                };
                let row = match outcome {
                    Outcome::Ran(r) => [
                        d.name.clone(),
                        engine.name().to_string(),
                        duration(r.build),
                        r.timed.cycles.to_string(),
                        si(r.timed.rate()),
                        d.speedup_over(*engine)
                            .map_or("-".into(), |s| format!("{s:.2}x")),
                        format!("{} {:016x}", checksum_state, r.check.checksum),
                    ],
                    Outcome::NotInstalled => not_run(d, *engine, "not installed"),
                    Outcome::Failed(_) => not_run(d, *engine, "FAILED"),
                };
                rows.push(row);
            }
        }
        let widths: Vec<usize> = (0..7)
            .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, w))| match c {
                    0 | 1 | 6 => format!("{cell:<w$}"),
                    _ => format!("{cell:>w$}"),
                })
                .collect();
            let _ = writeln!(t, "{}", cells.join("  ").trim_end());
            if i == 0 {
                let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
                let _ = writeln!(t, "{}", "-".repeat(total));
            }
        }
        t.push('\n');
        for d in &self.designs {
            let ratio = |e: Engine| {
                d.speedup_over(e)
                    .map_or("n/a".to_string(), |s| format!("{s:.2}x"))
            };
            let _ = writeln!(
                t,
                "{:<9} linkforge/verilator {:>8}   linkforge/icarus {:>8}   ({}, top `{}`)",
                d.name,
                ratio(Engine::Verilator),
                ratio(Engine::Icarus),
                d.description,
                d.top
            );
        }
        for d in &self.designs {
            for (engine, outcome) in &d.engines {
                if let Outcome::Failed(why) = outcome {
                    let _ = writeln!(t, "\n{} on {} FAILED: {why}", engine.name(), d.name);
                }
            }
        }
        let mismatches = self.mismatches();
        if !mismatches.is_empty() {
            let _ = writeln!(
                t,
                "\n!!! CHECKSUM MISMATCH: the engines did not simulate the same thing !!!"
            );
            for m in mismatches {
                let _ = writeln!(t, "!!! {m}");
            }
        }
        t
    }

    /// The results as JSON.
    pub fn to_json(&self) -> String {
        let m = &self.machine;
        let mut j = String::from("{\n");
        let _ = writeln!(
            j,
            "  \"machine\": {{\"cpus\": {}, \"cpu_model\": {}, \"verilator\": {}, \"icarus\": {}}},",
            m.cpus,
            json_str(&m.cpu_model),
            json_str(&m.verilator),
            json_str(&m.icarus)
        );
        let _ = writeln!(
            j,
            "  \"cycles\": {}, \"icarus_cycles\": {},",
            self.config.cycles, self.config.icarus_cycles
        );
        j.push_str("  \"designs\": [");
        for (i, d) in self.designs.iter().enumerate() {
            j.push_str(if i == 0 { "\n" } else { ",\n" });
            let _ = write!(
                j,
                "    {{\"name\": {}, \"description\": {}, \"top\": {}, \"mismatches\": [{}], \"engines\": [",
                json_str(&d.name),
                json_str(&d.description),
                json_str(&d.top),
                d.mismatches.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(", ")
            );
            for (k, (engine, outcome)) in d.engines.iter().enumerate() {
                j.push_str(if k == 0 { "\n" } else { ",\n" });
                let body = match outcome {
                    Outcome::Ran(r) => format!(
                        "\"status\": \"ran\", \"build_s\": {:.6}, \"cycles\": {}, \"seconds\": {:.6}, \"cycles_per_s\": {:.1}, \"linkforge_over_engine\": {}, \"check_cycles\": {}, \"checksum\": \"{:016x}\"",
                        r.build.as_secs_f64(),
                        r.timed.cycles,
                        r.timed.seconds,
                        r.timed.rate(),
                        d.speedup_over(*engine).map_or("null".into(), |s| format!("{s:.4}")),
                        r.check.cycles,
                        r.check.checksum
                    ),
                    Outcome::NotInstalled => "\"status\": \"not installed\"".into(),
                    Outcome::Failed(why) => format!("\"status\": \"failed\", \"error\": {}", json_str(why)),
                };
                let _ = write!(j, "      {{\"engine\": \"{}\", {body}}}", engine.name());
            }
            j.push_str("\n    ]}");
        }
        j.push_str("\n  ]\n}\n");
        j
    }
}

/// A table row for an engine that did not run.
fn not_run(d: &DesignReport, engine: Engine, why: &str) -> [String; 7] {
    [
        d.name.clone(),
        engine.name().to_string(),
        why.to_string(),
        "-".into(),
        "-".into(),
        "-".into(),
        "-".into(),
    ]
}

/// A duration in the unit that suits it.
fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} us", s * 1e6)
    }
}

/// A rate with an SI prefix (`12.3 M`).
pub fn si(x: f64) -> String {
    if x >= 1e9 {
        format!("{:.2} G", x / 1e9)
    } else if x >= 1e6 {
        format!("{:.2} M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.2} k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_disagreements_are_reported() {
        let run = |cycles, checksum| Run {
            cycles,
            seconds: 1.0,
            checksum,
        };
        let measured = |check, timed| {
            Outcome::Ran(Measurement {
                build: Duration::ZERO,
                timed,
                check,
            })
        };
        let engines = [
            (Engine::Linkforge, measured(run(10, 1), run(100, 2))),
            (Engine::Verilator, measured(run(10, 1), run(100, 3))),
            (Engine::Icarus, measured(run(10, 1), run(10, 1))),
        ];
        let found = compare(&engines);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("verilator after 100 cycles"));
        assert!(compare(&engines[..1]).is_empty());
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }

    #[test]
    fn invalid_cycle_counts_are_errors() {
        let small = designs::RandomNetlist {
            registers: 8,
            ..designs::RandomNetlist::default()
        };
        let design = designs::random_netlist(&small).expect("netlist");
        let w = Workload::new("tiny", "8 registers", design, "clk", Some("rst")).expect("workload");
        let config = BenchConfig {
            cycles: 0,
            icarus_cycles: 10,
        };
        assert!(matches!(
            run_workload(&w, &config, &mut |_| {}),
            Err(BenchError::Cycles(0))
        ));
    }
}
