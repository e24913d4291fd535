//! The subcommands, one file each, and what they share: reading a config,
//! choosing variants and building them.

pub mod bench;
pub mod check;
pub mod gen;
pub mod lint;
pub mod list;
pub mod merge;
pub mod prove;
pub mod run;
pub mod scaling;
pub mod sim;
pub mod synth;
pub mod wave;

use crate::output::WriteError;
use crate::results::{self, Job, Shard};
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_rtl::catalog;
use std::collections::BTreeSet;
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
    /// Ctrl-C stopped the run cleanly (exit 130); the message says what was
    /// kept.
    #[error("{0}")]
    Interrupted(String),
}

impl CliError {
    /// The documented exit code: 1 a check or lint failed, 2 bad usage,
    /// unreadable input, a limit or an output that cannot be written, 130
    /// interrupted.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Config(_) | CliError::Failed(_) => ExitCode::from(1),
            CliError::Usage(_) | CliError::Write(_) => ExitCode::from(2),
            CliError::Interrupted(_) => ExitCode::from(crate::interrupt::EXIT_INTERRUPTED),
        }
    }
}

/// Reads a config file of at most [`linkforge_dsl::MAX_SOURCE_BYTES`].
fn read_config(path: &Path) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let cannot =
        |e: std::io::Error| CliError::Usage(format!("cannot read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file at the limit from a larger one
    // (or an endless one such as /dev/zero) without reading it all.
    file.take(linkforge_dsl::MAX_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > linkforge_dsl::MAX_SOURCE_BYTES {
        return Err(CliError::Usage(format!(
            "cannot read {}: a config file has at most {} bytes ({})",
            path.display(),
            linkforge_dsl::MAX_SOURCE_BYTES,
            crate::limits::format_size(linkforge_dsl::MAX_SOURCE_BYTES as u64)
        )));
    }
    Ok(bytes)
}

/// Reads and elaborates a config file against the catalogue. Bytes that
/// are not UTF-8 are a `dsl::encoding` diagnostic but, as unreadable input,
/// exit with 2.
pub fn load(path: &Path) -> Result<Vec<Variant>, CliError> {
    let bytes = read_config(path)?;
    let name = path.display().to_string();
    let unreadable = std::str::from_utf8(&bytes).is_err();
    linkforge_dsl::load_bytes(&name, &bytes, &catalog::catalog()).map_err(|report| {
        let text = format!("{report:?}");
        if unreadable {
            CliError::Usage(text)
        } else {
            CliError::Config(text)
        }
    })
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

/// The jobs `run` and `check` run: each variant with each seed, or one
/// shard of those, with the design of every variant they use built once.
pub struct Jobs {
    /// The jobs, in the unsharded list's order.
    pub list: Vec<Job>,
    /// How many jobs the unsharded list has.
    pub unsharded: usize,
    /// Per variant, its design when a job uses it.
    designs: Vec<Option<Design>>,
}

impl Jobs {
    /// The jobs of `variants` with `seeds` seeds from `seed` up, only
    /// `shard`'s when given.
    pub fn new(
        variants: &[Variant],
        (seed, seeds): (u64, u64),
        shard: Option<Shard>,
    ) -> Result<Jobs, CliError> {
        let all = results::jobs(variants.len(), seed, seeds);
        let unsharded = all.len();
        let list: Vec<Job> = all
            .into_iter()
            .filter(|j| shard.is_none_or(|s| s.takes(j.index)))
            .collect();
        let used: BTreeSet<usize> = list.iter().map(|j| j.variant).collect();
        let designs = variants
            .iter()
            .enumerate()
            .map(|(k, v)| used.contains(&k).then(|| build(v)).transpose())
            .collect::<Result<_, _>>()?;
        Ok(Jobs {
            list,
            unsharded,
            designs,
        })
    }

    /// The design of job `j`'s variant.
    pub fn design(&self, j: &Job) -> &Design {
        self.designs[j.variant]
            .as_ref()
            .expect("every variant a job uses is built")
    }

    /// The variants some job uses, with their designs, in config order.
    pub fn used(&self, variants: &[Variant]) -> (Vec<Variant>, Vec<Design>) {
        variants
            .iter()
            .zip(&self.designs)
            .filter_map(|(v, d)| Some((v.clone(), d.clone()?)))
            .unzip()
    }
}

/// Builds a variant's design (its top module is named after the variant)
/// and checks its estimated memory against the budget.
pub fn build(v: &Variant) -> Result<Design, CliError> {
    let kind = catalog::kind(&v.kind)
        .ok_or_else(|| CliError::Failed(format!("unknown block kind `{}`", v.kind)))?;
    let module = (kind.build)(&v.name, &v.params)
        .map_err(|e| CliError::Failed(format!("variant `{}`: {e}", v.name)))?;
    let design =
        Design::new(module).map_err(|e| CliError::Failed(format!("variant `{}`: {e}", v.name)))?;
    crate::limits::check_memory(&v.name, &design)?;
    Ok(design)
}
