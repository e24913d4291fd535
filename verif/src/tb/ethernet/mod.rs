//! Testbenches of the Ethernet family: the blocks' reference models
//! ([`model`]), the blocks' own testbenches ([`blocks`]), a transmitter's
//! XGMII stream ([`source`]), a PCS's ports driven through a serial line
//! ([`ports`]), and the PCS testbench.
//!
//! The PCS testbench: random frames (with FCS; one in
//! [`CORRUPT_ONE_IN`] sent with a wrong FCS) through `eth_pcs`'s transmit
//! path, a serial line (`verif::models::serial`) and the receive path, both
//! clocks at the same rate. The line starts at a random bit offset; when
//! the SERDES carries the headers (no PCS gearbox) a quarter into the run
//! it flips the header of one block in 8, [`BURST_HEADERS`] times (enough
//! for `hi_ber` in a window of at least 256 blocks, too few to lose block
//! lock); in the middle tenth of the run it slips one bit and makes random
//! bit errors. Every received frame is checked:
//!
//! - lock within [`EthPcsConfig::lock_bound_blocks`] blocks, at the start
//!   and after the disturbance (when the run is long enough to tell);
//! - lock is never lost on a clean line;
//! - `rx_hi_ber` rises during the header burst (when the run is long
//!   enough and the window at least 256 blocks), only then or in the
//!   disturbance, and falls within two windows of the burst's end unless
//!   the run ends first;
//! - every frame sent on a clean, locked line without `hi_ber` arrives
//!   intact and in order: as a good frame, or as an FCS error when it was
//!   sent with a wrong FCS;
//! - no received frame unlike every sent one passes with a correct FCS;
//! - the PCS's frame, FCS-error and frame-error counters equal the
//!   testharness's own count of the received stream ([`model::fcs::Monitor`]).
//!
//! Metrics: frames sent, received good, bad and lost, frames sent with a
//! wrong FCS and caught, lock and relock time in blocks, the cycle
//! `hi_ber` rose, the PCS counters, and the header errors, bit errors and
//! slips injected.

pub mod blocks;
pub mod model;
pub mod ports;
pub mod source;

use crate::models::serial::SerialChannel;
use crate::models::xorshift::XorShift;
use crate::tb::{draw, Failure, Outcome, Testbench, RESET_CYCLES};
use crate::{Sim, SimError};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::ethernet::pcs::{EthPcsConfig, COUNTERS};
use linkforge_rtl::ethernet::SEQUENCE;
use linkforge_rtl::RtlError;
use model::fcs::{self, FrameEnd, Monitor};
use ports::{PcsPorts, LINE_DELAY};
use source::Source;

/// Mean line bits between bit errors during the disturbance.
const ERROR_INTERVAL: u64 = 3000;
/// Frame body lengths (before the FCS), and idles between frames.
const BODY: (u64, u64) = (46, 200);
const IPG: (u64, u64) = (5, 16);
/// One frame in this many is sent with a wrong FCS.
pub const CORRUPT_ONE_IN: u64 = 16;
/// One refill of the transmit stream in this many is a remote fault
/// ordered set instead of a frame.
pub const ORDERED_SET_ONE_IN: u64 = 8;
/// The data bytes of a remote fault ordered set.
const REMOTE_FAULT_DATA: [u8; 3] = [0, 0, 2];
/// A remote fault ordered set as [`ordered_sets`] returns it.
const REMOTE_FAULT: u32 = u32::from_le_bytes([
    SEQUENCE,
    REMOTE_FAULT_DATA[0],
    REMOTE_FAULT_DATA[1],
    REMOTE_FAULT_DATA[2],
]);
/// Blocks with a flipped header in the burst, and blocks between them.
pub const BURST_HEADERS: u64 = 32;
const BURST_SPACING: u64 = 8;

/// Scoreboard of an `eth_pcs` variant.
pub struct EthPcsTb {
    cfg: EthPcsConfig,
    /// Prefix of the PCS's ports in the design.
    prefix: String,
}

impl EthPcsTb {
    /// The testbench of the PCS `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        Self::prefixed(params, "")
    }

    /// The testbench of a PCS whose ports are named `PREFIX` + port in the
    /// design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Result<Self, RtlError> {
        Ok(EthPcsTb {
            cfg: EthPcsConfig::from_params(params)?,
            prefix: prefix.to_string(),
        })
    }

    /// Cycles from a word entering the transmit XGMII to leaving the
    /// receive XGMII, at most: pipelines, gearboxes, the receive state
    /// machine's wait for the next block and the line's delay.
    fn latency_cycles(&self) -> u64 {
        let w = u64::from(self.cfg.width);
        12 + (5 * 66 + LINE_DELAY as u64 + 66) / w
    }

    /// Cycles for `blocks` received blocks.
    fn cycles_for_blocks(&self, blocks: u64) -> u64 {
        let per_cycle = if self.cfg.gearbox {
            f64::from(self.cfg.width) / 66.0
        } else {
            1.0
        };
        (blocks as f64 / per_cycle).ceil() as u64 + self.latency_cycles()
    }
}

/// A frame sent, with the cycles its first and last words were sent.
struct Sent {
    bytes: Vec<u8>,
    /// Sent with a wrong FCS.
    corrupt: bool,
    first_word: u64,
    last_word: u64,
}

/// Everything a run records.
#[derive(Default)]
struct Record {
    sent: Vec<Sent>,
    /// Cycle each transmit word was taken.
    word_cycle: Vec<u64>,
    /// Frames the receive stream ended, with the cycle.
    ends: Vec<(FrameEnd, u64)>,
    /// Cycles where block lock rose and fell.
    rises: Vec<u64>,
    falls: Vec<u64>,
    /// Received blocks (words) so far at each rise and fall.
    rise_blocks: Vec<u64>,
    fall_blocks: Vec<u64>,
    /// Cycles where `rx_hi_ber` rose and fell.
    hi_ber_rises: Vec<u64>,
    hi_ber_falls: Vec<u64>,
    /// Headers flipped on the line.
    header_errors: u64,
    /// Transmit words taken with an ordered set, and remote faults received.
    ordered_sets_sent: u64,
    remote_faults_received: u64,
    /// Counters at the end, in [`COUNTERS`] order.
    counters: Vec<u64>,
}

/// Edges from the one after which a received word is read to the one
/// where the PCS counts the frame it ends (the monitor takes the word at
/// the next edge and counts at the edge after).
const COUNT_LAG: u64 = 2;

/// The run's plan, in cycles: the header burst (if any) and the
/// disturbance window.
struct Plan {
    burst: Option<(u64, u64)>,
    disturb: (u64, u64),
}

impl Plan {
    /// Whether the burst flips the header sent at `cycle`.
    fn flips_header(&self, cycle: u64) -> bool {
        self.burst
            .is_some_and(|(b0, b1)| (b0..b1).contains(&cycle) && (cycle - b0) % BURST_SPACING == 0)
    }
}

impl EthPcsTb {
    /// Simulates the run and records it.
    fn simulate(
        &self,
        sim: &mut Sim,
        cycles: u64,
        plan: &Plan,
        rng: &mut XorShift,
        line: &mut SerialChannel,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Record, Failure> {
        let fail = |cycle: u64| {
            move |e: SimError| Failure {
                cycle,
                message: e.to_string(),
            }
        };
        let ports = PcsPorts::new(sim, &self.prefix, self.cfg.gearbox).map_err(fail(0))?;
        let slip_adds = rng.word() & 1 == 1;
        let mut source = Source::new();
        let mut monitor = Monitor::new();
        let mut rec = Record::default();
        let mut locked = false;
        let mut hi_ber = false;
        let mut blocks = 0u64;
        for cycle in 0..cycles {
            let f = fail(cycle);
            let in_reset = cycle < RESET_CYCLES;
            ports.reset(sim, in_reset).map_err(f)?;
            if cycle == plan.disturb.0 {
                line.slip(slip_adds);
                line.set_error_interval(ERROR_INTERVAL);
            }
            if cycle == plan.disturb.1 {
                line.set_error_interval(0);
            }
            let flip = ports.tx_hdr.is_some() && plan.flips_header(cycle);
            rec.header_errors += u64::from(flip);
            ports.carry(sim, line, flip).map_err(f)?;
            if sim.peek_handle(ports.tx_ready) == 1 && !in_reset {
                while source.queued() < 16 {
                    let ipg = IPG.0 + rng.word() % (IPG.1 - IPG.0 + 1);
                    if rng.word() % ORDERED_SET_ONE_IN == 0 {
                        source.ordered_set(REMOTE_FAULT_DATA, ipg as usize);
                        continue;
                    }
                    let len = BODY.0 + rng.word() % (BODY.1 - BODY.0 + 1);
                    let body: Vec<u8> = (0..len).map(|_| rng.word() as u8).collect();
                    let mut bytes = fcs::with_fcs(&body);
                    let corrupt = rng.word() % CORRUPT_ONE_IN == 0;
                    if corrupt {
                        let at = bytes.len() - 1 - (rng.word() % 4) as usize;
                        bytes[at] ^= 1 << (rng.word() % 8);
                    }
                    let start = source.frame(&bytes, ipg as usize);
                    rec.sent.push(Sent {
                        first_word: start / 8,
                        last_word: (start + 8 + bytes.len() as u64) / 8,
                        bytes,
                        corrupt,
                    });
                }
                let (d, c) = source.word();
                rec.ordered_sets_sent += u64::from(has_ordered_set(d, c));
                ports.send(sim, (d, c)).map_err(f)?;
                rec.word_cycle.push(cycle);
            }
            sim.step().map_err(fail(cycle))?;
            progress(cycle + 1);
            let received = if in_reset { None } else { ports.received(sim) };
            if let Some((d, c)) = received {
                blocks += 1;
                rec.remote_faults_received +=
                    ordered_sets(d, c).filter(|&o| o == REMOTE_FAULT).count() as u64;
                if let Some(end) = monitor.word(d, c) {
                    rec.ends.push((end, cycle));
                }
            }
            let hi = sim.peek_handle(ports.hi_ber) == 1;
            if hi != hi_ber {
                let at = if hi {
                    &mut rec.hi_ber_rises
                } else {
                    &mut rec.hi_ber_falls
                };
                at.push(cycle);
                hi_ber = hi;
            }
            let now = sim.peek_handle(ports.lock) == 1;
            if now != locked {
                let (at, count) = if now {
                    (&mut rec.rises, &mut rec.rise_blocks)
                } else {
                    (&mut rec.falls, &mut rec.fall_blocks)
                };
                at.push(cycle);
                count.push(blocks);
                locked = now;
            }
        }
        rec.counters = ports.counters.iter().map(|&h| sim.peek_handle(h)).collect();
        Ok(rec)
    }
}

/// Checks a record; the metrics on success.
fn judge(
    s: &EthPcsTb,
    rec: &Record,
    cycles: u64,
    plan: &Plan,
) -> Result<Vec<(String, String)>, Failure> {
    let fail = |cycle: u64, message: String| Err(Failure { cycle, message });
    let bound = s.cfg.lock_bound_blocks();
    let bound_cycles = s.cycles_for_blocks(bound);
    let latency = s.latency_cycles();
    let (d0, d1) = plan.disturb;
    // The disturbance reaches the receiver up to `latency` cycles late.
    let d1 = d1 + latency;

    // Lock at the start, lock kept on a clean line, relock after.
    let first_lock = rec.rises.first().copied();
    let lock_blocks = rec.rise_blocks.first().copied();
    if d0 > RESET_CYCLES + bound_cycles
        && first_lock.is_none_or(|r| r > RESET_CYCLES + bound_cycles)
    {
        return fail(
            RESET_CYCLES + bound_cycles,
            format!("no block lock within {bound} blocks of reset"),
        );
    }
    // A slip loses lock within two windows of 64 blocks.
    let may_fall = d1.max(d0 + s.cycles_for_blocks(2 * 64 + u64::from(s.cfg.slip_wait)));
    if let Some(&f) = rec.falls.iter().find(|&&f| f < d0 || f > may_fall) {
        return fail(f, "block lock lost on a clean line".into());
    }
    let loss = rec.falls.first().copied();
    let last_rise = rec.rises.last().copied();
    let relocked = loss.and(last_rise).filter(|&r| r > loss.unwrap_or(0));
    let relock_blocks = loss.and_then(|_| {
        let lost_at = rec.fall_blocks[0];
        relocked.map(|_| rec.rise_blocks[rec.rise_blocks.len() - 1] - lost_at)
    });
    if let Some(lost) = loss {
        // The bit errors go on to the disturbance's end, and one on a
        // header while the lock searches sends it round the offsets again:
        // the bound holds from when the line is clean.
        let deadline = lost.max(d1) + bound_cycles;
        let last_fall = rec.falls.last().copied().unwrap_or(lost);
        let regained = last_rise.is_some_and(|r| r > last_fall && r <= deadline);
        if deadline < cycles && !regained {
            return fail(
                deadline,
                format!("block lock not regained within {bound} blocks of the line being clean"),
            );
        }
    }
    if let Some(b) = lock_blocks.filter(|&b| b > bound) {
        return fail(
            0,
            format!("block lock took {b} blocks, over the bound {bound}"),
        );
    }

    // hi_ber: up during the burst, only then or in the disturbance, and
    // down again within two windows of the burst's end.
    let window = u64::from(s.cfg.ber_window);
    let burst = plan.burst.map(|(b0, b1)| (b0, b1 + latency));
    let within = |c: u64, w: Option<(u64, u64)>| w.is_some_and(|(a, b)| (a..=b).contains(&c));
    if let Some(&r) = rec
        .hi_ber_rises
        .iter()
        .find(|&&r| !within(r, burst) && !within(r, Some((d0, may_fall))))
    {
        return fail(r, "rx_hi_ber rose on a clean line".into());
    }
    if let Some((b0, b1)) = burst {
        let held_lock = first_lock.is_some_and(|r| r < b0) && !rec.falls.iter().any(|&f| f <= b1);
        if held_lock && window >= BURST_HEADERS * BURST_SPACING && b1 < cycles {
            if !rec.hi_ber_rises.iter().any(|&r| within(r, burst)) {
                return fail(
                    b1,
                    format!("{BURST_HEADERS} invalid headers did not raise rx_hi_ber"),
                );
            }
            let clear_by = b1 + s.cycles_for_blocks(2 * window);
            let cleared = rec.hi_ber_falls.iter().any(|&f| f > b0 && f <= clear_by);
            if clear_by < cycles.min(d0) && !cleared {
                return fail(clear_by, "rx_hi_ber stayed up on a clean line".into());
            }
        }
    }

    // A frame must arrive when its words all travel a clean, locked line
    // without hi_ber.
    let good_spans = good_spans(rec, cycles);
    let troubled = [burst, Some((d0, d1))];
    let protected = |f: &Sent| -> bool {
        let at = |w: u64| rec.word_cycle.get(w as usize).copied();
        let (Some(first), Some(last)) = (at(f.first_word), at(f.last_word)) else {
            return false;
        };
        let end = last + latency;
        let clean = !troubled
            .iter()
            .flatten()
            .any(|&(a, b)| first <= b && a <= end);
        clean && good_spans.iter().any(|&(a, b)| a <= first && end < b)
    };

    // Received frames against the sent ones, in order.
    let (mut next, mut good, mut fcs_errors, mut aborted, mut lost, mut caught) =
        (0usize, 0, 0, 0, 0, 0);
    for (end, cycle) in &rec.ends {
        let bytes = match end {
            FrameEnd::Good(bytes) => bytes,
            FrameEnd::FcsError(bytes) => {
                fcs_errors += 1;
                bytes
            }
            FrameEnd::Aborted => {
                aborted += 1;
                continue;
            }
        };
        let Some(i) = rec.sent[next..].iter().position(|f| f.bytes == *bytes) else {
            if matches!(end, FrameEnd::Good(_)) {
                return fail(
                    *cycle,
                    format!(
                        "a {}-byte frame that was never sent passed with a correct FCS",
                        bytes.len()
                    ),
                );
            }
            // A frame the line corrupted.
            continue;
        };
        if let Some(f) = rec.sent[next..next + i].iter().find(|f| protected(f)) {
            return fail(*cycle, never_arrived(rec, f));
        }
        lost += i;
        if rec.sent[next + i].corrupt {
            caught += 1;
        } else {
            good += 1;
        }
        next += i + 1;
    }
    if let Some(f) = rec.sent[next..].iter().find(|f| protected(f)) {
        return fail(cycles, never_arrived(rec, f));
    }

    // The PCS's counters against the testharness's count.
    let counter = |name: &str| {
        COUNTERS
            .iter()
            .position(|c| *c == name)
            .map_or(0, |i| rec.counters[i])
    };
    let counted = |kind: fn(&FrameEnd) -> bool| {
        rec.ends
            .iter()
            .filter(|(e, c)| c + COUNT_LAG < cycles && kind(e))
            .count() as u64
    };
    if counter("tx_ordered_sets") != rec.ordered_sets_sent {
        return fail(
            cycles,
            format!(
                "tx_ordered_sets is {}, the testbench sent {} words with ordered sets",
                counter("tx_ordered_sets"),
                rec.ordered_sets_sent
            ),
        );
    }
    for (name, want) in [
        ("rx_frames", counted(|_| true)),
        (
            "rx_fcs_errors",
            counted(|e| matches!(e, FrameEnd::FcsError(_))),
        ),
        ("rx_frame_errors", counted(|e| *e == FrameEnd::Aborted)),
    ] {
        if counter(name) != want {
            return fail(
                cycles,
                format!(
                    "{name} is {}, the received stream ended {want} such frames",
                    counter(name)
                ),
            );
        }
    }

    let done: Vec<&Sent> = rec
        .sent
        .iter()
        .filter(|f| rec.word_cycle.get(f.last_word as usize).is_some())
        .collect();
    let show = |v: Option<u64>| v.map_or_else(|| "n/a".to_string(), |b| b.to_string());
    let mut metrics = vec![
        ("frames".to_string(), done.len().to_string()),
        ("frames_good".into(), good.to_string()),
        ("frames_bad".into(), (fcs_errors + aborted).to_string()),
        ("frames_lost".into(), lost.to_string()),
        (
            "frames_fcs_corrupted".into(),
            done.iter().filter(|f| f.corrupt).count().to_string(),
        ),
        ("frames_fcs_corrupted_caught".into(), caught.to_string()),
        ("lock_time_blocks".into(), show(lock_blocks)),
        ("relock_time_blocks".into(), show(relock_blocks)),
        ("lock_bound_blocks".into(), bound.to_string()),
        (
            "hi_ber_rise_cycle".into(),
            show(rec.hi_ber_rises.first().copied()),
        ),
    ];
    metrics.extend(
        COUNTERS
            .iter()
            .zip(&rec.counters)
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    Ok(metrics)
}

/// The sequence ordered sets (lanes 0..3 or 4..7, `9Ch` first) of an
/// XGMII word, each as the four bytes of its lanes.
fn ordered_sets(d: u64, c: u8) -> impl Iterator<Item = u32> {
    [0, 4]
        .into_iter()
        .filter(move |&lane| c >> lane & 1 == 1 && (d >> (8 * lane)) as u8 == SEQUENCE)
        .map(move |lane| (d >> (8 * lane)) as u32)
}

/// An XGMII word holds a sequence ordered set.
fn has_ordered_set(d: u64, c: u8) -> bool {
    ordered_sets(d, c).next().is_some()
}

/// The failure message of a frame that should have arrived and did not.
fn never_arrived(rec: &Record, f: &Sent) -> String {
    format!(
        "the {}-byte frame sent from cycle {} on a clean locked line never arrived",
        f.bytes.len(),
        rec.word_cycle[f.first_word as usize]
    )
}

/// The spans of cycles `[from, to)` with block lock and without `hi_ber`.
fn good_spans(rec: &Record, cycles: u64) -> Vec<(u64, u64)> {
    let mut changes: Vec<(u64, bool, bool)> = [
        (&rec.rises, true, true),
        (&rec.falls, true, false),
        (&rec.hi_ber_rises, false, true),
        (&rec.hi_ber_falls, false, false),
    ]
    .iter()
    .flat_map(|&(at, is_lock, up)| at.iter().map(move |&c| (c, is_lock, up)))
    .collect();
    changes.sort();
    let (mut lock, mut hi_ber, mut from) = (false, false, None);
    let mut spans = Vec::new();
    for (cycle, is_lock, up) in changes {
        if is_lock {
            lock = up;
        } else {
            hi_ber = up;
        }
        match (lock && !hi_ber, from) {
            (true, None) => from = Some(cycle),
            (false, Some(f)) => {
                spans.push((f, cycle));
                from = None;
            }
            _ => {}
        }
    }
    spans.extend(from.map(|f| (f, cycles)));
    spans
}

impl Testbench for EthPcsTb {
    fn words_per_cycle(&self) -> usize {
        1
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        let mut rng = XorShift::new(draw(words, 64).low_u64());
        let offset = (rng.word() % 66) as usize;
        let mut line = SerialChannel::new(rng.word(), LINE_DELAY + offset);
        let disturb = (cycles * 45 / 100, cycles * 55 / 100);
        // The burst after lock (within the bound) and before the
        // disturbance, only when the SERDES carries the headers.
        let b0 = (cycles / 4)
            .max(RESET_CYCLES + self.cycles_for_blocks(self.cfg.lock_bound_blocks() + 64));
        let b1 = b0 + BURST_HEADERS * BURST_SPACING;
        let burst =
            (!self.cfg.gearbox && b1 + self.latency_cycles() < disturb.0).then_some((b0, b1));
        let plan = Plan { burst, disturb };
        let rec = self.simulate(sim, cycles, &plan, &mut rng, &mut line, progress)?;
        let mut metrics = judge(self, &rec, cycles, &plan)?;
        metrics.extend([
            ("offset_bits".to_string(), offset.to_string()),
            (
                "header_errors_injected".into(),
                rec.header_errors.to_string(),
            ),
            (
                "ordered_sets_sent".into(),
                rec.ordered_sets_sent.to_string(),
            ),
            (
                "remote_faults_received".into(),
                rec.remote_faults_received.to_string(),
            ),
            ("bit_errors_injected".into(), line.errors.to_string()),
            ("slips_injected".into(), line.slips.to_string()),
        ]);
        Ok(Outcome {
            cycles,
            checks_passed: rec.ends.len() as u64 + COUNTERS.len() as u64,
            metrics,
            pictures: Vec::new(),
        })
    }
}
