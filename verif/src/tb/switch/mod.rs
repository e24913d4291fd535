//! Testbenches of the switch family: the input queue's and the scheduler's
//! ([`blocks`]), the crossbar's scoreboard ([`crossbar`]), and the composed switch's traffic [`harness`] run with
//! the variant's `traffic` group: a generator and credit-obeying
//! transmitter per input, a sink with backpressure per output, and a
//! scoreboard against the reference routing model ([`model`]). After reset and the
//! routing-register writes come the requested cycles of traffic; then the
//! sources stop and the switch must drain (every packet delivered, every
//! credit returned, counters right). Metrics cover the traffic cycles after
//! a warm-up of a fifth of them.

pub mod blocks;
pub mod completer;
pub mod crossbar;
pub mod harness;
pub mod model;
pub mod requester;
pub mod throughput;
pub mod tlp;

use crate::tb::dut::Dut;
use crate::tb::{assertions_held, Failure, Outcome, Testbench};
use crate::Sim;
use harness::{Harness, HarnessOptions};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::switch::credit;
use linkforge_rtl::switch::switch::{SwitchConfig, CLOCK_MHZ};
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use linkforge_rtl::RtlError;
use throughput::ThroughputModel;

/// The fewest cycles the reference model runs for `reference_throughput`,
/// so its figure is steady whatever the run's length.
const REFERENCE_CYCLES: u64 = 40_000;

/// Cycles without a delivery after which a draining switch is deadlocked.
const DRAIN_LIMIT: u64 = 2000;

/// Traffic and scoreboard of a switch variant.
pub struct SwitchTb {
    cfg: SwitchConfig,
    traffic: TrafficConfig,
    /// Prefix of the switch's ports in the design.
    prefix: String,
    /// Ports the harness leaves alone ([`HarnessOptions::skip`]).
    skip: u64,
    /// The clock times in ns are reported against ([`CLOCK_MHZ`]).
    clock_mhz: f64,
}

impl SwitchTb {
    /// The testbench of the switch `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Self::prefixed(params, "")
    }

    /// The testbench of a switch whose ports are named `PREFIX` + port in
    /// the design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Result<Self, RtlError> {
        let cfg = SwitchConfig::from_params(params)?;
        let traffic = TrafficConfig::from_params(params.group("traffic")?, cfg.max_packet_beats)?;
        Ok(SwitchTb {
            clock_mhz: CLOCK_MHZ.read(params)?,
            cfg,
            traffic,
            prefix: prefix.to_string(),
            skip: 0,
        })
    }

    /// The same testbench leaving the ports in mask `skip` alone (a card's
    /// bridges own them); `None` when that leaves no port.
    pub fn skipping(self, skip: u64) -> Option<Self> {
        let all = u64::MAX >> (64 - self.cfg.ports);
        (skip & all != all).then_some(SwitchTb { skip, ..self })
    }
}

impl Testbench for SwitchTb {
    fn words_per_cycle(&self) -> usize {
        let beats = self.traffic.packet_beats.1 as usize;
        // A word per DW of payload and fill, a few for the choices.
        self.cfg.ports * (8 + beats * (self.cfg.data_width / 32) as usize)
    }

    /// `reference_throughput`: the cycle-level reference's throughput
    /// for this configuration and traffic, when it covers them.
    fn reference_metrics(&self, cycles: u64) -> Vec<(String, String)> {
        self.reference()
            .map(|m| m.run(cycles.max(REFERENCE_CYCLES), 1).throughput)
            .map(|t| ("reference_throughput".to_string(), format!("{t:.4}")))
            .into_iter()
            .collect()
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let options = HarnessOptions {
            drain: Some(DRAIN_LIMIT),
            skip: self.skip,
            ..HarnessOptions::default()
        };
        let harness = Harness::new(self.cfg.clone(), self.traffic, options);
        let r = harness.run(
            &mut Dut::prefixed(sim, &self.prefix),
            cycles,
            words,
            progress,
        )?;
        assertions_held(sim)?;
        let metrics = vec![
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
            (
                "latency_mean_ns".into(),
                format!("{:.1}", r.mean_latency * 1000.0 / self.clock_mhz),
            ),
            (
                "throughput_posted".into(),
                format!("{:.4}", r.class_throughput[0]),
            ),
            (
                "throughput_nonposted".into(),
                format!("{:.4}", r.class_throughput[1]),
            ),
            (
                "throughput_completions".into(),
                format!("{:.4}", r.class_throughput[2]),
            ),
            ("drops".into(), r.drops.to_string()),
            ("malformed".into(), r.malformed.to_string()),
            ("nullified".into(), r.nullified.to_string()),
            ("broadcast_copies".into(), r.broadcast_copies.to_string()),
            ("ur_completions".into(), r.ur_completions.to_string()),
            ("delivered".into(), r.delivered.to_string()),
            ("credit_stalls".into(), r.credit_stalls.to_string()),
            ("completions".into(), r.completions.to_string()),
            ("requests_answered".into(), r.requests_answered.to_string()),
        ];
        Ok(Outcome {
            cycles: r.cycles,
            checks_passed: r.checks,
            metrics,
            pictures: Vec::new(),
        })
    }
}

impl SwitchTb {
    /// The cycle-level reference ([`ThroughputModel`]) of this switch and
    /// traffic, when the reference covers them: uniform traffic of
    /// one-beat TLPs (128-bit beats or wider) on every port, sinks always
    /// ready, every packet routable. Each input then holds as many packets
    /// of a class as its header credits allow, and for a class with data
    /// as many as its data credits cover at the payload that fills a beat.
    fn reference(&self) -> Option<ThroughputModel> {
        let t = &self.traffic;
        let one_beat = t.packet_beats == (1, 1) && self.cfg.data_width >= 128;
        // The reference offers no answers: completers off, or nothing to answer.
        let unanswered = !t.completers || t.mix[1] == 0;
        let plain = t.pattern == Pattern::Uniform
            && t.backpressure == 0.0
            && t.unroutable == 0.0
            && unanswered;
        if !(one_beat && plain && self.skip == 0) {
            return None;
        }
        let payload = credit::data_credits(u64::from(self.cfg.data_width / 32) - 3);
        let credits = self.cfg.rx_credits();
        let headers = [
            credits[0].0.min(credits[0].1 / payload),
            credits[1].0,
            credits[2].0.min(credits[2].1 / payload),
        ];
        Some(ThroughputModel {
            ports: self.cfg.ports,
            queueing: self.cfg.queueing,
            policy: self.cfg.policy.clone(),
            headers,
            mix: t.mix,
            load: t.load,
            own_port: self.cfg.upstream_port.is_none(),
        })
    }
}
