//! `ltssm_tracker`: directed training sequences (to L0, Recovery with
//! equalization phases 0-3, hot reset, disable, timeouts), random
//! observations against a model written from the PCIe spec's LTSSM state
//! descriptions (4.2.6), the state history; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::ltssm::{kind, ltssm_tracker, LtssmConfig};
use proptest::prelude::*;

/// One edge's observations.
#[derive(Clone, Copy, Debug, Default)]
struct Obs {
    ts1: bool,
    ts2: bool,
    link_ok: bool,
    ts_eq: bool,
    ts_ec: u8,
    hot_reset: bool,
    disable: bool,
    loopback: bool,
    eieos: bool,
    eios: bool,
    idle: bool,
    elec_idle: bool,
    pm_l1: bool,
    pm_l2: bool,
}

impl Obs {
    fn ports(&self) -> [(&'static str, u64); 14] {
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

/// A TS1 with a valid link number.
fn ts1() -> Obs {
    Obs {
        ts1: true,
        link_ok: true,
        ..Obs::default()
    }
}

/// An equalization TS1 of phase `ec`.
fn eq_ts1(ec: u8) -> Obs {
    Obs {
        ts_eq: true,
        ts_ec: ec,
        ..ts1()
    }
}

fn idle() -> Obs {
    Obs {
        idle: true,
        ..Obs::default()
    }
}

/// The `state` port's codes: the states in the order of the tracker's
/// documented port contract.
const CODES: [&str; 15] = [
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

/// The state a `state` port value names.
fn decode(code: u64) -> &'static str {
    CODES
        .get(code as usize)
        .unwrap_or_else(|| panic!("state code {code} names no state"))
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
struct Model {
    state: &'static str,
    /// Edges spent in the state (saturating at the timeout).
    dwell: u64,
    /// Electrical idle was seen since entering the state.
    ei_seen: bool,
    timeout: u64,
    entered: Vec<&'static str>,
    recoveries: u64,
}

impl Model {
    fn new(timeout: u64) -> Model {
        Model {
            state: "Detect",
            dwell: 0,
            ei_seen: false,
            timeout,
            entered: Vec::new(),
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
    fn step(&mut self, o: &Obs) {
        let n = self.next(o);
        if n != self.state {
            if n == "Recovery" && eq_phase_of(self.state).is_none() {
                self.recoveries += 1;
            }
            self.entered.push(n);
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

    fn eq_phase(&self) -> u64 {
        eq_phase_of(self.state).map_or(0, u64::from)
    }
}

/// A tracker and its model, stepped together.
struct Bench {
    tb: Tb,
    model: Model,
}

impl Bench {
    fn new(cfg: &LtssmConfig) -> Bench {
        let mut tb = Tb::new(ltssm_tracker("ltssm", cfg));
        tb.reset();
        Bench {
            tb,
            model: Model::new(cfg.timeout_cycles),
        }
    }

    /// Applies `o` for one edge and checks the outputs against the model.
    fn step(&mut self, o: &Obs) {
        for (port, v) in o.ports() {
            self.tb.set(port, v);
        }
        self.tb.step();
        self.model.step(o);
        let m = &self.model;
        assert_eq!(decode(self.tb.get("state")), m.state, "after {o:?}");
        assert_eq!(self.tb.get("eq_phase"), m.eq_phase());
        assert_eq!(self.tb.get("transitions"), m.entered.len() as u64);
        assert_eq!(self.tb.get("recovery_count"), m.recoveries);
    }

    /// Applies each observation, then an empty edge, checking `expect` after each.
    fn walk(&mut self, steps: &[(Obs, &str)]) {
        for (o, expect) in steps {
            self.step(o);
            assert_eq!(self.model.state, *expect, "after {o:?}");
            self.step(&Obs::default());
        }
    }

    fn state(&self) -> &'static str {
        self.model.state
    }

    /// Pops the whole history, with no observations (the tracker may still
    /// time out meanwhile and append entries).
    fn history(&mut self) -> Vec<&'static str> {
        for (port, v) in Obs::default().ports() {
            self.tb.set(port, v);
        }
        // A state entered at the last edge shows on the FIFO's output one edge later.
        self.tb.step();
        let mut out = Vec::new();
        self.tb.set("hist_pop", 1);
        while self.tb.flag("hist_valid") {
            out.push(decode(self.tb.get("hist_state")));
            self.tb.step();
        }
        self.tb.set("hist_pop", 0);
        out
    }
}

const CFG: LtssmConfig = LtssmConfig {
    timeout_cycles: 50,
    history_depth: 32,
};

/// Detect, Polling, Configuration, L0.
fn train(b: &mut Bench) {
    b.walk(&[(ts1(), "Polling"), (ts1(), "Configuration"), (idle(), "L0")]);
}

#[test]
fn normal_training_reaches_l0() {
    let mut b = Bench::new(&CFG);
    // A TS1 with PAD link numbers keeps Polling.
    b.walk(&[(ts1(), "Polling")]);
    b.walk(&[(
        Obs {
            link_ok: false,
            ..ts1()
        },
        "Polling",
    )]);
    b.walk(&[(ts1(), "Configuration"), (idle(), "L0")]);
    assert_eq!(b.tb.get("hist_count"), 3);
    assert_eq!(b.history(), ["Polling", "Configuration", "L0"]);
    assert!(!b.tb.flag("hist_overflow"));
}

#[test]
fn recovery_walks_equalization_phases() {
    let mut b = Bench::new(&CFG);
    train(&mut b);
    b.walk(&[
        (ts1(), "Recovery"),
        (eq_ts1(0), "RecoveryEq0"),
        (eq_ts1(1), "RecoveryEq1"),
        (eq_ts1(1), "RecoveryEq1"),
        (eq_ts1(2), "RecoveryEq2"),
        (eq_ts1(3), "RecoveryEq3"),
        (eq_ts1(1), "RecoveryEq3"),
        (ts1(), "Recovery"),
        (idle(), "L0"),
    ]);
    assert_eq!(b.tb.get("recovery_count"), 1);
    let h = b.history();
    assert_eq!(
        h[3..],
        [
            "Recovery",
            "RecoveryEq0",
            "RecoveryEq1",
            "RecoveryEq2",
            "RecoveryEq3",
            "Recovery",
            "L0"
        ]
    );
}

#[test]
fn equalization_phase_times_out_to_recovery() {
    let mut b = Bench::new(&CFG);
    train(&mut b);
    b.walk(&[(ts1(), "Recovery"), (eq_ts1(2), "RecoveryEq2")]);
    let t0 = b.tb.cycles("clk");
    while b.state() == "RecoveryEq2" {
        b.step(&Obs::default());
    }
    assert_eq!(b.state(), "Recovery");
    // One edge was the empty step after the TS1; the timeout is the 50th edge.
    assert_eq!(b.tb.cycles("clk") - t0, CFG.timeout_cycles - 1);
    while b.state() == "Recovery" {
        b.step(&Obs::default());
    }
    assert_eq!(b.state(), "Detect");
}

#[test]
fn hot_reset_and_disable_return_to_detect() {
    let mut b = Bench::new(&CFG);
    train(&mut b);
    let ei = Obs {
        elec_idle: true,
        ..Obs::default()
    };
    b.walk(&[
        (ts1(), "Recovery"),
        (
            Obs {
                hot_reset: true,
                ..ts1()
            },
            "HotReset",
        ),
        (ei, "Detect"),
    ]);
    train(&mut b);
    b.walk(&[
        (ts1(), "Recovery"),
        (
            Obs {
                disable: true,
                ..ts1()
            },
            "Disabled",
        ),
    ]);
    // Disabled until electrical idle, seen on two edges, ends.
    for expect in ["Disabled", "Disabled"] {
        b.step(&ei);
        assert_eq!(b.state(), expect);
    }
    b.step(&Obs::default());
    assert_eq!(b.state(), "Detect");
    assert_eq!(b.tb.get("recovery_count"), 2);
}

#[test]
fn power_states_and_loopback() {
    let mut b = Bench::new(&CFG);
    train(&mut b);
    let eios = |pm_l1, pm_l2| Obs {
        eios: true,
        pm_l1,
        pm_l2,
        ..Obs::default()
    };
    b.walk(&[
        (eios(false, false), "L0s"),
        (idle(), "L0"),
        (eios(true, false), "L1"),
        (
            Obs {
                eieos: true,
                ..Obs::default()
            },
            "Recovery",
        ),
        (
            Obs {
                loopback: true,
                ..ts1()
            },
            "Loopback",
        ),
        (eios(false, false), "Detect"),
    ]);
}

#[test]
fn history_keeps_the_oldest_and_flags_overflow() {
    let cfg = LtssmConfig {
        timeout_cycles: 50,
        history_depth: 2,
    };
    let mut b = Bench::new(&cfg);
    train(&mut b);
    assert!(b.tb.flag("hist_overflow"));
    assert_eq!(b.history(), ["Polling", "Configuration"]);
}

fn pulse() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.15)
}

fn obs() -> impl Strategy<Value = Obs> {
    (
        (pulse(), pulse(), prop::bool::weighted(0.8), pulse(), 0u8..4),
        (pulse(), pulse(), pulse(), pulse(), pulse(), pulse()),
        (prop::bool::weighted(0.3), pulse(), pulse()),
    )
        .prop_map(
            |(
                (ts1, ts2, link_ok, ts_eq, ts_ec),
                (hot_reset, disable, loopback, eieos, eios, idle),
                (elec_idle, pm_l1, pm_l2),
            )| Obs {
                ts1,
                ts2,
                link_ok,
                ts_eq,
                ts_ec,
                hot_reset: hot_reset && ts1,
                disable: disable && ts1,
                loopback,
                eieos,
                eios,
                idle,
                elec_idle,
                pm_l1,
                pm_l2,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// Random observations move the tracker as the spec model says; the history holds
    /// the first states entered.
    #[test]
    fn follows_the_spec_model(
        timeout in 2u64..=20,
        depth in 1u32..=24,
        seq in prop::collection::vec(obs(), 1..400),
    ) {
        let cfg = LtssmConfig { timeout_cycles: timeout, history_depth: depth };
        let mut b = Bench::new(&cfg);
        for o in &seq {
            b.step(o);
        }
        let entered = b.model.entered.clone();
        prop_assert_eq!(b.tb.flag("hist_overflow"), entered.len() > depth as usize);
        let keep = entered.len().min(depth as usize);
        let h = b.history();
        prop_assert!(h.len() >= keep);
        prop_assert_eq!(&h[..keep], &entered[..keep]);
    }
}

#[test]
fn rejects_bad_configs() {
    for (timeout_cycles, history_depth) in [(1, 16), (100, 0), (100, 2000)] {
        let cfg = LtssmConfig {
            timeout_cycles,
            history_depth,
        };
        assert!(ltssm_tracker("t", &cfg).is_err(), "{cfg:?}");
    }
}

#[test]
fn verilog_tools_accept_ltssm_trackers() {
    for (timeout_cycles, history_depth) in [(24_000, 16), (2, 1), (1 << 30, 64)] {
        check_verilog(ltssm_tracker(
            &format!("ltssm_tracker_t{timeout_cycles}_h{history_depth}"),
            &LtssmConfig {
                timeout_cycles,
                history_depth,
            },
        ));
    }
}

#[test]
fn catalogue_entry_builds_from_defaults() {
    let k = kind();
    (k.build)("ltssm_tracker", &Params::defaults(&k.params)).expect("defaults build");
}
