//! `deskew` under its testbench (`linkforge_verif::tb::retimer::deskew`):
//! lanes with random skews up to the maximum, redrawn now and then, come
//! out aligned on the marker with their data unchanged and the skew
//! reported; a skew above the maximum raises `error` and drops `aligned`;
//! Verilog tools.

use crate::support::{cases, check_verilog, metric, run_seeded_outcome};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::deskew::{deskew, kind, DeskewConfig};
use linkforge_verif::tb::retimer::deskew::DeskewModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// The testbench passes on random configs and completes windows.
    #[test]
    fn testbench_passes(
        lanes in 1u32..=16,
        width in 1u32..=80,
        max_skew in 1u32..=24,
        seed in any::<u64>(),
    ) {
        let cfg = DeskewConfig { lanes, width, max_skew };
        let outcome = run_seeded_outcome(deskew("d", &cfg), DeskewModel::new(&cfg)?, 1500, seed);
        let outcome = outcome.map_err(TestCaseError::fail)?;
        prop_assert!(metric(&outcome, "windows_completed") > 0, "{:?}", outcome.metrics);
    }
}

/// Over many markers, a 4-lane block both completes windows and flags the
/// lanes that arrive beyond `max_skew`.
#[test]
fn windows_complete_and_fail() {
    let cfg = DeskewConfig {
        lanes: 4,
        width: 8,
        max_skew: 8,
    };
    let model = DeskewModel::new(&cfg).expect("valid config");
    let outcome = run_seeded_outcome(deskew("d", &cfg), model, 20_000, 3).expect("passes");
    assert!(
        metric(&outcome, "windows_completed") > 10 && metric(&outcome, "windows_failed") > 0,
        "{:?}",
        outcome.metrics
    );
}

#[test]
fn rejects_bad_configs() {
    for (lanes, width, max_skew) in [(0, 8, 4), (17, 8, 4), (4, 0, 4), (4, 8, 0)] {
        let cfg = DeskewConfig {
            lanes,
            width,
            max_skew,
        };
        assert!(deskew("d", &cfg).is_err(), "{cfg:?}");
    }
}

#[test]
fn verilog_tools_accept_deskew() {
    for (lanes, width, max_skew) in [(4, 8, 16), (1, 1, 1), (16, 10, 40)] {
        check_verilog(deskew(
            &format!("deskew_l{lanes}_w{width}_k{max_skew}"),
            &DeskewConfig {
                lanes,
                width,
                max_skew,
            },
        ));
    }
}

#[test]
fn catalogue_entry_builds_from_defaults() {
    let k = kind();
    (k.build)("deskew", &Params::defaults(&k.params)).expect("defaults build");
}
