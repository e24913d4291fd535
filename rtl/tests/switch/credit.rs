//! `credit_port`: the transmitter's gate is the spec's modulo check
//! (`credit_ok`) for header and data credits of the packet's class, or
//! always passes for a type whose limit was 0 in the first cycle after
//! reset (infinite credit, PCIe 2.6.1), sends
//! consume exactly what they need and only when the gate passes; the
//! receiver's limits start at the advertised credits and rise by each
//! release, modulo the counter widths.

use crate::support::{cases, Tb};
use linkforge_rtl::switch::credit::{
    credit_port, CreditPortConfig, DATA_BITS, HDR_BITS, TYPE_NAMES,
};
use linkforge_verif::tb::switch::model::credit_ok;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn the_gate_and_the_limits_follow_the_spec(
        hdr in 1u64..=127,
        data in 1u64..=2047,
        steps in prop::collection::vec((any::<u64>(), any::<u64>(), 0u64..3, any::<bool>()), 1..150),
    ) {
        let mut tb = Tb::new(credit_port("cp", &CreditPortConfig { hdr_credits: hdr, data_credits: data }));
        tb.reset();
        let hmask = (1u64 << HDR_BITS) - 1;
        let dmask = (1u64 << DATA_BITS) - 1;
        // The transmitter's partner limits, near what was consumed so the gate toggles.
        let mut consumed = [[0u64; 2]; 3];
        let mut limits = [[hdr, data]; 3];
        // A limit of 0 in the first step is infinite credit from then on.
        let mut infinite = [[false; 2]; 3];
        for (step, (a, b, class, send)) in steps.into_iter().enumerate() {
            let c = class as usize;
            let need = b % 40;
            for (k, (h, d)) in TYPE_NAMES.iter().enumerate() {
                limits[k][0] = (consumed[k][0] + (a >> (8 * k)) % 6) & hmask;
                limits[k][1] = (consumed[k][1] + (a >> (8 * k + 4)) % 60) & dmask;
                tb.set(&format!("tx_limit_{h}"), limits[k][0]);
                tb.set(&format!("tx_limit_{d}"), limits[k][1]);
            }
            tb.set("tx_class", class);
            tb.set("tx_data", need);
            tb.set("tx_send", send.into());
            let ok = (infinite[c][0] || credit_ok(limits[c][0], consumed[c][0], 1, HDR_BITS))
                && (infinite[c][1] || credit_ok(limits[c][1], consumed[c][1], need, DATA_BITS));
            prop_assert_eq!(tb.flag("tx_ok"), ok);
            tb.step();
            if step == 0 {
                infinite = limits.map(|l| l.map(|v| v == 0));
            }
            if send && ok {
                consumed[c][0] = (consumed[c][0] + 1) & hmask;
                consumed[c][1] = (consumed[c][1] + need) & dmask;
            }
            for (k, (h, d)) in TYPE_NAMES.iter().enumerate() {
                prop_assert_eq!(tb.get(&format!("tx_consumed_{h}")), consumed[k][0]);
                prop_assert_eq!(tb.get(&format!("tx_consumed_{d}")), consumed[k][1]);
            }
        }
    }

    #[test]
    fn receiver_limits_rise_by_each_release(
        hdr in 1u64..=127,
        data in 1u64..=2047,
        releases in prop::collection::vec((any::<bool>(), 0u64..3, 0u64..=4095), 1..300),
    ) {
        let mut tb = Tb::new(credit_port("cp", &CreditPortConfig { hdr_credits: hdr, data_credits: data }));
        tb.reset();
        let mut limits = [[hdr, data]; 3];
        for (release, class, credits) in releases {
            tb.set("rx_release", release.into());
            tb.set("rx_class", class);
            tb.set("rx_data", credits);
            tb.step();
            if release {
                let l = &mut limits[class as usize];
                l[0] = (l[0] + 1) & ((1 << HDR_BITS) - 1);
                l[1] = (l[1] + credits) & ((1 << DATA_BITS) - 1);
            }
            for (k, (h, d)) in TYPE_NAMES.iter().enumerate() {
                prop_assert_eq!(tb.get(&format!("rx_limit_{h}")), limits[k][0]);
                prop_assert_eq!(tb.get(&format!("rx_limit_{d}")), limits[k][1]);
            }
        }
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
