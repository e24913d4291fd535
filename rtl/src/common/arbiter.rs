//! `arbiter`: grants one of N requesters, by fixed priority, round robin or
//! weighted round robin.
//!
//! Ports: `req[N-1:0]`; `grant[N-1:0]`, one-hot or zero, a subset of `req`
//! and combinational in it (the same cycle); `grant_valid`, high when
//! `req` is non-zero (then exactly one grant bit is set). The round-robin
//! policies also have `clk` and `rst` (synchronous, active high): their
//! priority state advances at each rising edge with `grant_valid` high. The
//! fixed policy is purely combinational and has no `clk` or `rst`
//! ([`Policy::clocked`]).
//!
//! - `fixed`: the lowest-numbered requester wins.
//! - `rr`: after a grant to requester `i`, the lowest requester above `i`
//!   wins, else the lowest; a requester that keeps requesting waits at most
//!   N-1 grants to others.
//! - `wrr`: like `rr`, but the requester that won a turn keeps the grant for
//!   up to `weights[i]` consecutive grants while it requests; a requester
//!   that keeps requesting waits at most the sum of the other weights.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, param_error, ChoiceParam, IntListParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `requesters`.
pub const REQUESTERS: IntParam =
    IntParam::new("requesters", "n", 2..=64, 4, "number of requesters");
/// Parameter `policy`.
pub const POLICY: ChoiceParam = ChoiceParam::new(
    "policy",
    "",
    &["fixed", "rr", "wrr"],
    "rr",
    "fixed priority, round robin or weighted round robin",
);
/// Parameter `weights`.
pub const WEIGHTS: IntListParam = IntListParam::new(
    "weights",
    "wt",
    1..=256,
    REQUESTERS.max as usize,
    "wrr only: consecutive grants per turn, one per requester",
);

/// How the arbiter chooses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Policy {
    /// The lowest-numbered requester wins.
    Fixed,
    /// Round robin: priority moves past the last winner.
    RoundRobin,
    /// Weighted round robin: requester `i` keeps the grant for up to
    /// `weights[i]` consecutive grants (each in [`WEIGHTS`]'s range; one per requester).
    Weighted(Vec<u32>),
}

impl Policy {
    /// True when the arbiter has state, and so `clk` and `rst` ports.
    pub fn clocked(&self) -> bool {
        !matches!(self, Policy::Fixed)
    }
}

/// An arbiter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArbiterConfig {
    /// Number of requesters ([`REQUESTERS`]).
    pub requesters: usize,
    /// How the winner is chosen.
    pub policy: Policy,
}

impl ArbiterConfig {
    /// Reads and checks the config from catalogue parameters; `weights` must
    /// be empty unless `policy` is `wrr`, and then have one entry per requester.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let weights = WEIGHTS.read(p)?;
        let policy = match POLICY.read(p)? {
            "wrr" => Policy::Weighted(weights.iter().map(|&w| w as u32).collect()),
            other if !weights.is_empty() => {
                return Err(param_error(
                    "weights",
                    format!("only the wrr policy takes weights, not `{other}`"),
                ))
            }
            "fixed" => Policy::Fixed,
            _ => Policy::RoundRobin,
        };
        let cfg = ArbiterConfig {
            requesters: REQUESTERS.read(p)?,
            policy,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the number of requesters and the weights.
    pub fn validate(&self) -> Result<(), RtlError> {
        REQUESTERS.check(self.requesters)?;
        if let Policy::Weighted(weights) = &self.policy {
            if weights.len() != self.requesters {
                return Err(param_error(
                    "weights",
                    format!(
                        "{} weights for {} requesters; wrr needs one per requester",
                        weights.len(),
                        self.requesters
                    ),
                ));
            }
            for &w in weights {
                WEIGHTS.check(w)?;
            }
        }
        Ok(())
    }
}

/// The lowest set bit of `x` (zero when `x` is zero).
pub(crate) fn lowest_set(x: impl Into<Expr>) -> Expr {
    let x = x.into();
    x.clone() & (!x + 1)
}

/// Builds the arbiter as module `module_name`.
pub fn arbiter(module_name: &str, cfg: &ArbiterConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let n = cfg.requesters as u32;
    let mut m = ModuleBuilder::new(module_name);
    if cfg.policy.clocked() {
        m.clock("clk");
        m.reset("rst");
    }
    let req = m.input("req", n);
    let grant = m.output("grant", n);
    let grant_valid = m.output("grant_valid", 1);
    let winner = match &cfg.policy {
        Policy::Fixed => lowest_set(req),
        Policy::RoundRobin => round_robin(&mut m, req, None),
        Policy::Weighted(weights) => round_robin(&mut m, req, Some(weights)),
    };
    if cfg.policy.clocked() {
        let one_hot_or_none = (winner.clone() & (winner.clone() - 1)).eq(lit(0, n));
        m.assert_always(one_hot_or_none, "at most one requester is granted");
        m.assert_always(
            (winner.clone() & !req).eq(lit(0, n)),
            "only a requester is granted",
        );
    }
    m.assign(grant, winner);
    m.assign(grant_valid, req.any());
    m.finish()
}

/// Round robin (weighted when `weights` is given): returns the grant and
/// builds the priority state.
fn round_robin(m: &mut ModuleBuilder, req: Signal, weights: Option<&Vec<u32>>) -> Expr {
    let n = req.width();
    // Requesters above the last winner: they come first.
    let above = m.reg("above", n).reset(0);
    let masked = m.wire("masked", n);
    m.assign(masked, req & above);
    let rotate = m.wire("rr_pick", n);
    m.assign(
        rotate,
        mux(masked.any(), lowest_set(masked), lowest_set(req)),
    );
    let winner = m.wire("winner", n);
    match weights {
        None => m.assign(winner, rotate),
        Some(weights) => {
            let max = weights.iter().copied().max().unwrap_or(1);
            let cw = bits_for(max as usize + 1);
            // The last winner and how many consecutive grants it has had.
            let holder = m.reg("holder", n).reset(0);
            let used = m.reg("used", cw).reset(0);
            let holder_weight = weights
                .iter()
                .enumerate()
                .map(|(i, &w)| holder.bit(i as u32).repeat(cw) & lit(w.into(), cw))
                .reduce(|a, b| a | b)
                .unwrap_or_else(|| lit(0, cw));
            let stay = m.wire("stay", 1);
            m.assign(stay, (holder & req).any() & used.lt(holder_weight));
            m.assign(winner, mux(stay, holder, rotate));
            m.when(req.any(), |m| {
                m.when(stay, |m| m.next(used, used + 1)).otherwise(|m| {
                    m.next(holder, winner);
                    m.next(used, lit(1, cw));
                });
            });
        }
    }
    // Everything strictly above the winner: !((winner << 1) - 1).
    m.when(req.any(), |m| m.next(above, !((winner << 1) - 1)));
    winner.into()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "arbiter",
        doc: "N-way arbiter: fixed priority, round robin or weighted round robin",
        params: vec![REQUESTERS.spec(), POLICY.spec(), WEIGHTS.spec()],
        build: |name, p| Ok(arbiter(name, &ArbiterConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
