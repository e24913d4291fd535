//! `linkforge merge A.json B.json ...`: joins the `--json` results of the
//! shards of one `run` or `check` into the unsharded run's summary table,
//! verdict and (`--junit`) JUnit file.

use super::CliError;
use crate::results::{self, Results};
use std::path::{Path, PathBuf};

/// Reads and merges the results `files`; writes the merged JSON and JUnit
/// files asked for.
pub fn run(
    files: &[PathBuf],
    json: Option<&Path>,
    junit: Option<&Path>,
) -> Result<Results, CliError> {
    let parts = files
        .iter()
        .map(|f| Ok((f.display().to_string(), results::read_json(f)?)))
        .collect::<Result<Vec<_>, CliError>>()?;
    let merged = results::merge(parts)?;
    results::write_outputs(&merged, json, junit)?;
    Ok(merged)
}
