//! A testbench as a property: run it on many random stimuli; when one
//! fails, shrink it to a minimal failing case and replay that case with a
//! waveform.
//!
//! A stimulus is what a [`Testbench`] consumes: per cycle,
//! [`Testbench::words_per_cycle`] random 64-bit words. proptest draws cases
//! of 1 to `max_cycles` cycles and shrinks a failing one (fewer cycles,
//! smaller words) while it still fails.
//!
//! ```no_run
//! use linkforge_verif::check::{self, CheckConfig};
//! use linkforge_verif::props::live::LiveRules;
//! use linkforge_verif::tb;
//! # fn demo(design: &linkforge_hdl::Design, params: &linkforge_rtl::catalog::Params)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! let mut testbench = tb::for_kind("crossbar", params, design)?;
//! testbench.for_short_cases();
//! let rules = LiveRules::of(params, design)?;
//! let found = check::run(&*testbench, design, &rules, &CheckConfig::default())?;
//! if let Some(case) = found {
//!     check::replay(&*testbench, design, &case, std::path::Path::new("min.vcd"), Default::default())?;
//!     panic!("{}\n{}", case.message, case.describe());
//! }
//! # Ok(()) }
//! ```

use crate::props::live::LiveRules;
use crate::tb::Testbench;
use crate::{Engine, Sim, SimError};
use linkforge_hdl::Design;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use std::path::Path;

/// How many cases, how long, from which seed, on which engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckConfig {
    /// Random cases to run.
    pub cases: u32,
    /// Cycles of the longest case.
    pub max_cycles: usize,
    /// The seed of the case generator: the same seed draws the same cases.
    pub seed: u64,
    /// The simulation engine each case runs on.
    pub engine: Engine,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            cases: 64,
            max_cycles: 256,
            seed: 1,
            engine: Engine::default(),
        }
    }
}

/// A minimal failing case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    /// The failing check, as `cycle N: message`.
    pub message: String,
    /// The case's stimulus words, cycle by cycle.
    pub stimulus: Vec<Vec<u64>>,
}

impl Counterexample {
    /// Cycles of the case.
    pub fn cycles(&self) -> usize {
        self.stimulus.len()
    }

    /// A short rendering of the stimulus: the first 16 cycles' words in hex.
    pub fn describe(&self) -> String {
        let mut s = format!("minimal case: {} cycles\n", self.cycles());
        for (c, words) in self.stimulus.iter().enumerate().take(16) {
            let hex: Vec<String> = words.iter().map(|w| format!("{w:x}")).collect();
            s.push_str(&format!("  cycle {c}: [{}]\n", hex.join(", ")));
        }
        if self.stimulus.len() > 16 {
            s.push_str(&format!("  ... {} more cycles\n", self.stimulus.len() - 16));
        }
        s
    }
}

/// Why a check could not reach a verdict.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The case runner gave up (proptest's abort, such as too many rejects).
    #[error("the property run stopped: {0}")]
    Aborted(String),
    /// The simulator could not be built or traced.
    #[error(transparent)]
    Sim(#[from] SimError),
}

/// Runs `config.cases` random cases of `testbench` (with `rules` checked
/// live) on `design`: `None` when every case passed, else the minimal
/// failing case.
pub fn run(
    testbench: &dyn Testbench,
    design: &Design,
    rules: &LiveRules,
    config: &CheckConfig,
) -> Result<Option<Counterexample>, CheckError> {
    let words = testbench.words_per_cycle();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&config.seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let proptest_config = Config {
        cases: config.cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(proptest_config, rng);
    let strategy = prop::collection::vec(
        prop::collection::vec(any::<u64>(), words),
        1..=config.max_cycles.max(1),
    );
    let outcome = runner.run(&strategy, |stimulus| {
        let mut sim = Sim::with_engine(design, config.engine)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut stream = stimulus.iter().flatten().copied();
        rules
            .run(
                testbench,
                &mut sim,
                stimulus.len() as u64,
                &mut stream,
                &mut |_| {},
            )
            .map(|_| ())
            .map_err(|f| TestCaseError::fail(f.to_string()))
    });
    match outcome {
        Ok(()) => Ok(None),
        Err(TestError::Abort(reason)) => Err(CheckError::Aborted(reason.to_string())),
        Err(TestError::Fail(reason, stimulus)) => Ok(Some(Counterexample {
            message: reason.to_string(),
            stimulus,
        })),
    }
}

/// Re-runs `case` on `testbench` with the whole design traced to `wave`
/// (VCD or FST by its extension). The case's failure is what is being
/// replayed, so only an error building or tracing the simulator is
/// returned.
pub fn replay(
    testbench: &dyn Testbench,
    design: &Design,
    case: &Counterexample,
    wave: &Path,
    engine: Engine,
) -> Result<(), SimError> {
    let mut sim = Sim::with_engine(design, engine)?;
    sim.trace_whole(wave)?;
    let mut stream = case.stimulus.iter().flatten().copied();
    let _ = testbench.run(&mut sim, case.cycles() as u64, &mut stream, &mut |_| {});
    sim.close_trace()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_hdl::prelude::*;
    use linkforge_hdl::Value as _;
    use linkforge_rtl::catalog::{Params, Value};

    /// A "crossbar" whose outputs ignore their selects: always input 0.
    fn broken_crossbar() -> Design {
        let mut m = ModuleBuilder::new("broken");
        m.clock("clk");
        m.reset("rst");
        let ins: Vec<Signal> = (0..2).map(|i| m.input(format!("in{i}"), 8)).collect();
        for o in 0..2 {
            let sel = m.input(format!("sel{o}"), 1);
            let out = m.output(format!("out{o}"), 8);
            let q = m.reg(format!("q{o}"), 8).reset(0);
            m.next(q, ins[0] ^ (sel & lit(0, 1)).zext(8));
            m.assign(out, q);
        }
        Design::new(m.finish().unwrap()).unwrap()
    }

    #[test]
    fn a_failing_property_is_shrunk_and_its_waveform_written() {
        let params = Params(
            [("ports", Value::Int(2)), ("data_width", Value::Int(8))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        let design = broken_crossbar();
        let testbench = crate::tb::for_kind("crossbar", &params, &design).unwrap();
        let rules = LiveRules::of(&params, &design).unwrap();
        let config = CheckConfig {
            cases: 64,
            max_cycles: 32,
            seed: 7,
            engine: Engine::Interpreter,
        };
        let case = run(&*testbench, &design, &rules, &config)
            .unwrap()
            .expect("the broken crossbar fails its property");
        assert!(case.message.contains("expected"), "{}", case.message);
        // Shrunk: reset (2 cycles) plus the cycle that selects input 1, plus the
        // cycle whose output is checked.
        assert!(case.cycles() <= 4, "not shrunk: {} cycles", case.cycles());
        let dir = tempfile::tempdir().unwrap();
        let wave = dir.path().join("broken.check.vcd");
        replay(&*testbench, &design, &case, &wave, Engine::Interpreter).unwrap();
        assert!(wave.exists());
        assert!(case
            .describe()
            .starts_with(&format!("minimal case: {} cycles", case.cycles())));
    }
}
