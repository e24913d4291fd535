//! Each simulator message in its full form: misspelt signal and clock
//! names with the nearest names, assertion failures with their cycle
//! (counted from 0: cycle N is the clock edge with N edges before it), and
//! waveform file errors naming the file.

use linkforge_hdl::prelude::*;
use linkforge_sim::wave::{ReadError, Waves};
use linkforge_sim::{NativeError, Sim, SimError};

/// A counter that asserts it stays below 3.
fn counter() -> Design {
    let mut m = ModuleBuilder::new("top");
    let _clk = m.clock("clk");
    let count = m.output("count", 8);
    let q = m.reg("q", 8).no_reset();
    m.next(q, q + 1);
    m.assign(count, q);
    m.assert_always(q.lt(lit(3, 8)), "the count stays below 3");
    Design::new(m.finish().unwrap()).unwrap()
}

#[test]
fn a_misspelt_signal_suggests_the_nearest_name_as_it_was_written() {
    let mut sim = Sim::new(&counter()).unwrap();
    let err = sim.peek("cuont").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no signal named `cuont`; did you mean `count`?"
    );
    let err = sim.poke("top.qq", 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no signal named `top.qq`; did you mean `top.q`?"
    );
    let err = sim.signal("enable").unwrap_err();
    assert_eq!(err.to_string(), "no signal named `enable`");
}

#[test]
fn a_misspelt_clock_suggests_the_clock() {
    let mut sim = Sim::new(&counter()).unwrap();
    let err = sim.run_cycles("clck", 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no clock named `clck`; did you mean `clk`?"
    );
}

#[test]
fn record_takes_any_names_and_checks_them() {
    let mut sim = Sim::new(&counter()).unwrap();
    sim.record("clk", &["count", "top.q"], 10).unwrap();
    let names = vec![String::from("count")];
    sim.record("clk", &names, 10).unwrap();
    let err = sim.record("clk", &["count", "qq"], 10).unwrap_err();
    assert_eq!(err.to_string(), "no signal named `qq`; did you mean `q`?");
}

#[test]
fn an_assertion_failure_counts_cycles_from_0() {
    let mut sim = Sim::new(&counter()).unwrap();
    let err = sim.run_cycles("clk", 10).unwrap_err();
    let text = err.to_string();
    // Edges at 0, 1000, 2000, 3000 ps; the edge at 3000 ps sees 3.
    let expected =
        "assertion failed in `top` at 3000 ps (cycle 3 of `clk`): the count stays below 3 (";
    assert!(text.starts_with(expected), "{text}");
    assert!(text.contains("sim/tests/messages.rs:"), "{text}");
    let SimError::Assertion(f) = err else {
        panic!("not an assertion: {err}")
    };
    assert_eq!(f.cycle, 3);
    assert_eq!(sim.cycles("clk").unwrap(), 4, "four edges simulated");
}

#[test]
fn waveform_file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Sim::new(&counter()).unwrap();
    let path = dir.path().join("no/such/dir/run.vcd");
    let err = sim.trace(&path).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("waveform `{}`: ", path.display())),
        "{err}"
    );
    let path = dir.path().join("run.txt");
    let err = sim.trace(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "waveform `{}`: a waveform file name ends in .vcd or .fst",
            path.display()
        )
    );
    let missing = dir.path().join("missing.vcd");
    let err = Waves::open(&missing).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: ", missing.display())),
        "{err}"
    );
    let bad = dir.path().join("bad.vcd");
    std::fs::write(&bad, "$timescale 1ps $end\n#5\n#3\n").unwrap();
    let err = Waves::from_vcd(&bad).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}: line ", bad.display())),
        "{err}"
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
    let _ = boxed::<ReadError>;
    let _ = boxed::<NativeError>;
    let err = Sim::new(&counter()).unwrap().peek("nope").unwrap_err();
    assert_eq!(boxed(err).to_string(), "no signal named `nope`");
}
