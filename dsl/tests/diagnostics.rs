//! Golden diagnostics: each `diagnostics/NAME.lf` must fail to load with
//! exactly the report in `diagnostics/NAME.txt` (miette's unicode theme, no
//! colour, 80 columns). `LINKFORGE_BLESS=1` rewrites the `.txt` files.

mod common;

use linkforge_dsl::ErrorKind;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics")
}

fn bless() -> bool {
    std::env::var("LINKFORGE_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn reports_match_golden_files() {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("the diagnostics folder is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "lf"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no golden inputs found");
    let mut mismatched = Vec::new();
    for input in &inputs {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let src = std::fs::read(input).expect("a golden input is readable");
        let rendered = match common::load_or_render(name, &src) {
            Ok(_) => "loaded without errors\n".to_string(),
            Err(report) => report,
        };
        let golden = input.with_extension("txt");
        if bless() {
            std::fs::write(&golden, &rendered).expect("the golden file is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != rendered {
            eprintln!("--- {name}: expected\n{expected}\n--- {name}: got\n{rendered}");
            mismatched.push(name.to_string());
        }
    }
    assert!(
        mismatched.is_empty(),
        "reports differ from their golden files (LINKFORGE_BLESS=1 rewrites them): {mismatched:?}"
    );
}

/// Every error class, via a match that stops compiling when a class is added.
fn all_kinds() -> Vec<ErrorKind> {
    use ErrorKind::*;
    let all = vec![
        Syntax,
        TooDeep,
        UnknownKind,
        UnknownParam,
        DuplicateParam,
        DuplicateVariant,
        DuplicateConst,
        UndefinedConst,
        Arithmetic,
        Type,
        Unit,
        Range,
        UnknownChoice,
        ListTooLong,
        UndefinedParent,
        CyclicInheritance,
        KindMismatch,
        Sweep,
        TooManyVariants,
        Encoding,
    ];
    for k in &all {
        match k {
            Syntax | TooDeep | UnknownKind | UnknownParam | DuplicateParam | DuplicateVariant
            | DuplicateConst | UndefinedConst | Arithmetic | Type | Unit | Range
            | UnknownChoice | ListTooLong | UndefinedParent | CyclicInheritance | KindMismatch
            | Sweep | TooManyVariants | Encoding => {}
        }
    }
    all
}

#[test]
fn every_error_class_has_a_golden_file() {
    for kind in all_kinds() {
        let golden = dir().join(format!("{}.txt", kind.name()));
        let text = std::fs::read_to_string(&golden)
            .unwrap_or_else(|_| panic!("missing golden file {}", golden.display()));
        assert!(
            text.contains(&format!("dsl::{}", kind.name())),
            "{} shows no `dsl::{}` diagnostic",
            golden.display(),
            kind.name()
        );
    }
}
