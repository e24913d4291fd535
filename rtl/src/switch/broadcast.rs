//! Broadcast from the root complex (message routing `011`, PCIe 2.2.8):
//! a switch sends such a message, arriving at its upstream port, out of
//! every downstream port. The upstream input writes the first copy to the
//! lowest downstream port's ordered lane as the message arrives, keeping
//! its beats in a buffer of `max_packet_beats`; once its end beat is in,
//! well formed, the input takes no beat and writes one more copy per
//! downstream port from the buffer, each into that port's ordered lane, so
//! on every path the message keeps its place among posted requests and
//! completions, and a later non-posted request is fenced behind it.
//!
//! Only the first copy is covered by the credits the link partner spent;
//! the others are held in space the port never advertises, one copy of
//! `max_packet_beats` beats (see [`Broadcast::reserve`]): a copy is written
//! once the previous one has left the queue, and returns no credits.

use super::switch::SwitchConfig;
use crate::switch::credit::DATA_BITS;
use linkforge_hdl::prelude::*;

/// The replication of one switch's upstream input.
pub(crate) struct Broadcast {
    /// The downstream ports in order: the first gets the arriving copy.
    downstream: Vec<usize>,
    ports: usize,
    max_beats: u32,
    data_width: u32,
    input: usize,
}

/// What the input tells the replication.
pub(crate) struct BroadcastIn {
    /// The beat written this cycle is a beat of a broadcast message,
    /// well formed so far: keep `word` as its beat number `beat`.
    pub record: Expr,
    pub beat: Expr,
    pub word: Expr,
    /// The message's end beat, well formed, is in: start the copies.
    pub done: Expr,
    /// The message's data credits (for its copies' tags).
    pub data_credits: Expr,
    /// A copy left the queue (its end beat was read).
    pub copy_left: Expr,
}

/// The copies, one beat per cycle into the queue.
pub(crate) struct Copies {
    /// The input must take no beat (copies are being written).
    pub busy: Expr,
    /// A beat to write: `word` (data and keep flags) of the copy for
    /// output `port`, with its start and end flags.
    pub write: Expr,
    pub port: Expr,
    pub sop: Expr,
    pub eop: Expr,
    pub word: Expr,
    pub data_credits: Expr,
}

impl Broadcast {
    /// The replication of input `i`: only the upstream port's, and only
    /// with more than one downstream port.
    pub fn of(cfg: &SwitchConfig, i: usize) -> Option<Broadcast> {
        let up = cfg.upstream_port.filter(|&u| u == i && cfg.ports > 2)?;
        Some(Broadcast {
            downstream: (0..cfg.ports).filter(|&p| p != up).collect(),
            ports: cfg.ports,
            max_beats: cfg.max_packet_beats,
            data_width: cfg.data_width,
            input: i,
        })
    }

    /// Beats of the input buffer kept out of the credits for the copies.
    pub fn reserve(cfg: &SwitchConfig) -> u32 {
        match cfg.upstream_port {
            Some(u) if Self::of(cfg, u).is_some() => cfg.max_packet_beats,
            _ => 0,
        }
    }

    /// Builds the buffer and the copy sequencer.
    pub fn build(&self, m: &mut ModuleBuilder, inp: BroadcastIn) -> Copies {
        let i = self.input;
        let sw = bits_for(self.ports);
        let aw = bits_for(self.max_beats as usize);
        let lw = bits_for(self.max_beats as usize + 1);
        let ww = self.data_width + self.data_width / 32;
        let name = |s: &str| format!("rx{i}_bcast_{s}");
        let buf = m.memory(name("buf"), ww, self.max_beats);
        m.when(inp.record.clone(), |m| {
            m.mem_write(buf, inp.beat.clone().slice(aw - 1, 0), inp.word.clone())
        });

        let on = m.reg(name("on"), 1).reset(0);
        let port = m.reg(name("port"), sw).reset(0);
        let len = m.reg(name("len"), lw).reset(0);
        let next = m.reg(name("beat"), lw).reset(0);
        let data = m.reg(name("data"), DATA_BITS).reset(0);
        let in_buf = m.reg(name("in_buf"), 1).reset(0);
        // The copies go to the downstream ports in order after the first:
        // each port's successor, and the last one.
        let d = &self.downstream;
        let mut after = vec![lit(0, sw); self.ports];
        for pair in d.windows(2) {
            after[pair[0]] = lit(pair[1] as u64, sw);
        }
        let last_port = port.eq(lit(*d.last().expect("downstream ports") as u64, sw));
        let first_beat = next.eq(lit(0, lw));
        let last_beat = (next + lit(1, lw)).eq(len);
        let issue = m.wire(name("issue"), 1);
        m.assign(issue, on & (!first_beat.clone() | !in_buf));
        let word = m.mem_read(buf, name("word"), next.slice(aw - 1, 0), issue);

        m.when(inp.done.clone(), |m| {
            m.next(on, high());
            m.next(port, lit(d[1] as u64, sw));
            m.next(len, inp.beat.clone().slice(lw - 1, 0) + lit(1, lw));
            m.next(next, lit(0, lw));
            m.next(data, inp.data_credits.clone());
        })
        .elsewhen(issue & last_beat.clone(), |m| {
            m.next(next, lit(0, lw));
            m.next(port, select(port, &after));
            m.when(last_port, |m| m.next(on, low()));
        })
        .elsewhen(issue, |m| m.next(next, next + lit(1, lw)));
        m.when(issue & first_beat.clone(), |m| m.next(in_buf, high()))
            .elsewhen(inp.copy_left, |m| m.next(in_buf, low()));

        // The write stage: the beat read at the last edge.
        let w_valid = m.reg(name("w_valid"), 1).reset(0);
        let w_sop = m.reg(name("w_sop"), 1).reset(0);
        let w_eop = m.reg(name("w_eop"), 1).reset(0);
        let w_port = m.reg(name("w_port"), sw).reset(0);
        m.next(w_valid, issue);
        m.when(issue, |m| {
            m.next(w_sop, first_beat);
            m.next(w_eop, last_beat);
            m.next(w_port, port);
        });
        let wide = self.data_width >= super::tlp::HEADER_BITS;
        Copies {
            // At 64 bits the hold may (and must) start with the end beat.
            busy: if wide {
                on | w_valid
            } else {
                inp.done | on | w_valid
            },
            write: w_valid.into(),
            port: w_port.into(),
            sop: w_sop.into(),
            eop: w_eop.into(),
            word: word.into(),
            data_credits: data.into(),
        }
    }
}
