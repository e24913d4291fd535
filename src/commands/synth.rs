//! `linkforge synth FILE`: FPGA resource and speed estimates per variant
//! (Yosys; nextpnr-ice40 for `--target ice40`), as a table or JSON.

use super::{build, load, select, CliError};
use crate::output::{ensure_dir, write_atomic, OutDir};
use linkforge_verif::synth::{outputs, synthesize, SynthReport, Target};
use std::fmt::Write as _;
use std::path::Path;

/// One variant's row.
#[derive(serde::Serialize)]
pub struct SynthRow {
    /// The variant.
    pub variant: String,
    /// Its block kind.
    pub kind: String,
    /// What synthesis reported.
    #[serde(flatten)]
    pub report: SynthReport,
}

/// Synthesizes the chosen variants of `config` for `target`, working in
/// `OUT/synth/<variant>/` (every file claimed in the output directory's
/// ledger before the first is written); `json` also gets the rows as JSON.
pub fn run(
    config: &Path,
    variants: &[String],
    target: Target,
    out: &mut OutDir,
    json: Option<&Path>,
) -> Result<Vec<SynthRow>, CliError> {
    let chosen = select(load(config)?, variants)?;
    let designs = chosen.iter().map(build).collect::<Result<Vec<_>, _>>()?;
    let files: Vec<String> = chosen
        .iter()
        .zip(&designs)
        .flat_map(|(v, d)| {
            outputs(d, target)
                .into_iter()
                .map(move |f| format!("synth/{}/{f}", v.name))
        })
        .collect();
    out.claim(&files)?;
    let bar = indicatif::ProgressBar::new(chosen.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{pos}/{len} {wide_msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    let mut rows = Vec::new();
    for (v, design) in chosen.iter().zip(&designs) {
        bar.set_message(format!("synthesizing {} ({})", v.name, v.kind));
        let dir = out.path(&format!("synth/{}", v.name));
        ensure_dir(&dir)?;
        let report = synthesize(design, target, &dir)
            .map_err(|e| CliError::Failed(format!("{}: {e}", v.name)))?;
        rows.push(SynthRow {
            variant: v.name.clone(),
            kind: v.kind.clone(),
            report,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&rows)
            .map_err(|e| CliError::Failed(format!("cannot encode the table: {e}")))?;
        write_atomic(path, text.as_bytes())?;
    }
    Ok(rows)
}

/// The table `linkforge synth` prints.
pub fn render(rows: &[SynthRow], target: Target) -> String {
    let logic = match target {
        Target::Generic => "cells",
        Target::Ice40 => "LUTs",
    };
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{:<24} {:<18} {:>8} {:>8} {:>6} {:>10}  note",
        "variant", "kind", logic, "FFs", "BRAMs", "fmax MHz"
    );
    for r in rows {
        let fmax = r
            .report
            .fmax_mhz
            .map_or_else(|| "-".to_string(), |f| format!("{f:.1}"));
        let note = r
            .report
            .does_not_fit
            .as_deref()
            .map_or_else(String::new, |why| format!("does not fit: {why}"));
        let _ = writeln!(
            t,
            "{:<24} {:<18} {:>8} {:>8} {:>6} {:>10}  {note}",
            r.variant, r.kind, r.report.logic, r.report.flip_flops, r.report.memories, fmax
        );
    }
    let fit = rows
        .iter()
        .filter(|r| r.report.does_not_fit.is_none())
        .count();
    let _ = writeln!(
        t,
        "{} variants: {fit} fit, {} do not",
        rows.len(),
        rows.len() - fit
    );
    t
}
