//! No input makes the language panic: arbitrary text, mutations of valid
//! configs, and pathological nesting and chains. `PROPTEST_CASES` raises
//! the number of generated cases (256 by default).

mod common;

use linkforge_dsl::{elaborate, parse, Diagnostics};
use proptest::prelude::*;

/// Valid configs to mutate.
const SEEDS: &[&str] = &[
    "# fabric\nconst LANES = 4 * (3 + 1);\nretimer aries_x16 {\n    lanes = LANES;\n    rate = 64 GT/s;\n    \
     latency = 1.5 ns; buffer = 2 KiB;\n    ffe { taps = 5; coeff_bits = 8; }\n    presets = [1, 2, 3,];\n}\n\
     retimer aries_x8 : aries_x16 { lanes = 8; cdr { ki_shift = 0x2; } }\n",
    "switch scorpio {\n    ports = sweep [4, 8, 16];\n    data_width = 0b1_0000_0000;\n    queueing = voq;\n    \
     arbiter = \"islip\";\n    traffic { pattern = uniform; load = sweep [0.5, 0.9]; }\n    \
     timeouts = [1 us, -3 ns];  // negative: out of range\n}\nswitch wide : scorpio { data_width = 512; }\n",
    "regmap tele {\n    addr_width = 6;\n    reg id { offset = 0x0; desc = \"ids\"; field minor { width = 8; } }\n    \
     reg ctl { field en { access = rw; reset = 1; } field mode { lsb = 4; width = 3; access = wo; } }\n    \
     reg temp { field c { width = 8; } }\n    reg hi { field lvl { width = 8; access = rw; reset = 85; } }\n    \
     reg st { field hot { access = w1c; irq = true; source = \"temp.c\"; threshold = \"hi.lvl\"; } }\n    \
     reg errs { offset = 0x20; field n { width = 16; access = rc; } }\n}\n\
     regmap tele2 : tele { addr_width = 8; }\n",
];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Every span lies inside the text on character boundaries, and the report
/// renders.
fn check_diagnostics(src: &str, d: &Diagnostics) {
    assert!(!d.is_empty(), "an error result carries errors");
    for e in d.errors() {
        assert!(e.span.start <= e.span.end && e.span.end <= src.len());
        assert!(src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end));
        for (s, _) in &e.notes {
            assert!(s.end <= src.len() && src.is_char_boundary(s.start));
        }
    }
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut out = String::new();
    assert!(handler.render_report(&mut out, d).is_ok());
}

/// Parses and elaborates `src` against the test catalogue.
fn run(src: &str) {
    match parse(src) {
        Err(d) => check_diagnostics(src, &d),
        Ok(ast) => {
            if let Err(d) = elaborate(src, &ast, &common::catalog()) {
                check_diagnostics(src, &d);
            }
        }
    }
}

/// One edit of a config, as character operations.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    Replace(usize, char),
}

fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(
            "{}[]();=:,#/\"\\-+*%._0123456789 \nabxyzGTsKiBnpu".chars().collect::<Vec<_>>()
        ),
        1 => any::<char>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), interesting_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        (any::<usize>(), interesting_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match *e {
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i % n);
            }
            Edit::Delete(_) => {}
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Replace(i, c) if !chars.is_empty() => chars[i % n] = c,
            Edit::Replace(_, c) => chars.push(c),
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(src in any::<String>()) {
        run(&src);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        run(&String::from_utf8_lossy(&bytes));
        // As raw bytes: text that is not UTF-8 is one `dsl::encoding` error.
        match common::load_or_render("bytes.lf", &bytes) {
            Err(report) if std::str::from_utf8(&bytes).is_err() => {
                prop_assert!(report.contains("dsl::encoding"), "{}", report);
            }
            _ => {}
        }
    }

    #[test]
    fn config_like_text_never_panics(
        src in prop::collection::vec(interesting_char(), 0..200)
            .prop_map(|v| v.into_iter().collect::<String>())
    ) {
        run(&src);
    }

    #[test]
    fn mutated_configs_never_panic(
        seed in prop::sample::select(SEEDS),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        run(&apply(seed, &edits));
    }
}

#[test]
fn the_seeds_are_valid_configs_except_for_one_range_error() {
    assert!(common::load_or_render("a.lf", SEEDS[0]).is_ok());
    let report = common::load_or_render("b.lf", SEEDS[1]).expect_err("a range error");
    assert!(report.contains("dsl::range") && report.contains("has 1 error"));
}

/// Deep nesting of every recursive construct is an error, never a stack
/// overflow.
#[test]
fn pathological_nesting_is_rejected() {
    let n = 100_000;
    let deep = [
        format!("const X = {}1{};", "(".repeat(n), ")".repeat(n)),
        format!("const X = {}1{};", "[".repeat(n), "]".repeat(n)),
        format!("const X = {}1;", "-".repeat(n)),
        format!("const X = 1{};", " + 1".repeat(n)),
        format!("const X = 1{};", " * 1".repeat(n)),
        format!("retimer r {{ {}{} }}", "ffe { ".repeat(n), "}".repeat(n)),
        format!("const X = {};", "(".repeat(n)),
        format!("retimer r {{ {}", "{".repeat(n)),
        "}".repeat(n),
    ];
    for src in &deep {
        let d = parse(src).expect_err("too deep or unbalanced");
        check_diagnostics(src, &d);
    }
    // At the limit itself, nesting is fine.
    let m = linkforge_dsl::MAX_NESTING - 1;
    let ok = format!("const X = {}1{};", "(".repeat(m), ")".repeat(m));
    assert!(parse(&ok).is_ok());
}

/// A character cut off at the end of the file is an encoding error naming
/// its bytes, not a panic.
#[test]
fn an_unfinished_character_at_the_end_is_an_encoding_error() {
    let mut bytes = "switch s { ports = 4; } # é".as_bytes().to_vec();
    bytes.pop();
    let report = common::load_or_render("cut.lf", &bytes).expect_err("not UTF-8");
    assert!(
        report.contains("dsl::encoding") && report.contains("an unfinished character (0xc3)"),
        "{report}"
    );
}

/// Long inheritance chains and cycles are walked without recursion.
#[test]
fn long_inheritance_chains_and_cycles() {
    let n = 20_000;
    let mut chain = String::from("retimer r0 { lanes = 2; }\n");
    for i in 1..n {
        chain.push_str(&format!("retimer r{i} : r{} {{ }}\n", i - 1));
    }
    let v = common::load_or_render("chain.lf", &chain).expect("a valid chain");
    assert_eq!(v.len(), n);
    assert_eq!(v[n - 1].params.int("lanes").ok(), Some(2));

    let mut cycle = String::new();
    for i in 0..n {
        cycle.push_str(&format!("retimer r{i} : r{} {{ }}\n", (i + 1) % n));
    }
    let ast = parse(&cycle).expect("parses");
    let d = elaborate(&cycle, &ast, &common::catalog()).expect_err("a cycle");
    assert_eq!(d.errors().len(), 1);
}
