//! `linkforge check`: each variant's testbench, with its protocol rules, as
//! a property over random stimuli ([`linkforge_verif::check`]); a failure
//! is shrunk to a minimal case, printed, and its waveform written.

use super::{CliError, Jobs};
use crate::output::OutDir;
use crate::pool;
use crate::results::{self, Job, Record, Results, Shard};
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_verif::check::{self, CheckConfig, Counterexample, Stimulus};
use linkforge_verif::props::live::LiveRules;
use linkforge_verif::tb;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Instant;

/// The verdict for one job.
pub struct CheckResult {
    /// Cases run.
    pub cases: u32,
    /// The minimal failing case and its waveform, if the property failed.
    pub failure: Option<(Counterexample<Stimulus>, PathBuf)>,
}

/// Runs `check` on `chosen`: every job (variant and seed, `seeds` of them
/// per variant from `config.seed` up), or with `shard` only that shard's,
/// up to `threads` at once, printing each verdict in job order.
pub fn run(
    chosen: &[Variant],
    out: &mut OutDir,
    config: &CheckConfig,
    seeds: u64,
    (shard, threads): (Option<Shard>, NonZeroUsize),
) -> Result<Results, CliError> {
    let jobs = Jobs::new(chosen, (config.seed, seeds), shard)?;
    let mut report = Results::new("check", shard, (jobs.unsharded, seeds), jobs.list.len());
    let name = |j: &Job| results::job_name(&chosen[j.variant].name, j.seed, seeds);
    let design = |j: &Job| jobs.design(j);
    let mut files = Vec::new();
    let mut costs = vec![0u64; chosen.len()];
    for j in &jobs.list {
        files.extend(check_files(&name(j), design(j), out)?);
        let cycles = testbench(&chosen[j.variant])?
            .cycles_needed()
            .max(config.max_cycles as u64);
        costs[j.variant] = crate::limits::cost(design(j), cycles);
    }
    out.claim(&files)?;
    let out: &OutDir = out;
    let job = |j: &Job| {
        let start = Instant::now();
        let config = CheckConfig {
            seed: j.seed,
            ..*config
        };
        let r = check_variant(&chosen[j.variant], &name(j), design(j), &config, out)?;
        Ok::<_, CliError>((*j, r, start.elapsed().as_secs_f64()))
    };
    let cost = |j: &Job| costs[j.variant];
    pool::ordered(
        &jobs.list,
        threads,
        cost,
        || false,
        job,
        |(j, r, duration_s)| {
            let name = name(&j);
            match &r.failure {
                None => println!("{name}: {} cases passed", r.cases),
                Some((case, wave)) => {
                    println!("{name}: FAILED: {}", case.message);
                    print!("{}", case.case.describe());
                    println!("  waveform: {}", wave.display());
                }
            }
            report.records.push(Record {
                duration_s,
                ..results::check_record(
                    &chosen[j.variant],
                    j.index,
                    &r,
                    out.dir(),
                    (j.seed, config.engine),
                    config.max_cycles as u64,
                )
            });
        },
    )?;
    Ok(report)
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
