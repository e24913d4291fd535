//! `deskew` judged by a model of lane-to-lane deskew (PCIe 4.2.5.12) as
//! the block documents it: the first marker on any lane opens a window
//! (window time 0 at that edge), each lane's first marker in it is stamped
//! with the window time, the window completes when every lane is stamped
//! (each lane's delay becomes the latest stamp minus its own) and fails
//! when window time `max_skew` passes with a lane missing. `aligned` is
//! high after an edge when a window had completed before it, and that edge
//! neither failed nor changed a delay.
//!
//! The stimulus sends random symbols on every lane with a common marker
//! every `3 * max_skew + 12` to 31 more symbols; each lane arrives a random
//! number of symbols late (up to `max_skew`), redrawn every 6 markers
//! halfway between two markers (so no lane repeats or skips one), and one time in 6 one lane arrives 1 to 4 symbols
//! beyond `max_skew`. `aligned`, `error` and `skew` are compared each
//! cycle, and while aligned every lane's `out_data` and `out_marker`
//! against its input `2 + delay` cycles earlier.

use crate::tb::cycle::{expect_eq, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::{words_for, Bits};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::deskew::DeskewConfig;
use linkforge_rtl::RtlError;
use std::collections::VecDeque;

/// One cycle's logical symbols, `(data, marker)` per lane.
type Symbols = Vec<(Bits, bool)>;

/// The model of `deskew` and its lanes.
#[derive(Clone, Debug)]
pub struct DeskewModel {
    cfg: DeskewConfig,
    /// The logical symbols sent, newest last, with the index of the first.
    logical: VecDeque<Symbols>,
    first: u64,
    /// Symbols until the next marker, markers until the skews change.
    to_marker: u32,
    to_redraw: u32,
    /// Each lane's lateness in symbols.
    late: Vec<u32>,
    /// The inputs applied in the last cycles (newest last).
    inputs: VecDeque<Symbols>,
    /// The block: window open and its time, each lane's stamp, the delays
    /// in use, a window completed since the last failure, `error`,
    /// `aligned`.
    open: Option<u32>,
    stamps: Vec<Option<u32>>,
    delays: Vec<u32>,
    locked: bool,
    error: bool,
    aligned: bool,
    reset_seen: bool,
    windows: u64,
    failures: u64,
}

impl DeskewModel {
    /// The model of the block `cfg` describes.
    pub fn new(cfg: &DeskewConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        let lanes = cfg.lanes as usize;
        Ok(DeskewModel {
            cfg: *cfg,
            logical: VecDeque::new(),
            first: 0,
            to_marker: 0,
            to_redraw: 0,
            late: vec![0; lanes],
            inputs: VecDeque::new(),
            open: None,
            stamps: vec![None; lanes],
            delays: vec![0; lanes],
            locked: false,
            error: false,
            aligned: false,
            reset_seen: false,
            windows: 0,
            failures: 0,
        })
    }

    /// The model of the `deskew` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&DeskewConfig::from_params(params)?)
    }

    /// New lateness for every lane from `w`.
    fn redraw(&mut self, w: u64) {
        let max = u64::from(self.cfg.max_skew);
        let mut r = w;
        for late in &mut self.late {
            *late = (r % (max + 1)) as u32;
            r = r.rotate_right(11) ^ 0x9E37_79B9_7F4A_7C15;
        }
        if self.cfg.lanes > 1 && (w >> 60) % 6 == 0 {
            let lane = (w >> 32) as usize % self.late.len();
            self.late[lane] = self.cfg.max_skew + 1 + (w >> 40) as u32 % 4;
        }
    }

    /// The block takes one cycle's `symbols` at an edge.
    fn edge(&mut self, symbols: &Symbols) {
        let marked: Vec<bool> = symbols.iter().map(|s| s.1).collect();
        let now = match self.open {
            Some(t) => t,
            None if marked.contains(&true) => 0,
            None => {
                self.aligned = self.locked;
                return;
            }
        };
        for (stamp, &m) in self.stamps.iter_mut().zip(&marked) {
            if m && stamp.is_none() {
                *stamp = Some(now);
            }
        }
        if self.stamps.iter().all(Option::is_some) {
            let delays: Vec<u32> = self.stamps.iter().flatten().map(|s| now - s).collect();
            self.aligned = self.locked && delays == self.delays;
            (self.delays, self.locked, self.error) = (delays, true, false);
            self.close();
            self.windows += 1;
        } else if now == self.cfg.max_skew {
            (self.locked, self.error, self.aligned) = (false, true, false);
            self.close();
            self.failures += 1;
        } else {
            self.open = Some(now + 1);
            self.aligned = self.locked;
        }
    }

    fn close(&mut self) {
        self.open = None;
        self.stamps.iter_mut().for_each(|s| *s = None);
    }

    /// `out_data` and `out_marker` while aligned: each lane's input
    /// `2 + delay` cycles back.
    fn expected_out(&self) -> Option<(Bits, Bits)> {
        let w = self.cfg.width;
        let mut data = Bits::zero(self.cfg.lanes * w);
        let mut marker = Bits::zero(self.cfg.lanes);
        for (lane, &delay) in self.delays.iter().enumerate() {
            let back = 3 + delay as usize;
            let (d, m) = &self.inputs.get(self.inputs.len().checked_sub(back)?)?[lane];
            for b in 0..w {
                data.set_bit(lane as u32 * w + b, d.bit(b));
            }
            marker.set_bit(lane as u32, *m);
        }
        Some((data, marker))
    }
}

impl CycleModel for DeskewModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("in_data".into(), self.cfg.lanes * self.cfg.width),
            ("in_marker".into(), self.cfg.lanes),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        ["aligned", "error", "skew", "out_data", "out_marker"]
            .map(String::from)
            .to_vec()
    }
    fn words_per_cycle(&self) -> usize {
        1 + self.cfg.lanes as usize * words_for(self.cfg.width)
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let control = words.next().unwrap_or(0);
        let max = self.cfg.max_skew;
        let symbols: Symbols = (0..self.cfg.lanes)
            .map(|_| {
                let v: Vec<u64> = (0..words_for(self.cfg.width))
                    .map(|_| words.next().unwrap_or(0))
                    .collect();
                (Bits::from_words(&v, self.cfg.width), self.to_marker == 0)
            })
            .collect();
        if self.to_marker == 0 {
            self.to_marker = 3 * max + 12 + (control >> 8) as u32 % 32;
            self.to_redraw = self.to_redraw.checked_sub(1).unwrap_or(5);
        } else if self.to_redraw == 0 && self.to_marker == (3 * max + 12) / 2 {
            self.redraw(control);
            self.to_redraw = 6;
        }
        self.to_marker -= 1;
        self.logical.push_back(symbols);
        let now = self.first + self.logical.len() as u64 - 1;
        let idle = (Bits::zero(self.cfg.width), false);
        let applied: Symbols = self
            .late
            .iter()
            .enumerate()
            .map(|(lane, &late)| {
                now.checked_sub(u64::from(late))
                    .and_then(|k| self.logical.get((k.checked_sub(self.first)?) as usize))
                    .map_or_else(|| idle.clone(), |s| s[lane].clone())
            })
            .collect();
        while self.logical.len() > (2 * max + 8) as usize {
            self.logical.pop_front();
            self.first += 1;
        }
        let mut data = Bits::zero(self.cfg.lanes * self.cfg.width);
        let mut marker = Bits::zero(self.cfg.lanes);
        for (lane, (d, m)) in applied.iter().enumerate() {
            for b in 0..self.cfg.width {
                data.set_bit(lane as u32 * self.cfg.width + b, d.bit(b));
            }
            marker.set_bit(lane as u32, *m);
        }
        self.inputs.push_back(applied);
        if self.inputs.len() > max as usize + 4 {
            self.inputs.pop_front();
        }
        vec![
            Bits::from_u64_wrapping(u64::from(cycle < RESET_CYCLES), 1),
            data,
            marker,
        ]
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        if !self.reset_seen {
            return Ok(0);
        }
        let mut checks = expect_eq("aligned", outputs[0].low_u64(), u64::from(self.aligned))?;
        checks += expect_eq("error", outputs[1].low_u64(), u64::from(self.error))?;
        let sw = self.cfg.skew_width();
        for (lane, &d) in self.delays.iter().enumerate() {
            let got = outputs[2].field(lane as u32 * sw, sw);
            checks += expect_eq(&format!("skew of lane {lane}"), got, d.into())?;
        }
        if self.aligned {
            let Some((data, marker)) = self.expected_out() else {
                return Err("aligned before the delay lines hold a symbol".into());
            };
            if outputs[3] != data || outputs[4] != marker {
                return Err(format!(
                    "aligned, but `out_data`/`out_marker` are {}/{}, the lanes delayed by {:?} give {}/{}",
                    outputs[3].to_hex(),
                    outputs[4].to_hex(),
                    self.delays,
                    data.to_hex(),
                    marker.to_hex()
                ));
            }
            checks += u64::from(self.cfg.lanes);
        }
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.close();
            self.delays.iter_mut().for_each(|d| *d = 0);
            (self.locked, self.error, self.aligned) = (false, false, false);
            self.reset_seen = true;
        } else if let Some(symbols) = self.inputs.back().cloned() {
            self.edge(&symbols);
        }
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![
            ("windows_completed".into(), self.windows.to_string()),
            ("windows_failed".into(), self.failures.to_string()),
        ]
    }
}
