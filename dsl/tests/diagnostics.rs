//! Golden diagnostics: each `diagnostics/NAME.lf` must fail to load with
//! exactly the report in `diagnostics/NAME.txt` (miette's unicode theme, no
//! colour, 80 columns). `LINKFORGE_BLESS=1` rewrites the `.txt` files.

mod common;
#[path = "common/golden.rs"]
mod golden;

use linkforge_dsl::ErrorKind;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics")
}

#[test]
fn reports_match_golden_files() {
    golden::check_dir(&dir(), |name, src| {
        match common::load_or_render(name, src) {
            Ok(_) => "loaded without errors\n".to_string(),
            Err(report) => report,
        }
    });
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
        DuplicateRow,
        Invalid,
    ];
    for k in &all {
        match k {
            Syntax | TooDeep | UnknownKind | UnknownParam | DuplicateParam | DuplicateVariant
            | DuplicateConst | UndefinedConst | Arithmetic | Type | Unit | Range
            | UnknownChoice | ListTooLong | UndefinedParent | CyclicInheritance | KindMismatch
            | Sweep | TooManyVariants | Encoding | DuplicateRow | Invalid => {}
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
