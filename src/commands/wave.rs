//! `linkforge wave check FILE.vcd|FILE.fst --clock PATH --rules SET:PREFIX[:ARG]...`:
//! protocol rules on a waveform any simulator or logic analyzer wrote.

use super::CliError;
use crate::output::write_atomic;
use crate::results::{Check, Record, Verdict};
use linkforge_verif::props::{parse_rule, Trace, Violation};
use linkforge_verif::wave::{marker_save_file, Waves};
use std::path::{Path, PathBuf};

/// The verdict of `wave check`.
pub struct WaveReport {
    /// Clock cycles checked.
    pub cycles: usize,
    /// Each property checked, with its first violation if any.
    pub properties: Vec<(String, Option<Violation>)>,
    /// The first violation, and the save file marking it.
    pub violation: Option<(Violation, PathBuf)>,
}

/// Checks the rules on `file` sampled at the rising edges of `clock`; on a
/// violation writes `FILE.violation.gtkw` with a marker at it.
pub fn check(file: &Path, clock: &str, specs: &[String]) -> Result<WaveReport, CliError> {
    let properties = specs
        .iter()
        .map(|s| parse_rule(s).map_err(|e| CliError::Usage(format!("--rules {s}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    if properties.is_empty() {
        return Err(CliError::Usage(
            "name at least one --rules SET:PREFIX".into(),
        ));
    }
    // The reader's error names the file.
    let waves = Waves::open(file).map_err(|e| CliError::Usage(e.to_string()))?;
    let trace = Trace::sample(&waves, clock)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let mut first: Option<Violation> = None;
    let mut verdicts = Vec::new();
    for p in &properties {
        let found = trace
            .check(p)
            .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
        if let Some(v) = &found {
            if first.as_ref().is_none_or(|f| v.cycle < f.cycle) {
                first = Some(v.clone());
            }
        }
        verdicts.push((p.name.clone(), found));
    }
    let violation = match first {
        Some(v) => {
            let save = file.with_extension("violation.gtkw");
            let signals: Vec<(String, u32)> = v
                .values
                .iter()
                .map(|(name, _)| (name.clone(), waves.signals.get(name).map_or(1, |s| s.0)))
                .collect();
            let text = marker_save_file(
                "linkforge wave check: marker at the first violation",
                file,
                v.time,
                &signals,
            );
            write_atomic(&save, text.as_bytes())?;
            Some((v, save))
        }
        None => None,
    };
    Ok(WaveReport {
        cycles: trace.cycles(),
        properties: verdicts,
        violation,
    })
}

/// The record of `wave check` on `file`: one check per property, a
/// violated one with its first violation and the save file marking the
/// first violation of all.
pub fn record(file: &Path, report: &WaveReport, duration_s: f64) -> Record {
    let marker = report
        .violation
        .as_ref()
        .map(|(_, save)| save.display().to_string());
    let checks: Vec<Check> = report
        .properties
        .iter()
        .map(|(name, found)| Check {
            name: name.clone(),
            verdict: if found.is_some() {
                Verdict::Failed
            } else {
                Verdict::Passed
            },
            summary: if found.is_some() { "FAILED" } else { "ok" }.into(),
            message: found.as_ref().map(|v| v.to_string()),
            waveform: found.as_ref().map(|_| file.display().to_string()),
        })
        .collect();
    Record {
        index: 0,
        variant: file.display().to_string(),
        kind: "waveform".into(),
        verdict: Record::verdict_of(&checks),
        checks,
        metrics: Default::default(),
        seed: 0,
        cycles: report.cycles as u64,
        files: marker.into_iter().collect(),
        duration_s,
        tools: crate::results::tools(None),
    }
}
