//! `linkforge sim`: runs a variant's testbench on the built-in simulator and
//! summarises it.

use super::{build, load, select, CliError};
use linkforge_dsl::Variant;
use linkforge_hdl::Design;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::Failure;
use linkforge_verif::{Engine, Sim};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The result of one simulation run.
pub struct SimSummary {
    /// The variant.
    pub variant: String,
    /// Cycles simulated.
    pub cycles: u64,
    /// Simulated time in picoseconds.
    pub time_ps: u64,
    /// Wall-clock time of the run.
    pub wall: Duration,
    /// Checks that held.
    pub checks_passed: u64,
    /// The first failed check, if any (a run stops there).
    pub failure: Option<Failure>,
    /// The testbench's metrics.
    pub metrics: Vec<(String, String)>,
    /// The waveform written, if any.
    pub wave: Option<PathBuf>,
    /// The pictures written next to it.
    pub pictures: Vec<PathBuf>,
    /// Ctrl-C stopped the run after `cycles` cycles.
    pub interrupted: bool,
}

impl fmt::Display for SimSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.wall.as_secs_f64().max(1e-9);
        writeln!(f, "variant: {}", self.variant)?;
        writeln!(f, "cycles: {}", self.cycles)?;
        writeln!(f, "simulated_time_ns: {:.3}", self.time_ps as f64 / 1e3)?;
        writeln!(f, "cycles_per_second: {:.0}", self.cycles as f64 / secs)?;
        if self.interrupted {
            // The testbench's counts end with the run it did not finish.
            writeln!(f, "interrupted: true")?;
        } else {
            writeln!(f, "checks_passed: {}", self.checks_passed)?;
            writeln!(f, "checks_failed: {}", self.failure.is_some() as u32)?;
        }
        for (k, v) in &self.metrics {
            writeln!(f, "{k}: {v}")?;
        }
        if let Some(w) = &self.wave {
            writeln!(f, "waveform: {}", w.display())?;
        }
        for p in &self.pictures {
            writeln!(f, "picture: {}", p.display())?;
        }
        if let Some(fail) = &self.failure {
            writeln!(f, "FAILED at cycle {}: {}", fail.cycle, fail.message)?;
        }
        Ok(())
    }
}

/// The metric a run carries when its testbench needed more cycles than
/// were asked for, and got them ([`linkforge_verif::tb::Testbench::cycles_needed`]).
pub const CYCLES_NEEDED: &str = "cycles_needed";

/// Runs `variant`'s testbench for `cycles` cycles (at least the cycles it
/// needs) with stimulus seeded by
/// `seed`, checking its protocol rules
/// ([`linkforge_verif::props::live::LiveRules`]) on the way, tracing to
/// `wave` when given (the file appears when complete; see
/// [`Sim::trace_whole`]); `progress` sees finished cycles. Ctrl-C (see
/// [`crate::interrupt`]) stops the run after the last completed cycle with
/// `interrupted` set.
pub fn simulate(
    variant: &Variant,
    design: &Design,
    cycles: u64,
    seed: u64,
    wave: Option<&Path>,
    engine: Engine,
    progress: &mut dyn FnMut(u64),
) -> Result<SimSummary, CliError> {
    let testbench = super::check::testbench(variant)?;
    let rules = super::check::live_rules(variant, design)?;
    let needed = testbench.cycles_needed();
    let asked = cycles;
    let cycles = cycles.max(needed);
    if wave.is_some() {
        crate::limits::check_wave(&variant.name, design, cycles)?;
    }
    let mut sim = Sim::with_engine(design, engine)
        .map_err(|e| CliError::Failed(format!("{}: {e}", variant.name)))?;
    sim.interrupt_on(crate::interrupt::flag());
    if let Some(path) = wave {
        sim.trace_whole(path)
            .map_err(|e| CliError::Usage(format!("waveform {}: {e}", path.display())))?;
    }
    let mut words = XorShift::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let start = Instant::now();
    let mut done = 0;
    let result = rules.run(&*testbench, &mut sim, cycles, &mut words, &mut |c| {
        done = c;
        progress(c);
    });
    let wall = start.elapsed();
    let time_ps = sim.time_ps();
    let interrupted = sim.interrupted();
    if let Some(path) = wave {
        sim.close_trace()
            .map_err(|e| CliError::Usage(format!("waveform {}: {e}", path.display())))?;
    }
    let (mut outcome, failure) = match result {
        Ok(o) => (o, None),
        // The "failure" is the simulator refusing the edge after Ctrl-C.
        Err(_) if interrupted => (Default::default(), None),
        Err(f) => (Default::default(), Some(f)),
    };
    if needed > asked {
        outcome
            .metrics
            .push((CYCLES_NEEDED.into(), needed.to_string()));
    }
    if failure.is_none() && !interrupted {
        outcome.metrics.extend(testbench.reference_metrics(cycles));
    }
    let mut pictures = Vec::new();
    if let Some(wave) = wave {
        for p in std::mem::take(&mut outcome.pictures) {
            let path = crate::plots::picture_path(wave, p.suffix);
            match crate::plots::draw(&p.plot) {
                Ok(png) => {
                    crate::output::write_atomic(&path, &png)?;
                    pictures.push(path);
                }
                Err(e) => outcome.metrics.push(("pictures".into(), e.to_string())),
            }
        }
    }
    Ok(SimSummary {
        variant: variant.name.clone(),
        cycles: if interrupted {
            done
        } else if failure.is_some() {
            failure.as_ref().map(|f| f.cycle + 1).unwrap_or(0)
        } else {
            outcome.cycles
        },
        time_ps,
        wall,
        checks_passed: outcome.checks_passed,
        failure,
        metrics: outcome.metrics,
        wave: wave.map(Path::to_path_buf),
        pictures,
        interrupted,
    })
}

/// `linkforge sim` on one variant of `config`.
pub fn run(
    config: &Path,
    variant: &str,
    cycles: u64,
    seed: u64,
    wave: Option<&Path>,
    engine: Engine,
) -> Result<SimSummary, CliError> {
    let chosen = select(load(config)?, &[variant.to_string()])?;
    let v = &chosen[0];
    let design = build(v)?;
    let bar = indicatif::ProgressBar::new(cycles);
    let step = (cycles / 200).max(1);
    let summary = simulate(v, &design, cycles, seed, wave, engine, &mut |c| {
        if c % step == 0 {
            bar.set_position(c);
        }
    })?;
    bar.finish_and_clear();
    Ok(summary)
}
