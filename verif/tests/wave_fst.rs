//! FST waveforms: read back with `fst-reader` (and with GTKWave's own
//! `fst2vcd` where installed), they hold the same changes as the VCD of the
//! same run and the values peeked during it.

mod wave_support;

use linkforge_hdl::Bits;
use linkforge_verif::wave::Waves;
use linkforge_verif::{Sim, SimError};
use std::path::Path;
use std::process::Command;
use wave_support::{counter, tool, Error};

type Res = Result<(), Error>;

/// After each step: time, `u0.q` and `wide` as peeked.
type Seen = Vec<(u64, u64, Bits)>;

/// Runs 20 cycles of the counter traced to `path`, `en` low every third
/// cycle; returns the pokes of `en` (the later of two at one time) and what
/// was peeked after each step.
fn run(path: &Path) -> Result<(Vec<(u64, u64)>, Seen), Error> {
    let mut sim = Sim::new(&counter(255)?)?;
    sim.trace(path)?;
    let mut poked: Vec<(u64, u64)> = Vec::new();
    let mut seen = Vec::new();
    for cycle in 0..20u64 {
        let en = u64::from(cycle % 3 != 0);
        sim.poke("en", en)?;
        poked.retain(|(t, _)| *t != sim.time_ps());
        poked.push((sim.time_ps(), en));
        sim.step()?;
        seen.push((sim.time_ps(), sim.peek("u0.q")?, sim.peek_bits("wide")?));
    }
    Ok((poked, seen))
}

#[test]
fn fst_holds_the_changes_of_the_vcd_and_the_peeked_values() -> Res {
    let dir = tempfile::tempdir()?;
    let (fst_path, vcd_path) = (dir.path().join("run.fst"), dir.path().join("run.vcd"));
    let (poked, seen) = run(&fst_path)?;
    run(&vcd_path)?;
    let fst = Waves::from_fst(&fst_path)?;
    assert_eq!(fst, Waves::from_vcd(&vcd_path)?, "same run, same changes");

    assert_eq!(fst.signals["top.wide"].0, 100);
    assert_eq!(fst.signals["top.u0.q"].0, 8);
    assert!(fst.signals.contains_key("top.u0_y"));
    for (t, en) in &poked {
        assert_eq!(fst.at(*t, "top.en"), Some(*en), "en at {t}");
    }
    let last = seen.last().map_or(0, |s| s.0);
    assert_eq!(fst.end(), last);
    for (t, q, wide) in &seen {
        assert_eq!(fst.at(*t, "top.u0.q"), Some(*q), "q at {t}");
        assert_eq!(fst.at(*t, "top.u0.y"), Some(*q), "y at {t}");
        assert_eq!(fst.at(*t, "top.clk"), Some(1), "clock high at {t}");
        if *t < last {
            assert_eq!(
                fst.at(t + 500, "top.clk"),
                Some(0),
                "clock low at {t} + 500"
            );
        }
        let bits: String = (0..100)
            .rev()
            .map(|i| if wide.bit(i) { '1' } else { '0' })
            .collect();
        assert_eq!(
            fst.bits_at(*t, "top.wide"),
            Some(bits.as_str()),
            "wide at {t}"
        );
    }
    // Values are written only when they change: en changes 13 times.
    let en_changes = fst.signals["top.en"].1.len();
    assert!(en_changes <= 14, "{en_changes} changes of en");
    Ok(())
}

/// Converts `fst` with GTKWave's `fst2vcd` and reads the result.
fn fst2vcd(fst: &Path) -> Result<Waves, Error> {
    let out = Command::new("fst2vcd").arg(fst).output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vcd = fst.with_extension("converted.vcd");
    std::fs::write(&vcd, out.stdout)?;
    Ok(Waves::from_vcd(&vcd)?)
}

#[test]
fn gtkwave_reads_the_fst_like_fst_reader() -> Res {
    if !tool("fst2vcd") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("run.fst");
    run(&path)?;
    assert_eq!(fst2vcd(&path)?, Waves::from_fst(&path)?);
    Ok(())
}

#[test]
fn an_fst_run_stopped_by_an_assertion_is_readable_and_completed_on_drop() -> Res {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("fail.fst");
    let mut sim = Sim::new(&counter(5)?)?;
    sim.trace_scope(&path, "top.u0")?;
    sim.poke("en", 1)?;
    sim.step()?;
    let first = sim.time_ps();
    sim.step()?;
    let err = sim.run_cycles("clk", 100).unwrap_err();
    assert!(matches!(err, SimError::Assertion(_)));
    let (t, q) = (sim.time_ps(), sim.peek("u0.q")?);

    // While the simulator lives, the file is readable and lags one stepping
    // call: it holds at least the first call.
    let open = Waves::from_fst(&path)?;
    assert!(
        open.signals.keys().all(|n| n.starts_with("top.u0.")),
        "{open:?}"
    );
    assert!(
        (first..t).contains(&open.end()),
        "{} in {first}..{t}",
        open.end()
    );
    if tool("fst2vcd") {
        assert_eq!(fst2vcd(&path)?, open);
    }

    drop(sim);
    let done = Waves::from_fst(&path)?;
    assert_eq!(done.end(), t);
    assert_eq!(done.at(t, "top.u0.q"), Some(q));
    Ok(())
}

#[test]
fn other_extensions_are_refused() -> Res {
    let dir = tempfile::tempdir()?;
    let mut sim = Sim::new(&counter(255)?)?;
    let err = sim.trace(dir.path().join("run.txt")).unwrap_err();
    assert!(matches!(err, SimError::Io(_)), "{err}");
    assert!(err.to_string().contains(".vcd or .fst"), "{err}");
    Ok(())
}
