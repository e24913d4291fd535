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
//! Integers whose range reaches past [`INT_CAP`] above its minimum are
//! drawn up to that cap (sizes such as a million-word FIFO would make one
//! case as slow as the whole run); tables (register maps, card components) keep their default
//! rows. `PROPTEST_CASES` sets the number of sets per kind (default 8),
//! `LINKFORGE_LINT_SAMPLE` the number linted (default 4), `LINKFORGE_SEED`
//! the seed (default: a new one each run, named by a failure).

use linkforge_hdl::{verilog, Design};
use linkforge_rtl::catalog::{self, BlockKind, ParamKind, ParamSpec, Params, Value, RULES_PARAM};
use linkforge_rtl::RtlError;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tools;
use std::collections::{BTreeMap, BTreeSet};

/// The largest integer drawn above a range's minimum.
const INT_CAP: i64 = 1 << 12;
/// Draws per set before giving up on finding one the kind's rules accept.
const TRIES: usize = 1000;

/// A number from the environment variable `name`, else `default`.
fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A uniform draw in `0.0..1.0`.
fn unit(rng: &mut XorShift) -> f64 {
    (rng.word() >> 11) as f64 / (1u64 << 53) as f64
}

/// An integer in `min..=max`, log-uniform in its distance from `min`.
fn int_in(rng: &mut XorShift, min: i64, max: i64) -> i64 {
    let span = (max.saturating_sub(min)).clamp(0, INT_CAP) as u64;
    if span == 0 {
        return min;
    }
    let bits = 64 - span.leading_zeros();
    let top = rng.word() % u64::from(bits + 1);
    let limit = if top >= 63 {
        u64::MAX
    } else {
        (1u64 << top) - 1
    };
    min + (rng.word() & limit).min(span) as i64
}

/// A random legal value of `kind`, or `default` where none is drawn
/// (text, tables).
fn draw(rng: &mut XorShift, kind: &ParamKind, default: &Value) -> Value {
    match kind {
        ParamKind::Int { min, max } => Value::Int(int_in(rng, *min, *max)),
        ParamKind::Float { min, max } | ParamKind::Quantity { min, max, .. } => {
            Value::Float(min + (max - min) * unit(rng))
        }
        ParamKind::Bool => Value::Bool(rng.word() & 1 == 1),
        ParamKind::Choice(names) => {
            Value::Str(names[(rng.word() % names.len() as u64) as usize].to_string())
        }
        ParamKind::List { item, max_len } => {
            let len = (rng.word() % (*max_len.min(&8) as u64 + 1)) as usize;
            let item_default = match default {
                Value::List(v) => v.first().cloned(),
                _ => None,
            };
            let item_default = item_default.unwrap_or(Value::Int(0));
            Value::List((0..len).map(|_| draw(rng, item, &item_default)).collect())
        }
        ParamKind::Group(specs) => match default {
            Value::Group(d) => Value::Group(draw_all(rng, specs, d)),
            _ => default.clone(),
        },
        ParamKind::Text | ParamKind::Table { .. } => default.clone(),
    }
}

/// `defaults` with each spec of `specs` drawn at random with probability
/// one half (parameters that depend on each other, such as a preset and
/// the values it fixes, then often keep their legal defaults together);
/// the protocol rules stay as they are.
fn draw_all(rng: &mut XorShift, specs: &[ParamSpec], defaults: &Params) -> Params {
    let mut p = defaults.clone();
    for s in specs.iter().filter(|s| s.name != RULES_PARAM) {
        if rng.word() & 1 == 0 {
            continue;
        }
        let default = defaults.0.get(s.name).unwrap_or(&s.default);
        p.0.insert(s.name.to_string(), draw(rng, &s.kind, default));
    }
    p
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
    let seed = std::env::var("LINKFORGE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
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
