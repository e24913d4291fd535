//! The malformed-config corpus: each `malformed/NAME.lf` (syntax errors,
//! wrong types, bad units, out-of-range values, cyclic inheritance, huge
//! sweeps, unknown blocks, truncated files, bytes that are not UTF-8, ...)
//! must fail to load against the real catalogue with exactly the report in
//! `malformed/NAME.txt`, rendered as the config language's golden
//! diagnostics are ([`linkforge_dsl::render_plain`]). `LINKFORGE_BLESS=1`
//! rewrites the `.txt` files. `linkforge lint` on each exits with 1 (2 for
//! bytes that are not UTF-8), printing the same diagnostic codes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed")
}

fn bless() -> bool {
    std::env::var("LINKFORGE_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The corpus inputs, sorted.
fn inputs() -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("the malformed folder is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "lf"))
        .collect();
    inputs.sort();
    inputs
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
    let inputs = inputs();
    assert!(
        inputs.len() >= 50,
        "only {} malformed configs",
        inputs.len()
    );
    let catalog = linkforge_rtl::catalog::catalog();
    let mut mismatched = Vec::new();
    for input in &inputs {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let bytes = std::fs::read(input).expect("a corpus input is readable");
        let rendered = match linkforge_dsl::load_bytes(name, &bytes, &catalog) {
            Ok(v) => format!("loaded without errors: {} variants\n", v.len()),
            Err(report) => linkforge_dsl::render_plain(&report),
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
        assert!(
            !codes(&rendered).is_empty(),
            "{name} is not malformed:\n{rendered}"
        );
    }
    assert!(
        mismatched.is_empty(),
        "reports differ from their golden files (LINKFORGE_BLESS=1 rewrites them): {mismatched:?}"
    );
}

#[test]
fn lint_rejects_every_malformed_config_with_its_codes() {
    for input in inputs() {
        let o = Command::new(env!("CARGO_BIN_EXE_linkforge"))
            .arg("lint")
            .arg(&input)
            .env("NO_COLOR", "1")
            .output()
            .expect("run linkforge");
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
