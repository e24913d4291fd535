//! Hand-written idiomatic Verilog of benchmark designs (`peers/verilog/`):
//! what a designer would write for the same function, with the same top
//! module name and ports as the Verilog linkforge emits, so Verilator runs
//! it in the same harness with the same stimulus and checksum.

/// The `counter` design: `counter_w32` (32 bits, wrapping, enable and clear).
pub const COUNTER_W32: &str = include_str!("../../../peers/verilog/counter_w32.v");

/// The `crossbar` design: `crossbar_p8_w64` (8 ports x 64 bits, registered,
/// an indexed array per output).
pub const CROSSBAR_P8_W64: &str = include_str!("../../../peers/verilog/crossbar_p8_w64.v");
