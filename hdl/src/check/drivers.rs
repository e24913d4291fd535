//! Driver check: inputs are never assigned, registers are driven with `next`
//! and everything else with `assign`, and no signal is assigned twice in one
//! block (a later `when` branch may override a default).

use super::diagnostic;
use crate::error::{Diagnostic, ErrorKind};
use crate::ir::{Module, SignalKind};
use std::collections::HashMap;

/// Runs the driver check.
pub fn check(m: &Module) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut first_in_block = HashMap::new();
    for a in &m.assignments {
        let decl = m.signal(a.target);
        let kind = &decl.kind;
        let signal = decl.name.clone();
        match kind {
            SignalKind::Input { .. }
            | SignalKind::InstanceOutput { .. }
            | SignalKind::MemoryRead { .. } => {
                errors.push(diagnostic(
                    m,
                    ErrorKind::DrivesInput {
                        signal,
                        what: kind.describe(),
                    },
                    a.loc,
                ));
                continue;
            }
            SignalKind::Reg { .. } if !a.register => {
                errors.push(diagnostic(
                    m,
                    ErrorKind::WrongAssignKind {
                        signal,
                        actual: kind.describe(),
                        expected: "next",
                    },
                    a.loc,
                ));
                continue;
            }
            SignalKind::Output | SignalKind::Wire | SignalKind::InstanceInput { .. }
                if a.register =>
            {
                errors.push(diagnostic(
                    m,
                    ErrorKind::WrongAssignKind {
                        signal,
                        actual: kind.describe(),
                        expected: "assign",
                    },
                    a.loc,
                ));
                continue;
            }
            _ => {}
        }
        if let Some(other) = first_in_block.insert((a.target, a.block), a.loc) {
            first_in_block.insert((a.target, a.block), other);
            errors.push(diagnostic(
                m,
                ErrorKind::MultipleDrivers { signal, other },
                a.loc,
            ));
        }
    }
    errors
}
