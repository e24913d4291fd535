//! Each elaboration message in its full form, as a user reads it: the
//! caller's line, the module, what is wrong and, for a misspelt name, the
//! closest known names.

use linkforge_hdl::prelude::*;

/// `err` as printed, with each `file:line:column` of this file shortened to
/// `messages.rs:line` (columns depend on formatting, lines are asserted).
fn shown(err: &HdlError) -> String {
    let text = err.to_string();
    let file = file!();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find(file) {
        out.push_str(&rest[..at]);
        out.push_str("messages.rs");
        rest = &rest[at + file.len()..];
        // Keep `:line`, drop `:column`.
        let line_end = rest[1..].find(':').map_or(rest.len(), |i| i + 1);
        out.push_str(&rest[..line_end]);
        let col_end = rest[line_end + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(rest.len(), |i| line_end + 1 + i);
        rest = &rest[col_end..];
    }
    out.push_str(rest);
    out
}

fn fifo() -> Module {
    let mut m = ModuleBuilder::new("fifo");
    let _clk = m.clock("clk");
    let wr_data = m.input("wr_data", 8);
    let rd_data = m.output("rd_data", 8);
    let rd_valid = m.output("rd_valid", 1);
    m.assign(rd_data, wr_data);
    m.assign(rd_valid, high());
    m.finish().unwrap()
}

#[test]
fn a_misspelt_instance_port_names_the_instance_and_the_nearest_port() {
    let mut m = ModuleBuilder::new("parent");
    let u = m.instance("fifo0", fifo());
    let line = line!() + 1;
    let err = u.io("rd_dta").unwrap_err();
    assert_eq!(
        shown(&err),
        format!(
            "messages.rs:{line}: error in module `parent`: \
             instance `fifo0` (module `fifo`) has no port `rd_dta`; did you mean `rd_data`?"
        )
    );
}

#[test]
fn a_misspelt_module_port_names_the_module_and_the_nearest_port() {
    let m = fifo();
    let line = line!() + 1;
    let err = m.io("rd_vaild").unwrap_err();
    assert_eq!(
        shown(&err),
        format!(
            "messages.rs:{line}: error in module `fifo`: \
             module `fifo` has no port `rd_vaild`; did you mean `rd_valid`?"
        )
    );
    assert!(m.io("rd_valid").is_ok());
    // Nothing close: no guess.
    let err = m.io("enable").unwrap_err();
    assert!(shown(&err).ends_with("module `fifo` has no port `enable`"));
}

#[test]
fn a_misspelt_fsm_state_names_the_fsm_and_the_nearest_state() {
    let mut m = ModuleBuilder::new("ctrl");
    let _clk = m.clock("clk");
    let _rst = m.reset("rst");
    let fsm = m.fsm("phase", &["IDLE", "RUN", "DONE"]);
    let line = line!() + 1;
    let err = fsm.state("IDEL").unwrap_err();
    assert_eq!(
        shown(&err),
        format!(
            "messages.rs:{line}: error in module `ctrl`: \
             FSM `phase` has no state `IDEL`; did you mean `IDLE`? (states: IDLE, RUN, DONE)"
        )
    );
    assert_eq!(fsm.name(), "phase");
}

#[test]
fn a_combinational_loop_lists_every_assignment_on_it_with_its_line() {
    let mut m = ModuleBuilder::new("comb_loop");
    let a = m.input("a", 1);
    let x = m.wire("x", 1);
    let y = m.wire("y", 1);
    let z = m.output("z", 1);
    let line = line!() + 1;
    m.assign(x, y ^ a);
    m.assign(y, !x);
    m.assign(z, y);
    let err = m.finish().unwrap_err();
    assert_eq!(
        shown(&err),
        format!(
            "messages.rs:{line}: error in module `comb_loop`: combinational loop: x -> y -> x\n  \
             `x` is assigned at messages.rs:{line}\n  \
             `y` is assigned at messages.rs:{}",
            line + 1
        )
    );
}

#[test]
fn a_loop_through_an_instance_names_the_instance() {
    let mut pass = ModuleBuilder::new("pass");
    let i = pass.input("i", 1);
    let o = pass.output("o", 1);
    pass.assign(o, i);
    let mut m = ModuleBuilder::new("parent");
    let z = m.output("z", 1);
    let line = line!() + 1;
    let u = m.instance("u", pass.finish().unwrap());
    m.assign(u.io("i").unwrap(), !u.io("o").unwrap());
    m.assign(z, u.io("o").unwrap());
    let err = m.finish().unwrap_err();
    let text = shown(&err);
    assert!(
        text.contains(&format!(
            "  `u_o` is an output of instance `u` at messages.rs:{line}"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("  `u_i` is assigned at messages.rs:{}", line + 1)),
        "{text}"
    );
}

/// The public error types convert into the common boxed error (and so
/// into `anyhow::Error` and miette reports): checked at compile time.
#[test]
fn errors_are_std_errors_that_cross_threads() {
    fn boxed<E: std::error::Error + Send + Sync + 'static>(
        e: E,
    ) -> Box<dyn std::error::Error + Send + Sync> {
        Box::new(e)
    }
    let err = fifo().io("nope").unwrap_err();
    let b = boxed(err);
    assert!(b.to_string().contains("has no port `nope`"));
    let _ = boxed::<linkforge_hdl::ErrorKind>;
}

#[test]
fn the_verilog_has_no_multiplexer_with_equal_inputs() {
    let mut m = ModuleBuilder::new("holds");
    let _clk = m.clock("clk");
    let _rst = m.reset("rst");
    let sel = m.input("sel", 2);
    let go = m.input("go", 1);
    let d = m.input("d", 8);
    let y = m.output("y", 8);
    let q = m.reg("q", 8).reset(0);
    m.switch(sel, |s| {
        s.is(0u64, |m| m.next(q, d));
        s.is(1u64, |m| m.next(q, q));
        s.is(2u64, |m| {
            m.when(go, |m| m.next(q, q));
        });
    });
    m.assign(y, mux(go, d, d));
    let design = Design::new(m.finish().unwrap()).unwrap();
    let v = linkforge_hdl::verilog::emit(&design);
    assert!(v.contains("assign y = d;"), "{v}");
    assert!(!v.contains("? q : q") && !v.contains("? d : d"), "{v}");
}

#[test]
fn an_unwrapped_error_reads_like_its_message() {
    let mut m = ModuleBuilder::new("unwrapped");
    let y = m.output("y", 4);
    m.assign(y, 16);
    let err = m.finish().unwrap_err();
    assert_eq!(format!("{err:?}"), err.to_string());
    assert!(err
        .to_string()
        .contains("constant 16 does not fit in 4 bits"));
}

#[test]
fn a_state_of_another_fsm_is_an_error_at_its_line() {
    let mut m = ModuleBuilder::new("two_fsms");
    m.clock("clk");
    m.reset("rst");
    let go = m.input("go", 1);
    let a = m.fsm("a", &["IDLE", "RUN"]);
    let b = m.fsm("b", &["OFF", "ON", "DONE"]);
    let done = b.state("DONE").unwrap();
    let line = line!() + 1;
    m.when(go, |m| m.goto(&a, done));
    let err = m.finish().unwrap_err();
    let d = err.first();
    assert_eq!(d.loc.line, line, "{err}");
    assert!(
        d.kind
            .to_string()
            .contains("of another FSM used with FSM `a`"),
        "{err}"
    );
}
