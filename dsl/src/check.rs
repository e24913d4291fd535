//! Checks an evaluated value against a parameter's kind: its type, unit,
//! range, choices and list length; produces the catalogue [`Value`].

use crate::ast::Span;
use crate::diagnostic::{did_you_mean, list_names, Diagnostics, Error, ErrorKind};
use crate::eval::{Consts, Val};
use linkforge_rtl::catalog::{ParamKind, Value};

/// The parameter being checked, for messages.
pub(crate) struct Target<'a> {
    /// Its path as written (`ffe.taps`).
    pub path: &'a str,
    /// Its kind.
    pub kind: &'a ParamKind,
}

/// Checks `val` (written at `span`) against `target`; reports every problem
/// and returns `None` if there was one.
pub(crate) fn check(
    val: &Val,
    span: Span,
    target: &Target<'_>,
    consts: &Consts,
    errors: &mut Diagnostics,
) -> Option<Value> {
    let path = target.path;
    let number = match val {
        Val::Int(i) => Some(*i as f64),
        Val::Float(f) => Some(*f),
        _ => None,
    };
    let result = match (target.kind, val) {
        (_, Val::Name(n)) if !matches!(target.kind, ParamKind::Choice(_)) => {
            Err(consts.undefined(n, span))
        }
        (ParamKind::Int { min, max }, Val::Int(v)) => {
            in_range((min..=max).contains(&v), target, span, v.to_string()).map(|_| Value::Int(*v))
        }
        (ParamKind::Float { min, max }, Val::Int(_) | Val::Float(_)) => {
            let v = number.unwrap_or_default();
            let inside = (min..=max).contains(&&v);
            in_range(inside, target, span, v.to_string()).map(|_| Value::Float(v))
        }
        (ParamKind::Int { .. } | ParamKind::Float { .. }, Val::Quantity(_, unit)) => {
            Err(Error::new(
                ErrorKind::Unit,
                unit.span,
                format!("`{path}` is a plain number and takes no unit"),
            )
            .label("unexpected unit")
            .help(format!("remove the unit `{}`", unit.name)))
        }
        (ParamKind::Bool, Val::Bool(b)) => Ok(Value::Bool(*b)),
        (ParamKind::Text, Val::Str(s)) => Ok(Value::Str(s.clone())),
        (ParamKind::Table { .. }, _) => Err(Error::new(
            ErrorKind::Type,
            span,
            format!("`{path}` is a table of named rows, not a value"),
        )
        .label("table set like a value")
        .help(format!(
            "write each row as `{} NAME {{ member = value; }}`",
            path.rsplit('.').next().unwrap_or(path)
        ))),
        (ParamKind::Choice(choices), Val::Name(s) | Val::Str(s)) => {
            if choices.iter().any(|c| c == s) {
                Ok(Value::Str(s.clone()))
            } else {
                let help = did_you_mean(s, choices.iter().copied()).unwrap_or_else(|| {
                    format!("choose one of {}", list_names(choices.iter().copied()))
                });
                Err(Error::new(
                    ErrorKind::UnknownChoice,
                    span,
                    format!("`{s}` is not a choice of `{path}`"),
                )
                .label("unknown choice")
                .help(help))
            }
        }
        (ParamKind::Quantity { dim, min, max }, Val::Quantity(v, unit)) => {
            match dim.units().iter().find(|(u, _)| *u == unit.name) {
                Some((_, factor)) => {
                    let base = v * factor;
                    let shown = format!("{v} {}", unit.name);
                    let inside = (min..=max).contains(&&base);
                    in_range(inside, target, span, shown).map(|_| Value::Float(base))
                }
                None => {
                    let units = dim.units().iter().map(|(u, _)| *u);
                    let help = did_you_mean(&unit.name, units.clone())
                        .unwrap_or_else(|| format!("`{path}` accepts {}", list_names(units)));
                    Err(Error::new(
                        ErrorKind::Unit,
                        unit.span,
                        format!("`{}` is not a unit of `{path}`", unit.name),
                    )
                    .label("wrong unit")
                    .help(help))
                }
            }
        }
        (ParamKind::Quantity { dim, .. }, Val::Int(_) | Val::Float(_)) => {
            let units = list_names(dim.units().iter().map(|(u, _)| *u));
            Err(
                Error::new(ErrorKind::Unit, span, format!("`{path}` needs a unit"))
                    .label("missing unit")
                    .help(format!(
                        "write the unit after the number, e.g. `{} {}`; accepted: {units}",
                        number.unwrap_or(1.0),
                        dim.base_unit()
                    )),
            )
        }
        (ParamKind::List { item, max_len }, Val::List(items)) => {
            if items.len() > *max_len {
                Err(Error::new(
                    ErrorKind::ListTooLong,
                    span,
                    format!(
                        "`{path}` takes at most {max_len} entries, this list has {}",
                        items.len()
                    ),
                )
                .label("too long")
                .help(format!("remove {} entries", items.len() - max_len)))
            } else {
                let item_target = Target { path, kind: item };
                let mut ok = true;
                let mut out = Vec::with_capacity(items.len());
                for (v, s) in items {
                    match check(v, *s, &item_target, consts, errors) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                return ok.then_some(Value::List(out));
            }
        }
        (ParamKind::Group(_), _) => Err(Error::new(
            ErrorKind::Type,
            span,
            format!("`{path}` is a group of parameters, not a value"),
        )
        .label("group set like a value")
        .help(format!(
            "set its members in braces: `{} {{ member = value; }}`",
            path.rsplit('.').next().unwrap_or(path)
        ))),
        (kind, val) => Err(Error::new(
            ErrorKind::Type,
            span,
            format!(
                "`{path}` expects {}, found {}",
                describe_kind(kind),
                val.describe()
            ),
        )
        .label("wrong type")),
    };
    result.map_err(|e| errors.push(e)).ok()
}

fn describe_kind(kind: &ParamKind) -> String {
    match kind {
        ParamKind::Int { .. } => format!("an {kind}"),
        ParamKind::Float { .. } => format!("a {kind}"),
        ParamKind::Bool => "a bool (`true` or `false`)".into(),
        ParamKind::Choice(_) => kind.to_string(),
        ParamKind::Quantity { dim, .. } => format!("a quantity in {}", dim.base_unit()),
        ParamKind::List { .. } | ParamKind::Group(_) | ParamKind::Table { .. } => {
            format!("a {kind}")
        }
        ParamKind::Text => "text (a string in double quotes)".into(),
    }
}

/// `Ok` if the value (`shown` as written) is `inside` its range, else the
/// range error.
fn in_range(inside: bool, target: &Target<'_>, span: Span, shown: String) -> Result<(), Error> {
    if inside {
        return Ok(());
    }
    let range = match target.kind {
        ParamKind::Int { min, max } => format!("{min}..={max}"),
        ParamKind::Float { min, max } => format!("{min}..={max}"),
        other => other.to_string(),
    };
    Err(Error::new(
        ErrorKind::Range,
        span,
        format!("{shown} is out of range for `{}`", target.path),
    )
    .label(format!("not in {range}"))
    .help(format!("`{}` accepts {range}", target.path)))
}
