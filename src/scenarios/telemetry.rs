//! The register-block scenario: the telemetry bench
//! (`linkforge_rtl::telemetry::bench`) drives random AXI4-Lite reads and
//! writes with random valid/ready timing and backpressure, random hardware
//! inputs and a temperature sensor model on every `ro` field an alert
//! watches, and compares every response, `irq` and output with the Rust
//! model of the map. Any mismatch fails the run.

use super::switch::SimIo;
use super::{assertions_held, Failure, Outcome, Scenario};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::telemetry::bench::Bench;
use linkforge_rtl::telemetry::map::RegMap;
use linkforge_rtl::telemetry::map_from_params;
use linkforge_verif::Sim;

/// Bus traffic and scoreboard of a register block.
pub struct RegmapScenario {
    map: RegMap,
}

impl RegmapScenario {
    /// The scenario, when the parameters describe a valid register map.
    pub fn new(params: &Params) -> Option<Self> {
        map_from_params(params)
            .ok()
            .map(|map| RegmapScenario { map })
    }
}

impl Scenario for RegmapScenario {
    fn words_per_cycle(&self) -> usize {
        Bench::new(&self.map).words_per_cycle()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let r = Bench::new(&self.map)
            .run(&mut SimIo(sim), cycles, words, progress)
            .map_err(Failure::from)?;
        assertions_held(sim, r.cycles)?;
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
