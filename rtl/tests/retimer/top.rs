//! `retimer`: the composed datapath in closed loop with skewed, offset,
//! ISI channels (`linkforge_verif::tb::retimer::link`): lock, no bit error after the
//! equalizers converge, SKP adjustments identical on all lanes and in the
//! direction of the clock offset, deskew equal to the injected skew;
//! Verilog tools.
//!
//! Lock bound: every lane's CDR and block lock and the lanes aligned within
//! [`LOCK_UI`] UI (the first SKP ordered set, the deskew marker, comes
//! after at most 33 blocks).

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::top::{kind, retimer, RetimerConfig};
use linkforge_verif::models::channel::{ChannelConfig, Modulation};
use linkforge_verif::tb::retimer::link::{run_link, EqualizerLayout, LinkReport, LinkSetup};
use proptest::prelude::*;

/// Documented bound on the UIs until the whole link is locked and aligned.
const LOCK_UI: u64 = 40_000;
/// UIs the equalizers get to converge before errors count.
const WARMUP_UI: u64 = 30_000;

fn config(lanes: u32) -> RetimerConfig {
    RetimerConfig {
        lanes,
        sample_bits: 8,
        ffe_taps: 4,
        ffe_cursor: 1,
        dfe_taps: 2,
        level: 60,
        mu_shift: 4,
        pi_bits: 6,
        max_skew: 64,
        eb_depth: 32,
        prbs: Some(31),
        ltssm_timeout: 1_536_000_000,
    }
}

/// A lane's channel: pulse response (pre, 1.0, post1, post2), moderate
/// noise, levels of +-60 LSB.
fn channel(pre: f64, post1: f64, post2: f64, phase: f64) -> ChannelConfig {
    ChannelConfig {
        taps: vec![pre, 1.0, post1, post2],
        cursor: 1,
        amplitude: 60.0,
        noise_rms: 2.0,
        initial_phase_ui: phase,
        ..ChannelConfig::clean(Modulation::Nrz)
    }
}

fn run(cfg: &RetimerConfig, setup: &LinkSetup, ui: u64) -> LinkReport {
    let mut tb = Tb::new(retimer("retimer", cfg));
    run_link(&mut tb.0, setup, ui, &mut |_| {}).expect("the link runs")
}

fn setup(
    cfg: &RetimerConfig,
    ppm: f64,
    skew_ui: Vec<u64>,
    channels: Vec<ChannelConfig>,
    seed: u64,
) -> LinkSetup {
    LinkSetup {
        lanes: cfg.lanes,
        sample_bits: cfg.sample_bits,
        pi_bits: cfg.pi_bits,
        ppm,
        skew_ui,
        channels,
        seed,
        warmup_ui: WARMUP_UI,
        equalizer: Some(EqualizerLayout {
            ffe_taps: cfg.ffe_taps,
            ffe_cursor: cfg.ffe_cursor,
            ffe_coeff_bits: 10,
            dfe_taps: cfg.dfe_taps,
            dfe_tap_bits: 8,
        }),
        prefix: String::new(),
    }
}

/// The checks every run must pass.
fn check_clean(r: &LinkReport, skew_ui: &[u64]) -> Result<(), TestCaseError> {
    let lock = r.lock_ui.unwrap_or(u64::MAX);
    prop_assert!(lock <= LOCK_UI, "{}", r);
    prop_assert!(r.bits_checked > 0, "{}", r);
    prop_assert_eq!((r.bit_errors, r.framing_errors), (0, 0), "{}", r);
    prop_assert!(r.lanes_agree_on_skp, "{}", r);
    prop_assert_eq!((r.eb_overflows, r.eb_underflows), (0, 0), "{}", r);
    let latest = r.arrival_ui.iter().copied().max().unwrap_or(0);
    for (lane, (&got, &arrival)) in r.skew_ui.iter().zip(&r.arrival_ui).enumerate() {
        // The CDR samples within a few UI of the injected skew.
        prop_assert!(
            (arrival - skew_ui[lane] as i64).abs() <= 4,
            "lane {}: {}",
            lane,
            r
        );
        prop_assert_eq!(got as i64, latest - arrival, "lane {}: {}", lane, r);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(3), ..ProptestConfig::default() })]

    /// Random offsets within ±300 ppm, skews up to 40 UI, ISI within the
    /// equalizer limits and random sampling phases: locks, then forwards
    /// every block unchanged over 60,000 UI.
    #[test]
    fn forwards_every_block_unchanged(
        ppm in -300.0f64..300.0,
        skews in proptest::collection::vec(0u64..=40, 2),
        isi in proptest::collection::vec((-0.1f64..0.1, 0.0f64..0.4, 0.0f64..0.15, 0.0f64..1.0), 2),
        seed: u64,
    ) {
        let cfg = config(2);
        let channels = isi.iter().map(|&(a, b, c, ph)| channel(a, b, c, ph)).collect();
        let r = run(&cfg, &setup(&cfg, ppm, skews.clone(), channels, seed), WARMUP_UI + 60_000);
        check_clean(&r, &skews)?;
    }
}

/// At ±600 ppm the elastic buffer adds SKP symbols when the local clock is
/// faster and drops them when it is slower, on all lanes alike.
#[test]
fn compensates_600_ppm_both_ways() {
    let cfg = config(2);
    for (ppm, seed) in [(600.0, 1), (-600.0, 2)] {
        let skews = vec![3, 17];
        let channels = vec![channel(0.05, 0.3, 0.1, 0.2), channel(-0.05, 0.2, 0.05, 0.7)];
        let r = run(
            &cfg,
            &setup(&cfg, ppm, skews.clone(), channels, seed),
            200_000,
        );
        check_clean(&r, &skews).unwrap_or_else(|e| panic!("{e}: {r}"));
        if ppm > 0.0 {
            assert!(r.eb_drops >= 1 && r.eb_adds == 0, "{r}");
        } else {
            assert!(r.eb_adds >= 1 && r.eb_drops == 0, "{r}");
        }
    }
}

#[test]
fn rejects_bad_configs() {
    let mut bad = config(2);
    bad.eb_depth = 48;
    assert!(retimer("r", &bad).is_err());
    let bad = config(17);
    assert!(retimer("r", &bad).is_err());
    let mut bad = config(2);
    bad.ffe_cursor = 4;
    assert!(retimer("r", &bad).is_err());
}

#[test]
fn verilog_tools_accept_retimers() {
    let k = kind();
    let defaults = (k.build)("retimer_default", &Params::defaults(&k.params));
    check_verilog(Ok(defaults.expect("the defaults build")));
    check_verilog(retimer("retimer_x1", &config(1)));
}
