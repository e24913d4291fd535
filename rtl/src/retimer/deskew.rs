//! `deskew`: lane-to-lane deskew (PCIe 4.2.5.12). Every lane carries a
//! `width`-bit symbol per clock and a `marker` flag on the first symbol of
//! the common alignment marker (SKP, SDS or EIEOS ordered set), sent on all
//! lanes at once but received with different delays. Per-lane delay lines
//! (a memory each, block RAM on FPGAs) delay the early lanes so the markers
//! leave together.
//!
//! Measurement: the first marker on any lane opens a window; each lane's
//! marker is time-stamped in it. When the last lane's marker arrives (at most
//! `max_skew` edges after the first), each lane's delay becomes the last
//! arrival time minus its own, and the window closes. If `max_skew` edges
//! pass with some lane still missing, the window fails: `error` rises and
//! `aligned` falls until a later window succeeds. Markers on a lane whose
//! marker is already stamped in the open window are ignored; markers must be
//! more than `2 * max_skew + 2` symbols apart for windows not to overlap.
//!
//! Ports (all in the domain of `clk`; `rst` synchronous, active high). Lane
//! `i` occupies bits `i*W +: W` of the packed data ports:
//!
//! - `in_data[L*W-1:0]`, `in_marker[L-1:0]`: one symbol per lane at every
//!   rising edge.
//! - `out_data[L*W-1:0]`, `out_marker[L-1:0]`: lane `i`'s input delayed by
//!   `2 + skew[i]` edges.
//! - `aligned`: the delays match the last successful window, and the output
//!   already uses them: the lanes of `out_*` are aligned. Low after reset,
//!   after a failed window, and for one edge after a delay changes.
//! - `error`: the last window failed (skew above `max_skew`).
//! - `skew[L*S-1:0]` (`S` = bits for `0..=max_skew`): lane `i`'s delay in
//!   bits `i*S +: S` (telemetry: how much earlier than the latest lane its
//!   marker arrived).

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `lanes`.
pub const LANES: IntParam = IntParam::new("lanes", "l", 1..=16, 4, "lanes");
/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new("width", "w", 1..=256, 8, "symbol width in bits");
/// Parameter `max_skew`.
pub const MAX_SKEW: IntParam = IntParam::new(
    "max_skew",
    "k",
    1..=1024,
    16,
    "largest skew corrected, in symbols",
);

/// Lane count, symbol width and skew range of a deskew block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeskewConfig {
    /// Lanes ([`LANES`]).
    pub lanes: u32,
    /// Symbol width in bits ([`WIDTH`]).
    pub width: u32,
    /// Largest skew corrected, in symbols ([`MAX_SKEW`]).
    pub max_skew: u32,
}

impl DeskewConfig {
    /// Reads and range-checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = DeskewConfig {
            lanes: LANES.read(p)?,
            width: WIDTH.read(p)?,
            max_skew: MAX_SKEW.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        LANES.check(self.lanes)?;
        WIDTH.check(self.width)?;
        MAX_SKEW.check(self.max_skew)
    }

    /// Width of each lane's `skew` field (holds `0..=max_skew`).
    pub fn skew_width(&self) -> u32 {
        bits_for(self.max_skew as usize + 1)
    }

    /// Words in each delay line: a power of two above `max_skew + 1`, so the
    /// word read is never the one being written.
    pub fn line_depth(&self) -> u32 {
        (self.max_skew + 2).next_power_of_two()
    }
}

/// Per-lane state of the measurement.
#[derive(Clone, Copy)]
struct Lane {
    /// The lane's marker is stamped in the open window.
    seen: Signal,
    /// When it arrived (window time).
    arrival: Signal,
    /// The delay in use.
    delay: Signal,
}

/// Builds the deskew block as module `module_name`.
pub fn deskew(module_name: &str, cfg: &DeskewConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (n, w, sw) = (cfg.lanes, cfg.width, cfg.skew_width());
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_data = m.input("in_data", n * w);
    let in_marker = m.input("in_marker", n);
    let out_data = m.output("out_data", n * w);
    let out_marker = m.output("out_marker", n);
    let aligned = m.output("aligned", 1);
    let error = m.output("error", 1);
    let skew = m.output("skew", n * sw);

    let lanes: Vec<Lane> = (0..n)
        .map(|i| Lane {
            seen: m.reg(format!("seen_{i}"), 1).reset(0),
            arrival: m.reg(format!("arrival_{i}"), sw).reset(0),
            delay: m.reg(format!("delay_{i}"), sw).reset(0),
        })
        .collect();
    let open = m.reg("window_open", 1).reset(0);
    let time = m.reg("window_time", sw).reset(0);
    let locked = m.reg("locked", 1).reset(0);
    let aligned_q = m.reg("aligned_q", 1).reset(0);
    let error_q = m.reg("error_q", 1).reset(0);

    // Window time of this edge, and each lane's arrival including this edge.
    let now = m.wire("now", sw);
    m.assign(now, mux(open, time, lit(0, sw)));
    let mark = |i: u32| in_marker.bit(i);
    let all_seen = concat((0..n).map(|i| lanes[i as usize].seen | mark(i)).collect()).all();
    let stamp: Vec<Expr> = lanes.iter().map(|l| mux(l.seen, l.arrival, now)).collect();
    let new_delay: Vec<Expr> = stamp.iter().map(|s| Expr::from(now) - s.clone()).collect();
    let active = open | in_marker.any();
    let complete = active.clone() & all_seen.clone();
    let fail = active.clone() & !all_seen & now.eq(lit(cfg.max_skew.into(), sw));
    let changed = concat(
        lanes
            .iter()
            .zip(&new_delay)
            .map(|(l, d)| l.delay.ne(d.clone()))
            .collect(),
    )
    .any();

    m.when(complete.clone(), |m| {
        for (l, d) in lanes.iter().zip(&new_delay) {
            m.next(l.delay, d.clone());
        }
        m.next(locked, high());
        m.next(error_q, low());
    })
    .elsewhen(fail.clone(), |m| {
        m.next(locked, low());
        m.next(error_q, high());
    });
    m.when(complete.clone() | fail.clone(), |m| {
        m.next(open, low());
        m.next(time, lit(0, sw));
        for l in &lanes {
            m.next(l.seen, low());
        }
    })
    .elsewhen(active, |m| {
        m.next(open, high());
        m.next(time, Expr::from(now) + 1);
        for (i, (l, s)) in lanes.iter().zip(&stamp).enumerate() {
            m.next(l.seen, l.seen | mark(i as u32));
            m.next(l.arrival, s.clone());
        }
    });
    m.next(aligned_q, locked & !(complete & changed) & !fail);

    // The delay lines: lane i is read `1 + delay` words behind the write
    // pointer, into the read port's register.
    let depth = cfg.line_depth();
    let aw = depth.trailing_zeros();
    let wp = m.reg("wr_ptr", aw).reset(0);
    m.next(wp, wp + 1);
    let mut outs = Vec::new();
    for (i, l) in lanes.iter().enumerate() {
        let i = i as u32;
        let mem = m.memory(format!("line_{i}"), w + 1, depth);
        m.mem_write(mem, wp, cat![mark(i), in_data.slice(i * w + w - 1, i * w)]);
        // `aw >= sw` because the depth exceeds `max_skew + 1`.
        let addr = wp - l.delay.zext(aw) - 1;
        outs.push(m.mem_read(mem, format!("line_q_{i}"), addr, high()));
    }
    let lanes_msb_first =
        |part: fn(Signal, u32) -> Expr| concat(outs.iter().rev().map(|&q| part(q, w)).collect());
    m.assign(out_data, lanes_msb_first(|q, w| q.trunc(w)));
    m.assign(out_marker, lanes_msb_first(|q, w| q.bit(w)));
    m.assign(
        skew,
        concat(lanes.iter().rev().map(|l| Expr::from(l.delay)).collect()),
    );
    for l in &lanes {
        m.assert_always(
            l.delay.le(lit(cfg.max_skew.into(), l.delay.width())),
            "no lane is delayed by more than max_skew",
        );
    }
    m.assign(aligned, aligned_q);
    m.assign(error, error_q);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "deskew",
        doc: "lane-to-lane deskew on a common marker with per-lane delay lines",
        params: vec![LANES.spec(), WIDTH.spec(), MAX_SKEW.spec()],
        build: |name, p| Ok(deskew(name, &DeskewConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
