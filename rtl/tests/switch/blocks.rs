//! Switch blocks: every block's Verilog through the tools, and bad
//! parameters rejected with an error.

use crate::support::check_verilog;
use linkforge_rtl::switch::credit::{credit_port, CreditPortConfig};
use linkforge_rtl::switch::input_queue::{input_queue, Forwarding, InputQueueConfig, Queueing};
use linkforge_rtl::switch::route::{route_table, RouteTableConfig};
use linkforge_rtl::switch::scheduler::{scheduler, SchedPolicy, SchedulerConfig};
use linkforge_rtl::switch::switch::{switch, SwitchConfig};

/// A small switch with the given queueing and scheduler.
pub fn small_switch(ports: usize, queueing: Queueing, policy: SchedPolicy) -> SwitchConfig {
    SwitchConfig {
        ports,
        data_width: 64,
        queue_depth: 64,
        queueing,
        policy,
        forwarding: Forwarding::StoreAndForward,
        max_packet_beats: 8,
        default_port: None,
        upstream_port: None,
        credits: None,
    }
}

#[test]
fn verilog_tools_accept_the_switch_blocks() {
    check_verilog(credit_port(
        "credit_port",
        &CreditPortConfig {
            hdr_credits: 32,
            data_credits: 256,
        },
    ));
    check_verilog(route_table(
        "route_table",
        &RouteTableConfig {
            ports: 4,
            default_port: Some(3),
        },
    ));
    for (queues, forwarding) in [
        (1, Forwarding::StoreAndForward),
        (4, Forwarding::CutThrough),
    ] {
        check_verilog(input_queue(
            "input_queue",
            &InputQueueConfig {
                queues,
                width: 64,
                depth: 12,
                tag_width: 8,
                forwarding,
            },
        ));
    }
    for policy in [
        SchedPolicy::Islip { iterations: 3 },
        SchedPolicy::RoundRobin,
        SchedPolicy::Weighted(vec![1, 2, 3, 4]),
        SchedPolicy::Priority,
    ] {
        check_verilog(scheduler("sched", &SchedulerConfig { ports: 4, policy }));
    }
    check_verilog(switch(
        "sw_voq",
        &small_switch(4, Queueing::Voq, SchedPolicy::Islip { iterations: 2 }),
    ));
    check_verilog(switch(
        "sw_fifo",
        &small_switch(4, Queueing::Fifo, SchedPolicy::RoundRobin),
    ));
    check_verilog(switch(
        "sw_cut_through",
        &SwitchConfig {
            forwarding: Forwarding::CutThrough,
            ..small_switch(4, Queueing::Voq, SchedPolicy::Islip { iterations: 1 })
        },
    ));
}
