//! Throughput of the composed switch under uniform traffic of one-beat
//! packets, against the cycle-level reference model
//! (`tb::switch::throughput`) run on the same configuration and traffic:
//! iSLIP on virtual output queues reaches the floors (0.93 at
//! saturation and 0.88 at load 0.9 with one iteration, 0.95 with two), one
//! FIFO per input stays at the head-of-line blocking limit (Karol et al.
//! 1987: 0.618 for 8 ports).

use crate::harness_run::run_harness;
use linkforge_rtl::switch::input_queue::{Forwarding, Queueing};
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::HarnessOptions;
use linkforge_verif::tb::switch::throughput::ThroughputModel;

/// Saturated uniform one-beat traffic (TLPs of four DWs at most in a
/// 128-bit beat), no backpressure. The requests go unanswered: a read's
/// completions would be TLPs of several beats, and the reference model
/// offers none.
fn saturated() -> TrafficConfig {
    TrafficConfig {
        pattern: Pattern::Uniform,
        load: 1.0,
        packet_beats: (1, 1),
        backpressure: 0.0,
        unroutable: 0.0,
        poisoned: 0.0,
        mix: [1, 1, 1],
        malformed: 0.0,
        completers: false,
    }
}

fn config(ports: usize, queueing: Queueing, policy: SchedPolicy) -> SwitchConfig {
    SwitchConfig {
        ports,
        data_width: 128,
        queue_depth: 256,
        queueing,
        policy,
        forwarding: Forwarding::StoreAndForward,
        max_packet_beats: 8,
        default_port: None,
        upstream_port: None,
        credits: None,
    }
}

fn throughput(cfg: &SwitchConfig, cycles: u64) -> f64 {
    let r = run_harness(cfg, saturated(), HarnessOptions::default(), cycles, 7)
        .unwrap_or_else(|f| panic!("cycle {}: {}", f.cycle, f.message));
    println!(
        "{} ports, {:?}, {:?}: throughput {:.4}, mean latency {:.1}, max latency {}",
        cfg.ports, cfg.queueing, cfg.policy, r.throughput, r.mean_latency, r.max_latency
    );
    r.throughput
}

/// The configuration the docs name for the scheduling figures: 8 ports,
/// 128-bit beats, a 64-beat input buffer whose credits nearly all go to
/// non-posted headers, offered one-beat reads (header-only TLPs).
fn figures_config(queueing: Queueing, policy: SchedPolicy) -> SwitchConfig {
    SwitchConfig {
        ports: 8,
        data_width: 128,
        queue_depth: 64,
        queueing,
        policy,
        forwarding: Forwarding::StoreAndForward,
        max_packet_beats: 1,
        default_port: None,
        upstream_port: None,
        credits: Some([1, 1, 58, 1, 1, 1]),
    }
}

/// The hardware's throughput and the reference model's, same traffic.
fn against_model(queueing: Queueing, policy: SchedPolicy, load: f64) -> (f64, f64) {
    let cfg = figures_config(queueing, policy.clone());
    let traffic = TrafficConfig {
        load,
        mix: [0, 1, 0],
        ..saturated()
    };
    let r = run_harness(&cfg, traffic, HarnessOptions::default(), 10_000, 7)
        .unwrap_or_else(|f| panic!("cycle {}: {}", f.cycle, f.message));
    let model = ThroughputModel {
        ports: 8,
        queueing,
        policy: policy.clone(),
        headers: [1, 58, 1],
        mix: [0, 1, 0],
        load,
        own_port: true,
    }
    .run(10_000, 7);
    println!(
        "{queueing:?}, {policy:?}, load {load}: switch {:.4}, reference {:.4}",
        r.throughput, model.throughput
    );
    (r.throughput, model.throughput)
}

#[test]
fn islip_reaches_the_reference_models_figures() {
    for (iterations, load, floor) in [(1, 1.0, 0.93), (1, 0.9, 0.88), (2, 1.0, 0.95)] {
        let policy = SchedPolicy::Islip { iterations };
        let (switch, model) = against_model(Queueing::Voq, policy, load);
        assert!(
            switch >= floor,
            "iSLIP x{iterations} at load {load}: {switch:.4} < {floor}"
        );
        assert!(
            (switch - model).abs() < 0.02,
            "iSLIP x{iterations} at load {load}: switch {switch:.4}, reference {model:.4}"
        );
    }
}

#[test]
fn one_fifo_per_input_suffers_head_of_line_blocking() {
    // Karol et al. 1987: 0.6184 for 8 ports.
    let (switch, model) = against_model(Queueing::Fifo, SchedPolicy::RoundRobin, 1.0);
    assert!(
        (switch - 0.618).abs() < 0.03 && (switch - model).abs() < 0.02,
        "8 ports, fifo: switch {switch:.4}, reference {model:.4}, Karol 0.618"
    );
}

#[test]
fn mixed_classes_on_a_deep_buffer_keep_islip_near_full_throughput() {
    let cfg = config(8, Queueing::Voq, SchedPolicy::Islip { iterations: 2 });
    let t = throughput(&cfg, 2500);
    assert!(t >= 0.95, "8 ports: throughput {t:.4} < 0.95");
}
