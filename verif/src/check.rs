//! Properties over random cases: run a body on many cases drawn from a
//! proptest strategy, shrink a failing case to a minimal one, and replay
//! that case with its waveform (and GTKWave save file) written where the
//! user asks.
//!
//! Each case gets a [`Case`]: the simulators the body builds through it
//! check the protocol rules of the interfaces their design declares
//! ([`linkforge_hdl::ModuleBuilder::interface`]) on every cycle, so a body
//! that only drives stimulus and compares outputs still catches a stream
//! that drops `valid` or changes its payload while stalled.
//!
//! ```no_run
//! use linkforge_verif::check::Check;
//! use linkforge_verif::tb::Failure;
//! use proptest::prelude::*;
//! # fn demo(design: &linkforge_hdl::Design) {
//! Check::new()
//!     .cases(200)
//!     .waves("target/waves/counter.vcd")
//!     .assert(prop::collection::vec(any::<bool>(), 1..64), |case, enables| {
//!         let sim = case.sim(design)?;
//!         let mut model = 0u8;
//!         for &en in enables {
//!             sim.poke("en", en as u64)?;
//!             sim.step()?;
//!             model = model.wrapping_add(en as u8);
//!             let got = sim.peek("count")?;
//!             if got != model as u64 {
//!                 return Err(Failure::new(sim, format!("count {got}, model {model}")));
//!             }
//!         }
//!         Ok(())
//!     });
//! # }
//! ```
//!
//! The cases of one run share compiled designs: a case that simulates a
//! design an earlier case compiled (equal by content) starts from that
//! compilation, so only the first case pays for native code generation.
//!
//! [`testbench`] runs a catalogue [`Testbench`] this way (what
//! `linkforge check` does): the case is its random stimulus words.

use crate::models::xorshift::XorShift;
use crate::props::live::{LiveRules, RuleError};
use crate::tb::{Failure, Testbench};
use crate::{Compiled, Engine, Sim, SimError};
use linkforge_hdl::Design;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A property run: how many cases, from which seed, on which engine,
/// and where the minimal failing case's waveform goes.
#[derive(Clone, Debug)]
pub struct Check {
    cases: u32,
    seed: u64,
    engine: Engine,
    waves: Option<PathBuf>,
    interface_rules: bool,
}

impl Default for Check {
    fn default() -> Self {
        Check::new()
    }
}

impl Check {
    /// proptest's case count (256, or `PROPTEST_CASES` when set), seed 1,
    /// the default engine, interface rules on, no waveform.
    pub fn new() -> Check {
        Check {
            cases: Config::default().cases,
            seed: 1,
            engine: Engine::default(),
            waves: None,
            interface_rules: true,
        }
    }

    /// Random cases to run.
    pub fn cases(mut self, cases: u32) -> Check {
        self.cases = cases;
        self
    }

    /// The seed of the case generator: the same seed draws the same cases.
    pub fn seed(mut self, seed: u64) -> Check {
        self.seed = seed;
        self
    }

    /// The engine every case's simulators run on.
    pub fn engine(mut self, engine: Engine) -> Check {
        self.engine = engine;
        self
    }

    /// Replays the minimal failing case with its first simulator traced to
    /// `path` (VCD or FST by its extension, with a `.gtkw` save file beside
    /// it). The file appears only when complete.
    pub fn waves(mut self, path: impl Into<PathBuf>) -> Check {
        self.waves = Some(path.into());
        self
    }

    /// Leaves out the protocol rules of the designs' declared interfaces.
    pub fn without_interface_rules(mut self) -> Check {
        self.interface_rules = false;
        self
    }

    /// Runs `body` on the cases `strategy` draws: `None` when every case
    /// passed, else the minimal failing case (its waveform written first
    /// when [`Check::waves`] asked for one). A run whose cases built no
    /// simulator at all checked nothing and is an error.
    pub fn find<S>(
        &self,
        strategy: S,
        body: impl Fn(&mut Case, &S::Value) -> Result<(), Failure>,
    ) -> Result<Option<Counterexample<S::Value>>, CheckError>
    where
        S: Strategy,
        S::Value: fmt::Debug,
    {
        if self.cases == 0 {
            return Err(CheckError::NoCases);
        }
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&self.seed.to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
        let config = Config {
            cases: self.cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, rng);
        let simulated = std::cell::Cell::new(0usize);
        let compiled = Rc::new(CompiledDesigns::default());
        let outcome = runner.run(&strategy, |value| {
            let mut case = Case::new(self, None, Rc::clone(&compiled));
            let result = body(&mut case, &value);
            simulated.set(simulated.get() + case.sims.len());
            case.finish(result)
                .map_err(|f| TestCaseError::fail(f.to_string()))
        });
        let (message, value) = match outcome {
            Ok(()) if simulated.get() == 0 => return Err(CheckError::NothingSimulated),
            Ok(()) => return Ok(None),
            Err(TestError::Abort(reason)) => return Err(CheckError::Aborted(reason.to_string())),
            Err(TestError::Fail(reason, value)) => (reason.to_string(), value),
        };
        if let Some(path) = &self.waves {
            self.replay(path, &body, &value, compiled)
                .map_err(|why| CheckError::Waves {
                    path: path.clone(),
                    why,
                })?;
        }
        Ok(Some(Counterexample {
            message,
            case: value,
            waves: self.waves.clone(),
        }))
    }

    /// Runs `body` on `value` once more with its first simulator traced to
    /// `path`; the failure is what is being replayed, so only the
    /// waveform's own errors are returned.
    fn replay<T>(
        &self,
        path: &Path,
        body: impl Fn(&mut Case, &T) -> Result<(), Failure>,
        value: &T,
        compiled: Rc<CompiledDesigns>,
    ) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let mut case = Case::new(self, Some(path), compiled);
        let replayed = body(&mut case, value);
        drop(case.finish(replayed));
        let closed = case.close_traces();
        if let Some(e) = case.trace_error.take() {
            return Err(e.to_string());
        }
        closed.map_err(|e| e.to_string())?;
        if case.sims.is_empty() {
            return Err("the replayed case built no simulator".into());
        }
        Ok(())
    }

    /// Like [`Check::find`], for a test: panics with the failure, the
    /// minimal case and the waveform's path (or with why no verdict was
    /// reached).
    #[track_caller]
    pub fn assert<S>(&self, strategy: S, body: impl Fn(&mut Case, &S::Value) -> Result<(), Failure>)
    where
        S: Strategy,
        S::Value: fmt::Debug,
    {
        match self.find(strategy, body) {
            Ok(None) => {}
            Ok(Some(counterexample)) => panic!("{counterexample}"),
            Err(e) => panic!("property not checked: {e}"),
        }
    }
}

/// One case of a property run: builds the simulators the body uses, each
/// with its design's interface rules attached, and judges those rules when
/// the body returns.
pub struct Case {
    engine: Engine,
    interface_rules: bool,
    trace: Option<PathBuf>,
    /// Why the replay's waveform could not be started.
    trace_error: Option<SimError>,
    sims: Vec<(Sim, LiveRules)>,
    compiled: Rc<CompiledDesigns>,
}

/// The designs a run's cases compiled, the most recent last, for the
/// run's engine.
#[derive(Default)]
struct CompiledDesigns(RefCell<Vec<(Design, Compiled)>>);

impl CompiledDesigns {
    /// Designs kept: a case may simulate several designs (a reference and
    /// an implementation), and a property may draw a new design per case.
    const KEPT: usize = 4;

    /// `design` compiled for `engine`, compiling it unless kept.
    fn get(&self, design: &Design, engine: Engine) -> Result<Compiled, SimError> {
        let mut kept = self.0.borrow_mut();
        if let Some(i) = kept.iter().position(|(d, _)| d == design) {
            let entry = kept.remove(i);
            let compiled = entry.1.clone();
            kept.push(entry);
            return Ok(compiled);
        }
        let compiled = Compiled::new(design, engine)?;
        if kept.len() == Self::KEPT {
            kept.remove(0);
        }
        kept.push((design.clone(), compiled.clone()));
        Ok(compiled)
    }
}

impl Case {
    fn new(check: &Check, trace: Option<&Path>, compiled: Rc<CompiledDesigns>) -> Case {
        Case {
            engine: check.engine,
            interface_rules: check.interface_rules,
            trace: trace.map(Path::to_path_buf),
            trace_error: None,
            sims: Vec::new(),
            compiled,
        }
    }

    /// A new simulator of `design` on the run's engine, with the rules of
    /// the design's declared interfaces checked on every cycle.
    pub fn sim(&mut self, design: &Design) -> Result<&mut Sim, Failure> {
        let rules = if self.interface_rules {
            LiveRules::of_design(design).map_err(|e| Failure {
                cycle: 0,
                message: e.to_string(),
            })?
        } else {
            LiveRules::default()
        };
        self.sim_with(design, &rules)
    }

    /// A new simulator of `design` with `rules` (instead of its interfaces'
    /// rules) checked on every cycle.
    pub fn sim_with(&mut self, design: &Design, rules: &LiveRules) -> Result<&mut Sim, Failure> {
        let mut sim = Sim::from_compiled(&self.compiled.get(design, self.engine)?);
        if let (Some(path), true) = (&self.trace, self.sims.is_empty()) {
            if let Err(e) = sim.trace_whole(path) {
                self.trace_error = Some(e);
            }
        }
        rules.attach(&mut sim)?;
        self.sims.push((sim, rules.clone()));
        let (sim, _) = self.sims.last_mut().expect("just pushed");
        Ok(sim)
    }

    /// The engine the case's simulators run on.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The body's own failure first, else the earliest rule violation of
    /// any of the case's simulators.
    fn finish(&mut self, body: Result<(), Failure>) -> Result<(), Failure> {
        body?;
        let mut first: Option<Failure> = None;
        for (sim, rules) in &mut self.sims {
            if let Err(f) = rules.judge(sim) {
                if first.as_ref().is_none_or(|g| f.cycle < g.cycle) {
                    first = Some(f);
                }
            }
        }
        first.map_or(Ok(()), Err)
    }

    fn close_traces(&mut self) -> Result<(), SimError> {
        self.sims
            .iter_mut()
            .try_for_each(|(sim, _)| sim.close_trace())
    }
}

/// A minimal failing case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample<T> {
    /// The failing check, as `cycle N: message`.
    pub message: String,
    /// The case, shrunk.
    pub case: T,
    /// The waveform of its replay, when one was asked for.
    pub waves: Option<PathBuf>,
}

impl<T: fmt::Debug> fmt::Display for Counterexample<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "property failed: {}", self.message)?;
        writeln!(f, "minimal case: {:?}", self.case)?;
        if let Some(path) = &self.waves {
            let save = path.with_extension("gtkw");
            writeln!(
                f,
                "waveform: {} (gtkwave {} {})",
                path.display(),
                path.display(),
                save.display()
            )?;
        }
        Ok(())
    }
}

/// Why a property run reached no verdict.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Zero cases would check nothing.
    #[error("a property run needs at least one case")]
    NoCases,
    /// Every case passed without building a simulator: nothing was checked.
    #[error("no case built a simulator (Case::sim): nothing was checked")]
    NothingSimulated,
    /// Every case passed but the testbench compared nothing in any of them.
    #[error("every case passed but the testbench compared nothing: no verdict")]
    NothingCompared,
    /// The case runner gave up (proptest's abort, such as too many rejects).
    #[error("the property run stopped: {0}")]
    Aborted(String),
    /// The minimal case's waveform could not be written.
    #[error("waveform {}: {why}", path.display())]
    Waves {
        /// The waveform asked for.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// A protocol rule could not be built.
    #[error(transparent)]
    Rules(#[from] RuleError),
}

/// How many cases of a catalogue testbench, how long, from which seed, on
/// which engine.
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

/// Longest case whose words are held and shrunk one by one; longer cases
/// draw theirs from a seed as they are consumed ([`Stimulus::Drawn`]), so
/// a check's memory does not grow with its cycles.
pub const HELD_CYCLES: usize = 4096;

/// A testbench's random stimulus: per cycle,
/// [`Testbench::words_per_cycle`] 64-bit words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stimulus {
    /// The words, cycle by cycle (cases of at most [`HELD_CYCLES`]).
    Held(Vec<Vec<u64>>),
    /// `cycles` cycles of words from the xorshift64 stream seeded with
    /// `seed` ([`XorShift`]).
    Drawn {
        /// The stream's seed.
        seed: u64,
        /// Cycles of the case.
        cycles: usize,
    },
}

impl Stimulus {
    /// Cycles of the case.
    pub fn cycles(&self) -> usize {
        match self {
            Stimulus::Held(words) => words.len(),
            Stimulus::Drawn { cycles, .. } => *cycles,
        }
    }

    /// The case's words in order, `per_cycle` to a cycle.
    pub fn words(&self, per_cycle: usize) -> Box<dyn Iterator<Item = u64> + '_> {
        match self {
            Stimulus::Held(words) => Box::new(words.iter().flatten().copied()),
            Stimulus::Drawn { seed, cycles } => {
                Box::new(XorShift::new(*seed).take(cycles.saturating_mul(per_cycle)))
            }
        }
    }

    /// A short rendering: the first 16 cycles' words in hex, or the seed.
    pub fn describe(&self) -> String {
        let mut s = format!("minimal case: {} cycles\n", self.cycles());
        match self {
            Stimulus::Held(words) => {
                for (c, words) in words.iter().enumerate().take(16) {
                    let hex: Vec<String> = words.iter().map(|w| format!("{w:x}")).collect();
                    s.push_str(&format!("  cycle {c}: [{}]\n", hex.join(", ")));
                }
                if words.len() > 16 {
                    s.push_str(&format!("  ... {} more cycles\n", words.len() - 16));
                }
            }
            Stimulus::Drawn { seed, .. } => {
                s.push_str(&format!(
                    "  words: the xorshift64 stream from seed {seed:#x}\n"
                ));
            }
        }
        s
    }
}

/// Runs `config.cases` random stimuli of 1 to `config.max_cycles` cycles
/// (at least the testbench's [`Testbench::cycles_needed`]) through
/// `testbench` on `design` with `rules` checked live: `None` when every
/// case passed, else the minimal failing stimulus (fewer cycles, smaller
/// words), replayed into `waves` when given. Cases that all pass without
/// a single comparison between them are [`CheckError::NothingCompared`].
pub fn testbench(
    testbench: &dyn Testbench,
    design: &Design,
    rules: &LiveRules,
    config: &CheckConfig,
    waves: Option<&Path>,
) -> Result<Option<Counterexample<Stimulus>>, CheckError> {
    let shortest = usize::try_from(testbench.cycles_needed())
        .unwrap_or(usize::MAX)
        .max(1);
    let longest = config.max_cycles.max(shortest);
    let per_cycle = testbench.words_per_cycle();
    let strategy = if longest <= HELD_CYCLES {
        prop::collection::vec(
            prop::collection::vec(any::<u64>(), per_cycle),
            shortest..=longest,
        )
        .prop_map(Stimulus::Held)
        .boxed()
    } else {
        // Only the length shrinks: a smaller seed is no simpler a case.
        (any::<u64>().no_shrink(), shortest..=longest)
            .prop_map(|(seed, cycles)| Stimulus::Drawn { seed, cycles })
            .boxed()
    };
    let mut check = Check::new()
        .cases(config.cases)
        .seed(config.seed)
        .engine(config.engine);
    if let Some(path) = waves {
        check = check.waves(path);
    }
    let compared = std::cell::Cell::new(0u64);
    let found = check.find(strategy, |case, stimulus| {
        let sim = case.sim_with(design, rules)?;
        let mut words = stimulus.words(per_cycle);
        let outcome = testbench.run(sim, stimulus.cycles() as u64, &mut words, &mut |_| {})?;
        compared.set(compared.get() + outcome.checks_passed);
        Ok(())
    })?;
    match found {
        None if compared.get() == 0 => Err(CheckError::NothingCompared),
        found => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_hdl::prelude::*;
    use linkforge_hdl::Value as _;
    use linkforge_rtl::catalog::{Params, Value};

    /// A design of one register `width` bits wide.
    fn register(width: u32) -> Design {
        let mut m = ModuleBuilder::new("register");
        m.clock("clk");
        let d = m.input("d", width);
        let q = m.output("q", width);
        let r = m.reg("r", width).no_reset();
        m.next(r, d);
        m.assign(q, r);
        Design::new(m.finish().unwrap()).unwrap()
    }

    #[test]
    fn cases_reuse_a_compiled_design_and_keep_the_most_recent() {
        let compiled = CompiledDesigns::default();
        let kept = || {
            compiled
                .0
                .borrow()
                .iter()
                .map(|(d, _)| d.clone())
                .collect::<Vec<_>>()
        };
        compiled.get(&register(8), Engine::Interpreter).unwrap();
        compiled.get(&register(8), Engine::Interpreter).unwrap();
        assert_eq!(kept(), [register(8)], "an equal design is compiled once");
        for width in 1..=5 {
            compiled.get(&register(width), Engine::Interpreter).unwrap();
        }
        let widths: Vec<Design> = (2..=5).map(register).collect();
        assert_eq!(kept(), widths, "the {} most recent", CompiledDesigns::KEPT);
        compiled.get(&register(3), Engine::Interpreter).unwrap();
        assert_eq!(
            kept().last(),
            Some(&register(3)),
            "a reused design is the most recent"
        );
    }

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

    fn crossbar_params() -> Params {
        Params(
            [("ports", Value::Int(2)), ("data_width", Value::Int(8))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    #[test]
    fn long_cases_draw_their_words_from_a_seed_and_still_shrink() {
        let design = broken_crossbar();
        let params = crossbar_params();
        let bench = crate::tb::for_kind("crossbar", &params).unwrap();
        let config = CheckConfig {
            cases: 4,
            max_cycles: 1_000_000,
            seed: 3,
            engine: Engine::Interpreter,
        };
        let found = testbench(&*bench, &design, &LiveRules::default(), &config, None)
            .unwrap()
            .expect("the broken crossbar fails its property");
        assert!(
            matches!(found.case, Stimulus::Drawn { .. }),
            "{:?}",
            found.case
        );
        // Shrinking halves the length down to a few cycles.
        assert!(
            found.case.cycles() <= 64,
            "not shrunk: {} cycles",
            found.case.cycles()
        );
        assert!(
            found.case.describe().contains("seed"),
            "{}",
            found.case.describe()
        );
        let words: Vec<u64> = found.case.words(bench.words_per_cycle()).collect();
        assert_eq!(words.len(), found.case.cycles() * bench.words_per_cycle());
    }

    #[test]
    fn a_failing_testbench_is_shrunk_and_its_waveform_written() {
        let params = Params(
            [("ports", Value::Int(2)), ("data_width", Value::Int(8))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        let design = broken_crossbar();
        let bench = crate::tb::for_kind("crossbar", &params).unwrap();
        let rules = LiveRules::of(&params, &design).unwrap();
        let config = CheckConfig {
            cases: 64,
            max_cycles: 32,
            seed: 7,
            engine: Engine::Interpreter,
        };
        let dir = tempfile::tempdir().unwrap();
        let wave = dir.path().join("broken.check.vcd");
        let found = testbench(&*bench, &design, &rules, &config, Some(&wave)).unwrap();
        let found = found.expect("the broken crossbar fails its property");
        assert!(found.message.contains("expected"), "{}", found.message);
        // Shrunk: reset (2 cycles) plus the cycle that selects input 1, plus the
        // cycle whose output is checked.
        let cycles = found.case.cycles();
        assert!(cycles <= 4, "not shrunk: {cycles} cycles");
        assert!(wave.exists() && wave.with_extension("gtkw").exists());
        assert!(found
            .case
            .describe()
            .starts_with(&format!("minimal case: {cycles} cycles")));
    }
}
