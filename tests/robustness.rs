//! The command line under hostile conditions: every limit's error, Ctrl-C
//! during a simulation, output directories that cannot be written or hold
//! files linkforge did not write, and random bytes fed to the config loader
//! (through elaboration and Verilog) and the VCD and FST readers (the
//! bounded version of the fuzz targets in `fuzz/`; `PROPTEST_CASES` raises
//! the number of cases).

mod cli_support;
#[path = "../fuzz/fuzz_targets/config_input.rs"]
mod config_input;

use cli_support::{linkforge, slow_yosys, text};
use linkforge_verif::wave::Waves;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs linkforge and expects exit code `code` and `needle` in its output.
fn expect(args: &[&str], code: i32, needle: &str) -> String {
    let o = linkforge(args);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(code), "{args:?}:\n{t}");
    assert!(t.contains(needle), "{args:?}: `{needle}` missing in:\n{t}");
    t
}

/// A config file `name` with `text` in `dir`.
fn config(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Names of the hidden (temporary) files left in `dir`, other than the ledger.
fn hidden(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != ".linkforge-files")
        .collect()
}

#[test]
fn cycles_and_cases_beyond_their_limits_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), "c.lf", "counter c {}\n");
    let too_many = "1000000001";
    expect(
        &["sim", &c, "--variant", "c", "--cycles", too_many],
        2,
        "1000000001 is not in 0..=1000000000",
    );
    expect(
        &["run", &c, "--cycles", too_many],
        2,
        "1000000001 is not in 0..=1000000000",
    );
    expect(
        &["check", &c, "--max-cycles", too_many],
        2,
        "1000000001 is not in 1..=1000000000",
    );
    expect(
        &["check", &c, "--cases", "1000001"],
        2,
        "is not in 1..=1000000",
    );
    // Zero cases would check nothing and pass.
    expect(&["check", &c, "--cases", "0"], 2, "0 is not in 1..=1000000");
}

#[test]
fn parameters_beyond_their_ranges_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (src, needle) in [
        ("crossbar x { ports = 100000; }\n", "2..=64"),
        ("crossbar x { data_width = 1000000; }\n", "8..=1024"),
        ("sync_fifo f { depth = 1073741824; }\n", "1..=1048576"),
        ("deskew d { lanes = 64; }\n", "1..=16"),
    ] {
        let c = config(dir.path(), "range.lf", src);
        let t = expect(&["lint", &c], 1, "dsl::range");
        assert!(t.contains(needle), "{src}: {t}");
    }
}

#[test]
fn a_design_over_the_memory_budget_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(
        dir.path(),
        "big.lf",
        "sync_fifo big { width = 1024; depth = 1048576; }\n",
    );
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let t = expect(
        &["--memory-budget", "64MiB", "gen", &c, "-o", o],
        2,
        "variant `big` needs an estimated 128.",
    );
    assert!(t.contains("more than the memory budget of 64.0 MiB"), "{t}");
    assert!(t.contains("--memory-budget"), "{t}");
    assert!(!out.exists(), "nothing written");
    expect(
        &["--memory-budget", "64MiB", "sim", &c, "--variant", "big"],
        2,
        "memory budget",
    );
    expect(
        &["--memory-budget", "lots", "lint", &c],
        2,
        "`lots` is not a size",
    );
    // The default budget (4 GiB) takes it.
    expect(&["gen", &c, "-o", o], 0, "1 variants generated");
}

#[test]
fn a_waveform_beyond_its_limit_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(
        dir.path(),
        "wide.lf",
        "crossbar wide { ports = 64; data_width = 1024; }\n",
    );
    let wave = dir.path().join("w.vcd");
    let t = expect(
        &[
            "sim",
            &c,
            "--variant",
            "wide",
            "--cycles",
            "1000000",
            "--wave",
            wave.to_str().unwrap(),
        ],
        2,
        "more than the limit of 8589934592 bit-cycles",
    );
    assert!(t.contains("at most"), "{t}");
    assert!(!wave.exists() && hidden(dir.path()).is_empty());
}

#[test]
fn a_config_file_over_the_size_limit_or_endless_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.lf");
    let mut text = "# padding\n".repeat(linkforge_dsl::MAX_SOURCE_BYTES / 10 + 1);
    text.push_str("counter c {}\n");
    std::fs::write(&huge, text).unwrap();
    expect(
        &["lint", huge.to_str().unwrap()],
        2,
        "a config file has at most 8388608 bytes (8.0 MiB)",
    );
    expect(&["lint", "/dev/zero"], 2, "a config file has at most");
}

#[test]
fn an_unwritable_output_directory_is_a_clear_error_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), "c.lf", "counter c {}\n");
    let blocker = dir.path().join("a_file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let under = blocker.join("out");
    let o = under.to_str().unwrap();
    for args in [
        vec!["gen", &c, "-o", o],
        vec!["run", &c, "-o", o, "--cycles", "10", "--cases", "1"],
    ] {
        let t = expect(&args, 2, "cannot write");
        assert!(
            t.contains("a_file/out") && t.contains("Not a directory"),
            "{t}"
        );
    }
    let wave = under.join("w.vcd");
    expect(
        &[
            "sim",
            &c,
            "--variant",
            "c",
            "--wave",
            wave.to_str().unwrap(),
        ],
        2,
        "a_file/out/w.vcd",
    );
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["a_file", "c.lf"], "no partial file anywhere");
}

#[test]
fn output_files_linkforge_did_not_write_are_only_overwritten_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), "c.lf", "counter c {}\n");
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("c.v"), "// my own file\n").unwrap();
    std::fs::write(out.join("notes.txt"), "keep me\n").unwrap();

    for args in [
        vec!["gen", &c, "-o", o],
        vec!["run", &c, "-o", o, "--cycles", "10", "--cases", "1"],
    ] {
        let t = expect(&args, 2, "c.v exists and was not written by linkforge");
        assert!(t.contains("--force"), "{t}");
    }
    assert_eq!(
        std::fs::read_to_string(out.join("c.v")).unwrap(),
        "// my own file\n"
    );
    assert!(
        !out.join("manifest.json").exists(),
        "refused before any write"
    );

    // A waveform name taken by another file is refused too, before gen writes.
    std::fs::remove_file(out.join("c.v")).unwrap();
    std::fs::write(out.join("c.vcd"), "mine\n").unwrap();
    expect(
        &["run", &c, "-o", o, "--cycles", "10", "--cases", "1"],
        2,
        "c.vcd exists and was not written by linkforge",
    );
    assert!(!out.join("c.v").exists());
    std::fs::remove_file(out.join("c.vcd")).unwrap();

    // What linkforge wrote it may write again.
    expect(&["gen", &c, "-o", o], 0, "1 variants generated");
    expect(&["gen", &c, "-o", o], 0, "1 variants generated");
    std::fs::write(out.join("c.f"), "edited\n").unwrap();
    expect(&["gen", &c, "-o", o], 0, "1 variants generated");

    // --force takes over a foreign file; nothing else is touched.
    std::fs::write(out.join("c.vcd"), "mine\n").unwrap();
    expect(
        &[
            "run", &c, "-o", o, "--cycles", "10", "--cases", "1", "--force",
        ],
        0,
        "1 passed, 0 failed",
    );
    assert!(Waves::from_vcd(&out.join("c.vcd")).is_ok());
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "keep me\n"
    );
}

#[test]
fn a_failed_run_keeps_the_previous_complete_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let good = config(dir.path(), "c.lf", "counter c {}\n");
    expect(&["gen", &good, "-o", o], 0, "1 variants generated");
    let before = std::fs::read(out.join("c.v")).unwrap();
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    // The same variant, now out of the memory budget: refused, nothing changes.
    let big = config(dir.path(), "c.lf", "counter c { width = 64; }\n");
    expect(
        &["--memory-budget", "1KiB", "gen", &big, "-o", o],
        2,
        "memory budget",
    );
    assert_eq!(std::fs::read(out.join("c.v")).unwrap(), before);
    assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), manifest);
    assert!(hidden(&out).is_empty());
}

/// Sends `signal` to process `pid` (SIGINT: as Ctrl-C in a terminal does;
/// SIGTERM: as a job scheduler cancelling a job does).
fn send(pid: u32, signal: libc::c_int) {
    let pid = libc::pid_t::try_from(pid).expect("a process id");
    // SAFETY: kill(2) only sends a signal; it touches no memory of ours.
    let sent = unsafe { libc::kill(pid, signal) };
    assert_eq!(sent, 0, "kill({signal}) on {pid}");
}

/// Waits until `cond` holds, up to `secs` seconds.
fn wait_for(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Sends SIGINT to `child` once a waveform grows in `dir` under its
/// temporary name (calling `meanwhile` just before), and returns what the
/// child printed.
fn interrupt_while_tracing(mut child: Child, dir: &Path, meanwhile: impl FnOnce()) -> Output {
    let mut exited = false;
    let started = wait_for(60, || {
        exited = child.try_wait().unwrap().is_some();
        exited
            || std::fs::read_dir(dir).into_iter().flatten().any(|e| {
                e.is_ok_and(|e| {
                    e.file_name().to_string_lossy().ends_with(".part")
                        && e.metadata().is_ok_and(|m| m.len() > 4096)
                })
            })
    });
    if exited || !started {
        let _ = child.kill();
        let o = child.wait_with_output().unwrap();
        panic!("the simulation did not run:\n{}", text(&o));
    }
    meanwhile();
    send(child.id(), libc::SIGINT);
    let stopped = wait_for(60, || child.try_wait().unwrap().is_some());
    if !stopped {
        let _ = child.kill();
        panic!("linkforge did not stop after SIGINT");
    }
    child.wait_with_output().unwrap()
}

#[test]
fn sigterm_or_ctrl_c_stops_synth_and_its_tool_leaving_no_half_written_statistics() {
    // SIGTERM to linkforge alone (a scheduler cancelling a job), and SIGINT
    // to its whole process group (Ctrl-C in a terminal: the tool gets it too).
    stop_synth(libc::SIGTERM, false);
    stop_synth(libc::SIGINT, true);
}

/// Runs `synth` with a Yosys that never finishes, sends `signal` to
/// linkforge (or to its `group`) once Yosys runs, and checks the outcome.
fn stop_synth(signal: libc::c_int, group: bool) {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let yosys = slow_yosys(dir.path());
    let pid_file = dir.path().join("yosys.pid");
    let (out, json) = (dir.path().join("out"), dir.path().join("synth.json"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkforge"))
        .args(["synth", "examples/catalog.lf", "--threads", "1"])
        .args(["--variant", "arbiter", "--variant", "crc"])
        .arg("--yosys")
        .arg(&yosys)
        .arg("--json")
        .arg(&json)
        .arg("-o")
        .arg(&out)
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let noted = |p: &Path| std::fs::read_to_string(p).is_ok_and(|s| s.ends_with('\n'));
    if !wait_for(60, || {
        noted(&pid_file) || child.try_wait().unwrap().is_some()
    }) || !noted(&pid_file)
    {
        let _ = child.kill();
        panic!(
            "Yosys did not start:\n{}",
            text(&child.wait_with_output().unwrap())
        );
    }
    let tool = std::fs::read_to_string(&pid_file).unwrap();
    match group {
        // SAFETY: kill(2) only sends a signal; it touches no memory of ours.
        true => assert_eq!(
            unsafe { libc::kill(-(child.id() as libc::pid_t), signal) },
            0
        ),
        false => send(child.id(), signal),
    }
    if !wait_for(60, || child.try_wait().unwrap().is_some()) {
        let _ = child.kill();
        panic!("linkforge did not stop after signal {signal}");
    }
    let o = child.wait_with_output().unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(130), "signal {signal}: {t}");
    // The running variant was stopped, the other never started.
    assert!(
        t.contains("unfinished: yosys was stopped by an interrupt"),
        "{t}"
    );
    assert!(
        t.contains("1 variants: 0 fit, 0 do not, 1 unfinished"),
        "{t}"
    );
    assert!(
        !Path::new(&format!("/proc/{}", tool.trim())).exists(),
        "Yosys (process {}) still runs",
        tool.trim()
    );
    for variant in std::fs::read_dir(out.join("synth")).unwrap() {
        for f in std::fs::read_dir(variant.unwrap().path()).unwrap() {
            let name = f.unwrap().file_name().into_string().unwrap();
            assert!(!name.ends_with("stat.json"), "{name} left behind");
        }
    }
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert!(
        rows[0]["unfinished"]
            .as_str()
            .unwrap()
            .contains("interrupt"),
        "{rows}"
    );
}

/// The simulation's `name: value` line.
fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no `{name}` in:\n{out}"))
}

#[test]
fn ctrl_c_stops_sim_cleanly_with_a_valid_waveform_up_to_the_last_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(dir.path(), "c.lf", "counter c { width = 8; }\n");
    let wave: PathBuf = dir.path().join("w.vcd");
    std::fs::write(&wave, "the previous waveform\n").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_linkforge"))
        .args(["sim", &c, "--variant", "c", "--cycles", "100000000"])
        .arg("--wave")
        .arg(&wave)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start linkforge");
    let o = interrupt_while_tracing(child, dir.path(), || {
        assert_eq!(
            std::fs::read_to_string(&wave).unwrap(),
            "the previous waveform\n",
            "the old file stays until the new one is complete"
        )
    });
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(130), "{stdout}{stderr}");
    let cycles: u64 = field(&stdout, "cycles").parse().unwrap();
    assert!(cycles > 0 && cycles < 100_000_000, "{stdout}");
    assert_eq!(field(&stdout, "interrupted"), "true");
    assert!(
        stderr.contains(&format!(
            "interrupted: stopped after {cycles} complete cycles; {} holds them",
            wave.display()
        )),
        "{stderr}"
    );
    // The whole file parses, and ends at the last completed edge.
    let waves = Waves::from_vcd(&wave).expect("a complete, valid VCD");
    let ns: f64 = field(&stdout, "simulated_time_ns").parse().unwrap();
    let last = (ns * 1000.0).round() as u64;
    assert_eq!(waves.end(), last);
    assert_eq!(
        last,
        (cycles - 1) * 1000,
        "one edge per 1000 ps cycle from 0"
    );
    assert_eq!(
        waves.at(last, "c.clk"),
        Some(1),
        "the last edge is complete"
    );
    assert!(dir.path().join("w.gtkw").exists());
    assert!(hidden(dir.path()).is_empty(), "{:?}", hidden(dir.path()));
}

/// The fuzz targets' seeds and the crashes they found, for target `kind`
/// (`config` or `vcd`; see `fuzz/README.md`).
fn corpus(kind: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs: Vec<PathBuf> = match kind {
        "config" => vec![
            root.join("examples"),
            root.join("dsl/tests/diagnostics"),
            root.join("tests/malformed"),
        ],
        _ => vec![root.join("fuzz/seeds").join(kind)],
    };
    dirs.into_iter()
        .chain([root.join("fuzz/regressions").join(kind)])
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        // Not folders (examples/cocotb/), the golden reports or Rust
        // examples beside the configs.
        .filter(|p| p.is_file())
        .filter(|p| !p.extension().is_some_and(|x| x == "txt" || x == "rs"))
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// The config fuzz target's check on `bytes` with the real catalogue: the
/// loader, then elaboration and Verilog of the small variants.
fn load(bytes: &[u8]) {
    config_input::check(bytes, &linkforge_rtl::catalog::catalog());
}

#[test]
fn every_fuzz_seed_and_regression_loads_or_reports() {
    let configs = corpus("config");
    assert!(configs.len() >= 3, "the config seeds are there");
    for bytes in &configs {
        load(bytes);
    }
    let vcds = corpus("vcd");
    assert!(vcds.len() >= 3, "the VCD seeds are there");
    for bytes in &vcds {
        let _ = Waves::read_vcd(bytes.as_slice());
    }
    let fsts = corpus("fst");
    assert!(fsts.len() >= 2, "the FST seeds are there");
    for bytes in &fsts {
        Waves::read_fst(std::io::Cursor::new(bytes)).expect("the seeds are valid FST");
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// A seed with a few bytes overwritten, inserted or cut.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, byte, op) in edits {
                let i = at.index(bytes.len() + 1);
                match op {
                    0 if i < bytes.len() => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => bytes.truncate(i),
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_and_mutated_configs_never_panic_the_loader(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            mutated(corpus("config")),
        ]
    ) {
        load(&bytes);
    }

    #[test]
    fn random_and_mutated_vcds_never_panic_the_reader(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            mutated(corpus("vcd")),
        ]
    ) {
        if let Ok(w) = Waves::read_vcd(bytes.as_slice()) {
            query_everything(&w);
        }
    }

    /// Random bytes, and FSTs cut short as a capture that stopped early
    /// leaves them. (`fst-reader` trusts the counts inside a well-framed
    /// block, so overwritten bytes there can ask it for any amount of
    /// memory; the fuzz target explores those.)
    #[test]
    fn random_and_truncated_fsts_never_panic_the_reader(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            (prop::sample::select(corpus("fst")), any::<prop::sample::Index>())
                .prop_map(|(bytes, at)| bytes[..at.index(bytes.len())].to_vec()),
        ]
    ) {
        if let Ok(w) = Waves::read_fst(std::io::Cursor::new(bytes)) {
            query_everything(&w);
        }
    }
}

/// Asks `waves` for every signal's last value.
fn query_everything(waves: &Waves) {
    let end = waves.end();
    for name in waves.signals.keys() {
        let _ = waves.at(end, name);
    }
}

/// `linkforge run` of `config` into `out` for 100 million cycles, with
/// `threads` jobs at once.
fn long_run(config: &str, out: &Path, threads: u32) -> Child {
    Command::new(env!("CARGO_BIN_EXE_linkforge"))
        .args(["run", config, "--cycles", "100000000", "--threads"])
        .arg(threads.to_string())
        .arg("-o")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start linkforge")
}

#[test]
fn ctrl_c_stops_run_after_the_current_simulation_with_complete_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(
        dir.path(),
        "c.lf",
        "counter a { width = 8; }\ncounter b { width = 8; }\n",
    );
    let out = dir.path().join("out");
    let o = interrupt_while_tracing(long_run(&c, &out, 1), &out, || {
        assert!(
            !out.join("a.vcd").exists(),
            "a.vcd appears only when complete"
        )
    });
    let t = text(&o);
    assert_eq!(o.status.code(), Some(130), "{t}");
    assert!(t.contains("interrupted after 0 of 2 variants"), "{t}");
    assert!(t.contains("are complete for the variants above"), "{t}");
    // Generated before the simulations; the cut waveform is whole.
    for f in ["a.v", "b.v", "manifest.json", "a.gtkw"] {
        assert!(out.join(f).exists(), "{f} missing:\n{t}");
    }
    let waves = Waves::from_vcd(&out.join("a.vcd")).expect("a valid VCD");
    assert!(waves.end() > 0);
    assert!(!out.join("b.vcd").exists(), "b was never simulated");
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
}

/// With jobs running side by side, Ctrl-C stops every one of them, and
/// each leaves a whole waveform.
#[test]
fn ctrl_c_stops_every_job_of_a_parallel_run_with_complete_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(
        dir.path(),
        "c.lf",
        "counter a { width = 8; }\ncounter b { width = 8; }\ncounter c { width = 8; }\n",
    );
    let out = dir.path().join("out");
    let o = interrupt_while_tracing(long_run(&c, &out, 2), &out, || {});
    let t = text(&o);
    assert_eq!(o.status.code(), Some(130), "{t}");
    assert!(t.contains("interrupted after 0 of 3 variants"), "{t}");
    assert!(
        Waves::from_vcd(&out.join("a.vcd"))
            .expect("a valid VCD")
            .end()
            > 0
    );
    if out.join("b.vcd").exists() {
        Waves::from_vcd(&out.join("b.vcd")).expect("a valid VCD");
    }
    assert!(!out.join("c.vcd").exists(), "c never started: {t}");
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
}
