//! Unroutable requests: a read to an address no port claims comes back to
//! its requester as a completion with status UR (completer ID of the port,
//! the read's requester ID, tag and lower address, checked beat for beat
//! against the testbench's own UR completion), its non-posted credits
//! return when the completion leaves, and `rx{p}_ur` counts it; unroutable
//! posted writes and completions are dropped and counted by `rx{p}_drops`.

use crate::harness_run::run_harness;
use linkforge_hdl::{Bits, Design};
use linkforge_rtl::switch::input_queue::{Forwarding, Queueing};
use linkforge_rtl::switch::route::{reg_addr, REG_ID, REG_MEM_BASE, REG_MEM_LIMIT};
use linkforge_rtl::switch::scheduler::SchedPolicy;
use linkforge_rtl::switch::switch::{switch, SwitchConfig};
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_verif::cosim::{self, ClockSpec, Stimulus};
use linkforge_verif::tb::switch::harness::HarnessOptions;
use linkforge_verif::tb::switch::tlp::{self, status};

#[test]
fn reads_no_port_claims_are_answered_with_ur_completions() {
    for (data_width, queueing, upstream_port) in [
        (64, Queueing::Voq, None),
        (128, Queueing::Fifo, Some(0)),
        (256, Queueing::Voq, Some(2)),
    ] {
        let cfg = SwitchConfig {
            ports: 4,
            data_width,
            queue_depth: 64,
            queueing,
            policy: SchedPolicy::Islip { iterations: 1 },
            forwarding: Forwarding::StoreAndForward,
            max_packet_beats: 4,
            default_port: None,
            upstream_port,
            credits: None,
        };
        let traffic = TrafficConfig {
            pattern: Pattern::Uniform,
            load: 0.5,
            packet_beats: (1, 3),
            backpressure: 0.2,
            unroutable: 0.4,
            poisoned: 0.1,
            mix: [1, 1, 1],
            malformed: 0.0,
            completers: true,
        };
        let options = HarnessOptions {
            drain: Some(2000),
            ..HarnessOptions::default()
        };
        let r = run_harness(&cfg, traffic, options, 600, 11)
            .unwrap_or_else(|f| panic!("{data_width} bits: cycle {}: {}", f.cycle, f.message));
        assert!(
            r.ur_completions > 20 && r.drops > 20,
            "{data_width} bits: {} UR completions, {} drops",
            r.ur_completions,
            r.drops
        );
    }
}

/// Malformed TLPs (a DW more than the header says, a reserved Type) among
/// good ones, unroutable ones and UR-answered reads, at 64, 128 and 256
/// bits: each is dropped and counted, draws no completion and returns its
/// credits, and the port goes on carrying the good ones. With store and
/// forward one TLP in eight is nullified by the link partner: it is
/// discarded as if never sent (no counter, no credits returned). With
/// cut-through a TLP found malformed after its start beat leaves ended by
/// the nullify flag and gives back the output's credits: the sinks
/// advertise 8 headers per class, so credits lost with nullified TLPs
/// would stall the outputs within the run.
#[test]
fn malformed_tlps_are_dropped_counted_and_never_wedge_a_port() {
    for (data_width, queueing, forwarding) in [
        (64, Queueing::Fifo, Forwarding::StoreAndForward),
        (128, Queueing::Voq, Forwarding::StoreAndForward),
        (256, Queueing::Voq, Forwarding::StoreAndForward),
        (64, Queueing::Voq, Forwarding::CutThrough),
        (128, Queueing::Fifo, Forwarding::CutThrough),
        (256, Queueing::Voq, Forwarding::CutThrough),
    ] {
        let cfg = SwitchConfig {
            ports: 3,
            data_width,
            queue_depth: 64,
            queueing,
            policy: SchedPolicy::Islip { iterations: 2 },
            forwarding,
            max_packet_beats: 4,
            default_port: None,
            upstream_port: None,
            credits: None,
        };
        let traffic = TrafficConfig {
            pattern: Pattern::Uniform,
            load: 0.6,
            packet_beats: (1, 4),
            backpressure: 0.1,
            unroutable: 0.2,
            poisoned: 0.1,
            mix: [1, 1, 1],
            malformed: 0.3,
            completers: true,
        };
        let options = HarnessOptions {
            drain: Some(2000),
            sink_hdr_credits: 8,
            sink_data_credits: 64,
            nullify_one_in: (forwarding == Forwarding::StoreAndForward).then_some(8),
            ..HarnessOptions::default()
        };
        let r = run_harness(&cfg, traffic, options, 800, 5).unwrap_or_else(|f| {
            panic!(
                "{data_width} bits, {forwarding:?}: cycle {}: {}",
                f.cycle, f.message
            )
        });
        let nullified_ok = match forwarding {
            Forwarding::StoreAndForward => r.nullified == 0,
            Forwarding::CutThrough => r.nullified > 10,
        };
        assert!(
            r.malformed > 50 && r.delivered > 200 && r.ur_completions > 10 && nullified_ok,
            "{data_width} bits, {forwarding:?}: {} malformed ({} nullified), {} delivered, \
             {} UR completions",
            r.malformed,
            r.nullified,
            r.delivered,
            r.ur_completions
        );
    }
}

/// A 2-port switch at 128 bits: port 1 claims 16..32 MB, port 0 gets ID
/// C000h; one MRd of 4 DW to 80 MB enters port 0. On the built-in
/// simulator and on Icarus over the emitted Verilog (compared output by
/// output, step by step) port 0 sends back the UR completion.
#[test]
fn a_read_no_port_claims_returns_ur_on_icarus_too() {
    let cfg = SwitchConfig {
        ports: 2,
        data_width: 128,
        queue_depth: 24,
        queueing: Queueing::Voq,
        policy: SchedPolicy::Islip { iterations: 1 },
        forwarding: Forwarding::StoreAndForward,
        max_packet_beats: 2,
        default_port: None,
        upstream_port: None,
        credits: None,
    };
    let design = Design::new(switch("sw", &cfg).expect("builds")).expect("valid design");
    let top = design.top();
    let request = tlp::mem_read(0x0500_0000, 0x0100, 0x2A, 4);
    let want = tlp::completion(0xC000, status::UR, 16, 0x0100, 0x2A, 0, &[]);
    let want = &tlp::to_beats(&want, 128, || 0)[0];
    let writes = [
        (reg_addr(1, REG_MEM_BASE), 0x010),
        (reg_addr(1, REG_MEM_LIMIT), 0x01F),
        (reg_addr(0, REG_ID), 0xC000),
    ];
    let send = 2 + writes.len();
    let steps: Vec<Vec<Bits>> = (0..send + 20)
        .map(|s| {
            cosim::data_inputs(top)
                .iter()
                .map(|&(name, w)| {
                    let write = s.checked_sub(2).and_then(|k| writes.get(k));
                    let v = match name {
                        "rst" => u64::from(s < 2),
                        "cfg_we" => u64::from(write.is_some()),
                        "cfg_addr" => write.map_or(0, |w| w.0),
                        "cfg_wdata" => write.map_or(0, |w| w.1),
                        "rx0_valid" | "rx0_sop" | "rx0_eop" => u64::from(s == send),
                        "rx0_keep" => tlp::keeps(request.len(), 128)[0],
                        "rx0_data" => return tlp::to_beats(&request, 128, || 0)[0].clone(),
                        n if n.ends_with("_ready") => 1,
                        n if n.contains("_fc_") => 64,
                        _ => 0,
                    };
                    Bits::from_u64_wrapping(v, w)
                })
                .collect()
        })
        .collect();
    let clocks = vec![ClockSpec {
        name: "clk".into(),
        period_ps: 1000,
        phase_ps: 0,
    }];
    let stim = Stimulus::new(clocks, steps);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let ours = cosim::run_builtin(&design, &stim).expect("the built-in simulator runs");
    let theirs = cosim::icarus::run(&design, &stim, dir.path()).expect("Icarus runs");
    let unreset = cosim::unknowns::fed_by_unreset_state(&design);
    cosim::compare_traces(&ours, &theirs, &unreset, stim.settled())
        .verdict()
        .unwrap_or_else(|why| panic!("Icarus disagrees: {why}"));
    let at = |name: &str| theirs.outputs.iter().position(|o| o == name).expect(name);
    let (valid, sop, eop, data, keep) = (
        at("tx0_valid"),
        at("tx0_sop"),
        at("tx0_eop"),
        at("tx0_data"),
        at("tx0_keep"),
    );
    let high = |row: &[Option<Bits>], i: usize| row[i].as_ref().is_some_and(|b| b.low_u64() == 1);
    let sent: Vec<&Bits> = theirs
        .steps
        .iter()
        .filter(|row| high(row, valid))
        .map(|row| {
            assert!(high(row, sop) && high(row, eop), "a one-beat completion");
            let keep = row[keep].as_ref().map(Bits::low_u64);
            assert_eq!(keep, Some(0b0111), "the completion's three DWs kept");
            row[data].as_ref().expect("known data")
        })
        .collect();
    assert_eq!(sent, [want], "port 0 sends exactly the UR completion");
}
