//! `linkforge run FILE -o DIR`: the main job: generate, simulate with
//! waveforms and check every variant, then print a summary table.

use super::{build, check, gen, load, sim, CliError};
use crate::output::OutDir;
use linkforge_verif::check::CheckConfig;
use linkforge_verif::Engine;
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
    /// Property verdict (`None` when Ctrl-C came first).
    pub check: Option<check::CheckResult>,
}

impl Row {
    /// Neither the simulation nor a property failed.
    pub fn passed(&self) -> bool {
        self.sim.failure.is_none() && self.check.as_ref().is_none_or(|c| c.failure.is_none())
    }
}

/// The summary of a run.
pub struct RunReport {
    /// One row per variant run.
    pub rows: Vec<Row>,
    /// Variants in the config (more than `rows` after Ctrl-C).
    pub variants: usize,
    /// Ctrl-C stopped the run; the last row's simulation may be partial.
    pub interrupted: bool,
}

impl RunReport {
    /// True when every simulation and property passed.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(Row::passed)
    }

    /// The summary table and the one-line verdict.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{:<28} {:<18} {:>10} {:>12} {:>14}  {}\n",
            "variant", "kind", "cycles", "checks", "properties", "waveform"
        );
        for r in &self.rows {
            let checks = match &r.sim.failure {
                _ if r.sim.interrupted => "interrupted".to_string(),
                None => format!("{} ok", r.sim.checks_passed),
                Some(_) => "FAILED".to_string(),
            };
            let props = match &r.check {
                None => "-".to_string(),
                Some(c) if c.failure.is_none() => format!("{}/{} ok", c.cases, c.cases),
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
        let failed = self.rows.iter().filter(|r| !r.passed()).count();
        // A variant whose simulation Ctrl-C cut short neither passed nor failed.
        let cut = self
            .rows
            .iter()
            .filter(|r| r.passed() && r.sim.interrupted)
            .count();
        if self.interrupted {
            let _ = writeln!(
                s,
                "interrupted after {} of {} variants: {} passed, {} failed",
                self.rows.len() - cut,
                self.variants,
                self.rows.len() - failed - cut,
                failed
            );
        } else {
            let _ = writeln!(
                s,
                "{} variants: {} passed, {} failed",
                self.rows.len(),
                self.rows.len() - failed,
                failed
            );
        }
        s
    }
}

/// Runs the main job on `config` into `out`. Every design is built and
/// checked against the limits, and every file against the ledger, before
/// the first file is written; Ctrl-C stops after the current simulation
/// (its waveform complete up to the last cycle) with `interrupted` set.
pub fn run(
    config: &Path,
    out: &mut OutDir,
    cycles: u64,
    cases: u32,
    seed: u64,
    engine: Engine,
) -> Result<RunReport, CliError> {
    let variants = load(config)?;
    let designs = variants.iter().map(build).collect::<Result<Vec<_>, _>>()?;
    let mut waves = Vec::new();
    for (v, design) in variants.iter().zip(&designs) {
        crate::limits::check_wave(&v.name, design, cycles)?;
        let wave = format!("{}.vcd", v.name);
        waves.extend(out.wave_files(&wave, design)?);
        let testbench = check::testbench(v, design)?;
        for suffix in testbench.picture_suffixes() {
            let picture = crate::plots::picture_path(Path::new(&wave), suffix);
            waves.push(picture.to_string_lossy().into_owned());
        }
    }
    out.check(&waves)?;
    gen::generate(config, &variants, &designs, out)?;
    out.claim(&waves)?;
    let bar = indicatif::ProgressBar::new(variants.len() as u64);
    let mut report = RunReport {
        rows: Vec::new(),
        variants: variants.len(),
        interrupted: false,
    };
    for (v, design) in variants.iter().zip(&designs) {
        bar.set_message(v.name.clone());
        let wave = out.path(&format!("{}.vcd", v.name));
        let sim = sim::simulate(v, design, cycles, seed, Some(&wave), engine, &mut |_| {})?;
        let check = if sim.interrupted {
            None
        } else {
            let config = CheckConfig {
                cases,
                max_cycles: 64,
                seed,
                engine,
            };
            Some(check::check_variant(v, design, &config, out)?)
        };
        report.rows.push(Row {
            variant: v.name.clone(),
            kind: v.kind.clone(),
            sim,
            check,
        });
        bar.inc(1);
        if crate::interrupt::requested() {
            report.interrupted = true;
            break;
        }
    }
    bar.finish_and_clear();
    Ok(report)
}
