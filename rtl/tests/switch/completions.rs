//! Completers on every port: reads of up to four read completion
//! boundaries (RCB) cross the switch between ports and come back as CplDs
//! split at the RCB (64 and 128 bytes) and at the largest payload the
//! switch carries, at 64 and 256 bits, with and without an upstream port.
//! The harness's requester scoreboard (PCIe 2.3.1.1: Byte Count, Lower
//! Address, address order, RCB) judges every completion, and the drain
//! fails if a request is left unanswered; here the reads longer than an
//! RCB show up as more completions than requests.

use crate::harness_run::run_harness;
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::tb::switch::harness::HarnessOptions;

/// A 4-port switch with virtual output queues and two-iteration iSLIP,
/// the catalogue's defaults for everything else.
fn config(data_width: i64, max_packet_beats: i64, upstream_port: i64) -> SwitchConfig {
    let k = catalog::kind("switch").expect("switch is in the catalogue");
    let mut p = Params::defaults(&k.params);
    for (name, v) in [
        ("ports", Value::Int(4)),
        ("data_width", Value::Int(data_width)),
        ("queue_depth", Value::Int(192)),
        ("queueing", Value::Str("voq".into())),
        ("arbiter", Value::Str("islip".into())),
        ("islip_iterations", Value::Int(2)),
        ("max_packet_beats", Value::Int(max_packet_beats)),
        ("upstream_port", Value::Int(upstream_port)),
    ] {
        p.0.insert(name.into(), v);
    }
    SwitchConfig::from_params(&p).expect("a valid switch")
}

#[test]
fn reads_are_answered_once_in_completions_split_at_the_rcb() {
    // Beats enough for a completion of 32 DW (128 bytes) and more; -1 is
    // no upstream port.
    for (data_width, max_packet_beats, rcb, upstream_port) in [
        (64, 20, 64, 0),
        (64, 20, 128, -1),
        (256, 6, 64, -1),
        (256, 6, 128, 2),
    ] {
        let cfg = config(data_width, max_packet_beats, upstream_port);
        assert!(cfg.max_payload_dw() * 4 >= rcb, "a completion holds an RCB");
        let traffic = TrafficConfig {
            pattern: Pattern::Uniform,
            load: 0.3,
            packet_beats: (1, 2),
            backpressure: 0.1,
            unroutable: 0.0,
            poisoned: 0.0,
            mix: [1, 4, 0],
            malformed: 0.0,
            completers: true,
        };
        let options = HarnessOptions {
            rcb,
            drain: Some(2000),
            ..HarnessOptions::default()
        };
        let what = format!("{data_width} bits, RCB {rcb}, upstream port {upstream_port}");
        let r = run_harness(&cfg, traffic, options, 1500, 3)
            .unwrap_or_else(|f| panic!("{what}: cycle {}: {}", f.cycle, f.message));
        println!(
            "{what}: {} requests answered with {} completions",
            r.requests_answered, r.completions
        );
        assert!(r.requests_answered > 100, "{what}: {r:?}");
        // Half the requests are reads of up to 4 RCBs, the rest
        // configuration reads (one completion each): the split reads add
        // at least a tenth.
        assert!(
            r.completions * 10 > r.requests_answered * 11,
            "{what}: {} completions for {} requests",
            r.completions,
            r.requests_answered
        );
    }
}
