//! Tests of the `telemetry` family: register blocks and the telemetry wiring of the IP blocks.

#[path = "../support/mod.rs"]
mod support;

mod regblock;
mod wiring;
