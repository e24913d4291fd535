//! The FIFO testbenches: random pushes and pops in bursts (overflow and
//! underflow attempts included) against a queue of the words in flight.
//!
//! `sync_fifo` is judged exactly on every output each cycle: count, full,
//! empty (first word fall through: a word shows one edge after its write)
//! and the word at the head. `async_fifo` is judged on its two clocks by
//! the bounds a gray-pointer crossing guarantees: the write side never
//! under-counts, the read side never over-counts, and the head word is
//! the oldest word in flight.

use crate::tb::cycle::{bits, expect_eq, flag, Bursty, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::common::async_fifo::AsyncFifoConfig;
use linkforge_rtl::common::sync_fifo::SyncFifoConfig;
use std::collections::VecDeque;

/// Random pushes and pops: (write enable, data, read enable).
#[derive(Clone, Debug, Default)]
struct Traffic {
    writes: Bursty,
    reads: Bursty,
}

impl Traffic {
    fn draw(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>) -> (bool, u64, bool) {
        let mut next = || words.next().unwrap_or(0);
        let w = self.writes.next(cycle, next());
        let data = next();
        let r = self.reads.next(cycle, next());
        (w, data, r)
    }
}

/// The reference of a `sync_fifo`.
#[derive(Clone, Debug)]
pub struct SyncFifoModel {
    cfg: SyncFifoConfig,
    traffic: Traffic,
    /// (word, the edge that wrote it), oldest first.
    held: VecDeque<(u64, u64)>,
    /// Edges so far.
    edges: u64,
}

impl SyncFifoModel {
    /// The model of an empty FIFO `cfg` describes.
    pub fn new(cfg: &SyncFifoConfig) -> Self {
        SyncFifoModel {
            cfg: *cfg,
            traffic: Traffic::default(),
            held: VecDeque::new(),
            edges: 0,
        }
    }

    /// Empty as the read side shows it: nothing held, or the oldest word
    /// written on the last edge.
    fn empty(&self) -> bool {
        self.held.front().is_none_or(|&(_, at)| at == self.edges)
    }
}

impl CycleModel for SyncFifoModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        [
            ("rst", 1),
            ("wr_en", 1),
            ("wr_data", self.cfg.width),
            ("rd_en", 1),
        ]
        .map(|(n, w)| (n.to_string(), w))
        .to_vec()
    }

    fn outputs(&self) -> Vec<String> {
        ["count", "wr_full", "rd_empty", "rd_data"]
            .map(String::from)
            .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let (w, data, r) = self.traffic.draw(cycle, words);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(w),
            bits(data, self.cfg.width),
            flag(r),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let held = self.held.len() as u64;
        let mut compared = expect_eq("count", out[0].low_u64(), held)?;
        compared += expect_eq(
            "wr_full",
            out[1].low_u64(),
            (held == u64::from(self.cfg.depth)) as u64,
        )?;
        let empty = self.empty();
        compared += expect_eq("rd_empty", out[2].low_u64(), empty as u64)?;
        if let (false, Some(&(word, _))) = (empty, self.held.front()) {
            compared += expect_eq("rd_data", out[3].low_u64(), word)?;
        }
        Ok(compared)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        let (rst, w, r) = (
            inputs[0].low_u64() == 1,
            inputs[1].low_u64() == 1,
            inputs[3].low_u64() == 1,
        );
        let full = self.held.len() == self.cfg.depth as usize;
        let empty = self.empty();
        self.edges += 1;
        if rst {
            self.held.clear();
            return;
        }
        if r && !empty {
            self.held.pop_front();
        }
        if w && !full {
            self.held.push_back((inputs[2].low_u64(), self.edges));
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of an `async_fifo` on two clocks.
#[derive(Clone, Debug)]
pub struct AsyncFifoModel {
    cfg: AsyncFifoConfig,
    /// Read clock period and phase in ps (the write clock runs at 1 ns).
    read_clock: (u64, u64),
    traffic: Traffic,
    held: VecDeque<u64>,
    /// Rising edges of (write, read) clock so far.
    edges: (u64, u64),
    /// The full and empty flags shown before the last edge.
    shown: (bool, bool),
}

/// Edges of each clock a testbench holds an `async_fifo`'s resets for.
const ASYNC_RESET_EDGES: u64 = 4;

impl AsyncFifoModel {
    /// The model of an empty FIFO `cfg` describes, its read clock at
    /// `read_clock` (period, phase) in ps against a 1 ns write clock.
    pub fn new(cfg: &AsyncFifoConfig, read_clock: (u64, u64)) -> Self {
        AsyncFifoModel {
            cfg: *cfg,
            read_clock,
            traffic: Traffic::default(),
            held: VecDeque::new(),
            edges: (0, 0),
            shown: (false, true),
        }
    }

    /// The model with the catalogue's clocks: the read clock at 1.37 ns,
    /// a ratio that walks through every phase.
    pub fn catalogue(cfg: &AsyncFifoConfig) -> Self {
        Self::new(cfg, (1370, 300))
    }

    fn in_reset(&self) -> bool {
        self.edges.0 < ASYNC_RESET_EDGES || self.edges.1 < ASYNC_RESET_EDGES
    }
}

impl CycleModel for AsyncFifoModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        [
            ("wr_rst", 1),
            ("rd_rst", 1),
            ("wr_en", 1),
            ("wr_data", self.cfg.width),
            ("rd_en", 1),
        ]
        .map(|(n, w)| (n.to_string(), w))
        .to_vec()
    }

    fn outputs(&self) -> Vec<String> {
        ["wr_count", "wr_full", "rd_count", "rd_empty", "rd_data"]
            .map(String::from)
            .to_vec()
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn clocks(&self) -> Vec<(&'static str, u64, u64)> {
        vec![
            ("wr_clk", 1000, 0),
            (
                "rd_clk",
                self.read_clock.0,
                self.read_clock.1 % self.read_clock.0,
            ),
        ]
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let (w, data, r) = self.traffic.draw(cycle, words);
        let rst = flag(self.in_reset());
        vec![
            rst.clone(),
            rst,
            flag(w),
            bits(data, self.cfg.width),
            flag(r),
        ]
    }

    fn judge(&mut self, _: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        let (wr_count, full, rd_count, empty) = (
            out[0].low_u64(),
            out[1].low_u64() == 1,
            out[2].low_u64(),
            out[3].low_u64() == 1,
        );
        self.shown = (full, empty);
        if self.in_reset() {
            return Ok(0);
        }
        let depth = u64::from(self.cfg.depth);
        let held = self.held.len() as u64;
        let bounds = [
            (
                held <= depth + 1,
                format!("{held} words held, capacity {depth} + 1"),
            ),
            (
                wr_count <= depth,
                format!("wr_count {wr_count} above the depth {depth}"),
            ),
            (
                full == (wr_count == depth),
                format!("wr_full {full} with wr_count {wr_count}"),
            ),
            // The write side never under-counts the memory (the words held
            // minus the one in the output register).
            (
                wr_count + u64::from(!empty) >= held,
                format!("wr_count {wr_count} with {held} words held"),
            ),
            // The read side never over-counts.
            (
                rd_count <= held,
                format!("rd_count {rd_count} with {held} words held"),
            ),
            // A word the read side has seen in the memory shows one edge later.
            (
                empty || rd_count >= 1,
                "a word shows while rd_count is 0".to_string(),
            ),
        ];
        if let Some((_, why)) = bounds.iter().find(|(ok, _)| !ok) {
            return Err(why.clone());
        }
        let mut compared = bounds.len() as u64;
        if let (false, Some(&word)) = (empty, self.held.front()) {
            compared += expect_eq("rd_data", out[4].low_u64(), word)?;
        }
        Ok(compared)
    }

    fn advance(&mut self, inputs: &[Bits], ticked: &[bool]) {
        let reset = self.in_reset();
        let (full, empty) = self.shown;
        if ticked[0] {
            self.edges.0 += 1;
            if !reset && inputs[2].low_u64() == 1 && !full {
                self.held.push_back(inputs[3].low_u64());
            }
        }
        if ticked[1] {
            self.edges.1 += 1;
            if !reset && inputs[4].low_u64() == 1 && !empty {
                self.held.pop_front();
            }
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}
