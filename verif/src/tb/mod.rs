//! Testbenches: the stimulus, reference models, scoreboards and metrics
//! that belong to a block kind, one folder per family of `linkforge-rtl`.
//!
//! Every testbench meets one contract, [`Testbench`]: drive a variant's
//! design for N cycles from a stream of random 64-bit words and judge it,
//! failing with a [`Failure`]. The same testbench serves a seeded run
//! (`linkforge sim`, `run`), a property over many random stimuli that
//! shrinks a failure ([`crate::check`]) and a user's own `cargo test`.
//!
//! [`for_kind`] finds a kind's testbench in [`DEDICATED`], the one
//! kind-to-testbench table: every catalogue kind has one, with a reference
//! model and a scoreboard that counts its comparisons (the smaller blocks'
//! are cycle models, [`cycle`]).
//!
//! A catalogue block under its testbench, in a user's own test:
//!
//! ```
//! use linkforge_hdl::Design;
//! use linkforge_rtl::catalog::{self, Params};
//! use linkforge_verif::models::xorshift::XorShift;
//! use linkforge_verif::{tb, Sim};
//!
//! let kind = catalog::kind("crossbar").expect("in the catalogue");
//! let params = Params::defaults(&kind.params);
//! let design = Design::new((kind.build)("xbar", &params)?)?;
//! let testbench = tb::for_kind(kind.name, &params)?;
//! let mut sim = Sim::new(&design)?;
//! let mut rng = XorShift::new(1);
//! let mut words = std::iter::from_fn(move || Some(rng.word()));
//! let outcome = testbench.run(&mut sim, 1_000, &mut words, &mut |_| {})?;
//! assert!(outcome.checks_passed > 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod card;
pub mod common;
pub mod cxl;
pub mod cycle;
pub mod dut;
pub mod ethernet;
pub mod retimer;
pub mod switch;
pub mod telemetry;

use crate::{Sim, SimError};
use linkforge_hdl::{words_for, Bits};
use linkforge_rtl::card::bridge::BridgeConfig;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::common::{
    arbiter::ArbiterConfig, async_fifo::AsyncFifoConfig, counter::CounterConfig, lfsr::LfsrConfig,
    sync2::Sync2Config, sync_fifo::SyncFifoConfig,
};
use linkforge_rtl::cxl::{backend::BackendConfig, channel::ChannelConfig, tracker::TrackerConfig};
use linkforge_rtl::ethernet::{
    ber::BerConfig, block_lock::BlockLockConfig, gearbox::GearboxConfig, scrambler::Direction,
};
use linkforge_rtl::switch::{
    credit::CreditPortConfig, input_queue::InputQueueConfig, route::RouteTableConfig,
    scheduler::SchedulerConfig,
};
use linkforge_rtl::RtlError;

/// What a passing run measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Cycles simulated.
    pub cycles: u64,
    /// Comparisons the scoreboard made against its reference, all of which
    /// held (words, frames, grants, blocks or bits; the testbench's metrics
    /// name which).
    pub checks_passed: u64,
    /// The testharness's own metrics, printed as `name: value`.
    pub metrics: Vec<(String, String)>,
    /// Pictures to draw next to the waveform.
    pub pictures: Vec<Picture>,
}

impl Outcome {
    /// Metric `name` as a number, when the run reported it as one.
    pub fn metric(&self, name: &str) -> Option<u64> {
        self.metrics
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// `self` when its run compared something; a run that compared
    /// nothing is a failure, never a pass.
    pub fn judged(self) -> Result<Outcome, Failure> {
        if self.checks_passed == 0 {
            Err(Failure::at(
                self.cycles.saturating_sub(1),
                format!(
                    "the testbench compared nothing in {} cycles: a verdict needs at least one comparison",
                    self.cycles
                ),
            ))
        } else {
            Ok(self)
        }
    }
}

/// A picture a testharness's run asks for, as data: the command line draws
/// it to `NAME.SUFFIX.png` beside the waveform.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// What it shows, the suffix of its file name (`NAME.SUFFIX.png`).
    pub suffix: &'static str,
    /// What to draw.
    pub plot: Plot,
}

/// The kinds of picture testbenches draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Eye diagrams side by side, one per panel: each point is (time from
    /// the sampling instant in UI, value in `unit`), consecutive points
    /// with rising time forming one trace.
    Eyes {
        /// Each panel's title and points.
        panels: Vec<(String, Vec<(f64, f64)>)>,
        /// The unit of the values.
        unit: String,
    },
    /// A value and a flag over time, in two panels sharing the time axis.
    ValueAndFlag {
        /// (time, value, flag) samples.
        points: Vec<(u64, f64, bool)>,
        /// The unit of the time axis.
        time_unit: String,
        /// The value panel's title.
        value_title: String,
        /// The unit of the values.
        value_unit: String,
        /// The flag panel's title.
        flag_title: String,
    },
}

/// The first check that failed.
#[derive(Debug)]
pub struct Failure {
    /// The cycle (of the testharness's main clock) where it failed,
    /// counted from 0 as the simulator counts
    /// ([`crate::AssertionFailure::cycle`]).
    pub cycle: u64,
    /// What was expected and what happened.
    pub message: String,
}

impl Failure {
    /// A failure at `cycle`.
    pub fn at(cycle: u64, message: impl Into<String>) -> Failure {
        Failure {
            cycle,
            message: message.into(),
        }
    }

    /// A failure at `sim`'s current cycle: the next rising edge of its
    /// first clock, whose flip-flops see the values the caller just read
    /// (the numbering of docs/simulator.md, "Cycle numbering").
    pub fn new(sim: &Sim, message: impl Into<String>) -> Failure {
        let cycle = sim
            .clocks()
            .next()
            .and_then(|clock| sim.cycles(clock).ok())
            .unwrap_or(0);
        Failure::at(cycle, message)
    }
}

impl From<linkforge_hdl::HdlError> for Failure {
    fn from(e: linkforge_hdl::HdlError) -> Failure {
        Failure::at(0, e.to_string())
    }
}

impl From<SimError> for Failure {
    /// A failed assertion at its own cycle; any other error at cycle 0.
    fn from(e: SimError) -> Failure {
        let cycle = match &e {
            SimError::Assertion(f) => f.cycle,
            _ => 0,
        };
        Failure {
            cycle,
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cycle {}: {}", self.cycle, self.message)
    }
}

impl std::error::Error for Failure {}

/// Why a kind's testbench could not be built for a variant.
#[derive(Debug, thiserror::Error)]
pub enum TbError {
    /// No testbench judges this kind.
    #[error("no testbench for block kind `{0}`")]
    UnknownKind(String),
    /// The variant's parameters do not describe a block the testbench can
    /// drive.
    #[error("the `{kind}` testbench: {source}")]
    Params {
        /// The block kind.
        kind: String,
        /// The parameter problem.
        source: RtlError,
    },
}

/// `Ok` when the design's assertions held through a run, else the first
/// that failed, at its cycle.
pub fn assertions_held(sim: &Sim) -> Result<(), Failure> {
    match sim.failures().first() {
        Some(a) => Err(Failure {
            cycle: a.cycle,
            message: a.to_string(),
        }),
        None => Ok(()),
    }
}

/// Stimulus and checks for one variant: drive its design for N cycles and
/// judge it.
pub trait Testbench {
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
    /// Cycles a run needs before its verdict means anything (a retimer's
    /// lock and the traffic it must compare after it): `run` and `check`
    /// simulate at least this many.
    fn cycles_needed(&self) -> u64 {
        0
    }
    /// Metrics of a reference model of the configuration a run of
    /// `cycles` cycles simulated, printed beside the run's own by `sim`
    /// and `run` (never computed for `check` cases); none by default.
    fn reference_metrics(&self, _cycles: u64) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Builds a kind's dedicated testbench from a variant's parameters.
pub type Constructor = fn(&Params) -> Result<Box<dyn Testbench>, RtlError>;

/// `built`, boxed.
fn boxed<T: Testbench + 'static>(
    built: Result<T, RtlError>,
) -> Result<Box<dyn Testbench>, RtlError> {
    Ok(Box::new(built?))
}

/// The testbench of a cycle model.
fn cycle<M: cycle::CycleModel + 'static>(model: M) -> Result<Box<dyn Testbench>, RtlError> {
    Ok(Box::new(cycle::CycleTb::new(model)))
}

/// The kinds with a dedicated testbench, each with its constructor.
pub const DEDICATED: &[(&str, Constructor)] = &[
    ("crc", |p| boxed(common::crc::CrcTb::new(p))),
    ("sync2", |p| {
        cycle(common::blocks::Sync2Model::new(&Sync2Config::from_params(
            p,
        )?))
    }),
    ("counter", |p| {
        cycle(common::blocks::CounterModel::new(
            &CounterConfig::from_params(p)?,
        ))
    }),
    ("lfsr", |p| {
        cycle(common::blocks::LfsrModel::new(&LfsrConfig::from_params(p)?))
    }),
    ("arbiter", |p| {
        cycle(common::blocks::ArbiterModel::new(
            &ArbiterConfig::from_params(p)?,
        ))
    }),
    ("sync_fifo", |p| {
        cycle(common::fifo::SyncFifoModel::new(
            &SyncFifoConfig::from_params(p)?,
        ))
    }),
    ("async_fifo", |p| {
        cycle(common::fifo::AsyncFifoModel::catalogue(
            &AsyncFifoConfig::from_params(p)?,
        ))
    }),
    ("crossbar", |p| boxed(switch::crossbar::CrossbarTb::new(p))),
    ("credit_port", |p| {
        cycle(switch::blocks::CreditPortModel::new(
            &CreditPortConfig::from_params(p)?,
        ))
    }),
    ("route_table", |p| {
        cycle(switch::blocks::RouteTableModel::new(
            &RouteTableConfig::from_params(p)?,
        ))
    }),
    ("input_queue", |p| {
        cycle(switch::blocks::InputQueueModel::new(
            &InputQueueConfig::from_params(p)?,
        ))
    }),
    ("switch_scheduler", |p| {
        cycle(switch::blocks::SchedulerModel::new(
            &SchedulerConfig::from_params(p)?,
        ))
    }),
    ("switch", |p| boxed(switch::SwitchTb::new(p))),
    ("retimer", |p| boxed(retimer::RetimerTb::new(p))),
    ("prbs_gen", |p| {
        cycle(retimer::prbs::PrbsGenModel::from_params(p)?)
    }),
    ("pam4_tx", |p| {
        cycle(retimer::pam4::Pam4Model::tx_from_params(p)?)
    }),
    ("pam4_rx", |p| {
        cycle(retimer::pam4::Pam4Model::rx_from_params(p)?)
    }),
    ("scrambler_8b10b", |p| {
        cycle(retimer::scrambler::Scrambler8b10bModel::from_params(p)?)
    }),
    ("scrambler_128b130b", |p| {
        cycle(retimer::scrambler::Scrambler128b130bModel::from_params(p)?)
    }),
    ("block_align", |p| {
        cycle(retimer::block_align::BlockAlignModel::from_params(p)?)
    }),
    ("elastic_buffer", |p| {
        cycle(retimer::elastic_buffer::ElasticBufferModel::from_params(p)?)
    }),
    ("deskew", |p| {
        cycle(retimer::deskew::DeskewModel::from_params(p)?)
    }),
    ("ltssm_tracker", |p| {
        cycle(retimer::ltssm::LtssmModel::from_params(p)?)
    }),
    ("ffe", |p| {
        cycle(retimer::equalizer::FfeModel::from_params(p)?)
    }),
    ("dfe", |p| {
        cycle(retimer::equalizer::DfeModel::from_params(p)?)
    }),
    ("cdr", |p| boxed(retimer::cdr::CdrTb::from_params(p))),
    ("prbs_check", |p| {
        cycle(retimer::prbs::PrbsCheckModel::from_params(p)?)
    }),
    ("eth_pcs", |p| boxed(ethernet::EthPcsTb::new(p))),
    ("eth_encoder", |_| {
        cycle(ethernet::blocks::EncoderModel::new())
    }),
    ("eth_decoder", |_| {
        cycle(ethernet::blocks::DecoderModel::new())
    }),
    ("eth_scrambler", |_| {
        cycle(ethernet::blocks::ScramblerModel::new(Direction::Scramble))
    }),
    ("eth_descrambler", |_| {
        cycle(ethernet::blocks::ScramblerModel::new(Direction::Descramble))
    }),
    ("eth_block_lock", |p| {
        cycle(ethernet::blocks::BlockLockModel::new(
            &BlockLockConfig::from_params(p)?,
        ))
    }),
    ("eth_ber_monitor", |p| {
        cycle(ethernet::blocks::BerModel::new(&BerConfig::from_params(p)?))
    }),
    ("eth_tx_sequence", |_| {
        cycle(ethernet::blocks::TxSequenceModel::new())
    }),
    ("eth_rx_sequence", |_| {
        cycle(ethernet::blocks::RxSequenceModel::new())
    }),
    ("eth_fcs", |_| cycle(ethernet::blocks::FcsModel::new())),
    ("eth_gearbox_tx", |p| {
        cycle(ethernet::blocks::GearboxTxModel::new(
            &GearboxConfig::from_params(p)?,
        ))
    }),
    ("eth_gearbox_rx", |p| {
        cycle(ethernet::blocks::GearboxRxModel::new(
            &GearboxConfig::from_params(p)?,
        ))
    }),
    ("cxl_controller", |p| boxed(cxl::CxlTb::new(p))),
    ("cxl_channel", |p| {
        cycle(cxl::blocks::ChannelModel::new(&ChannelConfig::from_params(
            p,
        )?))
    }),
    ("cxl_mem_backend", |p| {
        cycle(cxl::blocks::BackendModel::new(&BackendConfig::from_params(
            p,
        )?))
    }),
    ("cxl_tracker", |p| {
        cycle(cxl::blocks::TrackerModel::new(&TrackerConfig::from_params(
            p,
        )?))
    }),
    (
        "hdm_decoder",
        |_| cycle(cxl::blocks::HdmDecoderModel::new()),
    ),
    ("hdm_decoder_regs", |_| {
        cycle(cxl::blocks::HdmRegsModel::new())
    }),
    (linkforge_rtl::telemetry::KIND, |p| {
        boxed(telemetry::RegmapTb::new(p))
    }),
    (linkforge_rtl::card::KIND, |p| boxed(card::CardTb::new(p))),
    ("xgmii_to_switch", |p| {
        cycle(card::bridges::XgmiiToSwitchModel::new(
            &BridgeConfig::from_params(p)?,
        ))
    }),
    ("switch_to_xgmii", |p| {
        cycle(card::bridges::SwitchToXgmiiModel::new(
            &BridgeConfig::from_params(p)?,
        ))
    }),
];

/// The testbench of a variant of `kind` with `params`: the kind's entry
/// in [`DEDICATED`]. One that cannot be built is an error with its cause.
pub fn for_kind(kind: &str, params: &Params) -> Result<Box<dyn Testbench>, TbError> {
    let (_, build) = DEDICATED
        .iter()
        .find(|(k, _)| *k == kind)
        .ok_or_else(|| TbError::UnknownKind(kind.to_string()))?;
    build(params).map_err(|source| TbError::Params {
        kind: kind.to_string(),
        source,
    })
}

/// The next `width`-bit value from `words` (zero once they run out).
pub fn draw(words: &mut dyn Iterator<Item = u64>, width: u32) -> Bits {
    let v: Vec<u64> = (0..words_for(width))
        .map(|_| words.next().unwrap_or(0))
        .collect();
    Bits::from_words(&v, width)
}

/// How a top-level input is driven by the testbenches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputRole {
    /// A reset (by name: `rst`, `*_rst`, `rst_*`), active low when named `*_n`.
    Reset {
        /// Asserted when low.
        active_low: bool,
    },
    /// Random data.
    Data,
}

/// The role of input `name`.
pub fn input_role(name: &str) -> InputRole {
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

/// Cycles a testbench holds its resets asserted at the start.
pub const RESET_CYCLES: u64 = 2;

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
