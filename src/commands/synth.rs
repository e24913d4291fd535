//! `linkforge synth FILE`: FPGA resource and speed estimates per variant
//! (Yosys; nextpnr for `--target ice40` and `--target ecp5`), as a table
//! or JSON.

use super::{build, load, select, CliError};
use crate::output::{ensure_dir, write_atomic, OutDir};
use crate::pool;
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_verif::synth::{outputs, synthesize, SynthReport, Target, Tools};
use std::fmt::Write as _;
use std::num::NonZeroUsize;
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

/// Synthesizes the chosen variants of `config` for `target` with `tools`,
/// up to `threads` at once (the largest designs first), working in
/// `OUT/synth/<variant>/` (every file claimed in the output directory's
/// ledger before the first is written); `json` also gets the rows as JSON.
/// The rows come in config order. After Ctrl-C (or SIGTERM) no variant
/// starts, the running ones stop their tools, and the rows hold what
/// finished or stopped.
pub fn run(
    config: &Path,
    variants: &[String],
    (target, tools): (Target, &Tools),
    out: &mut OutDir,
    json: Option<&Path>,
    threads: NonZeroUsize,
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
    let out: &OutDir = out;
    let jobs: Vec<(&Variant, &Design)> = chosen.iter().zip(&designs).collect();
    let synth = |&(v, design): &(&Variant, &Design)| -> Result<SynthRow, CliError> {
        bar.set_message(format!("synthesizing {} ({})", v.name, v.kind));
        let dir = out.path(&format!("synth/{}", v.name));
        ensure_dir(&dir)?;
        let report = synthesize(design, target, tools, &dir)
            .map_err(|e| CliError::Failed(format!("{}: {e}", v.name)))?;
        Ok(SynthRow {
            variant: v.name.clone(),
            kind: v.kind.clone(),
            report,
        })
    };
    let mut rows = Vec::new();
    let size = |&(_, design): &(&Variant, &Design)| crate::limits::cost(design, 1);
    pool::ordered(
        &jobs,
        threads,
        size,
        crate::interrupt::requested,
        synth,
        |row| {
            rows.push(row);
            bar.inc(1);
        },
    )?;
    bar.finish_and_clear();
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&rows)
            .map_err(|e| CliError::Failed(format!("cannot encode the table: {e}")))?;
        write_atomic(path, text.as_bytes())?;
    }
    Ok(rows)
}

/// The table `linkforge synth` prints: one column per resource the target
/// counts, the slowest clock's fmax, and in the note every clock's fmax
/// when there are several, or why the variant does not fit.
pub fn render(rows: &[SynthRow], target: Target) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "{}", target.device());
    let mut header = format!("{:<24} {:<18}", "variant", "kind");
    for name in target.resource_names() {
        let _ = write!(header, " {name:>10}");
    }
    let _ = writeln!(t, "{header} {:>10}  note", "fmax MHz");
    for r in rows {
        let fmax = r
            .report
            .fmax_mhz
            .map_or_else(|| "-".to_string(), |f| format!("{f:.1}"));
        let note = match (
            &r.report.does_not_fit,
            &r.report.unfinished,
            &r.report.clocks[..],
        ) {
            (Some(why), _, _) => format!("does not fit: {why}"),
            (None, Some(why), _) => format!("unfinished: {why}"),
            (None, None, clocks) if clocks.len() > 1 => clocks
                .iter()
                .map(|c| format!("{} {:.1}", c.clock, c.fmax_mhz))
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        };
        let _ = write!(t, "{:<24} {:<18}", r.variant, r.kind);
        if r.report.resources.is_empty() {
            for _ in target.resource_names() {
                let _ = write!(t, " {:>10}", "-");
            }
        }
        for res in &r.report.resources {
            let _ = write!(t, " {:>10}", res.used);
        }
        let _ = writeln!(t, " {fmax:>10}  {note}");
    }
    let count = |p: fn(&SynthReport) -> bool| rows.iter().filter(|r| p(&r.report)).count();
    let unfinished = count(|r| r.unfinished.is_some());
    let misfits = count(|r| r.does_not_fit.is_some());
    let _ = write!(
        t,
        "{} variants: {} fit, {misfits} do not",
        rows.len(),
        rows.len() - misfits - unfinished
    );
    let _ = match unfinished {
        0 => writeln!(t),
        n => writeln!(t, ", {n} unfinished"),
    };
    if let Some(note) = target.note() {
        let _ = writeln!(t, "{note}");
    }
    t
}
