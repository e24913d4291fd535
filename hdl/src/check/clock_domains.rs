//! Clock-domain check: a register is written only in its own clock domain.
//! A `next` written inside `in_domain(other, ..)` for a register of another
//! clock is an error naming both clocks.

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
    errors
}
