//! Throughput of the composed switch under saturated uniform traffic of
//! one-beat packets (every input always has a packet waiting): virtual
//! output queues with iSLIP reach at least 0.95 packets per output per
//! cycle at 8 and 16 ports; one FIFO per input stays near the
//! head-of-line blocking limit (2 - sqrt(2) = 0.586 for large N).

use crate::harness_run::run_harness;
use linkforge_rtl::switch::input_queue::Queueing;
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::HarnessOptions;

/// Saturated uniform one-beat traffic (TLPs of four DWs at most in a
/// 128-bit beat), no backpressure.
fn saturated() -> TrafficConfig {
    TrafficConfig {
        pattern: Pattern::Uniform,
        load: 1.0,
        packet_beats: (1, 1),
        backpressure: 0.0,
        unroutable: 0.0,
        poisoned: 0.0,
    }
}

fn config(ports: usize, queueing: Queueing, policy: SchedPolicy) -> SwitchConfig {
    SwitchConfig {
        ports,
        data_width: 128,
        queue_depth: 256,
        queueing,
        policy,
        max_packet_beats: 8,
        default_port: None,
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

#[test]
fn voq_with_islip_reaches_095_at_8_and_16_ports() {
    for (ports, iterations) in [(8, 2), (16, 2)] {
        let cfg = config(ports, Queueing::Voq, SchedPolicy::Islip { iterations });
        let t = throughput(&cfg, 2500);
        assert!(t >= 0.95, "{ports} ports: throughput {t:.4} < 0.95");
    }
}

#[test]
fn one_fifo_per_input_suffers_head_of_line_blocking() {
    let cfg = config(16, Queueing::Fifo, SchedPolicy::RoundRobin);
    let t = throughput(&cfg, 2500);
    assert!(
        (0.55..0.65).contains(&t),
        "16 ports, fifo: throughput {t:.4} is not near the HOL limit 0.586-0.60"
    );
}
