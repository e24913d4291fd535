//! The rust-hdl peer: a separate crate (`peers/rust-hdl` in the repository,
//! outside the workspace so the main build never compiles rust-hdl) that
//! models some reference designs in rust-hdl and runs the stimulus protocol
//! of the [module documentation](super) on them.
//!
//! The peer is a program with a line protocol:
//!
//! - `PEER --list` prints the names of the designs it models, one a line;
//! - `PEER NAME CYCLES` runs the protocol for `CYCLES` cycles on design
//!   `NAME` and prints `LINKFORGE_BENCH <cycles> <checksum as 16 hex
//!   digits> <seconds of the loop>`, as the Verilator harness does.
//!
//! [`RustHdl::build`] builds it once per benchmark with cargo (release, its
//! own target directory); a missing cargo or a failed build skips the peer
//! with the reason, as a missing Verilator is skipped.

use super::peers::{checked, timed_run};
use super::{BenchConfig, BenchError, Measurement, Timed, Workload};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Name of the peer's package and executable.
pub const PACKAGE: &str = "linkforge-rust-hdl-peer";

/// Whether and where the rust-hdl peer runs.
#[derive(Clone, Debug, PartialEq)]
pub enum RustHdl {
    /// The run did not ask for it.
    NotRequested,
    /// It was asked for but cannot run; the reason.
    Unavailable(String),
    /// It is built.
    Built(Peer),
}

/// A built rust-hdl peer.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    /// The executable.
    pub exe: PathBuf,
    /// Wall time of `cargo build --release` of the peer crate (short when
    /// it was already built).
    pub build: Duration,
    /// The designs it models (`--list`).
    pub designs: Vec<String>,
}

impl RustHdl {
    /// Builds the peer crate whose manifest is `manifest` in release mode
    /// into `target_dir` with cargo (`$CARGO`, else `cargo` on the path) and
    /// asks it for its designs.
    pub fn build(manifest: &Path, target_dir: &Path) -> RustHdl {
        match build(manifest, target_dir) {
            Ok(peer) => RustHdl::Built(peer),
            Err(e) => RustHdl::Unavailable(e.to_string()),
        }
    }

    /// The peer to run on design `name`, or why it does not run there.
    pub fn runnable(&self, name: &str) -> Result<&Peer, String> {
        match self {
            RustHdl::NotRequested => Err("not requested".into()),
            RustHdl::Unavailable(why) => Err(why.clone()),
            RustHdl::Built(peer) if peer.designs.iter().any(|d| d == name) => Ok(peer),
            RustHdl::Built(_) => Err(format!("the peer has no rust-hdl model of `{name}`")),
        }
    }
}

impl Peer {
    /// Runs the checksum run and the timed run of `workload` (at the
    /// Verilator cycle counts). Build and first cycle are the crate's build.
    pub fn measure(
        &self,
        workload: &Workload,
        config: &BenchConfig,
    ) -> Result<Measurement, BenchError> {
        let run = |cycles: u64| {
            let mut harness = Command::new(&self.exe);
            harness.args([workload.name.clone(), cycles.to_string()]);
            timed_run("rust-hdl", harness)
        };
        let check = run(config.icarus_cycles)?;
        let timed = Timed::repeat("rust-hdl", config.runs, || run(config.cycles))?;
        Ok(Measurement {
            build: self.build,
            first_cycle: self.build,
            timed,
            check,
            traced: None,
        })
    }
}

fn build(manifest: &Path, target_dir: &Path) -> Result<Peer, BenchError> {
    if !manifest.is_file() {
        return Err(BenchError::Tool {
            tool: "rust-hdl",
            message: format!("no peer crate at {}", manifest.display()),
        });
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let start = Instant::now();
    let out = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(manifest)
        .arg("--target-dir")
        .arg(target_dir)
        .output();
    let build = start.elapsed();
    checked("cargo build (rust-hdl peer)", out)?;
    let exe = target_dir
        .join("release")
        .join(format!("{PACKAGE}{}", std::env::consts::EXE_SUFFIX));
    let list = checked("rust-hdl", Command::new(&exe).arg("--list").output())?;
    Ok(Peer {
        exe,
        build,
        designs: list.lines().map(str::to_string).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_runs_only_where_it_has_a_model() {
        let peer = Peer {
            exe: PathBuf::from("peer"),
            build: Duration::ZERO,
            designs: vec!["counter".into()],
        };
        let built = RustHdl::Built(peer.clone());
        assert_eq!(built.runnable("counter"), Ok(&peer));
        assert!(built
            .runnable("cxl2")
            .is_err_and(|why| why.contains("no rust-hdl model")));
        assert!(RustHdl::NotRequested.runnable("counter").is_err());
        let missing = RustHdl::build(Path::new("/nonexistent/Cargo.toml"), Path::new("/tmp"));
        assert!(matches!(missing, RustHdl::Unavailable(why) if why.contains("no peer crate")));
    }
}
