//! `linkforge lint FILE`: parse and check a config, print every diagnostic.

use super::{load, CliError};
use std::path::Path;

/// Checks `path`; returns the number of variants it declares.
pub fn run(path: &Path) -> Result<usize, CliError> {
    load(path).map(|v| v.len())
}
