//! The cocotb example (`examples/cocotb/`): the register block generated
//! from `regs.lf`, driven by cocotbext-axi's AXI4-Lite master bound by the
//! port prefix `s_axil_`, passes its Python tests on Icarus.

mod cli_support;
mod common;

use cli_support::{linkforge, text};
use std::process::Command;

#[test]
fn the_cocotb_example_passes_on_icarus() {
    if !(common::have("cocotb-config") && common::have("iverilog")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = linkforge(&["gen", "examples/cocotb/regs.lf", "-o", out]);
    assert!(o.status.success(), "{}", text(&o));
    // The Python cocotb is installed for.
    let o = Command::new("cocotb-config")
        .arg("--python-bin")
        .output()
        .unwrap();
    let python = String::from_utf8(o.stdout).unwrap().trim().to_string();
    let o = Command::new(&python)
        .arg("examples/cocotb/run.py")
        .arg(out)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("cocotb: 6 passed, 0 failed"), "{t}");
}
