//! `pam4_tx` and `pam4_rx`: both under their testbenches
//! (`linkforge_verif::tb::retimer::pam4`, the coding rules of PCIe
//! 4.2.3.1), rx(tx(x)) = x, with and without precoding; known answers;
//! Verilog tools.

use crate::support::{cases, check_verilog, run_seeded, Tb};
use linkforge_rtl::catalog::{Params, Value};
use linkforge_rtl::retimer::pam4::{pam4_rx, pam4_tx, rx_kind, tx_kind, Pam4Config};
use linkforge_verif::tb::retimer::pam4::{levels, Pam4Model};
use proptest::prelude::*;

/// Runs `values` through a block with an idle cycle where `gaps` says;
/// returns the values put out and checks the one-cycle latency.
fn run(tb: &mut Tb, input: &str, output: &str, values: &[u64], gaps: &[bool]) -> Vec<u64> {
    tb.reset();
    let mut out = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        if gaps[i % gaps.len()] {
            tb.set("in_valid", 0);
            tb.step();
            assert!(!tb.flag("out_valid"));
        }
        tb.set(input, v);
        tb.set("in_valid", 1);
        tb.step();
        assert!(tb.flag("out_valid"));
        out.push(tb.get(output));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// Both testbenches pass on random stimulus, comparing `out_valid`
    /// every cycle after reset.
    #[test]
    fn testbenches_pass(precode in any::<bool>(), seed in any::<u64>()) {
        let cfg = Pam4Config { precode };
        for transmit in [true, false] {
            let block = if transmit { pam4_tx("pam4", &cfg) } else { pam4_rx("pam4", &cfg) };
            let checked = run_seeded(block, Pam4Model::new(&cfg, transmit), 100, seed);
            prop_assert!(matches!(checked, Ok(n) if n > 99), "{:?}", checked);
        }
    }

    #[test]
    fn tx_follows_the_formula_and_rx_inverts_it(
        precode in any::<bool>(),
        gray in prop::collection::vec(0u64..4, 1..64),
        gaps in prop::collection::vec(any::<bool>(), 1..16),
    ) {
        let cfg = Pam4Config { precode };
        let mut tx = Tb::new(pam4_tx("pam4_tx", &cfg));
        let mut rx = Tb::new(pam4_rx("pam4_rx", &cfg));
        let sent = run(&mut tx, "in_gray", "out_sym", &gray, &gaps);
        prop_assert_eq!(&sent, &levels(&gray, precode));
        prop_assert_eq!(run(&mut rx, "in_sym", "out_gray", &sent, &gaps), gray);
    }
}

/// Without precoding the Gray map is 00->0, 01->1, 11->2, 10->3 (the
/// table of IEEE 802.3 120.5.7.1 and PCIe 4.2.3.1).
#[test]
fn gray_map_without_precoding() {
    assert_eq!(levels(&[0, 1, 3, 2], false), [0, 1, 2, 3]);
    let mut tx = Tb::new(pam4_tx("pam4_tx", &Pam4Config { precode: false }));
    assert_eq!(
        run(&mut tx, "in_gray", "out_sym", &[0, 1, 3, 2], &[false]),
        [0, 1, 2, 3]
    );
}

/// A sequence worked by hand from the precoding rule of PCIe 4.2.3.1 and
/// IEEE 802.3 120.5.7.2 (`T = (P - T_prev) mod 4`, receive `P = (R +
/// R_prev) mod 4`): Gray 01 11 10 00 11 are levels 1 2 3 0 2, sent as
/// 1 1 2 2 0.
#[test]
fn precoding_matches_a_hand_worked_sequence() {
    let gray = [0b01, 0b11, 0b10, 0b00, 0b11];
    let sent = [1, 1, 2, 2, 0];
    let cfg = Pam4Config { precode: true };
    let mut tx = Tb::new(pam4_tx("pam4_tx", &cfg));
    assert_eq!(run(&mut tx, "in_gray", "out_sym", &gray, &[false]), sent);
    let mut rx = Tb::new(pam4_rx("pam4_rx", &cfg));
    assert_eq!(run(&mut rx, "in_sym", "out_gray", &sent, &[false]), gray);
}

#[test]
fn verilog_tools_accept_pam4_blocks() {
    for precode in [false, true] {
        let cfg = Pam4Config { precode };
        check_verilog(pam4_tx(&format!("pam4_tx_{precode}"), &cfg));
        check_verilog(pam4_rx(&format!("pam4_rx_{precode}"), &cfg));
    }
}

/// Both catalogue entries build with and without precoding.
#[test]
fn catalogue_entries_build() {
    for kind in [tx_kind(), rx_kind()] {
        let mut p = Params::defaults(&kind.params);
        for precode in [false, true] {
            p.0.insert("precode".into(), Value::Bool(precode));
            assert!((kind.build)("top", &p).is_ok(), "{} {precode}", kind.name);
        }
    }
}
