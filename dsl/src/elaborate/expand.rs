//! Sweep expansion: the cartesian product of a declaration's sweeps, the
//! names of its variants, and complete parameters with defaults filled in.

use super::{Setting, Settings, Variant};
use crate::ast::{BlockDecl, Span};
use crate::diagnostic::{Diagnostics, Error, ErrorKind};
use crate::MAX_SWEEP_VARIANTS;
use linkforge_rtl::catalog::{BlockKind, ParamKind, ParamSpec, Params, Value};

/// The swept settings in catalogue order (groups depth first), with each
/// parameter's short name.
fn sweeps<'s>(
    specs: &[ParamSpec],
    settings: &'s Settings,
    out: &mut Vec<(&'static str, &'s [Value], Span)>,
) {
    for spec in specs {
        match (settings.get(spec.name), &spec.kind) {
            (Some(Setting::Sweep(values, span)), _) => {
                let short = if spec.short.is_empty() {
                    spec.name
                } else {
                    spec.short
                };
                out.push((short, values, *span));
            }
            (Some(Setting::Group(sub)), ParamKind::Group(members)) => sweeps(members, sub, out),
            _ => {}
        }
    }
}

/// How many variants the sweeps make (`None` past `usize`).
fn product(swept: &[(&'static str, &[Value], Span)]) -> Option<usize> {
    swept
        .iter()
        .try_fold(1usize, |acc, (_, v, _)| acc.checked_mul(v.len()))
}

/// How many variants a declaration of `kind` with `settings` makes when
/// expanded: the product of its sweeps' lengths; `None` beyond
/// [`MAX_SWEEP_VARIANTS`], which [`expand`] reports.
pub(super) fn count(kind: &BlockKind, settings: &Settings) -> Option<usize> {
    let mut swept = Vec::new();
    sweeps(&kind.params, settings, &mut swept);
    product(&swept).filter(|&n| n <= MAX_SWEEP_VARIANTS)
}

/// The variants of one declaration: one, or the product of its sweeps.
pub(super) fn expand(
    d: &BlockDecl,
    kind: &BlockKind,
    settings: &Settings,
    errors: &mut Diagnostics,
) -> Vec<Variant> {
    let mut swept = Vec::new();
    sweeps(&kind.params, settings, &mut swept);
    let total = product(&swept);
    if total.is_none_or(|t| t > MAX_SWEEP_VARIANTS) {
        let count = total.map_or_else(|| "too many".to_string(), |t| t.to_string());
        let mut err = Error::new(
            ErrorKind::Sweep,
            d.name.span,
            format!("`{}` sweeps into {count} variants, more than {MAX_SWEEP_VARIANTS}", d.name.name),
        )
        .label(format!("{count} variants"))
        .help(format!("split the sweep over several declarations of at most {MAX_SWEEP_VARIANTS} variants each"));
        for (_, values, span) in &swept {
            err = err.note(*span, format!("{} values", values.len()));
        }
        errors.push(err);
        return Vec::new();
    }
    let mut index = vec![0usize; swept.len()];
    let mut out = Vec::new();
    loop {
        let chosen: Option<Vec<&Value>> = swept
            .iter()
            .zip(&index)
            .map(|((_, v, _), &k)| v.get(k))
            .collect();
        let Some(chosen) = chosen else {
            return out;
        };
        let mut name = d.name.name.clone();
        for ((short, _, _), v) in swept.iter().zip(&chosen) {
            name.push('_');
            name.push_str(short);
            name.push_str(&sanitize(v));
        }
        let params = complete(&kind.params, Some(settings), None, &mut chosen.into_iter());
        out.push(Variant {
            name,
            kind: kind.name.to_string(),
            params,
            span: d.name.span,
        });
        // Odometer: the last swept parameter varies fastest.
        let mut k = index.len();
        loop {
            if k == 0 {
                return out;
            }
            k -= 1;
            index[k] += 1;
            if index[k] < swept[k].1.len() {
                break;
            }
            index[k] = 0;
        }
    }
}

/// Complete parameters: the settings, the chosen sweep values (consumed in
/// catalogue order) and defaults for the rest. Inside a group, a member not
/// set takes the group default's member (or, failing that, its own default).
fn complete<'v>(
    specs: &[ParamSpec],
    settings: Option<&Settings>,
    group_default: Option<&Params>,
    chosen: &mut impl Iterator<Item = &'v Value>,
) -> Params {
    let mut params = Params::default();
    for spec in specs {
        let default = group_default
            .and_then(|g| g.0.get(spec.name))
            .unwrap_or(&spec.default);
        let set = settings.and_then(|s| s.get(spec.name));
        let value = match (set, &spec.kind) {
            (Some(Setting::One(v, _)), _) => v.clone(),
            (Some(Setting::Table(rows)), ParamKind::Table { row, .. }) => Value::List(
                rows.iter()
                    .map(|r| {
                        let mut p = complete(row, Some(&r.settings), None, &mut std::iter::empty());
                        p.0.insert("name".into(), Value::Str(r.name.clone()));
                        Value::Group(p)
                    })
                    .collect(),
            ),
            (Some(Setting::Sweep(..)), _) => chosen.next().unwrap_or(default).clone(),
            (set, ParamKind::Group(members)) => {
                let sub = match set {
                    Some(Setting::Group(g)) => Some(g),
                    _ => None,
                };
                let sub_default = match default {
                    Value::Group(p) => Some(p),
                    _ => None,
                };
                Value::Group(complete(members, sub, sub_default, chosen))
            }
            (_, _) => default.clone(),
        };
        params.0.insert(spec.name.to_string(), value);
    }
    params
}

/// A swept value as part of an identifier: `8`, `m3` for -3, `0p9` for 0.9,
/// `voq`, `true`; list items joined by `_`.
fn sanitize(v: &Value) -> String {
    let text = match v {
        Value::List(items) => items.iter().map(sanitize).collect::<Vec<_>>().join("_"),
        other => other.to_string(),
    };
    text.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => c,
            '.' => 'p',
            '-' => 'm',
            _ => '_',
        })
        .collect()
}
