//! Helpers shared by the block tests: the external Verilog tools, a small
//! testbench wrapper around the simulator, and proptest case counts.
//!
//! A missing tool fails the test when `CI` is set; elsewhere the test prints
//! that it skipped the tool and why.

#![allow(dead_code)]

use linkforge_hdl::{Design, HdlError, Module};
use linkforge_verif::Sim;
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

/// Writes `module` as Verilog to a temporary directory and runs every
/// installed tool on it; panics with every failure.
pub fn check_verilog(module: Result<Module, HdlError>) {
    let design = Design::new(module.expect("the block builds")).expect("the design is valid");
    let top = design.top().name.clone();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(format!("{top}.v"));
    std::fs::write(&path, linkforge_hdl::verilog::emit(&design)).expect("write Verilog");
    let errors = all_tools(&path, &top);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// Proptest cases: `PROPTEST_CASES` when set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A simulator over one block, with panicking pokes and peeks by port name
/// (a panic fails the proptest case, which proptest then shrinks).
pub struct Tb(pub Sim);

impl Tb {
    /// Builds and compiles the block.
    pub fn new(module: Result<Module, HdlError>) -> Tb {
        let design = Design::new(module.expect("the block builds")).expect("the design is valid");
        Tb(Sim::new(&design).expect("the simulator compiles the design"))
    }

    /// Sets input `port`.
    pub fn set(&mut self, port: &str, value: u64) {
        self.0.poke(port, value).expect("poke");
    }

    /// Reads output `port`.
    pub fn get(&mut self, port: &str) -> u64 {
        self.0.peek(port).expect("peek")
    }

    /// Reads 1-bit output `port`.
    pub fn flag(&mut self, port: &str) -> bool {
        self.get(port) == 1
    }

    /// Simulates the next rising edge.
    pub fn step(&mut self) {
        self.0.step().expect("step");
    }

    /// Rising edges of `clock` so far.
    pub fn cycles(&self, clock: &str) -> u64 {
        self.0.cycles(clock).expect("clock")
    }

    /// Holds `rst` high for two edges of the only clock.
    pub fn reset(&mut self) {
        self.set("rst", 1);
        self.step();
        self.step();
        self.set("rst", 0);
    }
}
