//! `ffe`: its testbench (`linkforge_verif::tb::retimer::equalizer`: the
//! exact FIR and the decisions on a random channel) on random configs;
//! sign-sign LMS alone opening an NRZ eye with pre- and post-cursor ISI;
//! Verilog tools.

use crate::support::{cases, check_verilog, metric, run_seeded_outcome, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::dfe::Modulation;
use linkforge_rtl::retimer::ffe::{ffe, kind, FfeConfig};
use linkforge_verif::models::channel::{self, Channel, ChannelConfig};
use linkforge_verif::tb::retimer::equalizer::FfeModel;
use proptest::prelude::*;

fn config(taps: u32, cursor: u32, adapt: bool) -> FfeConfig {
    FfeConfig {
        taps,
        cursor,
        sample_bits: 8,
        coeff_bits: 10,
        adapt,
        modulation: Modulation::Nrz,
        level: 60,
        mu_shift: 4,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// The testbench passes on random configs: `eq` is the exact FIR of the
    /// taps shown, and with a level that fits the ADC every decision after
    /// the warm-up is the symbol sent.
    #[test]
    fn testbench_passes(
        taps in 1u32..=8,
        cursor in 0u32..8,
        coeff_bits in 6u32..=12,
        adapt: bool,
        pam4: bool,
        seed: u64,
    ) {
        let cfg = FfeConfig {
            taps,
            cursor: cursor % taps,
            sample_bits: 10,
            coeff_bits,
            adapt,
            modulation: if pam4 { Modulation::Pam4 } else { Modulation::Nrz },
            level: if pam4 { 40 } else { 120 },
            mu_shift: 4,
        };
        let outcome = run_seeded_outcome(ffe("ffe", &cfg), FfeModel::new(&cfg)?, 1000, seed);
        let outcome = outcome.map_err(TestCaseError::fail)?;
        prop_assert!(metric(&outcome, "decisions_compared") > 900, "{:?}", outcome.metrics);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(4), ..ProptestConfig::default() })]

    /// LMS alone (5 taps, cursor 1) converges on NRZ channels with
    /// |h-1| <= 0.2, |h1| <= 0.4, |h2| <= 0.2 and noise 2 LSB rms, then
    /// makes no error over 100,000 bits.
    #[test]
    fn lms_opens_the_eye(pre in -0.2f64..0.2, post1 in -0.4f64..0.4, post2 in -0.2f64..0.2, seed: u64) {
        let mut tb = Tb::new(ffe("ffe", &config(5, 1, true)));
        tb.reset();
        let cfg = ChannelConfig {
            taps: vec![pre, 1.0, post1, post2],
            cursor: 1,
            amplitude: 60.0,
            noise_rms: 2.0,
            ..ChannelConfig::clean(channel::Modulation::Nrz)
        };
        let mut ch = Channel::new(cfg, seed);
        let (s, e) = (tb.0.signal("sample").expect("port"), tb.0.signal("eq").expect("port"));
        let mut errors = 0;
        for ui in 0..130_000u64 {
            let x = ch.sample(0);
            tb.0.poke_handle(s, (x as u64) & 0xff).expect("poke");
            // eq now is the FIR centred on the sample of 1 + cursor calls ago.
            let positive = tb.0.peek_handle(e) < 512;
            if ui >= 30_000 {
                errors += u64::from(positive != (ch.sent(2).expect("sampled").code == 1));
            }
            tb.step();
        }
        prop_assert_eq!(errors, 0);
    }
}

#[test]
fn verilog_tools_accept_ffes() {
    let k = kind();
    let defaults = (k.build)("ffe_default", &Params::defaults(&k.params));
    check_verilog(Ok(defaults.expect("the defaults build")));
    let mut pam4 = config(7, 2, true);
    pam4.modulation = Modulation::Pam4;
    pam4.level = 20;
    for (name, cfg) in [
        ("ffe_one", config(1, 0, false)),
        ("ffe_fixed", config(4, 1, false)),
        ("ffe_pam4_lms", pam4),
    ] {
        check_verilog(ffe(name, &cfg));
    }
}
