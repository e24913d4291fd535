//! Scenarios: the stimulus and checks that belong to a block kind. `linkforge
//! sim` runs a variant's scenario with seeded random stimulus; `linkforge
//! check` runs it as a property over many random stimuli and shrinks a
//! failure to a minimal case.
//!
//! Stimulus is a stream of random 64-bit words that the scenario consumes
//! cycle by cycle, so the same scenario serves both commands.

mod card;
mod crc;
mod crossbar;
mod cxl;
mod ethernet;
mod generic;
mod retimer;
mod switch;
mod telemetry;

use linkforge_hdl::{words_for, Bits, Design};
use linkforge_rtl::catalog::Params;
use linkforge_verif::{Sim, SimError};
use std::path::{Path, PathBuf};

/// What a passing run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Cycles simulated.
    pub cycles: u64,
    /// Checks that held (scoreboard comparisons and assertion evaluations).
    pub checks_passed: u64,
    /// The scenario's own metrics, printed as `name: value`.
    pub metrics: Vec<(String, String)>,
    /// Pictures to write next to the waveform.
    pub pictures: Vec<Picture>,
}

/// Where the picture with `suffix` of a run traced to `wave` goes: beside
/// it, `NAME.SUFFIX.png` for `NAME.vcd`.
pub fn picture_path(wave: &Path, suffix: &str) -> PathBuf {
    wave.with_extension(format!("{suffix}.png"))
}

/// A PNG picture a scenario drew.
#[derive(Debug)]
pub struct Picture {
    /// What it shows, the suffix of its file name (`NAME.SUFFIX.png`).
    pub suffix: &'static str,
    /// The PNG bytes.
    pub png: Vec<u8>,
}

/// The first check that failed.
#[derive(Debug)]
pub struct Failure {
    /// The cycle (of the scenario's main clock) where it failed.
    pub cycle: u64,
    /// What was expected and what happened.
    pub message: String,
}

impl From<SimError> for Failure {
    fn from(e: SimError) -> Failure {
        Failure {
            cycle: 0,
            message: e.to_string(),
        }
    }
}

impl From<linkforge_rtl::switch::bench::BenchFailure> for Failure {
    fn from(f: linkforge_rtl::switch::bench::BenchFailure) -> Failure {
        Failure {
            cycle: f.cycle,
            message: f.message,
        }
    }
}

/// `Ok` when the design's assertions held through a run that ended at
/// `cycle`, else the first that failed.
pub(crate) fn assertions_held(sim: &Sim, cycle: u64) -> Result<(), Failure> {
    match sim.failures().first() {
        Some(a) => Err(Failure {
            cycle,
            message: a.to_string(),
        }),
        None => Ok(()),
    }
}

/// Stimulus and checks for one variant.
pub trait Scenario {
    /// Random words one cycle of stimulus consumes.
    fn words_per_cycle(&self) -> usize;
    /// Runs `cycles` cycles on `sim`, drawing stimulus from `words` and
    /// reporting each finished cycle to `progress`.
    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure>;
    /// The suffixes of the pictures a run draws ([`Picture::suffix`]), so
    /// their files can be planned before it starts.
    fn picture_suffixes(&self) -> &'static [&'static str] {
        &[]
    }
    /// Prepares the scenario for the short random cases of a property
    /// check: they run as many cycles as their stimulus and hold the design
    /// to no bring-up (a card's retimers need not lock there). Nothing to
    /// do for most kinds.
    fn for_short_cases(&mut self) {}
}

/// The scenario of a variant: a dedicated one for its block kind when there
/// is one, otherwise random stimulus on every input with the design's
/// assertions as the checks.
pub fn for_variant(kind: &str, params: &Params, design: &Design) -> Box<dyn Scenario> {
    fn boxed(s: impl Scenario + 'static) -> Box<dyn Scenario> {
        Box::new(s)
    }
    let dedicated = match kind {
        "crossbar" => crossbar::CrossbarScenario::new(params).map(boxed),
        "crc" => crc::CrcScenario::new(params).map(boxed),
        "retimer" => retimer::RetimerScenario::new(params).map(boxed),
        "switch" => switch::SwitchScenario::new(params).map(boxed),
        linkforge_rtl::telemetry::KIND => telemetry::RegmapScenario::new(params).map(boxed),
        "eth_pcs" => ethernet::EthPcsScenario::new(params).map(boxed),
        "cxl_controller" => cxl::CxlScenario::new(params).map(boxed),
        linkforge_rtl::card::KIND => card::CardScenario::new(params).map(boxed),
        _ => None,
    };
    dedicated.unwrap_or_else(|| boxed(generic::GenericScenario::new(design)))
}

/// The next `width`-bit value from `words` (zero once they run out).
pub(crate) fn draw(words: &mut dyn Iterator<Item = u64>, width: u32) -> Bits {
    let v: Vec<u64> = (0..words_for(width))
        .map(|_| words.next().unwrap_or(0))
        .collect();
    Bits::from_words(&v, width)
}

/// How a top-level input is driven by the scenarios.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InputRole {
    /// A reset (by name: `rst`, `*_rst`, `rst_*`), active low when named `*_n`.
    Reset {
        /// Asserted when low.
        active_low: bool,
    },
    /// Random data.
    Data,
}

/// The role of input `name`.
pub(crate) fn input_role(name: &str) -> InputRole {
    let base = name.strip_suffix("_n").unwrap_or(name);
    let is_reset = base == "rst"
        || base == "reset"
        || base.ends_with("_rst")
        || base.starts_with("rst_")
        || base.ends_with("_reset");
    if is_reset {
        InputRole::Reset {
            active_low: name.ends_with("_n"),
        }
    } else {
        InputRole::Data
    }
}

/// Cycles a scenario holds its resets asserted at the start.
pub(crate) const RESET_CYCLES: u64 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resets_are_recognised_by_name() {
        assert_eq!(input_role("rst"), InputRole::Reset { active_low: false });
        assert_eq!(input_role("tx_rst"), InputRole::Reset { active_low: false });
        assert_eq!(input_role("rst_n"), InputRole::Reset { active_low: true });
        assert_eq!(input_role("first"), InputRole::Data);
        assert_eq!(input_role("in0"), InputRole::Data);
    }

    #[test]
    fn draw_takes_as_many_words_as_the_width_needs() {
        let mut w = vec![u64::MAX, 1, 2].into_iter();
        assert_eq!(draw(&mut w, 70), Bits::from_words(&[u64::MAX, 1], 70));
        assert_eq!(draw(&mut w, 3).low_u64(), 2);
        assert_eq!(draw(&mut w, 3).low_u64(), 0);
    }
}
