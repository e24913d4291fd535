//! Tests of the `ethernet` family: the Ethernet 64b/66b PCS blocks and the composed PCS.

#[path = "../support/mod.rs"]
mod support;

mod blocks;
mod pcs;
mod sequence;
