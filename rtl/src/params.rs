//! Parameters declared once: each generator declares its parameters as
//! constants of the types here, and the same constant gives the catalogue's
//! [`ParamSpec`], the value read from [`Params`] and the range check of the
//! config's `validate`.

use crate::catalog::{ParamKind, ParamSpec, Params, Value};
use crate::RtlError;
use linkforge_hdl::{ErrorKind, HdlError, SourceLoc};
use std::fmt::Display;
use std::ops::RangeInclusive;

/// A parameter error.
pub(crate) fn param_error(name: &str, message: impl Into<String>) -> RtlError {
    RtlError::Param {
        name: name.to_string(),
        message: message.into(),
    }
}

/// The error of `value` of parameter `name` outside `min..=max`.
fn outside(name: &str, value: impl Display, min: impl Display, max: impl Display) -> RtlError {
    param_error(name, format!("{value} is outside {min}..={max}"))
}

/// Checks that `value` of parameter `name` lies in `min..=max`.
pub(crate) fn check_range<V>(name: &str, value: V, min: i64, max: i64) -> Result<(), RtlError>
where
    V: Copy + Display + TryInto<i64>,
{
    match value.try_into() {
        Ok(v) if (min..=max).contains(&v) => Ok(()),
        _ => Err(outside(name, value, min, max)),
    }
}

/// A number type of parameters: how its range and values appear in the
/// catalogue and how it is read from [`Params`].
pub trait Number: Copy + PartialOrd + Display {
    /// The catalogue kind of numbers in `min..=max`.
    fn kind(min: Self, max: Self) -> ParamKind;
    /// The catalogue value.
    fn value(self) -> Value;
    /// Parameter `name` of `p`.
    fn get(p: &Params, name: &str) -> Result<Self, RtlError>;
}

impl Number for i64 {
    fn kind(min: i64, max: i64) -> ParamKind {
        ParamKind::Int { min, max }
    }
    fn value(self) -> Value {
        Value::Int(self)
    }
    fn get(p: &Params, name: &str) -> Result<i64, RtlError> {
        p.int(name)
    }
}

impl Number for f64 {
    fn kind(min: f64, max: f64) -> ParamKind {
        ParamKind::Float { min, max }
    }
    fn value(self) -> Value {
        Value::Float(self)
    }
    fn get(p: &Params, name: &str) -> Result<f64, RtlError> {
        p.float(name)
    }
}

/// A number parameter in `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NumParam<N> {
    /// Name as written in configs.
    pub name: &'static str,
    /// Short prefix in swept variant names.
    pub short: &'static str,
    /// Smallest value the catalogue accepts.
    pub min: N,
    /// Largest value the catalogue accepts.
    pub max: N,
    /// The value when a config does not set it.
    pub default: N,
    /// One line for `linkforge list` and the docs.
    pub doc: &'static str,
}

/// An integer parameter.
pub type IntParam = NumParam<i64>;

/// A real-number parameter.
pub type FloatParam = NumParam<f64>;

impl<N: Number> NumParam<N> {
    /// The parameter `name` (short name `short`) in `range`, `default`
    /// when unset, described by `doc`.
    pub const fn new(
        name: &'static str,
        short: &'static str,
        range: RangeInclusive<N>,
        default: N,
        doc: &'static str,
    ) -> NumParam<N> {
        NumParam {
            name,
            short,
            min: *range.start(),
            max: *range.end(),
            default,
            doc,
        }
    }

    /// The catalogue spec.
    pub fn spec(&self) -> ParamSpec {
        ParamSpec {
            name: self.name,
            short: self.short,
            kind: N::kind(self.min, self.max),
            default: self.default.value(),
            doc: self.doc,
        }
    }

    /// The value in `p`, checked to lie in `min..=max`.
    fn get(&self, p: &Params) -> Result<N, RtlError> {
        let v = N::get(p, self.name)?;
        if self.min <= v && v <= self.max {
            Ok(v)
        } else {
            Err(outside(self.name, v, self.min, self.max))
        }
    }
}

impl IntParam {
    /// The value in `p` as a `T`, checked to lie in `min..=max`.
    pub fn read<T: TryFrom<i64>>(&self, p: &Params) -> Result<T, RtlError> {
        let v = self.get(p)?;
        T::try_from(v).map_err(|_| param_error(self.name, format!("{v} is out of range")))
    }

    /// Checks that a config's `value` lies in `min..=max`.
    pub fn check<V: Copy + Display + TryInto<i64>>(&self, value: V) -> Result<(), RtlError> {
        check_range(self.name, value, self.min, self.max)
    }

    /// Checks that `value` lies in `min..=max`, a range narrowed by other
    /// fields of the config.
    pub fn check_within<V>(&self, value: V, min: i64, max: i64) -> Result<(), RtlError>
    where
        V: Copy + Display + TryInto<i64>,
    {
        check_range(self.name, value, min, max)
    }
}

impl FloatParam {
    /// The value in `p`, checked to lie in `min..=max`.
    pub fn read(&self, p: &Params) -> Result<f64, RtlError> {
        self.get(p)
    }
}

/// A choice among fixed names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChoiceParam {
    /// Name as written in configs.
    pub name: &'static str,
    /// Short prefix in swept variant names.
    pub short: &'static str,
    /// The names accepted.
    pub options: &'static [&'static str],
    /// The value when a config does not set it (one of `options`).
    pub default: &'static str,
    /// One line for `linkforge list` and the docs.
    pub doc: &'static str,
}

impl ChoiceParam {
    /// The parameter `name` (short name `short`), one of `options`,
    /// `default` when unset, described by `doc`.
    pub const fn new(
        name: &'static str,
        short: &'static str,
        options: &'static [&'static str],
        default: &'static str,
        doc: &'static str,
    ) -> ChoiceParam {
        ChoiceParam {
            name,
            short,
            options,
            default,
            doc,
        }
    }

    /// The catalogue spec.
    pub fn spec(&self) -> ParamSpec {
        ParamSpec {
            name: self.name,
            short: self.short,
            kind: ParamKind::Choice(self.options.to_vec()),
            default: Value::Str(self.default.to_string()),
            doc: self.doc,
        }
    }

    /// The value in `p`, checked to be one of `options`.
    pub fn read<'p>(&self, p: &'p Params) -> Result<&'p str, RtlError> {
        let v = p.str(self.name)?;
        if self.options.contains(&v) {
            Ok(v)
        } else {
            Err(param_error(
                self.name,
                format!("`{v}` is not one of {}", self.options.join(", ")),
            ))
        }
    }
}

/// A boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoolParam {
    /// Name as written in configs.
    pub name: &'static str,
    /// Short prefix in swept variant names.
    pub short: &'static str,
    /// The value when a config does not set it.
    pub default: bool,
    /// One line for `linkforge list` and the docs.
    pub doc: &'static str,
}

impl BoolParam {
    /// The parameter `name` (short name `short`), `default` when unset,
    /// described by `doc`.
    pub const fn new(
        name: &'static str,
        short: &'static str,
        default: bool,
        doc: &'static str,
    ) -> BoolParam {
        BoolParam {
            name,
            short,
            default,
            doc,
        }
    }

    /// The catalogue spec.
    pub fn spec(&self) -> ParamSpec {
        ParamSpec {
            name: self.name,
            short: self.short,
            kind: ParamKind::Bool,
            default: Value::Bool(self.default),
            doc: self.doc,
        }
    }

    /// The value in `p`.
    pub fn read(&self, p: &Params) -> Result<bool, RtlError> {
        p.bool(self.name)
    }
}

/// A list of at most `max_len` integers in `min..=max`, empty by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntListParam {
    /// Name as written in configs.
    pub name: &'static str,
    /// Short prefix in swept variant names.
    pub short: &'static str,
    /// Smallest entry accepted.
    pub min: i64,
    /// Largest entry accepted.
    pub max: i64,
    /// The longest list accepted.
    pub max_len: usize,
    /// One line for `linkforge list` and the docs.
    pub doc: &'static str,
}

impl IntListParam {
    /// The parameter `name` (short name `short`): at most `max_len`
    /// entries in `range`, described by `doc`.
    pub const fn new(
        name: &'static str,
        short: &'static str,
        range: RangeInclusive<i64>,
        max_len: usize,
        doc: &'static str,
    ) -> IntListParam {
        IntListParam {
            name,
            short,
            min: *range.start(),
            max: *range.end(),
            max_len,
            doc,
        }
    }

    /// The catalogue spec.
    pub fn spec(&self) -> ParamSpec {
        ParamSpec {
            name: self.name,
            short: self.short,
            kind: ParamKind::List {
                item: Box::new(ParamKind::Int {
                    min: self.min,
                    max: self.max,
                }),
                max_len: self.max_len,
            },
            default: Value::List(Vec::new()),
            doc: self.doc,
        }
    }

    /// The entries in `p`, each checked to lie in `min..=max`.
    pub fn read(&self, p: &Params) -> Result<Vec<u64>, RtlError> {
        p.list(self.name)?
            .iter()
            .map(|v| match v {
                Value::Int(i) => {
                    let u = u64::try_from(*i)
                        .map_err(|_| param_error(self.name, format!("entry {i} is negative")))?;
                    self.check(u)?;
                    Ok(u)
                }
                other => Err(param_error(
                    self.name,
                    format!("expected a list of integers, got `{other}`"),
                )),
            })
            .collect()
    }

    /// Checks that an entry of a config's list lies in `min..=max`.
    pub fn check<V: Copy + Display + TryInto<i64>>(&self, value: V) -> Result<(), RtlError> {
        check_range(self.name, value, self.min, self.max)
    }
}

/// Turns a failed config check into an elaboration error of `module`,
/// located at the generator's caller.
#[track_caller]
pub(crate) fn checked(module: &str, check: Result<(), RtlError>) -> Result<(), HdlError> {
    let loc = SourceLoc::caller();
    check.map_err(|e| HdlError::single(ErrorKind::Invalid(e.to_string()), module, loc))
}
