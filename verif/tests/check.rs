//! The property runner as a user drives it: a body over proptest cases,
//! shrinking, the minimal case's waveform, and the declared interfaces'
//! protocol rules checked without the body asking.

use linkforge_hdl::prelude::*;
use linkforge_verif::check::{Check, CheckError};
use linkforge_verif::tb::Failure;
use linkforge_verif::Engine;
use proptest::prelude::*;

/// A counter that adds `en` each cycle, wrapping at `wrap` instead of at 256
/// when `buggy`.
fn counter(buggy: bool) -> Design {
    let mut m = ModuleBuilder::new("counter");
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let count = m.output("count", 8);
    let q = m.reg("q", 8).reset(0);
    let wrapped = if buggy {
        mux(q.eq(200), 0, q + 1)
    } else {
        q + 1
    };
    m.when(en, |m| m.next(q, wrapped));
    m.assign(count, q);
    Design::new(m.finish().unwrap()).unwrap()
}

fn counts_like_its_model(
    case: &mut linkforge_verif::check::Case,
    design: &Design,
    enables: &[bool],
) -> Result<(), Failure> {
    let sim = case.sim(design)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    let mut model = 0u8;
    for &en in enables {
        sim.poke("en", en as u64)?;
        sim.step()?;
        model = model.wrapping_add(en as u8);
        let got = sim.peek("count")?;
        if got != model as u64 {
            return Err(Failure::new(
                sim,
                format!("count is {got}, the model says {model}"),
            ));
        }
    }
    Ok(())
}

#[test]
fn a_correct_design_passes_every_case() {
    let design = counter(false);
    let found = Check::new()
        .cases(32)
        .find(
            prop::collection::vec(any::<bool>(), 1..400),
            |case, enables| counts_like_its_model(case, &design, enables),
        )
        .unwrap();
    assert!(found.is_none(), "{}", found.unwrap());
}

#[test]
fn a_failure_is_shrunk_and_its_waveform_written_where_asked() {
    let design = counter(true);
    let dir = tempfile::tempdir().unwrap();
    // Folders that do not exist yet are created.
    let wave = dir.path().join("waves/counter.vcd");
    let found = Check::new()
        .cases(64)
        .seed(3)
        .engine(Engine::Interpreter)
        .waves(&wave)
        .find(
            prop::collection::vec(any::<bool>(), 1..600),
            |case, enables| counts_like_its_model(case, &design, enables),
        )
        .unwrap()
        .expect("the wrap at 200 is found");
    // Shrinking makes the enables false wherever the case still fails: the
    // counter is enabled exactly as often as it takes to reach the wrap.
    let enabled = found.case.iter().filter(|&&en| en).count();
    assert_eq!(enabled, 201, "not shrunk: {:?}", found.case);
    assert!(
        found.message.contains("count is 0, the model says 201"),
        "{}",
        found.message
    );
    assert!(wave.exists(), "no waveform");
    assert!(wave.with_extension("gtkw").exists(), "no save file");
    let shown = found.to_string();
    assert!(shown.contains("minimal case: [true, true"), "{shown}");
    assert!(shown.contains(&wave.display().to_string()), "{shown}");
}

/// A stream source that drops `valid` while stalled when `buggy`.
fn source(buggy: bool) -> Design {
    let mut m = ModuleBuilder::new("source");
    m.clock("clk");
    m.reset("rst");
    let go = m.input("go", 1);
    let valid = m.output("out_valid", 1);
    let ready = m.input("out_ready", 1);
    let data = m.output("out_data", 8);
    let v = m.reg("v", 1).reset(0);
    let d = m.reg("d", 8).reset(0);
    m.when(v & ready, |m| {
        m.next(v, false);
        m.next(d, d + 1);
    });
    m.when(!v & go, |m| m.next(v, true));
    if buggy {
        m.when(v & !ready & !go, |m| m.next(v, false));
    }
    m.assign(valid, v);
    m.assign(data, d);
    m.interface(Protocol::ValidReady, "out_");
    Design::new(m.finish().unwrap()).unwrap()
}

/// Drives random `go` and `ready` and checks nothing itself.
fn drive(
    case: &mut linkforge_verif::check::Case,
    design: &Design,
    inputs: &[(bool, bool)],
) -> Result<(), Failure> {
    let sim = case.sim(design)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    for &(go, ready) in inputs {
        sim.poke("go", go as u64)?;
        sim.poke("out_ready", ready as u64)?;
        sim.step()?;
    }
    Ok(())
}

#[test]
fn declared_interfaces_are_checked_without_the_body_asking() {
    let inputs = prop::collection::vec((any::<bool>(), any::<bool>()), 1..100);
    let good = source(false);
    let found = Check::new()
        .cases(64)
        .find(inputs.clone(), |case, i| drive(case, &good, i))
        .unwrap();
    assert!(found.is_none(), "{}", found.unwrap());

    let bad = source(true);
    let found = Check::new()
        .cases(64)
        .find(inputs.clone(), |case, i| drive(case, &bad, i))
        .unwrap()
        .expect("the dropped valid is caught");
    assert!(
        found.message.contains("out_valid is held until ready"),
        "{}",
        found.message
    );
    // proptest drops elements before it simplifies them, so a few idle
    // cycles may stay; the stall that breaks the rule is the first.
    assert!(found.case.len() <= 8, "not shrunk: {:?}", found.case);
    assert_eq!(found.case[0], (true, false), "{:?}", found.case);

    let unchecked = Check::new()
        .cases(64)
        .without_interface_rules()
        .find(inputs, |case, i| drive(case, &bad, i))
        .unwrap();
    assert!(unchecked.is_none(), "nothing else checks the stream");
}

#[test]
fn zero_cases_is_an_error() {
    let design = counter(false);
    let result = Check::new()
        .cases(0)
        .find(any::<bool>(), |case, _| case.sim(&design).map(drop));
    assert!(matches!(result, Err(CheckError::NoCases)));
}

#[test]
fn a_run_that_simulates_nothing_is_an_error() {
    let result = Check::new().cases(8).find(any::<bool>(), |_, _| Ok(()));
    assert!(matches!(result, Err(CheckError::NothingSimulated)));
}
