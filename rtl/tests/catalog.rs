//! The catalogue: every kind builds from its defaults, every kind's specs
//! are consistent, `docs/catalog.md` is the catalogue's page, and the
//! common blocks' out-of-range or conflicting parameters are errors that
//! name the parameter.

use linkforge_rtl::catalog::{self, BlockKind, ParamKind, ParamSpec, Params, Value};
use linkforge_rtl::RtlError;

fn kind(name: &str) -> BlockKind {
    catalog::kind(name).unwrap_or_else(|| panic!("`{name}` is in the catalogue"))
}

/// Builds `name` from its defaults with `changes` applied.
fn build(name: &str, changes: &[(&str, Value)]) -> Result<(), RtlError> {
    let k = kind(name);
    let mut p = Params::defaults(&k.params);
    for (param, value) in changes {
        assert!(
            k.param(param).is_some(),
            "`{name}` has no parameter `{param}`"
        );
        p.0.insert(param.to_string(), value.clone());
    }
    (k.build)("top", &p).map(|_| ())
}

fn param_error(r: Result<(), RtlError>) -> String {
    match r {
        Err(RtlError::Param { name, .. }) => name,
        other => panic!("expected a parameter error, got {other:?}"),
    }
}

fn ints(v: &[i64]) -> Value {
    Value::List(v.iter().map(|&i| Value::Int(i)).collect())
}

#[test]
fn every_kind_builds_from_its_defaults() {
    for k in catalog::catalog() {
        (k.build)("top", &Params::defaults(&k.params))
            .unwrap_or_else(|e| panic!("{}: {e}", k.name));
    }
}

#[test]
fn kinds_are_documented_and_named_once() {
    let kinds = catalog::catalog();
    for (i, k) in kinds.iter().enumerate() {
        assert!(!k.doc.is_empty(), "{}: no doc", k.name);
        assert!(
            kinds[i + 1..].iter().all(|l| l.name != k.name),
            "{} twice",
            k.name
        );
    }
}

/// Checks `specs` (of `owner`): unique names and short names, a doc each,
/// defaults of the declared type within their ranges, choices containing
/// their default, and groups and tables whose members pass the same checks.
fn check_specs(owner: &str, specs: &[ParamSpec]) {
    for (i, p) in specs.iter().enumerate() {
        let at = format!("{owner}.{}", p.name);
        assert!(!p.doc.is_empty(), "{at}: no doc");
        let later = &specs[i + 1..];
        assert!(later.iter().all(|q| q.name != p.name), "{at} twice");
        if !p.short.is_empty() {
            assert!(
                later.iter().all(|q| q.short != p.short),
                "{at}: short {} twice",
                p.short
            );
        }
        check_value(&at, &p.kind, &p.default);
        match &p.kind {
            ParamKind::Group(members) => check_specs(&at, members),
            ParamKind::Table { row, .. } => check_specs(&at, row),
            _ => {}
        }
    }
}

/// Checks that `value` is a `kind` within its range.
fn check_value(at: &str, kind: &ParamKind, value: &Value) {
    match (kind, value) {
        (ParamKind::Int { min, max }, Value::Int(v)) => {
            assert!((min..=max).contains(&v), "{at}: {v} outside {kind}")
        }
        (ParamKind::Float { min, max } | ParamKind::Quantity { min, max, .. }, Value::Float(v)) => {
            assert!((min..=max).contains(&v), "{at}: {v} outside {kind}")
        }
        (ParamKind::Choice(options), Value::Str(v)) => {
            assert!(options.contains(&v.as_str()), "{at}: {v} is not a choice")
        }
        (ParamKind::List { item, max_len }, Value::List(items)) => {
            assert!(items.len() <= *max_len, "{at}: too many entries");
            for v in items {
                check_value(at, item, v);
            }
        }
        (ParamKind::Group(members), Value::Group(g)) => {
            assert_eq!(
                g,
                &Params::defaults(members),
                "{at}: not its members' defaults"
            )
        }
        (ParamKind::Table { row, max_len }, Value::List(rows)) => {
            assert!(rows.len() <= *max_len, "{at}: too many rows");
            for r in rows {
                let Value::Group(g) = r else {
                    panic!("{at}: a row that is not a group")
                };
                for (name, v) in &g.0 {
                    match row.iter().find(|m| m.name == name.as_str()) {
                        Some(m) => check_value(&format!("{at}.{name}"), &m.kind, v),
                        None => assert_eq!(name, "name", "{at}: row member {name} has no spec"),
                    }
                }
            }
        }
        (ParamKind::Bool, Value::Bool(_)) | (ParamKind::Text, Value::Str(_)) => {}
        (kind, default) => panic!("{at}: {default} is not a {kind}"),
    }
}

#[test]
fn specs_are_consistent() {
    for k in catalog::catalog() {
        check_specs(k.name, &k.params);
    }
}

/// `docs/catalog.md`, generated from the catalogue.
#[test]
fn the_catalogue_page_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/catalog.md");
    let page = catalog::markdown();
    if linkforge_verif::testenv::bless() {
        std::fs::write(&path, &page).expect("docs/catalog.md is writable");
        linkforge_verif::testenv::blessed(&[path]);
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == page,
        "docs/catalog.md is stale: regenerate it with \
         `LINKFORGE_BLESS=1 cargo test -p linkforge-rtl --test catalog` \
         (or `linkforge list --markdown > docs/catalog.md`)"
    );
}

#[test]
fn out_of_range_values_name_their_parameter() {
    assert_eq!(
        param_error(build("sync2", &[("width", Value::Int(0))])),
        "width"
    );
    assert_eq!(
        param_error(build("sync_fifo", &[("depth", Value::Int(0))])),
        "depth"
    );
    assert_eq!(
        param_error(build("async_fifo", &[("depth", Value::Int(24))])),
        "depth"
    );
    assert_eq!(
        param_error(build("counter", &[("width", Value::Int(65))])),
        "width"
    );
    assert_eq!(
        param_error(build("counter", &[("mode", Value::Str("up".into()))])),
        "mode"
    );
    assert_eq!(
        param_error(build("lfsr", &[("bits", Value::Int(0))])),
        "bits"
    );
    assert_eq!(
        param_error(build("crc", &[("bytes", Value::Int(65))])),
        "bytes"
    );
}

#[test]
fn arbiter_weights_go_with_wrr_only() {
    let wrr = ("policy", Value::Str("wrr".into()));
    build("arbiter", &[wrr.clone(), ("weights", ints(&[1, 2, 3, 4]))]).expect("four weights");
    assert_eq!(
        param_error(build("arbiter", std::slice::from_ref(&wrr))),
        "weights"
    );
    assert_eq!(
        param_error(build("arbiter", &[wrr, ("weights", ints(&[1, 0, 1, 1]))])),
        "weights"
    );
    assert_eq!(
        param_error(build("arbiter", &[("weights", ints(&[1, 1, 1, 1]))])),
        "weights"
    );
    build("arbiter", &[("policy", Value::Str("fixed".into()))]).expect("fixed priority");
}

#[test]
fn lfsr_taps_go_with_custom_only() {
    let custom = ("poly", Value::Str("custom".into()));
    build("lfsr", &[custom.clone(), ("taps", ints(&[16, 5, 4, 3]))]).expect("custom taps");
    assert_eq!(
        param_error(build("lfsr", std::slice::from_ref(&custom))),
        "taps"
    );
    assert_eq!(
        param_error(build("lfsr", &[("taps", ints(&[7, 6]))])),
        "taps"
    );
    let seed = |s| ("seed", Value::Int(s));
    build(
        "lfsr",
        &[custom.clone(), ("taps", ints(&[7, 6])), seed(0x7F)],
    )
    .expect("seed fits");
    assert_eq!(
        param_error(build(
            "lfsr",
            &[custom, ("taps", ints(&[7, 6])), seed(0x80)]
        )),
        "seed"
    );
}

#[test]
fn crc_presets_fix_their_fields() {
    let custom = ("preset", Value::Str("custom".into()));
    build(
        "crc",
        &[
            custom.clone(),
            ("width", Value::Int(16)),
            ("poly", Value::Int(0x8005)),
        ],
    )
    .expect("a custom CRC-16");
    assert_eq!(
        param_error(build("crc", &[("width", Value::Int(16))])),
        "width"
    );
    assert_eq!(
        param_error(build("crc", &[custom.clone(), ("width", Value::Int(16))])),
        "poly"
    );
    build("crc", &[("preset", Value::Str("crc64_xz".into()))]).expect("a preset");
    // 64-bit patterns with the top bit set are written as negative numbers.
    let wide = [
        custom,
        ("width", Value::Int(64)),
        ("poly", Value::Int(-0x3693)),
    ];
    build("crc", &wide).expect("a 64-bit polynomial");
}
