//! The testbenches of the Ethernet PCS's blocks one by one, each a
//! [`CycleModel`] over the Clause 49 models of [`super::model`].
//!
//! Every block but the gearboxes registers its outputs one edge after the
//! inputs it took: the model computes what that edge puts out and compares
//! it at the next cycle. The gearboxes are judged on the line: the
//! transmit gearbox's bits are cut into blocks and compared with the
//! blocks it took; the receive gearbox gets blocks behind a random number
//! of junk bits, is slipped by the block lock model, and once locked must
//! deliver the blocks in the order sent.

use super::model::codec::{decode, encode, word_type};
use super::model::fcs::{self, FrameEnd, Monitor};
use super::model::sequence::{RxModel, TxModel};
use super::model::{ber, block_lock, scrambler};
use super::source::{Source, Stream};
use crate::models::xorshift::XorShift;
use crate::tb::cycle::{bits, expect_eq, flag, take, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::ethernet::ber::BerConfig;
use linkforge_rtl::ethernet::block_lock::BlockLockConfig;
use linkforge_rtl::ethernet::codec::BlockType;
use linkforge_rtl::ethernet::gearbox::GearboxConfig;
use linkforge_rtl::ethernet::scrambler::Direction;
use linkforge_rtl::ethernet::sequence::RxBlock;
use linkforge_rtl::ethernet::{ERROR, IDLE, SEQUENCE, START, TERMINATE};

/// Ports as (name, width) pairs.
fn ports(list: &[(&str, u32)]) -> Vec<(String, u32)> {
    list.iter().map(|&(n, w)| (n.to_string(), w)).collect()
}

/// Names as strings.
fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| n.to_string()).collect()
}

/// Compares `got` with `want`, output by output, naming the first that
/// differs: the number compared.
fn expect_all(outputs: &[&str], got: &[Bits], want: &[u64]) -> Result<u64, String> {
    outputs
        .iter()
        .zip(got)
        .zip(want)
        .try_fold(0, |n, ((name, g), &w)| {
            Ok(n + expect_eq(name, g.low_u64(), w)?)
        })
}

/// A random XGMII word: a piece of a legal stream, an illegal word now
/// and then, or random lanes mixing data and control characters.
fn any_word(stream: &mut Stream, words: &mut dyn Iterator<Item = u64>) -> (u64, u8) {
    let choice = words.next().unwrap_or(0);
    if choice % 2 == 0 {
        return stream.word(words);
    }
    let chars = [IDLE, ERROR, START, TERMINATE, SEQUENCE, 0x5A];
    let (d, c) = (words.next().unwrap_or(0), (choice >> 8) as u8);
    let mut picks = XorShift::new(choice);
    let d = (0..8).fold(0u64, |acc, j| {
        let b = if c >> j & 1 == 1 {
            chars[(picks.word() % chars.len() as u64) as usize]
        } else {
            (d >> (8 * j)) as u8
        };
        acc | u64::from(b) << (8 * j)
    });
    (d, c)
}

/// Whether a block is offered this cycle: three cycles in four.
fn offered(word: u64) -> bool {
    word % 4 != 0
}

/// The reference of `eth_encoder`: each valid XGMII word becomes its
/// 66-bit block and type one edge later; the block holds while no word
/// is valid.
#[derive(Clone, Debug, Default)]
pub struct EncoderModel {
    stream: Stream,
    valid: bool,
    /// The block and type put out last, once known.
    block: Option<(u64, u64, u64)>,
    typed: bool,
}

impl EncoderModel {
    /// The model after reset, fed a stream with one illegal word in 8.
    pub fn new() -> Self {
        EncoderModel {
            stream: Stream::new(8),
            ..Self::default()
        }
    }
}

impl CycleModel for EncoderModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_valid", 1), ("txd", 64), ("txc", 8)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["out_valid", "out_hdr", "out_data", "out_type"])
    }

    fn words_per_cycle(&self) -> usize {
        3 + Stream::WORDS
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let valid = offered(words.next().unwrap_or(0));
        let (d, c) = any_word(&mut self.stream, words);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(valid),
            bits(d, 64),
            bits(c.into(), 8),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let mut n = expect_eq("out_valid", out[0].low_u64(), self.valid as u64)?;
        if let Some((hdr, data, ty)) = self.block {
            n += expect_all(&["out_hdr", "out_data"], &out[1..3], &[hdr, data])?;
            if self.typed {
                n += expect_eq("out_type", out[3].low_u64(), ty)?;
            }
        }
        Ok(n)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        let (rst, valid) = (inputs[0].low_u64() == 1, inputs[1].low_u64() == 1);
        self.valid = valid && !rst;
        self.typed = self.valid;
        if rst {
            self.block = None;
        } else if valid {
            let (d, c) = (inputs[2].low_u64(), inputs[3].low_u64() as u8);
            let (hdr, data) = encode(d, c);
            self.block = Some((hdr, data, word_type(d, c).code()));
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of `eth_decoder`: each valid block becomes its XGMII
/// word, error flag and type one edge later.
#[derive(Clone, Debug, Default)]
pub struct DecoderModel {
    valid: bool,
    word: Option<[u64; 4]>,
}

impl DecoderModel {
    /// The model after reset.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The block types of Figure 49-7's type field, for blocks that mostly
/// decode.
const BLOCK_TYPES: [u64; 15] = [
    0x1E, 0x78, 0x33, 0x87, 0x99, 0xAA, 0xB4, 0xCC, 0xD2, 0xE1, 0xFF, 0x4B, 0x2D, 0x55, 0x66,
];

/// A random block, mostly of a known type with mostly valid codes.
fn any_block(words: &mut dyn Iterator<Item = u64>) -> (u64, u64) {
    let (choice, mut payload) = (words.next().unwrap_or(0), words.next().unwrap_or(0));
    let mut r = XorShift::new(choice);
    let hdr = [0b10, 0b01, 0b01, 0, 3][(r.word() % 5) as usize];
    if r.word() % 8 != 0 {
        payload = payload & !0xFF | BLOCK_TYPES[(r.word() % BLOCK_TYPES.len() as u64) as usize];
        for j in 0..8 {
            let code = [0x00, 0x1E, r.word() & 0x7F][(r.word() % 3) as usize];
            let at = 8 + 7 * j;
            if r.word() % 4 != 0 {
                payload = payload & !(0x7F << at) | code << at;
            }
        }
        for at in [32, 36] {
            if r.word() % 4 != 0 {
                payload &= !(0xF << at);
            }
        }
    }
    (hdr, payload)
}

impl CycleModel for DecoderModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_valid", 1), ("in_hdr", 2), ("in_data", 64)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["out_valid", "rxd", "rxc", "out_error", "out_type"])
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let valid = offered(words.next().unwrap_or(0));
        let (hdr, payload) = any_block(words);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(valid),
            bits(hdr, 2),
            bits(payload, 64),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let n = expect_eq("out_valid", out[0].low_u64(), self.valid as u64)?;
        match (self.valid, self.word) {
            (true, Some(want)) => {
                Ok(n + expect_all(&["rxd", "rxc", "out_error", "out_type"], &out[1..], &want)?)
            }
            _ => Ok(n),
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        self.valid = inputs[1].low_u64() == 1 && inputs[0].low_u64() == 0;
        if self.valid {
            let d = decode(inputs[2].low_u64(), inputs[3].low_u64());
            self.word = Some([d.d, d.c.into(), d.error as u64, d.ty.code()]);
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of `eth_scrambler` or `eth_descrambler`: the serial
/// 1 + x^39 + x^58 register over each valid payload, the header passed
/// through, one edge later.
#[derive(Clone, Debug)]
pub struct ScramblerModel {
    dir: Direction,
    register: scrambler::Model,
    valid: bool,
    /// The header and payload put out last, once known.
    block: Option<(u64, u64)>,
}

impl ScramblerModel {
    /// The model after reset, in direction `dir`.
    pub fn new(dir: Direction) -> Self {
        ScramblerModel {
            dir,
            register: scrambler::Model::new(),
            valid: false,
            block: None,
        }
    }
}

impl CycleModel for ScramblerModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_valid", 1), ("in_hdr", 2), ("in_data", 64)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["out_valid", "out_hdr", "out_data"])
    }

    fn words_per_cycle(&self) -> usize {
        2
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let control = words.next().unwrap_or(0);
        let data = words.next().unwrap_or(0);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(control % 5 != 0),
            bits(control >> 8, 2),
            bits(data, 64),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let n = expect_eq("out_valid", out[0].low_u64(), self.valid as u64)?;
        match self.block {
            Some((hdr, data)) => {
                Ok(n + expect_all(&["out_hdr", "out_data"], &out[1..], &[hdr, data])?)
            }
            None => Ok(n),
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            *self = ScramblerModel::new(self.dir);
            return;
        }
        self.valid = inputs[1].low_u64() == 1;
        if self.valid {
            let data = self.register.apply(self.dir, inputs[3].low_u64());
            self.block = Some((inputs[2].low_u64(), data));
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// A sync header: invalid (00 or 11) with probability `burst`/200.
fn header(word: u64, burst: u64) -> u64 {
    if word % 200 < burst {
        (word >> 8) % 2 * 3
    } else {
        1 + (word >> 8) % 2
    }
}

/// The reference of `eth_block_lock`: Figure 49-12's state machine on
/// runs of valid headers broken by bursts of invalid ones.
#[derive(Clone, Debug)]
pub struct BlockLockModel {
    cfg: BlockLockConfig,
    lock: block_lock::Model,
    /// Invalid headers per 200, redrawn every 512 cycles.
    burst: u64,
    /// (block_lock, slip, bad_header) after the last edge.
    want: [u64; 3],
}

impl BlockLockModel {
    /// The model after reset.
    pub fn new(cfg: &BlockLockConfig) -> Self {
        BlockLockModel {
            cfg: *cfg,
            lock: block_lock::Model::new(),
            burst: 0,
            want: [0; 3],
        }
    }
}

impl CycleModel for BlockLockModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_valid", 1), ("in_hdr", 2)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["block_lock", "slip", "bad_header"])
    }

    fn words_per_cycle(&self) -> usize {
        1
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        if cycle % 512 == 0 {
            self.burst = 1 + (w >> 32) % 24;
        }
        vec![
            flag(cycle < RESET_CYCLES),
            flag((w >> 16) % 8 != 0),
            bits(header(w, self.burst), 2),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        expect_all(&["block_lock", "slip", "bad_header"], out, &self.want)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            *self = BlockLockModel {
                burst: self.burst,
                ..BlockLockModel::new(&self.cfg)
            };
            return;
        }
        let (valid, hdr) = (inputs[1].low_u64() == 1, inputs[2].low_u64());
        let was_locked = self.lock.locked;
        let slip = valid && self.lock.block(&self.cfg, hdr);
        self.want = [
            self.lock.locked as u64,
            slip as u64,
            (valid && was_locked && hdr % 3 == 0) as u64,
        ];
    }

    fn unit(&self) -> &'static str {
        "values"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("locked_at_end".into(), self.lock.locked.to_string())]
    }
}

/// The reference of `eth_ber_monitor`: Figure 49-13's `hi_ber` on bursty
/// invalid headers, gaps and losses of lock.
#[derive(Clone, Debug)]
pub struct BerModel {
    cfg: BerConfig,
    monitor: ber::Model,
    burst: u64,
    lock: bool,
    rises: u64,
}

impl BerModel {
    /// The model after reset.
    pub fn new(cfg: &BerConfig) -> Self {
        BerModel {
            cfg: *cfg,
            monitor: ber::Model::new(),
            burst: 0,
            lock: true,
            rises: 0,
        }
    }
}

impl CycleModel for BerModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[
            ("rst", 1),
            ("in_valid", 1),
            ("in_hdr", 2),
            ("block_lock", 1),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["hi_ber"])
    }

    fn words_per_cycle(&self) -> usize {
        1
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        if cycle % 1024 == 0 {
            self.burst = 1 + (w >> 40) % 120;
        }
        if (w >> 24) % 700 == 0 {
            self.lock = !self.lock;
        }
        vec![
            flag(cycle < RESET_CYCLES),
            flag((w >> 16) % 6 != 0),
            bits(header(w, self.burst), 2),
            flag(self.lock),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        expect_eq("hi_ber", out[0].low_u64(), self.monitor.hi_ber as u64)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            self.monitor = ber::Model::new();
            return;
        }
        let was = self.monitor.hi_ber;
        let [valid, hdr, lock] = [1, 2, 3].map(|i| inputs[i].low_u64());
        self.monitor.edge(&self.cfg, valid == 1, hdr, lock == 1);
        self.rises += u64::from(self.monitor.hi_ber && !was);
    }

    fn unit(&self) -> &'static str {
        "values"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("hi_ber_rises".into(), self.rises.to_string())]
    }
}

/// The reference of `eth_tx_sequence`: Figure 49-14 on the encoded blocks
/// of a stream with illegal words; an illegal sequence sends the error
/// block.
#[derive(Clone, Debug, Default)]
pub struct TxSequenceModel {
    stream: Stream,
    machine: TxModel,
    /// The type of the block driven this cycle.
    ty: Option<BlockType>,
    valid: bool,
    block: Option<(u64, u64, u64)>,
    errors: u64,
}

impl TxSequenceModel {
    /// The model after reset, fed a stream with one illegal word in 30.
    pub fn new() -> Self {
        TxSequenceModel {
            stream: Stream::new(30),
            ..Self::default()
        }
    }
}

impl CycleModel for TxSequenceModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[
            ("rst", 1),
            ("in_valid", 1),
            ("in_hdr", 2),
            ("in_data", 64),
            ("in_type", BlockType::WIDTH),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["out_valid", "out_hdr", "out_data", "out_error"])
    }

    fn words_per_cycle(&self) -> usize {
        1 + Stream::WORDS
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let valid = offered(words.next().unwrap_or(0));
        let (d, c) = self.stream.word(words);
        let (hdr, data) = encode(d, c);
        let ty = word_type(d, c);
        self.ty = Some(ty);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(valid),
            bits(hdr, 2),
            bits(data, 64),
            bits(ty.code(), BlockType::WIDTH),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let n = expect_eq("out_valid", out[0].low_u64(), self.valid as u64)?;
        match (self.valid, self.block) {
            (true, Some((hdr, data, error))) => Ok(n + expect_all(
                &["out_hdr", "out_data", "out_error"],
                &out[1..],
                &[hdr, data, error],
            )?),
            _ => Ok(n),
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            self.machine = TxModel::new();
            self.valid = false;
            return;
        }
        self.valid = inputs[1].low_u64() == 1;
        if let (true, Some(ty)) = (self.valid, self.ty) {
            let ((hdr, data), error) = self
                .machine
                .block((inputs[2].low_u64(), inputs[3].low_u64()), ty);
            self.errors += error as u64;
            self.block = Some((hdr, data, error as u64));
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("error_blocks".into(), self.errors.to_string())]
    }
}

/// The reference of `eth_rx_sequence`: Figure 49-15 on the decoded words
/// of a stream with illegal words and faults; each block comes out one
/// block late.
#[derive(Clone, Debug, Default)]
pub struct RxSequenceModel {
    stream: Stream,
    machine: RxModel,
    /// The type of the word driven this cycle.
    ty: Option<BlockType>,
    fault: bool,
    valid: bool,
    word: Option<(u64, u8, bool)>,
}

impl RxSequenceModel {
    /// The model after reset, fed a stream with one illegal word in 30.
    pub fn new() -> Self {
        RxSequenceModel {
            stream: Stream::new(30),
            ..Self::default()
        }
    }
}

impl CycleModel for RxSequenceModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[
            ("rst", 1),
            ("in_valid", 1),
            ("in_d", 64),
            ("in_c", 8),
            ("in_type", BlockType::WIDTH),
            ("in_fault", 1),
        ])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["out_valid", "rxd", "rxc", "out_error"])
    }

    fn words_per_cycle(&self) -> usize {
        1 + Stream::WORDS
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let control = words.next().unwrap_or(0);
        if (control >> 16) % 150 == 0 {
            self.fault = !self.fault;
        }
        let (d, c) = self.stream.word(words);
        let (hdr, payload) = encode(d, c);
        let b = decode(hdr, payload);
        self.ty = Some(b.ty);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(offered(control)),
            bits(b.d, 64),
            bits(b.c.into(), 8),
            bits(b.ty.code(), BlockType::WIDTH),
            flag(self.fault),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let n = expect_eq("out_valid", out[0].low_u64(), self.valid as u64)?;
        match (self.valid, self.word) {
            (true, Some((d, c, error))) => Ok(n + expect_all(
                &["rxd", "rxc", "out_error"],
                &out[1..],
                &[d, c.into(), error as u64],
            )?),
            _ => Ok(n),
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            self.machine = RxModel::new();
            self.valid = false;
            return;
        }
        self.valid = inputs[1].low_u64() == 1;
        if let (true, Some(ty)) = (self.valid, self.ty) {
            self.word = Some(self.machine.block(RxBlock {
                d: inputs[2].low_u64(),
                c: inputs[3].low_u64() as u8,
                ty,
                fault: inputs[5].low_u64() == 1,
            }));
        }
    }

    fn unit(&self) -> &'static str {
        "values"
    }
}

/// The reference of `eth_fcs`: the framing monitor on streams of good
/// frames, frames with a corrupted FCS and frames cut by error
/// characters; `fcs` is the CRC-32 of each frame's bytes, and the
/// counters count the ends.
#[derive(Clone, Debug, Default)]
pub struct FcsModel {
    source: Source,
    monitor: Monitor,
    /// The frame end the last edge saw.
    end: Option<FrameEnd>,
    /// Frames, FCS errors, aborted frames so far.
    counts: [u64; 3],
}

impl FcsModel {
    /// The model after reset.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CycleModel for FcsModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_valid", 1), ("xgmii_d", 64), ("xgmii_c", 8)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&[
            "frame_done",
            "frame_good",
            "frame_fcs_error",
            "frame_aborted",
            "fcs",
            "frames",
            "fcs_errors",
            "frame_errors",
        ])
    }

    fn words_per_cycle(&self) -> usize {
        3
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let control = words.next().unwrap_or(0);
        let mut r = XorShift::new(words.next().unwrap_or(0));
        if control % 6 == 0 && self.source.queued() < 16 {
            let len = (r.word() % 90) as usize;
            let body: Vec<u8> = (0..len).map(|_| r.word() as u8).collect();
            let mut frame = fcs::with_fcs(&body);
            if (control >> 8) % 3 == 0 {
                let i = (r.word() % frame.len() as u64) as usize;
                frame[i] ^= 1 << (r.word() % 8);
            }
            self.source.frame(&frame, ((control >> 16) % 10) as usize);
        }
        let (mut d, mut c) = self.source.word();
        if (control >> 24) % 40 == 0 {
            let lane = (control >> 32) % 8;
            d = d & !(0xFF << (8 * lane)) | u64::from(ERROR) << (8 * lane);
            c |= 1 << lane;
        }
        vec![
            flag(cycle < RESET_CYCLES),
            flag((control >> 40) % 6 != 0),
            bits(d, 64),
            bits(c.into(), 8),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        if cycle < RESET_CYCLES {
            return Ok(0);
        }
        let end = &self.end;
        let flags = [
            end.is_some(),
            matches!(end, Some(FrameEnd::Good(_))),
            matches!(end, Some(FrameEnd::FcsError(_))),
            matches!(end, Some(FrameEnd::Aborted)),
        ]
        .map(u64::from);
        let mut n = expect_all(
            &[
                "frame_done",
                "frame_good",
                "frame_fcs_error",
                "frame_aborted",
            ],
            &out[..4],
            &flags,
        )?;
        if let Some(FrameEnd::Good(bytes) | FrameEnd::FcsError(bytes)) = end {
            n += expect_eq("fcs", out[4].low_u64(), u64::from(fcs::fcs(bytes)))?;
        }
        n += expect_all(
            &["frames", "fcs_errors", "frame_errors"],
            &out[5..],
            &self.counts,
        )?;
        Ok(n)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            *self = FcsModel {
                source: std::mem::take(&mut self.source),
                ..FcsModel::new()
            };
            return;
        }
        // The counters show the end of the edge before.
        if let Some(end) = &self.end {
            self.counts[0] += 1;
            self.counts[1] += matches!(end, FrameEnd::FcsError(_)) as u64;
            self.counts[2] += matches!(end, FrameEnd::Aborted) as u64;
        }
        self.end = if inputs[1].low_u64() == 1 {
            self.monitor
                .word(inputs[2].low_u64(), inputs[3].low_u64() as u8)
        } else {
            None
        };
    }

    fn unit(&self) -> &'static str {
        "values"
    }

    fn metrics(&self) -> Vec<(String, String)> {
        vec![("frames_ended".into(), self.counts[0].to_string())]
    }
}

/// Line bits of a 66-bit block in sending order: the header (index 0
/// first), then the payload from bit 0 (802.3 49.2.4.3, 49.2.9).
fn line_bits(hdr: u64, data: u64) -> impl Iterator<Item = bool> {
    (0..2)
        .map(move |i| hdr >> i & 1 == 1)
        .chain((0..64).map(move |i| data >> i & 1 == 1))
}

/// A random block with a valid sync header.
fn valid_block(word: u64, data: u64) -> (u64, u64) {
    (1 + word % 2, data)
}

/// Line bits searched for the first block the transmit gearbox took.
const ALIGN_SEARCH: usize = 4 * 66;

/// The reference of `eth_gearbox_tx`: the blocks it takes, cut from its
/// line bits in sending order, in the order taken.
#[derive(Clone, Debug)]
pub struct GearboxTxModel {
    width: u32,
    /// The block presented this cycle and whether `in_ready` takes it.
    offered: (u64, u64),
    ready: bool,
    /// Blocks taken and not yet found on the line.
    taken: std::collections::VecDeque<(u64, u64)>,
    /// Line bits not yet matched.
    line: std::collections::VecDeque<bool>,
    /// The first block has been found on the line.
    aligned: bool,
    blocks: u64,
}

impl GearboxTxModel {
    /// The model after reset.
    pub fn new(cfg: &GearboxConfig) -> Self {
        GearboxTxModel {
            width: cfg.width,
            offered: (0, 0),
            ready: false,
            taken: Default::default(),
            line: Default::default(),
            aligned: false,
            blocks: 0,
        }
    }

    /// Whether the next 66 line bits from `at` are `block`.
    fn holds(&self, at: usize, (hdr, data): (u64, u64)) -> bool {
        line_bits(hdr, data)
            .enumerate()
            .all(|(i, b)| self.line[at + i] == b)
    }
}

impl CycleModel for GearboxTxModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_hdr", 2), ("in_data", 64)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["in_ready", "out_data"])
    }

    fn words_per_cycle(&self) -> usize {
        2
    }

    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let [w, data] = take(words);
        self.offered = valid_block(w, data);
        vec![
            flag(cycle < RESET_CYCLES),
            bits(self.offered.0, 2),
            bits(data, 64),
        ]
    }

    fn judge(&mut self, cycle: u64, _: &[Bits], out: &[Bits]) -> Result<u64, String> {
        self.ready = out[0].low_u64() == 1;
        if cycle <= RESET_CYCLES {
            return Ok(0);
        }
        let word = &out[1];
        self.line.extend((0..self.width).map(|i| word.bit(i)));
        if !self.aligned {
            let Some(&first) = self.taken.front() else {
                self.line.clear();
                return Ok(0);
            };
            let found = (0..self.line.len().saturating_sub(65)).find(|&at| self.holds(at, first));
            match found {
                Some(at) => {
                    self.line.drain(..at);
                    self.aligned = true;
                }
                None if self.line.len() > ALIGN_SEARCH => {
                    return Err(format!(
                        "the first block taken ({:#x}, {:#x}) is not in the first {} line bits",
                        first.0, first.1, ALIGN_SEARCH
                    ))
                }
                None => return Ok(0),
            }
        }
        let mut compared = 0;
        while self.line.len() >= 66 {
            let Some(&block) = self.taken.front() else {
                return Err("line bits beyond the blocks taken".into());
            };
            if !self.holds(0, block) {
                let got = self
                    .line
                    .iter()
                    .take(66)
                    .fold(0u128, |a, &b| a << 1 | b as u128);
                return Err(format!(
                    "block {} on the line (bits {got:#x}, first sent last) is not the block taken ({:#x}, {:#x})",
                    self.blocks, block.0, block.1
                ));
            }
            self.line.drain(..66);
            self.taken.pop_front();
            self.blocks += 1;
            compared += 1;
        }
        Ok(compared)
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            *self = GearboxTxModel::new(&GearboxConfig { width: self.width });
        } else if self.ready {
            self.taken.push_back(self.offered);
        }
    }

    fn unit(&self) -> &'static str {
        "blocks"
    }
}

/// The reference of `eth_gearbox_rx`: blocks with valid headers behind a
/// random number of junk bits, slipped by the block lock model on the
/// headers the gearbox cuts; once locked, the blocks come out in the
/// order sent.
#[derive(Clone, Debug)]
pub struct GearboxRxModel {
    width: u32,
    lock_cfg: BlockLockConfig,
    lock: block_lock::Model,
    /// Line bits not yet sent.
    line: std::collections::VecDeque<bool>,
    /// Blocks sent, oldest first, not yet matched.
    sent: std::collections::VecDeque<(u64, u64)>,
    /// The first block received after lock has been found among the sent.
    aligned: bool,
    /// The block the last edge cut, when the lock model holds lock.
    received: Option<(u64, u64)>,
    blocks: u64,
}

impl GearboxRxModel {
    /// The model after reset; the block lock waits two blocks after a slip.
    pub fn new(cfg: &GearboxConfig) -> Self {
        GearboxRxModel {
            width: cfg.width,
            lock_cfg: BlockLockConfig { slip_wait: 2 },
            lock: block_lock::Model::new(),
            line: Default::default(),
            sent: Default::default(),
            aligned: false,
            received: None,
            blocks: 0,
        }
    }
}

impl CycleModel for GearboxRxModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        ports(&[("rst", 1), ("in_data", self.width), ("bitslip", 1)])
    }

    fn outputs(&self) -> Vec<String> {
        names(&["out_valid", "out_hdr", "out_data"])
    }

    fn words_per_cycle(&self) -> usize {
        2
    }

    fn cycles_needed(&self) -> u64 {
        // Lock: up to 66 slips of a few blocks each, then 64 headers, then
        // blocks to compare.
        u64::from(66 * 400 / self.width)
    }

    fn drive(
        &mut self,
        cycle: u64,
        words: &mut dyn Iterator<Item = u64>,
        shown: &[Bits],
    ) -> Vec<Bits> {
        let [w, data] = take(words);
        if cycle == 0 {
            self.line
                .extend((0..w % 200).map(|i| data >> (i % 64) & 1 == 1));
        } else if self.line.len() < self.width as usize {
            let block = valid_block(w, data);
            self.sent.push_back(block);
            self.line.extend(line_bits(block.0, block.1));
        }
        // The block cut at the last edge answers with a slip at this one.
        self.received = None;
        let mut slip = false;
        if cycle > RESET_CYCLES && shown[0].low_u64() == 1 {
            let block = (shown[1].low_u64(), shown[2].low_u64());
            slip = self.lock.block(&self.lock_cfg, block.0);
            self.received = self.lock.locked.then_some(block);
        }
        let value = if cycle < RESET_CYCLES {
            0
        } else {
            (0..self.width).fold(0u64, |acc, i| {
                acc | u64::from(self.line.pop_front().unwrap_or(false)) << i
            })
        };
        vec![
            flag(cycle < RESET_CYCLES),
            bits(value, self.width),
            flag(slip),
        ]
    }

    fn judge(&mut self, _: u64, _: &[Bits], _: &[Bits]) -> Result<u64, String> {
        let Some(block) = self.received else {
            return Ok(0);
        };
        if !self.aligned {
            let Some(at) = self.sent.iter().position(|&b| b == block) else {
                return Err(format!(
                    "the first block after lock ({:#x}, {:#x}) was never sent",
                    block.0, block.1
                ));
            };
            self.sent.drain(..at);
            self.aligned = true;
        }
        match self.sent.pop_front() {
            Some(want) if want == block => {
                self.blocks += 1;
                Ok(1)
            }
            want => Err(format!(
                "block {} received ({:#x}, {:#x}), sent {want:x?}",
                self.blocks, block.0, block.1
            )),
        }
    }

    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].low_u64() == 1 {
            self.lock = block_lock::Model::new();
        }
    }

    fn unit(&self) -> &'static str {
        "blocks"
    }
}
