//! Machine-readable results of `run`, `check` and `wave check`, and the
//! joining of sharded runs.
//!
//! A results file (`--json PATH`) holds one [`Record`] per job (a variant
//! of the config, or the one waveform of `wave check`), each carrying its
//! position in the unsharded job list. [`merge`] joins the files of the
//! shards of one run ([`shard`]) back into that order, so that its
//! [`summary`] and [`junit()`] output equal the unsharded run's apart from
//! durations.

pub mod junit;
pub mod shard;

use crate::commands::CliError;
use crate::output::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

pub use junit::junit;
pub use shard::{job_name, jobs, Job, Shard};

/// A job's or a check's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Everything held.
    Passed,
    /// A check failed.
    Failed,
    /// Ctrl-C stopped it before it was judged.
    Interrupted,
}

/// One check of a job: a simulation's checks, a property suite, a protocol
/// property on a waveform. A JUnit test case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Its name (`simulation`, `properties`, a property's name).
    pub name: String,
    /// Its outcome.
    pub verdict: Verdict,
    /// What the summary table shows (`1204 ok`, `16/16 ok`, `FAILED`).
    pub summary: String,
    /// Why it failed.
    pub message: Option<String>,
    /// The waveform that shows the failure, relative to the output
    /// directory (or as given to `wave check`).
    pub waveform: Option<String>,
}

/// One job's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Its position in the unsharded job list (from 0).
    pub index: usize,
    /// The variant (or the waveform file of `wave check`).
    pub variant: String,
    /// Its block kind (`waveform` for `wave check`).
    pub kind: String,
    /// Passed when every check passed.
    pub verdict: Verdict,
    /// Its checks, in a fixed order.
    pub checks: Vec<Check>,
    /// The testbench's metrics.
    pub metrics: BTreeMap<String, String>,
    /// The stimulus seed.
    pub seed: u64,
    /// Clock cycles simulated or checked.
    pub cycles: u64,
    /// Files written for it, relative to the output directory.
    pub files: Vec<String>,
    /// Wall-clock seconds it took.
    pub duration_s: f64,
    /// The versions of what judged it (linkforge, its engine).
    pub tools: BTreeMap<String, String>,
}

impl Record {
    /// The verdict of checks: failed if one failed, else interrupted if one
    /// was, else passed.
    pub fn verdict_of(checks: &[Check]) -> Verdict {
        let any = |v| checks.iter().any(|c| c.verdict == v);
        if any(Verdict::Failed) {
            Verdict::Failed
        } else if any(Verdict::Interrupted) {
            Verdict::Interrupted
        } else {
            Verdict::Passed
        }
    }
}

/// A results file: the records of one run or one shard of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// The linkforge version that wrote it.
    pub linkforge: String,
    /// The command (`run`, `check`, `wave check`).
    pub command: String,
    /// The shard (`I/N`), none for a whole run.
    pub shard: Option<String>,
    /// Jobs in the unsharded run.
    pub jobs: usize,
    /// Seeds each variant ran with (`--seeds`).
    #[serde(default = "one_seed")]
    pub seeds: u64,
    /// Jobs this file was to run (fewer records after Ctrl-C).
    pub planned: usize,
    /// Ctrl-C stopped the run.
    pub interrupted: bool,
    /// One record per job run, in job order.
    pub records: Vec<Record>,
}

fn one_seed() -> u64 {
    1
}

impl Results {
    /// An empty results file of `command` for `planned` of `jobs` jobs
    /// (`seeds` per variant).
    pub fn new(
        command: &str,
        shard: Option<Shard>,
        (jobs, seeds): (usize, u64),
        planned: usize,
    ) -> Results {
        Results {
            linkforge: env!("CARGO_PKG_VERSION").to_string(),
            command: command.to_string(),
            shard: shard.map(|s| s.to_string()),
            jobs,
            seeds,
            planned,
            interrupted: false,
            records: Vec::new(),
        }
    }

    /// True when no record failed.
    pub fn passed(&self) -> bool {
        self.records.iter().all(|r| r.verdict != Verdict::Failed)
    }

    /// What a record is in the summary line: a variant, or with a sweep of
    /// seeds a job.
    pub fn unit(&self) -> &'static str {
        if self.seeds > 1 {
            "jobs"
        } else {
            "variants"
        }
    }

    /// The name of record `r`'s row and test cases ([`job_name`]).
    pub fn name(&self, r: &Record) -> String {
        job_name(&r.variant, r.seed, self.seeds)
    }
}

/// The versions of what judged a job: linkforge and, when it simulated,
/// the engine.
pub fn tools(engine: Option<linkforge_verif::Engine>) -> BTreeMap<String, String> {
    let mut tools = BTreeMap::from([(
        "linkforge".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    )]);
    if let Some(e) = engine {
        tools.insert("engine".to_string(), e.to_string());
    }
    tools
}

/// Writes `results` to `path` as JSON, whole.
pub fn write_json(path: &Path, results: &Results) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(results)
        .map_err(|e| CliError::Failed(format!("cannot encode the results: {e}")))?;
    Ok(write_atomic(path, format!("{text}\n").as_bytes())?)
}

/// Writes the JSON (`json`) and JUnit (`junit_path`) files asked for.
pub fn write_outputs(
    results: &Results,
    json: Option<&Path>,
    junit_path: Option<&Path>,
) -> Result<(), CliError> {
    if let Some(path) = json {
        write_json(path, results)?;
    }
    if let Some(path) = junit_path {
        write_atomic(path, junit(results).as_bytes())?;
    }
    Ok(())
}

/// Reads a results file `--json` wrote.
pub fn read_json(path: &Path) -> Result<Results, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "{}: not a linkforge results file: {e}",
            path.display()
        ))
    })
}

/// Joins the results of the shards of one run into the unsharded run's:
/// the records in job order. Every part must come from the same command and
/// job list, each shard once; a job missing or present twice is an error
/// naming it.
pub fn merge(parts: Vec<(String, Results)>) -> Result<Results, CliError> {
    let Some((_, first)) = parts.first() else {
        return Err(CliError::Usage("name at least one results file".into()));
    };
    let mut merged = Results::new(&first.command, None, (first.jobs, first.seeds), 0);
    let mut shards = BTreeMap::new();
    let mut seen: Vec<Option<&str>> = vec![None; first.jobs];
    for (name, part) in &parts {
        if (&part.command, part.jobs, part.seeds) != (&merged.command, merged.jobs, merged.seeds) {
            return Err(CliError::Usage(format!(
                "{name} holds `{}` results of {} jobs ({} seeds each), the first file `{}` \
                 results of {} ({}): not shards of one run",
                part.command, part.jobs, part.seeds, merged.command, merged.jobs, merged.seeds
            )));
        }
        let key = part.shard.clone().unwrap_or_else(|| "whole run".into());
        if let Some(other) = shards.insert(key.clone(), name) {
            return Err(CliError::Usage(format!(
                "{other} and {name} are both {key}"
            )));
        }
        for r in &part.records {
            match seen.get_mut(r.index) {
                None => {
                    return Err(CliError::Usage(format!(
                        "{name}: job {} (`{}`) is outside the run's {} jobs",
                        r.index,
                        merged.name(r),
                        merged.jobs
                    )))
                }
                Some(Some(other)) => {
                    return Err(CliError::Usage(format!(
                        "`{}` is in both {other} and {name}",
                        merged.name(r)
                    )))
                }
                Some(slot) => *slot = Some(name),
            }
        }
        merged.planned += part.planned;
        merged.interrupted |= part.interrupted;
    }
    let missing = seen.iter().filter(|s| s.is_none()).count();
    if missing > 0 && !merged.interrupted {
        return Err(CliError::Usage(format!(
            "{missing} of {} jobs are in no file: a shard is missing",
            merged.jobs
        )));
    }
    merged.records = parts.into_iter().flat_map(|(_, p)| p.records).collect();
    merged.records.sort_by_key(|r| r.index);
    Ok(merged)
}

/// The summary table and the one-line verdict: one row per record with
/// its cycles, each check's summary and its first file (the waveform).
pub fn summary(results: &Results) -> String {
    let names: Vec<&str> = results
        .records
        .first()
        .map(|r| r.checks.iter().map(|c| c.name.as_str()).collect())
        .unwrap_or_default();
    let mut s = format!("{:<28} {:<18} {:>10}", "variant", "kind", "cycles");
    for n in &names {
        let _ = write!(s, " {n:>14}");
    }
    s.push_str("  files\n");
    for r in &results.records {
        let _ = write!(s, "{:<28} {:<18} {:>10}", results.name(r), r.kind, r.cycles);
        for c in &r.checks {
            let _ = write!(s, " {:>14}", c.summary);
        }
        let _ = writeln!(s, "  {}", r.files.first().map_or("", String::as_str));
    }
    for r in &results.records {
        if let Some(needed) = r.metrics.get(crate::commands::sim::CYCLES_NEEDED) {
            let _ = writeln!(
                s,
                "{}: {needed} cycles, more than asked: its testbench needs them for a verdict",
                results.name(r)
            );
        }
    }
    let count = |v| results.records.iter().filter(|r| r.verdict == v).count();
    let (passed, failed, cut) = (
        count(Verdict::Passed),
        count(Verdict::Failed),
        count(Verdict::Interrupted),
    );
    if results.interrupted {
        let _ = writeln!(
            s,
            "interrupted after {} of {} {}: {passed} passed, {failed} failed",
            results.records.len() - cut,
            results.planned,
            results.unit()
        );
    } else {
        let _ = writeln!(
            s,
            "{} {}: {passed} passed, {failed} failed",
            results.records.len(),
            results.unit()
        );
    }
    s
}

/// `path` relative to the output directory `dir`, as results files hold it.
pub fn relative(path: &Path, dir: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

/// The property suite's check: its cases, or its shrunk failure and
/// waveform; interrupted when it did not run.
pub fn property_check(check: Option<&crate::commands::check::CheckResult>, dir: &Path) -> Check {
    match check {
        None => Check {
            name: "properties".into(),
            verdict: Verdict::Interrupted,
            summary: "-".into(),
            message: None,
            waveform: None,
        },
        Some(c) => match &c.failure {
            None => Check {
                name: "properties".into(),
                verdict: Verdict::Passed,
                summary: format!("{}/{} ok", c.cases, c.cases),
                message: None,
                waveform: None,
            },
            Some((case, wave)) => Check {
                name: "properties".into(),
                verdict: Verdict::Failed,
                summary: "FAILED".into(),
                message: Some(format!("{}\n{}", case.message, case.case.describe())),
                waveform: Some(relative(wave, dir)),
            },
        },
    }
}

/// The record of `check` on variant `v` (job `index`), run with `seed` on
/// `engine` with cases of at most `max_cycles`; no duration.
pub fn check_record(
    v: &linkforge_dsl::Variant,
    index: usize,
    check: &crate::commands::check::CheckResult,
    dir: &Path,
    (seed, engine): (u64, linkforge_verif::Engine),
    max_cycles: u64,
) -> Record {
    let properties = property_check(Some(check), dir);
    Record {
        index,
        variant: v.name.clone(),
        kind: v.kind.clone(),
        verdict: properties.verdict,
        files: properties.waveform.iter().cloned().collect(),
        checks: vec![properties],
        metrics: BTreeMap::new(),
        seed,
        cycles: max_cycles,
        duration_s: 0.0,
        tools: tools(Some(engine)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of job `index` with one check of `verdict`.
    pub(crate) fn record(index: usize, verdict: Verdict) -> Record {
        Record {
            index,
            variant: format!("v{index}"),
            kind: "crossbar".into(),
            verdict,
            checks: vec![Check {
                name: "properties".into(),
                verdict,
                summary: if verdict == Verdict::Passed {
                    "4/4 ok".into()
                } else {
                    "FAILED".into()
                },
                message: (verdict == Verdict::Failed).then(|| "cycle 3: x < \"y\" & z".into()),
                waveform: (verdict == Verdict::Failed).then(|| format!("v{index}.check.vcd")),
            }],
            metrics: BTreeMap::new(),
            seed: 1,
            cycles: 64,
            files: vec![format!("v{index}.v")],
            duration_s: 0.5,
            tools: tools(None),
        }
    }

    /// The results of `records` as shard `shard` of `jobs` jobs.
    fn part(shard: Option<&str>, jobs: usize, records: Vec<Record>) -> Results {
        let mut r = Results::new(
            "check",
            shard.map(|s| s.parse().unwrap()),
            (jobs, 1),
            records.len(),
        );
        r.records = records;
        r
    }

    #[test]
    fn shards_merge_into_the_whole_runs_order_and_summary() {
        let whole = part(
            None,
            3,
            vec![
                record(0, Verdict::Passed),
                record(1, Verdict::Failed),
                record(2, Verdict::Passed),
            ],
        );
        let a = part(
            Some("1/2"),
            3,
            vec![record(0, Verdict::Passed), record(2, Verdict::Passed)],
        );
        let b = part(Some("2/2"), 3, vec![record(1, Verdict::Failed)]);
        let merged = merge(vec![("b".into(), b), ("a".into(), a)]).unwrap();
        assert_eq!(merged, whole);
        assert!(!merged.passed());
        assert!(summary(&merged).ends_with("3 variants: 2 passed, 1 failed\n"));
    }

    #[test]
    fn a_missing_or_repeated_shard_is_an_error_naming_it() {
        let a = part(Some("1/2"), 3, vec![record(0, Verdict::Passed)]);
        let e = merge(vec![("a.json".into(), a.clone())]).unwrap_err();
        assert!(e.to_string().contains("2 of 3 jobs are in no file"), "{e}");
        let e = merge(vec![("a.json".into(), a.clone()), ("b.json".into(), a)]).unwrap_err();
        assert!(
            e.to_string().contains("a.json and b.json are both 1/2"),
            "{e}"
        );
        let other = part(None, 4, vec![]);
        let e = merge(vec![
            ("x".into(), part(None, 3, vec![])),
            ("y".into(), other),
        ]);
        assert!(e.unwrap_err().to_string().contains("not shards of one run"));
    }
}
