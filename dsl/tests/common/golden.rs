//! Golden reports: every `NAME.lf` in a folder renders to exactly the text
//! in `NAME.txt`. `LINKFORGE_BLESS=1` rewrites the `.txt` files instead,
//! and then fails ([`linkforge_verif::testenv::blessed`]).
//! Shared by the config language's golden diagnostics and the command
//! line's malformed-config corpus (`tests/malformed.rs`).

use linkforge_verif::testenv::{bless, blessed};
use std::path::{Path, PathBuf};

/// The `.lf` inputs in `dir`, sorted.
pub fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the golden folder is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "lf"))
        .collect();
    inputs.sort();
    inputs
}

/// Renders every input of `dir` with `render(file name, bytes)` and checks
/// it against its `.txt`; panics listing the inputs whose report differs,
/// or, when blessing, the files it rewrote.
pub fn check_dir(dir: &Path, render: impl Fn(&str, &[u8]) -> String) {
    let inputs = inputs(dir);
    assert!(!inputs.is_empty(), "no golden inputs in {}", dir.display());
    let mut mismatched = Vec::new();
    let mut written = Vec::new();
    for input in &inputs {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let bytes = std::fs::read(input).expect("a golden input is readable");
        let rendered = render(name, &bytes);
        let golden = input.with_extension("txt");
        if bless() {
            std::fs::write(&golden, &rendered).expect("the golden file is writable");
            written.push(golden);
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != rendered {
            eprintln!("--- {name}: expected\n{expected}\n--- {name}: got\n{rendered}");
            mismatched.push(name.to_string());
        }
    }
    if !written.is_empty() {
        blessed(&written);
    }
    assert!(
        mismatched.is_empty(),
        "reports differ from their golden files (LINKFORGE_BLESS=1 rewrites them): {mismatched:?}"
    );
}
