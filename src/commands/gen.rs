//! `linkforge gen FILE -o DIR`: Verilog, a file list and a manifest for each
//! variant.

use super::{build, load, select, CliError};
use crate::manifest::{self, Manifest};
use crate::output::{ensure_dir, write_atomic};
use linkforge_hdl::verilog;
use std::path::Path;

/// What `gen` wrote.
pub struct Generated {
    /// The manifest entries, one per variant.
    pub manifest: Manifest,
}

/// Generates the chosen variants of `config` into `dir`.
pub fn run(config: &Path, dir: &Path, variants: &[String]) -> Result<Generated, CliError> {
    let chosen = select(load(config)?, variants)?;
    ensure_dir(dir)?;
    let mut manifest = Manifest {
        linkforge: env!("CARGO_PKG_VERSION"),
        source: config.display().to_string(),
        variants: Vec::new(),
    };
    for v in &chosen {
        let design = build(v)?;
        let text = verilog::emit(&design);
        write_atomic(&dir.join(format!("{}.v", v.name)), text.as_bytes())?;
        // Paths in the file list are relative to it (use it with `-F`).
        write_atomic(
            &dir.join(format!("{}.f", v.name)),
            format!("{}.v\n", v.name).as_bytes(),
        )?;
        manifest
            .variants
            .push(manifest::entry(&v.kind, &v.params, &design));
    }
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| CliError::Failed(format!("manifest: {e}")))?;
    write_atomic(&dir.join("manifest.json"), format!("{json}\n").as_bytes())?;
    Ok(Generated { manifest })
}
