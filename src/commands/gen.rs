//! `linkforge gen FILE -o DIR`: Verilog, a file list, a FuseSoC core
//! ([`crate::fusesoc`]) and a manifest for each variant, and for a block with a register interface (a `regmap`, a
//! `switch` with `telemetry`) its register map as Markdown (`NAME.md`),
//! JSON (`NAME.json`) and a C header (`NAME.h`).

use super::{build, load, select, CliError};
use crate::manifest::{self, Manifest};
use crate::output::{write_atomic, OutDir};
use linkforge_dsl::Variant;
use linkforge_hdl::{verilog, Design};
use linkforge_rtl::telemetry;
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
    let mut docs = Vec::new();
    for v in variants {
        files.push(format!("{}.v", v.name));
        files.push(format!("{}.f", v.name));
        files.push(format!("{}.core", v.name));
        docs.extend(register_docs(v)?);
    }
    files.extend(docs.iter().map(|(name, _)| name.clone()));
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
        write_atomic(
            &out.path(&format!("{}.core", v.name)),
            crate::fusesoc::core(&v.name, &v.kind, &manifest.source).as_bytes(),
        )?;
        manifest
            .variants
            .push(manifest::entry(&v.kind, &v.params, design));
    }
    for (name, text) in &docs {
        write_atomic(&out.path(name), text.as_bytes())?;
    }
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| CliError::Failed(format!("manifest: {e}")))?;
    write_atomic(&out.path("manifest.json"), format!("{json}\n").as_bytes())?;
    Ok(Generated { manifest })
}

/// The register map files of variant `v` (file name, contents): Markdown,
/// JSON and a C header for a block with a register interface (a `regmap`,
/// a `switch` with `telemetry`, a `card`), none for others.
pub fn register_docs(v: &Variant) -> Result<Vec<(String, String)>, CliError> {
    let failed = |e| CliError::Failed(format!("variant `{}`: {e}", v.name));
    let map = telemetry::register_map(&v.kind, &v.params).map_err(failed)?;
    let windows = telemetry::windows(&v.kind, &v.params).map_err(failed)?;
    Ok(map.map_or_else(Vec::new, |(map, bus)| {
        vec![
            (
                format!("{}.md", v.name),
                telemetry::docs::markdown(&v.name, &map, bus, &windows),
            ),
            (
                format!("{}.json", v.name),
                telemetry::docs::json(&v.name, &map, bus, &windows),
            ),
            (
                format!("{}.h", v.name),
                telemetry::docs::c_header(&v.name, &map, &windows),
            ),
        ]
    }))
}
