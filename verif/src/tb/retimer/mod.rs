//! Testbenches of the retimer family. The composed `retimer`'s testbench:
//! the retimer in a simulated [`link`] with a random frequency offset within ±600 ppm
//! (two ±300 ppm reference clocks),
//! random lane skews and random ISI channels with noise. One testbench cycle
//! is one UI of the recovered clock. It fails unless every lane locks
//! (CDR, block lock, deskew) within [`LOCK_BOUND_UI`] and at least
//! [`MIN_BITS`] bits are compared after the equalizers' warm-up; it fails
//! on any bit error, a malformed block, an elastic-buffer overflow or
//! underflow, or SKP adjustments that differ between lanes. Its checks are
//! the bits compared; it reports lock time, BER, elastic-buffer adds and
//! drops and the deskew of each lane, and draws lane 0's eye before and
//! after equalization and its CDR phase code and lock over time. A run
//! needs [`Testbench::cycles_needed`] UI: the warm-up (or the lock bound)
//! and the bits after it.

pub mod block_align;
pub mod cdr;
pub mod deskew;
pub mod elastic_buffer;
pub mod equalizer;
pub mod link;
pub mod ltssm;
pub mod pam4;
pub mod prbs;
pub mod scrambler;

use crate::models::channel::{ChannelConfig, Modulation, Rng};
use crate::tb::{draw, Failure, Outcome, Picture, Plot, Testbench};
use crate::Sim;
use link::{run_link, EqualizerLayout, LinkReport, LinkSetup};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::top::RetimerConfig;
use linkforge_rtl::RtlError;

/// UIs the equalizers get to converge before errors count (less in short
/// runs: half the run).
const WARMUP_UI: u64 = 30_000;
/// UIs within which every lane must be locked and aligned: bring-up takes
/// 4,000 to 20,000 UI on the testbench's random channels.
pub const LOCK_BOUND_UI: u64 = 40_000;
/// Bits a run must compare, at zero errors, for a verdict.
pub const MIN_BITS: u64 = 100_000;
/// Largest random offset in ppm: two references each ±300 ppm off.
const MAX_PPM: f64 = 600.0;
/// Largest random lane skew in UI (also at most half the design's
/// `max_skew`).
const MAX_SKEW_UI: u64 = 40;

/// Scoreboard of a retimer variant.
pub struct RetimerTb {
    cfg: RetimerConfig,
    /// Prefix of the retimer's ports in the design.
    prefix: String,
}

impl RetimerTb {
    /// The testbench of the retimer `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Self::prefixed(params, "")
    }

    /// The testbench of a retimer whose ports are named `PREFIX` + port in
    /// the design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Result<Self, RtlError> {
        Ok(RetimerTb {
            cfg: RetimerConfig::from_params(params)?,
            prefix: prefix.to_string(),
        })
    }

    /// The link drawn from one random word: offset, skews, channels, seed.
    fn link(&self, word: u64, ui: u64) -> LinkSetup {
        let mut rng = Rng::new(word);
        let lanes = self.cfg.lanes;
        let ppm = (rng.uniform() * 2.0 - 1.0) * MAX_PPM;
        let max_skew = MAX_SKEW_UI.min(u64::from(self.cfg.max_skew) / 2);
        let skew_ui = (0..lanes)
            .map(|_| rng.next_u64() % (max_skew + 1))
            .collect();
        let channels = (0..lanes)
            .map(|_| ChannelConfig {
                taps: vec![
                    (rng.uniform() - 0.5) * 0.2,
                    1.0,
                    rng.uniform() * 0.4,
                    rng.uniform() * 0.15,
                ],
                cursor: 1,
                amplitude: f64::from(self.cfg.level),
                noise_rms: 2.0,
                initial_phase_ui: rng.uniform(),
                ..ChannelConfig::clean(Modulation::Nrz)
            })
            .collect();
        LinkSetup {
            lanes,
            sample_bits: self.cfg.sample_bits,
            pi_bits: self.cfg.pi_bits,
            ppm,
            skew_ui,
            channels,
            seed: rng.next_u64(),
            warmup_ui: WARMUP_UI.min(ui / 2),
            equalizer: Some(EqualizerLayout {
                ffe_taps: self.cfg.ffe_taps,
                ffe_cursor: self.cfg.ffe_cursor,
                ffe_coeff_bits: self.cfg.ffe().coeff_bits,
                dfe_taps: self.cfg.dfe_taps,
                dfe_tap_bits: self.cfg.dfe().tap_bits,
            }),
            prefix: self.prefix.clone(),
        }
    }
}

/// The first broken promise of a run, if any.
fn violation(r: &LinkReport) -> Option<String> {
    if r.lock_ui.is_none_or(|ui| ui > LOCK_BOUND_UI) {
        Some(format!("the link did not lock within {LOCK_BOUND_UI} UI"))
    } else if r.bit_errors > 0 || r.framing_errors > 0 {
        Some(format!(
            "{} bit errors and {} malformed blocks in {} bits after the warm-up",
            r.bit_errors, r.framing_errors, r.bits_checked
        ))
    } else if r.eb_overflows > 0 || r.eb_underflows > 0 {
        Some(format!(
            "elastic buffer overflowed {} and underflowed {} times",
            r.eb_overflows, r.eb_underflows
        ))
    } else if !r.lanes_agree_on_skp {
        Some("lanes forwarded SKP ordered sets of different lengths".into())
    } else if r.bits_checked < MIN_BITS {
        Some(format!(
            "only {} bits compared after the warm-up: a verdict needs {MIN_BITS}",
            r.bits_checked
        ))
    } else {
        None
    }
}

/// The metric lines of a run.
fn metrics(r: &LinkReport) -> Vec<(String, String)> {
    let lanes = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(" ");
    let ber = if r.bits_checked == 0 {
        "n/a (no bits compared)".to_string()
    } else if r.bit_errors == 0 {
        format!("0 (< {:.1e})", 1.0 / r.bits_checked as f64)
    } else {
        format!("{:.3e}", r.bit_errors as f64 / r.bits_checked as f64)
    };
    let lock = r
        .lock_ui
        .map_or_else(|| "not locked".to_string(), |u| u.to_string());
    [
        ("ppm", format!("{:.0}", r.ppm)),
        ("lock_time_ui", lock),
        ("bits_compared", r.bits_checked.to_string()),
        ("bit_errors", r.bit_errors.to_string()),
        ("ber", ber),
        ("eb_adds", r.eb_adds.to_string()),
        ("eb_drops", r.eb_drops.to_string()),
        ("eb_overflows", r.eb_overflows.to_string()),
        ("eb_underflows", r.eb_underflows.to_string()),
        ("deskew_ui_per_lane", lanes(&r.skew_ui)),
        ("header_errors_per_lane", lanes(&r.hdr_errors)),
        ("lock_losses_per_lane", lanes(&r.lock_losses)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Lane 0's eye diagrams and CDR trace.
fn pictures(r: &LinkReport) -> Vec<Picture> {
    let mut out = Vec::new();
    if !r.eye_in.is_empty() {
        out.push(Picture {
            suffix: PICTURES[0],
            plot: Plot::Eyes {
                panels: vec![
                    ("lane 0: equalizer input (ADC)".into(), r.eye_in.clone()),
                    ("lane 0: after FFE and DFE".into(), r.eye_out.clone()),
                ],
                unit: "ADC LSB".into(),
            },
        });
    }
    out.push(Picture {
        suffix: PICTURES[1],
        plot: Plot::ValueAndFlag {
            points: r
                .phase
                .iter()
                .map(|p| (p.ui, f64::from(p.code), p.locked))
                .collect(),
            time_unit: "UI".into(),
            value_title: "lane 0: CDR phase-interpolator code".into(),
            value_unit: "PI code".into(),
            flag_title: "lane 0: CDR locked".into(),
        },
    });
    out
}

/// What [`pictures`] draws.
const PICTURES: [&str; 2] = ["eye", "cdr"];

impl Testbench for RetimerTb {
    fn words_per_cycle(&self) -> usize {
        1
    }

    fn picture_suffixes(&self) -> &'static [&'static str] {
        &PICTURES
    }

    /// The warm-up (at least the lock bound) and `MIN_BITS` over the lanes,
    /// with an eighth more for the SKP symbols not compared.
    fn cycles_needed(&self) -> u64 {
        let per_lane = MIN_BITS.div_ceil(u64::from(self.cfg.lanes.max(1)));
        LOCK_BOUND_UI.max(WARMUP_UI + per_lane + per_lane / 8)
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let setup = self.link(draw(words, 64).low_u64(), cycles);
        let report = run_link(sim, &setup, cycles, progress)?;
        if let Some(message) = violation(&report) {
            return Err(Failure {
                cycle: report.ui,
                message: format!("{message} ({report})"),
            });
        }
        Ok(Outcome {
            cycles: report.ui,
            checks_passed: report.bits_checked,
            metrics: metrics(&report),
            pictures: pictures(&report),
        })
    }
}
