//! What valid configs elaborate into: consts, units, defaults, groups,
//! inheritance and sweeps, against the test catalogue and the real one.

mod common;

use linkforge_dsl::{load, parse, ExprKind, Item, Variant};
use linkforge_rtl::catalog::{Params, Value};

fn variants(src: &str) -> Vec<Variant> {
    match common::load_or_render("test.lf", src) {
        Ok(v) => v,
        Err(report) => panic!("config failed to load:\n{report}"),
    }
}

fn only(src: &str) -> Params {
    let mut v = variants(src);
    assert_eq!(v.len(), 1, "expected one variant");
    v.remove(0).params
}

fn names(v: &[Variant]) -> Vec<&str> {
    v.iter().map(|v| v.name.as_str()).collect()
}

fn group<'p>(p: &'p Params, name: &str) -> &'p Params {
    p.group(name).expect("a group parameter")
}

#[test]
fn consts_and_integer_arithmetic() {
    let p = only(
        "const A = (2 + 3) * 4 - 10 / 3 % 2;   # 20 - 1\n\
         const B = -A + 0x10 + 0b101 + 1_000;  // -19 + 16 + 5 + 1000\n\
         const C = B / 2 - 495;\n\
         retimer r { lanes = C; ffe { taps = A - 10 - (B - 1000); } }",
    );
    assert_eq!(p.int("lanes").ok(), Some(6));
    assert_eq!(group(&p, "ffe").int("taps").ok(), Some(7));
}

#[test]
fn consts_hold_any_value() {
    let p = only(
        "const RATE = 16 GT/s; const ON = true; const Q = \"voq\"; const L = [1, 2];\n\
         retimer r { rate = RATE; bypass = ON; presets = L; }",
    );
    assert_eq!(p.float("rate").ok(), Some(16.0));
    assert_eq!(p.bool("bypass").ok(), Some(true));
    assert_eq!(
        p.list("presets").ok(),
        Some(&[Value::Int(1), Value::Int(2)][..])
    );
}

#[test]
fn quantities_are_stored_in_base_units() {
    let p =
        only("retimer r { rate = 64GT/s; offset = -150 ppm; latency = 1.5 ns; buffer = 2 MiB; }");
    assert_eq!(p.float("rate").ok(), Some(64.0));
    assert_eq!(p.float("offset").ok(), Some(-150.0));
    assert_eq!(p.float("latency").ok(), Some(1500.0));
    assert_eq!(p.float("buffer").ok(), Some(2.0 * 1048576.0));
    let p = only("retimer r { latency = 0.25 us; buffer = 1 GiB; }");
    assert_eq!(p.float("latency").ok(), Some(250_000.0));
    assert_eq!(p.float("buffer").ok(), Some(1073741824.0));
    let p = only("switch s { timeouts = [1 us, 20 ns, 300 ps]; }");
    let want = [
        Value::Float(1e6),
        Value::Float(20_000.0),
        Value::Float(300.0),
    ];
    assert_eq!(p.list("timeouts").ok(), Some(&want[..]));
}

#[test]
fn every_parameter_gets_its_default() {
    let p = only("retimer r { }");
    let expected = [
        ("lanes", Value::Int(16)),
        ("rate", Value::Float(32.0)),
        ("offset", Value::Float(0.0)),
        ("latency", Value::Float(100.0)),
        ("buffer", Value::Float(4096.0)),
        ("gain", Value::Float(0.5)),
        ("bypass", Value::Bool(false)),
        ("presets", Value::List(vec![])),
    ];
    for (name, value) in expected {
        assert_eq!(p.0.get(name), Some(&value), "{name}");
    }
    // A group takes its own default's members ...
    assert_eq!(group(&p, "ffe").int("taps").ok(), Some(5));
    assert_eq!(group(&p, "ffe").int("coeff_bits").ok(), Some(8));
    // ... and a member its default lacks falls back to the member's default.
    assert_eq!(group(&p, "cdr").int("kp_shift").ok(), Some(3));
    assert_eq!(group(&p, "cdr").int("ki_shift").ok(), Some(10));
    assert_eq!(p.0.len(), 10);
}

#[test]
fn groups_set_members_and_keep_the_rest() {
    let p = only("retimer r { ffe { coeff_bits = 10; } cdr { ki_shift = 7; kp_shift = 1; }; }");
    assert_eq!(group(&p, "ffe").int("taps").ok(), Some(5));
    assert_eq!(group(&p, "ffe").int("coeff_bits").ok(), Some(10));
    assert_eq!(group(&p, "cdr").int("kp_shift").ok(), Some(1));
    assert_eq!(group(&p, "cdr").int("ki_shift").ok(), Some(7));
}

#[test]
fn choices_bools_floats_and_strings() {
    let p = only(
        "switch s { queueing = voq; arbiter = \"islip\"; traffic { pattern = hotspot; load = 0.9; } }\n",
    );
    assert_eq!(p.str("queueing").ok(), Some("voq"));
    assert_eq!(p.str("arbiter").ok(), Some("islip"));
    assert_eq!(group(&p, "traffic").str("pattern").ok(), Some("hotspot"));
    assert_eq!(group(&p, "traffic").float("load").ok(), Some(0.9));
    let p = only("retimer r { gain = 1; bypass = true; }");
    assert_eq!(p.0.get("gain"), Some(&Value::Float(1.0)));
    assert_eq!(p.bool("bypass").ok(), Some(true));
}

#[test]
fn inheritance_chains_override_in_order() {
    let v = variants(
        "retimer base { lanes = 16; rate = 64 GT/s; ffe { taps = 7; coeff_bits = 10; } }\n\
         retimer mid : base { lanes = 8; ffe { taps = 3; } }\n\
         retimer leaf : mid { rate = 32 GT/s; }\n",
    );
    assert_eq!(names(&v), ["base", "mid", "leaf"]);
    let leaf = &v[2].params;
    assert_eq!(leaf.int("lanes").ok(), Some(8));
    assert_eq!(leaf.float("rate").ok(), Some(32.0));
    assert_eq!(group(leaf, "ffe").int("taps").ok(), Some(3));
    assert_eq!(group(leaf, "ffe").int("coeff_bits").ok(), Some(10));
    assert_eq!(v[0].params.int("lanes").ok(), Some(16));
}

#[test]
fn a_child_may_be_declared_before_its_parent() {
    let v = variants("retimer small : big { lanes = 2; }\nretimer big { rate = 8 GT/s; }");
    assert_eq!(names(&v), ["small", "big"]);
    assert_eq!(v[0].params.float("rate").ok(), Some(8.0));
}

#[test]
fn sweeps_expand_in_catalogue_order_with_the_last_fastest() {
    // Written in another order than the catalogue's: ports, data_width, queueing.
    let v = variants(
        "switch sc { queueing = sweep [voq, oq]; data_width = 256; ports = sweep [4, 8]; }",
    );
    assert_eq!(
        names(&v),
        ["sc_p4_qvoq", "sc_p4_qoq", "sc_p8_qvoq", "sc_p8_qoq"]
    );
    assert_eq!(v[2].params.int("ports").ok(), Some(8));
    assert_eq!(v[2].params.str("queueing").ok(), Some("voq"));
    assert!(v
        .iter()
        .all(|x| x.params.int("data_width").ok() == Some(256)));
    assert!(v.iter().all(|x| x.kind == "switch"));
}

#[test]
fn swept_values_are_sanitized_into_names() {
    let v = variants(
        "retimer r { gain = sweep [0.9, 1]; bypass = sweep [true]; offset = sweep [-20 ppm]; \
         latency = sweep [1.5 ns]; ffe { taps = sweep [2]; } presets = sweep [[1, 2]]; }",
    );
    assert_eq!(
        names(&v),
        [
            "r_om20_t1500_g0p9_bytrue_ft2_pr1_2",
            "r_om20_t1500_g1_bytrue_ft2_pr1_2"
        ]
    );
}

#[test]
fn a_child_of_a_sweep_inherits_the_sweep_unless_it_overrides_it() {
    let v = variants(
        "switch sc { ports = sweep [4, 8]; }\n\
         switch wide : sc { data_width = 512; }\n\
         switch one : sc { ports = 16; }\n",
    );
    assert_eq!(names(&v), ["sc_p4", "sc_p8", "wide_p4", "wide_p8", "one"]);
    assert_eq!(v[3].params.int("data_width").ok(), Some(512));
    assert_eq!(v[4].params.int("ports").ok(), Some(16));
}

#[test]
fn sweep_limit_is_inclusive() {
    // 4 * 8 * 32 = 1024 variants: exactly the limit.
    let loads: Vec<String> = (0..32).map(|i| format!("0.{i:02}")).collect();
    let src = format!(
        "switch s {{ ports = sweep [2, 3, 4, 5]; data_width = sweep [8, 16, 32, 64, 128, 256, 512, 1024]; \
         traffic {{ load = sweep [{}]; }} }}",
        loads.join(", ")
    );
    assert_eq!(variants(&src).len(), linkforge_dsl::MAX_SWEEP_VARIANTS);
}

#[test]
fn variants_carry_the_span_of_their_name() {
    let src = "\n  retimer aries { }";
    let v = variants(src);
    assert_eq!(&src[v[0].span.start..v[0].span.end], "aries");
}

#[test]
fn the_ast_keeps_spans() {
    let src = "const N = 2 * 3;\nretimer r : q { lanes = N; }";
    let ast = parse(src).expect("parses");
    let Item::Const(c) = &ast.items[0] else {
        panic!("a const first")
    };
    assert_eq!(&src[c.value.span.start..c.value.span.end], "2 * 3");
    assert!(matches!(c.value.kind, ExprKind::Binary(..)));
    let Item::Block(b) = &ast.items[1] else {
        panic!("a block second")
    };
    assert_eq!(b.kind.name, "retimer");
    assert_eq!(b.parent.as_ref().map(|p| p.name.as_str()), Some("q"));
    assert_eq!(
        &src[b.span.start..b.span.end],
        "retimer r : q { lanes = N; }"
    );
}

#[test]
fn errors_are_all_reported_and_in_source_order() {
    let src = "switch b { ports = 1; }\nswitch a : zz { prots = 2; }\nconst X = 1 / 0;";
    let ast = parse(src).expect("parses");
    let diags = linkforge_dsl::elaborate(src, &ast, &common::catalog()).expect_err("fails");
    let kinds: Vec<&str> = diags.errors().iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        ["range", "undefined_parent", "unknown_param", "arithmetic"]
    );
}

#[test]
fn the_real_catalogue_builds_a_crossbar() {
    let catalog = linkforge_rtl::catalog::catalog();
    let src = "crossbar xbar { ports = sweep [2, 4]; data_width = 8 * 2; }";
    let v = match load("xbar.lf", src, &catalog) {
        Ok(v) => v,
        Err(report) => panic!("{report:?}"),
    };
    assert_eq!(names(&v), ["xbar_p2", "xbar_p4"]);
    for variant in &v {
        let kind = linkforge_rtl::catalog::kind(&variant.kind).expect("a catalogue kind");
        let module = (kind.build)(&variant.name, &variant.params);
        assert!(module.is_ok(), "{} did not build", variant.name);
    }
}

/// The rows of table `name` as (row name, row params).
fn rows<'p>(p: &'p Params, name: &str) -> Vec<(&'p str, &'p Params)> {
    p.list(name)
        .expect("a table")
        .iter()
        .map(|r| match r {
            Value::Group(g) => (g.str("name").expect("a row name"), g),
            other => panic!("a row is a group, got {other}"),
        })
        .collect()
}

#[test]
fn table_rows_keep_their_order_names_and_defaults() {
    let p = only(
        "const W = 4;\n\
         regmap m {\n\
             reg ctl { desc = \"control\"; field en { access = rw; reset = 1; } field mode { width = W; } }\n\
             reg st { offset = 0x10; field up {} }\n\
         }",
    );
    let regs = rows(&p, "reg");
    assert_eq!(regs.iter().map(|r| r.0).collect::<Vec<_>>(), ["ctl", "st"]);
    assert_eq!(regs[0].1.str("desc").ok(), Some("control"));
    assert_eq!(
        regs[0].1.int("offset").ok(),
        Some(-1),
        "offset left to auto placement"
    );
    assert_eq!(regs[1].1.int("offset").ok(), Some(0x10));
    let fields = rows(regs[0].1, "field");
    assert_eq!(
        fields.iter().map(|r| r.0).collect::<Vec<_>>(),
        ["en", "mode"]
    );
    assert_eq!(fields[0].1.str("access").ok(), Some("rw"));
    assert_eq!(fields[0].1.int("reset").ok(), Some(1));
    assert_eq!(fields[1].1.int("width").ok(), Some(4));
    assert_eq!(
        fields[1].1.str("access").ok(),
        Some("ro"),
        "the member default"
    );
}

#[test]
fn a_child_that_writes_rows_replaces_the_parents_table() {
    let v = variants(
        "regmap a { addr_width = 6; reg x { field f {} } reg y { field g {} } }\n\
         regmap b : a { reg z { field h {} } }\n\
         regmap c : a { addr_width = 8; }",
    );
    let regs = |i: usize| {
        rows(&v[i].params, "reg")
            .iter()
            .map(|r| r.0.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(regs(1), ["z"]);
    assert_eq!(
        regs(2),
        ["x", "y"],
        "a child without rows keeps the parent's"
    );
    assert_eq!(v[1].params.int("addr_width").ok(), Some(6));
}

#[test]
fn a_regmap_without_rows_gets_the_default_map() {
    let p = only("regmap m {}");
    assert!(rows(&p, "reg").len() > 4);
}

/// The config language's errors convert into `Box<dyn Error + Send +
/// Sync>` (and so into `anyhow::Error`): checked at compile time.
#[test]
fn errors_convert_into_boxed_errors() {
    fn converts<E: std::error::Error + Send + Sync + 'static>(
    ) -> fn(E) -> Box<dyn std::error::Error + Send + Sync> {
        |e| e.into()
    }
    let _ = converts::<linkforge_dsl::Diagnostics>();
    let _ = converts::<linkforge_dsl::Error>();
}
