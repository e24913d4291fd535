//! Helpers shared by the block tests: the external Verilog tools, a small
//! testbench wrapper around the simulator, and proptest case counts.
//!
//! A missing tool fails the test when `CI` is set; elsewhere the test prints
//! that it skipped the tool and why.

#![allow(dead_code)]

use linkforge_hdl::{Design, HdlError, Module};
pub use linkforge_verif::tools::*;
use linkforge_verif::Sim;

/// Writes `module` as Verilog to a temporary directory and runs every
/// installed tool on it; panics with every failure.
pub fn check_verilog(module: Result<Module, HdlError>) {
    let design = Design::new(module.expect("the block builds")).expect("the design is valid");
    let top = design.top().name.clone();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(format!("{top}.v"));
    std::fs::write(&path, linkforge_hdl::verilog::emit(&design)).expect("write Verilog");
    let errors = all_tools(&path, &top);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Proptest cases: `PROPTEST_CASES` when set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A simulator over one block, with panicking pokes and peeks by port name
/// (a panic fails the proptest case, which proptest then shrinks).
pub struct Tb(pub Sim);

impl Tb {
    /// Builds and compiles the block.
    pub fn new(module: Result<Module, HdlError>) -> Tb {
        let design = Design::new(module.expect("the block builds")).expect("the design is valid");
        Tb(Sim::new(&design).expect("the simulator compiles the design"))
    }

    /// Sets input `port`.
    pub fn set(&mut self, port: &str, value: u64) {
        self.0.poke(port, value).expect("poke");
    }

    /// Reads output `port`.
    pub fn get(&mut self, port: &str) -> u64 {
        self.0.peek(port).expect("peek")
    }

    /// Reads 1-bit output `port`.
    pub fn flag(&mut self, port: &str) -> bool {
        self.get(port) == 1
    }

    /// Simulates the next rising edge.
    pub fn step(&mut self) {
        self.0.step().expect("step");
    }

    /// Rising edges of `clock` so far.
    pub fn cycles(&self, clock: &str) -> u64 {
        self.0.cycles(clock).expect("clock")
    }

    /// Holds `rst` high for two edges of the only clock.
    pub fn reset(&mut self) {
        self.set("rst", 1);
        self.step();
        self.step();
        self.set("rst", 0);
    }
}
