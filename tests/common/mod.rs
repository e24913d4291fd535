//! Runs the external Verilog tools on generated files.
//!
//! A missing tool fails the test when `CI` is set; elsewhere the test prints
//! that it skipped the tool and why.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// True when `tool` can be run. Panics in CI when it cannot.
pub fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg(if tool == "iverilog" {
            "-V"
        } else {
            "--version"
        })
        .output()
        .is_ok();
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("`{tool}` is not installed, and CI must run every tool test");
        }
        eprintln!("skipped: `{tool}` is not installed (apt-get install {tool})");
    }
    found
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("tool was found a moment ago");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `verilator --lint-only -Wall`: Ok when it passes with no warning.
pub fn verilator_lint(file: &Path, top: &str) -> Result<(), String> {
    let (ok, text) = run(Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top])
        .arg(file));
    if ok && text.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("verilator on {}:\n{text}", file.display()))
    }
}

/// `iverilog -g2005 -Wall`: Ok when it compiles with no warning.
pub fn iverilog_compile(file: &Path, top: &str) -> Result<(), String> {
    let out = file.with_extension("vvp");
    let (ok, text) = run(Command::new("iverilog")
        .args(["-g2005", "-Wall", "-s", top, "-o"])
        .arg(&out)
        .arg(file));
    let _ = std::fs::remove_file(out);
    if ok && text.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("iverilog on {}:\n{text}", file.display()))
    }
}

/// `yosys synth -top TOP; check -assert`, with no latch and no warning.
pub fn yosys_synth(file: &Path, top: &str) -> Result<(), String> {
    let script = format!(
        "read_verilog {}; synth -top {top}; check -assert; select -assert-none t:$dlatch t:$adlatch t:$_DLATCH_*_ t:$_DLATCHSR_*_",
        file.display()
    );
    let (ok, text) = run(Command::new("yosys").args(["-q", "-p", &script]));
    if ok && !text.contains("Warning") && !text.contains("Latch inferred") {
        Ok(())
    } else {
        Err(format!("yosys on {}:\n{text}", file.display()))
    }
}

/// Runs every installed tool on `file`; returns all failures.
pub fn all_tools(file: &Path, top: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if have("verilator") {
        errors.extend(verilator_lint(file, top).err());
    }
    if have("iverilog") {
        errors.extend(iverilog_compile(file, top).err());
    }
    if have("yosys") {
        errors.extend(yosys_synth(file, top).err());
    }
    errors
}
