//! Each check rejects its bad design with the right message and the Rust
//! line that built the offending item.

use linkforge_hdl::prelude::*;
use linkforge_hdl::{Diagnostic, ErrorKind};

/// The single diagnostic of a failed build, checked to point at `line` of this file.
fn only_error(result: Result<Module, HdlError>, line: u32) -> Diagnostic {
    let err = result.expect_err("the design must be rejected");
    assert_eq!(err.diagnostics.len(), 1, "expected one error, got:\n{err}");
    let d = err.first().clone();
    assert!(
        d.loc.file.ends_with("checks.rs"),
        "reported in {}",
        d.loc.file
    );
    assert_eq!(d.loc.line, line, "wrong line for: {d}");
    d
}

fn message(d: &Diagnostic) -> String {
    d.kind.to_string()
}

#[test]
fn operator_width_mismatch_names_the_operator_and_line() {
    let mut m = ModuleBuilder::new("bad_add");
    let a = m.input("a", 8);
    let b = m.input("b", 4);
    let y = m.output("y", 8);
    let line = line!() + 1;
    let sum = a + b;
    m.assign(y, sum);
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: `+` needs equal widths, got 8 and 4 bits"
    );
    let text = d.to_string();
    assert!(text.contains(&format!("checks.rs:{line}:")), "{text}");
    assert!(text.contains("error in module `bad_add`"), "{text}");
}

#[test]
fn assignment_width_mismatch_is_never_truncated_silently() {
    let mut m = ModuleBuilder::new("bad_assign");
    let a = m.input("a", 16);
    let y = m.output("y", 8);
    let line = line!() + 1;
    m.assign(y, a);
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: `y` is 8 bits but is assigned a 16-bit value"
    );
}

#[test]
fn constant_that_does_not_fit_is_reported() {
    let mut m = ModuleBuilder::new("bad_const");
    let y = m.output("y", 8);
    let line = line!() + 1;
    m.assign(y, lit(300, 8));
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: constant 300 does not fit in 8 bits"
    );
}

#[test]
fn two_drivers_in_one_block_are_rejected_with_both_lines() {
    let mut m = ModuleBuilder::new("two_drivers");
    let a = m.input("a", 1);
    let y = m.output("y", 1);
    let first = line!() + 1;
    m.assign(y, a);
    let second = line!() + 1;
    m.assign(y, !a);
    let d = only_error(m.finish(), second);
    match &d.kind {
        ErrorKind::MultipleDrivers { signal, other } => {
            assert_eq!(signal, "y");
            assert_eq!(other.line, first);
        }
        k => panic!("wrong error: {k}"),
    }
}

#[test]
fn a_default_overridden_in_a_when_is_one_driver() {
    let mut m = ModuleBuilder::new("default_then_when");
    let a = m.input("a", 1);
    let y = m.output("y", 1);
    m.assign(y, a);
    m.when(a, |m| m.assign(y, lit(0, 1)));
    assert!(m.finish().is_ok());
}

#[test]
fn undriven_output_and_register_are_reported_where_declared() {
    let mut m = ModuleBuilder::new("undriven");
    let line = line!() + 1;
    m.output("y", 4);
    let d = only_error(m.finish(), line);
    assert_eq!(message(&d), "`y` (an output port) is never driven");

    let mut m = ModuleBuilder::new("undriven_reg");
    m.clock("clk");
    let line = line!() + 1;
    let _q = m.reg("q", 4).no_reset();
    let d = only_error(m.finish(), line);
    assert_eq!(message(&d), "`q` (a register) is never driven");
}

#[test]
fn combinational_signal_missing_a_path_would_be_a_latch() {
    let mut m = ModuleBuilder::new("latch");
    let en = m.input("en", 1);
    let a = m.input("a", 8);
    let y = m.output("y", 8);
    let line = line!() + 1;
    m.when(en, |m| m.assign(y, a));
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "`y` is not assigned on every path (it would need a latch); give it a default before the `when`"
    );
}

fn pass_through() -> Module {
    let mut m = ModuleBuilder::new("pass");
    let i = m.input("i", 1);
    let o = m.output("o", 1);
    m.assign(o, i);
    m.finish().unwrap()
}

#[test]
fn combinational_loop_through_an_instance_is_found() {
    let mut m = ModuleBuilder::new("loop_through_child");
    let z = m.output("z", 1);
    let u = m.instance("u", pass_through());
    let line = line!() + 1;
    m.assign(u.io("i").unwrap(), !u.io("o").unwrap());
    m.assign(z, u.io("o").unwrap());
    let d = only_error(m.finish(), line);
    assert!(
        message(&d).starts_with("combinational loop: u_i -> u_o -> u_i\n"),
        "{}",
        message(&d)
    );
}

#[test]
fn register_written_from_another_clock_domain() {
    let mut m = ModuleBuilder::new("two_domains");
    let clk_a = m.clock("clk_a");
    let clk_b = m.clock("clk_b");
    let d_in = m.input("d", 1);
    let y = m.output("y", 1);
    let q = m.reg("q", 1).clock(clk_a).no_reset();
    let domain_b = Domain {
        clock: clk_b,
        reset: None,
    };
    let line = line!() + 1;
    m.in_domain(domain_b, |m| m.next(q, d_in));
    m.assign(y, q);
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "register `q` belongs to clock `clk_a` but is written in clock domain `clk_b`"
    );
}

/// Two clock domains; `flag_b` (clk_b) samples `flag_a` (clk_a) either
/// directly or through a declared two-flop synchronizer. Returns the module
/// and the line of the direct crossing.
fn cdc_design(use_synchronizer: bool) -> (Result<Module, HdlError>, u32) {
    let mut sync = ModuleBuilder::new("sync2");
    sync.clock("clk");
    let d = sync.input("d", 1);
    let q_out = sync.output("q", 1);
    let s1 = sync.reg("s1", 1).no_reset();
    let s2 = sync.reg("s2", 1).no_reset();
    sync.next(s1, d);
    sync.next(s2, s1);
    sync.assign(q_out, s2);
    sync.declare_synchronizer();
    let sync = sync.finish().unwrap();

    let mut m = ModuleBuilder::new("cdc");
    let clk_a = m.clock("clk_a");
    let clk_b = m.clock("clk_b");
    let y = m.output("y", 1);
    let flag_a = m.reg("flag_a", 1).clock(clk_a).no_reset();
    m.next(flag_a, !flag_a);
    let flag_b = m.reg("flag_b", 1).clock(clk_b).no_reset();
    let direct_line;
    if use_synchronizer {
        let u = m.instance("u_sync", sync);
        m.assign(u.io("clk").unwrap(), clk_b);
        m.assign(u.io("d").unwrap(), flag_a);
        direct_line = line!() + 1;
        m.next(flag_b, u.io("q").unwrap());
    } else {
        direct_line = line!() + 1;
        m.next(flag_b, flag_a);
    }
    m.assign(y, flag_b);
    (m.finish(), direct_line)
}

#[test]
fn crossing_clock_domains_without_a_synchronizer_is_rejected() {
    let (result, line) = cdc_design(false);
    let d = only_error(result, line);
    assert_eq!(
        message(&d),
        "`flag_b` (clock `clk_b`) reads `flag_a` from clock `clk_a` without a synchronizer"
    );
}

#[test]
fn crossing_through_a_declared_synchronizer_is_accepted() {
    let (result, _) = cdc_design(true);
    assert!(result.is_ok(), "{}", result.unwrap_err());
}

#[test]
fn crossing_into_a_submodule_of_another_domain_is_rejected() {
    // A plain register stage (not a synchronizer) clocked by clk_b.
    let mut stage = ModuleBuilder::new("stage");
    stage.clock("clk");
    let d = stage.input("d", 1);
    let q = stage.output("q", 1);
    let r = stage.reg("r", 1).no_reset();
    stage.next(r, d);
    stage.assign(q, r);
    let stage = stage.finish().unwrap();

    let mut m = ModuleBuilder::new("cdc_into_child");
    let clk_a = m.clock("clk_a");
    let clk_b = m.clock("clk_b");
    let y = m.output("y", 1);
    let flag_a = m.reg("flag_a", 1).clock(clk_a).no_reset();
    m.next(flag_a, !flag_a);
    let u = m.instance("u", stage);
    m.assign(u.io("clk").unwrap(), clk_b);
    let line = line!() + 1;
    m.assign(u.io("d").unwrap(), flag_a);
    m.assign(y, u.io("q").unwrap());
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "`u_d` (clock `clk_b`) reads `flag_a` from clock `clk_a` without a synchronizer"
    );
}

#[test]
fn assigning_an_input_is_rejected() {
    let mut m = ModuleBuilder::new("drive_input");
    let a = m.input("a", 1);
    let line = line!() + 1;
    m.assign(a, lit(1, 1));
    let d = only_error(m.finish(), line);
    assert_eq!(message(&d), "`a` is an input port and cannot be assigned");
}

#[test]
fn register_assigned_combinationally_is_rejected() {
    let mut m = ModuleBuilder::new("reg_assign");
    m.clock("clk");
    let q = m.reg("q", 1).no_reset();
    let line = line!() + 1;
    m.assign(q, lit(1, 1));
    let d = only_error(m.finish(), line);
    assert_eq!(message(&d), "`q` is a register; use `next` to drive it");
}

#[test]
fn register_without_a_clock_is_rejected() {
    let mut m = ModuleBuilder::new("no_clock");
    let line = line!() + 1;
    let q = m.reg("q", 1).no_reset();
    m.next(q, !q);
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "clocking: register `q` has no clock: declare one with `clock()` first"
    );
}

#[test]
fn unknown_instance_port_is_an_error_not_a_panic() {
    let mut m = ModuleBuilder::new("parent");
    let u = m.instance("u", pass_through());
    let line = line!() + 1;
    let err = u.io("nope").unwrap_err();
    assert_eq!(err.first().loc.line, line);
    assert_eq!(err.first().module, "parent");
    assert_eq!(
        message(err.first()),
        "instance `u` (module `pass`) has no port `nope`"
    );
}

#[test]
fn every_error_of_a_module_is_reported_together() {
    let mut m = ModuleBuilder::new("many");
    let a = m.input("a", 8);
    let b = m.input("b", 2);
    let y = m.output("y", 8);
    m.output("z", 1);
    m.assign(y, a & b);
    let err = m.finish().expect_err("rejected");
    assert_eq!(err.diagnostics.len(), 2, "{err}");
}

#[test]
fn out_of_range_slice_and_zero_width_are_width_errors() {
    let mut m = ModuleBuilder::new("slices");
    let a = m.input("a", 8);
    let y = m.output("y", 4);
    let line = line!() + 1;
    m.assign(y, a.slice(11, 8));
    let d = only_error(m.finish(), line);
    assert_eq!(message(&d), "width mismatch: slice [11:8] of a 8-bit value");

    let mut m = ModuleBuilder::new("zero");
    let line = line!() + 1;
    m.input("a", 0);
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: `a` is 0 bits wide; widths must be 1..=65536"
    );
}

#[test]
fn selections_need_equal_arms_and_an_index_that_reaches_them() {
    let module = || {
        let mut m = ModuleBuilder::new("selects");
        let (i, a, b) = (m.input("i", 3), m.input("a", 8), m.input("b", 8));
        let y = m.output("y", 8);
        (m, i, a, b, y)
    };
    let (mut m, i, a, b, y) = module();
    let line = line!() + 1;
    m.assign(y, select(i, &[a.into(), b.slice(3, 0)]));
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: select inputs need equal widths, got 8 and 4 bits"
    );

    let (mut m, i, a, _, y) = module();
    let line = line!() + 1;
    m.assign(y, select(i.slice(1, 0), &vec![Expr::from(a); 5]));
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: a 2-bit index cannot select among 5 inputs (it needs 3 bits)"
    );

    let (mut m, i, _, _, y) = module();
    let line = line!() + 1;
    m.assign(y, select(i, &[]).zext(8));
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "width mismatch: select needs at least one input"
    );
}

#[test]
fn a_gated_clock_on_an_instance_is_rejected() {
    let mut child = ModuleBuilder::new("flop");
    child.clock("clk");
    let d = child.input("d", 1);
    let q = child.output("q", 1);
    let r = child.reg("r", 1).no_reset();
    child.next(r, d);
    child.assign(q, r);
    let child = child.finish().unwrap();

    let mut m = ModuleBuilder::new("gated");
    let clk = m.clock("clk");
    let en = m.input("en", 1);
    let y = m.output("y", 1);
    let u = m.instance("u", child);
    let line = line!() + 1;
    m.assign(u.io("clk").unwrap(), clk.signal() & en);
    m.assign(u.io("d").unwrap(), en);
    m.assign(y, u.io("q").unwrap());
    let d = only_error(m.finish(), line);
    assert_eq!(
        message(&d),
        "clocking: clock `clk` of instance `u` is driven by `u_clk`, which is not a clock input (gated or derived clocks are not supported)"
    );
}

#[test]
fn a_port_named_like_its_module_is_rejected_by_the_design() {
    let mut m = ModuleBuilder::new("crc");
    let a = m.input("a", 8);
    let line = line!() + 1;
    let crc = m.output("crc", 8);
    m.assign(crc, a);
    let err = Design::new(m.finish().unwrap()).unwrap_err();
    let d = err.first();
    assert_eq!(d.loc.line, line);
    assert_eq!(
        message(d),
        "bad name: module `crc` has a port of the same name; Verilog tools reject that (rename the module or the port)"
    );
}

#[test]
fn an_interface_is_sampled_on_its_domain_clock_and_needs_one() {
    let mut m = ModuleBuilder::new("two");
    let rx = m.clock("rx_clk");
    let clk = m.clock("clk");
    let out_valid = m.output("out_valid", 1);
    m.assign(out_valid, lit(0, 1));
    m.interface(Protocol::ValidReady, "rx_");
    let local = Domain {
        clock: clk,
        reset: None,
    };
    m.in_domain(local, |m| m.interface(Protocol::ValidReady, "out_"));
    let _ = rx;
    let design = Design::new(m.finish().expect("builds")).expect("a design");
    let found: Vec<(&str, &str, &str)> = design
        .interfaces()
        .map(|(i, clock)| (i.protocol.rule_set(), i.prefix.as_str(), clock))
        .collect();
    assert_eq!(
        found,
        [
            ("valid_ready", "rx_", "rx_clk"),
            ("valid_ready", "out_", "clk")
        ]
    );

    let mut m = ModuleBuilder::new("unclocked");
    let line = line!() + 1;
    m.interface(Protocol::Axi4Lite, "s_axil_");
    let d = only_error(m.finish(), line);
    assert!(
        message(&d).contains("interface `s_axil_`"),
        "{}",
        message(&d)
    );
}
