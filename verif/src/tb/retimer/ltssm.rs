//! `ltssm_tracker` judged by a model of the LTSSM as a passive observer
//! sees it, written from the state descriptions of PCIe 4.2.6 (each exit
//! names its subsection), never from the tracker's transition table. The
//! stimulus plays a link partner: each cycle, with the model's state in
//! view, it sends what a partner would in that state (TS1s to start
//! training, link numbers, idle data, EIOS with or without the PM
//! handshakes, EIEOS, equalization TS1s of rising phases, TS2s, the Hot
//! Reset / Disable / Loopback bits, electrical idle), one cycle in eight a
//! random mix of pulses, and now and then a silence longer than the
//! timeout (when that is at most 1024 cycles). `state`, `eq_phase`, `transitions` and `recovery_count` are
//! compared each cycle.

use crate::tb::cycle::{bits, expect_eq, flag, take, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::ltssm::LtssmConfig;
use linkforge_rtl::RtlError;

/// One edge's observations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Obs {
    /// A TS1 on all lanes (`ts1_seen`).
    pub ts1: bool,
    /// A TS2 on all lanes (`ts2_seen`).
    pub ts2: bool,
    /// The TS's link number is not PAD (`ts_link_num_valid`).
    pub link_ok: bool,
    /// A TS1 of Recovery.Equalization (`ts_eq`).
    pub ts_eq: bool,
    /// Its EC field, the phase (`ts_ec`).
    pub ts_ec: u8,
    /// The TS's Hot Reset bit.
    pub hot_reset: bool,
    /// The TS's Disable Link bit.
    pub disable: bool,
    /// The TS's Loopback bit.
    pub loopback: bool,
    /// An EIEOS (`eieos_seen`).
    pub eieos: bool,
    /// An EIOS (`eios_seen`).
    pub eios: bool,
    /// Logical idle or data (`idle_seen`).
    pub idle: bool,
    /// Receivers in electrical idle (`electrical_idle`, a level).
    pub elec_idle: bool,
    /// The L1 handshake was seen (`pm_l1`, a level).
    pub pm_l1: bool,
    /// The L2 handshake was seen (`pm_l2`, a level).
    pub pm_l2: bool,
}

impl Obs {
    /// The tracker's input ports and their values.
    pub fn ports(&self) -> [(&'static str, u64); 14] {
        [
            ("ts1_seen", self.ts1.into()),
            ("ts2_seen", self.ts2.into()),
            ("ts_link_num_valid", self.link_ok.into()),
            ("ts_eq", self.ts_eq.into()),
            ("ts_ec", self.ts_ec.into()),
            ("hot_reset_bit", self.hot_reset.into()),
            ("disable_bit", self.disable.into()),
            ("loopback_bit", self.loopback.into()),
            ("eieos_seen", self.eieos.into()),
            ("eios_seen", self.eios.into()),
            ("idle_seen", self.idle.into()),
            ("electrical_idle", self.elec_idle.into()),
            ("pm_l1", self.pm_l1.into()),
            ("pm_l2", self.pm_l2.into()),
        ]
    }
}

/// The `state` port's codes: the states in the order of the tracker's
/// documented port contract.
pub const CODES: [&str; 15] = [
    "Detect",
    "Polling",
    "Configuration",
    "L0",
    "Recovery",
    "RecoveryEq0",
    "RecoveryEq1",
    "RecoveryEq2",
    "RecoveryEq3",
    "L0s",
    "L1",
    "L2",
    "Disabled",
    "Loopback",
    "HotReset",
];

/// The state a `state` port value names, if any.
pub fn decode(code: u64) -> Option<&'static str> {
    CODES.get(code as usize).copied()
}

/// The equalization phase of a `RecoveryEqN` state.
fn eq_phase_of(state: &str) -> Option<u8> {
    state.strip_prefix("RecoveryEq")?.parse().ok()
}

/// The LTSSM as a passive observer sees it, written from the state
/// descriptions of PCIe Base Specification 4.2.6 (each exit below names
/// its subsection), reduced to what the tracker observes: it sees the
/// ordered sets both ports exchange, never the port's own decisions, so
/// each "directed" exit is the partner's TS bit that announces it. The
/// spec's timeouts (24 ms in Polling, Configuration and Recovery, 2 ms in
/// Hot Reset, the equalization phase limits) are all the tracker's one
/// `timeout_cycles`. Where one observation satisfies two exits at once the
/// spec does not order them (its TS control bits are exclusive, its
/// substates sequential); the model then takes the exit listed first here,
/// the order of the tracker's documentation.
#[derive(Clone, Debug)]
pub struct LtssmSpec {
    /// The state.
    pub state: &'static str,
    /// Edges spent in the state (saturating at the timeout).
    dwell: u64,
    /// Electrical idle was seen since entering the state.
    ei_seen: bool,
    timeout: u64,
    /// The first [`FIRST_STATES`] states entered since reset, in order
    /// (what a history of that depth keeps).
    pub entered: Vec<&'static str>,
    /// State changes since reset.
    pub transitions: u64,
    /// Entries into Recovery other than returns from equalization.
    pub recoveries: u64,
}

impl LtssmSpec {
    /// In Detect, with the tracker's `timeout_cycles`.
    pub fn new(timeout: u64) -> LtssmSpec {
        LtssmSpec {
            state: "Detect",
            dwell: 0,
            ei_seen: false,
            timeout,
            entered: Vec::new(),
            transitions: 0,
            recoveries: 0,
        }
    }

    /// The state after one edge's observations `o`.
    fn next(&self, o: &Obs) -> &'static str {
        let ts = o.ts1 || o.ts2;
        let timed_out = self.dwell == self.timeout - 1;
        // The partner retrains: it sends TS1s (or an EIEOS first at 8 GT/s
        // and above) when it enters Recovery (4.2.6.4.1).
        let partner_in_recovery = o.ts1 || o.eieos;
        let eq_target = || CODES[5 + usize::from(o.ts_ec)];
        match self.state {
            // 4.2.6.1 Detect: a receiver was found and the partner's TS1s
            // of Polling.Active arrive.
            "Detect" if o.ts1 => "Polling",
            // 4.2.6.2 Polling.Configuration: TS exchange with a link number
            // leads to Configuration; 24 ms without it back to Detect.
            "Polling" if ts && o.link_ok => "Configuration",
            "Polling" if timed_out => "Detect",
            // 4.2.6.3 Configuration.Linkwidth.Start: the Disable Link and
            // Loopback bits of the TSs lead to Disabled and Loopback;
            // Configuration.Idle: idle data leads to L0; 24 ms / 2 ms
            // timeouts to Detect.
            "Configuration" if ts && o.disable => "Disabled",
            "Configuration" if ts && o.loopback => "Loopback",
            "Configuration" if o.idle => "L0",
            "Configuration" if timed_out => "Detect",
            // 4.2.6.5 L0: TS1s or an EIEOS from the partner mean Recovery;
            // an EIOS means electrical idle: L2 after the PM_Enter_L23
            // handshake, L1 after PM_Enter_L1, else L0s (4.2.6.6).
            "L0" if partner_in_recovery => "Recovery",
            "L0" if o.eios && o.pm_l2 => "L2",
            "L0" if o.eios && o.pm_l1 => "L1",
            "L0" if o.eios => "L0s",
            // 4.2.6.6 L0s: the FTSs then idle data return to L0; a failed
            // exit (the partner's TS1s, EIEOS) goes to Recovery.
            "L0s" if o.idle => "L0",
            "L0s" if partner_in_recovery => "Recovery",
            // 4.2.6.7 L1: exit is always through Recovery.
            "L1" if partner_in_recovery => "Recovery",
            // 4.2.6.8 L2 and 4.2.6.9 Disabled: left to Detect when the
            // electrical idle entered there ends.
            "L2" | "Disabled" if self.ei_seen && !o.elec_idle => "Detect",
            // 4.2.6.4 Recovery: RcvrCfg/Idle follow the TS control bits to
            // Hot Reset, Disabled, Loopback; RcvrLock goes to
            // Recovery.Equalization on TS1s of an equalization phase
            // (4.2.6.4.2); TSs with PAD link numbers send it to
            // Configuration; Recovery.Idle reaches L0 on idle data; 24 ms
            // without progress is Detect.
            "Recovery" if ts && o.hot_reset => "HotReset",
            "Recovery" if ts && o.disable => "Disabled",
            "Recovery" if ts && o.loopback => "Loopback",
            "Recovery" if o.ts1 && o.ts_eq => eq_target(),
            "Recovery" if ts && !o.link_ok => "Configuration",
            "Recovery" if o.idle => "L0",
            "Recovery" if timed_out => "Detect",
            // 4.2.6.10 Loopback.Exit: the master's EIOS ends loopback.
            "Loopback" if o.eios => "Detect",
            // 4.2.6.11 Hot Reset: the 2 ms timeout, or the partner leaving
            // for electrical idle, ends in Detect.
            "HotReset" if o.elec_idle || timed_out => "Detect",
            state => match eq_phase_of(state) {
                // 4.2.6.4.2 Recovery.Equalization: phases only advance (EC
                // of a later phase); TS2s, or TS1s outside equalization,
                // mean it is over, back to RcvrLock; so does the phase's
                // time limit.
                Some(phase) if o.ts1 && o.ts_eq && o.ts_ec > phase => eq_target(),
                Some(_) if o.ts2 || (o.ts1 && !o.ts_eq) || timed_out => "Recovery",
                _ => state,
            },
        }
    }

    /// One edge: the state, and the tracker's documented counters
    /// (`transitions`, `recovery_count` without returns from
    /// equalization, the history).
    pub fn step(&mut self, o: &Obs) {
        let n = self.next(o);
        if n != self.state {
            if n == "Recovery" && eq_phase_of(self.state).is_none() {
                self.recoveries += 1;
            }
            if self.entered.len() < FIRST_STATES {
                self.entered.push(n);
            }
            self.transitions += 1;
            self.state = n;
            self.dwell = 0;
            self.ei_seen = false;
        } else {
            if self.dwell != self.timeout - 1 {
                self.dwell += 1;
            }
            self.ei_seen |= o.elec_idle;
        }
    }

    /// The `eq_phase` port's value.
    pub fn eq_phase(&self) -> u64 {
        eq_phase_of(self.state).map_or(0, u64::from)
    }
}

/// States [`LtssmSpec::entered`] keeps: the deepest history the tracker
/// can have.
pub const FIRST_STATES: usize = 1024;

/// The longest timeout the partner falls silent for (a longer one would
/// take most of a default run).
const MAX_SILENCE: u64 = 1024;

/// The model of `ltssm_tracker` and the link partner it watches.
#[derive(Clone, Debug)]
pub struct LtssmModel {
    timeout: u64,
    spec: LtssmSpec,
    /// Quiet cycles left in a silence.
    quiet: u64,
    /// Electrical idle as the partner holds it (a level).
    elec_idle: bool,
    reset_seen: bool,
    /// States visited, for the metrics.
    visited: [bool; 15],
}

impl LtssmModel {
    /// The model of the tracker `cfg` describes.
    pub fn new(cfg: &LtssmConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(LtssmModel {
            timeout: cfg.timeout_cycles,
            spec: LtssmSpec::new(cfg.timeout_cycles),
            quiet: 0,
            elec_idle: false,
            reset_seen: false,
            visited: [false; 15],
        })
    }

    /// The model of the `ltssm_tracker` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&LtssmConfig::from_params(params)?)
    }

    /// What a partner sends in the model's state, from random `w`.
    fn partner(&mut self, w: u64) -> Obs {
        let pick = (w >> 8) % 16;
        let ts1 = Obs {
            ts1: true,
            link_ok: true,
            ..Obs::default()
        };
        let eios = Obs {
            eios: true,
            pm_l1: w >> 12 & 1 == 1,
            pm_l2: w >> 13 & 3 == 0,
            ..Obs::default()
        };
        let idle = Obs {
            idle: true,
            ..Obs::default()
        };
        let eieos = Obs {
            eieos: true,
            ..Obs::default()
        };
        let bits_of_ts = Obs {
            hot_reset: pick == 0,
            disable: pick == 1,
            loopback: pick == 2,
            ts2: pick == 3,
            ..ts1
        };
        match self.spec.state {
            "Detect" => ts1,
            "Polling" => Obs {
                link_ok: pick != 0,
                ..ts1
            },
            "Configuration" if pick < 3 => bits_of_ts,
            "Configuration" => idle,
            "L0" | "L0s" | "L1" => [eios, eios, ts1, eieos, idle][(pick % 5) as usize],
            "L2" | "Disabled" | "HotReset" => {
                if pick < 4 {
                    self.elec_idle = !self.elec_idle;
                }
                Obs::default()
            }
            "Loopback" => eios,
            "Recovery" if pick < 4 => bits_of_ts,
            "Recovery" if pick < 10 => Obs {
                ts_eq: true,
                ts_ec: (w >> 16 & 3) as u8,
                ..ts1
            },
            "Recovery" if pick < 12 => Obs {
                link_ok: false,
                ..ts1
            },
            "Recovery" => idle,
            _ if pick < 10 => Obs {
                ts_eq: true,
                ts_ec: (w >> 16 & 3) as u8,
                ..ts1
            },
            _ => Obs {
                ts2: pick < 13,
                ..ts1
            },
        }
    }

    /// A random mix of pulses from `w`, each about one time in six.
    fn noise(w: u64) -> Obs {
        let p = |i: u32| (w >> (3 * i)) & 7 < 1;
        Obs {
            ts1: p(0),
            ts2: p(1),
            link_ok: p(2) || p(3),
            ts_eq: p(4),
            ts_ec: (w >> 40 & 3) as u8,
            hot_reset: p(5),
            disable: p(6),
            loopback: p(7),
            eieos: p(8),
            eios: p(9),
            idle: p(10),
            elec_idle: p(11),
            pm_l1: p(12),
            pm_l2: p(14),
        }
    }
}

impl CycleModel for LtssmModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let mut inputs = vec![("rst".to_string(), 1), ("hist_pop".to_string(), 1)];
        inputs.extend(
            Obs::default()
                .ports()
                .iter()
                .map(|&(p, _)| (p.to_string(), if p == "ts_ec" { 2 } else { 1 })),
        );
        inputs
    }
    fn outputs(&self) -> Vec<String> {
        ["state", "eq_phase", "transitions", "recovery_count"]
            .map(String::from)
            .to_vec()
    }
    fn words_per_cycle(&self) -> usize {
        2
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [w, v] = take(words);
        if self.quiet == 0 && w & 511 == 0 && self.timeout <= MAX_SILENCE {
            self.quiet = self.timeout + 2;
        }
        let mut o = if self.quiet > 0 {
            self.quiet -= 1;
            Obs::default()
        } else if w & 7 == 0 {
            Self::noise(v)
        } else if w >> 3 & 1 == 0 {
            Obs::default()
        } else {
            self.partner(v)
        };
        o.elec_idle |= self.elec_idle;
        let mut inputs = vec![flag(cycle < RESET_CYCLES), flag(false)];
        inputs.extend(
            o.ports()
                .iter()
                .map(|&(p, v)| bits(v, if p == "ts_ec" { 2 } else { 1 })),
        );
        inputs
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        if !self.reset_seen {
            return Ok(0);
        }
        let code = outputs[0].low_u64();
        let shown =
            decode(code).ok_or_else(|| format!("`state` is {code}, which names no state"))?;
        if shown != self.spec.state {
            return Err(format!(
                "the tracker is in {shown}, the spec's LTSSM in {}",
                self.spec.state
            ));
        }
        let mut checks = 1 + expect_eq("eq_phase", outputs[1].low_u64(), self.spec.eq_phase())?;
        let transitions = self.spec.transitions.min(0xffff);
        checks += expect_eq("transitions", outputs[2].low_u64(), transitions)?;
        checks += expect_eq(
            "recovery_count",
            outputs[3].low_u64(),
            self.spec.recoveries.min(0xffff),
        )?;
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.spec = LtssmSpec::new(self.timeout);
            self.elec_idle = false;
            self.reset_seen = true;
            return;
        }
        let v = |i: usize| inputs[2 + i].low_u64();
        let o = Obs {
            ts1: v(0) == 1,
            ts2: v(1) == 1,
            link_ok: v(2) == 1,
            ts_eq: v(3) == 1,
            ts_ec: v(4) as u8,
            hot_reset: v(5) == 1,
            disable: v(6) == 1,
            loopback: v(7) == 1,
            eieos: v(8) == 1,
            eios: v(9) == 1,
            idle: v(10) == 1,
            elec_idle: v(11) == 1,
            pm_l1: v(12) == 1,
            pm_l2: v(13) == 1,
        };
        self.spec.step(&o);
        if let Some(i) = CODES.iter().position(|&s| s == self.spec.state) {
            self.visited[i] = true;
        }
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![
            (
                "states_visited".into(),
                self.visited.iter().filter(|&&v| v).count().to_string(),
            ),
            ("transitions".into(), self.spec.transitions.to_string()),
        ]
    }
}
