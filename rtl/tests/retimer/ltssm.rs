//! `ltssm_tracker`: its testbench (`linkforge_verif::tb::retimer::ltssm`,
//! a model written from the PCIe spec's LTSSM state descriptions, 4.2.6)
//! on random configs and partner sequences; directed training sequences
//! (to L0, Recovery with equalization phases 0-3, hot reset, disable,
//! timeouts) and random observations against the same model, the state
//! history; Verilog tools.

use crate::support::{cases, check_verilog, metric, run_seeded_outcome, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::ltssm::{kind, ltssm_tracker, LtssmConfig};
use linkforge_verif::tb::retimer::ltssm::{decode, LtssmModel, LtssmSpec, Obs};
use proptest::prelude::*;

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

/// A tracker and its model, stepped together.
struct Bench {
    tb: Tb,
    model: LtssmSpec,
}

impl Bench {
    fn new(cfg: &LtssmConfig) -> Bench {
        let mut tb = Tb::new(ltssm_tracker("ltssm", cfg));
        tb.reset();
        Bench {
            tb,
            model: LtssmSpec::new(cfg.timeout_cycles),
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
        assert_eq!(decode(self.tb.get("state")), Some(m.state), "after {o:?}");
        assert_eq!(self.tb.get("eq_phase"), m.eq_phase());
        assert_eq!(self.tb.get("transitions"), m.transitions);
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
            out.push(decode(self.tb.get("hist_state")).expect("a state code"));
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

    /// The testbench passes and its partner walks the tracker through
    /// most states.
    #[test]
    fn testbench_passes(
        timeout in 2u64..=60,
        depth in 1u32..=24,
        seed in any::<u64>(),
    ) {
        let cfg = LtssmConfig { timeout_cycles: timeout, history_depth: depth };
        let outcome = run_seeded_outcome(ltssm_tracker("t", &cfg), LtssmModel::new(&cfg)?, 3000, seed);
        let outcome = outcome.map_err(TestCaseError::fail)?;
        prop_assert!(metric(&outcome, "states_visited") >= 10, "{:?}", outcome.metrics);
    }

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
        prop_assert_eq!(b.tb.flag("hist_overflow"), b.model.transitions > u64::from(depth));
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
