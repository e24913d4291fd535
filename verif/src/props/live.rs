//! Protocol rules on a live run: the rule sets of the interfaces a variant's design declares
//! ([`linkforge_hdl::ModuleBuilder::interface`]) and those its config names
//! in `rules = ["SET:PREFIX[:ARG][@CLOCK]", ...]`, on the signals the
//! simulator samples at each rising edge, with the same properties
//! `linkforge wave check` applies to a waveform file.

use crate::props::{interface_rules, parse_rule, Property, Trace, Violation};
use crate::tb::{Failure, Outcome, Testbench};
use crate::Sim;
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{Params, Value, RULES_PARAM};

/// Edges of each clock a run samples for its rules at most (a million
/// cycles of a few dozen signals stay within a few hundred MB).
pub const MAX_LIVE_CYCLES: usize = 1_000_000;

/// A rule of a variant that cannot be checked: malformed, unknown, or
/// naming no clock in a design with several.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

/// The rules of one variant, grouped by the clock they sample on.
#[derive(Clone, Debug, Default)]
pub struct LiveRules {
    groups: Vec<(String, Vec<Property>)>,
}

impl LiveRules {
    /// The rules of a variant with `params` and checked `design`: the
    /// design's declared interfaces first, then the `rules` parameter. A
    /// malformed or unknown rule is an error saying which.
    pub fn of(params: &Params, design: &Design) -> Result<LiveRules, RuleError> {
        let usage = |why: String| RuleError(format!("rules: {why}"));
        let mut rules = LiveRules::of_design(design)?;
        let written = match params.0.get(RULES_PARAM) {
            Some(Value::List(items)) => items.as_slice(),
            _ => &[],
        };
        for item in written {
            let spec = item.to_string();
            let (rule, clock) = match spec.rsplit_once('@') {
                Some((rule, clock)) => (rule, clock.to_string()),
                None => (spec.as_str(), only_clock(design).map_err(&usage)?),
            };
            let properties = parse_rule(rule).map_err(|e| usage(format!("\"{spec}\": {e}")))?;
            rules.add(&clock, properties);
        }
        Ok(rules)
    }

    /// The rules of the interfaces `design` declares
    /// ([`linkforge_hdl::ModuleBuilder::interface`]).
    pub fn of_design(design: &Design) -> Result<LiveRules, RuleError> {
        let mut rules = LiveRules { groups: Vec::new() };
        for (interface, clock) in design.interfaces() {
            let properties = interface_rules(interface)
                .map_err(|e| RuleError(format!("rules: interface `{}`: {e}", interface.prefix)))?;
            rules.add(clock, properties);
        }
        Ok(rules)
    }

    fn add(&mut self, clock: &str, properties: Vec<Property>) {
        match self.groups.iter_mut().find(|(c, _)| c == clock) {
            Some((_, group)) => group.extend(properties),
            None => self.groups.push((clock.to_string(), properties)),
        }
    }

    /// Properties in all groups.
    pub fn len(&self) -> usize {
        self.groups.iter().map(|(_, p)| p.len()).sum()
    }

    /// No rule to check.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Starts sampling the rules' signals on `sim` (before its first edge).
    pub fn attach(&self, sim: &mut Sim) -> Result<(), Failure> {
        for (clock, properties) in &self.groups {
            let signals = Property::signals_of(properties);
            sim.record(clock, &signals, MAX_LIVE_CYCLES)
                .map_err(|e| Failure {
                    cycle: 0,
                    message: format!("protocol rules on `{clock}`: {e}"),
                })?;
        }
        Ok(())
    }

    /// Ends the sampling [`LiveRules::attach`] started and judges the rules:
    /// the earliest violation, else the cycles checked (of the clock with the
    /// most).
    pub fn judge(&self, sim: &mut Sim) -> Result<usize, Failure> {
        let traces: Vec<Trace> = sim.take_recordings().into_iter().map(Trace::from).collect();
        let mut first: Option<Violation> = None;
        let mut checked = 0;
        for ((clock, properties), trace) in self.groups.iter().zip(&traces) {
            checked = checked.max(trace.cycles());
            let found = trace.first_violation(properties).map_err(|e| Failure {
                cycle: 0,
                message: format!("protocol rules on `{clock}`: {e}"),
            })?;
            if let Some(v) = found {
                if first.as_ref().is_none_or(|f| v.time < f.time) {
                    first = Some(v);
                }
            }
        }
        match first {
            Some(v) => Err(Failure {
                cycle: v.cycle as u64,
                message: format!("protocol rule {v}").trim_end().to_string(),
            }),
            None => Ok(checked),
        }
    }

    /// Runs `testbench` on `sim` for `cycles` cycles with the rules
    /// attached: the testbench's own failure first, else the earliest rule
    /// violation, else the outcome with `protocol_properties` and
    /// `protocol_cycles_checked` added to its metrics. The rules add no
    /// comparisons: an outcome that compared nothing fails
    /// ([`Outcome::judged`]).
    pub fn run(
        &self,
        testbench: &dyn Testbench,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        self.attach(sim)?;
        let mut outcome = testbench.run(sim, cycles, words, progress)?;
        let checked = self.judge(sim)?;
        if !self.is_empty() {
            outcome
                .metrics
                .push(("protocol_properties".into(), self.len().to_string()));
            outcome
                .metrics
                .push(("protocol_cycles_checked".into(), checked.to_string()));
        }
        outcome.judged()
    }
}

/// The design's clock, when it has exactly one (a rule without `@CLOCK`).
fn only_clock(design: &Design) -> Result<String, String> {
    let top = design.top();
    let clocks: Vec<&str> = top
        .ports
        .iter()
        .map(|p| &top.signals[p.0 as usize])
        .filter(|s| s.kind == linkforge_hdl::ir::SignalKind::Input { clock: true })
        .map(|s| s.name.as_str())
        .collect();
    match clocks[..] {
        [one] => Ok(one.to_string()),
        _ => Err(format!(
            "the design has clocks {}; name one with \"SET:PREFIX@CLOCK\"",
            clocks.join(", ")
        )),
    }
}
