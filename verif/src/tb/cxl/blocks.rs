//! The testbenches of the CXL controller's blocks one by one, each a
//! [`CycleModel`]: a channel buffer against a queue of the beats it took,
//! the memory back-end against a byte memory, the HDM decoder's address
//! math and register block against [`super::model`]'s `Decoder` and
//! `DecoderRegs`, and the request tracker against a table of the requests
//! outstanding.

use super::model::{devload, Decoder, DecoderRegs};
use crate::tb::cycle::{bits, expect_eq, flag, take, Bursty, CycleModel};
use crate::tb::{draw, RESET_CYCLES};
use linkforge_hdl::{bits_for, words_for, Bits};
use linkforge_rtl::cxl::backend::BackendConfig;
use linkforge_rtl::cxl::channel::ChannelConfig;
use linkforge_rtl::cxl::hdm::{CTRL_COMMIT, CTRL_LOCK};
use linkforge_rtl::cxl::tracker::TrackerConfig;
use std::collections::{BTreeMap, VecDeque};

/// Ports as (name, width) pairs.
fn ports(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|&(n, w)| (n.to_string(), w)).collect()
}

/// The reference of a `cxl_channel`: every beat taken comes out once, in
/// order, with every field intact, under random valid and ready.
#[derive(Clone, Debug)]
pub struct ChannelModel {
    fields: Vec<(&'static str, u32)>,
    senders: Bursty,
    receivers: Bursty,
    /// The beat offered until it is taken.
    offer: Option<Vec<Bits>>,
    /// Beats taken and not yet delivered.
    queue: VecDeque<Vec<Bits>>,
    /// What this cycle's edge does: a beat taken, a beat delivered.
    took: bool,
    delivered: bool,
    beats: u64,
}

impl ChannelModel {
    /// The model of the empty channel `cfg` describes.
    pub fn new(cfg: &ChannelConfig) -> Self {
        ChannelModel {
            fields: cfg.channel.fields(cfg.data_width),
            senders: Bursty::default(),
            receivers: Bursty::default(),
            offer: None,
            queue: VecDeque::new(),
            took: false,
            delivered: false,
            beats: 0,
        }
    }
}

impl CycleModel for ChannelModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let mut v = ports(&[("rst", 1), ("in_valid", 1), ("out_ready", 1)]);
        v.extend(self.fields.iter().map(|&(f, w)| (format!("in_{f}"), w)));
        v
    }

    fn outputs(&self) -> Vec<String> {
        let mut v = vec!["in_ready".to_string(), "out_valid".to_string()];
        v.extend(self.fields.iter().map(|(f, _)| format!("out_{f}")));
        v
    }

    fn words_per_cycle(&self) -> usize {
        2 + self
            .fields
            .iter()
            .map(|&(_, w)| words_for(w))
            .sum::<usize>()
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let control = words.next().unwrap_or(0);
        let offering = self.senders.next(cycle, control);
        let ready = self.receivers.next(cycle, words.next().unwrap_or(0));
        let beat: Vec<Bits> = self.fields.iter().map(|&(_, w)| draw(words, w)).collect();
        if self.offer.is_none() && offering && cycle >= RESET_CYCLES {
            self.offer = Some(beat);
        }
        let mut v = vec![
            flag(cycle < RESET_CYCLES),
            flag(self.offer.is_some()),
            flag(ready),
        ];
        match &self.offer {
            Some(b) => v.extend(b.iter().cloned()),
            None => v.extend(self.fields.iter().map(|&(_, w)| Bits::zero(w))),
        }
        v
    }

    fn judge(&mut self, cycle: u64, inputs: &[Bits], out: &[Bits]) -> Result<u64, String> {
        self.took = false;
        self.delivered = false;
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let mut compared = 0;
        if inputs[2].low_u64() == 1 && out[1].low_u64() == 1 {
            let want = self
                .queue
                .front()
                .ok_or("`out_valid` with a beat nobody sent")?;
            for ((&(f, _), got), want) in self.fields.iter().zip(&out[2..]).zip(want) {
                if got != want {
                    return Err(format!(
                        "beat {}: `out_{f}` is {got}, it was sent as {want}",
                        self.beats
                    ));
                }
                compared += 1;
            }
            self.delivered = true;
        }
        self.took = self.offer.is_some() && out[0].low_u64() == 1;
        Ok(compared)
    }

    fn advance(&mut self, _: &[Bits], _: &[bool]) {
        if self.delivered {
            self.queue.pop_front();
            self.beats += 1;
        }
        if self.took {
            self.queue.extend(self.offer.take());
        }
    }

    fn unit(&self) -> &'static str {
        "fields"
    }

    /// Senders and receivers come in bursts redrawn every 32 cycles: a few
    /// bursts before a beat is sure to have gone through.
    fn cycles_needed(&self) -> u64 {
        256
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("beats_delivered".into(), self.beats.to_string())]
    }
}

/// The reference of a `cxl_mem_backend`: a byte memory with a poison bit
/// per line; each read answers on the next edge with its id; writes store
/// bytes by enable and poison by its own enable; accesses past the last
/// line change and answer nothing checked.
#[derive(Clone, Debug)]
pub struct BackendModel {
    cfg: BackendConfig,
    lines: Vec<(Vec<u8>, bool)>,
    /// The read the last edge took: (line, id), or `None` when no read.
    read: Option<(u64, u64)>,
}

impl BackendModel {
    /// The model of the zeroed memory `cfg` describes.
    pub fn new(cfg: &BackendConfig) -> Self {
        BackendModel {
            cfg: *cfg,
            lines: vec![(vec![0; (cfg.data_width / 8) as usize], false); cfg.lines as usize],
            read: None,
        }
    }

    fn addr_width(&self) -> u32 {
        self.cfg.addr_width()
    }
}

impl CycleModel for BackendModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let w = self.cfg.data_width;
        ports(&[
            ("rst", 1),
            ("req_valid", 1),
            ("req_we", 1),
            ("req_addr", self.addr_width()),
            ("req_wdata", w),
            ("req_be", w / 8),
            ("req_poison_we", 1),
            ("req_poison", 1),
            ("req_id", self.cfg.id_width),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        ["req_ready", "rsp_valid", "rsp_id", "rsp_data", "rsp_poison"]
            .map(String::from)
            .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        2 + 2 * words_for(self.cfg.data_width)
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let c = words.next().unwrap_or(0);
        let w = self.cfg.data_width;
        // Addresses mostly within the memory, now and then past its end.
        let addr = (c >> 8) % (u64::from(self.cfg.lines) + 2);
        let id = words.next().unwrap_or(0);
        // No requests under reset: the memory itself has no reset.
        let in_reset = cycle < RESET_CYCLES;
        vec![
            flag(in_reset),
            flag(!in_reset && c % 4 != 0),
            flag((c >> 2) % 2 == 1),
            bits(addr, self.addr_width()),
            draw(words, w),
            draw(words, w / 8),
            flag((c >> 3) % 4 == 0),
            flag((c >> 5) % 2 == 1),
            bits(id, self.cfg.id_width),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let mut n = expect_eq("req_ready", out[0].low_u64(), 1)?;
        n += expect_eq("rsp_valid", out[1].low_u64(), self.read.is_some() as u64)?;
        if let Some((line, id)) = self.read {
            n += expect_eq("rsp_id", out[2].low_u64(), id)?;
            if let Some((bytes, poison)) = self.lines.get(line as usize) {
                let got: Vec<u8> = (0..bytes.len())
                    .map(|i| (out[3].words()[i / 8] >> (8 * (i % 8))) as u8)
                    .collect();
                if got != *bytes {
                    return Err(format!("line {line} read {got:02x?}, holds {bytes:02x?}"));
                }
                n += 1 + expect_eq("rsp_poison", out[4].low_u64(), *poison as u64)?;
            }
        }
        Ok(n)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        let v = |i: usize| inputs[i].low_u64();
        let (valid, we, addr) = (v(1) == 1 && v(0) == 0, v(2) == 1, v(3));
        self.read = (valid && !we).then_some((addr, v(8)));
        if let (true, true, Some(line)) = (valid, we, self.lines.get_mut(addr as usize)) {
            for (i, byte) in line.0.iter_mut().enumerate() {
                if inputs[5].bit(i as u32) {
                    *byte = (inputs[4].words()[i / 8] >> (8 * (i % 8))) as u8;
                }
            }
            if v(6) == 1 {
                line.1 = v(7) == 1;
            }
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// Host addresses are 52 bits.
const ADDR_BITS: u32 = 52;
const ADDR_MASK: u64 = (1 << ADDR_BITS) - 1;

/// The interleave-ways encodings the decoder is driven with: every
/// defined one, and a reserved one now and then.
const IW_DRAWN: [u64; 9] = [0, 1, 2, 3, 4, 8, 9, 10, 5];

/// The reference of `hdm_decoder` (combinational): a new decoder setting
/// every 16 cycles, host addresses around and inside its range; `hit`,
/// and `way` and `dpa` on a hit, as [`Decoder`] computes them.
#[derive(Clone, Debug, Default)]
pub struct HdmDecoderModel {
    decoder: Decoder,
}

impl HdmDecoderModel {
    /// The model.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CycleModel for HdmDecoderModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[
            ("hpa", ADDR_BITS),
            ("cfg_base", ADDR_BITS),
            ("cfg_size", ADDR_BITS),
            ("cfg_ig", 4),
            ("cfg_iw", 4),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        ["hit", "way", "dpa"].map(String::from).to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let mut next = || words.next().unwrap_or(0);
        let (a, b, c) = (next(), next(), next());
        if cycle % 16 == 0 {
            let d = &mut self.decoder;
            d.base = a & ADDR_MASK;
            d.size = if b % 2 == 0 {
                (b >> 1) & ADDR_MASK
            } else {
                (b >> 1) % (1 << 40)
            };
            d.ig = (c >> 8) % 7;
            d.iw = IW_DRAWN[((c >> 16) % IW_DRAWN.len() as u64) as usize];
        }
        let d = &self.decoder;
        let hpa = match c % 4 {
            0 => a >> 12,
            1 => d.base.wrapping_add(b % (1 << 24)),
            2 => d.base.wrapping_add(d.size).wrapping_sub(c % 2),
            _ => d.base.wrapping_add(b % d.size.max(1)),
        } & ADDR_MASK;
        vec![
            bits(hpa, ADDR_BITS),
            bits(d.base, ADDR_BITS),
            bits(d.size, ADDR_BITS),
            bits(d.ig, 4),
            bits(d.iw, 4),
        ]
    }

    fn judge(&mut self, _: u64, inputs: &[Bits], out: &[Bits]) -> Result<u64, String> {
        let hpa = inputs[0].low_u64();
        let d = &self.decoder;
        let hit = d.hit(hpa);
        let mut n = expect_eq("hit", out[0].low_u64(), hit as u64)?;
        // Reserved encodings leave the way and DPA undefined.
        if hit && IW_DRAWN[..8].contains(&d.iw) {
            let (way, dpa) = d.translate(hpa);
            n += expect_eq("way", out[1].low_u64(), way)?;
            n += expect_eq("dpa", out[2].low_u64(), dpa)?;
        }
        Ok(n)
    }

    fn advance(&mut self, _: &[Bits], _: &[bool]) {}

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of `hdm_decoder_regs`: random register writes (aligned
/// and unaligned bases and sizes, control words committing or not, with
/// and without lock) and reads; each register reads back as
/// [`DecoderRegs`] says, and `committed` follows it.
#[derive(Clone, Debug, Default)]
pub struct HdmRegsModel {
    regs: DecoderRegs,
}

impl HdmRegsModel {
    /// The model after reset.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CycleModel for HdmRegsModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[
            ("rst", 1),
            ("cfg_we", 1),
            ("cfg_addr", 2),
            ("cfg_wdata", ADDR_BITS),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        vec!["cfg_rdata".into(), "committed".into()]
    }

    fn words_per_cycle(&self) -> usize {
        2
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [c, v] = take(words);
        let reg = (c >> 4) % 4;
        let value = match (c >> 8) % 3 {
            0 => (v % 64) << 28,
            1 => v & ADDR_MASK,
            _ => {
                let iw = [0, 1, 2, 3, 4, 5, 8, 9, 10, 12][(v % 10) as usize];
                let lock = if (v >> 8) % 2 == 0 { CTRL_LOCK } else { 0 };
                let commit = if (v >> 9) % 10 < 7 { CTRL_COMMIT } else { 0 };
                ((v >> 12) % 8) | (iw << 4) | (((v >> 16) % 4) << 16) | lock | commit
            }
        };
        vec![
            flag(cycle < RESET_CYCLES),
            flag(c % 3 == 0),
            bits(reg, 2),
            bits(value, ADDR_BITS),
        ]
    }

    fn judge(&mut self, cycle: u64, inputs: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let reg = inputs[2].low_u64();
        let read = expect_eq("cfg_rdata", out[0].low_u64(), self.regs.read(reg))
            .map_err(|e| format!("register {reg}: {e}"))?;
        Ok(read + expect_eq("committed", out[1].low_u64(), self.regs.committed as u64)?)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            self.regs = DecoderRegs::default();
        } else if inputs[1].low_u64() == 1 {
            self.regs.write(inputs[2].low_u64(), inputs[3].low_u64());
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// A request the tracker model knows: its entry, and whether its memory
/// access is still pending.
#[derive(Clone, Copy, Debug)]
struct Request {
    slot: u64,
    ld: u64,
    read: bool,
    error: bool,
    poison: bool,
    in_mem: bool,
}

/// Tag bits of an allocation.
const TAG_BITS: u32 = 16;
/// Logical-device id bits.
const LD_BITS: u32 = 4;

/// The reference of `cxl_tracker`: random allocations, memory completions
/// of requests waiting for memory, and response backpressure; every
/// request leaves once on its channel (reads on DRS, writes on NDR) with
/// its own tag, LD-ID, error and poison, never before its memory access;
/// `alloc_ready` is low exactly when every entry is in use, and DevLoad
/// follows the documented thresholds.
#[derive(Clone, Debug)]
pub struct TrackerModel {
    depth: usize,
    /// Outstanding requests by tag.
    requests: BTreeMap<u64, Request>,
    next_tag: u64,
    /// This cycle's allocation and memory completions.
    alloc: Option<Request>,
    done: [Option<u64>; 2],
    read_poison: bool,
    /// The edge takes the allocation into this slot.
    took: Option<u64>,
    answered: u64,
}

impl TrackerModel {
    /// The model of the empty tracker `cfg` describes.
    pub fn new(cfg: &TrackerConfig) -> Self {
        TrackerModel {
            depth: cfg.depth,
            requests: BTreeMap::new(),
            next_tag: 0,
            alloc: None,
            done: [None; 2],
            read_poison: false,
            took: None,
            answered: 0,
        }
    }

    fn slot_width(&self) -> u32 {
        bits_for(self.depth)
    }

    /// A request waiting for memory, of reads or writes, picked by `pick`.
    fn waiting(&self, read: bool, pick: u64) -> Option<u64> {
        let waiting: Vec<u64> = self
            .requests
            .iter()
            .filter(|(_, r)| r.in_mem && r.read == read)
            .map(|(&t, _)| t)
            .collect();
        (!waiting.is_empty()).then(|| waiting[(pick % waiting.len() as u64) as usize])
    }
}

/// The response channels: (name, carries reads).
const RESPONSES: [(&str, bool); 2] = [("drs", true), ("ndr", false)];

impl CycleModel for TrackerModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        let sw = self.slot_width();
        ports(&[
            ("rst", 1),
            ("alloc_valid", 1),
            ("alloc_tag", TAG_BITS),
            ("alloc_ld", LD_BITS),
            ("alloc_read", 1),
            ("alloc_error", 1),
            ("alloc_mem", 1),
            ("rd_done_valid", 1),
            ("rd_done_slot", sw),
            ("rd_done_poison", 1),
            ("wr_done_valid", 1),
            ("wr_done_slot", sw),
            ("drs_ready", 1),
            ("ndr_ready", 1),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        [
            "outstanding",
            "alloc_ready",
            "alloc_slot",
            "devload",
            "drs_valid",
            "drs_tag",
            "drs_ld",
            "drs_error",
            "drs_poison",
            "ndr_valid",
            "ndr_tag",
            "ndr_ld",
            "ndr_error",
        ]
        .map(String::from)
        .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let mut next = || words.next().unwrap_or(0);
        let (a, b, c) = (next(), next(), next());
        let in_reset = cycle < RESET_CYCLES;
        let (read, error) = (a >> 8 & 1 == 1, (a >> 9) % 8 == 0);
        self.alloc = (!in_reset && a % 4 != 0).then_some(Request {
            slot: 0,
            ld: a >> 16 & 0xF,
            read,
            error,
            poison: error,
            in_mem: !error && a >> 12 & 3 != 0,
        });
        self.done = [
            (b % 3 != 0).then(|| self.waiting(true, b >> 4)).flatten(),
            (b >> 2 & 1 == 1)
                .then(|| self.waiting(false, b >> 12))
                .flatten(),
        ];
        self.read_poison = b >> 20 & 1 == 1;
        let slot_of = |t: Option<u64>| t.map_or(0, |t| self.requests[&t].slot);
        let sw = self.slot_width();
        let r = self.alloc.unwrap_or(Request {
            slot: 0,
            ld: 0,
            read: false,
            error: false,
            poison: false,
            in_mem: false,
        });
        vec![
            flag(in_reset),
            flag(self.alloc.is_some()),
            bits(self.next_tag, TAG_BITS),
            bits(r.ld, LD_BITS),
            flag(r.read),
            flag(r.error),
            flag(r.in_mem),
            flag(self.done[0].is_some()),
            bits(slot_of(self.done[0]), sw),
            flag(self.read_poison),
            flag(self.done[1].is_some()),
            bits(slot_of(self.done[1]), sw),
            flag(c % 3 != 0),
            flag((c >> 2) % 3 != 0),
        ]
    }

    fn judge(&mut self, cycle: u64, inputs: &[Bits], out: &[Bits]) -> Result<u64, String> {
        self.took = None;
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let o = |i: usize| out[i].low_u64();
        let used = o(0);
        let n = self.requests.len() as u64;
        // Entries in use: every request not answered, less at most one held
        // in each response stage.
        if used > n || n > used + 2 {
            return Err(format!(
                "{used} entries in use for {n} requests outstanding"
            ));
        }
        let depth = self.depth as u64;
        let mut compared = 1 + expect_eq("alloc_ready", o(1), (used < depth) as u64)?;
        compared += expect_eq("devload", o(3), devload(used, depth))?;
        for (k, (ch, carries_reads)) in RESPONSES.iter().enumerate() {
            let base = 4 + 5 * k;
            if inputs[12 + k].low_u64() == 0 || o(base) == 0 {
                continue;
            }
            let tag = o(base + 1);
            let r = self
                .requests
                .remove(&tag)
                .ok_or_else(|| format!("{ch} answers tag {tag}, which is not outstanding"))?;
            if r.in_mem {
                return Err(format!("tag {tag} answered before its memory access"));
            }
            if r.read != *carries_reads {
                return Err(format!("tag {tag} answered on {ch}, the wrong channel"));
            }
            compared += 2 + expect_eq(&format!("{ch}_ld"), o(base + 2), r.ld)?;
            compared += expect_eq(&format!("{ch}_error"), o(base + 3), r.error as u64)?;
            if *carries_reads {
                compared += expect_eq("drs_poison", o(base + 4), r.poison as u64)?;
            }
            self.answered += 1;
        }
        if self.alloc.is_some() && o(1) == 1 {
            let slot = o(2);
            if self.requests.values().any(|r| r.in_mem && r.slot == slot) {
                return Err(format!(
                    "entry {slot} handed out while its request waits for memory"
                ));
            }
            self.took = Some(slot);
        }
        Ok(compared)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            *self = TrackerModel::new(&TrackerConfig { depth: self.depth });
            return;
        }
        for (done, poison) in self.done.iter().zip([Some(self.read_poison), None]) {
            if let Some(r) = done.and_then(|t| self.requests.get_mut(&t)) {
                r.in_mem = false;
                r.poison = poison.unwrap_or(false);
            }
        }
        if let (Some(slot), Some(r)) = (self.took, self.alloc) {
            self.requests.insert(self.next_tag, Request { slot, ..r });
            self.next_tag = (self.next_tag + 1) % (1 << TAG_BITS);
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("requests_answered".into(), self.answered.to_string())]
    }
}
