//! `cxl_controller` under random multi-host traffic (reads, full and
//! partial writes, poison, invalidates, speculative reads, foreign
//! addresses, unknown LD-IDs, tag reuse, backpressure, capacity added and
//! released at run time): memory semantics equal the reference model,
//! every request gets exactly one response with its own tag, no host is
//! ever served from capacity it does not own, and the counters agree.

mod common;

use common::cases;
use linkforge_hdl::Design;
use linkforge_rtl::cxl::bench::{Bench, BenchOptions, BenchReport};
use linkforge_rtl::cxl::controller::{cxl_controller, ControllerConfig};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::{SignalHandle, Sim, SimError};
use proptest::prelude::*;

/// The simulator as the bench sees it.
struct SimIo(Sim);

linkforge_rtl::switch_io_for_sim!(SimIo, SignalHandle, SimError);

fn run(cfg: ControllerConfig, options: BenchOptions, cycles: u64, seed: u64) -> BenchReport {
    let design = Design::new(cxl_controller("ctl", &cfg).expect("builds")).expect("valid design");
    let mut io = SimIo(Sim::new(&design).expect("the simulator compiles the controller"));
    let mut rng = XorShift::new(seed);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    let report = Bench::new(cfg, options)
        .run(&mut io, cycles, &mut words, &mut |_| {})
        .unwrap_or_else(|f| panic!("cycle {}: {}", f.cycle, f.message));
    let assertions = io.0.failures();
    assert!(assertions.is_empty(), "{}", assertions[0]);
    report
}

fn small(hosts: usize, depth: usize, extents: usize) -> ControllerConfig {
    ControllerConfig {
        hosts,
        data_width: 64,
        lines: 64,
        depth,
        extents,
        poison_log: 4,
    }
}

#[test]
fn two_hosts_read_what_they_wrote_and_nothing_else() {
    let options = BenchOptions {
        capacity_period: 150,
        ..BenchOptions::default()
    };
    let r = run(small(2, 8, 4), options, 3000, 7);
    println!("{r:?}");
    assert_eq!(r.mismatches, 0, "{:?}", r.first_problem);
    assert_eq!(r.isolation_violations, 0, "{:?}", r.first_problem);
    assert!(r.requests > 1000, "{r:?}");
    assert!(r.errors > 20, "foreign traffic is refused: {r:?}");
    assert!(r.capacity_changes >= 10, "{r:?}");
    assert!(r.read_latency_mean > 1.0, "{r:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    #[test]
    fn random_traffic_matches_the_reference_model(
        hosts in 1usize..=4,
        depth in 2usize..=8,
        extents in 1usize..=8,
        data_width in prop::sample::select(vec![8u32, 32, 64, 512]),
        load in 32u64..=255,
        backpressure in 0u64..=200,
        seed in any::<u64>(),
    ) {
        let cfg = ControllerConfig { data_width, ..small(hosts, depth, extents) };
        let options = BenchOptions { load, backpressure, capacity_period: 97, ..BenchOptions::default() };
        let r = run(cfg, options, 600, seed);
        prop_assert_eq!(r.mismatches, 0, "{:?}", r.first_problem);
        prop_assert_eq!(r.isolation_violations, 0, "{:?}", r.first_problem);
        prop_assert!(r.requests > 0);
    }
}
