//! Waveforms written whole (`Sim::trace_whole`) and runs stopped by an
//! interrupt flag: the file appears only complete, and an interrupted run
//! leaves a valid waveform up to the last completed edge.

mod wave_support;

use linkforge_sim::wave::Waves;
use linkforge_sim::{Sim, SimError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wave_support::{counter, Error};

type Res = Result<(), Error>;

fn hidden_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_whole_trace_replaces_the_old_file_only_when_closed() -> Res {
    let dir = tempfile::tempdir()?;
    for name in ["run.vcd", "run.fst"] {
        let path = dir.path().join(name);
        std::fs::write(&path, "previous")?;
        let mut sim = Sim::new(&counter(255)?)?;
        sim.trace_whole(&path)?;
        sim.poke("en", 1)?;
        sim.run_cycles("clk", 10)?;
        assert_eq!(std::fs::read_to_string(&path)?, "previous", "{name}");
        assert_eq!(hidden_files(dir.path()).len(), 1, "{name}: one part file");
        sim.close_trace()?;
        let waves = if name.ends_with("vcd") {
            Waves::from_vcd(&path)?
        } else {
            Waves::from_fst(&path)?
        };
        assert_eq!(waves.at(sim.time_ps(), "top.u0.q"), Some(10), "{name}");
        assert!(path.with_extension("gtkw").exists());
        assert!(hidden_files(dir.path()).is_empty(), "{name}");
    }
    Ok(())
}

#[test]
fn dropping_the_sim_puts_a_whole_trace_in_place() -> Res {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("drop.vcd");
    let mut sim = Sim::new(&counter(255)?)?;
    sim.trace_whole(&path)?;
    sim.run_cycles("clk", 3)?;
    drop(sim);
    assert!(Waves::from_vcd(&path)?.signals.contains_key("top.u0.q"));
    Ok(())
}

#[test]
fn an_interrupt_stops_before_the_next_edge_with_a_valid_waveform() -> Res {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("stop.vcd");
    let flag = Arc::new(AtomicBool::new(false));
    let mut sim = Sim::new(&counter(255)?)?;
    sim.interrupt_on(flag.clone());
    sim.trace_whole(&path)?;
    sim.poke("en", 1)?;
    sim.run_cycles("clk", 7)?;
    let t = sim.time_ps();
    flag.store(true, Ordering::Relaxed);
    let err = sim.run_cycles("clk", 100).unwrap_err();
    assert!(
        matches!(err, SimError::Interrupted { time_ps } if time_ps == t),
        "{err}"
    );
    assert!(sim.interrupted());
    assert!(matches!(sim.step(), Err(SimError::Interrupted { .. })));
    assert_eq!(sim.time_ps(), t, "no edge after the interrupt");
    sim.close_trace()?;
    let waves = Waves::from_vcd(&path)?;
    assert_eq!(waves.end(), t);
    assert_eq!(waves.at(t, "top.u0.q"), Some(7));
    Ok(())
}

#[test]
fn a_whole_trace_into_a_missing_directory_is_an_error_and_leaves_nothing() -> Res {
    let dir = tempfile::tempdir()?;
    let mut sim = Sim::new(&counter(255)?)?;
    let err = sim
        .trace_whole(dir.path().join("no/such/dir/run.vcd"))
        .unwrap_err();
    assert!(matches!(err, SimError::Wave { .. }), "{err}");
    assert!(hidden_files(dir.path()).is_empty());
    Ok(())
}

#[test]
fn save_files_names_every_file_a_trace_writes_beside_the_waveform() -> Res {
    let dir = tempfile::tempdir()?;
    let dump = dir.path().join("ctl.vcd");
    let design = linkforge_hdl::Design::new(wave_support::controller()?)?;
    let mut expected: Vec<String> = linkforge_sim::wave::save_files(&design, &dump)?
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    expected.push("ctl.vcd".into());
    expected.sort();
    assert!(
        expected.iter().any(|n| n.ends_with(".filter")),
        "{expected:?}"
    );
    let mut sim = Sim::new(&design)?;
    sim.trace_whole(&dump)?;
    sim.close_trace()?;
    let mut written: Vec<String> = std::fs::read_dir(dir.path())?
        .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, std::io::Error>>()?;
    written.sort();
    assert_eq!(written, expected);
    Ok(())
}
