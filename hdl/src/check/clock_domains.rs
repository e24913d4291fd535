//! Clock-domain check: a register is written only in its own clock domain
//! (a `next` written inside `in_domain(other, ..)` for a register of another
//! clock is an error naming both clocks), and the clock input of a
//! sub-module is connected to a clock input, not to logic (gated or derived
//! clocks are not supported).

use super::{clock_root, diagnostic};
use crate::error::{Diagnostic, ErrorKind};
use crate::ir::{Module, SignalKind};

/// Runs the clock-domain check.
pub fn check(m: &Module) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for a in m.assignments.iter().filter(|a| a.register) {
        let (SignalKind::Reg { clock, .. }, Some(domain)) = (&m.signal(a.target).kind, a.domain)
        else {
            continue;
        };
        let own = clock_root(m, *clock);
        let other = clock_root(m, domain);
        if own != other {
            errors.push(diagnostic(
                m,
                ErrorKind::TwoClockDomains {
                    signal: m.signal(a.target).name.clone(),
                    own: m.signal(own).name.clone(),
                    other: m.signal(other).name.clone(),
                },
                a.loc,
            ));
        }
    }
    errors.extend(instance_clocks(m));
    errors
}

/// Instance clock ports driven by anything but (a plain connection to) a clock input.
fn instance_clocks(m: &Module) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for inst in &m.instances {
        for (&child_port, &parent) in inst.module.ports.iter().zip(&inst.connections) {
            let is_clock = matches!(
                inst.module.signal(child_port).kind,
                SignalKind::Input { clock: true }
            );
            let Some(driver) = m.driver(parent).filter(|_| is_clock) else {
                continue;
            };
            let root = clock_root(m, parent);
            if !matches!(m.signal(root).kind, SignalKind::Input { clock: true }) {
                errors.push(diagnostic(
                    m,
                    ErrorKind::Clocking(format!(
                        "clock `{}` of instance `{}` is driven by `{}`, which is not a clock input (gated or derived clocks are not supported)",
                        inst.module.signal(child_port).name,
                        inst.name,
                        m.signal(root).name
                    )),
                    driver.loc,
                ));
            }
        }
    }
    errors
}
