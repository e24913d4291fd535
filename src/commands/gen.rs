//! `linkforge gen FILE -o DIR`: Verilog, a file list and a manifest for each
//! variant.

use super::{build, load, select, CliError};
use crate::manifest::{self, Manifest};
use crate::output::{write_atomic, OutDir};
use linkforge_dsl::Variant;
use linkforge_hdl::{verilog, Design};
use std::path::Path;

/// What `gen` wrote.
pub struct Generated {
    /// The manifest entries, one per variant.
    pub manifest: Manifest,
}

/// Generates the chosen variants of `config` into `out`. Every design is
/// built and checked against the limits, and every file checked against
/// the ledger, before the first file is written.
pub fn run(config: &Path, out: &mut OutDir, variants: &[String]) -> Result<Generated, CliError> {
    let chosen = select(load(config)?, variants)?;
    let designs = chosen.iter().map(build).collect::<Result<Vec<_>, _>>()?;
    generate(config, &chosen, &designs, out)
}

/// Writes the Verilog, file list and manifest of the built `designs` of
/// `variants` (from `config`) into `out`, after claiming every file.
pub fn generate(
    config: &Path,
    variants: &[Variant],
    designs: &[Design],
    out: &mut OutDir,
) -> Result<Generated, CliError> {
    let mut files = vec!["manifest.json".to_string()];
    for v in variants {
        files.push(format!("{}.v", v.name));
        files.push(format!("{}.f", v.name));
    }
    out.claim(&files)?;
    let mut manifest = Manifest {
        linkforge: env!("CARGO_PKG_VERSION"),
        source: config.display().to_string(),
        variants: Vec::new(),
    };
    for (v, design) in variants.iter().zip(designs) {
        let text = verilog::emit(design);
        write_atomic(&out.path(&format!("{}.v", v.name)), text.as_bytes())?;
        // Paths in the file list are relative to it (use it with `-F`).
        write_atomic(
            &out.path(&format!("{}.f", v.name)),
            format!("{}.v\n", v.name).as_bytes(),
        )?;
        manifest
            .variants
            .push(manifest::entry(&v.kind, &v.params, design));
    }
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| CliError::Failed(format!("manifest: {e}")))?;
    write_atomic(&out.path("manifest.json"), format!("{json}\n").as_bytes())?;
    Ok(Generated { manifest })
}
