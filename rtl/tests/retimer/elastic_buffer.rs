//! `elastic_buffer` under its testbench
//! (`linkforge_verif::tb::retimer::elastic_buffer`): two clocks up to 1%
//! apart with frequent SKP ordered sets, and ±600 ppm with SKP ordered sets
//! every 370 blocks of 4 and of 16 words; no over- or underflow, data
//! words unchanged and in order, every SKP run changed by at most one
//! group, matching the add and drop counters; Verilog tools.

use crate::support::{cases, check_verilog, metric, run_seeded_outcome};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::elastic_buffer::{elastic_buffer, kind, ElasticBufferConfig};
use linkforge_verif::tb::retimer::elastic_buffer::ElasticBufferModel;
use proptest::prelude::*;

fn configs() -> impl Strategy<Value = ElasticBufferConfig> {
    prop_oneof![
        (8u32..=16).prop_map(|width| ElasticBufferConfig {
            width,
            depth: 32,
            skp_step: 4
        }),
        (1u32..=8).prop_map(|width| ElasticBufferConfig {
            width,
            depth: 16,
            skp_step: 1
        }),
        (8u32..=10).prop_map(|width| ElasticBufferConfig {
            width,
            depth: 64,
            skp_step: 4
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    /// The testbench passes at random offsets within ±1% and phases, and
    /// sees SKP groups added (local clock faster) or dropped (slower).
    #[test]
    fn testbench_passes(
        cfg in configs(),
        offset_10ppm in 300i64..=1000,
        slower in any::<bool>(),
        phase in 0u64..100_000,
        seed in any::<u64>(),
    ) {
        let ppm = if slower { 10 * offset_10ppm } else { -10 * offset_10ppm };
        let model = ElasticBufferModel::new(&cfg, ppm, phase)?;
        let outcome = run_seeded_outcome(elastic_buffer("e", &cfg), model, 20_000, seed);
        let outcome = outcome.map_err(TestCaseError::fail)?;
        let changed = metric(&outcome, if slower { "skp_drops" } else { "skp_adds" });
        prop_assert!(changed > 0, "{:?}", outcome.metrics);
    }
}

/// At ±600 ppm with SKP ordered sets every 370 blocks of 4 and of 16
/// words (a real 128b/130b lane), the buffer drops (local clock slower) or
/// adds (faster) and never both.
#[test]
fn adds_and_drops_at_600_ppm() {
    let cfg = ElasticBufferConfig {
        width: 8,
        depth: 32,
        skp_step: 4,
    };
    for (block_words, steps) in [(4, 120_000), (16, 300_000)] {
        for (ppm, wanted, other) in [
            (600, "skp_drops", "skp_adds"),
            (-600, "skp_adds", "skp_drops"),
        ] {
            let model = ElasticBufferModel::new(&cfg, ppm, 1234)
                .expect("valid config")
                .skp_every(370 * block_words);
            let outcome = run_seeded_outcome(elastic_buffer("e", &cfg), model, steps, 7)
                .expect("the stream passes intact");
            assert!(
                metric(&outcome, wanted) >= 2 && metric(&outcome, other) == 0,
                "{block_words}-word blocks at {ppm} ppm: {:?}",
                outcome.metrics
            );
        }
    }
}

#[test]
fn rejects_bad_configs() {
    for (width, depth, skp_step) in [(8, 24, 1), (8, 16, 4), (0, 32, 4), (8, 32, 0)] {
        let cfg = ElasticBufferConfig {
            width,
            depth,
            skp_step,
        };
        assert!(elastic_buffer("e", &cfg).is_err(), "{cfg:?}");
    }
}

#[test]
fn verilog_tools_accept_elastic_buffers() {
    for (width, depth, skp_step) in [(8, 32, 4), (1, 8, 1), (10, 64, 2)] {
        check_verilog(elastic_buffer(
            &format!("elastic_buffer_w{width}_d{depth}_s{skp_step}"),
            &ElasticBufferConfig {
                width,
                depth,
                skp_step,
            },
        ));
    }
}

#[test]
fn catalogue_entry_builds_from_defaults() {
    let k = kind();
    (k.build)("elastic_buffer", &Params::defaults(&k.params)).expect("defaults build");
}
