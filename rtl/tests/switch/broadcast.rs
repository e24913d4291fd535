//! Broadcast messages from the root complex: a PCIe switch (upstream port
//! set) sends each one arriving at its upstream port out of every
//! downstream port, in order with the posted requests and completions on
//! each path, and returns its credits once. The harness sends broadcasts
//! (an eighth of the upstream port's posted TLPs) among writes, reads and
//! completions, and local messages and broadcasts from below that must be
//! dropped; sinks advertise few credits so the copies wait for them.

use crate::harness_run::run_harness;
use linkforge_rtl::switch::input_queue::{Forwarding, Queueing};
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::HarnessOptions;

#[test]
fn broadcasts_from_above_leave_by_every_downstream_port() {
    for (ports, upstream, data_width, queueing, forwarding) in [
        (5, 0, 64, Queueing::Voq, Forwarding::StoreAndForward),
        (4, 2, 256, Queueing::Fifo, Forwarding::StoreAndForward),
        (5, 3, 128, Queueing::Voq, Forwarding::CutThrough),
        (3, 0, 64, Queueing::Fifo, Forwarding::CutThrough),
    ] {
        let cfg = SwitchConfig {
            ports,
            data_width,
            queue_depth: 64,
            queueing,
            policy: SchedPolicy::Islip { iterations: 1 },
            forwarding,
            max_packet_beats: 4,
            default_port: None,
            upstream_port: Some(upstream),
            credits: None,
        };
        let traffic = TrafficConfig {
            pattern: Pattern::Uniform,
            load: 0.5,
            packet_beats: (1, 4),
            backpressure: 0.2,
            unroutable: 0.1,
            poisoned: 0.0,
            mix: [4, 1, 1],
            malformed: 0.02,
            completers: true,
        };
        let options = HarnessOptions {
            drain: Some(2000),
            sink_hdr_credits: 6,
            sink_data_credits: 32,
            ..HarnessOptions::default()
        };
        let what = format!("{ports} ports, upstream {upstream}, {data_width} bits, {forwarding:?}");
        let r = run_harness(&cfg, traffic, options, 2000, 3)
            .unwrap_or_else(|f| panic!("{what}: cycle {}: {}", f.cycle, f.message));
        let downstream = (ports - 1) as u64;
        assert!(
            r.broadcast_copies >= 10 * downstream && r.broadcast_copies % downstream == 0,
            "{what}: {} broadcast copies for {downstream} downstream ports",
            r.broadcast_copies
        );
        assert!(r.drops > 0, "{what}: no message dropped");
    }
}
