//! A traffic harness for the CXL memory controller: random
//! multi-host reads, full and partial writes (some poisoned), invalidates
//! and speculative reads, with random tag reuse, response backpressure and
//! dynamic capacity added and released while traffic runs, scored against
//! the reference model [`Pool`]. The controller's testbench, a card's
//! testbench and the tests all drive a controller through it.
//!
//! Setup: reset; every host gets a decoder (random granularity, ways,
//! position and DPA base, committed) and the device's lines are split in
//! `extents` equal extents, all but the last given to hosts round robin
//! (each zeroed by the controller before use).
//!
//! Checks: every response belongs to an outstanding request of that host
//! and tag, on the right channel, exactly once (MemSpecRd never answers);
//! read data and poison equal the model's memory at the read's
//! acceptance; a request the model refuses (no decoder, another way,
//! another host's capacity, unknown LD-ID) gets an error response, and a
//! served one counts as an isolation violation; after the drain every
//! request has been answered, the per-host and poison counters equal what
//! was sent and the poison log lists the newest poisoned lines.

use crate::tb::cxl::model::{Decoder, Extent, Pool};
use crate::tb::dut::Dut;
use crate::tb::Failure;
use crate::SignalHandle;
use linkforge_hdl::{words_for, Bits};
use linkforge_rtl::cxl::channel::{drs, ndr, req, rwd, Channel, LINE_BYTES};
use linkforge_rtl::cxl::controller::{
    decoder_reg, extent_reg, ControllerConfig, COUNTER_BITS, EXT_COUNT, EXT_OWNER, EXT_START,
    EXT_VALID,
};
use linkforge_rtl::cxl::hdm::REG_SIZE;
use linkforge_rtl::cxl::hdm::{
    ctrl_value, ways, ALIGN_BITS, CTRL_COMMIT, REG_BASE, REG_CTRL, REG_DPA_BASE,
};
use std::collections::HashMap;

/// The IW encodings a harness decoder may use.
const IWS: [u64; 8] = [0, 1, 2, 3, 4, 8, 9, 10];

/// Knobs of a run (probabilities per cycle, in 1/256).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HarnessOptions {
    /// Chance a channel offers a new request in a cycle.
    pub load: u64,
    /// Chance a response channel is not ready in a cycle.
    pub backpressure: u64,
    /// Chance a request targets something its host may not use.
    pub foreign: u64,
    /// Cycles between capacity changes (0: none).
    pub capacity_period: u64,
    /// Cycles without a response after which a draining run is stuck.
    pub drain_limit: u64,
}

impl Default for HarnessOptions {
    fn default() -> Self {
        HarnessOptions {
            load: 160,
            backpressure: 64,
            foreign: 24,
            capacity_period: 300,
            drain_limit: 2000,
        }
    }
}

/// What a run measured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HarnessReport {
    /// Cycles simulated, setup and drain included.
    pub cycles: u64,
    /// Requests accepted (all kinds, all hosts).
    pub requests: u64,
    /// Responses or counters that differed from the model.
    pub mismatches: u64,
    /// Refused requests that were served.
    pub isolation_violations: u64,
    /// Mean cycles from a served read's acceptance to its data.
    pub read_latency_mean: f64,
    /// Line bytes read or written (served) per cycle of traffic.
    pub bandwidth: f64,
    /// Error responses.
    pub errors: u64,
    /// Capacity changes made during traffic.
    pub capacity_changes: u64,
    /// The first mismatch or violation, described.
    pub first_problem: Option<String>,
    /// Checks that held.
    pub checks: u64,
}

/// What a request expects back.
#[derive(Clone, Debug)]
enum Expect {
    /// DRS data with this poison.
    Data(Vec<u8>, bool),
    /// DRS error.
    DataError,
    /// NDR Cmp.
    Cmp,
    /// NDR error.
    CmpError,
}

/// An outstanding request.
#[derive(Clone, Debug)]
struct Pending {
    expect: Expect,
    accepted: u64,
    /// The model refused it.
    refused: bool,
}

/// A request held on a channel until accepted.
#[derive(Clone, Debug)]
struct Offer {
    opcode: u64,
    tag: u64,
    ld: u64,
    hpa: u64,
    data: Vec<u8>,
    byte_en: Vec<bool>,
    poison: bool,
}

/// A harness for one controller configuration.
pub struct Harness {
    cfg: ControllerConfig,
    options: HarnessOptions,
}

/// Random words of one cycle, zero once spent.
struct Draw<'a>(std::slice::Iter<'a, u64>);

impl Draw<'_> {
    fn next(&mut self) -> u64 {
        self.0.next().copied().unwrap_or(0)
    }
}

impl Harness {
    /// A harness.
    pub fn new(cfg: ControllerConfig, options: HarnessOptions) -> Harness {
        Harness { cfg, options }
    }

    /// Random words one cycle of traffic consumes.
    pub fn words_per_cycle(&self) -> usize {
        8 + 2 * words_for(self.cfg.data_width)
    }

    /// Runs the setup, `cycles` cycles of traffic and the drain, drawing
    /// random words from `words` and reporting each cycle to `progress`.
    pub fn run(
        &self,
        io: &mut Dut<'_>,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<HarnessReport, Failure> {
        Run::new(self, io, words)?.go(cycles, words, progress)
    }
}

/// Port handles.
struct Ports<H> {
    rst: H,
    cfg: [H; 4],
    req: [H; 6],
    rwd: [H; 9],
    ndr: [H; 6],
    drs: [H; 8],
    scrub_busy: H,
}

/// One run's state.
struct Run<'b, 'd> {
    harness: &'b Harness,
    io: &'b mut Dut<'d>,
    p: Ports<SignalHandle>,
    pool: Pool,
    cycle: u64,
    pending: HashMap<(u64, u64), Pending>,
    offers: [Option<Offer>; 2],
    report: HarnessReport,
    /// Per host: reads, writes, errors served or refused, as counted.
    counts: Vec<[u64; 3]>,
    /// Lines of the poisoned writes served, oldest first.
    poisoned_lines: Vec<u64>,
    reads_served: u64,
    read_latency: u64,
    bytes: u64,
    /// An extent write sequence waiting for the controller to finish zeroing.
    adding: Option<usize>,
}

fn fail(cycle: u64, message: impl Into<String>) -> Failure {
    Failure {
        cycle,
        message: message.into(),
    }
}

/// Little-endian bytes of `b`.
fn bytes_of(b: &Bits, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (b.words()[i / 8] >> (8 * (i % 8))) as u8)
        .collect()
}

/// `bytes` as a value of `width` bits.
fn bits_of(bytes: &[u8], width: u32) -> Bits {
    let mut words = vec![0u64; words_for(width)];
    for (i, &b) in bytes.iter().enumerate() {
        words[i / 8] |= u64::from(b) << (8 * (i % 8));
    }
    Bits::from_words(&words, width)
}

impl<'b, 'd> Run<'b, 'd> {
    fn new(
        harness: &'b Harness,
        io: &'b mut Dut<'d>,
        words: &mut dyn Iterator<Item = u64>,
    ) -> Result<Self, Failure> {
        let cfg = harness.cfg;
        let mut h = |n: &str| {
            io.handle(n)
                .map_err(|e| fail(0, format!("port `{n}`: {e}")))
        };
        // valid, ready, then the channel's fields in `Channel::fields` order.
        let mut channel = |ch: Channel| -> Result<Vec<SignalHandle>, Failure> {
            let fields = ch.fields(cfg.data_width).into_iter().map(|f| f.0);
            ["valid", "ready"]
                .into_iter()
                .chain(fields)
                .map(|f| h(&format!("{}_{f}", ch.name())))
                .collect()
        };
        let req = channel(Channel::M2sReq)?;
        let rwd = channel(Channel::M2sRwd)?;
        let ndr = channel(Channel::S2mNdr)?;
        let drs = channel(Channel::S2mDrs)?;
        let cfgp = ["we", "addr", "wdata", "rdata"].map(|f| h(&format!("cfg_{f}")));
        let [we, addr, wdata, rdata] = cfgp;
        let ports = Ports {
            rst: h("rst")?,
            cfg: [we?, addr?, wdata?, rdata?],
            req: std::array::from_fn(|i| req[i]),
            rwd: std::array::from_fn(|i| rwd[i]),
            ndr: std::array::from_fn(|i| ndr[i]),
            drs: std::array::from_fn(|i| drs[i]),
            scrub_busy: h("scrub_busy")?,
        };
        let lines = u64::from(cfg.lines);
        let decoders = (0..cfg.hosts as u64)
            .map(|host| {
                let r = words.next().unwrap_or(0);
                let iw = IWS[(r % 8) as usize];
                let w = ways(iw).unwrap_or(1);
                Decoder {
                    base: (host + 1) << 40 | (r >> 8 & 0xFF) << ALIGN_BITS,
                    size: w << ALIGN_BITS,
                    ig: (r >> 16) % 7,
                    iw,
                    position: (r >> 24) % w,
                    dpa_base: ((r >> 32) % (lines / 4 + 1)) * LINE_BYTES,
                }
            })
            .collect();
        let n = cfg.extents as u64;
        let per = (lines / n).max(1);
        let extents = (0..n)
            .map(|e| Extent {
                start: (e * per).min(lines - 1),
                count: per,
                owner: 0,
                valid: false,
            })
            .collect();
        let pool = Pool::new(decoders, extents, lines, (cfg.data_width / 8) as usize);
        Ok(Run {
            harness,
            io,
            p: ports,
            pool,
            cycle: 0,
            pending: HashMap::new(),
            offers: [None, None],
            report: HarnessReport::default(),
            counts: vec![[0; 3]; cfg.hosts],
            poisoned_lines: Vec::new(),
            reads_served: 0,
            read_latency: 0,
            bytes: 0,
            adding: None,
        })
    }

    fn poke(&mut self, h: SignalHandle, v: u64) -> Result<(), Failure> {
        let c = self.cycle;
        self.io.poke(h, v).map_err(|e| fail(c, e.to_string()))
    }

    fn step(&mut self) -> Result<(), Failure> {
        let c = self.cycle;
        self.io.step().map_err(|e| fail(c, e.to_string()))?;
        self.cycle += 1;
        Ok(())
    }

    /// One register write, taking a cycle.
    fn write_reg(&mut self, addr: u64, value: u64) -> Result<(), Failure> {
        let [we, a, d, _] = self.p.cfg;
        self.poke(we, 1)?;
        self.poke(a, addr)?;
        self.poke(d, value)?;
        self.step()?;
        self.poke(we, 0)
    }

    /// Starts adding extent `e` for `owner`: its line range was set up
    /// front; the owner write starts the zeroing.
    fn add_extent(&mut self, e: usize, owner: u64) -> Result<(), Failure> {
        let x = self.pool.extents[e];
        self.write_reg(extent_reg(e, EXT_START), x.start)?;
        self.write_reg(extent_reg(e, EXT_COUNT), x.count)?;
        self.pool.extents[e].owner = owner;
        self.write_reg(extent_reg(e, EXT_OWNER), EXT_VALID | owner)?;
        self.adding = Some(e);
        Ok(())
    }

    /// Marks a pending extent added once the controller has zeroed it.
    fn settle(&mut self) {
        if let Some(e) = self.adding {
            if self.io.peek(self.p.scrub_busy) == 0 {
                let owner = self.pool.extents[e].owner;
                self.pool.add_extent(e, owner);
                self.adding = None;
            }
        }
    }

    fn setup(&mut self) -> Result<(), Failure> {
        let rst = self.p.rst;
        self.poke(rst, 1)?;
        self.step()?;
        self.step()?;
        self.poke(rst, 0)?;
        for h in [self.p.req[0], self.p.rwd[0], self.p.ndr[1], self.p.drs[1]] {
            self.poke(h, 0)?;
        }
        for (host, d) in self.pool.decoders.clone().iter().enumerate() {
            self.write_reg(decoder_reg(host, REG_BASE), d.base)?;
            self.write_reg(decoder_reg(host, REG_SIZE), d.size)?;
            self.write_reg(decoder_reg(host, REG_DPA_BASE), d.dpa_base)?;
            self.write_reg(
                decoder_reg(host, REG_CTRL),
                ctrl_value(d.ig, d.iw, d.position, CTRL_COMMIT),
            )?;
        }
        let hosts = self.harness.cfg.hosts as u64;
        for e in 0..self.pool.extents.len().saturating_sub(1).max(1) {
            self.add_extent(e, e as u64 % hosts)?;
            while self.adding.is_some() {
                self.step()?;
                self.settle();
            }
        }
        Ok(())
    }

    /// A new request for one channel (`rwd`: with data).
    fn offer(&mut self, rwd_channel: bool, d: &mut Draw) -> Option<Offer> {
        let cfg = self.harness.cfg;
        let r = d.next();
        if r % 256 >= self.harness.options.load {
            return None;
        }
        let hosts = cfg.hosts as u64;
        // Now and then an LD-ID no host has.
        let ld = if hosts < 16 && (r >> 8) % 64 == 0 {
            hosts + (r >> 14) % (16 - hosts)
        } else {
            (r >> 8) % hosts
        };
        // Tags from a small pool, so they are reused as soon as they free,
        // spread over all 16 bits (an odd multiplier is a bijection).
        let tag = ((r >> 20) % (2 * cfg.depth as u64 + 2) * 0x2F31 + ld * 0x1111) & 0xFFFF;
        let busy = |o: &Option<Offer>| o.as_ref().is_some_and(|o| o.ld == ld && o.tag == tag);
        if self.pending.contains_key(&(ld, tag)) || self.offers.iter().any(busy) {
            return None;
        }
        let hpa = self.target(ld, d.next(), r >> 28);
        let kind = (r >> 36) % 16;
        let bytes = self.pool.bytes;
        let mut data = vec![0u8; bytes];
        let mut byte_en = vec![true; bytes];
        let mut poison = false;
        let opcode = if rwd_channel {
            for (i, b) in data.iter_mut().enumerate() {
                let w = if i < bytes / 2 {
                    d.next()
                } else {
                    d.next().rotate_left(29)
                };
                *b = (w >> (8 * (i % 8))) as u8;
            }
            poison = (r >> 40) % 16 == 0;
            if kind < 8 {
                let e = d.next();
                for (i, b) in byte_en.iter_mut().enumerate() {
                    *b = (e.rotate_left(i as u32 * 7) >> (i % 64)) & 1 == 1;
                }
                rwd::MEM_WR_PTL
            } else {
                rwd::MEM_WR
            }
        } else {
            match kind {
                0 => req::MEM_INV,
                1 => req::MEM_SPEC_RD,
                2..=8 => req::MEM_RD,
                _ => req::MEM_RD_DATA,
            }
        };
        Some(Offer {
            opcode,
            tag,
            ld,
            hpa,
            data,
            byte_en,
            poison,
        })
    }

    /// An address for host `ld`: mostly a line it owns (a few hot ones,
    /// so accesses collide), sometimes something it may not use.
    fn target(&self, ld: u64, r: u64, pick: u64) -> u64 {
        let Some(d) = self.pool.decoders.get(ld as usize).copied() else {
            return (r & ((1 << 46) - 1)) << 6;
        };
        let foreign = pick % 256 < self.harness.options.foreign;
        let extents: Vec<&Extent> = self
            .pool
            .extents
            .iter()
            .filter(|x| x.valid && x.count > 0 && (x.owner == ld) != foreign)
            .collect();
        let ways = ways(d.iw).unwrap_or(1);
        let reachable = |line: u64| line * LINE_BYTES >= d.dpa_base;
        let chosen = (!extents.is_empty())
            .then(|| {
                let x = extents[(r % extents.len() as u64) as usize];
                x.start + (r >> 8) % x.count.min(6)
            })
            .filter(|&l| reachable(l));
        match chosen {
            Some(line) if foreign && ways > 1 && (r >> 16) % 2 == 0 => {
                // The host's own line, but a way another device serves.
                let way = (d.position + 1 + (r >> 20) % (ways - 1)) % ways;
                d.hpa_of(way, line * LINE_BYTES - d.dpa_base)
            }
            Some(line) => d.hpa_of(d.position, line * LINE_BYTES - d.dpa_base),
            None if foreign => d.base.wrapping_sub(LINE_BYTES * (1 + r % 4)) & ((1 << 52) - 1),
            None => d.hpa_of(d.position, (r % 8) * LINE_BYTES),
        }
    }

    /// Drives `offer` (or nothing) on channel `c` (0: Req, 1: RwD).
    fn drive(&mut self, c: usize) -> Result<(), Failure> {
        let w = self.harness.cfg.data_width;
        let o = self.offers[c].clone();
        let valid = u64::from(o.is_some());
        let o = o.unwrap_or(Offer {
            opcode: 0,
            tag: 0,
            ld: 0,
            hpa: 0,
            data: vec![0; self.pool.bytes],
            byte_en: vec![false; self.pool.bytes],
            poison: false,
        });
        let h = if c == 0 {
            &self.p.req[..]
        } else {
            &self.p.rwd[..]
        };
        let h: Vec<SignalHandle> = h.to_vec();
        self.poke(h[0], valid)?;
        self.poke(h[2], o.opcode)?;
        self.poke(h[3], o.tag)?;
        self.poke(h[4], o.hpa >> 6)?;
        self.poke(h[5], o.ld)?;
        if c == 1 {
            let cyc = self.cycle;
            self.io
                .poke_bits(h[6], &bits_of(&o.data, w))
                .map_err(|e| fail(cyc, e.to_string()))?;
            let en: Vec<u8> = o
                .byte_en
                .chunks(8)
                .map(|c| c.iter().rev().fold(0u8, |a, &b| a << 1 | u8::from(b)))
                .collect();
            self.io
                .poke_bits(h[7], &bits_of(&en, w / 8))
                .map_err(|e| fail(cyc, e.to_string()))?;
            self.poke(h[8], u64::from(o.poison))?;
        }
        Ok(())
    }

    fn problem(&mut self, isolation: bool, message: String) {
        if isolation {
            self.report.isolation_violations += 1;
        } else {
            self.report.mismatches += 1;
        }
        if self.report.first_problem.is_none() {
            self.report.first_problem = Some(format!("cycle {}: {message}", self.cycle));
        }
    }

    /// Applies an accepted request to the model.
    fn accept(&mut self, o: Offer, with_data: bool) {
        self.report.requests += 1;
        let line = self.pool.line_of(o.ld, o.hpa);
        let host = (o.ld as usize) < self.counts.len();
        let read = !with_data && matches!(o.opcode, req::MEM_RD | req::MEM_RD_DATA);
        if !with_data && o.opcode == req::MEM_SPEC_RD {
            return;
        }
        let expect = match (line, with_data, read) {
            (None, _, true) => Expect::DataError,
            (None, _, false) => Expect::CmpError,
            (Some(l), false, true) => {
                let (data, poison) = self.pool.read(l);
                Expect::Data(data, poison)
            }
            (Some(_), false, false) => Expect::Cmp,
            (Some(l), true, _) => {
                let en = (o.opcode == rwd::MEM_WR_PTL).then_some(&o.byte_en[..]);
                self.pool.write(l, &o.data, en, o.poison);
                if o.poison {
                    self.poisoned_lines.push(l);
                }
                self.bytes += self.pool.bytes as u64;
                Expect::Cmp
            }
        };
        if host {
            let k = match &expect {
                Expect::DataError | Expect::CmpError => Some(2),
                Expect::Data(..) => Some(0),
                Expect::Cmp if with_data => Some(1),
                Expect::Cmp => None,
            };
            if let Some(k) = k {
                self.counts[o.ld as usize][k] += 1;
            }
        }
        self.pending.insert(
            (o.ld, o.tag),
            Pending {
                expect,
                accepted: self.cycle,
                refused: line.is_none(),
            },
        );
    }

    /// Scores a response beat on DRS (`data` is `Some`) or NDR.
    fn respond(&mut self, opcode: u64, tag: u64, ld: u64, data: Option<(Vec<u8>, bool)>) {
        let Some(p) = self.pending.remove(&(ld, tag)) else {
            self.problem(
                false,
                format!("response for host {ld} tag {tag}, which is not outstanding"),
            );
            return;
        };
        let channel = if data.is_some() { "DRS" } else { "NDR" };
        let error = match data {
            Some(_) => opcode == drs::ERR,
            None => opcode == ndr::ERR,
        };
        if p.refused && !error {
            self.problem(
                true,
                format!(
                    "host {ld} tag {tag} was served on {channel}, but it may not use that address"
                ),
            );
            return;
        }
        let ok = match (&p.expect, &data) {
            (Expect::Data(want, poison), Some((got, got_poison)))
                if opcode == drs::MEM_DATA && want == got && poison == got_poison =>
            {
                self.reads_served += 1;
                self.read_latency += self.cycle - p.accepted;
                self.bytes += want.len() as u64;
                true
            }
            (Expect::DataError, Some((got, poison))) => {
                error && *poison && got.iter().all(|&b| b == 0)
            }
            (Expect::Cmp, None) => opcode == ndr::CMP,
            (Expect::CmpError, None) => error,
            _ => false,
        };
        if error {
            self.report.errors += 1;
        }
        if ok {
            self.report.checks += 1;
        } else {
            self.problem(
                false,
                format!(
                    "host {ld} tag {tag}: expected {:?}, got {channel} opcode {opcode} {data:?}",
                    p.expect
                ),
            );
        }
    }

    /// One cycle: offers, readies, handshakes scored, edge.
    fn cycle(&mut self, d: &mut Draw, traffic: bool) -> Result<(), Failure> {
        for c in 0..2 {
            if traffic && self.offers[c].is_none() {
                self.offers[c] = self.offer(c == 1, d);
            }
            self.drive(c)?;
        }
        let r = d.next();
        let bp = self.harness.options.backpressure;
        let (ndr_ready, drs_ready) = (r % 256 >= bp, (r >> 8) % 256 >= bp);
        self.poke(self.p.ndr[1], u64::from(ndr_ready))?;
        self.poke(self.p.drs[1], u64::from(drs_ready))?;
        // Responses first: they were decided before this edge.
        let io = &mut *self.io;
        let n = &self.p.ndr;
        if ndr_ready && io.peek(n[0]) == 1 {
            let (op, tag, ld) = (io.peek(n[2]), io.peek(n[3]), io.peek(n[4]));
            self.respond(op, tag, ld, None);
        }
        let io = &mut *self.io;
        let s = &self.p.drs;
        if drs_ready && io.peek(s[0]) == 1 {
            let (op, tag, ld) = (io.peek(s[2]), io.peek(s[3]), io.peek(s[4]));
            let data = bytes_of(&io.peek_bits(s[5]), self.pool.bytes);
            let poison = io.peek(s[6]) == 1;
            self.respond(op, tag, ld, Some((data, poison)));
        }
        // Acceptances, in the controller's order (one per cycle).
        for c in 0..2 {
            let (v, rdy) = if c == 0 {
                (self.p.req[0], self.p.req[1])
            } else {
                (self.p.rwd[0], self.p.rwd[1])
            };
            if self.io.peek(v) == 1 && self.io.peek(rdy) == 1 {
                if let Some(o) = self.offers[c].take() {
                    self.accept(o, c == 1);
                }
            }
        }
        self.step()?;
        self.settle();
        Ok(())
    }

    /// A register write while traffic runs: the cycle is scored like any
    /// other (no new offers).
    fn write_reg_live(&mut self, addr: u64, value: u64) -> Result<(), Failure> {
        let [we, a, d, _] = self.p.cfg;
        self.poke(we, 1)?;
        self.poke(a, addr)?;
        self.poke(d, value)?;
        let all_ready = [u64::MAX];
        self.cycle(&mut Draw(all_ready.iter()), false)?;
        self.poke(we, 0)
    }

    /// Adds or releases an extent (while no add is in progress).
    fn change_capacity(&mut self, r: u64) -> Result<(), Failure> {
        if self.adding.is_some() {
            return Ok(());
        }
        let e = (r % self.pool.extents.len() as u64) as usize;
        if self.pool.extents[e].valid {
            // Requests accepted at the edge of the write still see it.
            self.write_reg_live(extent_reg(e, EXT_OWNER), 0)?;
            self.pool.release_extent(e);
        } else {
            let owner = (r >> 8) % self.harness.cfg.hosts as u64;
            let x = self.pool.extents[e];
            self.write_reg_live(extent_reg(e, EXT_START), x.start)?;
            self.write_reg_live(extent_reg(e, EXT_COUNT), x.count)?;
            self.write_reg_live(extent_reg(e, EXT_OWNER), EXT_VALID | owner)?;
            self.pool.extents[e].owner = owner;
            self.adding = Some(e);
        }
        self.report.capacity_changes += 1;
        Ok(())
    }

    fn go(
        mut self,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<HarnessReport, Failure> {
        self.setup()?;
        let wpc = self.harness.words_per_cycle();
        let start = self.cycle;
        let period = self.harness.options.capacity_period;
        for k in 0..cycles {
            let buf: Vec<u64> = (0..wpc).map(|_| words.next().unwrap_or(0)).collect();
            let mut d = Draw(buf.iter());
            if period > 0 && k % period == period - 1 {
                let r = d.next();
                self.change_capacity(r)?;
            }
            self.cycle(&mut d, true)?;
            progress(self.cycle);
        }
        let traffic_cycles = (self.cycle - start).max(1);
        // Drain: no new requests; every outstanding one must be answered.
        let mut quiet = 0;
        while !self.pending.is_empty()
            || self.offers.iter().any(Option::is_some)
            || self.adding.is_some()
        {
            let before = self.pending.len();
            // Both response channels ready.
            let buf = [u64::MAX];
            let mut d = Draw(buf.iter());
            self.cycle(&mut d, false)?;
            quiet = if self.pending.len() == before {
                quiet + 1
            } else {
                0
            };
            if quiet > self.harness.options.drain_limit {
                let mut stuck: Vec<String> = self
                    .pending
                    .iter()
                    .map(|((ld, tag), p)| {
                        format!("host {ld} tag {tag} ({:?}, cycle {})", p.expect, p.accepted)
                    })
                    .collect();
                stuck.sort();
                stuck.truncate(4);
                return Err(fail(
                    self.cycle,
                    format!(
                        "{} requests never answered, e.g. {}; first problem: {}",
                        self.pending.len(),
                        stuck.join(", "),
                        self.report.first_problem.clone().unwrap_or_default()
                    ),
                ));
            }
        }
        self.check_counters();
        let r = &mut self.report;
        r.cycles = self.cycle;
        r.read_latency_mean = if self.reads_served == 0 {
            0.0
        } else {
            self.read_latency as f64 / self.reads_served as f64
        };
        r.bandwidth = self.bytes as f64 / traffic_cycles as f64;
        Ok(self.report)
    }

    /// The per-host and poison counters against what the model counted.
    fn check_counters(&mut self) {
        let max = (1u64 << COUNTER_BITS) - 1;
        for host in 0..self.counts.len() {
            for (k, name) in ["reads", "writes", "errors"].iter().enumerate() {
                let port = format!("host{host}_{name}");
                let got = self.io.handle(&port).ok().map(|h| self.io.peek(h));
                let want = self.counts[host][k].min(max);
                if got == Some(want) {
                    self.report.checks += 1;
                } else {
                    self.problem(false, format!("{port} is {got:?}, expected {want}"));
                }
            }
        }
        let got = self.io.handle("poison_count").ok().map(|h| self.io.peek(h));
        let count = self.poisoned_lines.len() as u64;
        if got != Some(count.min(0xFFFF)) {
            self.problem(false, format!("poison_count is {got:?}, expected {count}"));
        }
        // The poison log holds the newest lines, entry (count - 1) % size newest.
        let size = self.harness.cfg.poison_log as u64;
        let index = self.io.handle("poison_rd_index").ok();
        let Ok(line) = self.io.handle("poison_rd_line") else {
            return self.problem(false, "no poison_rd_line port".into());
        };
        let newest: Vec<u64> = self
            .poisoned_lines
            .iter()
            .rev()
            .take(size as usize)
            .copied()
            .collect();
        for (age, want) in newest.into_iter().enumerate() {
            let entry = (count - 1 - age as u64) % size;
            if let Some(h) = index {
                if self.io.poke(h, entry).is_err() {
                    return self.problem(false, "poison_rd_index cannot be set".into());
                }
            }
            let got = self.io.peek(line);
            if got == want {
                self.report.checks += 1;
            } else {
                self.problem(
                    false,
                    format!("poison log entry {entry} is line {got}, expected {want}"),
                );
            }
        }
    }
}
