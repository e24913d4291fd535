//! Temporal properties over a waveform sampled on a clock: the same rules
//! for traces of the built-in simulator and for VCD files any tool wrote.
//!
//! A [`Trace`] holds, for each rising edge of a chosen clock, the value of
//! every signal just before that edge (what a flip-flop clocked by it
//! samples). Signals are named hierarchically (`top.u0.valid`). A
//! [`Property`] is checked over every cycle; the first cycle where it
//! fails is reported as a [`Violation`] with the time, the cycle, the
//! property and the values of its signals around it.

use crate::wave::Waves;
use std::collections::BTreeMap;
use std::fmt;

/// A waveform sampled at the rising edges of one clock.
#[derive(Debug, Default)]
pub struct Trace {
    /// The time of each rising edge.
    pub times: Vec<u64>,
    /// Per signal, its value (low 64 bits; `None` when unknown) at each edge.
    values: BTreeMap<String, Vec<Option<u64>>>,
}

/// Why a trace could not be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TraceError {
    /// The clock is not in the waveform.
    #[error("no signal `{0}` in the waveform to use as the clock")]
    NoClock(String),
    /// A property names a signal the waveform lacks.
    #[error("no signal `{0}` in the waveform")]
    NoSignal(String),
}

impl Trace {
    /// Samples `waves` at every rising edge (0 to 1) of `clock`.
    pub fn sample(waves: &Waves, clock: &str) -> Result<Trace, TraceError> {
        let (_, changes) = waves
            .signals
            .get(clock)
            .ok_or_else(|| TraceError::NoClock(clock.to_string()))?;
        let mut times = Vec::new();
        let mut last = None;
        for (time, bits) in changes {
            let level = bits == "1";
            if level && last == Some(false) {
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
        Ok(Trace { times, values })
    }

    /// Clock cycles (rising edges) in the trace.
    pub fn cycles(&self) -> usize {
        self.times.len()
    }

    fn signal(&self, name: &str) -> Result<&[Option<u64>], TraceError> {
        self.values
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| TraceError::NoSignal(name.to_string()))
    }

    /// Checks `property` over every cycle: the first violation, if any.
    pub fn check(&self, property: &Property) -> Result<Option<Violation>, TraceError> {
        let cycles = self.cycles();
        let eval = |e: &Cond, cycle: usize| e.eval(self, cycle);
        // Check every named signal exists before judging anything.
        for name in property.signals() {
            self.signal(name)?;
        }
        for cycle in 0..cycles {
            let holds = match &property.rule {
                Rule::Always(c) => eval(c, cycle)?,
                Rule::Never(c) => !eval(c, cycle)?,
                Rule::Implies { when, then, within } => {
                    if !eval(when, cycle)? {
                        true
                    } else {
                        let last = cycle + (*within).max(1);
                        if last >= cycles {
                            // Not enough trace left to judge.
                            true
                        } else {
                            let mut seen = false;
                            for later in cycle + 1..=last {
                                if eval(then, later)? {
                                    seen = true;
                                    break;
                                }
                            }
                            seen
                        }
                    }
                }
                Rule::StableWhile { signal, when } => {
                    cycle + 1 >= cycles
                        || !eval(when, cycle)?
                        || self.signal(signal)?[cycle] == self.signal(signal)?[cycle + 1]
                }
            };
            if !holds {
                return Ok(Some(self.violation(property, cycle)));
            }
        }
        Ok(None)
    }

    fn violation(&self, property: &Property, cycle: usize) -> Violation {
        let around = cycle.saturating_sub(2)..(cycle + 3).min(self.cycles());
        let values = property
            .signals()
            .into_iter()
            .map(|name| {
                let v = self.values.get(name).map(Vec::as_slice).unwrap_or(&[]);
                (
                    name.to_string(),
                    around
                        .clone()
                        .map(|c| v.get(c).copied().flatten())
                        .collect(),
                )
            })
            .collect();
        Violation {
            property: property.name.clone(),
            cycle,
            time: self.times[cycle],
            first_cycle_shown: around.start,
            values,
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
            | Cond::AtMost(s, _) => {
                if !out.contains(&s.as_str()) {
                    out.push(s);
                }
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
            |s: &str, c: usize| -> Result<u64, TraceError> { Ok(trace.signal(s)?[c].unwrap_or(0)) };
        let value = |s: &str, c: usize| -> Result<bool, TraceError> { Ok(number(s, c)? != 0) };
        Ok(match self {
            Cond::High(s) => value(s, cycle)?,
            Cond::Low(s) => !value(s, cycle)?,
            Cond::Rose(s) => cycle > 0 && !value(s, cycle - 1)? && value(s, cycle)?,
            Cond::Fell(s) => cycle > 0 && value(s, cycle - 1)? && !value(s, cycle)?,
            Cond::Equals(s, v) => number(s, cycle)? == *v,
            Cond::AtMost(s, v) => number(s, cycle)? <= *v,
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

    /// The signals it reads, each once.
    pub fn signals(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match &self.rule {
            Rule::Always(c) | Rule::Never(c) => c.signals(&mut out),
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
}

/// The rule sets `linkforge wave check --rules SET:PREFIX` knows.
pub const RULE_SETS: [&str; 1] = ["valid_ready"];

/// The properties of rule set `set` for the interface whose signals are
/// named `PREFIX` + `valid`, `ready`, `data` (a prefix is a hierarchical
/// path and any name stem: `top.u0.in0_`, `tb.dut.s_axis_t`); `None` for an
/// unknown set.
///
/// `valid_ready`: once `valid` is high without `ready`, it stays high into
/// the next cycle, and `data` does not change until the transfer.
pub fn rule_set(set: &str, prefix: &str) -> Option<Vec<Property>> {
    let name = |s: &str| format!("{prefix}{s}");
    let stalled = || Cond::High(name("valid")).and(Cond::Low(name("ready")));
    match set {
        "valid_ready" => Some(vec![
            Property::implies_within(
                format!("{prefix}valid is held until ready"),
                stalled(),
                Cond::High(name("valid")),
                1,
            ),
            Property::stable_while(
                format!("{prefix}data is stable while stalled"),
                name("data"),
                stalled(),
            ),
        ]),
        _ => None,
    }
}

/// The first cycle a property fails, with the values around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The property.
    pub property: String,
    /// The clock cycle (0 is the first rising edge).
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
            t.signal("top.valid").unwrap()[..5],
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
        let p = Property::always("x", Cond::High("top.nope".into()));
        assert_eq!(t.check(&p), Err(TraceError::NoSignal("top.nope".into())));
        assert!(matches!(
            Trace::sample(&Waves::default(), "clk"),
            Err(TraceError::NoClock(_))
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
