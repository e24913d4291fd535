//! Tests of the `cxl` family: the CXL memory controller blocks and the composed controller.

#[path = "../support/mod.rs"]
mod support;

mod backend;
mod blocks;
mod channel;
mod controller;
mod hdm;
mod tracker;
