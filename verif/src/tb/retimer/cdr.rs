//! `cdr` in closed loop with the channel model
//! ([`crate::models::channel`]): the block's `pi_code` picks each UI's
//! sampling phase on an NRZ channel with ISI (pre-cursor 0.1, post-cursor
//! 0.2), a random offset within ±300 ppm and a random initial phase.
//!
//! Judged each UI: the vote (`up`, `dn`) against the phase detector's
//! definition on this UI's inputs (Alexander: on a transition, an edge
//! sample equal to the previous bit votes up, equal to this bit down;
//! Mueller-Muller: the sign of `x[n] s[n-1] - x[n-1] s[n]`); `locked`
//! must rise within [`CdrTb::lock_bound`] UI, and from then on every
//! sampled bit must be the bit sent, with no symbol slipped or repeated.
//! Checks count the votes and bits compared; a run needs the lock bound
//! plus [`BITS`] UI ([`Testbench::cycles_needed`]).

use crate::models::channel::{Channel, ChannelConfig, Modulation, Rng};
use crate::tb::{draw, Failure, Outcome, Testbench, RESET_CYCLES};
use crate::Sim;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::cdr::{CdrConfig, Detector};
use linkforge_rtl::RtlError;

/// Largest random offset between the line and the local clock, in ppm.
const MAX_PPM: f64 = 300.0;
/// Bits a run compares after lock for a verdict.
pub const BITS: u64 = 10_000;

/// The testbench of a `cdr` variant.
#[derive(Clone, Debug)]
pub struct CdrTb {
    cfg: CdrConfig,
}

impl CdrTb {
    /// The testbench of the CDR `cfg` describes.
    pub fn new(cfg: &CdrConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(CdrTb { cfg: *cfg })
    }

    /// The testbench of the `cdr` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&CdrConfig::from_params(params)?)
    }

    /// UIs within which `locked` must rise: 2,000 UI of acquisition and
    /// eight lock windows (4,048 UI with the default 256-UI windows).
    pub fn lock_bound(&self) -> u64 {
        2_000 + (8 << self.cfg.lock_log2)
    }
}

impl Testbench for CdrTb {
    fn words_per_cycle(&self) -> usize {
        1
    }

    fn cycles_needed(&self) -> u64 {
        self.lock_bound() + BITS
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let mut rng = Rng::new(draw(words, 64).low_u64());
        let ppm = (rng.uniform() * 2.0 - 1.0) * MAX_PPM;
        let mut ch = Channel::new(
            ChannelConfig {
                ppm,
                initial_phase_ui: rng.uniform(),
                taps: vec![0.1, 1.0, 0.2],
                cursor: 1,
                amplitude: (f64::from((1u32 << (self.cfg.sample_bits - 1)) - 1) * 0.7).max(1.0),
                adc_bits: self.cfg.sample_bits,
                phase_steps: 1 << self.cfg.pi_bits,
                ..ChannelConfig::clean(Modulation::Nrz)
            },
            rng.next_u64(),
        );
        let h = |sim: &Sim, name: &str| sim.signal(name);
        let (rst, pi, locked, up, dn) = (
            h(sim, "rst")?,
            h(sim, "pi_code")?,
            h(sim, "locked")?,
            h(sim, "up")?,
            h(sim, "dn")?,
        );
        let inputs = match self.cfg.detector {
            Detector::Alexander => [h(sim, "data")?, h(sim, "edge")?],
            Detector::MuellerMuller => [h(sim, "sample")?, h(sim, "sample")?],
        };
        let mask = (1u64 << self.cfg.sample_bits) - 1;
        let mut outcome = Outcome::default();
        let (mut votes, mut bits) = (0u64, 0u64);
        let mut lock_ui = None;
        let mut last: Option<(i32, u64)> = None;
        for ui in 0..cycles {
            let reset = ui < RESET_CYCLES;
            sim.poke_handle(rst, u64::from(reset))?;
            let code = sim.peek_handle(pi) as u32;
            let (x, edge) = ch.sample_with_edge(code);
            match self.cfg.detector {
                Detector::Alexander => {
                    sim.poke_handle(inputs[0], u64::from(x >= 0))?;
                    sim.poke_handle(inputs[1], u64::from(edge >= 0))?;
                }
                Detector::MuellerMuller => sim.poke_handle(inputs[0], x as u64 & mask)?,
            }
            let sent = ch
                .sent(0)
                .ok_or_else(|| Failure::at(ui, "the channel was not sampled"))?;
            if ui > RESET_CYCLES {
                if let Some((prev_x, prev_index)) = last {
                    let want = self.vote(x, edge, prev_x);
                    let got = (sim.peek_handle(up) == 1, sim.peek_handle(dn) == 1);
                    if got != want {
                        return Err(Failure::new(
                            sim,
                            format!(
                                "the vote (up, dn) is {got:?}, the {:?} detector votes {:?}",
                                self.cfg.detector, want
                            ),
                        ));
                    }
                    votes += 1;
                    if let Some(at) = lock_ui {
                        let bit = u8::from(x >= 0);
                        if bit != sent.code || sent.index != prev_index + 1 {
                            return Err(Failure::new(
                                sim,
                                format!(
                                    "{bits} bits after lock at UI {at}: sampled {bit} for symbol {} (previous {prev_index}), sent {}",
                                    sent.index, sent.code
                                ),
                            ));
                        }
                        bits += 1;
                    } else if sim.peek_handle(locked) == 1 {
                        lock_ui = Some(ui);
                    } else if ui >= self.lock_bound() {
                        return Err(Failure::new(
                            sim,
                            format!("not locked within {} UI at {ppm:.0} ppm", self.lock_bound()),
                        ));
                    }
                }
            }
            last = (!reset).then_some((x, sent.index));
            sim.step().map_err(|e| Failure::new(sim, e.to_string()))?;
            outcome.cycles += 1;
            progress(ui + 1);
        }
        if cycles >= self.cycles_needed() && bits < BITS {
            return Err(Failure::at(
                cycles,
                format!("only {bits} bits compared after lock: a verdict needs {BITS}"),
            ));
        }
        outcome.checks_passed = votes + bits;
        let lock = lock_ui.map_or_else(|| "not locked".to_string(), |u| u.to_string());
        outcome.metrics = vec![
            ("ppm".into(), format!("{ppm:.0}")),
            ("lock_time_ui".into(), lock),
            ("votes_compared".into(), votes.to_string()),
            ("bits_compared".into(), bits.to_string()),
        ];
        Ok(outcome)
    }
}

impl CdrTb {
    /// The detector's vote `(up, dn)` on this UI's data sample `x` and
    /// edge sample `edge` after the data sample `prev`.
    fn vote(&self, x: i32, edge: i32, prev: i32) -> (bool, bool) {
        match self.cfg.detector {
            Detector::Alexander => {
                let (d, p, e) = (x >= 0, prev >= 0, edge >= 0);
                (d != p && e == p, d != p && e == d)
            }
            Detector::MuellerMuller => {
                let sign = |v: i32| if v >= 0 { 1 } else { -1 };
                let m = i64::from(x) * sign(prev) - i64::from(prev) * sign(x);
                (m > 0, m < 0)
            }
        }
    }
}
