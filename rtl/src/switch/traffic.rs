//! The `traffic` group of the `switch` kind: what the switch testbench
//! offers each input and how its outputs drain. It configures stimulus
//! only; the hardware ignores it.

use crate::catalog::{ParamKind, ParamSpec, Params, Value};
use crate::params::{param_error, BoolParam, ChoiceParam, FloatParam, IntListParam, IntParam};
use crate::RtlError;

/// Parameter `pattern`.
pub const PATTERN: ChoiceParam = ChoiceParam::new(
    "pattern",
    "",
    &["uniform", "hotspot", "permutation"],
    "uniform",
    "uniform, hotspot or permutation",
);
/// Parameter `load`.
pub const LOAD: FloatParam = FloatParam::new(
    "load",
    "ld",
    0.0..=1.0,
    1.0,
    "packets per input per cycle; 1.0 saturates",
);
/// Parameter `packet_beats`.
pub const PACKET_BEATS: IntParam = IntParam::new(
    "packet_beats",
    "pb",
    1..=256,
    1,
    "packet length in beats (the shortest with packet_beats_max)",
);
/// Parameter `packet_beats_max`.
pub const PACKET_BEATS_MAX: IntParam = IntParam::new(
    "packet_beats_max",
    "pbm",
    0..=256,
    0,
    "longest packet in beats; 0: fixed at packet_beats",
);
/// Parameter `backpressure`.
pub const BACKPRESSURE: FloatParam = FloatParam::new(
    "backpressure",
    "bp",
    0.0..=1.0,
    0.0,
    "probability a sink is not ready in a cycle",
);
/// Parameter `unroutable`.
pub const UNROUTABLE: FloatParam = FloatParam::new(
    "unroutable",
    "ur",
    0.0..=1.0,
    0.0,
    "fraction of packets no port claims",
);

/// Parameter `poisoned`.
pub const POISONED: FloatParam = FloatParam::new(
    "poisoned",
    "ps",
    0.0..=1.0,
    0.0,
    "fraction of packets sent poisoned (EP set); they pass unchanged and are counted",
);

/// Parameter `malformed`.
pub const MALFORMED: FloatParam = FloatParam::new(
    "malformed",
    "mf",
    0.0..=1.0,
    0.0,
    "fraction of packets sent malformed (a DW more than their Length, or a reserved Type); they are dropped and counted",
);

/// Parameter `mix`.
pub const MIX: IntListParam = IntListParam::new(
    "mix",
    "mx",
    0..=1000,
    3,
    "relative weights of posted, non-posted and completion TLPs; empty: equal",
);

/// Parameter `completers`.
pub const COMPLETERS: BoolParam = BoolParam::new(
    "completers",
    "cp",
    true,
    "each port's link partner answers the non-posted requests it receives (reads split at the read completion boundary)",
);

/// Where packets go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Every output equally likely.
    Uniform,
    /// Half the packets to output 0, the rest uniform.
    Hotspot,
    /// Input `i` always sends to output `perm[i]` of a random permutation.
    Permutation,
}

/// Stimulus of the switch testbench.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrafficConfig {
    /// Destination pattern.
    pub pattern: Pattern,
    /// New packets per input per cycle (0.0..=1.0); 1.0 keeps a packet
    /// always waiting at every input.
    pub load: f64,
    /// Packet length in beats, header included: fixed (`min == max`) or
    /// uniform in `min..=max`.
    pub packet_beats: (u32, u32),
    /// Probability an output's sink is not ready in a cycle.
    pub backpressure: f64,
    /// Fraction of packets no port claims.
    pub unroutable: f64,
    /// Fraction of packets sent with EP (poisoned) set.
    pub poisoned: f64,
    /// Relative weights of posted requests, non-posted requests and
    /// completions among the packets offered (not all zero).
    pub mix: [u64; 3],
    /// Fraction of packets sent malformed.
    pub malformed: f64,
    /// Each port's link partner answers the non-posted requests delivered
    /// to it, and every request must be answered exactly once.
    pub completers: bool,
}

impl TrafficConfig {
    /// Reads and checks the group; packets may not exceed `max_beats`.
    pub fn from_params(p: &Params, max_beats: u32) -> Result<Self, RtlError> {
        let pattern = match PATTERN.read(p)? {
            "uniform" => Pattern::Uniform,
            "hotspot" => Pattern::Hotspot,
            _ => Pattern::Permutation,
        };
        let min: u32 = PACKET_BEATS.read(p)?;
        let max: u32 = PACKET_BEATS_MAX.read(p)?;
        let max = if max == 0 { min } else { max };
        PACKET_BEATS.check_within(min, 1, max_beats.into())?;
        if max < min || max > max_beats {
            return Err(param_error(
                "packet_beats_max",
                format!("{max} is outside {min}..={max_beats} (packet_beats..=max_packet_beats)"),
            ));
        }
        let mix = match MIX.read(p)?[..] {
            [] => [1, 1, 1],
            [posted, non_posted, completions] if posted + non_posted + completions > 0 => {
                [posted, non_posted, completions]
            }
            [_, _, _] => return Err(param_error("mix", "the weights are all zero")),
            ref v => {
                return Err(param_error(
                    "mix",
                    format!(
                        "{} weights; it takes three: posted, non-posted, completions",
                        v.len()
                    ),
                ))
            }
        };
        Ok(TrafficConfig {
            mix,
            malformed: MALFORMED.read(p)?,
            pattern,
            load: LOAD.read(p)?,
            packet_beats: (min, max),
            backpressure: BACKPRESSURE.read(p)?,
            unroutable: UNROUTABLE.read(p)?,
            poisoned: POISONED.read(p)?,
            completers: COMPLETERS.read(p)?,
        })
    }

    /// The catalogue spec of the group.
    pub fn spec() -> ParamSpec {
        let members = vec![
            PATTERN.spec(),
            LOAD.spec(),
            PACKET_BEATS.spec(),
            PACKET_BEATS_MAX.spec(),
            BACKPRESSURE.spec(),
            UNROUTABLE.spec(),
            POISONED.spec(),
            MIX.spec(),
            MALFORMED.spec(),
            COMPLETERS.spec(),
        ];
        ParamSpec {
            name: "traffic",
            short: "",
            default: Value::Group(Params::defaults(&members)),
            kind: ParamKind::Group(members),
            doc: "testbench stimulus: pattern, load, packet_beats, backpressure, unroutable, poisoned, mix, malformed, completers",
        }
    }
}
