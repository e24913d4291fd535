//! Errors of the simulator and its testbench API.

use linkforge_hdl::{AssertionKind, SourceLoc};
use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong building or running a simulation.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// No signal has this hierarchical name.
    #[error("no signal named `{name}`{help}")]
    UnknownSignal {
        /// The name asked for.
        name: String,
        /// `"; did you mean `x`?"` when a signal has a close name, else empty.
        help: String,
    },
    /// No simulation engine has this name.
    #[error("no simulation engine named `{0}` (engines: interpreter, native)")]
    UnknownEngine(String),
    /// The native engine could not compile the design.
    #[error(transparent)]
    Native(#[from] super::native::NativeError),
    /// No clock domain is driven by a top-level input of this name.
    #[error("no clock named `{name}`{help}")]
    UnknownClock {
        /// The name asked for.
        name: String,
        /// `"; did you mean `x`?"` when a clock has a close name, else empty.
        help: String,
    },
    /// A register, memory port or assertion is clocked by a signal that is not
    /// a top-level input (directly or through plain connections).
    #[error("`{user}` is clocked by `{clock}`, which does not trace back to a top-level input")]
    UntracedClock {
        /// The clocked item.
        user: String,
        /// Where the clock trace stopped.
        clock: String,
    },
    /// The flattened design has a combinational loop through this signal.
    #[error("combinational loop through `{0}`")]
    CombLoop(String),
    /// A `u64` read or write of a signal wider than 64 bits.
    #[error("`{name}` is {width} bits wide: use peek_bits/poke_bits")]
    TooWide {
        /// The signal.
        name: String,
        /// Its width.
        width: u32,
    },
    /// A poked value does not fit the signal.
    #[error("a {value_width}-bit value does not fit in the {width} bits of `{name}`")]
    ValueTooWide {
        /// The signal.
        name: String,
        /// Its width.
        width: u32,
        /// Significant bits of the value.
        value_width: u32,
    },
    /// The signal is computed by logic or driven by the scheduler.
    #[error("`{0}` cannot be poked: only inputs, registers and memory read data can")]
    NotPokeable(String),
    /// [`crate::Sim::input_port`] of a signal that is not a data input of
    /// the top module.
    #[error("`{0}` is not a data input of the top module: a drive closure sets only those")]
    NotAnInput(String),
    /// [`crate::Sim::output_port`] of a signal that is not an output of the
    /// top module.
    #[error("`{0}` is not an output of the top module: a drive closure reads only those")]
    NotAnOutput(String),
    /// A clock period too short to have a falling edge between two rising ones.
    #[error("clock `{clock}` needs a period of at least 2 ps, got {period_ps}")]
    BadPeriod {
        /// The clock.
        clock: String,
        /// The requested period.
        period_ps: u64,
    },
    /// `step` on a design without any clock.
    #[error("the design has no clock to step")]
    NoClock,
    /// `run_until` ran out of steps.
    #[error("condition not met within {0} steps")]
    Timeout(u64),
    /// The state vector would not be addressable with 32-bit word offsets.
    #[error("the design needs {0} state words, more than the simulator can address")]
    TooLarge(u64),
    /// An assertion of the design failed (the edge was still simulated; every
    /// failure is also kept in [`crate::Sim::failures`]).
    #[error("{0}")]
    Assertion(Box<AssertionFailure>),
    /// The flag given to [`crate::Sim::interrupt_on`] was set: the stepping
    /// call stopped before the next edge.
    #[error("interrupted at {time_ps} ps")]
    Interrupted {
        /// Simulated time of the last completed edge.
        time_ps: u64,
    },
    /// Creating or writing a waveform file (or its GTKWave save file) failed.
    #[error("waveform `{}`: {source}", path.display())]
    Wave {
        /// The waveform file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
}

impl SimError {
    /// A failed waveform operation on the file at `path`.
    pub(crate) fn wave(path: &std::path::Path, source: std::io::Error) -> SimError {
        SimError::Wave {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// One failed assertion: where, when and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssertionFailure {
    /// A failed assertion, or an assumption the stimulus broke.
    pub kind: AssertionKind,
    /// Simulated time of the clock edge, in picoseconds.
    pub time_ps: u64,
    /// The clock (top-level input name) the assertion is checked on.
    pub clock: String,
    /// The failing edge's cycle of that clock, counted from 0 (equal to
    /// [`crate::Sim::cycles`] just before the edge): the numbering of
    /// every cycle linkforge reports.
    pub cycle: u64,
    /// Hierarchical path of the module instance that declared it (`top.u0`).
    pub path: String,
    /// The message given to `assert_always`.
    pub message: String,
    /// Where the assertion was written.
    pub loc: SourceLoc,
}

impl fmt::Display for AssertionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in `{}` at {} ps (cycle {} of `{}`): {} ({})",
            match self.kind {
                AssertionKind::Assert => "assertion failed",
                AssertionKind::Assume => "assumption broken by the stimulus",
            },
            self.path,
            self.time_ps,
            self.cycle,
            self.clock,
            self.message,
            self.loc
        )
    }
}
