//! Every catalogue kind across its legal parameters: random parameter sets
//! drawn from the kind's own specs (each parameter, with probability one
//! half, drawn afresh: an integer log-uniformly over its range, reals and
//! quantities uniformly, choices and booleans evenly, lists and groups
//! member by member) and kept when the kind's cross-parameter rules
//! (`issues`, what the config language checks) and its generator's own
//! config checks (a typed `RtlError::Param`) accept them.
//! Each such set must build without a panic or any other error, and the
//! design must pass every HDL check (`Design::new`). A few of the designs
//! per run also go through `verilator --lint-only -Wall`. The sets only a
//! generator refused are counted per kind and printed: rules the config
//! language cannot report before `gen`.
//!
//! The draws are `linkforge_verif::models::params` (integers at most
//! `INT_CAP` above their minimum; tables keep their default rows). `PROPTEST_CASES` sets the number of sets per kind (default 8),
//! `LINKFORGE_LINT_SAMPLE` the number linted (default 4), `LINKFORGE_SEED`
//! the seed (default: a new one each run, named by a failure).

use linkforge_hdl::{verilog, Design};
use linkforge_rtl::catalog::{self, BlockKind, Params};
use linkforge_rtl::RtlError;
use linkforge_verif::models::params::draw_all;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tools;
use std::collections::{BTreeMap, BTreeSet};

/// Draws per set before giving up on finding one the kind's rules accept.
const TRIES: usize = 1000;

/// A number from the environment variable `name`, else `default`.
fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What became of one parameter set.
enum Built {
    /// It built and passed the HDL checks.
    Ok(Design),
    /// The generator refused it with a typed parameter error: a rule of the
    /// kind its `issues` do not state, so the set was not legal after all.
    Refused,
    /// It panicked, or the HDL rejected what the generator made.
    Failed(String),
}

/// Builds `params` of `kind` as module `name` and runs the HDL checks.
fn build(kind: &BlockKind, name: &str, params: &Params) -> Built {
    match std::panic::catch_unwind(|| (kind.build)(name, params)) {
        Err(_) => Built::Failed("the generator panicked".into()),
        Ok(Err(RtlError::Param { .. })) => Built::Refused,
        Ok(Err(e)) => Built::Failed(format!("the generator failed: {e}")),
        Ok(Ok(module)) => match Design::new(module) {
            Ok(design) => Built::Ok(design),
            Err(e) => Built::Failed(format!("an HDL check failed: {e}")),
        },
    }
}

/// A random legal set of `kind` (its rules and its generator accept it)
/// and what it built, with the number of sets the rules accepted but the
/// generator refused; `None` after [`TRIES`] draws.
fn legal_build(
    rng: &mut XorShift,
    kind: &BlockKind,
    name: &str,
) -> (Option<(Params, Built)>, usize) {
    let defaults = Params::defaults(&kind.params);
    let mut refused = 0;
    for _ in 0..TRIES {
        let params = draw_all(rng, &kind.params, &defaults);
        if !(kind.issues)(&params).is_empty() {
            continue;
        }
        match build(kind, name, &params) {
            Built::Refused => refused += 1,
            built => return (Some((params, built)), refused),
        }
    }
    (None, refused)
}

#[test]
fn random_legal_parameter_sets_build_and_pass_the_hdl_checks() {
    let per_kind = env_count("PROPTEST_CASES", 8);
    // A new seed each run, so runs cover different sets; a failure names it.
    let seed = linkforge_verif::testenv::seed();
    let mut rng = XorShift::new(seed);
    let kinds = catalog::catalog();
    let total = kinds.len() * per_kind;
    let lint_at: BTreeSet<usize> = (0..env_count("LINKFORGE_LINT_SAMPLE", 4))
        .map(|_| (rng.word() % total.max(1) as u64) as usize)
        .collect();
    let lint = !lint_at.is_empty() && tools::have("verilator");
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut failures = Vec::new();
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, kind) in kinds
        .iter()
        .flat_map(|k| std::iter::repeat_n(k, per_kind))
        .enumerate()
    {
        let name = format!("{}_{i}", kind.name);
        let (outcome, r) = legal_build(&mut rng, kind, &name);
        *refused.entry(kind.name).or_default() += r;
        match outcome {
            None => failures.push(format!("{}: no legal set in {TRIES} draws", kind.name)),
            Some((params, Built::Failed(why))) => {
                failures.push(format!("{}: {why}\n  params: {params:?}", kind.name))
            }
            Some((params, Built::Ok(design))) if lint && lint_at.contains(&i) => {
                let path = dir.path().join(format!("{name}.v"));
                std::fs::write(&path, verilog::emit(&design)).expect("write Verilog");
                if let Err(e) = tools::verilator_lint(&path, design.top_name()) {
                    failures.push(format!("{}: {e}\n  params: {params:?}", kind.name));
                }
            }
            Some(_) => {}
        }
    }
    refused.retain(|_, n| *n > 0);
    // Rules only the generators know: the config language passes such a
    // set and `gen` then refuses it with a typed error.
    eprintln!("sets the kinds' rules accepted but the generator refused: {refused:?}");
    assert!(
        failures.is_empty(),
        "{} of {total} parameter sets failed (LINKFORGE_SEED={seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
