//! Tests of the `switch` family: the fabric switch blocks and the composed switch.

#[path = "../support/mod.rs"]
mod support;

mod blocks;
mod broadcast;
mod completions;
mod credit;
mod crossbar;
mod forwarding;
mod harness_run;
mod input_queue;
mod ordering;
mod route;
mod scheduler;
mod throughput;
mod top;
mod unsupported;
