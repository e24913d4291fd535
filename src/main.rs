//! The `linkforge` command line. The config-language subcommands (`list`,
//! `lint`, `gen`, `sim`, `check`, `run`) arrive with the config language;
//! today it has `bench`, the simulator benchmark against Verilator and Icarus.

use clap::{Parser, Subcommand};
use linkforge_verif::bench::{self, designs, BenchConfig};
use std::path::PathBuf;
use std::process::ExitCode;

/// Hardware description and verification for data-centre interconnect silicon.
///
/// Describe blocks in Rust with the `linkforge-hdl` crate (see
/// `cargo run --example crossbar -- out`); the config-language subcommands
/// are not part of this release yet.
#[derive(Parser)]
#[command(name = "linkforge", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure the built-in simulator's cycles per second against Verilator
    /// and Icarus on the same emitted Verilog and the same stimulus.
    ///
    /// Build with `--release` for meaningful numbers. Peers that are not
    /// installed are reported as such; a checksum disagreement between
    /// engines makes the command fail after printing the table.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// Cycles of the timed linkforge and Verilator runs (the random design,
    /// about a thousand times the logic, runs a twentieth of them).
    #[arg(long, default_value_t = BenchConfig::default().cycles)]
    cycles: u64,
    /// Cycles of the Icarus run (and of the checksum runs of the others).
    #[arg(long, default_value_t = BenchConfig::default().icarus_cycles)]
    icarus_cycles: u64,
    /// A design to run (repeatable; default: all of counter, crossbar, random).
    #[arg(long = "design", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(designs::NAMES))]
    designs: Vec<String>,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        None => {
            println!(
                "linkforge {}: run `linkforge --help`, `linkforge bench`, or `cargo run --example crossbar -- out` to generate Verilog",
                env!("CARGO_PKG_VERSION")
            );
            ExitCode::SUCCESS
        }
        Some(Cmd::Bench(args)) => bench_command(&args),
    }
}

fn bench_command(args: &BenchArgs) -> ExitCode {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; use `cargo run --release -- bench` for real numbers");
    }
    let config = BenchConfig {
        cycles: args.cycles,
        icarus_cycles: args.icarus_cycles,
    };
    let report = match bench::run(&args.designs, &config, &mut |step| {
        eprintln!("running {step} ...")
    }) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}", report.table());
    if let Some(path) = &args.json {
        if let Err(e) = std::fs::write(path, report.to_json()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if report.mismatches().is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: checksum mismatch between engines (see above)");
        ExitCode::FAILURE
    }
}
