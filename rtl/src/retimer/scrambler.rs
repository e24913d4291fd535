//! `scrambler_8b10b` and `scrambler_128b130b`: the PCIe scramblers.
//! Scrambling is an XOR with the LFSR's output, so the same block, fed the
//! same control flags, descrambles.
//!
//! Both LFSRs are Galois registers shifting towards the top bit: each bit
//! step puts out the top bit `o = s[n-1]` and sets
//! `s <= {s[n-2:0], 0} ^ (o ? poly : 0)` (`poly` without its x^n term).
//! Data goes least significant bit first: byte 0 of a beat before byte 1,
//! bit 0 of a byte first, each bit XORed with one output bit. Outputs are
//! registered, one cycle after the inputs; nothing changes while `in_valid`
//! is low (`out_valid` falls).
//!
//! `scrambler_8b10b` (Gen1/2, x^16+x^5+x^4+x^3+1, seed FFFFh), `B` bytes per
//! clock: ports `clk`, `rst` (synchronous, active high), `in_valid`,
//! `in_data[8B-1:0]`, `in_k[B-1:0]` (byte `i` is a control symbol);
//! `out_valid`, `out_data[8B-1:0]`, `out_k[B-1:0]`. For each byte in order:
//! COM (K28.5, `k` with BCh) passes and reloads the seed; SKP (K28.0, `k`
//! with 1Ch) passes and leaves the LFSR alone; any other symbol advances
//! the LFSR by 8 bits, and a data byte (`k` low) is XORed with those bits
//! while other control symbols pass unchanged.
//!
//! `scrambler_128b130b` (Gen3-5, x^23+x^21+x^16+x^8+x^5+x^2+1, seed by
//! `lane` mod 8), `B` bytes per clock with `B` dividing 16, so a block's 16
//! payload bytes are `16 / B` beats: ports `clk`, `rst`, `in_valid`,
//! `in_start` (first beat of a block), `in_hdr[1:0]` (its sync header, bit 0
//! = H0, the first sent; read on `in_start` beats), `in_data[8B-1:0]`,
//! `in_skp` (the beat belongs to a SKP ordered set), `in_eieos` (it belongs
//! to an EIEOS); `out_valid`, `out_start`, `out_hdr[1:0]`, `out_data[8B-1:0]`.
//! The rules of PCIe 4.2.2.4: the sync header passes unscrambled and does
//! not advance the LFSR. Every symbol of a data block (header 10b: H0 = 0,
//! H1 = 1) is scrambled. In an ordered-set block (header 01b) that is a
//! TS1 or TS2 (symbol 0 `1Eh` or `2Dh`, which itself passes unscrambled)
//! symbols 1 to 15 are scrambled; symbols 14 and 15 too, since this block
//! never puts DC-balance symbols there (a partner's DC-balance symbols,
//! which bypass scrambling, come out of the descrambler changed). Every
//! other ordered set (SKP, EIEOS, EIOS, FTS, SDS) and any block with a
//! header other than 10b or 01b passes unchanged. Every beat advances the
//! LFSR by `8B` bits except SKP beats, which leave it alone; after an
//! EIEOS beat the seed is reloaded, so the block after an EIEOS starts from
//! the seed. The block's kind is read on its `in_start` beat (header and
//! symbol 0) and remembered for its other beats.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::gf2::{vector_expr, Terms};
use crate::params::{checked, param_error, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `bytes` of the 8b/10b-rate scrambler.
pub const BYTES_8B10B: IntParam =
    IntParam::new("bytes", "b", 1..=8, 1, "symbols per clock, byte 0 first");
/// Parameter `lane`.
pub const LANE: IntParam = IntParam::new(
    "lane",
    "l",
    0..=31,
    0,
    "lane number; the seed is lane mod 8",
);
/// Parameter `bytes` of the 128b/130b-rate scrambler.
pub const BYTES_128B130B: IntParam = IntParam::new(
    "bytes",
    "b",
    1..=16,
    4,
    "payload bytes per clock (1, 2, 4, 8 or 16), byte 0 first",
);

/// COM (K28.5) and SKP (K28.0) symbols.
const COM: u64 = 0xBC;
const SKP: u64 = 0x1C;
/// Symbol 0 of a TS1 and of a TS2 ordered set at 128b/130b (4.2.4.1).
const TS1: u64 = 0x1E;
const TS2: u64 = 0x2D;
/// x^16+x^5+x^4+x^3+1 without its top term.
const POLY_8B10B: u64 = 0x0039;
/// x^23+x^21+x^16+x^8+x^5+x^2+1 without its top term.
const POLY_128B130B: u64 = 0x21_0125;
/// 128b/130b seeds by lane number mod 8 (PCIe 4.2.2.4).
pub const SEEDS_128B130B: [u64; 8] = [
    0x1D_BFBC, 0x06_07BB, 0x1E_C760, 0x18_C0DB, 0x01_0F12, 0x19_CFC9, 0x02_77CE, 0x1B_B807,
];

/// The Galois LFSR of `n` bits with feedback `poly`, run `steps` bit steps
/// on symbolic state bits (variable `i` is `s[i]`): the bits it puts out,
/// earliest first, and the state afterwards, bit 0 first.
fn galois(n: u32, poly: u64, steps: u32) -> (Vec<Terms>, Vec<Terms>) {
    let mut s: Vec<Terms> = (0..n).map(|i| Terms::var(n, i)).collect();
    let mut out = Vec::with_capacity(steps as usize);
    for _ in 0..steps {
        let o = s.pop().unwrap_or_else(|| Terms::zero(n));
        s.insert(0, Terms::zero(n));
        for (i, bit) in s.iter_mut().enumerate() {
            if poly >> i & 1 == 1 {
                bit.add(&o);
            }
        }
        out.push(o);
    }
    (out, s)
}

/// The LFSR output and the next state after `bits` bit steps from `state`,
/// as expressions.
fn advance(state: &Expr, poly: u64, bits: u32) -> (Expr, Expr) {
    let (out, next) = galois(state.width(), poly, bits);
    (vector_expr(&out, state), vector_expr(&next, state))
}

/// The 8b/10b-rate scrambler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scrambler8b10bConfig {
    /// Symbols (bytes) per clock, `B` ([`BYTES_8B10B`]).
    pub bytes: u32,
}

impl Scrambler8b10bConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = Scrambler8b10bConfig {
            bytes: BYTES_8B10B.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the bytes per clock.
    pub fn validate(&self) -> Result<(), RtlError> {
        BYTES_8B10B.check(self.bytes)
    }
}

/// Builds the 8b/10b scrambler as module `module_name`.
pub fn scrambler_8b10b(module_name: &str, cfg: &Scrambler8b10bConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let b = cfg.bytes;

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_data = m.input("in_data", 8 * b);
    let in_k = m.input("in_k", b);
    let out_valid = m.output("out_valid", 1);
    let out_data = m.output("out_data", 8 * b);
    let out_k = m.output("out_k", b);
    let lfsr = m.reg("lfsr", 16).reset(0xFFFF);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let data_q = m.reg("data_q", 8 * b).reset(0);
    let k_q = m.reg("k_q", b).reset(0);

    // The LFSR before each byte, then after the last.
    let mut state = Expr::from(lfsr);
    let mut bytes = Vec::new();
    for i in 0..b {
        let byte = in_data.slice(8 * i + 7, 8 * i);
        let k = in_k.bit(i);
        let com = k.clone() & byte.clone().eq(lit(COM, 8));
        let skp = k.clone() & byte.clone().eq(lit(SKP, 8));
        let (key, advanced) = advance(&state, POLY_8B10B, 8);
        bytes.push(mux(k, byte.clone(), byte ^ key));
        let next = m.wire(format!("lfsr{}", i + 1), 16);
        m.assign(
            next,
            mux(com, lit(0xFFFF, 16), mux(skp, state.clone(), advanced)),
        );
        state = next.into();
    }
    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(lfsr, state);
        m.next(data_q, concat(bytes.into_iter().rev().collect()));
        m.next(k_q, in_k);
    });
    m.assign(out_valid, valid_q);
    m.assign(out_data, data_q);
    m.assign(out_k, k_q);
    m.finish()
}

/// The catalogue entry of `scrambler_8b10b`.
pub fn kind_8b10b() -> BlockKind {
    BlockKind {
        name: "scrambler_8b10b",
        doc: "PCIe Gen1/2 (8b/10b) scrambler and descrambler, B symbols per clock",
        params: vec![BYTES_8B10B.spec()],
        build: |name, p| {
            Ok(scrambler_8b10b(
                name,
                &Scrambler8b10bConfig::from_params(p)?,
            )?)
        },
        issues: no_issues,
    }
}

/// The 128b/130b-rate scrambler of one lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scrambler128b130bConfig {
    /// Lane number ([`LANE`]); the seed is chosen by `lane % 8`.
    pub lane: u32,
    /// Bytes per clock, `B`: 1, 2, 4, 8 or 16.
    pub bytes: u32,
}

impl Scrambler128b130bConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = Scrambler128b130bConfig {
            lane: LANE.read(p)?,
            bytes: BYTES_128B130B.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the lane and that the bytes per clock divide 16.
    pub fn validate(&self) -> Result<(), RtlError> {
        LANE.check(self.lane)?;
        BYTES_128B130B.check(self.bytes)?;
        if 16 % self.bytes != 0 {
            return Err(param_error(
                "bytes",
                format!("{} does not divide the 16 bytes of a block", self.bytes),
            ));
        }
        Ok(())
    }

    /// The lane's seed.
    pub fn seed(&self) -> u64 {
        SEEDS_128B130B[self.lane as usize % 8]
    }
}

/// Builds the 128b/130b scrambler as module `module_name`.
pub fn scrambler_128b130b(
    module_name: &str,
    cfg: &Scrambler128b130bConfig,
) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = 8 * cfg.bytes;
    let seed = cfg.seed();

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_start = m.input("in_start", 1);
    let in_hdr = m.input("in_hdr", 2);
    let in_data = m.input("in_data", w);
    let in_skp = m.input("in_skp", 1);
    let in_eieos = m.input("in_eieos", 1);
    let out_valid = m.output("out_valid", 1);
    let out_start = m.output("out_start", 1);
    let out_hdr = m.output("out_hdr", 2);
    let out_data = m.output("out_data", w);
    let lfsr = m.reg("lfsr", 23).reset(seed);
    let data_block = m.reg("data_block", 1).reset(0);
    let ts_block = m.reg("ts_block", 1).reset(0);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let start_q = m.reg("start_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(0);
    let data_q = m.reg("data_q", w).reset(0);

    // This beat's block is a data block (header 10b), from its first beat on.
    let is_data = m.wire("is_data", 1);
    m.assign(is_data, mux(in_start, in_hdr.eq(lit(0b10, 2)), data_block));
    // This beat's block is a TS1 or TS2: an ordered-set block (01b) whose
    // symbol 0 is 1Eh or 2Dh.
    let symbol0 = in_data.slice(7, 0);
    let ts_first =
        in_hdr.eq(lit(0b01, 2)) & (symbol0.clone().eq(lit(TS1, 8)) | symbol0.eq(lit(TS2, 8)));
    let is_ts = m.wire("is_ts", 1);
    m.assign(is_ts, mux(in_start, ts_first, ts_block));
    let (key, advanced) = advance(&Expr::from(lfsr), POLY_128B130B, w);
    // Byte 0 of a beat is scrambled in data blocks, and in a TS except as
    // its symbol 0; the other bytes in data blocks and TSs.
    let scrambled = in_data ^ key;
    let pick = |sel: Expr, hi: u32, lo: u32| {
        mux(sel, scrambled.clone().slice(hi, lo), in_data.slice(hi, lo))
    };
    let byte0 = pick(is_data | (is_ts & !in_start), 7, 0);
    let out = if w == 8 {
        byte0
    } else {
        cat![pick(is_data | is_ts, w - 1, 8), byte0]
    };
    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(data_block, is_data);
        m.next(ts_block, is_ts);
        m.next(start_q, in_start);
        m.next(hdr_q, in_hdr);
        m.next(data_q, out);
        m.when(in_eieos, |m| m.next(lfsr, lit(seed, 23)))
            .elsewhen(!in_skp, |m| m.next(lfsr, advanced));
    });
    m.assign(out_valid, valid_q);
    m.assign(out_start, start_q);
    m.assign(out_hdr, hdr_q);
    m.assign(out_data, data_q);
    m.finish()
}

/// The catalogue entry of `scrambler_128b130b`.
pub fn kind_128b130b() -> BlockKind {
    BlockKind {
        name: "scrambler_128b130b",
        doc: "PCIe Gen3-5 (128b/130b) scrambler and descrambler of one lane",
        params: vec![LANE.spec(), BYTES_128B130B.spec()],
        build: |name, p| {
            Ok(scrambler_128b130b(
                name,
                &Scrambler128b130bConfig::from_params(p)?,
            )?)
        },
        issues: no_issues,
    }
}
