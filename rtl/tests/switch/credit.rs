//! `credit_port`: the transmitter's gate is the spec's modulo check
//! (`credit_ok`) for header and data credits of the packet's class, or
//! always passes for a type whose limit was 0 in the first cycle after
//! reset (infinite credit, PCIe 2.6.1), sends
//! consume exactly what they need and only when the gate passes; the
//! receiver's limits start at the advertised credits and rise by each
//! release, modulo the counter widths.

use crate::support::{cases, run_model};
use linkforge_rtl::switch::credit::{credit_port, CreditPortConfig};
use linkforge_verif::tb::switch::blocks::CreditPortModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// The gate, the consumed counters and the receiver's limits follow the
    /// testbench's model every cycle.
    #[test]
    fn the_gate_and_the_limits_follow_the_spec(
        hdr in 1u64..=127,
        data in 1u64..=2047,
        words in prop::collection::vec(any::<u64>(), 9..900),
    ) {
        let cfg = CreditPortConfig { hdr_credits: hdr, data_credits: data };
        let cycles = (words.len() / 3) as u64;
        run_model(credit_port("cp", &cfg), CreditPortModel::new(&cfg), cycles, &words)?;
    }
}

#[test]
fn advertised_credits_stay_within_half_the_counter() {
    let cfg = |h, d| CreditPortConfig {
        hdr_credits: h,
        data_credits: d,
    };
    assert!(credit_port("c", &cfg(128, 16)).is_err());
    assert!(credit_port("c", &cfg(8, 2048)).is_err());
    assert!(credit_port("c", &cfg(0, 16)).is_err());
    assert!(credit_port("c", &cfg(127, 2047)).is_ok());
}
