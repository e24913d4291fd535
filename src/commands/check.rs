//! `linkforge check`: each variant's testbench, with its protocol rules, as
//! a property over random stimuli ([`linkforge_verif::check`]); a failure
//! is shrunk to a minimal case, printed, and its waveform written.

use super::CliError;
use crate::output::OutDir;
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_verif::check::{self, CheckConfig, Counterexample, Stimulus};
use linkforge_verif::props::live::LiveRules;
use linkforge_verif::tb;
use std::path::PathBuf;

/// The verdict for one job.
pub struct CheckResult {
    /// Cases run.
    pub cases: u32,
    /// The minimal failing case and its waveform, if the property failed.
    pub failure: Option<(Counterexample<Stimulus>, PathBuf)>,
}

/// The files a failing case of job `name` writes: its waveform
/// `<name>.check.vcd` and the save files beside it. Claimed before the job
/// runs, since a failing case's waveform is written as it is found.
pub fn check_files(name: &str, design: &Design, out: &OutDir) -> Result<Vec<String>, CliError> {
    out.wave_files(&format!("{name}.check.vcd"), design)
}

/// Runs the cases `config` asks for on `variant` as job `name` (see
/// [`crate::results::job_name`]); a failing case's waveform goes to
/// `wave_dir` as `<name>.check.vcd` ([`check_files`], claimed before).
pub fn check_variant(
    variant: &Variant,
    name: &str,
    design: &Design,
    config: &CheckConfig,
    wave_dir: &OutDir,
) -> Result<CheckResult, CliError> {
    let testbench = testbench(variant)?;
    let longest = (config.max_cycles as u64).max(testbench.cycles_needed());
    crate::limits::check_wave(&variant.name, design, longest)?;
    let rules = live_rules(variant, design)?;
    let wave = wave_dir.path(&format!("{name}.check.vcd"));
    let found = check::testbench(&*testbench, design, &rules, config, Some(&wave))
        .map_err(|e| CliError::Failed(format!("{}: {e}", variant.name)))?;
    let failure = found.map(|case| (case, wave));
    Ok(CheckResult {
        cases: config.cases,
        failure,
    })
}

/// The testbench of `variant`, or why it cannot be built.
pub fn testbench(variant: &Variant) -> Result<Box<dyn tb::Testbench>, CliError> {
    tb::for_kind(&variant.kind, &variant.params)
        .map_err(|e| CliError::Failed(format!("{}: {e}", variant.name)))
}

/// The live protocol rules of `variant`; a bad rule is a usage error naming
/// the variant.
pub fn live_rules(variant: &Variant, design: &Design) -> Result<LiveRules, CliError> {
    LiveRules::of(&variant.params, design)
        .map_err(|e| CliError::Usage(format!("{}: {e}", variant.name)))
}
