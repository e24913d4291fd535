//! Cut-through against store and forward: the same switch, traffic and
//! seed, light load so packets rarely queue. A store-and-forward input
//! holds a packet until its end beat is in; a cut-through input lets it
//! leave once its start beat is, so its mean latency (start beat in to end
//! beat out) is shorter by about the packet's length less one beat.

use crate::harness_run::run_harness;
use linkforge_rtl::switch::input_queue::{Forwarding, Queueing};
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::{HarnessOptions, HarnessReport};

const BEATS: u32 = 8;

fn run(data_width: u32, forwarding: Forwarding) -> HarnessReport {
    let cfg = SwitchConfig {
        ports: 4,
        data_width,
        queue_depth: 128,
        queueing: Queueing::Voq,
        policy: SchedPolicy::Islip { iterations: 1 },
        forwarding,
        max_packet_beats: BEATS,
        default_port: None,
        upstream_port: None,
        credits: None,
    };
    let traffic = TrafficConfig {
        pattern: Pattern::Uniform,
        load: 0.05,
        packet_beats: (BEATS, BEATS),
        backpressure: 0.0,
        unroutable: 0.0,
        poisoned: 0.0,
        mix: [1, 0, 1],
        malformed: 0.0,
        completers: false,
    };
    let options = HarnessOptions {
        drain: Some(2000),
        ..HarnessOptions::default()
    };
    run_harness(&cfg, traffic, options, 3000, 11).unwrap_or_else(|f| {
        panic!(
            "{data_width} bits, {forwarding:?}: cycle {}: {}",
            f.cycle, f.message
        )
    })
}

#[test]
fn cut_through_saves_a_packet_length_of_latency() {
    for data_width in [64, 256] {
        let saf = run(data_width, Forwarding::StoreAndForward);
        let ct = run(data_width, Forwarding::CutThrough);
        eprintln!(
            "{data_width} bits: store and forward {:.2} cycles, cut-through {:.2} (max {} / {})",
            saf.mean_latency, ct.mean_latency, saf.max_latency, ct.max_latency
        );
        for r in [&saf, &ct] {
            assert!(
                r.delivered > 300,
                "{data_width} bits: {} delivered",
                r.delivered
            );
        }
        let saved = saf.mean_latency - ct.mean_latency;
        let want = 0.8 * f64::from(BEATS - 1);
        assert!(
            saved >= want,
            "{data_width} bits: cut-through saves {saved:.2} cycles, want at least {want:.2}"
        );
    }
}
