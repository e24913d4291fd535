//! `linkforge check`: each variant's scenario, with its protocol rules, as a
//! property over random stimuli; a failure is shrunk to a minimal case, printed, and its waveform
//! written.

use super::{build, CliError};
use crate::output::OutDir;
use crate::protocol_rules::LiveRules;
use crate::scenarios;
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_verif::Sim;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};
use std::path::{Path, PathBuf};

/// The verdict for one variant.
pub struct CheckResult {
    /// The variant.
    pub variant: String,
    /// Cases run.
    pub cases: u32,
    /// The minimal failing case, if the property failed.
    pub failure: Option<CheckFailure>,
}

/// A shrunk failure.
pub struct CheckFailure {
    /// The failing check.
    pub message: String,
    /// Cycles of the minimal case.
    pub cycles: usize,
    /// The minimal case's stimulus words, cycle by cycle.
    pub stimulus: Vec<Vec<u64>>,
    /// Its waveform.
    pub wave: PathBuf,
}

/// Runs `cases` random cases of up to `max_cycles` cycles on `variant`; a
/// failing case's waveform goes to `wave_dir`.
pub fn check_variant(
    variant: &Variant,
    design: &Design,
    cases: u32,
    max_cycles: usize,
    seed: u64,
    wave_dir: &mut OutDir,
) -> Result<CheckResult, CliError> {
    crate::limits::check_wave(&variant.name, design, max_cycles as u64)?;
    let mut scenario = scenarios::for_variant(&variant.kind, &variant.params, design);
    scenario.for_short_cases();
    let rules = LiveRules::of(variant, design)?;
    let words = scenario.words_per_cycle();
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = prop::collection::vec(
        prop::collection::vec(any::<u64>(), words),
        1..=max_cycles.max(1),
    );
    let outcome = runner.run(&strategy, |stimulus| {
        let mut sim = Sim::new(design).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut stream = stimulus.iter().flatten().copied();
        rules
            .run(
                &*scenario,
                &mut sim,
                stimulus.len() as u64,
                &mut stream,
                &mut |_| {},
            )
            .map(|_| ())
            .map_err(|f| TestCaseError::fail(format!("cycle {}: {}", f.cycle, f.message)))
    });
    let failure = match outcome {
        Ok(()) => None,
        Err(TestError::Abort(reason)) => {
            return Err(CliError::Failed(format!("{}: {reason}", variant.name)))
        }
        Err(TestError::Fail(reason, stimulus)) => {
            let name = format!("{}.check.vcd", variant.name);
            wave_dir.claim(&wave_dir.wave_files(&name, design)?)?;
            let wave = wave_dir.path(&name);
            replay(variant, design, &stimulus, &wave)?;
            Some(CheckFailure {
                message: reason.to_string(),
                cycles: stimulus.len(),
                stimulus,
                wave,
            })
        }
    };
    Ok(CheckResult {
        variant: variant.name.clone(),
        cases,
        failure,
    })
}

/// Re-runs a minimal failing case with its waveform traced.
fn replay(
    variant: &Variant,
    design: &Design,
    stimulus: &[Vec<u64>],
    wave: &Path,
) -> Result<(), CliError> {
    let mut scenario = scenarios::for_variant(&variant.kind, &variant.params, design);
    scenario.for_short_cases();
    let mut sim = Sim::new(design).map_err(|e| CliError::Failed(e.to_string()))?;
    let failed = |e| CliError::Usage(format!("waveform {}: {e}", wave.display()));
    sim.trace_whole(wave).map_err(failed)?;
    let mut stream = stimulus.iter().flatten().copied();
    // The failure is what we are replaying; only the waveform matters here.
    let _ = scenario.run(&mut sim, stimulus.len() as u64, &mut stream, &mut |_| {});
    sim.close_trace().map_err(failed)
}

/// Runs the property suite of every variant of the config.
pub fn run(
    variants: &[Variant],
    cases: u32,
    max_cycles: usize,
    seed: u64,
    wave_dir: &mut OutDir,
) -> Result<Vec<CheckResult>, CliError> {
    let designs = variants.iter().map(build).collect::<Result<Vec<_>, _>>()?;
    variants
        .iter()
        .zip(&designs)
        .map(|(v, design)| check_variant(v, design, cases, max_cycles, seed, wave_dir))
        .collect()
}

/// A short rendering of a minimal case's stimulus.
pub fn describe(f: &CheckFailure) -> String {
    let mut s = format!("minimal case: {} cycles\n", f.cycles);
    for (c, words) in f.stimulus.iter().enumerate().take(16) {
        let hex: Vec<String> = words.iter().map(|w| format!("{w:x}")).collect();
        s.push_str(&format!("  cycle {c}: [{}]\n", hex.join(", ")));
    }
    if f.stimulus.len() > 16 {
        s.push_str(&format!("  ... {} more cycles\n", f.stimulus.len() - 16));
    }
    s
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
        let variant = Variant {
            name: "broken".into(),
            kind: "crossbar".into(),
            params,
            span: Default::default(),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutDir::open(dir.path(), false).unwrap();
        let r = check_variant(&variant, &broken_crossbar(), 64, 32, 7, &mut out).unwrap();
        let f = r.failure.expect("the broken crossbar fails its property");
        assert!(f.message.contains("expected"), "{}", f.message);
        // Shrunk: reset (2 cycles) plus the cycle that selects input 1, plus the
        // cycle whose output is checked.
        assert!(f.cycles <= 4, "not shrunk: {} cycles", f.cycles);
        assert!(f.wave.exists());
        assert!(describe(&f).starts_with(&format!("minimal case: {} cycles", f.cycles)));
    }
}
