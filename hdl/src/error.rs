//! Typed elaboration errors, each tied to the Rust line that caused it.

use crate::loc::SourceLoc;
use std::fmt;

/// What is wrong with a design. Each variant is produced by one check pass.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// Operand or assignment widths disagree (`check::widths`).
    #[error("width mismatch: {0}")]
    Width(String),
    /// A signal or port name is empty or used twice in one module.
    #[error("bad name: {0}")]
    Name(String),
    /// A signal has more than one driver (`check::drivers`).
    #[error("`{signal}` has more than one driver; the other driver is at {other}")]
    MultipleDrivers {
        /// The signal's name.
        signal: String,
        /// Where the first driver was built.
        other: SourceLoc,
    },
    /// An input port, or an instance output, is assigned inside the module (`check::drivers`).
    #[error("`{signal}` is {what} and cannot be assigned")]
    DrivesInput {
        /// The signal's name.
        signal: String,
        /// What kind of signal it is.
        what: &'static str,
    },
    /// A register is assigned with `assign`, or a wire with `next` (`check::drivers`).
    #[error("`{signal}` is {actual}; use `{expected}` to drive it")]
    WrongAssignKind {
        /// The signal's name.
        signal: String,
        /// What kind of signal it is.
        actual: &'static str,
        /// The builder call that drives that kind.
        expected: &'static str,
    },
    /// An output, wire or register has no driver (`check::undriven`).
    #[error("`{signal}` ({what}) is never driven")]
    Undriven {
        /// The signal's name.
        signal: String,
        /// What kind of signal it is.
        what: &'static str,
    },
    /// A combinational signal is not assigned on every path, which would infer a latch (`check::undriven`).
    #[error("`{signal}` is not assigned on every path (it would need a latch); give it a default before the `when`")]
    Latch {
        /// The signal's name.
        signal: String,
    },
    /// Combinational logic feeds back on itself (`check::comb_loops`). The
    /// message names the loop, then each signal on it with the line that
    /// drives it, one per line.
    #[error("combinational loop: {}{}", .signals.join(" -> "), loop_steps(.steps))]
    CombLoop {
        /// The signals on the loop, in order, the first repeated at the end.
        signals: Vec<String>,
        /// What drives each signal of the loop, in the same order (without
        /// the repetition).
        steps: Vec<LoopStep>,
    },
    /// A register is written from a clock domain other than its own (`check::clock_domains`).
    #[error(
        "register `{signal}` belongs to clock `{own}` but is written in clock domain `{other}`"
    )]
    TwoClockDomains {
        /// The register's name.
        signal: String,
        /// The register's own clock.
        own: String,
        /// The clock domain of the offending write.
        other: String,
    },
    /// A value crosses clock domains without a declared synchronizer (`check::cdc`).
    #[error("`{signal}` (clock `{to}`) reads `{source_signal}` from clock `{from}` without a synchronizer")]
    UnsynchronizedCrossing {
        /// The register or synchronized sink that reads across domains.
        signal: String,
        /// The signal from the other domain.
        source_signal: String,
        /// The source's clock.
        from: String,
        /// The sink's clock.
        to: String,
    },
    /// A clock or reset is not a plain 1-bit signal, or a register has no clock.
    #[error("clocking: {0}")]
    Clocking(String),
    /// A port name that a module, or the module of an instance, does not
    /// have ([`crate::InstanceHandle::io`], [`crate::Module::io`]).
    #[error("{} has no port `{port}`{help}", port_owner(.instance, .module))]
    UnknownPort {
        /// The instance asked, when the name was asked of an instance.
        instance: Option<String>,
        /// The module whose ports were searched.
        module: String,
        /// The name asked for.
        port: String,
        /// `"; did you mean `x`?"` when a port has a close name, else empty.
        help: String,
    },
    /// A state name that an FSM does not have ([`crate::FsmHandle::state`]).
    #[error("FSM `{fsm}` has no state `{state}`{help} (states: {})", .states.join(", "))]
    UnknownState {
        /// The FSM (its state register's name).
        fsm: String,
        /// The name asked for.
        state: String,
        /// `"; did you mean `x`?"` when a state has a close name, else empty.
        help: String,
        /// The FSM's states in declaration order.
        states: Vec<String>,
    },
    /// A parameter of a builder call is out of range (memory depth, FSM states, ...).
    #[error("{0}")]
    Invalid(String),
}

/// One signal of a combinational loop and what drives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopStep {
    /// The signal.
    pub signal: String,
    /// The instance whose output it is, when a sub-module drives it.
    pub instance: Option<String>,
    /// The assignment that drives it, or the instance's line.
    pub loc: SourceLoc,
}

/// The lines of an [`ErrorKind::CombLoop`] message after the first.
fn loop_steps(steps: &[LoopStep]) -> String {
    steps
        .iter()
        .map(|s| match &s.instance {
            Some(i) => format!(
                "\n  `{}` is an output of instance `{i}` at {}",
                s.signal, s.loc
            ),
            None => format!("\n  `{}` is assigned at {}", s.signal, s.loc),
        })
        .collect()
}

/// How an [`ErrorKind::UnknownPort`] names what was asked.
fn port_owner(instance: &Option<String>, module: &str) -> String {
    match instance {
        Some(i) => format!("instance `{i}` (module `{module}`)"),
        None => format!("module `{module}`"),
    }
}

/// One error: what is wrong, the module it is in, and the Rust line that built it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The module being elaborated.
    pub module: String,
    /// The generator line that built the offending item.
    pub loc: SourceLoc,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: error in module `{}`: {}",
            self.loc, self.module, self.kind
        )
    }
}

/// Every error found while elaborating a module or design. `Debug` prints
/// the same text as `Display`, so `unwrap()` and a `main` or test returning
/// `Result` show the messages with their lines.
#[derive(Clone, PartialEq, Eq)]
pub struct HdlError {
    /// The errors, in the order the checks found them (at least one).
    pub diagnostics: Vec<Diagnostic>,
}

impl HdlError {
    /// A single error.
    pub fn single(kind: ErrorKind, module: impl Into<String>, loc: SourceLoc) -> Self {
        HdlError {
            diagnostics: vec![Diagnostic {
                kind,
                module: module.into(),
                loc,
            }],
        }
    }

    /// The first error (there is always one).
    pub fn first(&self) -> &Diagnostic {
        &self.diagnostics[0]
    }
}

impl fmt::Debug for HdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for HdlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for HdlError {}
