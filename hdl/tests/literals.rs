//! Plain integers and `bool`s stand wherever an operand is expected, sized
//! from the other operand or the assigned signal; one that does not fit is
//! a width error at the line that wrote it.

use linkforge_hdl::prelude::*;
use linkforge_hdl::{verilog, Diagnostic};

fn only_error(result: Result<Module, HdlError>, line: u32) -> Diagnostic {
    let err = result.expect_err("the design must be rejected");
    assert_eq!(err.diagnostics.len(), 1, "expected one error, got:\n{err}");
    let d = err.first().clone();
    assert!(d.loc.file.ends_with("literals.rs"), "{}", d.loc.file);
    assert_eq!(d.loc.line, line, "wrong line for: {d}");
    d
}

#[test]
fn integers_are_sized_from_the_other_operand_or_the_target() {
    let mut m = ModuleBuilder::new("lits");
    m.clock("clk");
    m.reset("rst");
    let sel = m.input("sel", 1);
    let a = m.input("a", 8);
    let y = m.output("y", 8);
    let hit = m.output("hit", 1);
    let zero = m.output("zero", 4);
    let q = m.reg("q", 8).reset(0);
    let flag = m.reg("flag", 1).reset(0);
    m.next(q, mux(sel, a, 7));
    m.next(flag, true);
    m.assign(y, mux(sel, 200, q));
    m.assign(hit, q.eq(3) | q.gt(250) | a.ne(0));
    m.assign(zero, 0);
    let design = Design::new(m.finish().expect("literals are accepted")).unwrap();
    let v = verilog::emit(&design);
    for constant in ["8'd7", "8'd200", "8'd3", "8'd250", "8'd0", "4'd0"] {
        assert!(v.contains(constant), "no {constant} in:\n{v}");
    }
}

#[test]
fn an_integer_too_wide_for_its_target_is_a_width_error_at_its_line() {
    let mut m = ModuleBuilder::new("too_wide");
    let y = m.output("y", 8);
    let line = line!() + 1;
    m.assign(y, 300);
    let d = only_error(m.finish(), line);
    assert_eq!(
        d.kind.to_string(),
        "width mismatch: constant 300 does not fit in 8 bits"
    );
}

#[test]
fn an_integer_compared_with_a_narrower_signal_is_a_width_error() {
    let mut m = ModuleBuilder::new("too_wide_eq");
    let a = m.input("a", 4);
    let y = m.output("y", 1);
    let line = line!() + 1;
    m.assign(y, a.eq(16));
    let d = only_error(m.finish(), line);
    assert_eq!(
        d.kind.to_string(),
        "width mismatch: constant 16 does not fit in 4 bits"
    );
}

#[test]
fn a_mux_of_two_integers_asks_for_a_width() {
    let mut m = ModuleBuilder::new("no_width");
    let sel = m.input("sel", 1);
    let y = m.output("y", 1);
    let line = line!() + 1;
    m.assign(y, mux(sel, 1, 0));
    let d = only_error(m.finish(), line);
    assert!(
        d.kind
            .to_string()
            .contains("mux of two integers has no width: write `lit(value, width)`"),
        "{d}"
    );
}
