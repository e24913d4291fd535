//! Random expression trees over random widths (1..=200 bits), alone and in
//! designs with two clock domains, a memory and a synchronizer, are emitted
//! as Verilog that Icarus and Verilator accept with no warning.
//!
//! `PROPTEST_CASES=N` runs more cases than the 48 CI runs.

mod common;
mod designs;

use designs::random::{comb_module, shape, two_domain_designs};
use linkforge_hdl::Design;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_expressions_pass_icarus_and_verilator(
        widths in prop::collection::vec(1u32..=200, 1..=4),
        s in shape(),
    ) {
        let module = comb_module(&widths, &s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let design = Design::new(module).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("random_expr.v");
        std::fs::write(&path, linkforge_hdl::verilog::emit(&design)).expect("write Verilog");
        if common::have("iverilog") {
            common::iverilog_compile(&path, "random_expr").map_err(TestCaseError::fail)?;
        }
        if common::have("verilator") {
            common::verilator_lint(&path, "random_expr").map_err(TestCaseError::fail)?;
        }
    }

    #[test]
    fn random_two_domain_designs_pass_icarus_and_verilator(
        design in two_domain_designs(),
    ) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("random_design.v");
        std::fs::write(&path, linkforge_hdl::verilog::emit(&design)).expect("write Verilog");
        if common::have("iverilog") {
            common::iverilog_compile(&path, "random_design").map_err(TestCaseError::fail)?;
        }
        if common::have("verilator") {
            common::verilator_lint(&path, "random_design").map_err(TestCaseError::fail)?;
        }
    }
}
