//! GTKWave save files: one group per block with its inputs, outputs and FSM
//! states, vectors in hex, FSM state names through translate filters; and
//! GTKWave itself (headless, where installed) loads them.

mod wave_support;

use linkforge_sim::Sim;
use std::path::Path;
use std::process::Command;
use wave_support::{tool, two_level, Error};

type Res = Result<(), Error>;

/// Traces 12 cycles of the two-level design to `path` (whole design, or
/// `scope` only): `go` pulses in cycle 1 and `data` counts up.
fn run(path: &Path, scope: &str) -> Result<(), Error> {
    let mut sim = Sim::new(&two_level()?)?;
    sim.trace_scope(path, scope)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    for cycle in 0..12 {
        sim.poke("go", u64::from(cycle == 1))?;
        sim.poke("data", 0x10 + cycle)?;
        sim.step()?;
    }
    Ok(())
}

/// The group of controller `u`, whose filter file is `filter`.
fn controller_group(u: &str, filter: &Path) -> String {
    format!(
        "@800200\n-top.{u}\n@28\ntop.{u}.clk\ntop.{u}.rst\ntop.{u}.start\ntop.{u}.busy\n\
         @2022\n^1 {}\ntop.{u}.state[1:0]\n@1000200\n-top.{u}\n",
        filter.display()
    )
}

#[test]
fn save_file_groups_each_block_and_names_fsm_states() -> Res {
    let dir = tempfile::tempdir()?;
    let dir = std::path::absolute(dir.path())?;
    let dump = dir.join("run.vcd");
    run(&dump, "")?;
    let filter = dir.join("run.top.u0.state.filter");
    let expected = format!(
        "[*] linkforge simulator: one group per block (inputs, outputs, FSM states)\n\
         [dumpfile] \"{}\"\n[savefile] \"{}\"\n[timestart] 0\n\
         @800200\n-top\n@28\ntop.clk\ntop.rst\ntop.go\n@22\ntop.data[7:0]\n\
         @28\ntop.busy\n@22\ntop.echo[7:0]\n@1000200\n-top\n{}{}",
        dump.display(),
        dir.join("run.gtkw").display(),
        controller_group("u0", &filter),
        // u1 is the same controller: it shares u0's filter.
        controller_group("u1", &filter),
    );
    assert_eq!(std::fs::read_to_string(dir.join("run.gtkw"))?, expected);
    assert_eq!(std::fs::read_to_string(&filter)?, "0 idle\n1 run\n2 done\n");
    assert!(!dir.join("run.top.u1.state.filter").exists());

    // The same run written again gives the same files.
    run(&dump, "")?;
    assert_eq!(std::fs::read_to_string(dir.join("run.gtkw"))?, expected);
    Ok(())
}

#[test]
fn a_scoped_trace_shows_only_the_blocks_it_holds() -> Res {
    let dir = tempfile::tempdir()?;
    let dir = std::path::absolute(dir.path())?;
    run(&dir.join("u1.fst"), "top.u1")?;
    let text = std::fs::read_to_string(dir.join("u1.gtkw"))?;
    let groups: Vec<&str> = text.lines().filter(|l| l.starts_with('-')).collect();
    assert_eq!(groups, ["-top.u1", "-top.u1"]);
    assert!(text.contains(&format!("[dumpfile] \"{}\"", dir.join("u1.fst").display())));
    assert!(text.contains(&format!(
        "^1 {}",
        dir.join("u1.top.u1.state.filter").display()
    )));
    Ok(())
}

#[test]
fn gtkwave_loads_the_save_file_with_its_groups_and_state_names() -> Res {
    if !tool("gtkwave") || !tool("xvfb-run") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let dir = std::path::absolute(dir.path())?;
    run(&dir.join("run.fst"), "")?;
    // u0 runs from the edge at 2000 ps (go sampled) to the one at 5000 ps;
    // u1, started by u0's busy, runs from 3000 ps to 6000 ps. At 5500 ps
    // `echo` holds the data sampled at 5000 ps, 0x14.
    let script = dir.join("check.tcl");
    std::fs::write(
        &script,
        "puts \"FACS [gtkwave::getNumFacs]\"\n\
         puts \"SHOWN [gtkwave::getDisplayedSignals]\"\n\
         gtkwave::setMarker 5500\n\
         puts \"U0 [gtkwave::getTraceValueAtMarkerFromName {top.u0.state[1:0]}]\"\n\
         puts \"U1 [gtkwave::getTraceValueAtMarkerFromName {top.u1.state[1:0]}]\"\n\
         puts \"ECHO [gtkwave::getTraceValueAtMarkerFromName {top.echo[7:0]}]\"\n\
         exit\n",
    )?;
    let out = Command::new("timeout")
        .args(["20", "xvfb-run", "-a", "gtkwave", "-S"])
        .arg(&script)
        .arg(dir.join("run.gtkw"))
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {key} in GTKWave's output:\n{stdout}"))
            .to_string()
    };
    let total: usize = line("FACS ").parse()?;
    let sim = Sim::new(&two_level()?)?;
    assert_eq!(total, sim.signals().count(), "every signal is in the dump");
    let shown = line("SHOWN ");
    let expected = "top.clk top.rst top.go top.data[7:0] top.busy top.echo[7:0] \
                    top.u0.clk top.u0.rst top.u0.start top.u0.busy top.u0.state[1:0] \
                    top.u1.clk top.u1.rst top.u1.start top.u1.busy top.u1.state[1:0]";
    assert_eq!(shown, expected);
    assert_eq!(line("U0 "), "done");
    assert_eq!(line("U1 "), "run");
    assert_eq!(line("ECHO "), "14");
    Ok(())
}
