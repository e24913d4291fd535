//! `ltssm_tracker`: directed training sequences (to L0, Recovery with
//! equalization phases 0-3, hot reset, disable, timeouts), random
//! observations against a Rust model of the documented transition table,
//! the state history; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::ltssm::{kind, ltssm_tracker, LtssmConfig, STATES};
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

fn index(name: &str) -> usize {
    STATES
        .iter()
        .position(|s| *s == name)
        .unwrap_or_else(|| panic!("no state {name}"))
}

/// The documented transition table.
struct Model {
    state: usize,
    dwell: u64,
    ei_seen: bool,
    timeout: u64,
    entered: Vec<usize>,
    recoveries: u64,
}

impl Model {
    fn new(timeout: u64) -> Model {
        Model {
            state: 0,
            dwell: 0,
            ei_seen: false,
            timeout,
            entered: Vec::new(),
            recoveries: 0,
        }
    }

    fn next(&self, o: &Obs) -> usize {
        let s = |n: &str| index(n);
        let ts = o.ts1 || o.ts2;
        let timed_out = self.dwell == self.timeout - 1;
        let retrain = o.ts1 || o.eieos;
        let first =
            |choices: &[(bool, usize)]| choices.iter().find(|c| c.0).map_or(self.state, |c| c.1);
        let eq_ec = s("RecoveryEq0") + usize::from(o.ts_ec);
        match STATES[self.state] {
            "Detect" => first(&[(o.ts1, s("Polling"))]),
            "Polling" => first(&[
                (ts && o.link_ok, s("Configuration")),
                (timed_out, s("Detect")),
            ]),
            "Configuration" => first(&[
                (ts && o.disable, s("Disabled")),
                (ts && o.loopback, s("Loopback")),
                (o.idle, s("L0")),
                (timed_out, s("Detect")),
            ]),
            "L0" => first(&[
                (retrain, s("Recovery")),
                (o.eios && o.pm_l2, s("L2")),
                (o.eios && o.pm_l1, s("L1")),
                (o.eios, s("L0s")),
            ]),
            "L0s" => first(&[(o.idle, s("L0")), (retrain, s("Recovery"))]),
            "L1" => first(&[(retrain, s("Recovery"))]),
            "L2" | "Disabled" => first(&[(self.ei_seen && !o.elec_idle, s("Detect"))]),
            "Recovery" => first(&[
                (ts && o.hot_reset, s("HotReset")),
                (ts && o.disable, s("Disabled")),
                (ts && o.loopback, s("Loopback")),
                (o.ts1 && o.ts_eq, eq_ec),
                (ts && !o.link_ok, s("Configuration")),
                (o.idle, s("L0")),
                (timed_out, s("Detect")),
            ]),
            "Loopback" => first(&[(o.eios, s("Detect"))]),
            "HotReset" => first(&[(o.elec_idle || timed_out, s("Detect"))]),
            _ => {
                let phase = self.state - s("RecoveryEq0");
                first(&[
                    (o.ts1 && o.ts_eq && usize::from(o.ts_ec) > phase, eq_ec),
                    (o.ts2 || (o.ts1 && !o.ts_eq) || timed_out, s("Recovery")),
                ])
            }
        }
    }

    fn step(&mut self, o: &Obs) {
        let n = self.next(o);
        if n != self.state {
            let eq = (index("RecoveryEq0")..=index("RecoveryEq3")).contains(&self.state);
            if n == index("Recovery") && !eq {
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
        let eq0 = index("RecoveryEq0");
        if (eq0..=eq0 + 3).contains(&self.state) {
            (self.state - eq0) as u64
        } else {
            0
        }
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
        assert_eq!(
            STATES[self.tb.get("state") as usize],
            STATES[m.state],
            "after {o:?}"
        );
        assert_eq!(self.tb.get("eq_phase"), m.eq_phase());
        assert_eq!(self.tb.get("transitions"), m.entered.len() as u64);
        assert_eq!(self.tb.get("recovery_count"), m.recoveries);
    }

    /// Applies each observation, then an empty edge, checking `expect` after each.
    fn walk(&mut self, steps: &[(Obs, &str)]) {
        for (o, expect) in steps {
            self.step(o);
            assert_eq!(STATES[self.model.state], *expect, "after {o:?}");
            self.step(&Obs::default());
        }
    }

    fn state(&self) -> &'static str {
        STATES[self.model.state]
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
            out.push(STATES[self.tb.get("hist_state") as usize]);
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

    /// Random observations follow the transition table; the history holds
    /// the first states entered.
    #[test]
    fn follows_the_transition_table(
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
        let want: Vec<&str> = entered[..keep].iter().map(|&s| STATES[s]).collect();
        prop_assert_eq!(&h[..keep], &want[..]);
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
