//! The CRC testbench: random beats (random byte counts, idle cycles, message
//! starts) and, after every clock edge, the block's `crc_out` against the
//! reference CRC of the bytes since the last start.

use crate::tb::common::model;
use crate::tb::{draw, Failure, Outcome, Testbench, RESET_CYCLES};
use crate::Sim;
use linkforge_hdl::{bits_for, Bits};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::common::crc::CrcConfig;
use linkforge_rtl::RtlError;

/// Scoreboard of a CRC variant.
pub struct CrcTb {
    cfg: CrcConfig,
}

impl CrcTb {
    /// The testbench of the CRC block `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Ok(CrcTb {
            cfg: CrcConfig::from_params(params)?,
        })
    }
}

impl Testbench for CrcTb {
    fn words_per_cycle(&self) -> usize {
        1 + (self.cfg.bytes as usize).div_ceil(8)
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let k = self.cfg.bytes as usize;
        let (rst, start, valid, data, out) = (
            sim.signal("rst")?,
            sim.signal("start")?,
            sim.signal("valid")?,
            sim.signal("data")?,
            sim.signal("crc_out")?,
        );
        let nbytes = if k > 1 {
            Some(sim.signal("nbytes")?)
        } else {
            None
        };
        let mut message: Vec<u8> = Vec::new();
        let mut outcome = Outcome::default();
        for cycle in 0..cycles {
            let control = draw(words, 64).low_u64();
            let beat = draw(words, 8 * self.cfg.bytes);
            let in_reset = cycle < RESET_CYCLES;
            let starts = control & 0xf == 0;
            let is_valid = (control >> 4) & 3 != 0;
            let count = if k > 1 {
                ((control >> 8) % (k as u64 + 1)) as usize
            } else {
                k
            };
            sim.poke_handle(rst, in_reset as u64)?;
            sim.poke_handle(start, starts as u64)?;
            sim.poke_handle(valid, is_valid as u64)?;
            sim.poke_bits_handle(data, &beat)?;
            if let Some(h) = nbytes {
                sim.poke_bits_handle(h, &Bits::from_u64_wrapping(count as u64, bits_for(k + 1)))?;
            }
            if in_reset || starts {
                message.clear();
            }
            if !in_reset && is_valid {
                message.extend((0..count).map(|i| {
                    let word = beat.words()[i / 8];
                    (word >> (8 * (i % 8))) as u8
                }));
            }
            sim.step().map_err(|e| Failure {
                cycle,
                message: e.to_string(),
            })?;
            let want = model::crc(&self.cfg, &message);
            let got = sim.peek_handle(out);
            if got != want {
                return Err(Failure {
                    cycle,
                    message: format!(
                        "crc_out is {got:#x}, the reference CRC of the {} bytes since the start is {want:#x}",
                        message.len()
                    ),
                });
            }
            outcome.checks_passed += 1;
            outcome.cycles += 1;
            progress(cycle + 1);
        }
        outcome
            .metrics
            .push(("message_bytes_at_end".into(), message.len().to_string()));
        Ok(outcome)
    }
}
