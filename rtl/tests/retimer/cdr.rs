//! `cdr` under its testbench (`linkforge_verif::tb::retimer::cdr`) in
//! closed loop with the channel model: lock from any phase within ±300
//! ppm, then no bit error or slip over 100,000 bits, every vote as the
//! detector defines it; Verilog tools.
//!
//! Lock bound: with the default gains (`Kp` = 1/4 PI step, `Ki` = 1/1024 PI
//! step/UI per vote, 256-UI lock windows) `locked` rises within the
//! testbench's bound, 4,048 UI.

use crate::support::{cases, check_verilog, metric};
use linkforge_hdl::Design;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::cdr::{cdr, kind, CdrConfig, Detector};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::retimer::cdr::CdrTb;
use linkforge_verif::tb::Testbench;
use linkforge_verif::Sim;
use proptest::prelude::*;

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

/// Runs the testbench for the lock bound plus [`BITS`] UI: the lock UI and
/// the bits compared, or its failure.
fn run(detector: Detector, seed: u64) -> Result<(u64, u64), String> {
    let cfg = config(detector);
    let tb = CdrTb::new(&cfg).map_err(|e| e.to_string())?;
    let design =
        Design::new(cdr("cdr", &cfg).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let mut sim = Sim::new(&design).map_err(|e| e.to_string())?;
    let outcome = tb
        .run(
            &mut sim,
            tb.lock_bound() + BITS,
            &mut XorShift::new(seed),
            &mut |_| {},
        )
        .map_err(|f| f.to_string())?;
    Ok((
        metric(&outcome, "lock_time_ui"),
        metric(&outcome, "bits_compared"),
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    /// Alexander (bang-bang) on data and edge samples.
    #[test]
    fn alexander_locks_and_is_error_free(seed: u64) {
        let (lock, bits) = run(Detector::Alexander, seed).map_err(TestCaseError::fail)?;
        prop_assert!(lock < 4_048 && bits > BITS - 4_048, "locked at {}, {} bits", lock, bits);
    }

    /// Mueller-Muller on ADC samples.
    #[test]
    fn mueller_muller_locks_and_is_error_free(seed: u64) {
        let (lock, bits) = run(Detector::MuellerMuller, seed).map_err(TestCaseError::fail)?;
        prop_assert!(lock < 4_048 && bits > BITS - 4_048, "locked at {}, {} bits", lock, bits);
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
