//! `ltssm_tracker`: the retimer's passive view of link training (PCIe
//! 4.2.7, simplified). It never drives the link; it follows the ordered sets
//! the ports exchange, decoded elsewhere into one-edge observations, and
//! reports the state for telemetry and for the retimer's own behaviour
//! (equalization, electrical idle forwarding).
//!
//! States (FSM `ltssm_state`, reset state first): `Detect`, `Polling`,
//! `Configuration`, `L0`, `Recovery` (RcvrLock, RcvrCfg and Idle together),
//! `RecoveryEq0`..`RecoveryEq3` (Recovery.Equalization phases 0-3), `L0s`,
//! `L1`, `L2`, `Disabled`, `Loopback`, `HotReset`. Transitions, first match
//! wins (`ts` = `ts1_seen | ts2_seen`; "timeout" = `timeout_cycles` edges in
//! the state, the spec's 24 ms):
//!
//! - Detect → Polling on `ts1_seen`.
//! - Polling → Configuration on `ts` with `ts_link_num_valid`; → Detect on timeout.
//! - Configuration → Disabled on `ts` with `disable_bit`; → Loopback on `ts`
//!   with `loopback_bit`; → L0 on `idle_seen`; → Detect on timeout.
//! - L0 → Recovery on `ts1_seen` or `eieos_seen`; on `eios_seen` → L2 with
//!   `pm_l2`, else → L1 with `pm_l1`, else → L0s.
//! - L0s → L0 on `idle_seen`; → Recovery on `ts1_seen` or `eieos_seen`.
//! - L1 → Recovery on `ts1_seen` or `eieos_seen`.
//! - L2, Disabled → Detect when electrical idle ends after being seen in the state.
//! - Recovery → HotReset / Disabled / Loopback on `ts` with `hot_reset_bit` /
//!   `disable_bit` / `loopback_bit`; → RecoveryEq`ts_ec` on `ts1_seen` with
//!   `ts_eq`; → Configuration on `ts` without `ts_link_num_valid`; → L0 on
//!   `idle_seen`; → Detect on timeout.
//! - RecoveryEqN → RecoveryEq`ts_ec` on `ts1_seen` with `ts_eq` and
//!   `ts_ec > N` (phases only move forward); → Recovery on `ts2_seen` or
//!   `ts1_seen` without `ts_eq` (equalization done); → Recovery on timeout.
//! - Loopback → Detect on `eios_seen`.
//! - HotReset → Detect on `electrical_idle` or timeout.
//!
//! Ports (all in the domain of `clk`; `rst` synchronous, active high):
//!
//! - Inputs, each a pulse for one edge per ordered set unless noted:
//!   `ts1_seen`, `ts2_seen` (a TS1 / TS2 on all lanes); qualifiers of that
//!   TS, valid with it: `ts_link_num_valid` (link number not PAD), `ts_eq`
//!   (a TS1 of Recovery.Equalization, its EC field valid), `ts_ec[1:0]` (the
//!   EC field: the equalization phase), `hot_reset_bit`, `disable_bit`,
//!   `loopback_bit` (training control bits); `eieos_seen`, `eios_seen`,
//!   `idle_seen` (logical idle / data after training); levels:
//!   `electrical_idle` (receivers in electrical idle), `pm_l1`, `pm_l2` (the
//!   power-management handshake for L1 / L2 was seen, so EIOS means that
//!   state).
//! - `state[3:0]`: the state's index in the list above.
//! - `eq_phase[1:0]`: the equalization phase in RecoveryEqN, 0 elsewhere.
//! - `transitions[15:0]`: state changes (saturating).
//! - `recovery_count[15:0]`: entries into Recovery other than returns from
//!   equalization (saturating).
//! - History: a [`sync_fifo`] of the states entered, oldest first.
//!   `hist_valid` says `hist_state[3:0]` holds the oldest; `hist_pop` removes
//!   it at an edge; `hist_count` counts the entries; `hist_overflow` is set
//!   (until reset) when a transition found the history full and was not
//!   recorded.

use super::COUNT_WIDTH;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::saturating_count;
use crate::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::State;

/// The tracker's states, in encoding order.
pub const STATES: [&str; 15] = [
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

/// Width of the `state` port.
pub const STATE_WIDTH: u32 = 4;

/// Parameter `timeout_cycles`.
pub const TIMEOUT_CYCLES: IntParam = IntParam::new(
    "timeout_cycles",
    "t",
    2..=1 << 40,
    24_000,
    "clock edges of the 24 ms training timeouts",
);
/// Parameter `history_depth`.
pub const HISTORY_DEPTH: IntParam = IntParam::new(
    "history_depth",
    "h",
    1..=1024,
    16,
    "states kept in the history FIFO",
);

/// Timeouts and history size of the tracker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LtssmConfig {
    /// Edges of `clk` a timed state may last (the spec's 24 ms), [`TIMEOUT_CYCLES`].
    pub timeout_cycles: u64,
    /// States the history holds ([`HISTORY_DEPTH`]).
    pub history_depth: u32,
}

impl LtssmConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = LtssmConfig {
            timeout_cycles: TIMEOUT_CYCLES.read(p)?,
            history_depth: HISTORY_DEPTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        TIMEOUT_CYCLES.check(self.timeout_cycles)?;
        HISTORY_DEPTH.check(self.history_depth)
    }
}

/// The observation inputs.
struct Obs {
    ts1: Signal,
    ts2: Signal,
    link_ok: Signal,
    ts_eq: Signal,
    ts_ec: Signal,
    hot_reset: Signal,
    disable: Signal,
    loopback: Signal,
    eieos: Signal,
    eios: Signal,
    idle: Signal,
    elec_idle: Signal,
    pm_l1: Signal,
    pm_l2: Signal,
}

/// Builds the tracker as module `module_name`.
pub fn ltssm_tracker(module_name: &str, cfg: &LtssmConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let hc = hist_cfg(cfg);
    let hist = sync_fifo(&format!("sync_fifo_w{}_d{}", hc.width, hc.depth), &hc)?;
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let o = Obs {
        ts1: m.input("ts1_seen", 1),
        ts2: m.input("ts2_seen", 1),
        link_ok: m.input("ts_link_num_valid", 1),
        ts_eq: m.input("ts_eq", 1),
        ts_ec: m.input("ts_ec", 2),
        hot_reset: m.input("hot_reset_bit", 1),
        disable: m.input("disable_bit", 1),
        loopback: m.input("loopback_bit", 1),
        eieos: m.input("eieos_seen", 1),
        eios: m.input("eios_seen", 1),
        idle: m.input("idle_seen", 1),
        elec_idle: m.input("electrical_idle", 1),
        pm_l1: m.input("pm_l1", 1),
        pm_l2: m.input("pm_l2", 1),
    };
    let hist_pop = m.input("hist_pop", 1);
    let state_out = m.output("state", STATE_WIDTH);
    let eq_phase = m.output("eq_phase", 2);
    let transitions = m.output("transitions", COUNT_WIDTH);
    let recovery_count = m.output("recovery_count", COUNT_WIDTH);
    let hist_valid = m.output("hist_valid", 1);
    let hist_state = m.output("hist_state", STATE_WIDTH);
    let hist_count = m.output("hist_count", hc.count_width());
    let hist_overflow = m.output("hist_overflow", 1);

    let fsm = m.fsm("ltssm_state", &STATES);
    let st = |name: &str| fsm.state(name);
    let (detect, polling, configuration, l0) = (
        st("Detect")?,
        st("Polling")?,
        st("Configuration")?,
        st("L0")?,
    );
    let recovery = st("Recovery")?;
    let eqs = [
        st("RecoveryEq0")?,
        st("RecoveryEq1")?,
        st("RecoveryEq2")?,
        st("RecoveryEq3")?,
    ];
    let (l0s, l1, l2) = (st("L0s")?, st("L1")?, st("L2")?);
    let (disabled, loopback, hot_reset) = (st("Disabled")?, st("Loopback")?, st("HotReset")?);
    let state = fsm.register();

    // Edges spent in the current state (stops at the timeout), and whether
    // electrical idle was seen in it.
    let tw = bits_for(usize::try_from(cfg.timeout_cycles).unwrap_or(usize::MAX));
    let dwell = m.reg("dwell", tw).reset(0);
    let ei_seen = m.reg("ei_seen", 1).reset(0);
    let timed_out = dwell.eq(lit(cfg.timeout_cycles - 1, tw));
    let ei_exit = ei_seen & !o.elec_idle;

    let next = m.wire("next_state", STATE_WIDTH);
    m.assign(next, state);
    let go = move |m: &mut ModuleBuilder, s: State| m.assign(next, s);
    let eq_by_ec = select(o.ts_ec, &eqs.map(Expr::from));
    let ts = o.ts1 | o.ts2;
    let retrain = o.ts1 | o.eieos;
    m.switch(state, |s| {
        s.is(detect, |m| {
            m.when(o.ts1, |m| go(m, polling));
        });
        s.is(polling, |m| {
            m.when(ts.clone() & o.link_ok, |m| go(m, configuration))
                .elsewhen(timed_out.clone(), |m| go(m, detect));
        });
        s.is(configuration, |m| {
            m.when(ts.clone() & o.disable, |m| go(m, disabled))
                .elsewhen(ts.clone() & o.loopback, |m| go(m, loopback))
                .elsewhen(o.idle, |m| go(m, l0))
                .elsewhen(timed_out.clone(), |m| go(m, detect));
        });
        s.is(l0, |m| {
            m.when(retrain.clone(), |m| go(m, recovery))
                .elsewhen(o.eios & o.pm_l2, |m| go(m, l2))
                .elsewhen(o.eios & o.pm_l1, |m| go(m, l1))
                .elsewhen(o.eios, |m| go(m, l0s));
        });
        s.is(l0s, |m| {
            m.when(o.idle, |m| go(m, l0))
                .elsewhen(retrain.clone(), |m| go(m, recovery));
        });
        s.is(l1, |m| {
            m.when(retrain.clone(), |m| go(m, recovery));
        });
        for quiet in [l2, disabled] {
            s.is(quiet, |m| {
                m.when(ei_exit.clone(), |m| go(m, detect));
            });
        }
        s.is(recovery, |m| {
            m.when(ts.clone() & o.hot_reset, |m| go(m, hot_reset))
                .elsewhen(ts.clone() & o.disable, |m| go(m, disabled))
                .elsewhen(ts.clone() & o.loopback, |m| go(m, loopback))
                .elsewhen(o.ts1 & o.ts_eq, |m| m.assign(next, eq_by_ec.clone()))
                .elsewhen(ts.clone() & !o.link_ok, |m| go(m, configuration))
                .elsewhen(o.idle, |m| go(m, l0))
                .elsewhen(timed_out.clone(), |m| go(m, detect));
        });
        for (phase, &eq) in eqs.iter().enumerate() {
            let forward = o.ts1 & o.ts_eq & o.ts_ec.gt(lit(phase as u64, 2));
            let done = o.ts2 | (o.ts1 & !o.ts_eq);
            s.is(eq, |m| {
                m.when(forward, |m| m.assign(next, eq_by_ec.clone()))
                    .elsewhen(done | timed_out.clone(), |m| go(m, recovery));
            });
        }
        s.is(loopback, |m| {
            m.when(o.eios, |m| go(m, detect));
        });
        s.is(hot_reset, |m| {
            m.when(o.elec_idle | timed_out.clone(), |m| go(m, detect));
        });
    });

    let changing = next.ne(state);
    m.next(state, next);
    m.when(changing.clone(), |m| {
        m.next(dwell, lit(0, tw));
        m.next(ei_seen, low());
    })
    .elsewhen(!timed_out, |m| m.next(dwell, dwell + 1));
    m.when(o.elec_idle & !changing.clone(), |m| m.next(ei_seen, high()));

    let in_eq = |k: &[usize]| {
        k.iter()
            .map(|&i| fsm.is(eqs[i]))
            .reduce(|a, b| a | b)
            .unwrap_or_else(low)
    };
    m.assign(eq_phase, cat![in_eq(&[2, 3]), in_eq(&[1, 3])]);
    m.assign(state_out, state);
    let changes = saturating_count(&mut m, "transition_count", changing.clone(), COUNT_WIDTH);
    let entry = changing.clone() & next.eq(recovery) & !in_eq(&[0, 1, 2, 3]);
    let recoveries = saturating_count(&mut m, "recovery_entries", entry, COUNT_WIDTH);
    m.assign(transitions, changes);
    m.assign(recovery_count, recoveries);

    // The history FIFO records every state entered.
    let u = m.instance("u_history", hist);
    m.assign(u.io("clk")?, clk);
    m.assign(u.io("rst")?, rst);
    m.assign(u.io("wr_en")?, changing.clone());
    m.assign(u.io("wr_data")?, next);
    m.assign(u.io("rd_en")?, hist_pop);
    m.assign(hist_valid, !u.io("rd_empty")?);
    m.assign(hist_state, u.io("rd_data")?);
    m.assign(hist_count, u.io("count")?);
    let lost = m.reg("hist_lost", 1).reset(0);
    m.when(changing & u.io("wr_full")?, |m| m.next(lost, high()));
    m.assign(hist_overflow, lost);
    m.finish()
}

/// The history FIFO's config.
fn hist_cfg(cfg: &LtssmConfig) -> SyncFifoConfig {
    SyncFifoConfig {
        width: STATE_WIDTH,
        depth: cfg.history_depth,
    }
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "ltssm_tracker",
        doc: "passive LTSSM tracker with equalization phases, timeouts and a state history",
        params: vec![TIMEOUT_CYCLES.spec(), HISTORY_DEPTH.spec()],
        build: |name, p| Ok(ltssm_tracker(name, &LtssmConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
