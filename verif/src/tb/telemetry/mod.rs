//! Testbenches of the telemetry family. The register-block testbench: the
//! bus [`harness`] drives random AXI4-Lite reads and
//! writes with random valid/ready timing and backpressure, random hardware
//! inputs and a temperature sensor model on every `ro` field an alert
//! watches, and compares every response, `irq` and output with the Rust
//! model of the map ([`model`]). Any mismatch fails the run.

pub mod harness;
pub mod model;

use crate::tb::dut::Dut;
use crate::tb::{assertions_held, Failure, Outcome, Testbench};
use crate::Sim;
use harness::Harness;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::telemetry::map::RegMap;
use linkforge_rtl::telemetry::map_from_params;
use linkforge_rtl::RtlError;

/// Bus traffic and scoreboard of a register block.
pub struct RegmapTb {
    map: RegMap,
}

impl RegmapTb {
    /// The testbench of the register map `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Ok(RegmapTb {
            map: map_from_params(params)?,
        })
    }
}

impl Testbench for RegmapTb {
    fn words_per_cycle(&self) -> usize {
        Harness::new(&self.map).words_per_cycle()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let r = Harness::new(&self.map).run(&mut Dut::new(sim), cycles, words, progress)?;
        assertions_held(sim)?;
        Ok(Outcome {
            cycles: r.cycles,
            checks_passed: r.checks,
            metrics: vec![
                ("bus_reads".into(), r.reads.to_string()),
                ("bus_writes".into(), r.writes.to_string()),
                ("slverr".into(), r.slverr.to_string()),
                ("mismatches".into(), r.mismatches.to_string()),
                ("irq_cycles".into(), r.irq_cycles.to_string()),
                ("max_temperature".into(), r.max_temperature.to_string()),
            ],
            pictures: Vec::new(),
        })
    }
}
