//! The ordering rules against deadlock: one output's sink returns no
//! non-posted credit for thousands of cycles. Non-posted requests to it
//! stall in the switch, and posted requests and completions to it must
//! keep flowing past them (PCIe 2.4.1: they must be allowed to pass a
//! blocked non-posted request); once the sink recovers, everything drains.
//! Throughout, the harness checks every delivered TLP against the
//! ordering table on its path, so a read never overtakes an earlier write
//! from its ingress port.

use crate::harness_run::run_harness;
use crate::support::cases;
use linkforge_rtl::switch::input_queue::{Forwarding, Queueing};
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::HarnessOptions;
use proptest::prelude::*;

/// Cycles the starved output's sink withholds non-posted credit.
const STARVED: u64 = 3000;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(6), ..ProptestConfig::default() })]

    #[test]
    fn posted_and_completions_pass_starved_reads_and_reads_never_pass_writes(
        ports in 3usize..=5,
        queueing in prop_oneof![Just(Queueing::Fifo), Just(Queueing::Voq)],
        data_width in prop_oneof![Just(64u32), Just(128), Just(256)],
        queue_depth in 48u32..=96,
        load in 0.3f64..=0.9,
        upstream_port in prop::option::of(0usize..3),
        sink_credits in 2u64..=8,
        seed in any::<u64>(),
    ) {
        let cfg = SwitchConfig {
            ports,
            data_width,
            queue_depth,
            queueing,
            policy: SchedPolicy::Islip { iterations: 2 },
            forwarding: Forwarding::StoreAndForward,
            max_packet_beats: 4,
            default_port: None,
            upstream_port,
        credits: None,
        };
        let traffic = TrafficConfig {
            pattern: Pattern::Uniform,
            load,
            packet_beats: (1, 3),
            backpressure: 0.0,
            unroutable: 0.0,
            poisoned: 0.0,
            mix: [1, 1, 1],
            malformed: 0.0,
            completers: true,
        };
        let options = HarnessOptions {
            sink_hdr_credits: sink_credits,
            drain: Some(2000),
            starve_np: Some((0, STARVED)),
            ..HarnessOptions::default()
        };
        let r = run_harness(&cfg, traffic, options, STARVED + 1000, seed)
            .map_err(|f| TestCaseError::fail(format!("cycle {}: {}", f.cycle, f.message)))?;
        let [posted, non_posted, completions] = r.starved_delivered;
        // Only the sink's initial non-posted credits were usable while it
        // starved; the other classes kept a share of the traffic to it.
        let share = (STARVED as f64 * load / ports as f64 / 3.0 / 4.0) as u64;
        prop_assert!(non_posted <= sink_credits, "{non_posted} reads beyond {sink_credits} credits");
        prop_assert!(
            posted >= share && completions >= share,
            "starved output delivered {posted} posted and {completions} completions, \
             expected at least {share} of each"
        );
        prop_assert!(r.reads_behind_writes > 0, "no read entered behind a write");
    }
}
