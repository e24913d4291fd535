//! The composed switch under random traffic, random backpressure, random
//! sink credits and random configurations, drained at the end: every
//! packet leaves exactly once, unchanged, at the output the routing model
//! picks, with or without an upstream port (sinks sometimes advertising
//! infinite completion credit); the ordering rules hold on every path; no output starts a packet without the
//! sink's credit and no input buffer overflows; everything drains (no
//! deadlock), all credits come back and the counters agree. The checks
//! themselves live in `linkforge_verif::tb::switch::harness`.

use crate::harness_run::run_harness;
use crate::support::cases;
use linkforge_rtl::switch::credit::data_credits;
use linkforge_rtl::switch::input_queue::{Forwarding, Queueing};
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::HarnessOptions;
use proptest::prelude::*;

fn configs() -> impl Strategy<Value = SwitchConfig> {
    (2usize..=5).prop_flat_map(|ports| {
        (
            prop_oneof![Just(Queueing::Fifo), Just(Queueing::Voq)],
            prop_oneof![
                (1u32..=4).prop_map(|iterations| SchedPolicy::Islip { iterations }),
                Just(SchedPolicy::RoundRobin),
                prop::collection::vec(1u32..=3, ports).prop_map(SchedPolicy::Weighted),
                Just(SchedPolicy::Priority),
            ],
            prop_oneof![Just(64u32), Just(128), Just(256)],
            32u32..=96,
            prop::option::of(0..ports),
            prop::option::of(0..ports),
            prop_oneof![
                Just(Forwarding::StoreAndForward),
                Just(Forwarding::CutThrough)
            ],
        )
            .prop_map(
                move |(
                    queueing,
                    policy,
                    data_width,
                    queue_depth,
                    default_port,
                    upstream_port,
                    forwarding,
                )| {
                    SwitchConfig {
                        ports,
                        data_width,
                        queue_depth,
                        queueing,
                        policy,
                        forwarding,
                        max_packet_beats: 4,
                        default_port: default_port.filter(|&d| Some(d) != upstream_port),
                        upstream_port,
                        credits: None,
                    }
                },
            )
    })
}

fn traffic() -> impl Strategy<Value = TrafficConfig> {
    (
        prop_oneof![
            Just(Pattern::Uniform),
            Just(Pattern::Hotspot),
            Just(Pattern::Permutation)
        ],
        0.05f64..=1.0,
        (1u32..=4, 0u32..=3),
        prop_oneof![Just(0.0), 0.0f64..0.8],
        prop_oneof![Just(0.0), 0.0f64..0.3],
        prop_oneof![Just(0.0), 0.0f64..0.3],
        prop_oneof![Just([1, 1, 1]), prop::array::uniform3(0u64..=3)],
        prop_oneof![Just(0.0), 0.0f64..0.3],
    )
        .prop_map(
            |(pattern, load, (lo, extra), backpressure, unroutable, poisoned, mix, malformed)| {
                TrafficConfig {
                    pattern,
                    load,
                    packet_beats: (lo, (lo + extra).min(4)),
                    backpressure,
                    unroutable,
                    poisoned,
                    mix: if mix == [0, 0, 0] { [1, 1, 1] } else { mix },
                    malformed,
                    completers: true,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    #[test]
    fn packets_leave_once_in_order_within_credit_and_everything_drains(
        cfg in configs(),
        traffic in traffic(),
        sink_hdr in 1u64..=8,
        sink_data_extra in 0u64..=60,
        infinite_cpl in any::<bool>(),
        nullify_one_in in prop::option::of(2u64..=12),
        cycles in 50u64..400,
        seed in any::<u64>(),
    ) {
        prop_assume!(cfg.validate().is_ok());
        // A link partner advertises at least one longest packet's worth.
        let longest = data_credits(cfg.max_payload_dw());
        let options = HarnessOptions {
            sink_hdr_credits: sink_hdr,
            sink_data_credits: longest.max(1) + sink_data_extra,
            infinite_cpl,
            drain: Some(2000),
            // Cut-through takes no nullified TLP (it asserts so).
            nullify_one_in: nullify_one_in.filter(|_| cfg.forwarding == Forwarding::StoreAndForward),
            ..HarnessOptions::default()
        };
        let r = run_harness(&cfg, traffic, options, cycles, seed);
        match r {
            Ok(report) => prop_assert_eq!(report.checks > 0, report.delivered > 0),
            Err(f) => prop_assert!(false, "cycle {}: {}", f.cycle, f.message),
        }
    }
}
