//! The crossbar testbench: every cycle each input and each select take new
//! random values; a scoreboard checks that each output shows, one cycle
//! later, the input its select picked.

use crate::tb::{draw, Failure, Outcome, Testbench, RESET_CYCLES};
use crate::{Sim, SimError};
use linkforge_hdl::{bits_for, words_for, Bits};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::switch::crossbar::CrossbarConfig;
use linkforge_rtl::RtlError;

/// Scoreboard of a crossbar variant.
pub struct CrossbarTb {
    cfg: CrossbarConfig,
}

impl CrossbarTb {
    /// The testbench of the crossbar `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Ok(CrossbarTb {
            cfg: CrossbarConfig::from_params(params)?,
        })
    }
}

impl Testbench for CrossbarTb {
    fn words_per_cycle(&self) -> usize {
        self.cfg.ports * (words_for(self.cfg.width) + 1)
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let n = self.cfg.ports;
        let handles = |prefix: &str, sim: &Sim| {
            (0..n)
                .map(|i| sim.signal(&format!("{prefix}{i}")))
                .collect::<Result<Vec<_>, SimError>>()
        };
        let (ins, sels, outs) = (
            handles("in", sim)?,
            handles("sel", sim)?,
            handles("out", sim)?,
        );
        let rst = sim.signal("rst")?;
        let sel_w = bits_for(n);
        let mut expected: Option<Vec<Bits>> = None;
        let mut outcome = Outcome::default();
        for cycle in 0..cycles {
            let in_reset = cycle < RESET_CYCLES;
            sim.poke_handle(rst, in_reset as u64)?;
            if let Some(want) = &expected {
                for (o, (h, w)) in outs.iter().zip(want).enumerate() {
                    let got = sim.peek_bits_handle(*h);
                    if got != *w {
                        return Err(Failure {
                            cycle,
                            message: format!("out{o} is {got}, expected {w}"),
                        });
                    }
                    outcome.checks_passed += 1;
                }
            }
            let values: Vec<Bits> = (0..n).map(|_| draw(words, self.cfg.width)).collect();
            let picks: Vec<usize> = (0..n)
                .map(|_| (draw(words, 64).low_u64() % n as u64) as usize)
                .collect();
            for (h, v) in ins.iter().zip(&values) {
                sim.poke_bits_handle(*h, v)?;
            }
            for (h, p) in sels.iter().zip(&picks) {
                sim.poke_bits_handle(*h, &Bits::from_u64_wrapping(*p as u64, sel_w))?;
            }
            expected = Some(if in_reset {
                vec![Bits::zero(self.cfg.width); n]
            } else {
                picks.iter().map(|p| values[*p].clone()).collect()
            });
            sim.step().map_err(|e| Failure {
                cycle,
                message: e.to_string(),
            })?;
            outcome.cycles += 1;
            progress(cycle + 1);
        }
        outcome
            .metrics
            .push(("beats_checked".into(), outcome.checks_passed.to_string()));
        Ok(outcome)
    }
}
