//! The switch scenario: the switch bench (`linkforge_rtl::switch::bench`)
//! with the variant's `traffic` group: a generator and credit-obeying
//! transmitter per input, a sink with backpressure per output, and a
//! scoreboard against the reference routing model. After reset and the
//! routing-register writes come the requested cycles of traffic; then the
//! sources stop and the switch must drain (every packet delivered, every
//! credit returned, counters right). Metrics cover the traffic cycles after
//! a warm-up of a fifth of them.

use super::{assertions_held, Failure, Outcome, Scenario};
use linkforge_hdl::{words_for, Bits};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::switch::bench::{Bench, BenchOptions, SwitchIo};
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::TrafficConfig;
use linkforge_verif::sim::SignalHandle;
use linkforge_verif::{Sim, SimError};

/// Cycles without a delivery after which a draining switch is deadlocked.
const DRAIN_LIMIT: u64 = 2000;

/// Traffic and scoreboard of a switch variant.
pub struct SwitchScenario {
    cfg: SwitchConfig,
    traffic: TrafficConfig,
    /// Prefix of the switch's ports in the design.
    prefix: String,
    /// Ports the bench leaves alone ([`BenchOptions::skip`]).
    skip: u64,
}

impl SwitchScenario {
    /// The scenario, when the parameters describe a valid switch.
    pub fn new(params: &Params) -> Option<Self> {
        Self::prefixed(params, "")
    }

    /// The scenario of a switch whose ports are named `PREFIX` + port in
    /// the design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Option<Self> {
        let cfg = SwitchConfig::from_params(params).ok()?;
        let traffic =
            TrafficConfig::from_params(params.group("traffic").ok()?, cfg.max_packet_beats).ok()?;
        Some(SwitchScenario {
            cfg,
            traffic,
            prefix: prefix.to_string(),
            skip: 0,
        })
    }

    /// The same scenario leaving the ports in mask `skip` alone (a card's
    /// bridges own them); `None` when that leaves no port.
    pub fn skipping(self, skip: u64) -> Option<Self> {
        let all = u64::MAX >> (64 - self.cfg.ports);
        (skip & all != all).then_some(SwitchScenario { skip, ..self })
    }
}

/// The simulator as the bench sees it.
pub(crate) struct SimIo<'a>(pub &'a mut Sim);

linkforge_rtl::switch_io_for_sim!(SimIo<'_>, SignalHandle, SimError);

/// The simulator as a bench sees it, with every port name prefixed.
pub(crate) struct PrefixedIo<'a> {
    /// The simulator.
    pub io: SimIo<'a>,
    /// What port names get in front.
    pub prefix: &'a str,
}

impl SwitchIo for PrefixedIo<'_> {
    type Handle = SignalHandle;
    type Error = SimError;

    fn handle(&mut self, name: &str) -> Result<SignalHandle, SimError> {
        self.io.handle(&format!("{}{name}", self.prefix))
    }

    fn poke(&mut self, h: SignalHandle, value: u64) -> Result<(), SimError> {
        self.io.poke(h, value)
    }

    fn poke_bits(&mut self, h: SignalHandle, value: &Bits) -> Result<(), SimError> {
        self.io.poke_bits(h, value)
    }

    fn peek(&mut self, h: SignalHandle) -> u64 {
        self.io.peek(h)
    }

    fn peek_bits(&mut self, h: SignalHandle) -> Bits {
        self.io.peek_bits(h)
    }

    fn step(&mut self) -> Result<(), SimError> {
        self.io.step()
    }
}

impl Scenario for SwitchScenario {
    fn words_per_cycle(&self) -> usize {
        let beats = self.traffic.packet_beats.1 as usize;
        self.cfg.ports * (6 + beats * words_for(self.cfg.data_width))
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let options = BenchOptions {
            drain: Some(DRAIN_LIMIT),
            skip: self.skip,
            ..BenchOptions::default()
        };
        let bench = Bench::new(self.cfg.clone(), self.traffic, options);
        let r = bench
            .run(
                &mut PrefixedIo {
                    io: SimIo(sim),
                    prefix: &self.prefix,
                },
                cycles,
                words,
                progress,
            )
            .map_err(Failure::from)?;
        assertions_held(sim, r.cycles)?;
        Ok(Outcome {
            cycles: r.cycles,
            checks_passed: r.checks,
            metrics: vec![
                ("throughput".into(), format!("{:.4}", r.throughput)),
                (
                    "beat_throughput".into(),
                    format!("{:.4}", r.beat_throughput),
                ),
                (
                    "mean_latency_cycles".into(),
                    format!("{:.2}", r.mean_latency),
                ),
                ("max_latency_cycles".into(), r.max_latency.to_string()),
                ("drops".into(), r.drops.to_string()),
                ("delivered".into(), r.delivered.to_string()),
                ("credit_stalls".into(), r.credit_stalls.to_string()),
            ],
            pictures: Vec::new(),
        })
    }
}
