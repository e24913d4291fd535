//! Shared by the switch tests: the simulator behind the switch bench.

#![allow(dead_code)]

use linkforge_hdl::Design;
use linkforge_rtl::switch::bench::{Bench, BenchFailure, BenchOptions, BenchReport};
use linkforge_rtl::switch::switch::{switch, SwitchConfig};
use linkforge_rtl::switch::traffic::TrafficConfig;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::{SignalHandle, Sim, SimError};

/// The simulator as the bench sees it.
pub struct SimIo(pub Sim);

linkforge_rtl::switch_io_for_sim!(SimIo, SignalHandle, SimError);

/// Builds `cfg`, runs the bench for `cycles` with words from `seed`.
pub fn run_bench(
    cfg: &SwitchConfig,
    traffic: TrafficConfig,
    options: BenchOptions,
    cycles: u64,
    seed: u64,
) -> Result<BenchReport, BenchFailure> {
    let design = Design::new(switch("sw", cfg).expect("the switch builds")).expect("valid design");
    let mut io = SimIo(Sim::new(&design).expect("the simulator compiles the switch"));
    let mut rng = XorShift::new(seed);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    Bench::new(cfg.clone(), traffic, options).run(&mut io, cycles, &mut words, &mut |_| {})
}
