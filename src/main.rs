//! The `linkforge` command line. Its subcommands (`list`, `lint`, `gen`,
//! `sim`, `check`, `run`) arrive with the config language; today it reports
//! its version and points at the Rust API.

use clap::Parser;

/// Hardware description and verification for data-centre interconnect silicon.
///
/// Describe blocks in Rust with the `linkforge-hdl` crate (see
/// `cargo run --example crossbar -- out`); the config-language subcommands
/// are not part of this release yet.
#[derive(Parser)]
#[command(name = "linkforge", version, about, long_about)]
struct Cli {}

fn main() {
    Cli::parse();
    println!(
        "linkforge {}: no subcommands yet; run `linkforge --help`, or `cargo run --example crossbar -- out` to generate Verilog",
        env!("CARGO_PKG_VERSION")
    );
}
