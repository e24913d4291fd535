//! `cdr` in closed loop with the channel model: lock from any phase within
//! ±300 ppm, then no bit error over 100,000 bits; Verilog tools.
//!
//! Lock bound: with the default gains (`Kp` = 1/4 PI step, `Ki` = 1/1024 PI
//! step/UI per vote, 256-UI lock windows) `locked` rises within
//! [`LOCK_UI`] UI.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::cdr::{cdr, kind, CdrConfig, Detector};
use linkforge_verif::models::channel::{Channel, ChannelConfig, Modulation};
use proptest::prelude::*;

/// Documented bound on the UIs until `locked`.
const LOCK_UI: u64 = 4_000;
/// Bits checked after lock.
const BITS: u64 = 100_000;

fn config(detector: Detector) -> CdrConfig {
    CdrConfig {
        detector,
        sample_bits: 8,
        pi_bits: 6,
        frac_bits: 14,
        kp_shift: 2,
        ki_shift: 10,
        lock_log2: 8,
        lock_threshold: 16,
    }
}

/// Runs the loop; returns the UI at which `locked` rose and the bit errors
/// (or symbol slips) over the next [`BITS`] UI.
fn run(detector: Detector, ppm: f64, phase: f64, seed: u64) -> (u64, u64) {
    let cfg = config(detector);
    let mut tb = Tb::new(cdr("cdr", &cfg));
    tb.reset();
    let ch_cfg = ChannelConfig {
        ppm,
        initial_phase_ui: phase,
        taps: vec![0.1, 1.0, 0.2],
        cursor: 1,
        ..ChannelConfig::clean(Modulation::Nrz)
    };
    let mut ch = Channel::new(ch_cfg, seed);
    let sim = &mut tb.0;
    let h = |name: &str| sim.signal(name).expect("port");
    let (pi, locked) = (h("pi_code"), h("locked"));
    let (data, edge, sample) = match detector {
        Detector::Alexander => (Some(h("data")), Some(h("edge")), None),
        Detector::MuellerMuller => (None, None, Some(h("sample"))),
    };
    let mut lock_at = None;
    let mut errors = 0;
    let mut last_index = None;
    for ui in 0..LOCK_UI + BITS {
        let code = sim.peek_handle(pi) as u32;
        let x = if let Some(sh) = sample {
            let x = ch.sample(code);
            sim.poke_handle(sh, (x as u64) & 0xff).expect("poke");
            x
        } else {
            let (x, e) = ch.sample_with_edge(code);
            let (dh, eh) = (data.expect("alexander"), edge.expect("alexander"));
            sim.poke_handle(dh, u64::from(x >= 0)).expect("poke");
            sim.poke_handle(eh, u64::from(e >= 0)).expect("poke");
            x
        };
        let sent = ch.sent(0).expect("sampled");
        if let Some(at) = lock_at {
            if ui < at + BITS {
                let slipped = last_index.is_some_and(|i| sent.index != i + 1);
                errors += u64::from(u8::from(x >= 0) != sent.code || slipped);
            }
        } else if sim.peek_handle(locked) == 1 {
            lock_at = Some(ui);
        }
        last_index = Some(sent.index);
        sim.step().expect("step");
    }
    (lock_at.unwrap_or(u64::MAX), errors)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    /// Alexander (bang-bang) on data and edge samples.
    #[test]
    fn alexander_locks_and_is_error_free(ppm in -300.0f64..300.0, phase in 0.0f64..1.0, seed: u64) {
        let (lock, errors) = run(Detector::Alexander, ppm, phase, seed);
        prop_assert!(lock < LOCK_UI, "locked at {}", lock);
        prop_assert_eq!(errors, 0);
    }

    /// Mueller-Muller on ADC samples.
    #[test]
    fn mueller_muller_locks_and_is_error_free(ppm in -300.0f64..300.0, phase in 0.0f64..1.0, seed: u64) {
        let (lock, errors) = run(Detector::MuellerMuller, ppm, phase, seed);
        prop_assert!(lock < LOCK_UI, "locked at {}", lock);
        prop_assert_eq!(errors, 0);
    }
}

#[test]
fn verilog_tools_accept_cdrs() {
    let k = kind();
    let defaults = (k.build)("cdr_default", &Params::defaults(&k.params));
    check_verilog(Ok(defaults.expect("the defaults build")));
    let mut small = config(Detector::Alexander);
    small.pi_bits = 4;
    small.frac_bits = 6;
    small.kp_shift = 1;
    small.ki_shift = 6;
    small.lock_log2 = 4;
    small.lock_threshold = 3;
    for (name, cfg) in [
        ("cdr_alex", config(Detector::Alexander)),
        ("cdr_mm", config(Detector::MuellerMuller)),
        ("cdr_small", small),
    ] {
        check_verilog(cdr(name, &cfg));
    }
}
