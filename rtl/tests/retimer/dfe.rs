//! `dfe`: its testbench (`linkforge_verif::tb::retimer::equalizer`: the
//! exact feedback datapath and the decisions on a random channel) on
//! random configs; the
//! FFE -> DFE chain adapting by sign-sign LMS on random ISI channels (NRZ
//! and PAM4, moderate noise) until it makes no error over 100,000 symbols;
//! Verilog tools.
//!
//! Channel limits (main cursor 1.0, eye centre sampled, noise 2 LSB rms on
//! levels of +-60 LSB): NRZ pre-cursor |h-1| <= 0.2, post-cursors
//! |h1| <= 0.45, |h2| <= 0.2; PAM4 |h-1| <= 0.1, |h1| <= 0.3, |h2| <= 0.1.
//! Convergence takes at most [`CONVERGE_UI`] UI.

use crate::support::{cases, check_verilog, metric, run_seeded_outcome, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::dfe::{dfe, kind, DfeConfig, Modulation};
use linkforge_rtl::retimer::ffe::{ffe, FfeConfig};
use linkforge_verif::models::channel::{self, Channel, ChannelConfig};
use linkforge_verif::tb::retimer::equalizer::DfeModel;
use proptest::prelude::*;

/// UIs allowed for the LMS to converge.
const CONVERGE_UI: u64 = 30_000;
/// Symbols checked after convergence.
const SYMBOLS: u64 = 100_000;

fn dfe_config(modulation: Modulation, sample_bits: u32, level: u32, adapt: bool) -> DfeConfig {
    DfeConfig {
        taps: 2,
        sample_bits,
        tap_bits: 8,
        modulation,
        adapt,
        level,
        mu_shift: 4,
    }
}

/// Symbol errors after convergence of FFE (4 taps, 1 pre-cursor) -> DFE
/// (2 taps) on channel `taps` (pre, main 1.0, post1, post2).
fn chain_errors(pam4: bool, pre: f64, post1: f64, post2: f64, seed: u64) -> u64 {
    let (modulation, ch_mod, level) = if pam4 {
        (Modulation::Pam4, channel::Modulation::Pam4, 20)
    } else {
        (Modulation::Nrz, channel::Modulation::Nrz, 60)
    };
    let fcfg = FfeConfig {
        taps: 4,
        cursor: 1,
        sample_bits: 8,
        coeff_bits: 10,
        adapt: true,
        modulation,
        level,
        mu_shift: 4,
    };
    let mut f = Tb::new(ffe("ffe", &fcfg));
    let mut d = Tb::new(dfe(
        "dfe",
        &dfe_config(modulation, fcfg.out_bits(), level, true),
    ));
    f.reset();
    d.reset();
    let cfg = ChannelConfig {
        taps: vec![pre, 1.0, post1, post2],
        cursor: 1,
        amplitude: 60.0,
        noise_rms: 2.0,
        ..ChannelConfig::clean(ch_mod)
    };
    let mut ch = Channel::new(cfg, seed);
    let (fs, fe) = (
        f.0.signal("sample").expect("port"),
        f.0.signal("eq").expect("port"),
    );
    let (ds, dd) = (
        d.0.signal("sample").expect("port"),
        d.0.signal("decision").expect("port"),
    );
    let mut errors = 0;
    for ui in 0..CONVERGE_UI + SYMBOLS {
        let x = ch.sample(0);
        f.0.poke_handle(fs, (x as u64) & 0xff).expect("poke");
        let y = f.0.peek_handle(fe);
        d.0.poke_handle(ds, y).expect("poke");
        // The decision now is on the channel sample of 2 + cursor calls ago.
        if ui >= CONVERGE_UI {
            let sent = ch.sent(3).expect("sampled");
            errors += u64::from(d.0.peek_handle(dd) != u64::from(sent.code));
        }
        f.step();
        d.step();
    }
    errors
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(4), ..ProptestConfig::default() })]

    /// NRZ: no error after convergence.
    #[test]
    fn nrz_chain_converges(pre in -0.2f64..0.2, post1 in -0.45f64..0.45, post2 in -0.2f64..0.2, seed: u64) {
        prop_assert_eq!(chain_errors(false, pre, post1, post2, seed), 0);
    }

    /// PAM4: no error after convergence.
    #[test]
    fn pam4_chain_converges(pre in -0.1f64..0.1, post1 in -0.3f64..0.3, post2 in -0.1f64..0.1, seed: u64) {
        prop_assert_eq!(chain_errors(true, pre, post1, post2, seed), 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// The testbench passes on random configs: `decision` and `eq` are the
    /// exact feedback datapath of the taps and level shown, and with a
    /// level that fits the ADC every decision after the warm-up is the
    /// symbol sent.
    #[test]
    fn testbench_passes(pam4: bool, taps in 1u32..=4, adapt: bool, seed: u64) {
        let modulation = if pam4 { Modulation::Pam4 } else { Modulation::Nrz };
        let cfg = DfeConfig {
            taps,
            adapt,
            ..dfe_config(modulation, 10, if pam4 { 40 } else { 120 }, adapt)
        };
        let outcome = run_seeded_outcome(dfe("dfe", &cfg), DfeModel::new(&cfg)?, 1000, seed);
        let outcome = outcome.map_err(TestCaseError::fail)?;
        prop_assert!(metric(&outcome, "decisions_compared") > 900, "{:?}", outcome.metrics);
    }
}

#[test]
fn verilog_tools_accept_dfes() {
    let k = kind();
    let defaults = (k.build)("dfe_default", &Params::defaults(&k.params));
    check_verilog(Ok(defaults.expect("the defaults build")));
    for (name, modulation, taps, adapt) in [
        ("dfe_nrz", Modulation::Nrz, 1, false),
        ("dfe_nrz_lms", Modulation::Nrz, 3, true),
        ("dfe_pam4_lms", Modulation::Pam4, 2, true),
    ] {
        let cfg = DfeConfig {
            taps,
            ..dfe_config(modulation, 10, 40, adapt)
        };
        check_verilog(dfe(name, &cfg));
    }
}
