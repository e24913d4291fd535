//! The block catalogue: every generator with its parameters, so the config
//! language and the command line can list, check and build blocks by name.
//!
//! Each [`BlockKind`] names its parameters with a type, a range, a default
//! and a one-line description. The config language checks a variant against
//! these specs and hands the generator a complete [`Params`] (every
//! parameter present, defaults filled in, quantities in base units).

mod markdown;

pub use markdown::markdown;

use crate::RtlError;
use linkforge_hdl::Module;
use std::collections::BTreeMap;
use std::fmt;

/// What a quantity measures; values are stored as `f64` in the base unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dimension {
    /// Time, base unit picoseconds (`ps`, `ns`, `us`).
    Time,
    /// Transfer rate, base unit GT/s (`GT/s`).
    Rate,
    /// Frequency offset, base unit ppm (`ppm`).
    Offset,
    /// Size, base unit bytes (`B`, `KiB`, `MiB`, `GiB`).
    Size,
}

impl Dimension {
    /// The base unit's name, as written in configs.
    pub fn base_unit(self) -> &'static str {
        match self {
            Dimension::Time => "ps",
            Dimension::Rate => "GT/s",
            Dimension::Offset => "ppm",
            Dimension::Size => "B",
        }
    }

    /// The units this dimension accepts, with their factor to the base unit.
    pub fn units(self) -> &'static [(&'static str, f64)] {
        match self {
            Dimension::Time => &[("ps", 1.0), ("ns", 1e3), ("us", 1e6)],
            Dimension::Rate => &[("GT/s", 1.0)],
            Dimension::Offset => &[("ppm", 1.0)],
            Dimension::Size => &[
                ("B", 1.0),
                ("KiB", 1024.0),
                ("MiB", 1048576.0),
                ("GiB", 1073741824.0),
            ],
        }
    }
}

/// The type and range of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A real number in `min..=max`.
    Float {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// `true` or `false`.
    Bool,
    /// One of a fixed set of names.
    Choice(Vec<&'static str>),
    /// A number with a unit of `dim`, in `min..=max` base units.
    Quantity {
        /// What it measures.
        dim: Dimension,
        /// Smallest allowed value in base units.
        min: f64,
        /// Largest allowed value in base units.
        max: f64,
    },
    /// A list of values of one kind, with at most `max_len` entries.
    List {
        /// The kind of each entry.
        item: Box<ParamKind>,
        /// The longest list accepted.
        max_len: usize,
    },
    /// A nested group of parameters (`ffe { taps = 5; }`).
    Group(Vec<ParamSpec>),
    /// Free text in double quotes, such as a description.
    Text,
    /// Named rows, written `NAME ROW { members }` once per row (`reg status
    /// { ... }`), each row a group of `row` members. The value is a
    /// [`Value::List`] of [`Value::Group`]s in source order, each with the
    /// row's name under the key `name`.
    Table {
        /// The members of each row.
        row: Vec<ParamSpec>,
        /// The most rows accepted.
        max_len: usize,
    },
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamKind::Int { min, max } if (*min, *max) == (i64::MIN, i64::MAX) => {
                write!(f, "any 64-bit integer")
            }
            ParamKind::Int { min, max } => write!(f, "integer {min}..={max}"),
            ParamKind::Float { min, max } => write!(f, "number {min}..={max}"),
            ParamKind::Bool => write!(f, "bool"),
            ParamKind::Choice(c) => write!(f, "one of {}", c.join(", ")),
            ParamKind::Quantity { dim, min, max } => {
                let u = dim.base_unit();
                write!(f, "{min} {u}..={max} {u}")
            }
            ParamKind::List { item, max_len } => write!(f, "list of up to {max_len} ({item})"),
            ParamKind::Group(_) => write!(f, "group"),
            ParamKind::Text => write!(f, "text"),
            ParamKind::Table { max_len, .. } => write!(f, "table of up to {max_len} rows"),
        }
    }
}

/// A parameter value: what the config language produces after checking.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// A real number, or a quantity in its base unit.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A choice or a string.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A nested group.
    Group(Params),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Str(v) => write!(f, "{v}"),
            Value::List(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.to_string()).collect();
                write!(f, "[{}]", parts.join(", "))
            }
            Value::Group(p) => {
                let parts: Vec<String> = p.0.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                write!(f, "{{ {} }}", parts.join("; "))
            }
        }
    }
}

/// One parameter of a block kind.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    /// Name as written in configs.
    pub name: &'static str,
    /// Short prefix used in swept variant names (`p` makes `scorpio_p8`).
    pub short: &'static str,
    /// Type and range.
    pub kind: ParamKind,
    /// The value when a config does not set it (for a group: its defaults).
    pub default: Value,
    /// One line for `linkforge list` and the docs.
    pub doc: &'static str,
}

impl ParamSpec {
    /// The names of a table's default rows, in order; empty for other kinds.
    pub fn default_rows(&self) -> Vec<&str> {
        match &self.default {
            Value::List(rows) => rows
                .iter()
                .filter_map(|r| match r {
                    Value::Group(g) => g.str("name").ok(),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Complete, checked parameters of a variant: every parameter of the block
/// kind, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(pub BTreeMap<String, Value>);

impl Params {
    /// The defaults of every spec.
    pub fn defaults(specs: &[ParamSpec]) -> Params {
        Params(
            specs
                .iter()
                .map(|s| (s.name.to_string(), s.default.clone()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Result<&Value, RtlError> {
        self.0.get(name).ok_or_else(|| RtlError::Param {
            name: name.to_string(),
            message: "missing".into(),
        })
    }

    fn wrong(name: &str, want: &str, got: &Value) -> RtlError {
        RtlError::Param {
            name: name.to_string(),
            message: format!("expected {want}, got `{got}`"),
        }
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Result<i64, RtlError> {
        match self.get(name)? {
            Value::Int(v) => Ok(*v),
            v => Err(Self::wrong(name, "an integer", v)),
        }
    }

    /// A real or quantity parameter (integers are accepted).
    pub fn float(&self, name: &str) -> Result<f64, RtlError> {
        match self.get(name)? {
            Value::Float(v) => Ok(*v),
            Value::Int(v) => Ok(*v as f64),
            v => Err(Self::wrong(name, "a number", v)),
        }
    }

    /// A boolean parameter.
    pub fn bool(&self, name: &str) -> Result<bool, RtlError> {
        match self.get(name)? {
            Value::Bool(v) => Ok(*v),
            v => Err(Self::wrong(name, "a boolean", v)),
        }
    }

    /// A choice or string parameter.
    pub fn str(&self, name: &str) -> Result<&str, RtlError> {
        match self.get(name)? {
            Value::Str(v) => Ok(v),
            v => Err(Self::wrong(name, "a name", v)),
        }
    }

    /// A list parameter.
    pub fn list(&self, name: &str) -> Result<&[Value], RtlError> {
        match self.get(name)? {
            Value::List(v) => Ok(v),
            v => Err(Self::wrong(name, "a list", v)),
        }
    }

    /// A nested group.
    pub fn group(&self, name: &str) -> Result<&Params, RtlError> {
        match self.get(name)? {
            Value::Group(v) => Ok(v),
            v => Err(Self::wrong(name, "a group", v)),
        }
    }
}

/// A generator in the catalogue.
#[derive(Clone, Debug)]
pub struct BlockKind {
    /// The name configs use (`crossbar`, `retimer`, ...).
    pub name: &'static str,
    /// One line for `linkforge list`.
    pub doc: &'static str,
    /// Parameters, in documentation order.
    pub params: Vec<ParamSpec>,
    /// Builds the block; the top module is named `top_name`.
    pub build: fn(top_name: &str, params: &Params) -> Result<Module, RtlError>,
    /// The problems in complete parameters beyond what the specs check
    /// ([`no_issues`] for kinds without such rules).
    pub issues: fn(params: &Params) -> Vec<ParamIssue>,
}

impl BlockKind {
    /// The spec of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Name of the parameter every block kind has: protocol rules that
/// `linkforge sim` and `check` run on the variant's ports.
pub const RULES_PARAM: &str = "rules";

/// The spec of [`RULES_PARAM`].
fn rules_spec() -> ParamSpec {
    ParamSpec {
        name: RULES_PARAM,
        short: "",
        kind: ParamKind::List {
            item: Box::new(ParamKind::Text),
            max_len: 64,
        },
        default: Value::List(Vec::new()),
        doc: "protocol rules checked live by sim and check, beyond those of the ports' \
              declared interfaces: \"SET:PREFIX[:ARG][@CLOCK]\", e.g. \"valid_ready:rx0_\"",
    }
}

/// Every block kind, in catalogue order, each with [`RULES_PARAM`] last.
pub fn catalog() -> Vec<BlockKind> {
    let mut kinds = block_kinds();
    for k in &mut kinds {
        k.params.push(rules_spec());
    }
    kinds
}

/// The generators by family (the folder of `rtl/src/` a generator lives
/// in, and of its testbench and tests), in catalogue order.
fn families() -> Vec<(&'static str, Vec<BlockKind>)> {
    vec![
        (
            "common",
            vec![
                crate::common::sync2::kind(),
                crate::common::sync_fifo::kind(),
                crate::common::async_fifo::kind(),
                crate::common::arbiter::kind(),
                crate::common::lfsr::kind(),
                crate::common::crc::kind(),
                crate::common::counter::kind(),
            ],
        ),
        (
            "retimer",
            vec![
                crate::retimer::prbs::gen_kind(),
                crate::retimer::prbs::check_kind(),
                crate::retimer::scrambler::kind_8b10b(),
                crate::retimer::scrambler::kind_128b130b(),
                crate::retimer::block_align::kind(),
                crate::retimer::elastic_buffer::kind(),
                crate::retimer::deskew::kind(),
                crate::retimer::ffe::kind(),
                crate::retimer::dfe::kind(),
                crate::retimer::cdr::kind(),
                crate::retimer::pam4::tx_kind(),
                crate::retimer::pam4::rx_kind(),
                crate::retimer::ltssm::kind(),
                crate::retimer::top::kind(),
            ],
        ),
        (
            "switch",
            vec![
                crate::switch::crossbar::kind(),
                crate::switch::credit::kind(),
                crate::switch::route::kind(),
                crate::switch::input_queue::kind(),
                crate::switch::scheduler::kind(),
                crate::switch::switch::kind(),
            ],
        ),
        ("telemetry", vec![crate::telemetry::kind()]),
        (
            "ethernet",
            vec![
                crate::ethernet::codec::encoder_kind(),
                crate::ethernet::codec::decoder_kind(),
                crate::ethernet::sequence::tx_kind(),
                crate::ethernet::sequence::rx_kind(),
                crate::ethernet::scrambler::scrambler_kind(),
                crate::ethernet::scrambler::descrambler_kind(),
                crate::ethernet::block_lock::kind(),
                crate::ethernet::ber::kind(),
                crate::ethernet::gearbox::tx_kind(),
                crate::ethernet::gearbox::rx_kind(),
                crate::ethernet::fcs::kind(),
                crate::ethernet::pcs::kind(),
            ],
        ),
        (
            "cxl",
            vec![
                crate::cxl::channel::kind(),
                crate::cxl::hdm::decoder_kind(),
                crate::cxl::hdm::regs_kind(),
                crate::cxl::backend::kind(),
                crate::cxl::tracker::kind(),
                crate::cxl::controller::kind(),
            ],
        ),
        (
            "card",
            vec![
                crate::card::bridge::rx_kind(),
                crate::card::bridge::tx_kind(),
                crate::card::kind(),
            ],
        ),
    ]
}

/// The generators, in catalogue order.
fn block_kinds() -> Vec<BlockKind> {
    families()
        .into_iter()
        .flat_map(|(_, kinds)| kinds)
        .collect()
}

/// The family of the block kind called `name` (`common`, `retimer`, ...).
pub fn family(name: &str) -> Option<&'static str> {
    families()
        .into_iter()
        .find(|(_, kinds)| kinds.iter().any(|k| k.name == name))
        .map(|(family, _)| family)
}

/// The block kind called `name`.
pub fn kind(name: &str) -> Option<BlockKind> {
    catalog().into_iter().find(|k| k.name == name)
}

/// One step of a path into a variant's parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// The parameter or row member with this name.
    Param(&'static str),
    /// The row at this index of a table.
    Row(usize),
}

/// A problem in complete parameters that no single parameter's spec can
/// express (two register fields that overlap, a reset value wider than its
/// field), located by a path such as `reg`, row 2, `field`, row 0, `lsb`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamIssue {
    /// Where: the deepest step is the culprit.
    pub path: Vec<PathStep>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, if there is a simple way.
    pub help: Option<String>,
}

/// The issues of a kind whose specs say everything: none.
pub fn no_issues(_: &Params) -> Vec<ParamIssue> {
    Vec::new()
}
