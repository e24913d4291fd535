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
//!     every reset = (cycle < reset_cycles)
//!     for each data input, in port order:
//!         for each 64-bit word of the input, low word first:
//!             x ^= x << 13; x ^= x >> 7; x ^= x << 17
//!             word = low bits of x (the top word keeps the port's width)
//!     one rising edge of every clock at once
//!     for each output, in port order:
//!         for each 64-bit word of the output, low word first:
//!             checksum = rotate_left(checksum, 1) ^ word
//! ```
//!
//! A port of up to 64 bits is one word, so narrow designs draw one value
//! per input; wider ports (the retimer's packed lanes) draw several.
//!
//! The checksum proves that the engines simulated the same thing: the
//! runner compares every engine's checksum with the built-in simulator's at
//! equal cycle counts and reports a disagreement in the table and in
//! [`Report::mismatches`].
//!
//! # Timing
//!
//! - linkforge, once per engine (native code first: the ratios are its):
//!   build time is [`Sim::with_engine`], with the native engine's code
//!   generation; only the loop is timed. The time from config to the first
//!   simulated cycle ([`Measurement::first_cycle`]) adds the elaboration of
//!   the design ([`Workload::elaborate`]) and the first cycle. The native
//!   engine also repeats the checksum run writing an FST of every signal
//!   ([`DesignReport::tracing_cost`]).
//! - Verilator: build time is the wall time of `verilator --build` (with
//!   make and the C++ compiler); the C++ main times only its loop.
//! - Icarus: build time is `iverilog`; a run is the wall time of `vvp` for
//!   `n` cycles minus that of an empty run (start-up and elaboration).
//! - Every timed figure is the median of [`BenchConfig::runs`] runs, with
//!   their spread ([`Timed`]); each run must fold the same checksum.
//!
//! # Peers
//!
//! Verilator builds its C++ at `-O3 -march=native` (as the native engine
//! uses the host's features) with `make -j` over every CPU. It runs the
//! Verilog linkforge emits and, for designs with a [`Workload::hand_written`]
//! version ([`hand_written`]), that hand-written idiomatic Verilog too, in
//! the same harness.

pub mod designs;
pub mod hand_written;
pub mod peers;
pub mod rust_hdl;

use crate::sim::drive::Ports;
use crate::{Compiled, Engine, Sim, SimError, Size};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::{words_for, Design, HdlError};
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
    /// A reset name that is not an input of the top module.
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
    /// Width in bits (1 or more).
    pub width: u32,
}

impl Port {
    /// The 64-bit words of the port, low word first: the stimulus draws
    /// one value per input word and the checksum folds every output word.
    pub fn words(&self) -> usize {
        words_for(self.width)
    }

    /// The bits of word `k` that belong to the port (the low
    /// `min(64, width - 64 k)` bits set).
    pub fn word_mask(&self, k: usize) -> u64 {
        u64::MAX >> (64 - self.word_width(k))
    }

    /// The bits of word `k` that belong to the port (64 but in the top word).
    pub fn word_width(&self, k: usize) -> u32 {
        (self.width - 64 * k as u32).min(64)
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
    /// How long building the design from its config took (generators and
    /// checks), part of linkforge's time to the first cycle.
    pub elaborate: Duration,
    /// The clock inputs of the top module, all rising together.
    pub clocks: Vec<String>,
    /// The synchronous reset inputs, high in the first
    /// [`Workload::reset_cycles`] cycles.
    pub resets: Vec<String>,
    /// Cycles the resets are held high (at least one).
    pub reset_cycles: u64,
    /// Data inputs in port order (clock and reset excluded).
    pub inputs: Vec<Port>,
    /// Outputs in port order.
    pub outputs: Vec<Port>,
    /// The workload runs the configured cycle counts divided by this (at
    /// least one cycle), so that a large design finishes in reasonable time.
    pub cycle_divisor: u64,
    /// Hand-written idiomatic Verilog of the same function, with the top
    /// module's name and ports, that Verilator also runs.
    pub hand_written: Option<&'static str>,
}

impl Workload {
    /// A workload over the top module of `design`, clocked by all its clock
    /// inputs together, with `resets` high in cycle 0 only. The elaboration
    /// time starts at zero; a caller that built the design sets it.
    pub fn new(
        name: &str,
        description: &str,
        design: Design,
        resets: &[&str],
    ) -> Result<Workload, BenchError> {
        let top = design.top();
        let mut clocks = Vec::new();
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        for p in &top.ports {
            let s = top.signal(*p);
            let port = Port {
                name: s.name.clone(),
                width: s.width,
            };
            if !top.is_input(*p) {
                outputs.push(port);
            } else if s.kind == (SignalKind::Input { clock: true }) {
                clocks.push(port.name);
            } else if !resets.contains(&s.name.as_str()) {
                inputs.push(port);
            }
        }
        if let Some(missing) = resets.iter().find(|r| {
            !top.ports
                .iter()
                .any(|p| top.is_input(*p) && top.signal(*p).name == **r)
        }) {
            return Err(BenchError::NoSuchInput(missing.to_string()));
        }
        Ok(Workload {
            name: name.to_string(),
            description: description.to_string(),
            design,
            elaborate: Duration::ZERO,
            clocks,
            resets: resets.iter().map(|r| r.to_string()).collect(),
            reset_cycles: 1,
            inputs,
            outputs,
            cycle_divisor: 1,
            hand_written: None,
        })
    }
}

impl Workload {
    /// The cycle counts this workload runs: `config`'s divided by
    /// [`Workload::cycle_divisor`], at least one.
    pub fn cycles(&self, config: &BenchConfig) -> BenchConfig {
        let divisor = self.cycle_divisor.max(1);
        BenchConfig {
            cycles: (config.cycles / divisor).max(1),
            icarus_cycles: (config.icarus_cycles / divisor).max(1),
            runs: config.runs,
        }
    }
}

/// The stimulus protocol's generator: one xorshift64 draw per input word.
#[derive(Clone, Copy, Debug)]
pub struct Stimulus(u64);

impl Default for Stimulus {
    fn default() -> Self {
        Stimulus(SEED)
    }
}

impl Stimulus {
    /// The next draw; an input word takes its low bits (as many as the
    /// word of the port has).
    #[inline]
    pub fn draw(&mut self) -> u64 {
        self.0 = xorshift64(self.0);
        self.0
    }
}

/// Cycle counts of a benchmark run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BenchConfig {
    /// Cycles of the timed linkforge and Verilator runs.
    pub cycles: u64,
    /// Cycles of the Icarus run, and of the checksum runs of the others.
    pub icarus_cycles: u64,
    /// Timed runs per engine, whose median is reported (at least one).
    pub runs: usize,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            cycles: 2_000_000,
            icarus_cycles: 20_000,
            runs: 3,
        }
    }
}

/// A simulator the benchmark runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simulator {
    /// The built-in simulator with one of its engines.
    Linkforge(Engine),
    /// Verilator, single-threaded, -O3, on the Verilog linkforge emits.
    Verilator,
    /// Verilator as above on the workload's hand-written Verilog.
    VerilatorHandWritten,
    /// Icarus Verilog (`iverilog` + `vvp`).
    Icarus,
    /// The rust-hdl peer crate (`peers/rust-hdl`), on the designs it models.
    RustHdl,
}

/// The engine the ratios are of: linkforge's default, native code.
pub const OURS: Simulator = Simulator::Linkforge(Engine::Native);

impl Simulator {
    /// Lower-case name for tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Simulator::Linkforge(Engine::Native) => "linkforge native",
            Simulator::Linkforge(Engine::Interpreter) => "linkforge interpreter",
            Simulator::Verilator => "verilator",
            Simulator::VerilatorHandWritten => "hand-written Verilog in Verilator",
            Simulator::Icarus => "icarus",
            Simulator::RustHdl => "rust-hdl",
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

/// Repeated timed runs: the median and the spread of their rates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timed {
    /// The run of median cycles per second (the upper one of an even count).
    pub median: Run,
    /// The lowest cycles per second of the runs.
    pub min_rate: f64,
    /// The highest cycles per second of the runs.
    pub max_rate: f64,
    /// How many runs.
    pub runs: usize,
}

impl Timed {
    /// Runs `run` `runs` times (at least once). Runs that fold different
    /// checksums are an error of `tool`: the runs must be the same simulation.
    pub fn repeat(
        tool: &'static str,
        runs: usize,
        mut run: impl FnMut() -> Result<Run, BenchError>,
    ) -> Result<Timed, BenchError> {
        let mut all = (0..runs.max(1))
            .map(|_| run())
            .collect::<Result<Vec<Run>, BenchError>>()?;
        if let Some(odd) = all.iter().find(|r| r.checksum != all[0].checksum) {
            return Err(BenchError::Tool {
                tool,
                message: format!(
                    "two runs of {} cycles folded {:016x} and {:016x}",
                    odd.cycles, all[0].checksum, odd.checksum
                ),
            });
        }
        all.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
        Ok(Timed {
            median: all[all.len() / 2],
            min_rate: all[0].rate(),
            max_rate: all[all.len() - 1].rate(),
            runs: all.len(),
        })
    }

    /// The median cycles per second.
    pub fn rate(&self) -> f64 {
        self.median.rate()
    }

    /// The median with its spread, `12.30 M (11.90-12.55 M)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}-{})",
            si(self.rate()),
            si(self.min_rate),
            si(self.max_rate)
        )
    }
}

/// What one engine measured on one design.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// Time to turn the design into something that runs.
    pub build: Duration,
    /// Time from the config to the first simulated cycle: elaboration,
    /// Verilog emission where the engine reads Verilog, the build and, for
    /// linkforge, the first cycle itself (a peer's first cycle runs in its
    /// own process and is not timed, so its figure is a lower bound).
    pub first_cycle: Duration,
    /// The timed runs.
    pub timed: Timed,
    /// The run at [`BenchConfig::icarus_cycles`] whose checksum is compared.
    pub check: Run,
    /// For linkforge's native engine: runs of a tenth of the timed runs'
    /// cycles (at least the checksum run's) writing an FST of every signal
    /// of the design, in the same benchmark run as the untraced ones.
    pub traced: Option<Timed>,
}

/// How a simulator fared on one design.
#[derive(Clone, Debug, PartialEq)]
pub enum Fared {
    /// It ran.
    Ran(Measurement),
    /// The tool is not installed.
    NotInstalled,
    /// It was not run, for the reason given (the peer has no model of the
    /// design, or was not requested or did not build).
    Skipped(String),
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
    /// What the built-in simulator runs at each edge of it.
    pub size: Size,
    /// One entry per engine, linkforge first.
    pub engines: Vec<(Simulator, Fared)>,
    /// Checksum disagreements with the built-in simulator (empty when all agree).
    pub mismatches: Vec<String>,
}

impl DesignReport {
    /// The measurement of `engine`, when it ran.
    pub fn measurement(&self, engine: Simulator) -> Option<&Measurement> {
        self.engines.iter().find_map(|(e, o)| match o {
            Fared::Ran(m) if *e == engine => Some(m),
            _ => None,
        })
    }

    /// linkforge's (native) cycles per second divided by `engine`'s.
    pub fn speedup_over(&self, engine: Simulator) -> Option<f64> {
        let ours = self.measurement(OURS)?.timed.rate();
        let theirs = self.measurement(engine)?.timed.rate();
        (theirs > 0.0).then(|| ours / theirs)
    }

    /// What writing a waveform of the whole design costs: linkforge's
    /// untraced cycles per second over its traced ones (the issue's target
    /// is at most 3).
    pub fn tracing_cost(&self) -> Option<f64> {
        let m = self.measurement(OURS)?;
        let traced = m.traced.as_ref()?.rate();
        (traced > 0.0).then(|| m.timed.rate() / traced)
    }

    /// Verilator's build time divided by linkforge's time from config to
    /// the first cycle (the issue's target is at least 50).
    pub fn start_advantage(&self) -> Option<f64> {
        let ours = self.measurement(OURS)?.first_cycle;
        let theirs = self.measurement(Simulator::Verilator)?.build;
        (!ours.is_zero()).then(|| theirs.as_secs_f64() / ours.as_secs_f64())
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

/// Runs every workload on every engine (`rust_hdl` says whether and where
/// the rust-hdl peer runs). `log` receives a line as each step starts.
pub fn run(
    workloads: &[Workload],
    config: &BenchConfig,
    rust_hdl: &rust_hdl::RustHdl,
    log: &mut impl FnMut(&str),
) -> Result<Report, BenchError> {
    let mut reports = Vec::new();
    for w in workloads {
        reports.push(run_workload(w, config, rust_hdl, log)?);
    }
    Ok(Report {
        machine: Machine::detect(),
        config: *config,
        designs: reports,
    })
}

/// Runs `workload` on linkforge, Verilator, Icarus and (as `rust_hdl`
/// says) rust-hdl and compares checksums. A missing or failing peer is
/// recorded in the report, not returned as an error; an invalid cycle count
/// is an error.
pub fn run_workload(
    workload: &Workload,
    config: &BenchConfig,
    rust_hdl: &rust_hdl::RustHdl,
    log: &mut impl FnMut(&str),
) -> Result<DesignReport, BenchError> {
    for n in [config.cycles, config.icarus_cycles] {
        if n == 0 || n > i32::MAX as u64 {
            return Err(BenchError::Cycles(n));
        }
    }
    let config = &workload.cycles(config);
    let name = &workload.name;
    let outcome = |r: Result<Measurement, BenchError>| match r {
        Ok(m) => Fared::Ran(m),
        Err(e) => Fared::Failed(e.to_string()),
    };
    let mut engines = Vec::new();
    for engine in [Engine::Native, Engine::Interpreter] {
        log(&format!("{name}: linkforge {engine}"));
        let measured = measure_linkforge(workload, config, engine);
        engines.push((Simulator::Linkforge(engine), outcome(measured)));
    }
    log(&format!("{name}: verilator"));
    let has_verilator = peers::installed("verilator", "--version");
    let verilator = match has_verilator {
        true => outcome(peers::verilator(workload, config, peers::Source::Emitted)),
        false => Fared::NotInstalled,
    };
    let hand_written = match (workload.hand_written, has_verilator) {
        (None, _) => Fared::Skipped("no hand-written Verilog of this design".into()),
        (Some(_), false) => Fared::NotInstalled,
        (Some(text), true) => {
            log(&format!("{name}: hand-written Verilog in verilator"));
            outcome(peers::verilator(
                workload,
                config,
                peers::Source::HandWritten(text),
            ))
        }
    };
    log(&format!("{name}: icarus"));
    let icarus = match peers::installed("iverilog", "-V") {
        true => outcome(peers::icarus(workload, config)),
        false => Fared::NotInstalled,
    };
    log(&format!("{name}: rust-hdl"));
    let rust_hdl = match rust_hdl.runnable(name) {
        Ok(peer) => outcome(peer.measure(workload, config)),
        Err(why) => Fared::Skipped(why),
    };
    engines.extend([
        (Simulator::Verilator, verilator),
        (Simulator::VerilatorHandWritten, hand_written),
        (Simulator::Icarus, icarus),
        (Simulator::RustHdl, rust_hdl),
    ]);
    let mismatches = compare(&engines);
    Ok(DesignReport {
        name: name.clone(),
        description: workload.description.clone(),
        top: workload.design.top_name().to_string(),
        size: Compiled::new(&workload.design, Engine::Interpreter)?.size(),
        engines,
        mismatches,
    })
}

/// Every run whose checksum differs from the first engine's (linkforge
/// native) at the same cycle count.
fn compare(engines: &[(Simulator, Fared)]) -> Vec<String> {
    let Some((_, Fared::Ran(ours))) = engines.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (engine, outcome) in &engines[1..] {
        let Fared::Ran(theirs) = outcome else {
            continue;
        };
        for run in [theirs.check, theirs.timed.median] {
            let reference = [ours.check, ours.timed.median]
                .into_iter()
                .find(|r| r.cycles == run.cycles);
            if let Some(r) = reference {
                if r.checksum != run.checksum {
                    out.push(format!(
                        "{} after {} cycles: linkforge native {:016x}, {} {:016x}",
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

/// Builds the built-in simulator for `workload` with `engine` and runs the
/// checksum run and the timed run (and, for the native engine, a run
/// writing a waveform of the whole design). The build and the first cycle
/// (with the native code it needs) give the time from config to the first
/// cycle.
pub fn measure_linkforge(
    workload: &Workload,
    config: &BenchConfig,
    engine: Engine,
) -> Result<Measurement, BenchError> {
    let start = Instant::now();
    let compiled = Compiled::new(&workload.design, engine)?;
    let first_sim = Sim::from_compiled(&compiled);
    let build = start.elapsed();
    let sim = || Sim::from_compiled(&compiled);
    let first = run_linkforge(first_sim, workload, 1)?;
    let check = run_linkforge(sim(), workload, config.icarus_cycles)?;
    let tool = "linkforge";
    let timed = Timed::repeat(tool, config.runs, || {
        run_linkforge(sim(), workload, config.cycles)
    })?;
    let traced = match engine {
        Engine::Native => {
            let dir = tempfile::tempdir().map_err(|source| BenchError::Io {
                context: "temporary directory for the traced run".into(),
                source,
            })?;
            let traced_run = |cycles| {
                let mut traced = sim();
                traced.trace_whole(dir.path().join("bench.fst"))?;
                run_linkforge(traced, workload, cycles)
            };
            // The native code a traced run needs is generated before any
            // run is timed, as the checksum run does for the others.
            traced_run(1)?;
            Some(Timed::repeat(tool, config.runs, || {
                traced_run(traced_cycles(config))
            })?)
        }
        Engine::Interpreter => None,
    };
    Ok(Measurement {
        build,
        first_cycle: workload.elaborate + build + Duration::from_secs_f64(first.seconds),
        timed,
        check,
        traced,
    })
}

/// Cycles of the traced run: a tenth of the timed run's, so opening,
/// finishing and syncing the file weigh as little as in a real run, and at
/// least the checksum run's.
fn traced_cycles(config: &BenchConfig) -> u64 {
    (config.cycles / 10).max(config.icarus_cycles)
}

/// Runs the stimulus protocol for `cycles` cycles on a fresh `sim` of
/// `workload`'s design through [`Sim::drive`], timing only the loop (and,
/// when `sim` writes a waveform, closing it).
pub fn run_linkforge(mut sim: Sim, workload: &Workload, cycles: u64) -> Result<Run, BenchError> {
    let resets = workload
        .resets
        .iter()
        .map(|r| sim.input_port(r))
        .collect::<Result<Vec<_>, SimError>>()?;
    let inputs = workload
        .inputs
        .iter()
        .map(|p| sim.input_port(&p.name))
        .collect::<Result<Vec<_>, SimError>>()?;
    let outputs = workload
        .outputs
        .iter()
        .map(|p| sim.output_port(&p.name))
        .collect::<Result<Vec<_>, SimError>>()?;
    let fold_outputs = |io: &mut Ports<'_>, checksum: u64| {
        outputs.iter().fold(checksum, |c, &o| match o.words() {
            1 => fold(c, io.get(o)),
            _ => io.get_words(o).iter().fold(c, |c, &w| fold(c, w)),
        })
    };
    let mut stimulus = Stimulus::default();
    let mut checksum = 0u64;
    let mut cycle = 0u64;
    let start = Instant::now();
    sim.drive(cycles, |io| {
        // The outputs after the previous edge.
        if cycle > 0 {
            checksum = fold_outputs(io, checksum);
        }
        let in_reset = u64::from(cycle < workload.reset_cycles);
        for &r in &resets {
            io.set(r, in_reset);
        }
        // A local copy lets the generator stay in a register across the
        // stores into the simulator's state.
        let mut s = stimulus;
        for &input in &inputs {
            match input.words() {
                1 => io.set(input, s.draw()),
                n => (0..n).for_each(|k| io.set_word(input, k, s.draw())),
            }
        }
        stimulus = s;
        cycle += 1;
    })?;
    if cycles > 0 {
        checksum = fold_outputs(&mut sim.ports(), checksum);
    }
    // A traced run's last block is compressed and written here.
    sim.close_trace()?;
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

    /// Every engine that failed on a design ([`Fared::Failed`]), as
    /// `design: engine: why`. A peer that is not installed or was skipped
    /// is not a failure.
    pub fn failures(&self) -> Vec<String> {
        self.designs
            .iter()
            .flat_map(|d| {
                d.engines
                    .iter()
                    .filter_map(move |(engine, fared)| match fared {
                        Fared::Failed(why) => Some(format!("{}: {}: {why}", d.name, engine.name())),
                        _ => None,
                    })
            })
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
            "cycles:  {} (linkforge, verilator, rust-hdl), {} (icarus and checksum runs); large designs run fewer\nruns:    median of {} timed runs each, (lowest-highest)\n",
            self.config.cycles, self.config.icarus_cycles, self.config.runs
        );
        let header = [
            "design",
            "engine",
            "build",
            "first cycle",
            "cycles",
            "cycles/s (spread)",
            "linkforge/engine",
            "checksum",
        ];
        let mut rows: Vec<[String; COLUMNS]> = vec![header.map(str::to_string)];
        for d in &self.designs {
            for (engine, outcome) in &d.engines {
                let checksum_state = if d.mismatches.iter().any(|s| s.starts_with(engine.name())) {
                    "MISMATCH"
                } else {
                    "ok"
                };
                let row = match outcome {
                    Fared::Ran(r) => [
                        d.name.clone(),
                        engine.name().to_string(),
                        duration(r.build),
                        duration(r.first_cycle),
                        r.timed.median.cycles.to_string(),
                        r.timed.describe(),
                        d.speedup_over(*engine)
                            .map_or("-".into(), |s| format!("{s:.2}x")),
                        format!("{} {:016x}", checksum_state, r.check.checksum),
                    ],
                    Fared::NotInstalled => not_run(d, *engine, "not installed"),
                    Fared::Skipped(_) => not_run(d, *engine, "skipped"),
                    Fared::Failed(_) => not_run(d, *engine, "FAILED"),
                };
                rows.push(row);
            }
        }
        let widths: Vec<usize> = (0..COLUMNS)
            .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
            .collect();
        for (i, row) in rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(c, (cell, w))| match c {
                    0 | 1 | 7 => format!("{cell:<w$}"),
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
        let name_width = self.designs.iter().map(|d| d.name.len()).max().unwrap_or(0);
        for d in &self.designs {
            let ratios: Vec<String> = d.engines[1..]
                .iter()
                .map(|(e, _)| {
                    let r = d
                        .speedup_over(*e)
                        .map_or("n/a".to_string(), |s| format!("{s:.2}x"));
                    format!("linkforge/{} {r:>8}", e.name())
                })
                .collect();
            let start = d
                .start_advantage()
                .map_or("n/a".to_string(), |s| format!("{s:.0}x"));
            let tracing = d
                .tracing_cost()
                .map_or("n/a".to_string(), |s| format!("{s:.2}x"));
            let traced = d
                .measurement(OURS)
                .and_then(|m| m.traced.as_ref())
                .map_or("n/a".to_string(), |t| format!("{} cycles/s", t.describe()));
            let _ = writeln!(
                t,
                "{:<name_width$}  {}   verilator build/linkforge first cycle {start:>6}   untraced/traced (FST) {tracing:>6}, traced {traced}   ({}, top `{}`; {} instructions an edge, {} KiB of state)",
                d.name,
                ratios.join("   "),
                d.description,
                d.top,
                d.size.edge_instructions,
                (d.size.state_words * 8).div_ceil(1024)
            );
        }
        let mut skipped = Vec::new();
        for d in &self.designs {
            for (engine, outcome) in &d.engines {
                match outcome {
                    Fared::Failed(why) => {
                        let _ = writeln!(t, "\n{} on {} FAILED: {why}", engine.name(), d.name);
                    }
                    Fared::Skipped(why) => {
                        skipped.push(format!("{} on {} skipped: {why}", engine.name(), d.name));
                    }
                    _ => {}
                }
            }
        }
        if !skipped.is_empty() {
            let _ = writeln!(t, "\n{}", skipped.join("\n"));
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
                "    {{\"name\": {}, \"description\": {}, \"top\": {}, \"state_words\": {}, \"edge_instructions\": {}, \"settle_instructions\": {}, \"mismatches\": [{}], \"engines\": [",
                json_str(&d.name),
                json_str(&d.description),
                json_str(&d.top),
                d.size.state_words,
                d.size.edge_instructions,
                d.size.settle_instructions,
                d.mismatches.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(", ")
            );
            for (k, (engine, outcome)) in d.engines.iter().enumerate() {
                j.push_str(if k == 0 { "\n" } else { ",\n" });
                let body = match outcome {
                    Fared::Ran(r) => format!(
                        "\"status\": \"ran\", \"build_s\": {:.6}, \"first_cycle_s\": {:.6}, \"cycles\": {}, \"seconds\": {:.6}, \"cycles_per_s\": {:.1}, \"cycles_per_s_min\": {:.1}, \"cycles_per_s_max\": {:.1}, \"runs\": {}, \"linkforge_over_engine\": {}, \"check_cycles\": {}, \"checksum\": \"{:016x}\", \"traced_cycles_per_s\": {}",
                        r.build.as_secs_f64(),
                        r.first_cycle.as_secs_f64(),
                        r.timed.median.cycles,
                        r.timed.median.seconds,
                        r.timed.rate(),
                        r.timed.min_rate,
                        r.timed.max_rate,
                        r.timed.runs,
                        d.speedup_over(*engine).map_or("null".into(), |s| format!("{s:.4}")),
                        r.check.cycles,
                        r.check.checksum,
                        r.traced.as_ref().map_or("null".into(), |t| format!("{:.1}", t.rate()))
                    ),
                    Fared::NotInstalled => "\"status\": \"not installed\"".into(),
                    Fared::Skipped(why) => format!("\"status\": \"skipped\", \"reason\": {}", json_str(why)),
                    Fared::Failed(why) => format!("\"status\": \"failed\", \"error\": {}", json_str(why)),
                };
                let _ = write!(j, "      {{\"engine\": \"{}\", {body}}}", engine.name());
            }
            j.push_str("\n    ]}");
        }
        j.push_str("\n  ]\n}\n");
        j
    }
}

/// Columns of [`Report::table`].
const COLUMNS: usize = 8;

/// A table row for an engine that did not run.
fn not_run(d: &DesignReport, engine: Simulator, why: &str) -> [String; COLUMNS] {
    [
        d.name.clone(),
        engine.name().to_string(),
        why.to_string(),
        "-".into(),
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
            Fared::Ran(Measurement {
                build: Duration::ZERO,
                first_cycle: Duration::ZERO,
                timed: Timed {
                    median: timed,
                    min_rate: timed.rate(),
                    max_rate: timed.rate(),
                    runs: 1,
                },
                check,
                traced: None,
            })
        };
        let engines = [
            (OURS, measured(run(10, 1), run(100, 2))),
            (Simulator::Verilator, measured(run(10, 1), run(100, 3))),
            (Simulator::Icarus, measured(run(10, 1), run(10, 1))),
        ];
        let found = compare(&engines);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("verilator after 100 cycles"));
        assert!(compare(&engines[..1]).is_empty());
    }

    #[test]
    fn repeated_runs_give_the_median_and_spread_and_must_agree() {
        let mut seconds = [4.0, 1.0, 2.0].into_iter();
        let run = |seconds| Run {
            cycles: 100,
            seconds,
            checksum: 7,
        };
        let timed = Timed::repeat("t", 3, || Ok(run(seconds.next().unwrap_or(1.0)))).unwrap();
        assert_eq!(timed.median.seconds, 2.0);
        assert_eq!(
            (timed.min_rate, timed.max_rate, timed.runs),
            (25.0, 100.0, 3)
        );
        assert_eq!(timed.describe(), "50 (25-100)");
        let mut checksum = 0;
        let differ = Timed::repeat("t", 2, || {
            checksum += 1;
            Ok(Run {
                checksum,
                ..run(1.0)
            })
        });
        assert!(matches!(differ, Err(BenchError::Tool { tool: "t", .. })));
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
        let w = Workload::new("tiny", "8 registers", design, &["rst"]).expect("workload");
        let config = BenchConfig {
            cycles: 0,
            icarus_cycles: 10,
            runs: 1,
        };
        assert!(matches!(
            run_workload(&w, &config, &rust_hdl::RustHdl::NotRequested, &mut |_| {}),
            Err(BenchError::Cycles(0))
        ));
    }
}
