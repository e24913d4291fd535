//! The testbenches of the switch's parts one by one, each a
//! [`CycleModel`]: the input queue against one queue of beats per virtual
//! queue, the credit port against the flow-control rules of PCIe 2.6.1,
//! the routing table against [`RouteModel`], and the scheduler against a reference written by index from the
//! algorithms' definitions (iSLIP: McKeown 1999; round robin; fixed
//! priority).

use super::model::{credit_ok, RouteModel};
use super::tlp;
use crate::models::xorshift::XorShift;
use crate::tb::cycle::{bits, expect_eq, flag, take, Bursty, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::switch::credit::{CreditPortConfig, DATA_BITS, HDR_BITS, TYPE_NAMES};
use linkforge_rtl::switch::input_queue::{Forwarding, InputQueueConfig};
use linkforge_rtl::switch::route::{
    addr_width as route_addr_width, PortWindows, RouteTableConfig, WDATA_BITS,
};
use linkforge_rtl::switch::scheduler::{SchedPolicy, SchedulerConfig};
use std::collections::VecDeque;

/// One beat in an input queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Beat {
    sop: bool,
    eop: bool,
    data: u64,
    tag: u64,
    marked: bool,
}

/// The reference of an `input_queue`: packets written beat by beat to
/// random queues, beats read from random queues; per queue the beats come
/// out in order and unchanged, one edge after their read, with the end
/// flag, packet readiness (a packet whose end beat is not read yet: a
/// whole one held, or with cut-through one whose start beat is in) and the
/// head packet's tag (its end beat's, with cut-through its start beat's);
/// the shared
/// buffer is full exactly at `depth` beats; a dropped packet's beats
/// vanish from its queue; a mark lands on a queue's
/// newest beat when one stays after the read and it has none, and reads
/// back with the head beat.
#[derive(Clone, Debug)]
pub struct InputQueueModel {
    cfg: InputQueueConfig,
    queues: Vec<VecDeque<Beat>>,
    writes: Bursty,
    /// The packet being written: queue, beats left after this one, tag,
    /// beats written.
    writing: Option<(usize, u64, u64, usize)>,
    /// This cycle drops the packet being written.
    drop: bool,
    /// This cycle's write (queue, beat, beats left after it), and the
    /// queue read.
    write: Option<(usize, Beat, u64)>,
    read: Option<usize>,
    /// This cycle's mark request.
    mark: Option<usize>,
    /// The beat the last edge read.
    expect: Option<Beat>,
    /// Per queue: packets counted ready whose end beat has not been read.
    ready: Vec<usize>,
}

impl InputQueueModel {
    /// The model of the empty queues `cfg` describes.
    pub fn new(cfg: &InputQueueConfig) -> Self {
        InputQueueModel {
            cfg: *cfg,
            queues: vec![VecDeque::new(); cfg.queues],
            writes: Bursty::default(),
            writing: None,
            drop: false,
            write: None,
            read: None,
            mark: None,
            expect: None,
            ready: vec![0; cfg.queues],
        }
    }

    fn cut_through(&self) -> bool {
        self.cfg.forwarding == Forwarding::CutThrough
    }

    fn held(&self) -> usize {
        self.queues.iter().map(VecDeque::len).sum()
    }

    /// The queue this cycle's mark request marks, if it places one.
    fn placed(&self) -> Option<usize> {
        let q = self.mark?;
        let stays = self.queues[q].len() > usize::from(self.read == Some(q));
        let back = self.queues[q].back()?;
        (stays && !back.marked).then_some(q)
    }
}

impl CycleModel for InputQueueModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let qw = self.cfg.queue_width();
        let mut v = vec![("rst".to_string(), 1), ("wr_en".to_string(), 1)];
        if self.cfg.queues > 1 {
            v.push(("wr_queue".into(), qw));
        }
        v.extend([
            ("wr_sop".into(), 1),
            ("wr_eop".into(), 1),
            ("wr_data".into(), self.cfg.width),
            ("wr_tag".into(), self.cfg.tag_width),
            ("rd_en".into(), 1),
        ]);
        if self.cfg.queues > 1 {
            v.push(("rd_queue".into(), qw));
        }
        v.push(("mark_en".into(), 1));
        if self.cfg.queues > 1 {
            v.push(("mark_queue".into(), qw));
        }
        v.push(("wr_drop".into(), 1));
        v
    }

    fn outputs(&self) -> Vec<String> {
        let mut v: Vec<String> = [
            "rd_valid",
            "rd_sop",
            "rd_eop",
            "rd_data",
            "count",
            "wr_full",
            "rd_last",
            "rd_marked",
            "mark_placed",
        ]
        .map(String::from)
        .to_vec();
        for k in 0..self.cfg.queues {
            v.push(format!("q{k}_ready"));
            v.push(format!("q{k}_tag"));
        }
        v
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [a, b, c] = take(words);
        let in_reset = cycle < RESET_CYCLES;
        let n = self.cfg.queues as u64;
        let (wq, left, _, _) = self.writing.unwrap_or(((a % n) as usize, a >> 8 & 3, 0, 0));
        // A tag on every beat; the end beat's is the packet's (the start
        // beat's with cut-through).
        let tag = (a >> 16) % (1 << self.cfg.tag_width);
        let beat = Beat {
            sop: self.writing.is_none(),
            eop: left == 0,
            data: b & (u64::MAX >> (64 - self.cfg.width.min(64))),
            tag,
            marked: false,
        };
        let write = !in_reset && self.writes.next(cycle, c);
        let rq = ((b >> 20) % n) as usize;
        let read = !in_reset && (c >> 16) % 2 == 1;
        let mq = ((c >> 24) % n) as usize;
        let mark = !in_reset && (c >> 17) % 4 == 0;
        self.write = write.then_some((wq, beat, left));
        self.read = read.then_some(rq);
        // A drop only while no beat of the packet has been or is being read.
        let intact = self.writing.is_some_and(|(q, _, _, written)| {
            self.queues[q].len() >= written + usize::from(self.read == Some(q))
        });
        self.drop = write && intact && (a >> 40) % 16 == 0;
        self.mark = mark.then_some(mq);
        let qw = self.cfg.queue_width();
        let mut v = vec![flag(in_reset), flag(write)];
        if self.cfg.queues > 1 {
            v.push(bits(wq as u64, qw));
        }
        v.extend([
            flag(beat.sop),
            flag(beat.eop),
            bits(beat.data, self.cfg.width),
            bits(tag, self.cfg.tag_width),
            flag(read),
        ]);
        if self.cfg.queues > 1 {
            v.push(bits(rq as u64, qw));
        }
        v.push(flag(mark));
        if self.cfg.queues > 1 {
            v.push(bits(mq as u64, qw));
        }
        v.push(flag(self.drop));
        v
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let o = |i: usize| out[i].low_u64();
        let mut n = expect_eq("rd_valid", o(0), self.expect.is_some() as u64)?;
        if let Some(want) = self.expect {
            n += expect_eq("rd_sop", o(1), want.sop as u64)?;
            n += expect_eq("rd_eop", o(2), want.eop as u64)?;
            n += expect_eq("rd_data", o(3), want.data)?;
        }
        let held = self.held();
        n += expect_eq("count", o(4), held as u64)?;
        n += expect_eq("wr_full", o(5), (held == self.cfg.depth as usize) as u64)?;
        if let Some(q) = self.read {
            let h = self.queues[q].front();
            n += expect_eq("rd_last", o(6), h.is_some_and(|h| h.eop) as u64)?;
            n += expect_eq("rd_marked", o(7), h.is_some_and(|h| h.marked) as u64)?;
        }
        n += expect_eq("mark_placed", o(8), self.placed().is_some() as u64)?;
        for (k, q) in self.queues.iter().enumerate() {
            let ready = self.ready[k] > 0;
            n += expect_eq(&format!("q{k}_ready"), o(9 + 2 * k), ready as u64)?;
            if let Some(h) = q.front().filter(|h| h.sop && ready) {
                n += expect_eq(&format!("q{k}_tag"), o(10 + 2 * k), h.tag)?;
            }
        }
        Ok(n)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            *self = InputQueueModel {
                writes: self.writes,
                ..InputQueueModel::new(&self.cfg)
            };
            return;
        }
        let held = self.held();
        let placed = self.placed();
        self.expect = self.read.and_then(|q| self.queues[q].pop_front());
        if let (Some(q), Some(b)) = (self.read, self.expect) {
            self.ready[q] -= usize::from(b.eop);
        }
        if let Some(back) = placed.and_then(|q| self.queues[q].back_mut()) {
            back.marked = true;
        }
        if self.drop {
            if let Some((q, _, _, written)) = self.writing.take() {
                let keep = self.queues[q].len() - written;
                self.queues[q].truncate(keep);
                self.ready[q] -= usize::from(self.cut_through());
            }
        } else if let Some((q, beat, left)) = self.write.filter(|_| held < self.cfg.depth as usize)
        {
            self.queues[q].push_back(beat);
            let written = self.writing.map_or(0, |w| w.3) + 1;
            let counted = if self.cut_through() {
                beat.sop
            } else {
                beat.eop
            };
            self.ready[q] += usize::from(counted);
            if beat.eop && !self.cut_through() {
                // The packet's tag is its end beat's.
                let len = self.queues[q].len();
                for b in self.queues[q].range_mut(len.saturating_sub(written)..) {
                    b.tag = beat.tag;
                }
            }
            self.writing = (!beat.eop).then_some((q, left.saturating_sub(1), beat.tag, written));
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of a `switch_scheduler`: requests persist until matched
/// (new ones arrive at random); every cycle the matching is a valid one
/// (one-hot per input, only to a requested output, each output once) and,
/// for iSLIP, round robin and priority, exactly the reference's; iSLIP with
/// at least as many iterations as ports is maximal.
#[derive(Clone, Debug)]
pub struct SchedulerModel {
    n: usize,
    policy: SchedPolicy,
    grant_ptr: Vec<usize>,
    accept_ptr: Vec<usize>,
    req: Vec<u64>,
    /// The matching the reference chose this cycle, by input.
    chosen: Vec<Option<usize>>,
    /// The matching the block showed this cycle, by input (one-hot).
    shown: Vec<u64>,
}

impl SchedulerModel {
    /// The model of the scheduler `cfg` describes, after reset.
    pub fn new(cfg: &SchedulerConfig) -> Self {
        let n = cfg.ports;
        SchedulerModel {
            n,
            policy: cfg.policy.clone(),
            grant_ptr: vec![0; n],
            accept_ptr: vec![0; n],
            req: vec![0; n],
            chosen: vec![None; n],
            shown: vec![0; n],
        }
    }

    /// Each input's match for the requests `req` (bit `o` of `req[i]`:
    /// input `i` has a packet for output `o`), moving the pointers.
    pub fn matching(&mut self, req: &[u64]) -> Vec<Option<usize>> {
        self.req = req.to_vec();
        self.step()
    }

    fn first(&self, from: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
        (0..self.n).map(|k| (from + k) % self.n).find(|&x| ok(x))
    }

    /// Each input's match for the requests, moving the pointers as the
    /// policy says: a grant pointer (round robin) past every grant, or
    /// (iSLIP) both pointers past a first-iteration match only.
    #[allow(clippy::needless_range_loop)] // the matching reads clearer by index
    fn step(&mut self) -> Vec<Option<usize>> {
        let n = self.n;
        let req = self.req.clone();
        let wants = |i: usize, o: usize| req[i] >> o & 1 == 1;
        let mut matched = vec![None; n];
        let mut out_taken = vec![false; n];
        let rounds = match self.policy {
            SchedPolicy::Islip { iterations } => iterations,
            _ => 1,
        };
        let fixed = matches!(self.policy, SchedPolicy::Priority);
        for round in 0..rounds {
            let grants: Vec<Option<usize>> = (0..n)
                .map(|o| {
                    let start = if fixed { 0 } else { self.grant_ptr[o] };
                    let free = |i: usize| matched[i].is_none() && wants(i, o);
                    (!out_taken[o]).then(|| self.first(start, free)).flatten()
                })
                .collect();
            if matches!(self.policy, SchedPolicy::RoundRobin) {
                for (o, g) in grants.iter().enumerate() {
                    if let Some(i) = g {
                        self.grant_ptr[o] = (i + 1) % n;
                    }
                }
            }
            for i in 0..n {
                let start = if fixed { 0 } else { self.accept_ptr[i] };
                if let Some(o) = self.first(start, |o| grants[o] == Some(i)) {
                    matched[i] = Some(o);
                    out_taken[o] = true;
                    if !fixed && round == 0 {
                        self.accept_ptr[i] = (o + 1) % n;
                    }
                    if round == 0 && matches!(self.policy, SchedPolicy::Islip { .. }) {
                        self.grant_ptr[o] = (i + 1) % n;
                    }
                }
            }
        }
        matched
    }
}

impl CycleModel for SchedulerModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let mut v = Vec::new();
        if self.policy.clocked() {
            v.push(("rst".to_string(), 1));
        }
        v.extend((0..self.n).map(|i| (format!("req{i}"), self.n as u32)));
        v
    }

    fn outputs(&self) -> Vec<String> {
        (0..self.n).map(|i| format!("match{i}")).collect()
    }

    fn words_per_cycle(&self) -> usize {
        self.n
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let in_reset = self.policy.clocked() && cycle < RESET_CYCLES;
        let all = u64::MAX >> (64 - self.n);
        for r in self.req.iter_mut() {
            let w = words.next().unwrap_or(0);
            // New requests now and then; a request stays until matched.
            if !in_reset && w % 4 == 0 {
                *r |= (w >> 8) & all;
            }
        }
        let mut v = Vec::new();
        if self.policy.clocked() {
            v.push(flag(in_reset));
        }
        v.extend(self.req.iter().map(|&r| bits(r, self.n as u32)));
        v
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        self.shown = out.iter().map(Bits::low_u64).collect();
        self.chosen = vec![None; self.n];
        if self.policy.clocked() && cycle < RESET_CYCLES {
            return Ok(0);
        }
        let mut cols = 0u64;
        for (i, &m) in self.shown.iter().enumerate() {
            if m.count_ones() > 1 {
                return Err(format!("input {i} matched {m:b}, more than one output"));
            }
            if m & !self.req[i] != 0 {
                return Err(format!(
                    "input {i} matched {m:b} without requesting it ({:b})",
                    self.req[i]
                ));
            }
            if cols & m != 0 {
                return Err(format!("output {m:b} matched twice"));
            }
            cols |= m;
        }
        let mut n = self.n as u64;
        if let SchedPolicy::Islip { iterations } = self.policy {
            if iterations as usize >= self.n {
                for (i, &m) in self.shown.iter().enumerate() {
                    let idle = self.req[i] & !cols;
                    if m == 0 && idle != 0 {
                        return Err(format!("not maximal: input {i} could take {idle:b}"));
                    }
                }
            }
        }
        if !matches!(self.policy, SchedPolicy::Weighted(_)) {
            self.chosen = self.step();
            for (i, (&m, c)) in self.shown.iter().zip(&self.chosen).enumerate() {
                let want = c.map_or(0, |o| 1u64 << o);
                n += expect_eq(&format!("match{i}"), m, want)?;
            }
        }
        Ok(n)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if self.policy.clocked() && inputs[0].low_u64() == 1 {
            self.grant_ptr = vec![0; self.n];
            self.accept_ptr = vec![0; self.n];
        }
        for (r, &m) in self.req.iter_mut().zip(&self.shown) {
            *r &= !m;
        }
    }

    fn unit(&self) -> &'static str {
        "grants"
    }
}

/// The reference of a `credit_port` (PCIe 2.6.1 flow control): the
/// transmitter's gate is the modulo check ([`credit_ok`]) of the packet
/// class's header and data credits, or passes for a type whose limit was 0
/// in the first cycle after reset (infinite credit); sends consume exactly
/// what they need and only when the gate passes; the receiver's limits
/// start at the advertised credits and rise by each release, modulo the
/// counter widths. The partner's limits are drawn near what was consumed,
/// so the gate opens and closes.
#[derive(Clone, Debug)]
pub struct CreditPortModel {
    advertised: [u64; 2],
    /// Per class: header and data credits consumed, the receiver's limits.
    consumed: [[u64; 2]; 3],
    rx_limits: [[u64; 2]; 3],
    /// Per class and credit type: infinite credit.
    infinite: [[bool; 2]; 3],
    /// The next edge is the first after reset: it fixes `infinite`.
    first: bool,
    /// The partner's limits this cycle, and whether the gate passes.
    limits: [[u64; 2]; 3],
    ok: bool,
}

/// Counter widths: header, data.
const CREDIT_BITS: [u32; 2] = [HDR_BITS, DATA_BITS];

impl CreditPortModel {
    /// The model of the port `cfg` describes, after reset.
    pub fn new(cfg: &CreditPortConfig) -> Self {
        let advertised = [cfg.hdr_credits, cfg.data_credits];
        CreditPortModel {
            advertised,
            consumed: [[0; 2]; 3],
            rx_limits: [advertised; 3],
            infinite: [[false; 2]; 3],
            first: true,
            limits: [[0; 2]; 3],
            ok: false,
        }
    }
}

/// `v` modulo a counter of `bits` bits.
fn wrap(v: u64, bits: u32) -> u64 {
    v & ((1 << bits) - 1)
}

impl CycleModel for CreditPortModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let mut v = vec![("rst".to_string(), 1)];
        for (h, d) in TYPE_NAMES {
            v.push((format!("tx_limit_{h}"), HDR_BITS));
            v.push((format!("tx_limit_{d}"), DATA_BITS));
        }
        v.extend([
            ("tx_class".to_string(), 2),
            ("tx_data".to_string(), DATA_BITS),
            ("tx_send".to_string(), 1),
            ("rx_release".to_string(), 1),
            ("rx_class".to_string(), 2),
            ("rx_data".to_string(), DATA_BITS),
        ]);
        v
    }

    fn outputs(&self) -> Vec<String> {
        let mut v = vec!["tx_ok".to_string()];
        for side in ["tx_consumed", "rx_limit"] {
            for (h, d) in TYPE_NAMES {
                v.push(format!("{side}_{h}"));
                v.push(format!("{side}_{d}"));
            }
        }
        v
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [a, b, c] = take(words);
        for k in 0..3 {
            let spread = [(a >> (8 * k)) % 6, (a >> (8 * k + 4)) % 60];
            for t in 0..2 {
                self.limits[k][t] = wrap(self.consumed[k][t] + spread[t], CREDIT_BITS[t]);
            }
        }
        let class = (b % 3) as usize;
        let need = (b >> 8) % 40;
        let gate = |t: usize, n: u64| {
            self.infinite[class][t]
                || credit_ok(
                    self.limits[class][t],
                    self.consumed[class][t],
                    n,
                    CREDIT_BITS[t],
                )
        };
        self.ok = gate(0, 1) && gate(1, need);
        let mut v = vec![flag(cycle < RESET_CYCLES)];
        for l in &self.limits {
            v.push(bits(l[0], HDR_BITS));
            v.push(bits(l[1], DATA_BITS));
        }
        v.extend([
            bits(class as u64, 2),
            bits(need, DATA_BITS),
            flag((b >> 16) % 2 == 1),
            flag((c >> 8) % 2 == 1),
            bits(c % 3, 2),
            bits(c >> 16, DATA_BITS),
        ]);
        v
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let mut n = expect_eq("tx_ok", out[0].low_u64(), self.ok as u64)?;
        let sides = [
            ("tx_consumed", &self.consumed),
            ("rx_limit", &self.rx_limits),
        ];
        for (s, (side, values)) in sides.iter().enumerate() {
            for (k, (h, d)) in TYPE_NAMES.iter().enumerate() {
                let at = 1 + 6 * s + 2 * k;
                n += expect_eq(&format!("{side}_{h}"), out[at].low_u64(), values[k][0])?;
                n += expect_eq(&format!("{side}_{d}"), out[at + 1].low_u64(), values[k][1])?;
            }
        }
        Ok(n)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        let v = |i: usize| inputs[i].low_u64();
        if v(0) == 1 {
            *self = CreditPortModel {
                limits: self.limits,
                ..CreditPortModel::new(&CreditPortConfig {
                    hdr_credits: self.advertised[0],
                    data_credits: self.advertised[1],
                })
            };
            return;
        }
        if std::mem::take(&mut self.first) {
            self.infinite = self.limits.map(|l| l.map(|x| x == 0));
        }
        let (class, need, send) = (v(7) as usize, v(8), v(9) == 1);
        if send && self.ok {
            self.consumed[class][0] = wrap(self.consumed[class][0] + 1, HDR_BITS);
            self.consumed[class][1] = wrap(self.consumed[class][1] + need, DATA_BITS);
        }
        if v(10) == 1 {
            let l = &mut self.rx_limits[v(11) as usize];
            l[0] = wrap(l[0] + 1, HDR_BITS);
            l[1] = wrap(l[1] + v(12), DATA_BITS);
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// Cycles between two programmings of a `route_table`'s windows.
const REPROGRAM_CYCLES: u64 = 256;

/// The reference of a `route_table`: random windows and bus ranges
/// programmed through its register interface every
/// [`REPROGRAM_CYCLES`] cycles, then TLP headers (from the testbench's own
/// encoder, `tlp`) of every routing kind with addresses and IDs at the
/// windows' edges; `dest_valid`, `dest` and `to_type0` as [`RouteModel`]
/// routes them.
#[derive(Clone, Debug)]
pub struct RouteTableModel {
    cfg: RouteTableConfig,
    model: RouteModel,
    /// Register writes left of the current programming.
    writes: VecDeque<(u64, u64)>,
    /// The header driven this cycle, when the table is programmed.
    header: Option<[u32; 4]>,
}

impl RouteTableModel {
    /// The model of the table `cfg` describes, after reset.
    pub fn new(cfg: &RouteTableConfig) -> Self {
        RouteTableModel {
            cfg: *cfg,
            model: RouteModel {
                ports: vec![PortWindows::EMPTY; cfg.ports],
                default_port: cfg.default_port,
                upstream: None,
            },
            writes: VecDeque::new(),
            header: None,
        }
    }

    /// New windows: ranges with random bounds.
    fn draw_windows(&mut self, rng: &mut XorShift) {
        let mut range = |max: u64| {
            let (a, b) = (rng.word() % (max + 1), rng.word() % (max + 1));
            (a.min(b), a.max(b))
        };
        for p in &mut self.model.ports {
            let bus = range(0xFF);
            *p = PortWindows {
                mem: range(0xFFF),
                pref: range((1 << 44) - 1),
                bus: (bus.0 as u8, bus.1 as u8),
                id: 0,
            };
        }
        self.writes = self.model.writes().into();
    }

    /// A header that often hits a window: an address or bus at a window's
    /// edge or anywhere, of every routing kind, or random words.
    fn draw_header(&self, rng: &mut XorShift) -> [u32; 4] {
        let ports = &self.model.ports;
        let p = &ports[(rng.word() % ports.len() as u64) as usize];
        let edges = [p.mem.0 << 20, p.mem.1 << 20, p.pref.0 << 20, p.pref.1 << 20];
        let addr = match rng.word() % 3 {
            0 => rng.word(),
            1 => edges[(rng.word() % 4) as usize],
            _ => rng.word() & 0xFFFF_FFFF,
        };
        let bus = if rng.word() % 2 == 0 {
            p.bus.0
        } else {
            p.bus.1
        };
        let id = u16::from(bus) << 8 | (rng.word() & 0xFF) as u16;
        let t = match rng.word() % 6 {
            0 => tlp::mem_write(addr, 1, 2, &[3]),
            1 => tlp::mem_read(addr, 1, 2, 4),
            2 => tlp::completion(9, 0, 4, id, 1, 0, &[]),
            3 => tlp::config(rng.word() % 2 == 0, id, 1, 0, 0, None),
            4 => {
                let r = (rng.word() % 8) as u8;
                let target = if r == 0b010 {
                    u64::from(id) << 48
                } else {
                    addr
                };
                tlp::message(r, 0, 0, 0, target, &[])
            }
            _ => (0..4).map(|_| rng.word() as u32).collect(),
        };
        [t[0], t[1], t[2], t.get(3).copied().unwrap_or(0)]
    }
}

impl CycleModel for RouteTableModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("cfg_we".into(), 1),
            ("cfg_addr".into(), route_addr_width(self.cfg.ports)),
            ("cfg_wdata".into(), WDATA_BITS),
            ("hdr_fmt_type".into(), 8),
            ("hdr_dw2".into(), 32),
            ("hdr_dw3".into(), 32),
        ]
    }

    fn outputs(&self) -> Vec<String> {
        ["dest_valid", "dest", "to_type0"]
            .map(String::from)
            .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        1
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let mut rng = XorShift::new(words.next().unwrap_or(0));
        let in_reset = cycle < RESET_CYCLES;
        if !in_reset && (cycle - RESET_CYCLES) % REPROGRAM_CYCLES == 0 {
            self.draw_windows(&mut rng);
        }
        let write = if in_reset {
            None
        } else {
            self.writes.pop_front()
        };
        // Headers are judged once the table holds the whole programming.
        self.header = (!in_reset && write.is_none() && self.writes.is_empty())
            .then(|| self.draw_header(&mut rng));
        let h = self.header.unwrap_or([0; 4]);
        let (addr, data) = write.unwrap_or((0, 0));
        vec![
            flag(in_reset),
            flag(write.is_some()),
            bits(addr, route_addr_width(self.cfg.ports)),
            bits(data, WDATA_BITS),
            bits(u64::from(h[0] >> 24), 8),
            bits(u64::from(h[2]), 32),
            bits(u64::from(h[3]), 32),
        ]
    }

    fn judge(&mut self, _: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        let Some(h) = self.header else {
            return Ok(0);
        };
        // The table alone routes the same from every port.
        let want = self.model.route(&h, 0);
        let context = |e: String| format!("header {h:08x?}: {e}");
        let mut n =
            expect_eq("dest_valid", out[0].low_u64(), want.is_some() as u64).map_err(context)?;
        if let Some(o) = want {
            n += expect_eq("dest", out[1].low_u64(), o as u64).map_err(context)?;
        }
        n += expect_eq("to_type0", out[2].low_u64(), self.model.to_type0(&h) as u64)
            .map_err(context)?;
        Ok(n)
    }

    fn advance(&mut self, _: &[Bits], _: &[bool]) {}

    fn unit(&self) -> &'static str {
        "routes"
    }

    fn cycles_needed(&self) -> u64 {
        // Reset and one programming: six registers per port.
        RESET_CYCLES + 6 * self.cfg.ports as u64 + 16
    }
}
