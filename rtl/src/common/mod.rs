//! Common building blocks shared by every family: synchronizers, FIFOs,
//! arbiters, LFSRs, CRCs and counters.
//!
//! Each block has a typed `*Config` (with `from_params` for the catalogue and
//! `validate` for configs built in Rust), a generator
//! `fn(module_name, &Config) -> Result<Module, HdlError>` that checks its
//! config first, and a catalogue entry `kind()`. The module documentation of
//! each block states its port contract; port names are the interface.

pub mod arbiter;
pub mod async_fifo;
pub mod counter;
pub mod crc;
mod fwft;
mod gf2;
pub mod lfsr;
pub mod sync2;
pub mod sync_fifo;

use crate::catalog::{ParamKind, ParamSpec, Params, Value as ParamValue};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::{ErrorKind, SourceLoc};

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

/// The low `n` bits set (`n` in 1..=64; clamped).
pub(crate) fn ones(n: u32) -> u64 {
    u64::MAX >> (64 - n.clamp(1, 64))
}

/// Turns a failed config check into an elaboration error of `module`,
/// located at the generator's caller.
#[track_caller]
pub(crate) fn checked(module: &str, check: Result<(), RtlError>) -> Result<(), HdlError> {
    let loc = SourceLoc::caller();
    check.map_err(|e| HdlError::single(ErrorKind::Invalid(e.to_string()), module, loc))
}

/// Binary to Gray code: `b ^ (b >> 1)`.
pub fn to_gray(b: impl Into<Expr>) -> Expr {
    let b = b.into();
    b.clone() ^ (b >> 1)
}

/// Gray code to binary: bit `i` is the parity of Gray bits `w-1..=i`.
pub fn from_gray(g: impl Into<Expr>) -> Expr {
    let g = g.into();
    let w = g.width();
    let bits = (0..w)
        .rev()
        .map(|i| {
            if i == w - 1 {
                g.clone().bit(i)
            } else {
                g.clone().slice(w - 1, i).parity()
            }
        })
        .collect();
    concat(bits)
}
