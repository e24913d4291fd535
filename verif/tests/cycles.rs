//! One cycle numbering everywhere: cycle N is the clock's rising edge with
//! N edges before it, counted from 0 (with phase 0, at N periods). One
//! design fails at one edge, and the assertion failure, a rule on the live
//! samples, the same rule on the simulator's waveform (what `linkforge
//! wave check` reads) and a property check's counterexample all name the
//! same cycle.

use linkforge_hdl::prelude::*;
use linkforge_rtl::catalog::Params;
use linkforge_verif::check::{self, CheckConfig};
use linkforge_verif::props::live::LiveRules;
use linkforge_verif::props::{Cond, Property, Trace};
use linkforge_verif::tb::{Failure, Outcome, Testbench};
use linkforge_verif::wave::Waves;
use linkforge_verif::{Sim, SimError};

/// A testbench that only steps the design: its assertion judges it.
struct Steps;

impl Testbench for Steps {
    fn words_per_cycle(&self) -> usize {
        0
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        _: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        for c in 0..cycles {
            sim.step()?;
            progress(c + 1);
        }
        Ok(Outcome {
            cycles,
            ..Outcome::default()
        })
    }
}

/// The edge where `q`, counting from 0 at every edge, reaches it.
const FAILING_CYCLE: u64 = 5;

/// A free-running counter that asserts it never reaches [`FAILING_CYCLE`].
fn counter() -> Design {
    let mut m = ModuleBuilder::new("top");
    let _clk = m.clock("clk");
    let count = m.output("count", 4);
    let q = m.reg("q", 4).no_reset();
    m.next(q, q + 1);
    m.assign(count, q);
    m.assert_always(q.ne(lit(FAILING_CYCLE, 4)), "q never reaches 5");
    Design::new(m.finish().expect("builds")).expect("a design")
}

fn never_five(prefix: &str) -> Property {
    Property::never(
        "q never reaches 5",
        Cond::Equals(format!("{prefix}count"), FAILING_CYCLE),
    )
}

#[test]
fn assertion_live_rule_waveform_rule_and_check_name_the_same_cycle() {
    let design = counter();
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("run.vcd");

    // The assertion, with the rule on live samples of the same run.
    let mut sim = Sim::new(&design).unwrap();
    sim.record("clk", &["count"], 100).unwrap();
    sim.trace(&vcd).unwrap();
    let err = sim.run_cycles("clk", 10).unwrap_err();
    let SimError::Assertion(failure) = err else {
        panic!("expected the assertion to fail: {err}");
    };
    assert_eq!(failure.cycle, FAILING_CYCLE);
    assert_eq!(failure.time_ps, FAILING_CYCLE * 1000);
    assert!(
        failure.to_string().contains("(cycle 5 of `clk`)"),
        "{failure}"
    );
    let live = Trace::from(sim.take_recordings().remove(0));
    let v = live.check(&never_five("")).unwrap().expect("a violation");
    assert_eq!((v.cycle as u64, v.time), (FAILING_CYCLE, failure.time_ps));
    assert!(v
        .to_string()
        .starts_with("`q never reaches 5` fails at cycle 5 (time 5000)"));
    drop(sim);

    // The same rule on the waveform the run wrote.
    let waves = Waves::open(&vcd).unwrap();
    let sampled = Trace::sample(&waves, "top.clk").unwrap();
    let v = sampled
        .check(&never_five("top."))
        .unwrap()
        .expect("a violation");
    assert_eq!((v.cycle as u64, v.time), (FAILING_CYCLE, failure.time_ps));

    // A property check of the design: its minimal case fails there too.
    let testbench = Steps;
    let rules = LiveRules::of(&Params::default(), &design).unwrap();
    let config = CheckConfig {
        cases: 8,
        max_cycles: 32,
        ..CheckConfig::default()
    };
    let case = check::testbench(&testbench, &design, &rules, &config, None)
        .unwrap()
        .expect("a counterexample");
    assert!(
        case.message.starts_with("cycle 5: assertion failed"),
        "{}",
        case.message
    );
    assert!(
        case.message.contains("(cycle 5 of `clk`)"),
        "{}",
        case.message
    );
    assert_eq!(case.case.cycles() as u64, FAILING_CYCLE + 1, "edges 0 to 5");
}

/// A recording started later numbers its samples from where it started.
#[test]
fn a_recording_started_late_keeps_the_simulator_numbering() {
    let mut sim = Sim::new(&counter()).unwrap();
    sim.run_cycles("clk", 2).unwrap();
    sim.record("clk", &["count"], 100).unwrap();
    let _ = sim.run_cycles("clk", 10);
    let trace = Trace::from(sim.take_recordings().remove(0));
    assert_eq!(trace.first_cycle, 2);
    let v = trace.check(&never_five("")).unwrap().expect("a violation");
    assert_eq!(v.cycle as u64, FAILING_CYCLE);
}
