//! Helpers every generator uses to describe its parameters in the
//! catalogue and to read and check them from [`Params`].

use crate::catalog::{ParamKind, ParamSpec, Params, Value as ParamValue};
use crate::RtlError;
use linkforge_hdl::{ErrorKind, HdlError, SourceLoc};

/// An inclusive range of an integer parameter, shared by its catalogue spec
/// and its config check.
pub(crate) type IntRange = (i64, i64);

/// A parameter error.
pub(crate) fn param_error(name: &str, message: impl Into<String>) -> RtlError {
    RtlError::Param {
        name: name.to_string(),
        message: message.into(),
    }
}

/// Checks that `value` of parameter `name` lies in `range`.
pub(crate) fn check_range(name: &str, value: u64, range: IntRange) -> Result<(), RtlError> {
    let (min, max) = range;
    let ok = i64::try_from(value).is_ok_and(|v| (min..=max).contains(&v));
    if ok {
        Ok(())
    } else {
        Err(param_error(
            name,
            format!("{value} is outside {min}..={max}"),
        ))
    }
}

/// Integer parameter `name` as a `T` (range checks are the config's `validate`).
pub(crate) fn int_param<T: TryFrom<i64>>(p: &Params, name: &str) -> Result<T, RtlError> {
    let v = p.int(name)?;
    T::try_from(v).map_err(|_| param_error(name, format!("{v} is out of range")))
}

/// Choice parameter `name`, checked to be one of `options`.
pub(crate) fn choice_param<'p>(
    p: &'p Params,
    name: &str,
    options: &[&str],
) -> Result<&'p str, RtlError> {
    let v = p.str(name)?;
    if options.contains(&v) {
        Ok(v)
    } else {
        Err(param_error(
            name,
            format!("`{v}` is not one of {}", options.join(", ")),
        ))
    }
}

/// List parameter `name` whose entries are integers in `range`.
pub(crate) fn int_list_param(
    p: &Params,
    name: &str,
    range: IntRange,
) -> Result<Vec<u64>, RtlError> {
    p.list(name)?
        .iter()
        .map(|v| match v {
            ParamValue::Int(i) => {
                let u = u64::try_from(*i)
                    .map_err(|_| param_error(name, format!("entry {i} is negative")))?;
                check_range(name, u, range)?;
                Ok(u)
            }
            other => Err(param_error(
                name,
                format!("expected a list of integers, got `{other}`"),
            )),
        })
        .collect()
}

/// The catalogue spec of an integer parameter.
pub(crate) fn int_spec(
    name: &'static str,
    short: &'static str,
    range: IntRange,
    default: i64,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        short,
        kind: ParamKind::Int {
            min: range.0,
            max: range.1,
        },
        default: ParamValue::Int(default),
        doc,
    }
}

/// The catalogue spec of a choice parameter.
pub(crate) fn choice_spec(
    name: &'static str,
    short: &'static str,
    options: &[&'static str],
    default: &'static str,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        short,
        kind: ParamKind::Choice(options.to_vec()),
        default: ParamValue::Str(default.to_string()),
        doc,
    }
}

/// The catalogue spec of a list-of-integers parameter, empty by default.
pub(crate) fn int_list_spec(
    name: &'static str,
    short: &'static str,
    range: IntRange,
    max_len: usize,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        short,
        kind: ParamKind::List {
            item: Box::new(ParamKind::Int {
                min: range.0,
                max: range.1,
            }),
            max_len,
        },
        default: ParamValue::List(Vec::new()),
        doc,
    }
}

/// Turns a failed config check into an elaboration error of `module`,
/// located at the generator's caller.
#[track_caller]
pub(crate) fn checked(module: &str, check: Result<(), RtlError>) -> Result<(), HdlError> {
    let loc = SourceLoc::caller();
    check.map_err(|e| HdlError::single(ErrorKind::Invalid(e.to_string()), module, loc))
}
