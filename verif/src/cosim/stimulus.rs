//! The stimulus every simulator replays: clocks with periods and phases, the
//! data inputs of each step, and which clocks rise at the end of each step.

use super::{clock_inputs, data_inputs, CosimError};
use linkforge_hdl::{Bits, Module};
use std::fmt::Write;
use std::path::Path;

/// A clock: rising edges at `phase_ps + k * period_ps`, k = 0, 1, ...
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockSpec {
    /// The top-level clock input.
    pub name: String,
    /// Period in picoseconds.
    pub period_ps: u64,
    /// Time of the first rising edge in picoseconds.
    pub phase_ps: u64,
}

/// Inputs per step and the clock edges that end each step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stimulus {
    /// Every clock input of the design.
    pub clocks: Vec<ClockSpec>,
    /// `steps[s]` holds the data inputs of step `s`, in port order.
    pub steps: Vec<Vec<Bits>>,
    /// Bit `i` of `edges[s]` is set when `clocks[i]` rises at the end of step `s`.
    pub edges: Vec<u64>,
}

/// The most clocks one stimulus can drive (edges are a 64-bit mask).
pub const MAX_CLOCKS: usize = 64;

impl Stimulus {
    /// A stimulus whose edge schedule follows the clocks: each step ends at
    /// the earliest next rising edge of any clock.
    pub fn new(clocks: Vec<ClockSpec>, steps: Vec<Vec<Bits>>) -> Stimulus {
        let mut next: Vec<u64> = clocks.iter().map(|c| c.phase_ps).collect();
        let mut edges = Vec::with_capacity(steps.len());
        for _ in &steps {
            let Some(&t) = next.iter().min() else {
                edges.push(0);
                continue;
            };
            let mut mask = 0u64;
            for (i, (n, c)) in next.iter_mut().zip(&clocks).enumerate() {
                if *n == t {
                    mask |= 1 << i;
                    *n += c.period_ps.max(1);
                }
            }
            edges.push(mask);
        }
        Stimulus {
            clocks,
            steps,
            edges,
        }
    }

    /// The first step after every clock has risen once (the steps' count
    /// when one never does): before it, no register has been reset yet.
    pub fn settled(&self) -> usize {
        let all = if self.clocks.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.clocks.len()) - 1
        };
        let mut risen = 0u64;
        for (s, edges) in self.edges.iter().enumerate() {
            if risen & all == all {
                return s;
            }
            risen |= edges;
        }
        if risen & all == all {
            self.edges.len()
        } else {
            self.steps.len()
        }
    }

    /// Checks that the stimulus fits `top`: every clock input named once,
    /// one value of the right width per data input in every step.
    pub fn check(&self, top: &Module) -> Result<(), CosimError> {
        let bad = |m: String| Err(CosimError::Stimulus(m));
        let clocks = clock_inputs(top);
        if self.clocks.len() > MAX_CLOCKS {
            return bad(format!("at most {MAX_CLOCKS} clocks"));
        }
        let mut want: Vec<&str> = clocks.iter().map(|(n, _)| *n).collect();
        let mut have: Vec<&str> = self.clocks.iter().map(|c| c.name.as_str()).collect();
        want.sort_unstable();
        have.sort_unstable();
        if want != have {
            return bad(format!(
                "the design's clocks are [{}], the stimulus drives [{}]",
                want.join(", "),
                have.join(", ")
            ));
        }
        let ins = data_inputs(top);
        for (s, values) in self.steps.iter().enumerate() {
            if values.len() != ins.len() {
                return bad(format!(
                    "step {s} has {} input values, the design {} data inputs",
                    values.len(),
                    ins.len()
                ));
            }
            for (v, (n, w)) in values.iter().zip(&ins) {
                if v.width() != *w {
                    return bad(format!(
                        "step {s}: `{n}` is {w} bits, the value {}",
                        v.width()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Writes the stimulus file the harnesses read: one line per step, the
    /// data inputs in hex then the edge mask in hex, separated by spaces.
    pub fn write(&self, path: &Path) -> Result<(), CosimError> {
        let mut text = String::new();
        for (values, edges) in self.steps.iter().zip(&self.edges) {
            for v in values {
                let _ = write!(text, "{} ", v.to_hex());
            }
            let _ = writeln!(text, "{edges:x}");
        }
        std::fs::write(path, text).map_err(|e| CosimError::Io(format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_follow_periods_and_coincide_when_due_together() {
        let clock = |name: &str, period_ps, phase_ps| ClockSpec {
            name: name.into(),
            period_ps,
            phase_ps,
        };
        let s = Stimulus::new(
            vec![clock("a", 10, 0), clock("b", 15, 0)],
            vec![Vec::new(); 6],
        );
        // a: 0 10 20 30; b: 0 15 30
        assert_eq!(s.edges, [0b11, 0b01, 0b10, 0b01, 0b11, 0b01]);
    }
}
