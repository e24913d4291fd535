//! `scrambler_8b10b` and `scrambler_128b130b` judged by bit-serial Galois
//! models written from PCIe 4.2.1.3 and 4.2.2.4: the polynomials and lane
//! seeds, which symbols are scrambled and which advance the LFSR, read
//! from each block's header and symbol 0 as a receiver does (never from
//! the block's `in_skp`/`in_eieos` flags). The stimulus mixes data with
//! COM, SKP and other control symbols (8b/10b), or data blocks with TS1,
//! TS2, SKP, EIEOS, EIOS, SDS, FTS and bad-header blocks (128b/130b), with
//! random gaps; `out_valid` and every output symbol are compared.

use crate::tb::cycle::{bits, expect_eq, flag, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::scrambler::{Scrambler128b130bConfig, Scrambler8b10bConfig};
use linkforge_rtl::RtlError;

/// K28.5 (COM) and K28.0 (SKP) at 8b/10b.
pub const COM: u8 = 0xBC;
/// K28.0, the 8b/10b SKP symbol.
pub const SKP: u8 = 0x1C;
/// K27.7 (STP), a control symbol that is neither COM nor SKP.
const STP: u8 = 0xFB;

/// A Galois LFSR one bit at a time: put out the top bit, shift up, XOR the
/// polynomial (without its x^n term) in when the bit was set.
#[derive(Clone, Copy, Debug)]
pub struct Galois {
    state: u32,
    n: u32,
    poly: u32,
}

impl Galois {
    /// The 8b/10b scrambler's LFSR, x^16+x^5+x^4+x^3+1 from FFFFh.
    pub fn gen1() -> Galois {
        Galois {
            state: 0xFFFF,
            n: 16,
            poly: 0x39,
        }
    }

    /// The 128b/130b LFSR, x^23+x^21+x^16+x^8+x^5+x^2+1, from the seed of
    /// `lane` (lane mod 8 in the spec's table).
    pub fn gen3(lane: u32) -> Galois {
        const SEEDS: [u32; 8] = [
            0x1D_BFBC, 0x06_07BB, 0x1E_C760, 0x18_C0DB, 0x01_0F12, 0x19_CFC9, 0x02_77CE, 0x1B_B807,
        ];
        Galois {
            state: SEEDS[lane as usize % 8],
            n: 23,
            poly: 0x21_0125,
        }
    }

    fn bit(&mut self) -> u8 {
        let o = (self.state >> (self.n - 1) & 1) as u8;
        self.state = (self.state << 1) & ((1 << self.n) - 1);
        if o == 1 {
            self.state ^= self.poly;
        }
        o
    }

    /// The next eight bits, the first in bit 0.
    pub fn byte(&mut self) -> u8 {
        (0..8).fold(0, |acc, i| acc | self.bit() << i)
    }
}

/// Byte `i` of `value`.
fn byte_of(value: &Bits, i: u32) -> u8 {
    value.field(8 * i, 8) as u8
}

/// `bytes` packed little-endian into a value.
fn packed(bytes: &[u8]) -> Bits {
    let mut b = Bits::zero(8 * bytes.len() as u32);
    for (i, &v) in bytes.iter().enumerate() {
        b.set_field(8 * i as u32, 8, v.into());
    }
    b
}

/// One beat's `(byte, k)` symbols.
type Symbols = Vec<(u8, bool)>;

/// The model of `scrambler_8b10b` (`B` bytes per clock).
#[derive(Clone, Debug)]
pub struct Scrambler8b10bModel {
    bytes: u32,
    lfsr: Galois,
    /// `out_valid` and the registered symbols once a reset defined them
    /// (the symbols are unknown until the first valid beat).
    shown: Option<(bool, Option<Symbols>)>,
}

impl Scrambler8b10bModel {
    /// The model of the scrambler `cfg` describes.
    pub fn new(cfg: &Scrambler8b10bConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(Scrambler8b10bModel {
            bytes: cfg.bytes,
            lfsr: Galois::gen1(),
            shown: None,
        })
    }

    /// The model of the `scrambler_8b10b` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&Scrambler8b10bConfig::from_params(params)?)
    }

    /// One symbol through the scrambler (PCIe 4.2.1.3).
    fn scramble(&mut self, byte: u8, k: bool) -> (u8, bool) {
        match (byte, k) {
            (COM, true) => {
                self.lfsr = Galois::gen1();
                (byte, k)
            }
            (SKP, true) => (byte, k),
            _ => {
                let key = self.lfsr.byte();
                (if k { byte } else { byte ^ key }, k)
            }
        }
    }
}

impl CycleModel for Scrambler8b10bModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("in_valid".into(), 1),
            ("in_data".into(), 8 * self.bytes),
            ("in_k".into(), self.bytes),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        vec!["out_valid".into(), "out_data".into(), "out_k".into()]
    }
    fn words_per_cycle(&self) -> usize {
        2
    }
    /// Each byte is data 13 times in 16, else COM, SKP or STP.
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let data = words.next().unwrap_or(0);
        let kinds = words.next().unwrap_or(0);
        let mut symbols = Vec::new();
        for i in 0..self.bytes {
            symbols.push(match kinds >> (4 * i) & 15 {
                13 => (COM, true),
                14 => (SKP, true),
                15 => (STP, true),
                _ => ((data >> (8 * i)) as u8, false),
            });
        }
        let bytes: Vec<u8> = symbols.iter().map(|s| s.0).collect();
        let k = symbols
            .iter()
            .enumerate()
            .fold(0, |acc, (i, s)| acc | u64::from(s.1) << i);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(kinds >> 62 != 0),
            packed(&bytes),
            bits(k, self.bytes),
        ]
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        let Some((valid, symbols)) = &self.shown else {
            return Ok(0);
        };
        let mut checks = expect_eq("out_valid", outputs[0].low_u64(), u64::from(*valid))?;
        for (i, &(byte, k)) in symbols.iter().flatten().enumerate() {
            let i = i as u32;
            let got = (byte_of(&outputs[1], i), outputs[2].bit(i));
            if got != (byte, k) {
                return Err(format!(
                    "symbol {i} is {:02x}{}, the PCIe scrambler gives {byte:02x}{}",
                    got.0,
                    if got.1 { " (K)" } else { "" },
                    if k { " (K)" } else { "" }
                ));
            }
            checks += 1;
        }
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.lfsr = Galois::gen1();
            self.shown = Some((false, None));
            return;
        }
        let Some((_, last)) = self.shown.take() else {
            return;
        };
        let valid = inputs[1].bit(0);
        let symbols = if valid {
            Some(
                (0..self.bytes)
                    .map(|i| self.scramble(byte_of(&inputs[2], i), inputs[3].bit(i)))
                    .collect(),
            )
        } else {
            last
        };
        self.shown = Some((valid, symbols));
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
}

/// Sync headers as the ports take them (bit 0 = H0, sent first): data
/// block 10b, ordered-set block 01b (PCIe 4.2.2.1).
const DATA_BLOCK: u8 = 0b10;
/// The ordered-set block's sync header.
pub const OS_BLOCK: u8 = 0b01;
/// Symbol 0 of the ordered sets the scrambling rules name (PCIe 4.2.4.1,
/// 4.2.7): TS1, TS2, SKP, EIEOS.
pub const OS_TS1: u8 = 0x1E;
const OS_TS2: u8 = 0x2D;
const OS_SKP: u8 = 0xAA;
const OS_EIEOS: u8 = 0x00;

/// A 128b/130b block as sent: header, payload and the flags the
/// scrambler's ports take with it.
#[derive(Clone, Debug)]
pub struct Block {
    /// The sync header (bit 0 = H0).
    pub hdr: u8,
    /// Symbols 0 to 15.
    pub data: [u8; 16],
    /// A SKP ordered set (`in_skp`).
    pub skp: bool,
    /// An EIEOS (`in_eieos`).
    pub eieos: bool,
}

impl Block {
    /// A random block of kind `kind % 12` (0-1 TS1/TS2, 2 SKP, 3 EIEOS,
    /// 4 EIOS, 5 SDS, 6 FTS, 7 a bad header, else data) with `random`
    /// payload bytes where the kind leaves them free.
    pub fn random(kind: u64, random: [u8; 16]) -> Block {
        let os = |data| (OS_BLOCK, data);
        let (hdr, data) = match kind % 12 {
            0 => os(std::array::from_fn(
                |i| if i == 0 { OS_TS1 } else { random[i] },
            )),
            1 => os(std::array::from_fn(
                |i| if i == 0 { OS_TS2 } else { random[i] },
            )),
            2 => os(std::array::from_fn(|i| match i {
                0..=11 => OS_SKP,
                12 => 0xE1,
                _ => random[i],
            })),
            3 => os(std::array::from_fn(|i| {
                if i % 2 == 0 {
                    OS_EIEOS
                } else {
                    0xFF
                }
            })),
            4 => os([0x66; 16]),
            5 => os(std::array::from_fn(|i| if i == 0 { 0xE1 } else { 0x87 })),
            6 => os([
                0x55, 0x47, 0x4E, 0xC7, 0xCC, 0xC6, 0xC9, 0x25, 0x6E, 0xEC, 0x88, 0x7F, 0x80, 0x8D,
                0x8B, 0x8E,
            ]),
            7 => (if random[0] & 1 == 0 { 0b00 } else { 0b11 }, random),
            _ => (DATA_BLOCK, random),
        };
        Block {
            hdr,
            data,
            skp: kind % 12 == 2,
            eieos: kind % 12 == 3,
        }
    }
}

/// What the scrambler shows: `out_valid`, and once a valid beat came out
/// `out_start`, `out_hdr` and the beat's bytes.
type Beat = (bool, Option<(bool, u8, Vec<u8>)>);

/// The model of `scrambler_128b130b` (`B` bytes per clock, `16 / B` beats
/// a block).
#[derive(Clone, Debug)]
pub struct Scrambler128b130bModel {
    lane: u32,
    bytes: u32,
    lfsr: Galois,
    /// The block being sent and its next beat.
    sending: Option<(Block, u32)>,
    /// The block being received: its header, symbol 0 and next symbol.
    receiving: (u8, u8, u32),
    shown: Option<Beat>,
    blocks: u64,
}

impl Scrambler128b130bModel {
    /// The model of the scrambler `cfg` describes.
    pub fn new(cfg: &Scrambler128b130bConfig) -> Result<Self, RtlError> {
        cfg.validate()?;
        Ok(Scrambler128b130bModel {
            lane: cfg.lane,
            bytes: cfg.bytes,
            lfsr: Galois::gen3(cfg.lane),
            sending: None,
            receiving: (0, 0, 0),
            shown: None,
            blocks: 0,
        })
    }

    /// The model of the `scrambler_128b130b` `params` describe.
    pub fn from_params(params: &Params) -> Result<Self, RtlError> {
        Self::new(&Scrambler128b130bConfig::from_params(params)?)
    }

    /// One beat through the scrambler, by the rules of PCIe 4.2.2.4 read
    /// from the block's header and symbol 0: the header passes and does not
    /// advance the LFSR; SKP ordered-set symbols pass without advancing it;
    /// every other symbol advances it by 8 bits and is scrambled in a data
    /// block and in a TS1/TS2 after symbol 0; the LFSR restarts from the
    /// seed after an EIEOS.
    fn scramble(&mut self, start: bool, hdr: u8, beat: &Bits) -> Vec<u8> {
        if start {
            self.receiving = (hdr, byte_of(beat, 0), 0);
        }
        let (hdr, symbol0, next) = self.receiving;
        let os = hdr == OS_BLOCK;
        let ts = os && (symbol0 == OS_TS1 || symbol0 == OS_TS2);
        let out = (0..self.bytes)
            .map(|i| {
                let byte = byte_of(beat, i);
                if os && symbol0 == OS_SKP {
                    return byte;
                }
                let key = self.lfsr.byte();
                if hdr == DATA_BLOCK || (ts && next + i >= 1) {
                    byte ^ key
                } else {
                    byte
                }
            })
            .collect();
        self.receiving.2 = next + self.bytes;
        if os && symbol0 == OS_EIEOS && self.receiving.2 == 16 {
            self.lfsr = Galois::gen3(self.lane);
        }
        out
    }
}

impl CycleModel for Scrambler128b130bModel {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("in_valid".into(), 1),
            ("in_start".into(), 1),
            ("in_hdr".into(), 2),
            ("in_data".into(), 8 * self.bytes),
            ("in_skp".into(), 1),
            ("in_eieos".into(), 1),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        ["out_valid", "out_start", "out_hdr", "out_data"]
            .map(String::from)
            .to_vec()
    }
    fn words_per_cycle(&self) -> usize {
        3
    }
    /// A beat of the block being sent, a new random block after the last;
    /// one cycle in eight idle.
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let control = words.next().unwrap_or(0);
        let mut random = [0u8; 16];
        for half in random.chunks_mut(8) {
            half.copy_from_slice(&words.next().unwrap_or(0).to_le_bytes());
        }
        let (block, beat) = self
            .sending
            .get_or_insert_with(|| (Block::random(control >> 8, random), 0));
        let valid = control & 7 != 0;
        let lo = (*beat * self.bytes) as usize;
        let data = packed(&block.data[lo..lo + self.bytes as usize]);
        let inputs = vec![
            flag(cycle < RESET_CYCLES),
            flag(valid),
            flag(*beat == 0),
            bits(block.hdr.into(), 2),
            data,
            flag(block.skp),
            flag(block.eieos),
        ];
        if valid && cycle >= RESET_CYCLES {
            *beat += 1;
            if *beat * self.bytes == 16 {
                self.sending = None;
            }
        }
        inputs
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        let Some((valid, beat)) = &self.shown else {
            return Ok(0);
        };
        let mut checks = expect_eq("out_valid", outputs[0].low_u64(), u64::from(*valid))?;
        if let Some((start, hdr, data)) = beat {
            checks += expect_eq("out_start", outputs[1].low_u64(), u64::from(*start))?;
            checks += expect_eq("out_hdr", outputs[2].low_u64(), u64::from(*hdr))?;
            if outputs[3] != packed(data) {
                return Err(format!(
                    "`out_data` is {}, the PCIe scrambler gives {}",
                    outputs[3].to_hex(),
                    packed(data).to_hex()
                ));
            }
            checks += data.len() as u64;
        }
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.lfsr = Galois::gen3(self.lane);
            self.shown = Some((false, None));
            return;
        }
        let Some((_, last)) = self.shown.take() else {
            return;
        };
        self.shown = Some(if inputs[1].bit(0) {
            let (start, hdr) = (inputs[2].bit(0), inputs[3].low_u64() as u8);
            self.blocks += u64::from(start);
            (
                true,
                Some((start, hdr, self.scramble(start, hdr, &inputs[4]))),
            )
        } else {
            (false, last)
        });
    }
    fn unit(&self) -> &'static str {
        "fields"
    }
    fn metrics(&self) -> Vec<(String, String)> {
        vec![("blocks".into(), self.blocks.to_string())]
    }
}
