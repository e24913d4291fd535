//! Running the built `linkforge` binary, for the end-to-end tests.

#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `linkforge args` in the repository's root and waits for it.
pub fn linkforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linkforge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run linkforge")
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
