//! FST waveforms: read back with `fst-reader` (and with GTKWave's own
//! `fst2vcd` where installed), they hold the same changes as the VCD of the
//! same run and the values peeked during it.

mod wave_support;

use linkforge_hdl::{Bits, Design};
use linkforge_sim::wave::Waves;
use linkforge_sim::{Sim, SimError};
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use wave_support::{counter, random_design, tool, Error, Rng};

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
    assert!(matches!(err, SimError::Wave { .. }), "{err}");
    assert!(err.to_string().contains(".vcd or .fst"), "{err}");
    Ok(())
}

/// Longer than the writer's shortest interval between two blocks (500 ms).
const PAST_FLUSH_INTERVAL: Duration = Duration::from_millis(520);

/// Stepping calls between two pauses: more than the 64 the writer may make
/// without reading the clock.
const BETWEEN_PAUSES: u64 = 70;

/// Runs `cycles` cycles of `design` traced to `path` (FST or VCD by its
/// extension) on inputs drawn from `seed`, pausing after every `pause`
/// cycles long enough for the FST writer to write a block; returns the
/// simulator with the trace still open.
fn random_run(
    design: &Design,
    path: &Path,
    cycles: u64,
    seed: u64,
    pause: Option<u64>,
) -> Result<Sim, Error> {
    let mut sim = Sim::new(design)?;
    sim.trace(path)?;
    let mut rng = Rng(seed);
    for cycle in 1..=cycles {
        sim.poke("data", rng.next())?;
        sim.poke("en", rng.next() & 1)?;
        sim.step()?;
        if pause.is_some_and(|p| cycle % p == 0) {
            std::thread::sleep(PAST_FLUSH_INTERVAL);
        }
    }
    Ok(sim)
}

/// The number of value-change blocks in the FST file at `path`: every block
/// is a type byte and a big-endian length counting itself and the rest.
/// `open`: the file is still being written, and the block being appended
/// may be cut short at its end (it is not counted).
fn value_change_blocks(path: &Path, open: bool) -> Result<usize, Error> {
    let bytes = std::fs::read(path)?;
    let (mut at, mut count) = (0, 0);
    while at + 9 <= bytes.len() {
        let length = u64::from_be_bytes(bytes[at + 1..at + 9].try_into()?);
        let end = at + 1 + usize::try_from(length)?;
        if open && end > bytes.len() {
            return Ok(count);
        }
        count += usize::from(bytes[at] == 8);
        at = end;
    }
    if !open {
        assert_eq!(at, bytes.len(), "blocks end at the end of the file");
    }
    Ok(count)
}

/// The widths the issue asks for around the word boundaries, and a few more.
const WIDTHS: [u32; 9] = [1, 63, 64, 65, 200, 2, 7, 128, 129];

#[test]
fn random_designs_read_back_like_their_vcd_and_the_peeked_values() -> Res {
    let dir = tempfile::tempdir()?;
    for seed in 1..=3u64 {
        let design = random_design(seed, &WIDTHS)?;
        let fst_path = dir.path().join(format!("r{seed}.fst"));
        let vcd_path = dir.path().join(format!("r{seed}.vcd"));
        let mut sim = random_run(&design, &fst_path, 200, seed, None)?;
        let mut peeked = Vec::new();
        let mut rng = Rng(seed ^ 0x5eed);
        for _ in 0..50 {
            sim.poke("data", rng.next())?;
            sim.poke("en", 1)?;
            sim.step()?;
            for name in ["r0", "r1", "r2", "r3", "r4", "o4", "u0.s3", "slow"] {
                let bits = sim.peek_bits(name)?;
                peeked.push((sim.time_ps(), name, bits));
            }
        }
        drop(sim);
        let mut vcd = random_run(&design, &vcd_path, 200, seed, None)?;
        let mut rng = Rng(seed ^ 0x5eed);
        for _ in 0..50 {
            vcd.poke("data", rng.next())?;
            vcd.poke("en", 1)?;
            vcd.step()?;
        }
        drop(vcd);

        let fst = Waves::from_fst(&fst_path)?;
        assert_eq!(fst, Waves::from_vcd(&vcd_path)?, "seed {seed}");
        for (w, name) in WIDTHS
            .iter()
            .zip(["top.r0", "top.r1", "top.r2", "top.r3", "top.r4"])
        {
            assert_eq!(fst.signals[name].0, *w, "{name}");
        }
        for (t, name, bits) in &peeked {
            let expected: String = (0..bits.width())
                .rev()
                .map(|i| if bits.bit(i) { '1' } else { '0' })
                .collect();
            let name = format!("top.{name}");
            assert_eq!(
                fst.bits_at(*t, &name),
                Some(expected.as_str()),
                "{name} at {t}"
            );
        }
        // The random registers change on (nearly) every edge.
        assert!(fst.signals["top.r4"].1.len() > 240, "seed {seed}");
    }
    Ok(())
}

#[test]
fn blocks_written_at_flush_intervals_read_back_whole_also_with_gtkwave() -> Res {
    let dir = tempfile::tempdir()?;
    let design = random_design(7, &WIDTHS)?;
    let (fst_path, vcd_path) = (dir.path().join("b.fst"), dir.path().join("b.vcd"));
    drop(random_run(
        &design,
        &fst_path,
        4 * BETWEEN_PAUSES,
        7,
        Some(BETWEEN_PAUSES),
    )?);
    drop(random_run(&design, &vcd_path, 4 * BETWEEN_PAUSES, 7, None)?);
    let blocks = value_change_blocks(&fst_path, false)?;
    assert!(blocks >= 4, "{blocks} blocks");
    let vcd = Waves::from_vcd(&vcd_path)?;
    assert_eq!(Waves::from_fst(&fst_path)?, vcd);
    if tool("fst2vcd") {
        assert_eq!(fst2vcd(&fst_path)?, vcd);
    }
    Ok(())
}

#[test]
fn a_run_cut_short_keeps_every_block_written_before() -> Res {
    let dir = tempfile::tempdir()?;
    let design = random_design(11, &WIDTHS)?;
    let (fst_path, vcd_path) = (dir.path().join("c.fst"), dir.path().join("c.vcd"));
    let mut sim = random_run(
        &design,
        &fst_path,
        3 * BETWEEN_PAUSES,
        11,
        Some(BETWEEN_PAUSES),
    )?;
    // The file as a process killed now would leave it: blocks, no final
    // header.
    let cut = dir.path().join("cut.fst");
    std::fs::copy(&fst_path, &cut)?;
    sim.run_cycles("clk", 5)?;
    drop(sim);
    drop(random_run(
        &design,
        &vcd_path,
        3 * BETWEEN_PAUSES,
        11,
        None,
    )?);

    let blocks = value_change_blocks(&cut, false)?;
    assert!(blocks >= 2, "{blocks} blocks");
    let cut_waves = Waves::from_fst(&cut)?;
    let end = cut_waves.end();
    // Edges every 1,000 ps from 0: the blocks hold at least the first
    // pause's 70.
    assert!(end >= (BETWEEN_PAUSES - 1) * 1000, "{end}");
    // The cut file holds exactly the changes up to its last time.
    let mut vcd = Waves::from_vcd(&vcd_path)?;
    for (_, changes) in vcd.signals.values_mut() {
        changes.retain(|c| c.0 <= end);
    }
    assert_eq!(cut_waves, vcd);
    if tool("fst2vcd") {
        assert_eq!(fst2vcd(&cut)?, vcd);
    }
    Ok(())
}

#[test]
fn a_long_run_writes_a_block_whenever_its_changes_pile_up() -> Res {
    let dir = tempfile::tempdir()?;
    // 8 registers and 8 outputs of 1,500 bits in `top`, 8 more in `u0`,
    // all changing on every edge: about 4.5 KiB of changes a cycle.
    let design = random_design(3, &[1500; 8])?;
    let path = dir.path().join("long.fst");
    let mut sim = random_run(&design, &path, 4000, 3, None)?;
    let (t, r7) = (sim.time_ps(), sim.peek_bits("r7")?);
    let blocks_while_open = value_change_blocks(&path, true)?;
    drop(sim);
    assert!(blocks_while_open >= 2, "{blocks_while_open} blocks");
    let waves = Waves::from_fst(&path)?;
    let expected: String = (0..1500)
        .rev()
        .map(|i| if r7.bit(i) { '1' } else { '0' })
        .collect();
    assert_eq!(waves.bits_at(t, "top.r7"), Some(expected.as_str()));
    assert!(waves.signals["top.u0.s7"].1.len() >= 3999);
    Ok(())
}

/// Logic reading a clock's level changes at its falling edges, where the
/// simulator compares only the clocks and that logic: both formats show
/// `y = clk & x` and the register beside it at every edge.
#[test]
fn logic_reading_a_clock_level_is_traced_at_falling_edges() -> Res {
    use linkforge_hdl::prelude::*;
    let mut m = ModuleBuilder::new("lvl");
    let clk = m.clock("clk");
    m.reset("rst");
    let x = m.input("x", 1);
    let y = m.output("y", 1);
    m.assign(y, Expr::from(clk) & x);
    let q = m.reg("q", 4).reset(0);
    m.next(q, q + 1);
    let count = m.output("count", 4);
    m.assign(count, q);
    let design = Design::new(m.finish()?)?;
    let dir = tempfile::tempdir()?;
    for file in ["lvl.vcd", "lvl.fst"] {
        let path = dir.path().join(file);
        let mut sim = Sim::new(&design)?;
        sim.clock("clk", 1000, 0)?;
        sim.trace(&path)?;
        sim.poke("x", 1)?;
        sim.run_cycles("clk", 6)?;
        sim.close_trace()?;
        let waves = Waves::open(&path)?;
        // Rising edges at 0, 1000, ..., 5000; falling ones half-way.
        for k in 1..=5u64 {
            let (fall, rise) = (k * 1000 - 500, k * 1000);
            assert_eq!(waves.at(fall, "lvl.y"), Some(0), "{file}: y at {fall}");
            assert_eq!(
                waves.at(fall, "lvl.count"),
                Some(k),
                "{file}: count at {fall}"
            );
            assert_eq!(waves.at(rise, "lvl.y"), Some(1), "{file}: y at {rise}");
        }
    }
    Ok(())
}
