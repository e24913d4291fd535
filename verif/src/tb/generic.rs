//! The testbench of block kinds without a dedicated one: random values on
//! every data input each cycle, resets asserted for the first cycles, and
//! the design's own assertions as the checks.

use crate::tb::{draw, input_role, Failure, InputRole, Outcome, Testbench, RESET_CYCLES};
use crate::{Sim, SimError};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::{words_for, Bits, Design};

/// Random stimulus on every data input.
pub struct GenericTb {
    inputs: Vec<(String, u32, InputRole)>,
    assertions: u64,
}

impl GenericTb {
    /// The testbench for `design`'s top-level inputs.
    pub fn new(design: &Design) -> Self {
        let top = design.top();
        let inputs = top
            .ports
            .iter()
            .map(|&p| top.signal(p))
            .filter(|s| matches!(s.kind, SignalKind::Input { clock: false }))
            .map(|s| (s.name.clone(), s.width, input_role(&s.name)))
            .collect();
        let assertions = design
            .modules()
            .map(|(_, m)| m.assertions.len() as u64)
            .sum();
        GenericTb { inputs, assertions }
    }
}

impl Testbench for GenericTb {
    fn words_per_cycle(&self) -> usize {
        self.inputs
            .iter()
            .filter(|(_, _, r)| *r == InputRole::Data)
            .map(|(_, w, _)| words_for(*w))
            .sum()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let handles = self
            .inputs
            .iter()
            .map(|(n, w, r)| Ok((sim.signal(n)?, *w, r.clone())))
            .collect::<Result<Vec<_>, SimError>>()?;
        let mut outcome = Outcome::default();
        for cycle in 0..cycles {
            for (h, w, role) in &handles {
                let value = match role {
                    InputRole::Reset { active_low } => {
                        let asserted = cycle < RESET_CYCLES;
                        Bits::from_u64_wrapping((asserted != *active_low) as u64, 1)
                    }
                    InputRole::Data => draw(words, *w),
                };
                sim.poke_bits_handle(*h, &value)?;
            }
            sim.step().map_err(|e| Failure {
                cycle,
                message: e.to_string(),
            })?;
            outcome.cycles += 1;
            progress(cycle + 1);
        }
        outcome
            .metrics
            .push(("assertions".into(), self.assertions.to_string()));
        Ok(outcome)
    }
}
