//! Helpers shared by the block tests: the external Verilog tools, a small
//! testbench wrapper around the simulator, proptest case counts and an
//! AXI4-Lite read.
//!
//! A missing tool fails the test in a CI run; elsewhere the test reports a
//! skip with the reason ([`linkforge_verif::testenv`]).

#![allow(dead_code)]

use linkforge_hdl::{Design, HdlError, Module};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::cycle::{CycleModel, CycleTb};
use linkforge_verif::tb::{Outcome, Testbench};
pub use linkforge_verif::tools::*;
use linkforge_verif::Sim;
use proptest::prelude::*;

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

/// Runs `model`'s testbench ([`CycleTb`]) on `module` for `cycles` cycles
/// of stimulus from `words` (zeros once they run out): its outcome, or its
/// failure (a run that compared nothing fails too).
pub fn run_words<M: CycleModel>(
    module: Result<Module, HdlError>,
    model: M,
    cycles: u64,
    words: &mut dyn Iterator<Item = u64>,
) -> Result<Outcome, String> {
    let mut tb = Tb::new(module);
    CycleTb::new(model)
        .run(&mut tb.0, cycles, words, &mut |_| {})
        .and_then(Outcome::judged)
        .map_err(|f| f.to_string())
}

/// [`run_words`] on the xorshift stream from `seed`: the comparisons made.
pub fn run_seeded<M: CycleModel>(
    module: Result<Module, HdlError>,
    model: M,
    cycles: u64,
    seed: u64,
) -> Result<u64, String> {
    run_seeded_outcome(module, model, cycles, seed).map(|o| o.checks_passed)
}

/// [`run_seeded`]'s whole outcome, metrics included.
pub fn run_seeded_outcome<M: CycleModel>(
    module: Result<Module, HdlError>,
    model: M,
    cycles: u64,
    seed: u64,
) -> Result<Outcome, String> {
    run_words(module, model, cycles, &mut XorShift::new(seed))
}

/// Metric `name` of `outcome` as a number (0 when absent).
pub fn metric(outcome: &Outcome, name: &str) -> u64 {
    outcome.metric(name).unwrap_or(0)
}

/// One AXI4-Lite read of `addr` on the `s_axil_*` slave of `sim`: `edge`
/// advances the bus clock by one rising edge (and drives whatever else the
/// design needs meanwhile), `accepting` runs just before the edge that
/// accepts the read. Returns (rdata, rresp).
pub fn axi_read(
    sim: &mut Sim,
    addr: u64,
    edge: &mut dyn FnMut(&mut Sim),
    accepting: &mut dyn FnMut(&mut Sim),
) -> (u64, u64) {
    let poke = |sim: &mut Sim, n: &str, v: u64| sim.poke(&format!("s_axil_{n}"), v).expect("poke");
    let peek = |sim: &mut Sim, n: &str| sim.peek(&format!("s_axil_{n}")).expect("peek");
    poke(sim, "araddr", addr);
    poke(sim, "arvalid", 1);
    poke(sim, "rready", 0);
    while peek(sim, "arready") == 0 {
        edge(sim);
    }
    accepting(sim);
    edge(sim);
    poke(sim, "arvalid", 0);
    while peek(sim, "rvalid") == 0 {
        edge(sim);
    }
    let got = (peek(sim, "rdata"), peek(sim, "rresp"));
    poke(sim, "rready", 1);
    edge(sim);
    poke(sim, "rready", 0);
    got
}

/// [`run_words`] on proptest's `words`, failing the case.
pub fn run_model<M: CycleModel>(
    module: Result<Module, HdlError>,
    model: M,
    cycles: u64,
    words: &[u64],
) -> Result<Outcome, TestCaseError> {
    run_words(module, model, cycles, &mut words.iter().copied()).map_err(TestCaseError::fail)
}
