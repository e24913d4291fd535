//! The Ethernet PCS scenario: random frames (with FCS) through `eth_pcs`'s
//! transmit path, a serial line (`verif::models::serial`) and the receive
//! path, both clocks at the same rate. The line starts at a random bit
//! offset; in the middle tenth of the run it slips one bit and makes random
//! bit errors. Every received frame is checked:
//!
//! - lock within [`EthPcsConfig::lock_bound_blocks`] blocks, at the start
//!   and after the disturbance (when the run is long enough to tell);
//! - lock is never lost on a clean line;
//! - every frame sent on a clean, locked line arrives intact and in order;
//! - no received frame unlike every sent one passes with a correct FCS;
//! - the PCS's frame, FCS-error and frame-error counters equal the
//!   scenario's own count of the received stream (`fcs::Monitor`).
//!
//! Metrics: frames sent, received good, bad and lost, lock and relock time
//! in blocks, the PCS counters, and the bit errors and slips injected.

use super::{draw, Failure, Outcome, Scenario, RESET_CYCLES};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::ethernet::fcs::{self, FrameEnd, Monitor, Source};
use linkforge_rtl::ethernet::pcs::{EthPcsConfig, COUNTERS};
use linkforge_verif::models::serial::SerialChannel;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::sim::SignalHandle;
use linkforge_verif::{Sim, SimError};

/// Random bits on the line ahead of the data, besides the random offset,
/// so that slips never empty it.
const LINE_DELAY: usize = 200;
/// Mean line bits between bit errors during the disturbance.
const ERROR_INTERVAL: u64 = 3000;
/// Frame body lengths (before the FCS), and idles between frames.
const BODY: (u64, u64) = (46, 200);
const IPG: (u64, u64) = (5, 16);

/// Scoreboard of an `eth_pcs` variant.
pub struct EthPcsScenario {
    cfg: EthPcsConfig,
    /// Prefix of the PCS's ports in the design.
    prefix: String,
}

impl EthPcsScenario {
    /// The scenario, when the parameters describe a valid PCS.
    pub fn new(params: &Params) -> Option<Self> {
        Self::prefixed(params, "")
    }

    /// The scenario of a PCS whose ports are named `PREFIX` + port in the
    /// design (a card's component).
    pub fn prefixed(params: &Params, prefix: &str) -> Option<Self> {
        EthPcsConfig::from_params(params)
            .ok()
            .map(|cfg| EthPcsScenario {
                cfg,
                prefix: prefix.to_string(),
            })
    }

    /// Cycles from a word entering the transmit XGMII to leaving the
    /// receive XGMII, at most: pipelines, gearboxes and the line's delay.
    fn latency_cycles(&self) -> u64 {
        let w = u64::from(self.cfg.width);
        8 + (4 * 66 + LINE_DELAY as u64 + 66) / w
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
    /// Counters at the end, in [`COUNTERS`] order.
    counters: Vec<u64>,
}

/// Edges from the one after which a received word is read to the one
/// where the PCS counts the frame it ends (the monitor takes the word at
/// the next edge and counts at the edge after).
const COUNT_LAG: u64 = 2;

/// The ports the scenario drives and reads.
struct Ports {
    tx_rst: SignalHandle,
    rx_rst: SignalHandle,
    txd: SignalHandle,
    txc: SignalHandle,
    tx_ready: SignalHandle,
    tx_data: SignalHandle,
    tx_hdr: Option<SignalHandle>,
    rx_data: SignalHandle,
    rx_hdr: Option<SignalHandle>,
    bitslip: SignalHandle,
    rx_valid: SignalHandle,
    rxd: SignalHandle,
    rxc: SignalHandle,
    lock: SignalHandle,
    counters: Vec<SignalHandle>,
}

impl Ports {
    fn new(sim: &Sim, prefix: &str, gearbox: bool) -> Result<Ports, SimError> {
        let s = |n: &str| sim.signal(&format!("{prefix}{n}"));
        Ok(Ports {
            tx_rst: s("tx_rst")?,
            rx_rst: s("rx_rst")?,
            txd: s("xgmii_txd")?,
            txc: s("xgmii_txc")?,
            tx_ready: s("xgmii_tx_ready")?,
            tx_data: s("serdes_tx_data")?,
            tx_hdr: if gearbox {
                None
            } else {
                Some(s("serdes_tx_hdr")?)
            },
            rx_data: s("serdes_rx_data")?,
            rx_hdr: if gearbox {
                None
            } else {
                Some(s("serdes_rx_hdr")?)
            },
            bitslip: s("serdes_rx_bitslip")?,
            rx_valid: s("xgmii_rx_valid")?,
            rxd: s("xgmii_rxd")?,
            rxc: s("xgmii_rxc")?,
            lock: s("rx_block_lock")?,
            counters: COUNTERS.iter().map(|n| s(n)).collect::<Result<_, _>>()?,
        })
    }
}

/// The run's plan: the disturbance window, in cycles.
struct Plan {
    disturb: (u64, u64),
}

impl EthPcsScenario {
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
        let ports = Ports::new(sim, &self.prefix, self.cfg.gearbox).map_err(fail(0))?;
        let slip_adds = rng.word() & 1 == 1;
        let w = self.cfg.width;
        let mut source = Source::new();
        let mut monitor = Monitor::new();
        let mut rec = Record::default();
        let mut locked = false;
        let mut blocks = 0u64;
        for cycle in 0..cycles {
            let f = fail(cycle);
            let in_reset = cycle < RESET_CYCLES;
            sim.poke_handle(ports.tx_rst, u64::from(in_reset))
                .map_err(f)?;
            sim.poke_handle(ports.rx_rst, u64::from(in_reset))
                .map_err(f)?;
            if cycle == plan.disturb.0 {
                line.slip(slip_adds);
                line.set_error_interval(ERROR_INTERVAL);
            }
            if cycle == plan.disturb.1 {
                line.set_error_interval(0);
            }
            let tx_data = sim.peek_handle(ports.tx_data);
            match (ports.tx_hdr, ports.rx_hdr) {
                (Some(tx_hdr), Some(rx_hdr)) => {
                    line.send(sim.peek_handle(tx_hdr), 2);
                    line.send(tx_data, 64);
                    if sim.peek_handle(ports.bitslip) == 1 {
                        line.receive(1);
                    }
                    let hdr = line.receive(2);
                    sim.poke_handle(rx_hdr, hdr).map_err(f)?;
                    let data = line.receive(64);
                    sim.poke_handle(ports.rx_data, data).map_err(f)?;
                }
                _ => {
                    line.send(tx_data, w);
                    let data = line.receive(w);
                    sim.poke_handle(ports.rx_data, data).map_err(f)?;
                }
            }
            if sim.peek_handle(ports.tx_ready) == 1 {
                while source.queued() < 16 {
                    let len = BODY.0 + rng.word() % (BODY.1 - BODY.0 + 1);
                    let body: Vec<u8> = (0..len).map(|_| rng.word() as u8).collect();
                    let bytes = fcs::with_fcs(&body);
                    let ipg = IPG.0 + rng.word() % (IPG.1 - IPG.0 + 1);
                    let start = source.frame(&bytes, ipg as usize);
                    rec.sent.push(Sent {
                        first_word: start / 8,
                        last_word: (start + 8 + bytes.len() as u64) / 8,
                        bytes,
                    });
                }
                let (d, c) = source.word();
                sim.poke_handle(ports.txd, d).map_err(f)?;
                sim.poke_handle(ports.txc, c.into()).map_err(f)?;
                rec.word_cycle.push(cycle);
            }
            sim.step().map_err(fail(cycle))?;
            progress(cycle + 1);
            if sim.peek_handle(ports.rx_valid) == 1 && !in_reset {
                blocks += 1;
                let d = sim.peek_handle(ports.rxd);
                let c = sim.peek_handle(ports.rxc) as u8;
                if let Some(end) = monitor.word(d, c) {
                    rec.ends.push((end, cycle));
                }
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
    s: &EthPcsScenario,
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
        if lost + bound_cycles < cycles && relock_blocks.is_none_or(|b| b > bound) {
            return fail(
                lost + bound_cycles,
                format!("block lock not regained within {bound} blocks"),
            );
        }
    }
    if let Some(b) = lock_blocks.filter(|&b| b > bound) {
        return fail(
            0,
            format!("block lock took {b} blocks, over the bound {bound}"),
        );
    }

    // A frame must arrive when its words all travel a clean, locked line.
    let epoch_start = match (loss, relocked) {
        (Some(_), Some(r)) => Some(r.max(d1)),
        (Some(_), None) => None,
        (None, _) => first_lock.map(|r| r.max(d1)),
    };
    let protected = |f: &Sent| -> bool {
        let at = |w: u64| rec.word_cycle.get(w as usize).copied();
        let (Some(first), Some(last)) = (at(f.first_word), at(f.last_word)) else {
            return false;
        };
        let before = first_lock.is_some_and(|r| first >= r) && last + latency < d0;
        let after = epoch_start.is_some_and(|r| first >= r) && last + latency < cycles;
        before || after
    };

    // Received good frames against the sent ones, in order.
    let (mut next, mut good, mut fcs_errors, mut aborted, mut lost) = (0usize, 0, 0, 0, 0);
    for (end, cycle) in &rec.ends {
        match end {
            FrameEnd::Good(bytes) => {
                let Some(i) = rec.sent[next..].iter().position(|f| f.bytes == *bytes) else {
                    return fail(
                        *cycle,
                        format!(
                            "a {}-byte frame that was never sent passed with a correct FCS",
                            bytes.len()
                        ),
                    );
                };
                if let Some(f) = rec.sent[next..next + i].iter().find(|f| protected(f)) {
                    return fail(
                        *cycle,
                        format!(
                            "the {}-byte frame sent from cycle {} on a clean locked line never arrived",
                            f.bytes.len(),
                            rec.word_cycle[f.first_word as usize]
                        ),
                    );
                }
                lost += i;
                next += i + 1;
                good += 1;
            }
            FrameEnd::FcsError(_) => fcs_errors += 1,
            FrameEnd::Aborted => aborted += 1,
        }
    }
    if let Some(f) = rec.sent[next..].iter().find(|f| protected(f)) {
        return fail(
            cycles,
            format!(
                "the {}-byte frame sent from cycle {} on a clean locked line never arrived",
                f.bytes.len(),
                rec.word_cycle[f.first_word as usize]
            ),
        );
    }

    // The PCS's counters against the scenario's count.
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

    let sent_done = rec
        .sent
        .iter()
        .filter(|f| rec.word_cycle.get(f.last_word as usize).is_some())
        .count();
    let show = |v: Option<u64>| v.map_or_else(|| "n/a".to_string(), |b| b.to_string());
    let mut metrics = vec![
        ("frames".to_string(), sent_done.to_string()),
        ("frames_good".into(), good.to_string()),
        ("frames_bad".into(), (fcs_errors + aborted).to_string()),
        ("frames_lost".into(), lost.to_string()),
        ("lock_time_blocks".into(), show(lock_blocks)),
        ("relock_time_blocks".into(), show(relock_blocks)),
        ("lock_bound_blocks".into(), bound.to_string()),
    ];
    metrics.extend(
        COUNTERS
            .iter()
            .zip(&rec.counters)
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    Ok(metrics)
}

impl Scenario for EthPcsScenario {
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
        let plan = Plan {
            disturb: (cycles * 45 / 100, cycles * 55 / 100),
        };
        let rec = self.simulate(sim, cycles, &plan, &mut rng, &mut line, progress)?;
        let mut metrics = judge(self, &rec, cycles, &plan)?;
        metrics.extend([
            ("offset_bits".to_string(), offset.to_string()),
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
