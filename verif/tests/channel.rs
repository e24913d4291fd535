//! The channel model: ISI as configured, noise statistics, phase codes and
//! frequency offset moving the sampling instant, determinism.

use linkforge_verif::models::channel::{Channel, ChannelConfig, Modulation, Rng};
use proptest::prelude::*;

/// A deterministic symbol pattern for reference computations.
fn pattern(modulation: Modulation) -> impl Fn(u64) -> u8 {
    let levels = u64::from(modulation.levels());
    move |i| ((i.wrapping_mul(0x9e37_79b9).rotate_left(7) >> 3) % levels) as u8
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Centred samples are exactly the FIR of the symbols with the taps.
    #[test]
    fn isi_applied_as_configured(
        pam4: bool,
        taps in prop::collection::vec(-0.4f64..0.4, 1..5),
        cursor_seed in 0usize..5,
    ) {
        let modulation = if pam4 { Modulation::Pam4 } else { Modulation::Nrz };
        let cursor = cursor_seed % taps.len();
        let mut taps = taps;
        taps[cursor] = 1.0;
        let cfg = ChannelConfig { taps: taps.clone(), cursor, amplitude: 60.0, ..ChannelConfig::clean(modulation) };
        let p = pattern(modulation);
        let mut ch = Channel::with_source(cfg, 1, Box::new(pattern(modulation)));
        for n in 0..200i64 {
            let got = ch.sample(0);
            let want: f64 = taps.iter().enumerate().map(|(j, h)| {
                let i = n + cursor as i64 - j as i64;
                let code = if i < 0 { 0 } else { p(i as u64) };
                h * modulation.level(code)
            }).sum::<f64>() * 60.0;
            prop_assert_eq!(got, want.round() as i32);
            prop_assert_eq!(ch.sent(0).map(|s| s.code), Some(p(n as u64)));
        }
    }

    /// The phase code moves the sampling instant by code/steps UI, and a
    /// frequency offset stretches time by (1 + ppm 1e-6).
    #[test]
    fn phase_and_ppm_move_the_sampling_instant(
        ppm in -300.0f64..300.0,
        codes in prop::collection::vec(0u32..64, 1..100),
    ) {
        let cfg = ChannelConfig { ppm, ..ChannelConfig::clean(Modulation::Nrz) };
        let mut ch = Channel::new(cfg, 7);
        let mut unwrapped = 0i64;
        let mut last = 0i64;
        for (k, code) in codes.iter().enumerate() {
            ch.sample(*code);
            let code = i64::from(*code);
            if k > 0 {
                let d = (code - last).rem_euclid(64);
                unwrapped += if d > 32 { d - 64 } else { d };
            } else {
                unwrapped = code;
            }
            last = code;
            let want = (k as f64 + unwrapped as f64 / 64.0) * (1.0 + ppm * 1e-6);
            prop_assert!((ch.sampling_time() - want).abs() < 1e-9);
        }
    }
}

/// With a fixed code, +250 ppm gains 25 symbols in 100,000 samples; a code
/// ramping down by the offset keeps the sampling instant on the symbols.
#[test]
fn ppm_drift_and_compensation() {
    let cfg = ChannelConfig {
        ppm: 250.0,
        ..ChannelConfig::clean(Modulation::Nrz)
    };
    let mut fixed = Channel::new(cfg.clone(), 3);
    let mut ramped = Channel::new(cfg, 3);
    let n = 100_000u64;
    for k in 0..n {
        fixed.sample(0);
        // Phase in codes: -k * 250e-6 * 64, taken modulo 64.
        let code = (-(k as f64) * 250e-6 * 64.0).round().rem_euclid(64.0) as u32;
        ramped.sample(code);
    }
    let drift = fixed.sampling_time() - (n - 1) as f64;
    assert!((drift - 25.0).abs() < 0.01, "drift {drift}");
    let residual = ramped.sampling_time() - (n - 1) as f64;
    assert!(residual.abs() < 1.0 / 64.0, "residual {residual}");
    let sent = ramped.sent(0).expect("sampled");
    assert_eq!(sent.index, n - 1);
}

/// Sample noise has the configured deviation and no bias.
#[test]
fn noise_statistics() {
    let cfg = ChannelConfig {
        noise_rms: 6.0,
        adc_bits: 10,
        ..ChannelConfig::clean(Modulation::Pam4)
    };
    let mut ch = Channel::new(cfg, 11);
    let n = 50_000;
    let (mut sum, mut sq) = (0.0, 0.0);
    for _ in 0..n {
        let v = f64::from(ch.sample(0));
        let sent = ch.sent(0).expect("sampled");
        let e = v - 100.0 * Modulation::Pam4.level(sent.code);
        sum += e;
        sq += e * e;
    }
    let mean = sum / f64::from(n);
    let rms = (sq / f64::from(n) - mean * mean).sqrt();
    assert!(mean.abs() < 0.2, "mean {mean}");
    // Rounding adds 1/12 LSB^2 of variance.
    let want = (36.0f64 + 1.0 / 12.0).sqrt();
    assert!((rms - want).abs() < 0.1, "rms {rms}");
}

/// The generator's Gaussians have mean 0 and deviation 1; jitter is applied.
#[test]
fn gaussian_and_jitter() {
    let mut rng = Rng::new(5);
    let n = 100_000;
    let xs: Vec<f64> = (0..n).map(|_| rng.gauss()).collect();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
    assert!(
        mean.abs() < 0.02 && (var - 1.0).abs() < 0.02,
        "{mean} {var}"
    );
    let cfg = ChannelConfig {
        rj_rms_ui: 0.05,
        sj_amplitude_ui: 0.1,
        sj_frequency: 0.001,
        ..ChannelConfig::clean(Modulation::Nrz)
    };
    let mut ch = Channel::new(cfg, 9);
    let mut sq = 0.0;
    for k in 0..n {
        ch.sample(0);
        let d = ch.sampling_time() - k as f64;
        sq += d * d;
    }
    // sj rms 0.1/sqrt(2), rj 0.05: total about 0.0866.
    let rms = (sq / n as f64).sqrt();
    assert!((rms - 0.0866).abs() < 0.005, "rms {rms}");
}

/// The same seed gives the same samples; the ADC clamps to its range.
#[test]
fn deterministic_and_clamped() {
    let cfg = ChannelConfig {
        amplitude: 1000.0,
        noise_rms: 3.0,
        ..ChannelConfig::clean(Modulation::Nrz)
    };
    let run = |seed| {
        let mut ch = Channel::new(cfg.clone(), seed);
        (0..1000).map(|_| ch.sample(5)).collect::<Vec<_>>()
    };
    assert_eq!(run(4), run(4));
    assert_ne!(run(4), run(5));
    assert!(run(4).iter().all(|v| (-128..=127).contains(v)));
}
