//! Undriven check: every output, wire, register and instance input has a driver.

use super::diagnostic;
use crate::error::{Diagnostic, ErrorKind};
use crate::ir::{Module, SignalKind};

/// Runs the undriven check.
pub fn check(m: &Module) -> Vec<Diagnostic> {
    m.signals
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            m.drivers[*i].is_none()
                && matches!(
                    s.kind,
                    SignalKind::Output
                        | SignalKind::Wire
                        | SignalKind::Reg { .. }
                        | SignalKind::InstanceInput { .. }
                )
        })
        .map(|(_, s)| {
            diagnostic(
                m,
                ErrorKind::Undriven {
                    signal: s.name.clone(),
                    what: s.kind.describe(),
                },
                s.loc,
            )
        })
        .collect()
}
