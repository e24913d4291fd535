//! `crossbar`: the Verilog tools accept it, and over random port counts and
//! widths every output shows, one cycle later, the input its select picked
//! (the crossbar testbench's scoreboard).

use crate::support::{cases, check_verilog};
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{Params, Value};
use linkforge_rtl::switch::crossbar::{crossbar, CrossbarConfig};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb;
use linkforge_verif::Sim;
use proptest::prelude::*;

#[test]
fn verilog_tools_accept_crossbars() {
    for (ports, width) in [(2, 8), (5, 70), (8, 64)] {
        check_verilog(crossbar("crossbar", &CrossbarConfig { ports, width }));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(16)))]

    #[test]
    fn every_output_follows_its_select(ports in 2i64..=8, width in 8i64..=130, seed: u64) {
        let params = Params(
            [("ports", Value::Int(ports)), ("data_width", Value::Int(width))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        let cfg = CrossbarConfig::from_params(&params).expect("a valid crossbar");
        let design = Design::new(crossbar("xbar", &cfg).expect("builds")).expect("valid");
        let testbench = tb::for_kind("crossbar", &params).expect("a testbench");
        let mut sim = Sim::new(&design).expect("compiles");
        let mut rng = XorShift::new(seed);
        let mut words = std::iter::from_fn(move || Some(rng.word()));
        let outcome = testbench
            .run(&mut sim, 200, &mut words, &mut |_| {})
            .unwrap_or_else(|f| panic!("{f}"));
        prop_assert_eq!(outcome.cycles, 200);
        prop_assert!(outcome.checks_passed >= 190 * ports as u64, "{}", outcome.checks_passed);
    }
}
