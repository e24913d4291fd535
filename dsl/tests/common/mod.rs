//! A test catalogue covering every parameter kind, and loading against it.

use linkforge_rtl::catalog::{
    no_issues, BlockKind, Dimension, ParamKind, ParamSpec, Params, Value,
};
use linkforge_rtl::RtlError;

fn spec(name: &'static str, short: &'static str, kind: ParamKind, default: Value) -> ParamSpec {
    ParamSpec {
        name,
        short,
        kind,
        default,
        doc: "test parameter",
    }
}

fn int(min: i64, max: i64) -> ParamKind {
    ParamKind::Int { min, max }
}

fn quantity(dim: Dimension, min: f64, max: f64) -> ParamKind {
    ParamKind::Quantity { dim, min, max }
}

fn group(members: &[(&str, Value)]) -> Value {
    Value::Group(Params(
        members
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
    ))
}

fn not_buildable(_: &str, _: &Params) -> Result<linkforge_hdl::Module, RtlError> {
    Err(RtlError::Param {
        name: "test".into(),
        message: "test kinds are not buildable".into(),
    })
}

/// `retimer` and `switch`, between them using every `ParamKind` and every
/// `Dimension`.
pub fn catalog() -> Vec<BlockKind> {
    let retimer = BlockKind {
        name: "retimer",
        doc: "test retimer",
        params: vec![
            spec("lanes", "l", int(1, 16), Value::Int(16)),
            spec(
                "rate",
                "r",
                quantity(Dimension::Rate, 2.5, 64.0),
                Value::Float(32.0),
            ),
            spec(
                "offset",
                "o",
                quantity(Dimension::Offset, -300.0, 300.0),
                Value::Float(0.0),
            ),
            spec(
                "latency",
                "t",
                quantity(Dimension::Time, 0.0, 1e6),
                Value::Float(100.0),
            ),
            spec(
                "buffer",
                "b",
                quantity(Dimension::Size, 0.0, 1073741824.0),
                Value::Float(4096.0),
            ),
            spec(
                "gain",
                "g",
                ParamKind::Float { min: 0.0, max: 1.0 },
                Value::Float(0.5),
            ),
            spec("bypass", "by", ParamKind::Bool, Value::Bool(false)),
            spec(
                "ffe",
                "",
                ParamKind::Group(vec![
                    spec("taps", "ft", int(1, 16), Value::Int(3)),
                    spec("coeff_bits", "fc", int(4, 12), Value::Int(6)),
                ]),
                group(&[("taps", Value::Int(5)), ("coeff_bits", Value::Int(8))]),
            ),
            spec(
                "cdr",
                "",
                ParamKind::Group(vec![
                    spec("kp_shift", "kp", int(0, 15), Value::Int(4)),
                    spec("ki_shift", "ki", int(0, 15), Value::Int(10)),
                ]),
                // Deliberately incomplete: `ki_shift` falls back to its own default.
                group(&[("kp_shift", Value::Int(3))]),
            ),
            spec(
                "presets",
                "pr",
                ParamKind::List {
                    item: Box::new(int(0, 10)),
                    max_len: 4,
                },
                Value::List(vec![]),
            ),
        ],
        build: not_buildable,
        issues: no_issues,
    };
    let switch = BlockKind {
        name: "switch",
        doc: "test switch",
        params: vec![
            spec("ports", "p", int(2, 64), Value::Int(4)),
            spec("data_width", "w", int(8, 1024), Value::Int(64)),
            spec(
                "queueing",
                "q",
                ParamKind::Choice(vec!["fifo", "voq", "oq"]),
                Value::Str("fifo".into()),
            ),
            spec(
                "arbiter",
                "a",
                ParamKind::Choice(vec!["rr", "islip"]),
                Value::Str("rr".into()),
            ),
            spec(
                "traffic",
                "",
                ParamKind::Group(vec![
                    spec(
                        "pattern",
                        "pat",
                        ParamKind::Choice(vec!["uniform", "hotspot"]),
                        Value::Str("uniform".into()),
                    ),
                    spec(
                        "load",
                        "ld",
                        ParamKind::Float { min: 0.0, max: 1.0 },
                        Value::Float(0.5),
                    ),
                ]),
                group(&[
                    ("pattern", Value::Str("uniform".into())),
                    ("load", Value::Float(0.5)),
                ]),
            ),
            spec(
                "timeouts",
                "to",
                ParamKind::List {
                    item: Box::new(quantity(Dimension::Time, 0.0, 1e9)),
                    max_len: 3,
                },
                Value::List(vec![Value::Float(1000.0)]),
            ),
        ],
        build: not_buildable,
        issues: no_issues,
    };
    // The real register-map kind: tables of named rows and its own rules.
    let regmap = linkforge_rtl::catalog::kind("regmap").expect("regmap is in the catalogue");
    vec![retimer, switch, regmap]
}

/// `src` (the bytes of a file) loaded as `name` against the test catalogue;
/// an error renders as [`linkforge_dsl::render_plain`] renders it.
pub fn load_or_render(
    name: &str,
    src: impl AsRef<[u8]>,
) -> Result<Vec<linkforge_dsl::Variant>, String> {
    linkforge_dsl::load_bytes(name, src.as_ref(), &catalog())
        .map_err(|report| linkforge_dsl::render_plain(&report))
}
