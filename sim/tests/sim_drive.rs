//! The drive API's contract on small designs: which names it accepts, how
//! it cuts values to a port's width, that it reads settled outputs, stops
//! at a failed assertion like `step`, and leaves what it set in a waveform.
//! (`tests/drive.rs` compares it with pokes and peeks on random designs.)

use linkforge_hdl::prelude::*;
use linkforge_sim::{Sim, SimError};

type Res = Result<(), Box<dyn std::error::Error>>;

/// `y = a + b` (combinational, 80 bits) and `q` registering `a`'s low
/// byte; an assertion that `q` never reaches 0xff.
fn design() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("top");
    let _clk = m.clock("clk");
    let a = m.input("a", 80);
    let b = m.input("b", 4);
    let y = m.output("y", 80);
    let out = m.output("out", 8);
    let q = m.reg("q", 8).no_reset();
    m.assign(y, Expr::from(a) + Expr::from(b).zext(80));
    m.next(q, Expr::from(a).slice(7, 0));
    m.assign(out, q);
    m.assert_always(!Expr::from(q).eq(lit(0xff, 8)), "q reached 0xff");
    m.finish()
}

#[test]
fn only_top_level_data_inputs_and_outputs_have_ports() -> Res {
    let sim = Sim::new(&Design::new(design()?)?)?;
    assert!(sim.input_port("a").is_ok() && sim.input_port("top.b").is_ok());
    assert!(sim.output_port("y").is_ok());
    for name in ["clk", "q", "y"] {
        assert!(
            matches!(sim.input_port(name), Err(SimError::NotAnInput(_))),
            "{name}"
        );
    }
    for name in ["a", "q"] {
        assert!(
            matches!(sim.output_port(name), Err(SimError::NotAnOutput(_))),
            "{name}"
        );
    }
    assert!(matches!(
        sim.input_port("nope"),
        Err(SimError::UnknownSignal { .. })
    ));
    Ok(())
}

#[test]
fn values_are_cut_to_the_width_and_outputs_follow_at_once() -> Res {
    let mut sim = Sim::new(&Design::new(design()?)?)?;
    let (a, b, y) = (
        sim.input_port("a")?,
        sim.input_port("b")?,
        sim.output_port("y")?,
    );
    assert_eq!((a.words(), y.words()), (2, 2));
    let mut io = sim.ports();
    io.set_word(a, 0, u64::MAX);
    io.set_word(a, 1, u64::MAX);
    io.set(b, 0x31);
    // 0xffff + 1 over 80 bits wraps to zero; b kept only its low 4 bits.
    assert_eq!(io.get_words(y), [0, 0]);
    io.set(a, 5);
    assert_eq!(io.get_words(y), [6, 0]);
    drop(io);
    assert_eq!(sim.peek("b")?, 1);
    assert_eq!(sim.peek_bits("a")?.words(), [5, 0]);
    Ok(())
}

#[test]
fn drive_stops_at_a_failed_assertion_as_step_does() -> Res {
    let mut sim = Sim::new(&Design::new(design()?)?)?;
    let (a, out) = (sim.input_port("a")?, sim.output_port("out")?);
    let mut seen = Vec::new();
    let mut next = 0xfc;
    let result = sim.drive(10, |io| {
        seen.push(io.get(out));
        io.set(a, next);
        next += 1;
    });
    // q takes 0xfc, 0xfd, 0xfe, 0xff; the edge after q = 0xff fails.
    assert!(matches!(result, Err(SimError::Assertion(_))), "{result:?}");
    assert_eq!(seen, [0, 0xfc, 0xfd, 0xfe, 0xff]);
    assert_eq!(sim.cycles("clk")?, 5);
    Ok(())
}

#[test]
fn inputs_set_after_the_last_edge_reach_the_waveform() -> Res {
    let dir = tempfile::tempdir()?;
    let wave = |set: &dyn Fn(&mut Sim) -> Res| -> Result<String, Box<dyn std::error::Error>> {
        let mut sim = Sim::new(&Design::new(design()?)?)?;
        sim.run_cycles("clk", 3)?;
        let path = dir.path().join("w.vcd");
        sim.trace(&path)?;
        set(&mut sim)?;
        sim.close_trace()?;
        Ok(std::fs::read_to_string(&path)?)
    };
    let poked = wave(&|sim| Ok(sim.poke("b", 9)?))?;
    let driven = wave(&|sim| {
        let b = sim.input_port("b")?;
        sim.ports().set(b, 9);
        Ok(())
    })?;
    assert!(poked.contains("b1001 "), "{poked}");
    assert_eq!(poked, driven);
    Ok(())
}
