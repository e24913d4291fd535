//! The subcommands, one file each, and what they share: reading a config,
//! choosing variants and building them.

pub mod bench;
pub mod check;
pub mod gen;
pub mod lint;
pub mod list;
pub mod prove;
pub mod run;
pub mod sim;
pub mod synth;

use crate::output::WriteError;
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_rtl::catalog;
use std::path::Path;
use std::process::ExitCode;

/// Why a command failed, and which exit code says so.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The config has errors (exit 1); the report is already rendered.
    #[error("{0}")]
    Config(String),
    /// A generated design was rejected, or a check failed (exit 1).
    #[error("{0}")]
    Failed(String),
    /// Bad usage or unreadable input (exit 2).
    #[error("{0}")]
    Usage(String),
    /// An output could not be written (exit 2).
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl CliError {
    /// The documented exit code: 1 a check or lint failed, 2 bad usage or I/O.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Config(_) | CliError::Failed(_) => ExitCode::from(1),
            CliError::Usage(_) | CliError::Write(_) => ExitCode::from(2),
        }
    }
}

/// Reads and elaborates a config file against the catalogue.
pub fn load(path: &Path) -> Result<Vec<Variant>, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let src = String::from_utf8(bytes).map_err(|e| {
        CliError::Usage(format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let name = path.display().to_string();
    linkforge_dsl::load(&name, &src, &catalog::catalog())
        .map_err(|report| CliError::Config(format!("{report:?}")))
}

/// The variants named by `--variant` (all when none are named); an unknown
/// name is a usage error listing the variants there are.
pub fn select(variants: Vec<Variant>, names: &[String]) -> Result<Vec<Variant>, CliError> {
    if names.is_empty() {
        return Ok(variants);
    }
    for n in names {
        if !variants.iter().any(|v| &v.name == n) {
            let known: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
            return Err(CliError::Usage(format!(
                "no variant `{n}` in the config (variants: {})",
                known.join(", ")
            )));
        }
    }
    Ok(variants
        .into_iter()
        .filter(|v| names.contains(&v.name))
        .collect())
}

/// Builds a variant's design; its top module is named after the variant.
pub fn build(v: &Variant) -> Result<Design, CliError> {
    let kind = catalog::kind(&v.kind)
        .ok_or_else(|| CliError::Failed(format!("unknown block kind `{}`", v.kind)))?;
    let module = (kind.build)(&v.name, &v.params)
        .map_err(|e| CliError::Failed(format!("variant `{}`: {e}", v.name)))?;
    Design::new(module).map_err(|e| CliError::Failed(format!("variant `{}`: {e}", v.name)))
}
