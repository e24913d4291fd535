//! Testbenches of the CXL family: the blocks' own ([`blocks`]), and the
//! controller's: the traffic
//! [`harness`] with two or more hosts sending random
//! reads, full and partial writes (some poisoned), invalidates and
//! speculative reads, reusing tags, under response backpressure, while
//! capacity is added and released; everything is scored against the
//! reference memory model ([`model`]). After the requested cycles of traffic the
//! hosts stop and every request must be answered. Any mismatch, isolation
//! violation or design assertion fails the run.

pub mod blocks;
pub mod harness;
pub mod model;

use crate::tb::dut::Dut;
use crate::tb::{assertions_held, Failure, Outcome, Testbench};
use crate::Sim;
use harness::{Harness, HarnessOptions};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::cxl::controller::ControllerConfig;
use linkforge_rtl::RtlError;

/// Traffic and scoreboard of a controller variant.
pub struct CxlTb {
    harness: Harness,
    /// Prefix of the controller's ports in the design.
    prefix: String,
}

impl CxlTb {
    /// The testbench of the controller `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Self::prefixed(params, "")
    }

    /// The testbench of a controller whose ports are named `PREFIX` + port
    /// in the design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Result<Self, RtlError> {
        let cfg = ControllerConfig::from_params(params)?;
        Ok(CxlTb {
            harness: Harness::new(cfg, HarnessOptions::default()),
            prefix: prefix.to_string(),
        })
    }
}

impl Testbench for CxlTb {
    fn words_per_cycle(&self) -> usize {
        self.harness.words_per_cycle()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let r = self.harness.run(
            &mut Dut::prefixed(sim, &self.prefix),
            cycles,
            words,
            progress,
        )?;
        assertions_held(sim)?;
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
