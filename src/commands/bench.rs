//! `linkforge bench`: the built-in simulator against Verilator and Icarus on
//! the same emitted Verilog and the same stimulus.

use super::CliError;
use crate::output::write_atomic;
use linkforge_verif::bench::{self, BenchConfig};
use std::path::Path;

/// Runs the benchmark, prints the table, writes JSON when asked; a checksum
/// disagreement between engines is a failure.
pub fn run(designs: &[String], config: &BenchConfig, json: Option<&Path>) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; use `cargo run --release -- bench` for real numbers");
    }
    let report = bench::run(designs, config, &mut |step| eprintln!("running {step} ..."))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    println!("{}", report.table());
    if let Some(path) = json {
        write_atomic(path, report.to_json().as_bytes())?;
    }
    let mismatches = report.mismatches();
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "checksum mismatch between engines: {}",
            mismatches.join("; ")
        )))
    }
}
