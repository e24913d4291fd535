//! Bounded proofs through Yosys and yosys-smtbmc: a correct design is
//! proven, a deliberately broken one yields its counterexample (step,
//! message, VCD, save file), an assumption on the inputs is honoured, and
//! a design without assertions is refused.

use linkforge_hdl::prelude::*;
use linkforge_verif::formal::{prove, FormalError, ResetInput, Verdict};
use linkforge_verif::tools::have;

/// A counter that wraps after `wrap`, asserted never to exceed `bound`;
/// with `assume_no_enable_after`, `en` is assumed low once the count
/// reaches that value.
fn counter(wrap: u64, bound: u64, assume_stop_at: Option<u64>) -> Design {
    let mut m = ModuleBuilder::new("wrap_counter");
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let count = m.output("count", 8);
    let q = m.reg("q", 8).reset(0);
    m.when(en, |m| {
        m.next(q, mux(q.eq(lit(wrap, 8)), lit(0, 8), q + 1));
    });
    if let Some(stop) = assume_stop_at {
        m.assume_always(
            !(q.ge(lit(stop, 8)) & en),
            "en stays low from the stop value",
        );
    }
    m.assert_always(q.le(lit(bound, 8)), "the count stays within its bound");
    m.assign(count, q);
    Design::new(m.finish().expect("builds")).expect("a design")
}

fn tools() -> bool {
    have("yosys") && have("yosys-smtbmc") && have("z3")
}

fn resets() -> Vec<ResetInput> {
    vec![ResetInput {
        name: "rst".into(),
        active_low: false,
    }]
}

#[test]
fn a_correct_design_is_proven() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let v = prove(&counter(9, 9, None), &resets(), 20, dir.path()).expect("the proof runs");
    assert_eq!(v, Verdict::Proven { depth: 20 });
    assert_eq!(v.to_string(), "proven to depth 20");
}

#[test]
fn a_broken_design_yields_its_counterexample() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let v = prove(&counter(12, 9, None), &resets(), 20, dir.path()).expect("the proof runs");
    let Verdict::Failed(c) = v else {
        panic!("a count of 10 breaks the bound: {v:?}");
    };
    assert_eq!(c.message, "the count stays within its bound");
    // Reset in step 0, ten enabled edges reach 10 in step 11, and the edge
    // that ends step 11 reports it.
    assert_eq!(c.step, 12, "{c:?}");
    assert_eq!(c.instance, "wrap_counter_formal.dut");
    let vcd = std::fs::read_to_string(&c.vcd).expect("the counterexample VCD");
    assert!(vcd.contains("$var") && vcd.contains("count"), "{vcd}");
    let gtkw = std::fs::read_to_string(&c.gtkw).expect("the save file");
    assert!(
        gtkw.contains("[dumpfile]") && gtkw.contains("[markertime]"),
        "{gtkw}"
    );
}

#[test]
fn assumptions_restrict_the_inputs() {
    if !tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let v = prove(&counter(12, 9, Some(9)), &resets(), 20, dir.path()).expect("the proof runs");
    assert_eq!(v, Verdict::Proven { depth: 20 });
}

#[test]
fn a_design_without_assertions_is_refused() {
    let mut m = ModuleBuilder::new("plain");
    let a = m.input("a", 1);
    let y = m.output("y", 1);
    m.assign(y, a);
    let d = Design::new(m.finish().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = prove(&d, &[], 5, dir.path()).unwrap_err();
    assert!(matches!(err, FormalError::NothingToProve(_)), "{err}");
}
