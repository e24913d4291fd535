//! `linkforge run FILE -o DIR`: the main job: generate, simulate with
//! waveforms and check every variant, then print a summary table.

use super::{build, check, gen, load, sim, CliError};
use std::fmt::Write;
use std::path::Path;

/// One row of the summary.
pub struct Row {
    /// Variant name.
    pub variant: String,
    /// Block kind.
    pub kind: String,
    /// Simulation verdict and numbers.
    pub sim: sim::SimSummary,
    /// Property verdict.
    pub check: check::CheckResult,
}

/// The summary of a run.
pub struct RunReport {
    /// One row per variant.
    pub rows: Vec<Row>,
}

impl RunReport {
    /// True when every simulation and property passed.
    pub fn passed(&self) -> bool {
        self.rows
            .iter()
            .all(|r| r.sim.failure.is_none() && r.check.failure.is_none())
    }

    /// The summary table and the one-line verdict.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:<28} {:<18} {:>10} {:>12} {:>14}  {}\n",
            "variant", "kind", "cycles", "checks", "properties", "waveform"
        );
        for r in &self.rows {
            let checks = match &r.sim.failure {
                None => format!("{} ok", r.sim.checks_passed),
                Some(_) => "FAILED".to_string(),
            };
            let props = match &r.check.failure {
                None => format!("{}/{} ok", r.check.cases, r.check.cases),
                Some(_) => "FAILED".to_string(),
            };
            let wave = r
                .sim
                .wave
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "{:<28} {:<18} {:>10} {:>12} {:>14}  {wave}",
                r.variant, r.kind, r.sim.cycles, checks, props
            );
        }
        let failed = self
            .rows
            .iter()
            .filter(|r| r.sim.failure.is_some() || r.check.failure.is_some())
            .count();
        let _ = writeln!(
            s,
            "{} variants: {} passed, {} failed",
            self.rows.len(),
            self.rows.len() - failed,
            failed
        );
        s
    }
}

/// Runs the main job on `config` into `dir`.
pub fn run(
    config: &Path,
    dir: &Path,
    cycles: u64,
    cases: u32,
    seed: u64,
) -> Result<RunReport, CliError> {
    gen::run(config, dir, &[])?;
    let variants = load(config)?;
    let bar = indicatif::ProgressBar::new(variants.len() as u64);
    let mut rows = Vec::new();
    for v in &variants {
        bar.set_message(v.name.clone());
        let design = build(v)?;
        let wave = dir.join(format!("{}.vcd", v.name));
        let sim = sim::simulate(v, &design, cycles, seed, Some(&wave), &mut |_| {})?;
        let check = check::check_variant(v, &design, cases, 64, seed, dir)?;
        rows.push(Row {
            variant: v.name.clone(),
            kind: v.kind.clone(),
            sim,
            check,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(RunReport { rows })
}
