//! The malformed-config corpus: each `malformed/NAME.lf` (syntax errors,
//! wrong types, bad units, out-of-range values, cyclic inheritance, huge
//! sweeps, unknown blocks, truncated files, bytes that are not UTF-8, ...)
//! must fail to load against the real catalogue with exactly the report in
//! `malformed/NAME.txt`, rendered as the config language's golden
//! diagnostics are ([`linkforge_dsl::render_plain`]). `LINKFORGE_BLESS=1`
//! rewrites the `.txt` files. `linkforge lint` on each exits with 1 (2 for
//! bytes that are not UTF-8), printing the same diagnostic codes.

mod cli_support;
#[path = "../dsl/tests/common/golden.rs"]
mod golden;

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

/// The diagnostic codes (`dsl::range`, ...) a report shows, in order.
fn codes(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Error: "))
        .collect()
}

#[test]
fn every_malformed_config_gets_its_golden_report() {
    let inputs = golden::inputs(&dir());
    assert!(
        inputs.len() >= 50,
        "only {} malformed configs",
        inputs.len()
    );
    let catalog = linkforge_rtl::catalog::catalog();
    golden::check_dir(&dir(), |name, bytes| {
        let rendered = match linkforge_dsl::load_bytes(name, bytes, &catalog) {
            Ok(v) => format!("loaded without errors: {} variants\n", v.len()),
            Err(report) => linkforge_dsl::render_plain(&report),
        };
        assert!(
            !codes(&rendered).is_empty(),
            "{name} is not malformed:\n{rendered}"
        );
        rendered
    });
}

#[test]
fn lint_rejects_every_malformed_config_with_its_codes() {
    for input in golden::inputs(&dir()) {
        let o = cli_support::linkforge(&["lint", input.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        let golden = std::fs::read_to_string(input.with_extension("txt")).unwrap_or_default();
        let utf8 = std::fs::read(&input).is_ok_and(|b| std::str::from_utf8(&b).is_ok());
        let expected = if utf8 { 1 } else { 2 };
        assert_eq!(
            o.status.code(),
            Some(expected),
            "{}:\n{stderr}",
            input.display()
        );
        for code in codes(&golden) {
            assert!(
                stderr.contains(code),
                "{}: `{code}` missing:\n{stderr}",
                input.display()
            );
        }
    }
}
