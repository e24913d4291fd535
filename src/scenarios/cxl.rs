//! The CXL controller scenario: the controller bench
//! (`linkforge_rtl::cxl::bench`) with two or more hosts sending random
//! reads, full and partial writes (some poisoned), invalidates and
//! speculative reads, reusing tags, under response backpressure, while
//! capacity is added and released; everything is scored against the
//! reference memory model. After the requested cycles of traffic the
//! hosts stop and every request must be answered. Any mismatch, isolation
//! violation or design assertion fails the run.

use super::switch::{PrefixedIo, SimIo};
use super::{assertions_held, Failure, Outcome, Scenario};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::cxl::bench::{Bench, BenchOptions};
use linkforge_rtl::cxl::controller::ControllerConfig;
use linkforge_verif::Sim;

/// Traffic and scoreboard of a controller variant.
pub struct CxlScenario {
    bench: Bench,
    /// Prefix of the controller's ports in the design.
    prefix: String,
}

impl CxlScenario {
    /// The scenario, when the parameters describe a valid controller.
    pub fn new(params: &Params) -> Option<Self> {
        Self::prefixed(params, "")
    }

    /// The scenario of a controller whose ports are named `PREFIX` + port
    /// in the design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Option<Self> {
        let cfg = ControllerConfig::from_params(params).ok()?;
        Some(CxlScenario {
            bench: Bench::new(cfg, BenchOptions::default()),
            prefix: prefix.to_string(),
        })
    }
}

impl Scenario for CxlScenario {
    fn words_per_cycle(&self) -> usize {
        self.bench.words_per_cycle()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let r = self
            .bench
            .run(
                &mut PrefixedIo {
                    io: SimIo(sim),
                    prefix: &self.prefix,
                },
                cycles,
                words,
                progress,
            )
            .map_err(Failure::from)?;
        assertions_held(sim, r.cycles)?;
        if r.mismatches > 0 || r.isolation_violations > 0 {
            return Err(Failure {
                cycle: r.cycles,
                message: format!(
                    "{} mismatches, {} isolation violations; first: {}",
                    r.mismatches,
                    r.isolation_violations,
                    r.first_problem.unwrap_or_default()
                ),
            });
        }
        Ok(Outcome {
            cycles: r.cycles,
            checks_passed: r.checks,
            metrics: vec![
                ("requests".into(), r.requests.to_string()),
                ("mismatches".into(), r.mismatches.to_string()),
                (
                    "read_latency_cycles_mean".into(),
                    format!("{:.2}", r.read_latency_mean),
                ),
                (
                    "isolation_violations".into(),
                    r.isolation_violations.to_string(),
                ),
                (
                    "bandwidth_bytes_per_cycle".into(),
                    format!("{:.2}", r.bandwidth),
                ),
                ("error_responses".into(), r.errors.to_string()),
                ("capacity_changes".into(), r.capacity_changes.to_string()),
            ],
            pictures: Vec::new(),
        })
    }
}
