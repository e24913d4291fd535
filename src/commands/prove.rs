//! `linkforge prove FILE --variant NAME`: a bounded proof of the variant's
//! assertions with Yosys and yosys-smtbmc (z3), starting from reset.

use super::{build, load, select, CliError};
use crate::output::{ensure_dir, OutDir};
use linkforge_hdl::Design;
use linkforge_verif::formal::{self, ResetInput, Verdict};
use linkforge_verif::tb::{input_role, InputRole};
use std::path::Path;

/// The top-level inputs the harness holds in reset in the first cycle:
/// those named like resets (`rst`, `*_rst`, `rst_*`, `*_reset`, `*_n`).
fn resets(design: &Design) -> Vec<ResetInput> {
    let top = design.top();
    top.ports
        .iter()
        .filter(|&&p| top.is_input(p))
        .filter_map(|&p| match input_role(&top.signal(p).name) {
            InputRole::Reset { active_low } => Some(ResetInput {
                name: top.signal(p).name.clone(),
                active_low,
            }),
            InputRole::Data => None,
        })
        .collect()
}

/// Proves `variant` of `config` to `depth` steps, writing the Verilog, the
/// SMT2 model and any counterexample into `OUT/prove/<variant>/` (claimed
/// in the output directory's ledger first).
pub fn run(
    config: &Path,
    variant: &str,
    depth: u32,
    out: &mut OutDir,
) -> Result<Verdict, CliError> {
    let chosen = select(load(config)?, &[variant.to_string()])?;
    let design = build(&chosen[0])?;
    let sub = format!("prove/{variant}");
    let files: Vec<String> = formal::outputs(&design)
        .iter()
        .map(|f| format!("{sub}/{f}"))
        .collect();
    out.claim(&files)?;
    let dir = out.path(&sub);
    ensure_dir(&dir)?;
    formal::prove(&design, &resets(&design), depth, &dir).map_err(|e| match e {
        formal::FormalError::NothingToProve(_) => CliError::Usage(format!("{variant}: {e}")),
        other => CliError::Failed(format!("{variant}: {other}")),
    })
}
