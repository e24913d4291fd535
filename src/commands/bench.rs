//! `linkforge bench`: the built-in simulator against Verilator and Icarus on
//! the same emitted Verilog and the same stimulus, on reference designs from
//! the IP library and a random netlist.

use super::CliError;
use crate::output::write_atomic;
use linkforge_hdl::{Design, HdlError, Module};
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::common::counter::{counter, CounterConfig, CounterMode};
use linkforge_rtl::switch::crossbar::{crossbar, CrossbarConfig};
use linkforge_verif::bench::designs::{random_netlist, RandomNetlist};
use linkforge_verif::bench::{self, BenchConfig, Workload};
use std::path::Path;

/// The reference designs, in the order the benchmark runs them.
pub const NAMES: [&str; 5] = ["counter", "crossbar", "random", "switch16", "cxl2"];

fn design(module: Result<Module, HdlError>) -> Result<Design, CliError> {
    module
        .and_then(Design::new)
        .map_err(|e| CliError::Failed(e.to_string()))
}

/// The catalogue block `kind` as design `name`, with its default
/// parameters except `overrides`.
pub fn catalog_design(
    kind: &str,
    name: &str,
    overrides: &[(&str, Value)],
) -> Result<Design, CliError> {
    let k = catalog::kind(kind).ok_or_else(|| CliError::Failed(format!("no kind `{kind}`")))?;
    let mut params = Params::defaults(&k.params);
    for (p, v) in overrides {
        params.0.insert(p.to_string(), v.clone());
    }
    let module = (k.build)(name, &params).map_err(|e| CliError::Failed(format!("{name}: {e}")))?;
    Design::new(module).map_err(|e| CliError::Failed(format!("{name}: {e}")))
}

/// The reference design called `name` (one of [`NAMES`]) as a workload.
pub fn workload(name: &str) -> Result<Workload, CliError> {
    let (design, what) = match name {
        "counter" => {
            let cfg = CounterConfig {
                width: 32,
                mode: CounterMode::Wrap,
            };
            (
                design(counter("counter_w32", &cfg))?,
                "32-bit counter with enable and clear",
            )
        }
        "crossbar" => {
            let cfg = CrossbarConfig {
                ports: 8,
                width: 64,
            };
            (
                design(crossbar("crossbar_p8_w64", &cfg))?,
                "8-port x 64-bit crossbar, registered",
            )
        }
        "random" => (
            random_netlist(&RandomNetlist::default())
                .map_err(|e| CliError::Failed(e.to_string()))?,
            "random netlist, 1000 registers of 1..=64 bits",
        ),
        "switch16" => (
            catalog_design(
                "switch",
                "switch_p16_w64",
                &[("ports", Value::Int(16)), ("data_width", Value::Int(64))],
            )?,
            "16-port switch, 64-bit data, every input random",
        ),
        "cxl2" => (
            catalog_design(
                "cxl_controller",
                "cxl_h2_w64",
                &[
                    ("hosts", Value::Int(2)),
                    ("data_width", Value::Int(64)),
                    ("lines", Value::Int(256)),
                    ("depth", Value::Int(16)),
                ],
            )?,
            "two-host CXL memory controller, 64-bit lines, every input random",
        ),
        _ => {
            return Err(CliError::Usage(format!(
                "no benchmark design `{name}` (known: {})",
                NAMES.join(", ")
            )))
        }
    };
    let mut w = Workload::new(name, what, design, "clk", Some("rst"))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    // Larger designs run fewer cycles so each finishes in seconds.
    w.cycle_divisor = match name {
        "random" => 20,
        "switch16" => 400,
        "cxl2" => 40,
        _ => 1,
    };
    Ok(w)
}

/// Runs the benchmark on `names` (all when empty), prints the table, writes
/// JSON when asked; a checksum disagreement between engines is a failure.
pub fn run(names: &[String], config: &BenchConfig, json: Option<&Path>) -> Result<(), CliError> {
    if cfg!(debug_assertions) {
        eprintln!("warning: a debug build; use `cargo run --release -- bench` for real numbers");
    }
    let chosen: Vec<&str> = if names.is_empty() {
        NAMES.to_vec()
    } else {
        names.iter().map(String::as_str).collect()
    };
    let workloads = chosen
        .iter()
        .map(|n| workload(n))
        .collect::<Result<Vec<_>, _>>()?;
    let report = bench::run(&workloads, config, &mut |step| {
        eprintln!("running {step} ...")
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_verif::bench::{fold, run_linkforge, xorshift64, SEED};
    use linkforge_verif::Sim;

    /// The crossbar checksum from a reference model in plain Rust, with the
    /// same stimulus protocol as every harness.
    fn crossbar_model(ports: usize, cycles: u64) -> u64 {
        let (mut x, mut checksum) = (SEED, 0u64);
        let mut q = vec![0u64; ports];
        for cycle in 0..cycles {
            let mut ins = vec![0u64; ports];
            let mut sels = vec![0usize; ports];
            // Port order: in0..in{p-1}, then sel0, sel1, ... (with the outputs between).
            for v in ins.iter_mut() {
                x = xorshift64(x);
                *v = x;
            }
            for s in sels.iter_mut() {
                x = xorshift64(x);
                *s = (x & (ports as u64 - 1)) as usize;
            }
            for (o, s) in sels.iter().enumerate() {
                q[o] = if cycle == 0 { 0 } else { ins[*s] };
            }
            for v in &q {
                checksum = fold(checksum, *v);
            }
        }
        checksum
    }

    #[test]
    fn linkforge_matches_a_reference_crossbar() {
        let w = workload("crossbar").unwrap();
        let sim = Sim::new(&w.design).unwrap();
        let run = run_linkforge(sim, &w, 300).unwrap();
        assert_eq!(run.checksum, crossbar_model(8, 300));
    }

    #[test]
    fn every_reference_design_builds_and_unknown_names_are_usage_errors() {
        for name in NAMES {
            assert!(!workload(name).unwrap().outputs.is_empty(), "{name}");
        }
        assert!(matches!(workload("nope"), Err(CliError::Usage(_))));
    }
}
