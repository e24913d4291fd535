//! Random legal parameter sets of catalogue kinds, drawn from each kind's
//! own specs: each parameter, with probability one half, drawn afresh (an
//! integer log-uniformly over its range, reals and quantities uniformly,
//! choices and booleans evenly, lists and groups member by member). A set
//! is legal when the kind's cross-parameter rules (`issues`) accept it and
//! its generator builds it; [`legal`] draws until both hold.
//!
//! Integers whose range reaches past [`INT_CAP`] above its minimum are
//! drawn up to that cap (sizes such as a million-word FIFO would make one
//! case as slow as a whole test run); tables (register maps, card
//! components) keep their default rows.

use super::xorshift::XorShift;
use linkforge_rtl::catalog::{BlockKind, ParamKind, ParamSpec, Params, Value, RULES_PARAM};

/// The largest integer drawn above a range's minimum.
pub const INT_CAP: i64 = 1 << 12;

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
pub fn draw_all(rng: &mut XorShift, specs: &[ParamSpec], defaults: &Params) -> Params {
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

/// A legal set of `kind` that builds and passes the HDL checks, from at
/// most `tries` draws; `None` when none did.
pub fn legal(
    rng: &mut XorShift,
    kind: &BlockKind,
    tries: usize,
) -> Option<(Params, linkforge_hdl::Design)> {
    let defaults = Params::defaults(&kind.params);
    (0..tries).find_map(|_| {
        let params = draw_all(rng, &kind.params, &defaults);
        if !(kind.issues)(&params).is_empty() {
            return None;
        }
        let module = (kind.build)(kind.name, &params).ok()?;
        let design = linkforge_hdl::Design::new(module).ok()?;
        Some((params, design))
    })
}
