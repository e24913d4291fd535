//! Temporal properties over a waveform sampled on a clock: the same rules
//! for traces of the built-in simulator and for VCD files any tool wrote.
//!
//! A [`Trace`] holds, for each rising edge of a chosen clock, the value of
//! every signal just before that edge (what a flip-flop clocked by it
//! samples). Signals are named hierarchically (`top.u0.valid`). A
//! [`Property`] is checked over every cycle; the first cycle where it
//! fails is reported as a [`Violation`] with the time, the cycle, the
//! property and the values of its signals around it.
//!
//! Cycles are numbered as the simulator numbers them
//! ([`crate::sim::AssertionFailure::cycle`]): cycle N is the clock's
//! rising edge with N edges before it, counted from 0. A trace sampled
//! from a waveform file starts at the file's first rising edge (cycle 0);
//! a live recording starts at the cycle where it was started.
//!
//! [`rules`] holds the protocol rule sets for the interfaces linkforge's
//! blocks use (valid/ready streams, PCIe credits, CXL.mem, AXI4-Lite);
//! [`live`] checks them on a running testbench.

pub mod live;
pub mod rules;

pub use rules::{interface_rules, parse_rule, rule_set, RuleSetError, RULE_SETS};

use crate::wave::Waves;
use linkforge_hdl::suggest::hint;
use std::collections::BTreeMap;
use std::fmt;

/// A waveform sampled at the rising edges of one clock.
#[derive(Debug, Default)]
pub struct Trace {
    /// The time of each rising edge.
    pub times: Vec<u64>,
    /// The cycle of the first edge (of `times[0]`): 0 for a waveform file.
    pub first_cycle: usize,
    /// Per signal, its values at the edges.
    values: BTreeMap<String, Column>,
}

/// One signal's values at the edges: the low 64 bits, and which edges saw
/// unknown (`x`/`z`) bits (empty when none did).
#[derive(Debug, Default)]
struct Column {
    values: Vec<u64>,
    unknown: Vec<bool>,
}

impl Column {
    /// The value at `cycle`, `None` when unknown or beyond the trace.
    /// (`unknown` is empty or as long as `values`.)
    fn at(&self, cycle: usize) -> Option<u64> {
        let v = *self.values.get(cycle)?;
        (!self.unknown.get(cycle).copied().unwrap_or(false)).then_some(v)
    }
}

impl FromIterator<Option<u64>> for Column {
    fn from_iter<I: IntoIterator<Item = Option<u64>>>(iter: I) -> Column {
        let mut c = Column::default();
        let mut any_unknown = false;
        for (i, v) in iter.into_iter().enumerate() {
            if v.is_none() && !any_unknown {
                any_unknown = true;
                c.unknown = vec![false; i];
            }
            if any_unknown {
                c.unknown.push(v.is_none());
            }
            c.values.push(v.unwrap_or(0));
        }
        c
    }
}

/// Why a trace could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    /// The clock is not in the waveform.
    #[error("no signal `{name}` in the waveform to use as the clock{help}")]
    NoClock {
        /// The name asked for.
        name: String,
        /// `"; did you mean `x`?"` when a signal has a close name, else empty.
        help: String,
    },
    /// A property names a signal the waveform lacks.
    #[error("no signal `{name}` in the waveform{help}")]
    NoSignal {
        /// The name asked for.
        name: String,
        /// `"; did you mean `x`?"` when a signal has a close name, else empty.
        help: String,
    },
}

impl Trace {
    /// Samples `waves` at every rising edge of `clock`: a change to 1 from
    /// 0, `x` or `z`, or a first value of 1 (from unknown, as Verilog's
    /// `posedge` counts it; the built-in simulator's clocks of phase 0
    /// start so, with their cycle 0 at time 0). Values before the first
    /// change of a signal are unknown.
    pub fn sample(waves: &Waves, clock: &str) -> Result<Trace, TraceError> {
        let (_, changes) = waves
            .signals
            .get(clock)
            .ok_or_else(|| TraceError::NoClock {
                name: clock.to_string(),
                help: hint(clock, waves.signals.keys().map(String::as_str)),
            })?;
        let mut times = Vec::new();
        let mut last = None;
        for (time, bits) in changes {
            let level = bits == "1";
            if level && last != Some(true) {
                times.push(*time);
            }
            last = Some(level);
        }
        let values = waves
            .signals
            .iter()
            .map(|(name, (_, changes))| {
                // One walk over the changes: the value before each edge is
                // the last change earlier than it.
                let mut next = 0;
                let at_edges = times
                    .iter()
                    .map(|&t| {
                        while next < changes.len() && changes[next].0 < t {
                            next += 1;
                        }
                        let bits = &changes[next.checked_sub(1)?].1;
                        let low = &bits[bits.len().saturating_sub(64)..];
                        u64::from_str_radix(low, 2).ok()
                    })
                    .collect();
                (name.clone(), at_edges)
            })
            .collect();
        Ok(Trace {
            times,
            first_cycle: 0,
            values,
        })
    }

    /// A trace from samples taken elsewhere: the edge times and each
    /// signal's values at them (the first edge is cycle 0; set
    /// [`Trace::first_cycle`] when it is not).
    pub fn from_columns(times: Vec<u64>, columns: Vec<(String, Vec<u64>)>) -> Trace {
        let values = columns
            .into_iter()
            .map(|(name, values)| {
                let column = Column {
                    values,
                    unknown: Vec::new(),
                };
                (name, column)
            })
            .collect();
        Trace {
            times,
            first_cycle: 0,
            values,
        }
    }

    /// Clock cycles (rising edges) in the trace.
    pub fn cycles(&self) -> usize {
        self.times.len()
    }

    fn signal(&self, name: &str) -> Result<&Column, TraceError> {
        self.values.get(name).ok_or_else(|| TraceError::NoSignal {
            name: name.to_string(),
            help: hint(name, self.values.keys().map(String::as_str)),
        })
    }

    /// The value of signal `name` at `cycle` (`None` when unknown).
    pub fn value(&self, name: &str, cycle: usize) -> Result<Option<u64>, TraceError> {
        Ok(self.signal(name)?.at(cycle))
    }

    /// Checks `property` over every cycle: the first violation, if any.
    pub fn check(&self, property: &Property) -> Result<Option<Violation>, TraceError> {
        // Check every named signal exists before judging anything.
        for name in property.signals() {
            self.signal(name)?;
        }
        let failed = match &property.rule {
            Rule::Count { up, down, max } => self.first_miscount(up, down, *max)?,
            Rule::Matched {
                requests,
                responses,
            } => self.first_unmatched(requests, responses)?,
            Rule::Eventually { cond, within } => self.first_late(cond, *within)?,
            _ => {
                let mut failed = None;
                for cycle in 0..self.cycles() {
                    if !self.holds_at(&property.rule, cycle)? {
                        failed = Some(cycle);
                        break;
                    }
                }
                failed
            }
        };
        Ok(failed.map(|cycle| self.violation(property, cycle)))
    }

    /// The earliest violation of any of `properties` (the first listed
    /// among those failing at the same cycle), if any.
    pub fn first_violation(
        &self,
        properties: &[Property],
    ) -> Result<Option<Violation>, TraceError> {
        let mut first: Option<Violation> = None;
        for p in properties {
            if let Some(v) = self.check(p)? {
                if first.as_ref().is_none_or(|f| v.cycle < f.cycle) {
                    first = Some(v);
                }
            }
        }
        Ok(first)
    }

    /// Whether a rule about single cycles holds at `cycle`.
    fn holds_at(&self, rule: &Rule, cycle: usize) -> Result<bool, TraceError> {
        let cycles = self.cycles();
        Ok(match rule {
            Rule::Always(c) => c.eval(self, cycle)?,
            Rule::Never(c) => !c.eval(self, cycle)?,
            Rule::Implies { when, then, within } => {
                let last = cycle + (*within).max(1);
                // Near the end of the trace there is not enough left to judge.
                if !when.eval(self, cycle)? || last >= cycles {
                    true
                } else {
                    let mut seen = false;
                    for later in cycle + 1..=last {
                        if then.eval(self, later)? {
                            seen = true;
                            break;
                        }
                    }
                    seen
                }
            }
            Rule::StableWhile { signal, when } => {
                cycle + 1 >= cycles
                    || !when.eval(self, cycle)?
                    || self.value(signal, cycle)? == self.value(signal, cycle + 1)?
            }
            Rule::Count { .. } | Rule::Matched { .. } | Rule::Eventually { .. } => true,
        })
    }

    /// The first cycle where the running count (`up` adds one, `down`
    /// takes one, counted down first) leaves `0..=max`.
    fn first_miscount(
        &self,
        up: &Cond,
        down: &Cond,
        max: u64,
    ) -> Result<Option<usize>, TraceError> {
        let mut count: u64 = 0;
        for cycle in 0..self.cycles() {
            if down.eval(self, cycle)? {
                match count.checked_sub(1) {
                    Some(c) => count = c,
                    None => return Ok(Some(cycle)),
                }
            }
            if up.eval(self, cycle)? {
                count += 1;
                if count > max {
                    return Ok(Some(cycle));
                }
            }
        }
        Ok(None)
    }

    /// The first cycle where a response's key is not outstanding, or a
    /// request reuses an outstanding key. Responses are matched before the
    /// requests of the same cycle.
    fn first_unmatched(
        &self,
        requests: &[Keyed],
        responses: &[Keyed],
    ) -> Result<Option<usize>, TraceError> {
        let mut open: std::collections::HashSet<Vec<u64>> = Default::default();
        for cycle in 0..self.cycles() {
            for r in responses {
                if r.when.eval(self, cycle)? && !open.remove(&self.key(&r.key, cycle)?) {
                    return Ok(Some(cycle));
                }
            }
            for r in requests {
                if r.when.eval(self, cycle)? && !open.insert(self.key(&r.key, cycle)?) {
                    return Ok(Some(cycle));
                }
            }
        }
        Ok(None)
    }

    /// The values of `key` at `cycle` (unknown counts as zero).
    fn key(&self, key: &[String], cycle: usize) -> Result<Vec<u64>, TraceError> {
        key.iter()
            .map(|s| Ok(self.value(s, cycle)?.unwrap_or(0)))
            .collect()
    }

    /// The last cycle of the first `within` when `cond` holds in none of
    /// them (a shorter trace is not judged).
    fn first_late(&self, cond: &Cond, within: usize) -> Result<Option<usize>, TraceError> {
        let within = within.max(1);
        for cycle in 0..within.min(self.cycles()) {
            if cond.eval(self, cycle)? {
                return Ok(None);
            }
        }
        Ok((self.cycles() >= within).then(|| within - 1))
    }

    fn violation(&self, property: &Property, cycle: usize) -> Violation {
        let around = cycle.saturating_sub(2)..(cycle + 3).min(self.cycles());
        let values = property
            .signals()
            .into_iter()
            .map(|name| {
                let column = self.values.get(name);
                let shown = around.clone().map(|c| column.and_then(|v| v.at(c)));
                (name.to_string(), shown.collect())
            })
            .collect();
        Violation {
            property: property.name.clone(),
            cycle: self.first_cycle + cycle,
            time: self.times[cycle],
            first_cycle_shown: self.first_cycle + around.start,
            values,
        }
    }
}

impl From<crate::sim::Recording> for Trace {
    /// The samples of a live run ([`crate::Sim::record`]), numbered from
    /// the cycle the recording started at.
    fn from(r: crate::sim::Recording) -> Trace {
        let first_cycle = usize::try_from(r.first_cycle).unwrap_or(usize::MAX);
        Trace {
            first_cycle,
            ..Trace::from_columns(r.times, r.columns)
        }
    }
}

/// A condition on the signals at one cycle.
#[derive(Clone, Debug)]
pub enum Cond {
    /// The signal is nonzero.
    High(String),
    /// The signal is zero.
    Low(String),
    /// The signal rose: zero in the cycle before, nonzero now.
    Rose(String),
    /// The signal fell: nonzero in the cycle before, zero now.
    Fell(String),
    /// The signal equals the value.
    Equals(String, u64),
    /// The signal is at most the value.
    AtMost(String, u64),
    /// `(a - b) mod 2^bits` is at most `max`: how far counter `a` is ahead
    /// of counter `b` when both wrap at `bits` bits.
    AheadAtMost {
        /// The counter ahead.
        a: String,
        /// The counter behind.
        b: String,
        /// The counters' width.
        bits: u32,
        /// The largest distance allowed.
        max: u64,
    },
    /// Both hold.
    And(Box<Cond>, Box<Cond>),
    /// Either holds.
    Or(Box<Cond>, Box<Cond>),
    /// It does not hold.
    Not(Box<Cond>),
}

impl Cond {
    /// `a` and `b`.
    pub fn and(self, other: Cond) -> Cond {
        Cond::And(Box::new(self), Box::new(other))
    }

    /// `a` or `b`.
    pub fn or(self, other: Cond) -> Cond {
        Cond::Or(Box::new(self), Box::new(other))
    }

    fn signals<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Cond::High(s)
            | Cond::Low(s)
            | Cond::Rose(s)
            | Cond::Fell(s)
            | Cond::Equals(s, _)
            | Cond::AtMost(s, _) => add_once(out, s),
            Cond::AheadAtMost { a, b, .. } => {
                add_once(out, a);
                add_once(out, b);
            }
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.signals(out);
                b.signals(out);
            }
            Cond::Not(a) => a.signals(out),
        }
    }

    /// Unknown values (`x`, `z`) count as zero.
    fn eval(&self, trace: &Trace, cycle: usize) -> Result<bool, TraceError> {
        let number =
            |s: &str, c: usize| -> Result<u64, TraceError> { Ok(trace.value(s, c)?.unwrap_or(0)) };
        let value = |s: &str, c: usize| -> Result<bool, TraceError> { Ok(number(s, c)? != 0) };
        Ok(match self {
            Cond::High(s) => value(s, cycle)?,
            Cond::Low(s) => !value(s, cycle)?,
            Cond::Rose(s) => cycle > 0 && !value(s, cycle - 1)? && value(s, cycle)?,
            Cond::Fell(s) => cycle > 0 && value(s, cycle - 1)? && !value(s, cycle)?,
            Cond::Equals(s, v) => number(s, cycle)? == *v,
            Cond::AtMost(s, v) => number(s, cycle)? <= *v,
            Cond::AheadAtMost { a, b, bits, max } => {
                let mask = u64::MAX >> (64 - bits.clamp(&1, &64));
                number(a, cycle)?.wrapping_sub(number(b, cycle)?) & mask <= *max
            }
            Cond::And(a, b) => a.eval(trace, cycle)? && b.eval(trace, cycle)?,
            Cond::Or(a, b) => a.eval(trace, cycle)? || b.eval(trace, cycle)?,
            Cond::Not(a) => !a.eval(trace, cycle)?,
        })
    }
}

impl std::ops::Not for Cond {
    type Output = Cond;

    /// It does not hold.
    fn not(self) -> Cond {
        Cond::Not(Box::new(self))
    }
}

/// What a property demands of every cycle.
#[derive(Clone, Debug)]
enum Rule {
    Always(Cond),
    Never(Cond),
    /// Whenever `when` holds, `then` holds within the next `within` cycles
    /// (1: the next cycle).
    Implies {
        when: Cond,
        then: Cond,
        within: usize,
    },
    /// While `when` holds, `signal` keeps its value into the next cycle.
    StableWhile {
        signal: String,
        when: Cond,
    },
    /// `cond` holds in one of the first `within` cycles.
    Eventually {
        cond: Cond,
        within: usize,
    },
    /// A count that `up` raises and `down` lowers stays in `0..=max`.
    Count {
        up: Cond,
        down: Cond,
        max: u64,
    },
    /// Every response answers one outstanding request with its key.
    Matched {
        requests: Vec<Keyed>,
        responses: Vec<Keyed>,
    },
}

/// A request or response: when it happens and the signals whose values
/// name it (a tag, a host and a tag, ...).
#[derive(Clone, Debug)]
pub struct Keyed {
    /// The cycles it happens in (a handshake).
    pub when: Cond,
    /// The signals that together name it.
    pub key: Vec<String>,
}

/// A named temporal property.
#[derive(Clone, Debug)]
pub struct Property {
    /// How violations name it.
    pub name: String,
    rule: Rule,
}

impl Property {
    /// `cond` holds in every cycle.
    pub fn always(name: impl Into<String>, cond: Cond) -> Property {
        Property {
            name: name.into(),
            rule: Rule::Always(cond),
        }
    }

    /// `cond` holds in no cycle.
    pub fn never(name: impl Into<String>, cond: Cond) -> Property {
        Property {
            name: name.into(),
            rule: Rule::Never(cond),
        }
    }

    /// Whenever `when` holds, `then` holds in one of the next `within`
    /// cycles (`within` = 1: the next cycle). At the end of the trace a
    /// pending obligation is not judged.
    pub fn implies_within(
        name: impl Into<String>,
        when: Cond,
        then: Cond,
        within: usize,
    ) -> Property {
        Property {
            name: name.into(),
            rule: Rule::Implies { when, then, within },
        }
    }

    /// While `when` holds, `signal` has the same value in the next cycle.
    pub fn stable_while(
        name: impl Into<String>,
        signal: impl Into<String>,
        when: Cond,
    ) -> Property {
        Property {
            name: name.into(),
            rule: Rule::StableWhile {
                signal: signal.into(),
                when,
            },
        }
    }

    /// `cond` holds in at least one of the first `within` cycles (a trace
    /// shorter than that is not judged).
    pub fn eventually(name: impl Into<String>, cond: Cond, within: usize) -> Property {
        Property {
            name: name.into(),
            rule: Rule::Eventually { cond, within },
        }
    }

    /// A count starting at zero, lowered by one in each cycle `down` holds
    /// and then raised by one in each cycle `up` holds, never goes below
    /// zero or above `max`: responses never outnumber requests, credits
    /// never exceed what was advertised.
    pub fn count_within(name: impl Into<String>, up: Cond, down: Cond, max: u64) -> Property {
        Property {
            name: name.into(),
            rule: Rule::Count { up, down, max },
        }
    }

    /// Every response answers exactly one earlier request with the same
    /// key, and no request reuses the key of one still unanswered.
    pub fn one_response_per_request(
        name: impl Into<String>,
        requests: Vec<Keyed>,
        responses: Vec<Keyed>,
    ) -> Property {
        Property {
            name: name.into(),
            rule: Rule::Matched {
                requests,
                responses,
            },
        }
    }

    /// The signals it reads, each once.
    pub fn signals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match &self.rule {
            Rule::Always(c) | Rule::Never(c) | Rule::Eventually { cond: c, .. } => {
                c.signals(&mut out)
            }
            Rule::Count { up, down, .. } => {
                up.signals(&mut out);
                down.signals(&mut out);
            }
            Rule::Matched {
                requests,
                responses,
            } => {
                for k in requests.iter().chain(responses) {
                    k.when.signals(&mut out);
                    for s in &k.key {
                        add_once(&mut out, s);
                    }
                }
            }
            Rule::Implies { when, then, .. } => {
                when.signals(&mut out);
                then.signals(&mut out);
            }
            Rule::StableWhile { signal, when } => {
                out.push(signal);
                when.signals(&mut out);
            }
        }
        out
    }

    /// The signals `properties` read together, each once, in first-read
    /// order: what a run must sample to judge them.
    pub fn signals_of(properties: &[Property]) -> Vec<String> {
        let mut out = Vec::new();
        for p in properties {
            for s in p.signals() {
                add_once(&mut out, s);
            }
        }
        out.into_iter().map(str::to_string).collect()
    }
}

/// Appends `s` to `out` unless it is there already.
fn add_once<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    if !out.contains(&s) {
        out.push(s);
    }
}

/// The first cycle a property fails, with the values around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The property.
    pub property: String,
    /// The clock cycle, counted from 0 as the simulator counts (see the
    /// module documentation).
    pub cycle: usize,
    /// The time of that edge.
    pub time: u64,
    /// The cycle of the first value in `values`.
    pub first_cycle_shown: usize,
    /// Each signal of the property and its values in the cycles around.
    pub values: Vec<(String, Vec<Option<u64>>)>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "`{}` fails at cycle {} (time {}); values from cycle {}:",
            self.property, self.cycle, self.time, self.first_cycle_shown
        )?;
        for (name, values) in &self.values {
            let shown: Vec<String> = values
                .iter()
                .map(|v| v.map_or_else(|| "x".to_string(), |v| format!("{v:#x}")))
                .collect();
            writeln!(f, "  {name}: {}", shown.join(" "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid/ready stream on `clk` (period 10): `valid` rises at cycle 1,
    /// `ready` comes at cycle 3, `data` changes at cycle `data_change`.
    fn stream(data_change: u64) -> Trace {
        let mut w = Waves::default();
        for c in 0..8u64 {
            w.push("top.clk", c * 10, "0".into());
            w.push("top.clk", c * 10 + 5, "1".into());
        }
        // Values change just after an edge, as registers do.
        let at = |c: u64| c * 10 + 6;
        w.push("top.valid", 0, "0".into());
        w.push("top.valid", at(0), "1".into());
        w.push("top.valid", at(3), "0".into());
        w.push("top.ready", 0, "0".into());
        w.push("top.ready", at(2), "1".into());
        w.push("top.ready", at(3), "0".into());
        w.push("top.data", 0, "0000".into());
        w.push("top.data", at(data_change), "1010".into());
        Trace::sample(&w, "top.clk").expect("a clock")
    }

    fn held_until_ready() -> Property {
        Property::implies_within(
            "valid is held until ready",
            Cond::High("top.valid".into()).and(Cond::Low("top.ready".into())),
            Cond::High("top.valid".into()),
            1,
        )
    }

    fn data_stable() -> Property {
        Property::stable_while(
            "data is stable while stalled",
            "top.data",
            Cond::High("top.valid".into()).and(Cond::Low("top.ready".into())),
        )
    }

    #[test]
    fn samples_before_each_rising_edge() {
        let t = stream(5);
        assert_eq!(t.times, vec![5, 15, 25, 35, 45, 55, 65, 75]);
        assert_eq!(
            (0..5)
                .map(|c| t.value("top.valid", c).unwrap())
                .collect::<Vec<_>>(),
            [Some(0), Some(1), Some(1), Some(1), Some(0)]
        );
    }

    #[test]
    fn a_correct_stream_has_no_violation() {
        let t = stream(5);
        assert_eq!(t.check(&held_until_ready()), Ok(None));
        assert_eq!(t.check(&data_stable()), Ok(None));
        let rose = Property::never(
            "ready without valid",
            Cond::High("top.ready".into()).and(Cond::Low("top.valid".into())),
        );
        assert_eq!(t.check(&rose), Ok(None));
    }

    #[test]
    fn data_changing_while_stalled_is_reported_with_its_values() {
        let t = stream(1);
        let v = t.check(&data_stable()).unwrap().expect("a violation");
        assert_eq!((v.cycle, v.time), (1, 15));
        assert_eq!(v.values[0].0, "top.data");
        assert_eq!(
            v.values[0].1,
            vec![Some(0), Some(0), Some(0b1010), Some(0b1010)]
        );
        assert!(v
            .to_string()
            .contains("`data is stable while stalled` fails at cycle 1"));
    }

    #[test]
    fn a_missing_signal_or_clock_is_an_error() {
        let t = stream(5);
        let p = Property::always("x", Cond::High("top.dta".into()));
        assert_eq!(
            t.check(&p),
            Err(TraceError::NoSignal {
                name: "top.dta".into(),
                help: "; did you mean `top.data`?".into()
            })
        );
        assert!(matches!(
            Trace::sample(&Waves::default(), "clk"),
            Err(TraceError::NoClock { .. })
        ));
    }

    #[test]
    fn rose_fell_and_bounded_response() {
        let t = stream(5);
        let answered = Property::implies_within(
            "valid is answered by ready within 2 cycles",
            Cond::Rose("top.valid".into()),
            Cond::High("top.ready".into()),
            2,
        );
        assert_eq!(t.check(&answered), Ok(None));
        let too_soon = Property::implies_within(
            "answered next cycle",
            Cond::Rose("top.valid".into()),
            Cond::High("top.ready".into()),
            1,
        );
        let v = t
            .check(&too_soon)
            .unwrap()
            .expect("ready comes 2 cycles later");
        assert_eq!(v.cycle, 1);
        let fell = Property::always("valid never falls", !Cond::Fell("top.valid".into()));
        assert_eq!(t.check(&fell).unwrap().map(|v| v.cycle), Some(4));
    }
}
