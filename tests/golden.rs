//! Golden Verilog: each small design's output is pinned byte for byte in
//! `tests/golden/<name>.v` and accepted by Verilator, Icarus and Yosys with
//! no warning and no latch. Set `LINKFORGE_BLESS=1` to rewrite the files
//! after an intended change (the blessing run fails, naming them), then
//! review the diff.

mod common;
mod designs;

use linkforge_hdl::{verilog, Design};
use linkforge_verif::testenv::{bless, blessed};
use std::path::PathBuf;

fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.v"))
}

#[test]
fn output_matches_the_golden_files() {
    let bless = bless();
    let mut stale = Vec::new();
    let mut written = Vec::new();
    for (name, module) in designs::golden() {
        let design = Design::new(module).expect("golden designs are valid");
        assert_eq!(design.top_name(), name);
        let text = verilog::emit(&design);
        let path = golden_path(name);
        if bless {
            std::fs::write(&path, &text).expect("write golden file");
            written.push(path);
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != text {
            stale.push(format!(
                "{name}: output differs from {}\n{text}",
                path.display()
            ));
        }
    }
    if bless {
        blessed(&written);
    }
    assert!(stale.is_empty(), "{}", stale.join("\n\n"));
}

#[test]
fn output_is_deterministic() {
    for ((name, a), (_, b)) in designs::golden().into_iter().zip(designs::golden()) {
        let a = verilog::emit(&Design::new(a).unwrap());
        let b = verilog::emit(&Design::new(b).unwrap());
        assert_eq!(a, b, "{name} gave two different outputs");
    }
}

#[test]
fn golden_files_pass_verilator_icarus_and_yosys() {
    let mut errors = Vec::new();
    for (name, _) in designs::golden() {
        errors.extend(common::all_tools(&golden_path(name), name));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn one_submodule_with_two_parameter_sets_becomes_two_modules() {
    let design = Design::new(designs::hierarchy().unwrap()).unwrap();
    let names: Vec<&str> = design.modules().map(|(n, _)| n).collect();
    assert_eq!(names, ["sat_add_w8", "sat_add_w16", "sat_pair"]);
    let text = verilog::emit(&design);
    assert!(text.contains("sat_add_w8 u_narrow ("));
    assert!(text.contains("sat_add_w16 u_wide ("));
    assert_eq!(text.matches("module sat_add_w8 (").count(), 1);
}

#[test]
fn fsm_state_names_survive_as_localparams() {
    let text = verilog::emit(&Design::new(designs::small_fsm().unwrap()).unwrap());
    for s in ["IDLE", "RUN", "DONE"] {
        assert!(
            text.contains(&format!("localparam [1:0] {s} = ")),
            "no localparam for {s}"
        );
    }
    assert!(text.contains("(state == RUN)"));
}
