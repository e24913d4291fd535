//! `lfsr`: the output against its testbench's bit-serial model for random
//! polynomials, seeds and widths; the PRBS presets are maximal length;
//! Verilog tools.

use crate::support::{cases, check_verilog, run_model, Tb};
use linkforge_rtl::common::lfsr::{lfsr, LfsrConfig};
use linkforge_verif::tb::common::blocks::LfsrModel;
use proptest::prelude::*;

fn config() -> impl Strategy<Value = LfsrConfig> {
    (2u32..=24).prop_flat_map(|n| {
        (
            prop::collection::btree_set(1..n, 0..4),
            1u32..=64,
            1u64..(1 << n),
        )
            .prop_map(move |(extra, bits, seed)| LfsrConfig {
                taps: std::iter::once(n).chain(extra).collect(),
                bits,
                seed,
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// `out` is always the next `bits` bits of the bit-serial model's
    /// sequence, and `en` advances it by that many.
    #[test]
    fn matches_the_bit_serial_model(cfg in config(), words in prop::collection::vec(any::<u64>(), 3..60)) {
        run_model(lfsr("lfsr", &cfg), LfsrModel::new(&cfg), words.len() as u64, &words)?;
    }
}

/// The PRBS presets repeat after exactly `2^n - 1` bits (checked on the
/// hardware, 64 bits per clock).
#[test]
fn prbs_presets_are_maximal_length() {
    for name in ["prbs7", "prbs9", "prbs15"] {
        let cfg = LfsrConfig::prbs(name, 64).expect("a preset");
        let period = (1usize << cfg.degree()) - 1;
        let mut tb = Tb::new(lfsr("prbs", &cfg));
        tb.reset();
        tb.set("en", 1);
        let mut seq = Vec::new();
        while seq.len() < 2 * period {
            let word = tb.get("out");
            seq.extend((0..64).map(|j| word >> j & 1 == 1));
            tb.step();
        }
        let repeats = |p: usize| (0..period).all(|i| seq[i] == seq[i + p]);
        assert!(
            repeats(period),
            "{name} does not repeat after {period} bits"
        );
        for d in (1..period).filter(|d| period % d == 0) {
            assert!(!repeats(d), "{name} repeats after only {d} bits");
        }
    }
}

/// PRBS7 from all ones: 0000001 0000011 ... (b[t] = b[t-6] ^ b[t-7]).
#[test]
fn prbs7_starts_as_expected() {
    let cfg = LfsrConfig::prbs("prbs7", 14).expect("a preset");
    let mut tb = Tb::new(lfsr("prbs7", &cfg));
    tb.reset();
    assert_eq!(tb.get("out"), 0b11_0000_0100_0000);
}

#[test]
fn bad_configs_are_errors() {
    let cfg = |taps: Vec<u32>, seed| LfsrConfig {
        taps,
        bits: 1,
        seed,
    };
    assert!(lfsr("l", &cfg(vec![7, 6], 0)).is_err());
    assert!(lfsr("l", &cfg(vec![7, 6], 0x80)).is_err());
    assert!(lfsr("l", &cfg(vec![7, 7], 1)).is_err());
    assert!(lfsr("l", &cfg(vec![65, 1], 1)).is_err());
    assert!(lfsr("l", &cfg(vec![], 1)).is_err());
}

#[test]
fn verilog_tools_accept_lfsrs() {
    let points = [
        LfsrConfig::prbs("prbs7", 1),
        LfsrConfig::prbs("prbs9", 20),
        LfsrConfig::prbs("prbs31", 32),
        LfsrConfig::prbs("prbs23", 128),
        Some(LfsrConfig {
            taps: vec![64, 63, 61, 60],
            bits: 8,
            seed: u64::MAX,
        }),
        Some(LfsrConfig {
            taps: vec![16, 5, 4, 3],
            bits: 3,
            seed: 0xFFFF,
        }),
    ];
    for (i, cfg) in points.into_iter().enumerate() {
        check_verilog(lfsr(&format!("lfsr_{i}"), &cfg.expect("a preset")));
    }
}
