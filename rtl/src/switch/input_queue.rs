//! `input_queue`: a switch input buffer. `queueing = fifo` keeps one FIFO
//! of beats per input (head-of-line blocking); `queueing = voq` keeps one
//! virtual output queue per output. Either way the queues share one buffer
//! of `depth` beats in one memory: each queue is a linked list of slots, a
//! free-slot bitmap hands out space, so any queue may use the whole buffer.
//!
//! Ports (`clk`, `rst` synchronous, active high; Q queues, `wr_queue` and
//! `rd_queue` only when Q > 1):
//! - write: `wr_en`, `wr_queue`, `wr_sop`, `wr_eop`, `wr_data[W-1:0]`,
//!   `wr_tag[T-1:0]`; a beat is appended to queue `wr_queue` at an edge
//!   with `wr_en` high and `wr_full` low (`wr_full`: no free slot). The tag
//!   of an end beat is kept as its packet's tag (so a writer may settle it
//!   while the packet streams in).
//!   With `forwarding = cut_through` the tag of a start beat is its
//!   packet's tag instead.
//! - per queue `k`: `q{k}_ready` (it holds a packet whose end beat has not
//!   been read: a complete packet, up to its end beat, or with
//!   `cut_through` any packet whose start beat is in) and `q{k}_tag` (the
//!   tag of its oldest packet, while `q{k}_ready`).
//! - read: `rd_en`, `rd_queue` remove the oldest beat of that queue at the
//!   edge (ignored when it is empty, as a cut-through reader may find it
//!   while the rest of a packet is still arriving); `rd_last` says,
//!   combinationally, that this read removes an end beat. The removed
//!   beat appears after the edge on `rd_valid`, `rd_sop`, `rd_eop`,
//!   `rd_data` (for one cycle).
//! - `count`: beats held.
//! - `wr_drop`: at an edge with `wr_drop` high, the packet being written
//!   (the beats written to `wr_queue` since its start beat; none of them
//!   an end beat, none read) is discarded, and this cycle's beat is not
//!   written: a store-and-forward input throws away a packet it finds
//!   malformed part way through.
//! - marks: `mark_en`, `mark_queue` mark the newest beat of that queue at
//!   the edge, unless the queue holds no beat after the edge's read or
//!   that beat is marked already; `mark_placed` says, combinationally,
//!   that this edge places a mark. `rd_marked` says, combinationally, that
//!   this read removes a marked beat. A slot's mark clears when a new
//!   beat is written to it. The switch marks the newest ordered packet an
//!   arriving non-posted request must not pass.

use super::{decode, onehot_index, regs};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::arbiter::lowest_set;
use crate::params::{check_range, checked, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `queueing`.
pub const QUEUEING: ChoiceParam = ChoiceParam::new(
    "queueing",
    "",
    &["fifo", "voq"],
    "voq",
    "one FIFO per input, or one virtual output queue per output in a shared buffer",
);
/// Parameter `forwarding`.
pub const FORWARDING: ChoiceParam = ChoiceParam::new(
    "forwarding",
    "",
    &["store_and_forward", "cut_through"],
    "store_and_forward",
    "a packet may leave once its end beat is in, or once its start beat is",
);
/// Parameter `ports`.
pub const PORTS: IntParam = IntParam::new("ports", "p", 2..=64, 4, "outputs (queues with voq)");
/// Parameter `data_width`.
pub const DATA_WIDTH: IntParam =
    IntParam::new("data_width", "w", 1..=1024, 64, "data width in bits");
/// Parameter `depth`.
pub const DEPTH: IntParam = IntParam::new(
    "depth",
    "d",
    2..=1024,
    32,
    "buffer size in beats, shared by the queues",
);
/// Parameter `tag_width`.
pub const TAG_WIDTH: IntParam =
    IntParam::new("tag_width", "t", 1..=64, 8, "bits of per-packet tag");

/// The most queues one buffer holds: two lanes per output of the largest switch.
pub const MAX_QUEUES: usize = 2 * PORTS.max as usize;

/// How an input queues packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queueing {
    /// One FIFO per input.
    Fifo,
    /// One virtual output queue per output.
    Voq,
}

impl Queueing {
    /// Parameter `queueing`.
    pub(crate) fn from_params(p: &Params) -> Result<Queueing, RtlError> {
        Ok(match QUEUEING.read(p)? {
            "fifo" => Queueing::Fifo,
            _ => Queueing::Voq,
        })
    }

    /// Queues per input and lane for `ports` outputs.
    pub fn queues(self, ports: usize) -> usize {
        match self {
            Queueing::Fifo => 1,
            Queueing::Voq => ports,
        }
    }
}

/// When a packet may start leaving its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forwarding {
    /// Once it is whole: its end beat is in.
    StoreAndForward,
    /// Once its start beat is in; the rest may still be arriving.
    CutThrough,
}

impl Forwarding {
    /// Parameter `forwarding`.
    pub fn from_params(p: &Params) -> Result<Forwarding, RtlError> {
        Ok(match FORWARDING.read(p)? {
            "cut_through" => Forwarding::CutThrough,
            _ => Forwarding::StoreAndForward,
        })
    }
}

/// Shape of an input queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputQueueConfig {
    /// Queues sharing the buffer ([`MAX_QUEUES`] at most).
    pub queues: usize,
    /// Data width in bits ([`DATA_WIDTH`]).
    pub width: u32,
    /// Buffer size in beats ([`DEPTH`]).
    pub depth: u32,
    /// Width of a packet's tag ([`TAG_WIDTH`]).
    pub tag_width: u32,
    /// When a packet becomes ready ([`FORWARDING`]).
    pub forwarding: Forwarding,
}

impl InputQueueConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let ports: usize = PORTS.read(p)?;
        let cfg = InputQueueConfig {
            queues: Queueing::from_params(p)?.queues(ports),
            width: DATA_WIDTH.read(p)?,
            depth: DEPTH.read(p)?,
            tag_width: TAG_WIDTH.read(p)?,
            forwarding: Forwarding::from_params(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        check_range("queues", self.queues, 1, MAX_QUEUES as i64)?;
        DATA_WIDTH.check(self.width)?;
        DEPTH.check(self.depth)?;
        TAG_WIDTH.check(self.tag_width)
    }

    /// Width of `wr_queue`/`rd_queue`.
    pub fn queue_width(&self) -> u32 {
        bits_for(self.queues)
    }

    /// Width of `count`.
    pub fn count_width(&self) -> u32 {
        bits_for(self.depth as usize + 1)
    }
}

/// Builds the input queue as module `module_name`.
pub fn input_queue(module_name: &str, cfg: &InputQueueConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let d = cfg.depth as usize;
    let aw = bits_for(d);
    let cw = cfg.count_width();
    let qw = cfg.queue_width();
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let wr_en = m.input("wr_en", 1);
    // Queue selects exist only with several queues.
    let queue_input = |m: &mut ModuleBuilder, name: &str| -> Expr {
        if cfg.queues > 1 {
            m.input(name, qw).into()
        } else {
            lit(0, qw)
        }
    };
    let wr_queue = queue_input(&mut m, "wr_queue");
    let wr_sop = m.input("wr_sop", 1);
    let wr_eop = m.input("wr_eop", 1);
    let wr_data = m.input("wr_data", cfg.width);
    let wr_tag = m.input("wr_tag", cfg.tag_width);
    let wr_drop = m.input("wr_drop", 1);
    let wr_full = m.output("wr_full", 1);
    let rd_en = m.input("rd_en", 1);
    let rd_queue = queue_input(&mut m, "rd_queue");
    let rd_last = m.output("rd_last", 1);
    let rd_valid = m.output("rd_valid", 1);
    let rd_sop = m.output("rd_sop", 1);
    let rd_eop = m.output("rd_eop", 1);
    let rd_data = m.output("rd_data", cfg.width);
    let count = m.output("count", cw);
    let mark_en = m.input("mark_en", 1);
    let mark_queue = queue_input(&mut m, "mark_queue");
    let mark_placed = m.output("mark_placed", 1);
    let rd_marked = m.output("rd_marked", 1);

    let mem = m.memory("buf", cfg.width + 2, cfg.depth);
    let used = m.reg("used", cfg.depth).reset(0);
    let held = m.reg("held", cw).reset(0);
    let links_q = regs(&mut m, d, aw, |j| format!("link{j}"));
    let lasts_q = regs(&mut m, d, 1, |j| format!("last{j}"));
    let tags_q = regs(&mut m, d, cfg.tag_width, |j| format!("tag{j}"));
    let marks_q = regs(&mut m, d, 1, |j| format!("mark{j}"));
    let exprs = |v: &[Signal]| v.iter().map(|&s| Expr::from(s)).collect::<Vec<_>>();
    let (links, lasts, tags, marks) = (
        exprs(&links_q),
        exprs(&lasts_q),
        exprs(&tags_q),
        exprs(&marks_q),
    );
    let heads = regs(&mut m, cfg.queues, aw, |k| format!("head{k}"));
    let tails = regs(&mut m, cfg.queues, aw, |k| format!("tail{k}"));
    let beats = regs(&mut m, cfg.queues, cw, |k| format!("beats{k}"));
    let packets = regs(&mut m, cfg.queues, cw, |k| format!("packets{k}"));
    let sel = |sigs: &[Signal], i: &Expr| {
        let e: Vec<Expr> = sigs.iter().map(|&s| s.into()).collect();
        select(i.clone(), &e)
    };

    // Allocation: the lowest free slot.
    let free = m.wire("free_slot", cfg.depth);
    m.assign(free, lowest_set(!used));
    let slot = m.wire("alloc", aw);
    m.assign(slot, onehot_index(free, aw));
    let full = used.all();
    let push = m.wire("push", 1);
    m.assign(push, wr_en & !full.clone() & !wr_drop);
    // The packet being written: its slots, its beats, and the tail of its
    // queue before it, for `wr_drop`.
    let pkt_slots = m.reg("pkt_slots", cfg.depth).reset(0);
    let pkt_beats = m.reg("pkt_beats", cw).reset(0);
    let pkt_tail = m.reg("pkt_tail", aw).reset(0);
    // The slot of its start beat, where its tag is kept.
    let pkt_start = m.reg("pkt_start", aw).reset(0);
    m.when(push & wr_sop, |m| m.next(pkt_start, slot));
    let start_now = m.wire("start_slot", aw);
    m.assign(start_now, mux(wr_sop, slot, pkt_start));
    // The beat whose tag is its packet's.
    let cut_through = cfg.forwarding == Forwarding::CutThrough;
    let tag_beat = if cut_through { wr_sop } else { wr_eop };
    let tag_write = push & tag_beat;
    let alloc_mask = mux(push, free, lit(0, cfg.depth));
    m.when(wr_drop, |m| {
        m.next(pkt_slots, lit(0, cfg.depth));
        m.next(pkt_beats, lit(0, cw));
    })
    .elsewhen(push & wr_sop, |m| {
        m.next(pkt_slots, free);
        m.next(pkt_beats, lit(1, cw));
    })
    .elsewhen(push, |m| {
        m.next(pkt_slots, pkt_slots | free);
        m.next(pkt_beats, pkt_beats + 1);
    });
    let discarded = mux(wr_drop, pkt_slots, lit(0, cfg.depth));
    let discarded_beats = mux(wr_drop, pkt_beats, lit(0, cw));

    // The read side: the head beat of `rd_queue`.
    let rd_head = m.wire("rd_head", aw);
    m.assign(rd_head, sel(&heads, &rd_queue));
    let pop = m.wire("pop", 1);
    m.assign(pop, rd_en & sel(&beats, &rd_queue).ne(lit(0, cw)));
    let last = m.wire("head_last", 1);
    m.assign(last, pop & select(rd_head, &lasts));
    let rd_q = m.mem_read(mem, "rd_q", rd_head, pop);
    // After the dequeue: the queue's next slot, and (after an end beat)
    // the tag of its next packet, which starts there.
    let head_link = m.wire("head_link", aw);
    m.assign(head_link, select(rd_head, &links));
    let next_tag = m.wire("next_tag", cfg.tag_width);
    m.assign(next_tag, select(head_link, &tags));
    let valid_q = m.reg("rd_valid_q", 1).reset(0);
    m.next(valid_q, pop);

    m.when(push, |m| {
        m.mem_write(mem, slot, cat![wr_sop, wr_eop, wr_data])
    });
    let freed = mux(pop, decode(rd_head, d), lit(0, cfg.depth));
    m.next(used, (used | alloc_mask) & !freed & !discarded);
    m.next(
        held,
        held + push.zext(cw) - pop.zext(cw) - discarded_beats.clone(),
    );

    // Marks: the newest beat of `mark_queue`, when one stays after the read.
    let mark_tail = m.wire("mark_tail", aw);
    m.assign(mark_tail, sel(&tails, &mark_queue));
    let mark_beats = sel(&beats, &mark_queue);
    let emptied_by_read =
        pop & rd_queue.clone().eq(mark_queue.clone()) & mark_beats.clone().eq(lit(1, cw));
    let place = m.wire("mark_place", 1);
    m.assign(
        place,
        mark_en & mark_beats.ne(lit(0, cw)) & !emptied_by_read & !select(mark_tail, &marks),
    );
    m.assign(mark_placed, place);
    m.assign(rd_marked, pop & select(rd_head, &marks));

    // Per slot: its end flag, its tag (a packet's start slot, written with
    // its end beat), its mark, its link.
    let wr_tail = sel(&tails, &wr_queue);
    let wr_nonempty = sel(&beats, &wr_queue).ne(lit(0, cw));
    for j in 0..d {
        let mine = push & free.bit(j as u32);
        let (l, t, k) = (lasts_q[j], tags_q[j], marks_q[j]);
        m.when(mine.clone(), |m| m.next(l, wr_eop));
        m.when(tag_write.clone() & start_now.eq(lit(j as u64, aw)), |m| {
            m.next(t, wr_tag)
        });
        m.when(mine.clone(), |m| m.next(k, low()))
            .elsewhen(place & mark_tail.eq(lit(j as u64, aw)), |m| {
                m.next(k, high())
            });
        let link = links_q[j];
        let append = push & wr_nonempty.clone() & wr_tail.clone().eq(lit(j as u64, aw));
        m.when(append, |m| m.next(link, slot));
    }

    // Per queue: head, tail, beats and complete packets.
    for k in 0..cfg.queues {
        let kq = lit(k as u64, qw);
        let enq = push & wr_queue.clone().eq(kq.clone());
        let deq = pop & rd_queue.clone().eq(kq.clone());
        let (head, tail, n, pk) = (heads[k], tails[k], beats[k], packets[k]);
        let one = lit(1, cw);
        let emptied = n.eq(lit(0, cw)) | (n.eq(one.clone()) & deq.clone());
        // The oldest packet's tag, kept beside the head pointer: taken from
        // an end beat written now to the packet that starts at the head, or
        // from the next packet's start slot when the head packet leaves.
        let head_tag = m.reg(format!("head_tag{k}"), cfg.tag_width).reset(0);
        let head_next = mux(
            enq.clone() & emptied.clone(),
            slot,
            mux(deq.clone(), head_link, head),
        );
        m.when(enq.clone() & emptied, |m| m.next(head, slot))
            .elsewhen(deq.clone(), |m| m.next(head, head_link));
        m.when(
            tag_write.clone() & enq.clone() & start_now.eq(head_next),
            |m| m.next(head_tag, wr_tag),
        )
        .elsewhen(deq.clone() & last, |m| m.next(head_tag, next_tag));
        let dropped_here = wr_drop & wr_queue.clone().eq(kq.clone());
        m.when(enq.clone() & wr_sop, |m| m.next(pkt_tail, tail));
        m.when(dropped_here.clone(), |m| m.next(tail, pkt_tail))
            .elsewhen(enq.clone(), |m| m.next(tail, slot));
        let lost = mux(dropped_here.clone(), pkt_beats, lit(0, cw));
        m.next(n, n + enq.clone().zext(cw) - deq.clone().zext(cw) - lost);
        // A cut-through packet counts from its start beat, so one dropped
        // after its start beat is uncounted.
        let unstarted = if cut_through {
            dropped_here & pkt_beats.ne(lit(0, cw))
        } else {
            low()
        };
        m.next(
            pk,
            pk + (enq & tag_beat).zext(cw) - (deq & last).zext(cw) - unstarted.zext(cw),
        );
        let ready = m.output(format!("q{k}_ready"), 1);
        let tag = m.output(format!("q{k}_tag"), cfg.tag_width);
        m.assign(ready, pk.ne(lit(0, cw)));
        m.assign(tag, head_tag);
    }

    m.assign(wr_full, full);
    m.assign(rd_last, last);
    m.assign(rd_valid, valid_q);
    m.assign(rd_sop, rd_q.bit(cfg.width + 1));
    m.assign(rd_eop, rd_q.bit(cfg.width));
    m.assign(rd_data, rd_q.slice(cfg.width - 1, 0));
    m.assign(count, held);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "input_queue",
        doc: "switch input buffer: one FIFO or virtual output queues sharing one memory",
        params: vec![
            QUEUEING.spec(),
            PORTS.spec(),
            DATA_WIDTH.spec(),
            DEPTH.spec(),
            TAG_WIDTH.spec(),
            FORWARDING.spec(),
        ],
        build: |name, p| Ok(input_queue(name, &InputQueueConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
