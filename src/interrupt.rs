//! Ctrl-C. Once [`install`]ed, the first Ctrl-C (SIGINT), or SIGTERM or
//! SIGHUP as a job scheduler or CI runner sends when it cancels a job or
//! its time runs out, sets a flag that every simulation checks before each
//! clock edge ([`Sim::interrupt_on`]) and the FPGA tool runner polls (it
//! stops the running tools): the run stops after the last completed cycle,
//! its waveform is finished and put in place, and the command exits with
//! [`EXIT_INTERRUPTED`]. A second signal exits at once with the same code;
//! files being written are then left unfinished, at their hidden temporary
//! names, never at the names of complete outputs.
//!
//! [`Sim::interrupt_on`]: linkforge_verif::Sim::interrupt_on

use crate::commands::CliError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// The exit code after a Ctrl-C (or SIGTERM, SIGHUP): 128 + SIGINT, as
/// shells report a Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The process-wide flag Ctrl-C (or SIGTERM, SIGHUP) sets.
pub fn flag() -> Arc<AtomicBool> {
    FLAG.get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone()
}

/// Whether Ctrl-C was pressed (or SIGTERM, SIGHUP came).
pub fn requested() -> bool {
    flag().load(Ordering::Relaxed)
}

/// Handles Ctrl-C, SIGTERM and SIGHUP from now on as described in the
/// [module documentation](self).
pub fn install() -> Result<(), CliError> {
    let flag = flag();
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::Relaxed) {
            eprintln!("interrupted again: exiting without finishing the outputs");
            std::process::exit(EXIT_INTERRUPTED.into());
        }
        eprintln!(
            "interrupted: stopping after the current cycle or FPGA tool (Ctrl-C again to exit at once)"
        );
    })
    .map_err(|e| CliError::Usage(format!("cannot handle Ctrl-C: {e}")))
}
