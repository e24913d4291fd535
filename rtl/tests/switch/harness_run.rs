//! Shared by the switch tests: the traffic harness on a freshly built switch.

use linkforge_hdl::Design;
use linkforge_rtl::switch::switch::{switch, SwitchConfig};
use linkforge_rtl::switch::traffic::TrafficConfig;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::dut::Dut;
use linkforge_verif::tb::switch::harness::{Harness, HarnessOptions, HarnessReport};
use linkforge_verif::tb::Failure;
use linkforge_verif::Sim;

/// Builds `cfg`, runs the harness for `cycles` with words from `seed`.
pub fn run_harness(
    cfg: &SwitchConfig,
    traffic: TrafficConfig,
    options: HarnessOptions,
    cycles: u64,
    seed: u64,
) -> Result<HarnessReport, Failure> {
    let design = Design::new(switch("sw", cfg).expect("the switch builds")).expect("valid design");
    let mut sim = Sim::new(&design).expect("the simulator compiles the switch");
    let mut rng = XorShift::new(seed);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    Harness::new(cfg.clone(), traffic, options).run(
        &mut Dut::new(&mut sim),
        cycles,
        &mut words,
        &mut |_| {},
    )
}
