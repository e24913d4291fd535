//! `switch_scheduler`: matches inputs to outputs each cycle, so that every
//! input sends to at most one output and every output takes from at most
//! one input.
//!
//! Ports: `req{i}[N-1:0]` (bit `o`: input `i` has a packet for output `o`
//! and both are free), `match{i}[N-1:0]` (one-hot or zero, a subset of
//! `req{i}`; combinational). All policies but `priority` have `clk` and
//! `rst` (synchronous, active high) and move their pointers at each edge.
//!
//! - `islip` (McKeown): each unmatched output grants the requesting
//!   unmatched input at or after its grant pointer; each input accepts the
//!   granting output at or after its accept pointer; `islip_iterations`
//!   rounds (1..=4) add matches among the ports still free. Pointers move
//!   one past the match, only for matches of the first round.
//! - `rr`: one round; outputs grant and inputs accept with round-robin
//!   arbiters (`common::arbiter`) whose pointers move past every grant,
//!   accepted or not.
//! - `wrr`: as `rr`, the output arbiters weighted by `weights` (per input).
//! - `priority`: one round; the lowest input wins an output, an input takes
//!   its lowest granting output.

use super::{column, regs};
use crate::catalog::{no_issues, BlockKind, ParamSpec, Params};
use crate::common::arbiter::{arbiter, lowest_set, ArbiterConfig, Policy};
use crate::params::{checked, param_error, ChoiceParam, IntListParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use std::sync::Arc;

/// Parameter `arbiter`.
pub const ARBITER: ChoiceParam = ChoiceParam::new(
    "arbiter",
    "",
    &["islip", "rr", "wrr", "priority"],
    "islip",
    "matching: iSLIP, round robin, weighted round robin or fixed priority",
);
/// Parameter `islip_iterations`.
pub const ISLIP_ITERATIONS: IntParam = IntParam::new(
    "islip_iterations",
    "it",
    1..=4,
    2,
    "islip only: matching rounds per cycle",
);
/// Parameter `weights`.
pub const WEIGHTS: IntListParam = IntListParam::new(
    "weights",
    "wt",
    1..=256,
    PORTS.max as usize,
    "wrr only: consecutive grants per turn, one per input",
);
/// Parameter `ports`.
pub const PORTS: IntParam = IntParam::new("ports", "p", 2..=64, 4, "inputs and outputs");

/// How the scheduler matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchedPolicy {
    /// iSLIP with 1..=4 iterations.
    Islip {
        /// Matching rounds per cycle.
        iterations: u32,
    },
    /// Round-robin grant and accept.
    RoundRobin,
    /// Weighted round-robin grant (one weight per input), round-robin accept.
    Weighted(Vec<u32>),
    /// Fixed priority: lowest index first.
    Priority,
}

impl SchedPolicy {
    /// True when the scheduler has state, and so `clk` and `rst` ports.
    pub fn clocked(&self) -> bool {
        !matches!(self, SchedPolicy::Priority)
    }

    /// Parameters `arbiter`, `islip_iterations` and `weights`.
    pub(crate) fn from_params(p: &Params) -> Result<SchedPolicy, RtlError> {
        let weights = WEIGHTS.read(p)?;
        let iterations: u32 = ISLIP_ITERATIONS.read(p)?;
        let policy = match ARBITER.read(p)? {
            "wrr" => SchedPolicy::Weighted(weights.iter().map(|&w| w as u32).collect()),
            other if !weights.is_empty() => {
                return Err(param_error(
                    "weights",
                    format!("only the wrr arbiter takes weights, not `{other}`"),
                ))
            }
            "islip" => SchedPolicy::Islip { iterations },
            "rr" => SchedPolicy::RoundRobin,
            _ => SchedPolicy::Priority,
        };
        Ok(policy)
    }

    /// The catalogue specs of `arbiter`, `islip_iterations` and `weights`.
    pub(crate) fn specs() -> Vec<ParamSpec> {
        vec![ARBITER.spec(), ISLIP_ITERATIONS.spec(), WEIGHTS.spec()]
    }
}

/// A scheduler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// Inputs and outputs ([`PORTS`]).
    pub ports: usize,
    /// The matching algorithm.
    pub policy: SchedPolicy,
}

impl SchedulerConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = SchedulerConfig {
            ports: PORTS.read(p)?,
            policy: SchedPolicy::from_params(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the port count, iterations and weights.
    pub fn validate(&self) -> Result<(), RtlError> {
        PORTS.check(self.ports)?;
        match &self.policy {
            SchedPolicy::Islip { iterations } => ISLIP_ITERATIONS.check(*iterations),
            SchedPolicy::Weighted(w) => ArbiterConfig {
                requesters: self.ports,
                policy: Policy::Weighted(w.clone()),
            }
            .validate(),
            _ => Ok(()),
        }
    }
}

/// Round robin among `req` starting at the positions set in `above`.
fn rr_pick(req: Expr, above: Signal) -> Expr {
    let masked = req.clone() & above;
    mux(masked.clone().any(), lowest_set(masked), lowest_set(req))
}

/// Every position strictly above the one-hot `winner`.
fn above(winner: Expr) -> Expr {
    !((winner << 1) - 1)
}

/// Builds the scheduler as module `module_name`.
pub fn scheduler(module_name: &str, cfg: &SchedulerConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let n = cfg.ports;
    let mut m = ModuleBuilder::new(module_name);
    let domain = cfg
        .policy
        .clocked()
        .then(|| (m.clock("clk"), m.reset("rst")));
    let reqs: Vec<Expr> = (0..n)
        .map(|i| m.input(format!("req{i}"), n as u32).into())
        .collect();
    let matches = match &cfg.policy {
        SchedPolicy::Islip { iterations } => islip(&mut m, &reqs, *iterations),
        SchedPolicy::RoundRobin => {
            two_arbiters(&mut m, module_name, domain, &reqs, Policy::RoundRobin)?
        }
        SchedPolicy::Weighted(w) => two_arbiters(
            &mut m,
            module_name,
            domain,
            &reqs,
            Policy::Weighted(w.clone()),
        )?,
        SchedPolicy::Priority => two_arbiters(&mut m, module_name, domain, &reqs, Policy::Fixed)?,
    };
    if domain.is_some() {
        assert_matching(&mut m, &reqs, &matches);
    }
    for (i, e) in matches.into_iter().enumerate() {
        let out = m.output(format!("match{i}"), n as u32);
        m.assign(out, e);
    }
    m.finish()
}

/// Asserts that `matches` is a matching within `reqs`: each input matched
/// to at most one output it requests, each output to at most one input.
fn assert_matching(m: &mut ModuleBuilder, reqs: &[Expr], matches: &[Expr]) {
    let n = reqs.len() as u32;
    // `n` inputs and `n` outputs: every vector checked is `n` bits wide.
    let at_most_one = |v: Expr| (v.clone() & (v - 1)).eq(lit(0, n));
    for (i, (r, g)) in reqs.iter().zip(matches).enumerate() {
        m.assert_always(
            at_most_one(g.clone()),
            format!("input {i} is matched to at most one output"),
        );
        m.assert_always(
            (g.clone() & !r.clone()).eq(lit(0, n)),
            format!("input {i} is matched only to an output it requests"),
        );
    }
    for o in 0..n {
        let column = concat(matches.iter().map(|g| g.clone().bit(o)).collect());
        m.assert_always(
            at_most_one(column),
            format!("output {o} is matched to at most one input"),
        );
    }
}

/// iSLIP: returns each input's match.
fn islip(m: &mut ModuleBuilder, reqs: &[Expr], iterations: u32) -> Vec<Expr> {
    let n = reqs.len();
    let nw = n as u32;
    let grant_ptr = regs(m, n, nw, |o| format!("grant_ptr{o}"));
    let accept_ptr = regs(m, n, nw, |i| format!("accept_ptr{i}"));
    let mut matched: Vec<Expr> = vec![lit(0, nw); n];
    let mut in_free = lit(u64::MAX >> (64 - nw), nw);
    let mut out_free = in_free.clone();
    for round in 0..iterations {
        let grants: Vec<Expr> = (0..n)
            .map(|o| {
                let g = m.wire(format!("grant_r{round}_o{o}"), nw);
                let col = column(reqs, o as u32) & in_free.clone();
                let pick = rr_pick(col, grant_ptr[o]);
                m.assign(g, mux(out_free.clone().bit(o as u32), pick, lit(0, nw)));
                g.into()
            })
            .collect();
        let accepts: Vec<Expr> = (0..n)
            .map(|i| {
                let a = m.wire(format!("accept_r{round}_i{i}"), nw);
                let granted = column(&grants, i as u32) & reqs[i].clone();
                m.assign(a, rr_pick(granted, accept_ptr[i]));
                a.into()
            })
            .collect();
        let taken = accepts
            .iter()
            .cloned()
            .reduce(|a, b| a | b)
            .unwrap_or_else(|| lit(0, nw));
        let inputs_taken = concat(accepts.iter().rev().map(|a| a.clone().any()).collect());
        if round == 0 {
            for (i, a) in accepts.iter().enumerate() {
                let p = accept_ptr[i];
                m.when(a.clone().any(), |m| m.next(p, above(a.clone())));
            }
            for (o, g) in grants.iter().enumerate() {
                let p = grant_ptr[o];
                m.when(taken.clone().bit(o as u32), |m| m.next(p, above(g.clone())));
            }
        }
        for (mt, a) in matched.iter_mut().zip(&accepts) {
            *mt = mt.clone() | a.clone();
        }
        in_free = in_free & !inputs_taken;
        out_free = out_free & !taken;
    }
    matched
}

/// One round of output arbiters (`grant`) and round-robin (fixed for
/// `Policy::Fixed`) input arbiters: returns each input's match.
fn two_arbiters(
    m: &mut ModuleBuilder,
    module_name: &str,
    domain: Option<(Clock, Reset)>,
    reqs: &[Expr],
    grant: Policy,
) -> Result<Vec<Expr>, HdlError> {
    let n = reqs.len();
    let accept = match grant {
        Policy::Fixed => Policy::Fixed,
        _ => Policy::RoundRobin,
    };
    let make = |suffix: &str, policy: Policy| {
        let cfg = ArbiterConfig {
            requesters: n,
            policy,
        };
        arbiter(&format!("{module_name}_{suffix}"), &cfg)
    };
    let grant_arb = Arc::new(make("grant_arb", grant)?);
    let accept_arb = Arc::new(make("accept_arb", accept)?);
    let stage = |m: &mut ModuleBuilder, prefix: &str, module: &Arc<Module>, rows: &[Expr]| {
        (0..n)
            .map(|k| {
                let u = m.instance(format!("{prefix}{k}"), Arc::clone(module));
                if let Some((clk, rst)) = domain {
                    m.assign(u.io("clk")?, clk);
                    m.assign(u.io("rst")?, rst);
                }
                m.assign(u.io("req")?, column(rows, k as u32));
                // `grant` is zero without `grant_valid`; the mask keeps the
                // whole port contract in use.
                Ok(u.io("grant")? & u.io("grant_valid")?.repeat(n as u32))
            })
            .collect::<Result<Vec<Expr>, HdlError>>()
    };
    let grants = stage(m, "u_grant", &grant_arb, reqs)?;
    stage(m, "u_accept", &accept_arb, &grants)
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    let mut params = vec![PORTS.spec()];
    params.extend(SchedPolicy::specs());
    BlockKind {
        name: "switch_scheduler",
        doc: "input-output matching: iSLIP (1..4 iterations), rr, wrr or priority",
        params,
        build: |name, p| Ok(scheduler(name, &SchedulerConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
