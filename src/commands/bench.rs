//! `linkforge bench`: the built-in simulator against Verilator and Icarus on
//! the same emitted Verilog and the same stimulus, and against the rust-hdl
//! peer crate (`peers/rust-hdl`) on the designs it models, on reference
//! designs from the IP library and a random netlist.

use super::CliError;
use crate::output::write_atomic;
use linkforge_hdl::{Design, HdlError, Module};
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::common::counter::{counter, CounterConfig, CounterMode};
use linkforge_rtl::switch::crossbar::{crossbar, CrossbarConfig};
use linkforge_verif::bench::designs::{random_netlist, RandomNetlist};
use linkforge_verif::bench::rust_hdl::RustHdl;
use linkforge_verif::bench::{self, hand_written, BenchConfig, Workload};
use std::path::Path;
use std::time::Instant;

/// The reference designs, in the order the benchmark runs them.
pub const NAMES: [&str; 6] = [
    "counter",
    "crossbar",
    "random",
    "retimer16",
    "switch16",
    "cxl2",
];

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

/// The reference design called `name` (one of [`NAMES`]) as a workload,
/// with the time its elaboration took.
pub fn workload(name: &str) -> Result<Workload, CliError> {
    let start = Instant::now();
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
            "random netlist, 10,000 registers of 1..=64 bits",
        ),
        "retimer16" => (
            catalog_design("retimer", "retimer_x16", &[("lanes", Value::Int(16))])?,
            "x16 retimer datapath, random ADC samples on every lane",
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
    let elaborate = start.elapsed();
    let resets: &[&str] = match name {
        "retimer16" => &["rx_rst", "rst"],
        _ => &["rst"],
    };
    let mut w =
        Workload::new(name, what, design, resets).map_err(|e| CliError::Failed(e.to_string()))?;
    w.elaborate = elaborate;
    // The retimer wants its resets for three edges of the slower clock.
    if name == "retimer16" {
        w.reset_cycles = 3;
    }
    // Larger designs run fewer cycles so each finishes in seconds.
    w.cycle_divisor = match name {
        "random" => 200,
        "retimer16" => 20,
        "switch16" => 400,
        "cxl2" => 40,
        _ => 1,
    };
    w.hand_written = match name {
        "counter" => Some(hand_written::COUNTER_W32),
        "crossbar" => Some(hand_written::CROSSBAR_P8_W64),
        _ => None,
    };
    Ok(w)
}

/// The rust-hdl peer built from this repository's `peers/rust-hdl` (in
/// `target/rust-hdl-peer`), or why it cannot run.
pub fn rust_hdl_peer() -> RustHdl {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    RustHdl::build(
        &root.join("peers/rust-hdl/Cargo.toml"),
        &root.join("target/rust-hdl-peer"),
    )
}

/// Runs the benchmark on `names` (all when empty), prints the table, writes
/// JSON when asked; an engine that failed or a checksum disagreement
/// between engines is a failure (exit 1), named in the error.
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
    eprintln!("building the rust-hdl peer ...");
    let rust_hdl = rust_hdl_peer();
    let report = bench::run(&workloads, config, &rust_hdl, &mut |step| {
        eprintln!("running {step} ...")
    })
    .map_err(|e| CliError::Usage(e.to_string()))?;
    println!("{}", report.table());
    if let Some(path) = json {
        write_atomic(path, report.to_json().as_bytes())?;
    }
    verdict(&report)
}

/// The benchmark's verdict: an error naming every failed engine and every
/// checksum disagreement, if any.
fn verdict(report: &bench::Report) -> Result<(), CliError> {
    let mut problems = Vec::new();
    let failures = report.failures();
    if !failures.is_empty() {
        problems.push(format!("engines failed: {}", failures.join("; ")));
    }
    let mismatches = report.mismatches();
    if !mismatches.is_empty() {
        problems.push(format!(
            "checksum mismatch between engines: {}",
            mismatches.join("; ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(problems.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_verif::bench::{fold, peers, run_linkforge, xorshift64, Fared, Simulator, SEED};
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

    /// The hand-written Verilog of the counter and the crossbar computes
    /// what linkforge's design does: Verilator folds the built-in
    /// simulator's checksum on it, in the checksum run and the timed runs.
    #[test]
    fn hand_written_verilog_folds_our_checksum() {
        if !linkforge_verif::tools::have("verilator") {
            return linkforge_verif::testenv::skip("verilator is not installed");
        }
        let config = BenchConfig {
            cycles: 3000,
            icarus_cycles: 500,
            runs: 1,
        };
        for name in ["counter", "crossbar"] {
            let w = workload(name).unwrap();
            let text = w.hand_written.expect("a hand-written version");
            let peer = peers::verilator(&w, &config, peers::Source::HandWritten(text)).unwrap();
            for (run, cycles) in [(peer.check, 500), (peer.timed.median, 3000)] {
                let ours = run_linkforge(Sim::new(&w.design).unwrap(), &w, cycles).unwrap();
                assert_eq!(run.cycles, cycles, "{name}");
                assert_eq!(run.checksum, ours.checksum, "{name} after {cycles} cycles");
            }
        }
    }

    /// The designs this benchmark added or made comparable with Icarus
    /// (wide ports, two clocks, state without reset) give Icarus's checksum.
    #[test]
    fn wide_and_unreset_designs_agree_with_icarus() {
        if !linkforge_verif::tools::have("iverilog") {
            return;
        }
        for (name, cycles) in [
            ("retimer16", 60),
            ("random", 8),
            ("switch16", 40),
            ("cxl2", 200),
        ] {
            let w = workload(name).unwrap();
            let ours = run_linkforge(Sim::new(&w.design).unwrap(), &w, cycles).unwrap();
            let config = BenchConfig {
                cycles,
                icarus_cycles: cycles,
                runs: 1,
            };
            let icarus = peers::icarus(&w, &config).unwrap();
            assert_eq!(icarus.check.cycles, cycles, "{name}");
            assert_eq!(icarus.check.checksum, ours.checksum, "{name}");
        }
    }

    /// A report of one design on which `verilator` fared as given, with
    /// the checksum disagreements given.
    fn report(verilator: Fared, mismatches: &[&str]) -> bench::Report {
        bench::Report {
            machine: bench::Machine::detect(),
            config: BenchConfig {
                cycles: 1,
                icarus_cycles: 1,
                runs: 1,
            },
            designs: vec![bench::DesignReport {
                name: "counter".into(),
                description: String::new(),
                top: "counter".into(),
                size: linkforge_verif::Size {
                    state_words: 1,
                    edge_instructions: 1,
                    settle_instructions: 1,
                },
                engines: vec![(Simulator::Verilator, verilator)],
                mismatches: mismatches.iter().map(|m| m.to_string()).collect(),
            }],
        }
    }

    #[test]
    fn a_failed_peer_or_a_checksum_mismatch_fails_the_benchmark() {
        let ok = report(Fared::NotInstalled, &[]);
        assert!(verdict(&ok).is_ok());
        let failed = report(Fared::Failed("make: error 2".into()), &[]);
        match verdict(&failed) {
            Err(CliError::Failed(why)) => {
                assert!(why.contains("counter: verilator: make: error 2"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        let differs = report(Fared::NotInstalled, &["verilator: 1 != 2"]);
        assert!(matches!(verdict(&differs), Err(CliError::Failed(_))));
    }

    #[test]
    fn every_reference_design_builds_and_unknown_names_are_usage_errors() {
        for name in NAMES {
            assert!(!workload(name).unwrap().outputs.is_empty(), "{name}");
        }
        assert!(matches!(workload("nope"), Err(CliError::Usage(_))));
    }
}
