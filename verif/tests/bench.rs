//! The benchmark runner on the counter with tiny cycle counts: the built-in
//! simulator and every installed peer must fold the same checksum.
//!
//! A missing peer fails the test in a CI run; elsewhere it is a reported
//! skip ([`linkforge_verif::testenv`]).

use linkforge_hdl::Design;
use linkforge_rtl::common::counter::{counter, CounterConfig, CounterMode};
use linkforge_verif::bench::rust_hdl::RustHdl;
use linkforge_verif::bench::{self, BenchConfig, Fared, Simulator, Workload, OURS};
use linkforge_verif::{testenv, Engine};

#[test]
fn counter_checksums_agree_across_engines() {
    let cfg = CounterConfig {
        width: 32,
        mode: CounterMode::Wrap,
    };
    let design = Design::new(counter("counter_w32", &cfg).unwrap()).unwrap();
    let workload = Workload::new("counter", "32-bit counter", design, &["rst"]).unwrap();
    let config = BenchConfig {
        cycles: 1000,
        icarus_cycles: 1000,
        runs: 2,
    };
    let report = bench::run_workload(&workload, &config, &RustHdl::NotRequested, &mut |step| {
        eprintln!("{step}")
    })
    .expect("benchmark runs");
    let ours = report.measurement(OURS).expect("linkforge ran");
    assert_eq!((ours.timed.median.cycles, ours.timed.runs), (1000, 2));
    assert_ne!(ours.check.checksum, 0);
    // The traced run simulates the same thing while writing a waveform.
    let traced = ours.traced.expect("the native engine runs traced too");
    assert_eq!(traced.median.checksum, ours.check.checksum);
    assert!(report.tracing_cost().is_some());
    let interpreted = report
        .measurement(Simulator::Linkforge(Engine::Interpreter))
        .expect("the interpreter ran");
    assert_eq!(
        interpreted.timed.median.checksum,
        ours.timed.median.checksum
    );
    for (engine, outcome) in &report.engines[1..] {
        match outcome {
            Fared::Ran(m) => assert_eq!(m.check.cycles, 1000, "{}", engine.name()),
            Fared::NotInstalled => testenv::skip(&format!("{} is not installed", engine.name())),
            Fared::Skipped(why) => eprintln!("skipped: {}: {why}", engine.name()),
            Fared::Failed(why) => panic!("{} failed: {why}", engine.name()),
        }
    }
    assert!(
        report.mismatches.is_empty(),
        "checksums disagree: {:?}",
        report.mismatches
    );
}

/// The Verilator harness drives and folds ports wider than 64 bits word by
/// word (`VlWide`); on a crossbar with 130-bit data (three words, the last
/// one partial) it must fold the built-in simulator's checksum, and
/// Icarus's.
#[test]
fn verilator_harness_handles_ports_wider_than_64_bits() {
    use linkforge_rtl::switch::crossbar::{crossbar, CrossbarConfig};
    use linkforge_verif::bench::{peers, run_linkforge};
    use linkforge_verif::Sim;
    let cfg = CrossbarConfig {
        ports: 2,
        width: 130,
    };
    let design = Design::new(crossbar("crossbar_p2_w130", &cfg).unwrap()).unwrap();
    let workload = Workload::new("wide", "130-bit crossbar", design, &["rst"]).unwrap();
    let wide = |ports: &[bench::Port]| ports.iter().filter(|p| p.width > 64).count();
    assert_eq!((wide(&workload.inputs), wide(&workload.outputs)), (2, 2));
    let cycles = 200;
    let ours = run_linkforge(Sim::new(&workload.design).unwrap(), &workload, cycles).unwrap();
    let config = BenchConfig {
        cycles,
        icarus_cycles: cycles,
        runs: 1,
    };
    if linkforge_verif::tools::have("verilator") {
        let v = peers::verilator(&workload, &config, peers::Source::Emitted)
            .expect("verilator builds and runs");
        assert_eq!(v.check.cycles, cycles);
        assert_eq!(v.check.checksum, ours.checksum, "verilator");
    }
    if linkforge_verif::tools::have("iverilog") {
        let i = peers::icarus(&workload, &config).expect("icarus runs");
        assert_eq!(i.check.checksum, ours.checksum, "icarus");
    }
}
