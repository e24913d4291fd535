//! `linkforge run FILE -o DIR`: the main job: generate, simulate with
//! waveforms and check every variant with each seed (or one shard of those
//! jobs), with one [`Record`] per job for the summary table, `--json` and
//! `--junit`.

use super::{check, gen, load, sim, CliError, Jobs};
use crate::output::OutDir;
use crate::pool;
use crate::results::{self, property_check, relative, Check, Job, Record, Results, Shard, Verdict};
use linkforge_dsl::Variant;
use linkforge_verif::check::CheckConfig;
use linkforge_verif::Engine;
use std::num::NonZeroUsize;
use std::path::Path;
use std::time::Instant;

/// Runs the main job on `config` into `out`: every job (variant and seed,
/// `seeds` of them per variant from `seed` up), or with `shard` only that
/// shard's. Every design is built and checked against the limits, and
/// every file against the ledger, before the first file is written;
/// Ctrl-C stops after the current simulations (their waveforms complete up
/// to the last cycle) with `interrupted` set. Up to `threads` jobs run at
/// once; the records come in job order.
pub fn run(
    config: &Path,
    out: &mut OutDir,
    (cycles, cases): (u64, u32),
    (seed, seeds): (u64, u64),
    engine: Engine,
    (shard, threads): (Option<Shard>, NonZeroUsize),
) -> Result<Results, CliError> {
    let variants = load(config)?;
    let jobs = Jobs::new(&variants, (seed, seeds), shard)?;
    let name = |j: &Job| results::job_name(&variants[j.variant].name, j.seed, seeds);
    let mut waves = Vec::new();
    let mut costs = vec![0u64; variants.len()];
    for j in &jobs.list {
        let (v, design) = (&variants[j.variant], jobs.design(j));
        let testbench = check::testbench(v)?;
        let longest = cycles.max(testbench.cycles_needed());
        crate::limits::check_wave(&v.name, design, longest)?;
        costs[j.variant] = crate::limits::cost(design, longest);
        let wave = format!("{}.vcd", name(j));
        waves.extend(out.wave_files(&wave, design)?);
        for suffix in testbench.picture_suffixes() {
            let picture = crate::plots::picture_path(Path::new(&wave), suffix);
            waves.push(picture.to_string_lossy().into_owned());
        }
        waves.extend(check::check_files(&name(j), design, out)?);
    }
    out.check(&waves)?;
    let (used, designs) = jobs.used(&variants);
    gen::generate(config, &used, &designs, out)?;
    out.claim(&waves)?;
    let bar = indicatif::ProgressBar::new(jobs.list.len() as u64);
    let mut results = Results::new("run", shard, (jobs.unsharded, seeds), jobs.list.len());
    let out: &OutDir = out;
    let job = |j: &Job| -> Result<Record, CliError> {
        let (v, design) = (&variants[j.variant], jobs.design(j));
        let name = name(j);
        bar.set_message(name.clone());
        let start = Instant::now();
        let wave = out.path(&format!("{name}.vcd"));
        let sim = sim::simulate(v, design, cycles, j.seed, Some(&wave), engine, &mut |_| {})?;
        let check = if sim.interrupted {
            None
        } else {
            let config = CheckConfig {
                cases,
                max_cycles: 64,
                seed: j.seed,
                engine,
            };
            Some(check::check_variant(v, &name, design, &config, out)?)
        };
        Ok(Record {
            duration_s: start.elapsed().as_secs_f64(),
            ..record(
                v,
                j.index,
                (j.seed, engine),
                &sim,
                check.as_ref(),
                out.dir(),
            )
        })
    };
    let cost = |j: &Job| costs[j.variant];
    pool::ordered(
        &jobs.list,
        threads,
        cost,
        crate::interrupt::requested,
        job,
        |record| {
            results.records.push(record);
            bar.inc(1);
        },
    )?;
    results.interrupted = crate::interrupt::requested();
    bar.finish_and_clear();
    Ok(results)
}

/// The record of variant `v` (job `index`, stimulus `seed` on `engine`):
/// its simulation's checks and its property suite (`None` when Ctrl-C came
/// first); no duration.
fn record(
    v: &Variant,
    index: usize,
    (seed, engine): (u64, Engine),
    sim: &sim::SimSummary,
    check: Option<&check::CheckResult>,
    dir: &Path,
) -> Record {
    let wave = sim.wave.as_deref().map(|w| relative(w, dir));
    let simulation = Check {
        name: "simulation".into(),
        verdict: match &sim.failure {
            _ if sim.interrupted => Verdict::Interrupted,
            None => Verdict::Passed,
            Some(_) => Verdict::Failed,
        },
        summary: match &sim.failure {
            _ if sim.interrupted => "interrupted".into(),
            None => format!("{} ok", sim.checks_passed),
            Some(_) => "FAILED".into(),
        },
        message: sim
            .failure
            .as_ref()
            .map(|f| format!("cycle {}: {}", f.cycle, f.message)),
        waveform: sim.failure.as_ref().and(wave.clone()),
    };
    let properties = property_check(check, dir);
    let mut files: Vec<String> = wave.into_iter().chain([format!("{}.v", v.name)]).collect();
    files.extend(sim.pictures.iter().map(|p| relative(p, dir)));
    files.extend(properties.waveform.clone());
    let checks = vec![simulation, properties];
    Record {
        index,
        variant: v.name.clone(),
        kind: v.kind.clone(),
        verdict: Record::verdict_of(&checks),
        checks,
        metrics: sim.metrics.iter().cloned().collect(),
        seed,
        cycles: sim.cycles,
        files,
        duration_s: 0.0,
        tools: results::tools(Some(engine)),
    }
}
