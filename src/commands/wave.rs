//! `linkforge wave check FILE.vcd --clock PATH --rules SET:PREFIX...`:
//! protocol rules on a waveform any simulator or logic analyzer wrote.

use super::CliError;
use crate::output::write_atomic;
use linkforge_verif::trace::{rule_set, Property, Trace, Violation, RULE_SETS};
use linkforge_verif::wave::Waves;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The verdict of `wave check`.
pub struct WaveReport {
    /// Clock cycles checked.
    pub cycles: usize,
    /// Properties checked.
    pub properties: usize,
    /// The first violation, and the save file marking it.
    pub violation: Option<(Violation, PathBuf)>,
}

/// Parses `SET:PREFIX` into the set's properties.
fn rules(spec: &str) -> Result<Vec<Property>, CliError> {
    let (set, prefix) = spec.split_once(':').ok_or_else(|| {
        CliError::Usage(format!(
            "--rules {spec}: expected SET:PREFIX, e.g. valid_ready:tb.dut.in0_"
        ))
    })?;
    rule_set(set, prefix).ok_or_else(|| {
        CliError::Usage(format!(
            "--rules {spec}: no rule set `{set}` (known: {})",
            RULE_SETS.join(", ")
        ))
    })
}

/// Checks the rules on `file` sampled at the rising edges of `clock`; on a
/// violation writes `FILE.violation.gtkw` with a marker at it.
pub fn check(file: &Path, clock: &str, specs: &[String]) -> Result<WaveReport, CliError> {
    let properties = specs
        .iter()
        .map(|s| rules(s))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    if properties.is_empty() {
        return Err(CliError::Usage(
            "name at least one --rules SET:PREFIX".into(),
        ));
    }
    let waves =
        Waves::from_vcd(file).map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let trace = Trace::sample(&waves, clock)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    let mut first: Option<Violation> = None;
    for p in &properties {
        let found = trace
            .check(p)
            .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
        if let Some(v) = found {
            if first.as_ref().is_none_or(|f| v.cycle < f.cycle) {
                first = Some(v);
            }
        }
    }
    let violation = match first {
        Some(v) => {
            let save = file.with_extension("violation.gtkw");
            write_atomic(&save, save_file(file, &waves, &v).as_bytes())?;
            Some((v, save))
        }
        None => None,
    };
    Ok(WaveReport {
        cycles: trace.cycles(),
        properties: properties.len(),
        violation,
    })
}

/// A GTKWave save file for `dump` with a marker at `v` and its signals
/// (vectors named with their range, as GTKWave names them).
fn save_file(dump: &Path, waves: &Waves, v: &Violation) -> String {
    let dump = std::path::absolute(dump).unwrap_or_else(|_| dump.to_path_buf());
    let mut text = format!(
        "[*] linkforge wave check: marker at the first violation\n[dumpfile] \"{}\"\n\
         [markertime] {}\n",
        dump.display(),
        v.time
    );
    for (name, _) in &v.values {
        match waves.signals.get(name).map(|s| s.0) {
            Some(w) if w > 1 => {
                let _ = writeln!(text, "@22\n{name}[{}:0]", w - 1);
            }
            _ => {
                let _ = writeln!(text, "@28\n{name}");
            }
        }
    }
    text
}
