//! A card's end-to-end Ethernet traffic: frames into every attached PCS's
//! SERDES receive side, through its `xgmii_to_switch` bridge, across the
//! switch, out through a `switch_to_xgmii` bridge and the transmit side of
//! the PCS on the destination port, where a scoreboard decodes them.
//!
//! - Clocks: every attached PCS's `rx_clk` and `tx_clk` at [`ETH_PERIOD_PS`]
//!   (with their own phases), the switches and the bus at the card
//!   testharness's period, so each bridge crosses between unrelated clocks.
//! - Setup: the card has just been reset; the testbench programs each
//!   switch's prefetchable window of an attached port to the MAC addresses
//!   of that port's stations, `0A:00:00:00:E:xx` for PCS number `E` in card
//!   order ([`station`]), waits for block lock on every attached PCS
//!   (within its lock bound), then sends frames.
//! - Frames: random bodies, 64 bytes up to the longest the bridge carries,
//!   from a station of the PCS they enter to a random station behind an
//!   attached port of the same switch (possibly the same PCS), scrambled
//!   64b/66b (with a random bit offset on the line; through the PCS's own
//!   gearbox when it has one). One in [`CORRUPT_ONE_IN`] is sent with a
//!   wrong FCS: the receiving bridge must drop it. At most
//!   [`OUTSTANDING`] good frames travel to one destination at a time, so
//!   no buffer on the way can overflow (Ethernet has no flow control).
//! - Checks: every good frame leaves the destination PCS intact (correct
//!   FCS, the bytes sent) and in order per flow (source, destination); a
//!   frame lost, duplicated, reordered, corrupted or misrouted fails the
//!   run, as does a frame still missing when the traffic has drained. The
//!   card then reads each PCS's and switch's counters over the bus and
//!   compares them with [`Delivered`]; the bridges' own counters (card
//!   outputs `PCS_link_*`) must agree too.
//!
//! [`Fault`] injects a fault between a PCS's transmit side and the
//! scoreboard, for tests that the scoreboard catches it.

use crate::models::serial::SerialChannel;
use crate::models::xorshift::XorShift;
use crate::sim::SignalHandle;
use crate::tb::card::model::{mac, mac_window};
use crate::tb::ethernet::model::codec::{decode, encode};
use crate::tb::ethernet::model::fcs::{self, FrameEnd, Monitor};
use crate::tb::ethernet::model::scrambler::Model as Scrambler;
use crate::tb::ethernet::source::Source;
use crate::tb::Failure;
use crate::{Sim, SimError};
use linkforge_rtl::card::bridge::{BridgeConfig, MIN_FRAME_BYTES};
use linkforge_rtl::card::{CardConfig, ComponentKind};
use linkforge_rtl::ethernet::gearbox::BLOCK_BITS;
use linkforge_rtl::ethernet::pcs::EthPcsConfig;
use linkforge_rtl::ethernet::scrambler::Direction;
use linkforge_rtl::switch::route::{reg_addr, REG_PREF_BASE, REG_PREF_LIMIT};
use linkforge_rtl::RtlError;
use std::collections::{HashMap, VecDeque};

/// The period of the attached PCSs' clocks (ps): unrelated to the
/// switch's.
pub const ETH_PERIOD_PS: u64 = 12_800;
/// One frame in this many is sent with a wrong FCS.
pub const CORRUPT_ONE_IN: u64 = 16;
/// Good frames on their way to one destination at most.
pub const OUTSTANDING: usize = 2;
/// Random bits on the receive lines ahead of the data.
const LINE_DELAY: usize = 100;
/// Transmit blocks after reset the scoreboard ignores (the descrambler
/// synchronizes on the first 58 bits).
const WARM_BLOCKS: u64 = 4;
/// Switch clock cycles without a frame arriving after which the drain
/// has failed.
const DRAIN_LIMIT: u64 = 20_000;
/// Switch clock cycles the counters get to settle after the drain.
const SETTLE: u64 = 64;
/// The Ethertype of the frames (IEEE local experimental).
const ETHERTYPE: [u8; 2] = [0x88, 0xB5];

/// A fault the scoreboard must catch, made on the third frame leaving a
/// PCS (only the tests make faults).
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The frame never reaches the scoreboard.
    Lose,
    /// The frame reaches it twice.
    Duplicate,
    /// The frame reaches it after the next one.
    Reorder,
    /// One data bit of the frame flips on the way.
    Corrupt,
}

/// The MAC address of station `host` behind attached PCS `end`.
pub fn station(end: usize, host: u8) -> [u8; 6] {
    [0x0A, 0, 0, 0, end as u8, host]
}

/// An attached PCS.
struct End {
    pcs: String,
    switch: String,
    port: usize,
    cfg: EthPcsConfig,
    bridge: BridgeConfig,
}

/// The card's end-to-end traffic.
pub struct Traffic {
    ends: Vec<End>,
    /// A fault to make, for tests.
    pub fault: Option<Fault>,
}

/// What crossed the card, for the bus reads to match.
#[derive(Debug, Default)]
pub struct Delivered {
    /// Per PCS: frames sent into it, and of those with a wrong FCS.
    pub received: HashMap<String, (u64, u64)>,
    /// Per (switch, port): packets the port's output delivered.
    pub out_packets: HashMap<(String, usize), u64>,
    /// Metrics for the summary.
    pub metrics: Vec<(String, String)>,
    /// Checks that held.
    pub checks: u64,
    /// Switch cycles simulated.
    pub cycles: u64,
}

impl Traffic {
    /// The traffic of `card`'s attached PCSs; `None` when it has none.
    pub fn new(card: &CardConfig) -> Result<Option<Traffic>, RtlError> {
        let mut ends = Vec::new();
        for l in card.links() {
            let pcs = &card.components[l.pcs];
            ends.push(End {
                pcs: pcs.name.clone(),
                switch: card.components[l.switch].name.clone(),
                port: l.port,
                cfg: EthPcsConfig::from_params(&pcs.params)?,
                bridge: card.bridge(l.switch)?,
            });
        }
        Ok((!ends.is_empty()).then_some(Traffic { ends, fault: None }))
    }

    /// Every attachment: (PCS, switch, port).
    pub fn links(&self) -> impl Iterator<Item = (&str, &str, usize)> {
        self.ends
            .iter()
            .map(|e| (e.pcs.as_str(), e.switch.as_str(), e.port))
    }

    /// The clocks the traffic needs running: every attached PCS's and
    /// switch's.
    pub fn clocks(&self) -> Vec<String> {
        self.ends
            .iter()
            .flat_map(|e| {
                [
                    format!("{}_rx_clk", e.pcs),
                    format!("{}_tx_clk", e.pcs),
                    format!("{}_clk", e.switch),
                ]
            })
            .collect()
    }

    /// Whether PCS `name` is attached.
    pub fn attaches(&self, kind: ComponentKind, name: &str) -> bool {
        self.ends.iter().any(|e| match kind {
            ComponentKind::EthPcs => e.pcs == name,
            ComponentKind::Switch => e.switch == name,
            _ => false,
        })
    }

    /// The switch ports attached to PCSs, as a mask per switch name.
    pub fn attached_ports(&self, switch: &str) -> u64 {
        self.ends
            .iter()
            .filter(|e| e.switch == switch)
            .fold(0, |m, e| m | 1 << e.port)
    }

    /// Runs the traffic on a card just reset with every clock at the
    /// switch period: `cycles` switch cycles of frames after block lock,
    /// then the drain.
    pub fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        seed: u64,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Delivered, Failure> {
        Run::new(self, sim, seed)?.go(cycles, progress)
    }
}

/// A frame sent.
struct Frame {
    bytes: Vec<u8>,
    from: usize,
    to: usize,
    /// When its start entered the line (ps).
    sent_ps: Option<u64>,
    /// It has arrived.
    arrived: bool,
}

/// The transmit side of a PCS seen from the line: 66-bit blocks, found by
/// their sync headers when the PCS does its own gearbox.
#[derive(Default)]
struct Aligner {
    bits: VecDeque<bool>,
    locked: bool,
}

impl Aligner {
    /// Blocks tested for valid headers before lock.
    const LOCK_BLOCKS: usize = 64;

    fn push(&mut self, word: u64, n: u32) {
        self.bits.extend((0..n).map(|i| word >> i & 1 == 1));
    }

    fn header_ok(&self, at: usize) -> bool {
        self.bits[at] != self.bits[at + 1]
    }

    /// The next block, `(header, payload)`, once locked.
    fn block(&mut self) -> Option<(u64, u64)> {
        let b = BLOCK_BITS as usize;
        if !self.locked {
            if self.bits.len() < b * (Self::LOCK_BLOCKS + 1) {
                return None;
            }
            let offset =
                (0..b).find(|&o| (0..Self::LOCK_BLOCKS).all(|k| self.header_ok(o + k * b)));
            let drop = offset.unwrap_or(b);
            self.bits.drain(..drop);
            self.locked = offset.is_some();
            if !self.locked {
                return None;
            }
        }
        if self.bits.len() < b {
            return None;
        }
        let mut take = |n: usize| {
            self.bits
                .drain(..n)
                .enumerate()
                .fold(0u64, |w, (i, bit)| w | u64::from(bit) << i)
        };
        let hdr = take(2);
        Some((hdr, take(64)))
    }
}

/// The handles and models of one attached PCS.
struct Port {
    rx_clk: String,
    tx_clk: String,
    rx_data: SignalHandle,
    rx_hdr: Option<SignalHandle>,
    bitslip: SignalHandle,
    tx_data: SignalHandle,
    tx_hdr: Option<SignalHandle>,
    lock: SignalHandle,
    width: u32,
    /// Receive line: the XGMII stream, its encoder's scrambler, the line.
    source: Source,
    scrambler: Scrambler,
    line: SerialChannel,
    words_sent: u64,
    /// Frames whose start is in word `.0`, not yet on the line.
    starts: VecDeque<(u64, usize)>,
    /// Transmit side: the aligner, descrambler and frame monitor.
    aligner: Aligner,
    descrambler: Scrambler,
    monitor: Monitor,
    blocks_seen: u64,
    /// Frames sent into it (all, and with a wrong FCS).
    received: (u64, u64),
    /// Frames that left it.
    delivered: u64,
    /// Frames that left it so far (for the fault), a frame held back.
    left: u64,
    held: Option<FrameEnd>,
}

/// One run's state.
struct Run<'t, 's> {
    traffic: &'t Traffic,
    sim: &'s mut Sim,
    rng: XorShift,
    ports: Vec<Port>,
    frames: Vec<Frame>,
    /// Good frames expected per flow (from, to), in order.
    flows: HashMap<(usize, usize), VecDeque<usize>>,
    /// Good frames on their way to each end.
    outstanding: Vec<usize>,
    /// The switch clock the run counts.
    clock: String,
    cycle: u64,
    generate: bool,
    latencies: Vec<u64>,
    checks: u64,
}

impl<'t, 's> Run<'t, 's> {
    fn new(traffic: &'t Traffic, sim: &'s mut Sim, seed: u64) -> Result<Self, Failure> {
        let mut rng = XorShift::new(seed | 1);
        let mut ports = Vec::new();
        for (k, e) in traffic.ends.iter().enumerate() {
            let gearbox = e.cfg.gearbox;
            let offset = (rng.word() % u64::from(BLOCK_BITS)) as usize;
            let rx_clk = format!("{}_rx_clk", e.pcs);
            let tx_clk = format!("{}_tx_clk", e.pcs);
            let phase = (k as u64 * 1_700) % ETH_PERIOD_PS;
            sim.clock(&rx_clk, ETH_PERIOD_PS, phase)?;
            sim.clock(
                &tx_clk,
                ETH_PERIOD_PS,
                (phase + ETH_PERIOD_PS / 3) % ETH_PERIOD_PS,
            )?;
            let s = |n: &str| sim.signal(&format!("{}_{n}", e.pcs));
            ports.push(Port {
                rx_clk,
                tx_clk,
                rx_data: s("serdes_rx_data")?,
                rx_hdr: (!gearbox).then(|| s("serdes_rx_hdr")).transpose()?,
                bitslip: s("serdes_rx_bitslip")?,
                tx_data: s("serdes_tx_data")?,
                tx_hdr: (!gearbox).then(|| s("serdes_tx_hdr")).transpose()?,
                lock: s("rx_block_lock")?,
                width: e.cfg.width,
                source: Source::new(),
                scrambler: Scrambler::new(),
                line: SerialChannel::new(rng.word(), LINE_DELAY + offset),
                words_sent: 0,
                starts: VecDeque::new(),
                aligner: Aligner::default(),
                descrambler: Scrambler::new(),
                monitor: Monitor::new(),
                blocks_seen: 0,
                received: (0, 0),
                delivered: 0,
                left: 0,
                held: None,
            });
        }
        let clock = format!("{}_clk", traffic.ends[0].switch);
        Ok(Run {
            traffic,
            sim,
            rng,
            ports,
            frames: Vec::new(),
            flows: HashMap::new(),
            outstanding: vec![0; traffic.ends.len()],
            clock,
            cycle: 0,
            generate: false,
            latencies: Vec::new(),
            checks: 0,
        })
    }

    fn fail<T>(&self, message: String) -> Result<T, Failure> {
        Err(Failure {
            cycle: self.cycle,
            message,
        })
    }

    fn cycles(&self, clock: &str) -> Result<u64, SimError> {
        self.sim.cycles(clock)
    }

    /// One simulator step: feeds and reads every PCS whose clock ticked.
    fn step(&mut self) -> Result<(), Failure> {
        let before: Vec<(u64, u64)> = self
            .ports
            .iter()
            .map(|p| Ok((self.cycles(&p.rx_clk)?, self.cycles(&p.tx_clk)?)))
            .collect::<Result<_, SimError>>()?;
        let main = self.cycles(&self.clock)?;
        self.sim.step()?;
        for (k, (rx, tx)) in before.into_iter().enumerate() {
            if self.cycles(&self.ports[k].tx_clk)? > tx {
                self.transmitted(k)?;
            }
            if self.cycles(&self.ports[k].rx_clk)? > rx {
                self.feed(k)?;
            }
        }
        if self.cycles(&self.clock)? > main {
            self.cycle += 1;
        }
        Ok(())
    }

    /// Steps until the switch clock has risen `n` more times.
    fn run_cycles(&mut self, n: u64, progress: &mut dyn FnMut(u64)) -> Result<(), Failure> {
        let end = self.cycle + n;
        while self.cycle < end {
            self.step()?;
            progress(self.cycle);
        }
        Ok(())
    }

    /// Queues a frame (or idles) on `k`'s receive stream.
    fn refill(&mut self, k: usize) {
        let ends = &self.traffic.ends;
        let ipg = 12 + (self.rng.word() % 8) as usize;
        let targets: Vec<usize> = (0..ends.len())
            .filter(|&j| ends[j].switch == ends[k].switch && self.outstanding[j] < OUTSTANDING)
            .collect();
        if !self.generate || targets.is_empty() {
            self.ports[k].source.idle(8);
            return;
        }
        let corrupt = self.rng.word() % CORRUPT_ONE_IN == 0;
        let to = targets[(self.rng.word() % targets.len() as u64) as usize];
        let max = ends[k].bridge.max_frame_bytes();
        let len = MIN_FRAME_BYTES + (self.rng.word() as usize % (max - MIN_FRAME_BYTES + 1));
        let mut body = Vec::with_capacity(len);
        body.extend(station(to, self.rng.word() as u8));
        body.extend(station(k, self.rng.word() as u8));
        body.extend(ETHERTYPE);
        while body.len() < len - 4 {
            body.push(self.rng.word() as u8);
        }
        let mut bytes = fcs::with_fcs(&body);
        let port = &mut self.ports[k];
        port.received.0 += 1;
        if corrupt {
            let at = bytes.len() - 1 - (self.rng.word() % 4) as usize;
            bytes[at] ^= 1 << (self.rng.word() % 8);
            port.received.1 += 1;
            port.source.frame(&bytes, ipg);
            return;
        }
        let start = port.source.frame(&bytes, ipg);
        let id = self.frames.len();
        port.starts.push_back((start / 8, id));
        self.flows.entry((k, to)).or_default().push_back(id);
        self.outstanding[to] += 1;
        self.frames.push(Frame {
            bytes,
            from: k,
            to,
            sent_ps: None,
            arrived: false,
        });
    }

    /// The next block of `k`'s receive stream onto its line.
    fn send_block(&mut self, k: usize) {
        if self.ports[k].source.queued() < 8 {
            self.refill(k);
        }
        let now = self.sim.time_ps();
        let port = &mut self.ports[k];
        let (d, c) = port.source.word();
        while port
            .starts
            .front()
            .is_some_and(|&(w, _)| w <= port.words_sent)
        {
            if let Some((_, id)) = port.starts.pop_front() {
                self.frames[id].sent_ps = Some(now);
            }
        }
        port.words_sent += 1;
        let (hdr, payload) = encode(d, c);
        let scrambled = port.scrambler.apply(Direction::Scramble, payload);
        port.line.send(hdr, 2);
        port.line.send(scrambled, 64);
    }

    /// `k`'s receive clock rose: the next bits onto its SERDES inputs.
    fn feed(&mut self, k: usize) -> Result<(), Failure> {
        let slip = self.sim.peek_handle(self.ports[k].bitslip) == 1;
        let need = match self.ports[k].rx_hdr {
            Some(_) => BLOCK_BITS as usize + usize::from(slip),
            None => self.ports[k].width as usize,
        };
        while self.ports[k].line.in_flight() < need + LINE_DELAY {
            self.send_block(k);
        }
        let port = &mut self.ports[k];
        match port.rx_hdr {
            Some(h) => {
                if slip {
                    port.line.receive(1);
                }
                let hdr = port.line.receive(2);
                let data = port.line.receive(64);
                self.sim.poke_handle(h, hdr)?;
                self.sim.poke_handle(port.rx_data, data)?;
            }
            None => {
                let data = port.line.receive(port.width);
                self.sim.poke_handle(port.rx_data, data)?;
            }
        }
        Ok(())
    }

    /// `k`'s transmit clock rose: its SERDES outputs to the scoreboard.
    fn transmitted(&mut self, k: usize) -> Result<(), Failure> {
        let data = self.sim.peek_handle(self.ports[k].tx_data);
        let hdr = self.ports[k].tx_hdr.map(|h| self.sim.peek_handle(h));
        let port = &mut self.ports[k];
        let blocks: Vec<(u64, u64)> = match hdr {
            Some(hdr) => vec![(hdr, data)],
            None => {
                port.aligner.push(data, port.width);
                std::iter::from_fn(|| port.aligner.block()).collect()
            }
        };
        for (hdr, scrambled) in blocks {
            let port = &mut self.ports[k];
            let payload = port.descrambler.apply(Direction::Descramble, scrambled);
            port.blocks_seen += 1;
            if port.blocks_seen <= WARM_BLOCKS {
                continue;
            }
            let mut w = decode(hdr, payload);
            if self.traffic.fault == Some(Fault::Corrupt) && port.left == 2 && w.c == 0 {
                w.d ^= 1 << 17;
            }
            if let Some(end) = port.monitor.word(w.d, w.c) {
                self.left(k, end)?;
            }
        }
        Ok(())
    }

    /// A frame left end `k`'s PCS: through the fault, to the scoreboard.
    fn left(&mut self, k: usize, end: FrameEnd) -> Result<(), Failure> {
        let nth = self.ports[k].left;
        self.ports[k].left += 1;
        match (self.traffic.fault, nth) {
            (Some(Fault::Lose), 2) => Ok(()),
            (Some(Fault::Duplicate), 2) => {
                self.arrived(k, end.clone())?;
                self.arrived(k, end)
            }
            (Some(Fault::Reorder), 2) => {
                self.ports[k].held = Some(end);
                Ok(())
            }
            (Some(Fault::Reorder), 3) => {
                self.arrived(k, end)?;
                match self.ports[k].held.take() {
                    Some(h) => self.arrived(k, h),
                    None => Ok(()),
                }
            }
            _ => self.arrived(k, end),
        }
    }

    /// The scoreboard: a frame arrived at end `k`.
    fn arrived(&mut self, k: usize, end: FrameEnd) -> Result<(), Failure> {
        let name = &self.traffic.ends[k].pcs;
        let bytes = match end {
            FrameEnd::Good(bytes) => bytes,
            FrameEnd::FcsError(bytes) => {
                return self.fail(format!(
                    "a corrupted {}-byte frame (wrong FCS) left {name}",
                    bytes.len()
                ))
            }
            FrameEnd::Aborted => return self.fail(format!("an aborted frame left {name}")),
        };
        let src_mac = bytes.get(6..12);
        let from = (0..self.ports.len())
            .find(|&i| src_mac.is_some_and(|m| m == station(i, m[5]).as_slice()));
        let Some(from) = from else {
            return self.fail(format!(
                "a {}-byte frame from no station of the card left {name}",
                bytes.len()
            ));
        };
        let src = &self.traffic.ends[from].pcs;
        let flow = self.flows.entry((from, k)).or_default();
        let again = |frames: &[Frame]| frames.iter().any(|f| f.arrived && f.bytes == bytes);
        let Some(&first) = flow.front().filter(|_| !again(&self.frames)) else {
            let message = if again(&self.frames) {
                format!("{src} -> {name}: a frame arrived a second time (duplicated)")
            } else {
                format!("a frame from {src} left {name} with none expected (misrouted)")
            };
            return Err(Failure {
                cycle: self.cycle,
                message,
            });
        };
        if self.frames[first].bytes != bytes {
            let later = flow.iter().position(|&id| self.frames[id].bytes == bytes);
            return self.fail(match later {
                Some(n) => format!(
                    "{src} -> {name}: a frame arrived with {n} sent before it missing (lost or reordered)"
                ),
                None => format!(
                    "{src} -> {name}: a {}-byte frame arrived that was never sent (corrupted or misrouted)",
                    bytes.len()
                ),
            });
        }
        flow.pop_front();
        self.frames[first].arrived = true;
        let f = &self.frames[first];
        debug_assert_eq!((f.from, f.to), (from, k));
        if let Some(t) = f.sent_ps {
            self.latencies.push(self.sim.time_ps() - t);
        }
        self.outstanding[k] -= 1;
        self.ports[k].delivered += 1;
        self.checks += 1;
        Ok(())
    }

    /// Writes the routes: each attached port's window claims its stations.
    fn program_routes(&mut self) -> Result<(), Failure> {
        for (k, e) in self.traffic.ends.iter().enumerate() {
            let (lo, hi) = mac_window(mac(station(k, 0)), mac(station(k, 0xFF)));
            for (reg, value) in [(REG_PREF_BASE, lo), (REG_PREF_LIMIT, hi)] {
                let s = |n: &str| format!("{}_{n}", e.switch);
                self.sim.poke(&s("cfg_we"), 1)?;
                self.sim.poke(&s("cfg_addr"), reg_addr(e.port, reg))?;
                self.sim.poke(&s("cfg_wdata"), value)?;
                let clk = s("clk");
                let n = self.cycles(&clk)?;
                while self.cycles(&clk)? == n {
                    self.step()?;
                }
                self.sim.poke(&s("cfg_we"), 0)?;
            }
        }
        Ok(())
    }

    fn go(mut self, cycles: u64, progress: &mut dyn FnMut(u64)) -> Result<Delivered, Failure> {
        self.program_routes()?;
        // Block lock on every attached PCS.
        let bound = self
            .traffic
            .ends
            .iter()
            .map(|e| {
                let blocks = e.cfg.lock_bound_blocks() * 66 / u64::from(e.cfg.width);
                (blocks + 2 * LINE_DELAY as u64) * ETH_PERIOD_PS / super::PERIOD_PS + 100
            })
            .max()
            .unwrap_or(0);
        let start = self.cycle;
        while !self.ports.iter().all(|p| self.sim.peek_handle(p.lock) == 1) {
            if self.cycle > start + bound {
                return self.fail(format!(
                    "no block lock on every attached PCS in {bound} cycles"
                ));
            }
            self.step()?;
        }
        let lock_cycles = self.cycle - start;
        self.generate = true;
        self.run_cycles(cycles, progress)?;
        self.generate = false;
        // Drain: every frame out, then the counters settle.
        let (mut seen, mut since) = (self.checks, self.cycle);
        while self.flows.values().any(|f| !f.is_empty()) {
            self.step()?;
            if self.checks != seen {
                (seen, since) = (self.checks, self.cycle);
            }
            if self.cycle > since + DRAIN_LIMIT {
                let (&(from, to), f) = self
                    .flows
                    .iter()
                    .find(|(_, f)| !f.is_empty())
                    .expect("a flow with frames left");
                return self.fail(format!(
                    "{} frames from {} to {} never arrived",
                    f.len(),
                    self.traffic.ends[from].pcs,
                    self.traffic.ends[to].pcs
                ));
            }
        }
        self.run_cycles(SETTLE, &mut |_| {})?;
        if let Some(k) = self.ports.iter().position(|p| p.held.is_some()) {
            return self.fail(format!(
                "a frame held back at {} never passed",
                self.traffic.ends[k].pcs
            ));
        }
        self.finish(lock_cycles)
    }

    fn finish(self, lock_cycles: u64) -> Result<Delivered, Failure> {
        let mut d = Delivered {
            checks: self.checks,
            cycles: self.cycle,
            ..Delivered::default()
        };
        let (mut sent, mut bad, mut out) = (0, 0, 0);
        for (p, e) in self.ports.iter().zip(&self.traffic.ends) {
            d.received.insert(e.pcs.clone(), p.received);
            *d.out_packets.entry((e.switch.clone(), e.port)).or_default() += p.delivered;
            sent += p.received.0;
            bad += p.received.1;
            out += p.delivered;
        }
        let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len().max(1) as f64;
        d.metrics = vec![
            ("e2e.frames_in".into(), sent.to_string()),
            ("e2e.frames_bad_fcs_in".into(), bad.to_string()),
            ("e2e.frames_out".into(), out.to_string()),
            ("e2e.lock_cycles".into(), lock_cycles.to_string()),
            (
                "e2e.mean_latency_ns".into(),
                format!("{:.1}", mean(&self.latencies) / 1000.0),
            ),
            (
                "e2e.max_latency_ns".into(),
                format!(
                    "{:.1}",
                    self.latencies.iter().max().copied().unwrap_or(0) as f64 / 1000.0
                ),
            ),
        ];
        Ok(d)
    }
}
