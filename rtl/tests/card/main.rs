//! Tests of the `card` family: the card: its shared register bus and its Ethernet/switch bridges.

#[path = "../support/mod.rs"]
mod support;

mod bridge;
mod interconnect;
