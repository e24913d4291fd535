//! `crc`: a CRC generator and checker for any polynomial of up to 64 bits,
//! reflected or not, with any init and final XOR, taking `k` bytes per clock.
//!
//! Ports (all in the domain of `clk`; `rst` synchronous, active high):
//!
//! - `data[8k-1:0]`: byte 0 (`data[7:0]`) is the first of the message.
//! - `nbytes[N-1:0]` (only when `k > 1`; N = bits to hold `k`): how many
//!   bytes of `data`, from byte 0, are part of the message in this beat;
//!   0 adds none, `k` or more adds all `k`.
//! - `valid`: at a rising edge with `valid` high the beat's bytes are added.
//! - `start`: at a rising edge with `start` high a new message begins: the
//!   register restarts from `init`, and the beat's bytes (if `valid`) are
//!   its first. `start` with `valid` low just clears. `rst` also clears.
//! - `crc_out[W-1:0]`: the CRC of the bytes added since the last start, final
//!   XOR and reflection applied, valid after the edge of the last beat
//!   (combinational from the register).
//! - `ok` (only when W is a multiple of 8): the bytes since the last start
//!   end with their own correct CRC, appended as the CRC is sent (reflected
//!   CRCs least significant byte first, others most significant first).
//!
//! Bits within a byte go least significant first for reflected CRCs, most
//! significant first otherwise (the usual convention: a reflected CRC's
//! `init` and `xorout` are those of its catalogue entry). A full beat of `k`
//! bytes updates the register through one XOR tree per bit, worked out at
//! elaboration time; a partial beat goes through a chain of one-byte
//! updates (`after1..`), which keeps the area linear in `k` at the cost of
//! a longer path for partial beats.

use super::gf2::{vector_expr, Terms};
use super::ones;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, param_error, BoolParam, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `preset`: the presets' names, `custom` last.
pub const PRESET: ChoiceParam = ChoiceParam::new(
    "preset",
    "",
    &[
        "crc32",
        "crc32c",
        "crc16_ccitt",
        "crc8",
        "crc64_xz",
        "custom",
    ],
    "crc32",
    "a named CRC, or custom (then set width, poly, init, xorout, reflect)",
);
/// Parameter `bytes`.
pub const BYTES: IntParam = IntParam::new("bytes", "k", 1..=64, 4, "bytes per clock");
/// Parameter `width`.
pub const WIDTH: IntParam =
    IntParam::new("width", "w", 1..=64, 32, "custom: register width in bits");
/// Parameter `poly`.
pub const POLY: IntParam = IntParam::new(
    "poly",
    "poly",
    i64::MIN..=i64::MAX,
    0x04C1_1DB7,
    "custom: polynomial without its top term (CRC-32's by default)",
);
/// Parameter `init`.
pub const INIT: IntParam = IntParam::new(
    "init",
    "init",
    i64::MIN..=i64::MAX,
    -1,
    "custom: start value (-1 for all ones)",
);
/// Parameter `xorout`.
pub const XOROUT: IntParam = IntParam::new(
    "xorout",
    "xo",
    i64::MIN..=i64::MAX,
    -1,
    "custom: final XOR (-1 for all ones)",
);
/// Parameter `reflect`.
pub const REFLECT: BoolParam = BoolParam::new(
    "reflect",
    "r",
    true,
    "custom: bytes least significant bit first, CRC reflected",
);

/// The parameters a preset fixes (their defaults are CRC-32's).
const CUSTOM_FIELDS: [&str; 5] = [WIDTH.name, POLY.name, INIT.name, XOROUT.name, REFLECT.name];

/// A CRC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrcConfig {
    /// Register width in bits ([`WIDTH`]).
    pub width: u32,
    /// Polynomial without its top term (`0x04C11DB7` for CRC-32), not reflected.
    pub poly: u64,
    /// Register value at the start of a message, not reflected.
    pub init: u64,
    /// XORed into the register to give the CRC.
    pub xorout: u64,
    /// Bytes enter least significant bit first, and the CRC is reflected.
    pub reflect: bool,
    /// Bytes per clock, `k` ([`BYTES`]).
    pub bytes: u32,
}

impl CrcConfig {
    /// CRC-32 (Ethernet, zlib): poly 04C11DB7, reflected, init and xorout
    /// FFFFFFFF; the CRC of ASCII "123456789" is CBF43926.
    pub fn crc32(bytes: u32) -> Self {
        CrcConfig {
            width: 32,
            poly: 0x04C1_1DB7,
            init: 0xFFFF_FFFF,
            xorout: 0xFFFF_FFFF,
            reflect: true,
            bytes,
        }
    }

    /// A named preset: `crc32`; `crc32c` (Castagnoli, check E3069283);
    /// `crc16_ccitt` (CCITT-FALSE: 1021, init FFFF, check 29B1); `crc8`
    /// (poly 07, check F4); `crc64_xz` (check 995DC9BBDF1939FA).
    pub fn preset(name: &str, bytes: u32) -> Option<Self> {
        let (width, poly, init, xorout, reflect) = match name {
            "crc32" => return Some(Self::crc32(bytes)),
            "crc32c" => (32, 0x1EDC_6F41, 0xFFFF_FFFF, 0xFFFF_FFFF, true),
            "crc16_ccitt" => (16, 0x1021, 0xFFFF, 0, false),
            "crc8" => (8, 0x07, 0, 0, false),
            "crc64_xz" => (64, 0x42F0_E1EB_A9EA_3693, u64::MAX, u64::MAX, true),
            _ => return None,
        };
        Some(CrcConfig {
            width,
            poly,
            init,
            xorout,
            reflect,
            bytes,
        })
    }

    /// Reads and checks the config. With a `preset` other than `custom`,
    /// `width`, `poly`, `init`, `xorout` and `reflect` must keep their
    /// defaults (CRC-32's); bit patterns may be written as -1 for all ones,
    /// or as negative numbers for 64-bit values with the top bit set.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let bytes = BYTES.read(p)?;
        let preset = PRESET.read(p)?;
        let cfg = match CrcConfig::preset(preset, bytes) {
            Some(cfg) => {
                let defaults = Params::defaults(&kind().params);
                if let Some(name) = CUSTOM_FIELDS
                    .into_iter()
                    .find(|f| p.0.get(*f) != defaults.0.get(*f))
                {
                    return Err(param_error(
                        name,
                        format!("preset {preset} sets it; use preset = custom to choose it"),
                    ));
                }
                cfg
            }
            None => {
                let width: u32 = WIDTH.read(p)?;
                CrcConfig {
                    width,
                    poly: pattern(p, &POLY, width)?,
                    init: pattern(p, &INIT, width)?,
                    xorout: pattern(p, &XOROUT, width)?,
                    reflect: REFLECT.read(p)?,
                    bytes,
                }
            }
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the width, that the patterns fit in it, and the bytes per clock.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)?;
        for (name, v) in [
            ("poly", self.poly),
            ("init", self.init),
            ("xorout", self.xorout),
        ] {
            if v & !ones(self.width) != 0 {
                return Err(param_error(
                    name,
                    format!("{v:#x} is wider than {} bits", self.width),
                ));
            }
        }
        if self.poly == 0 {
            return Err(param_error("poly", "the polynomial must not be zero"));
        }
        BYTES.check(self.bytes)
    }

    /// `v` reflected when the CRC is (the register's orientation).
    fn oriented(&self, v: u64) -> u64 {
        if self.reflect {
            v.reverse_bits() >> (64 - self.width)
        } else {
            v
        }
    }
}

/// Bit-pattern parameter `param` of a `width`-bit CRC; -1 is all ones.
fn pattern(p: &Params, param: &IntParam, width: u32) -> Result<u64, RtlError> {
    let v: i64 = param.read(p)?;
    let all = ones(width);
    match v {
        -1 => Ok(all),
        v if v < 0 && width == 64 => Ok(v as u64),
        v if v >= 0 && (v as u64) & !all == 0 => Ok(v as u64),
        v => Err(param_error(
            param.name,
            format!("{v} does not fit in {width} bits"),
        )),
    }
}

/// The register after `bytes` bytes, as sums of the variables: register
/// bits `0..w`, then data bits `w..w + 8 * bytes` (byte 0 first).
fn update(cfg: &CrcConfig, bytes: u32) -> Vec<Terms> {
    let w = cfg.width;
    let vars = w + 8 * bytes;
    let poly = cfg.oriented(cfg.poly);
    let mut reg: Vec<Terms> = (0..w).map(|i| Terms::var(vars, i)).collect();
    for byte in 0..bytes {
        for i in 0..8 {
            let bit = if cfg.reflect { i } else { 7 - i };
            let mut feedback = Terms::var(vars, w + 8 * byte + bit);
            if cfg.reflect {
                feedback.add(&reg[0]);
                reg.remove(0);
                reg.push(Terms::zero(vars));
            } else {
                feedback.add(&reg[w as usize - 1]);
                reg.pop();
                reg.insert(0, Terms::zero(vars));
            }
            for (j, r) in reg.iter_mut().enumerate() {
                if poly >> j & 1 == 1 {
                    r.add(&feedback);
                }
            }
        }
    }
    reg
}

/// The register once a message is followed by its own CRC: the same for
/// every message (width a multiple of 8).
fn residue(cfg: &CrcConfig, one_byte: &[Terms]) -> u64 {
    let w = cfg.width;
    let start = cfg.oriented(cfg.init);
    let sent = start ^ cfg.xorout;
    (0..w / 8).fold(start, |reg, i| {
        let shift = if cfg.reflect { 8 * i } else { w - 8 * (i + 1) };
        let byte = (sent >> shift) & 0xFF;
        // Variables: the register, then the byte (other data bytes unused).
        let mut values = [reg, 0];
        for b in 0..8 {
            let i = w + b;
            values[(i / 64) as usize] |= (byte >> b & 1) << (i % 64);
        }
        one_byte
            .iter()
            .enumerate()
            .fold(0, |acc, (j, t)| acc | (u64::from(t.eval(&values)) << j))
    })
}

/// Builds the CRC engine as module `module_name`.
pub fn crc(module_name: &str, cfg: &CrcConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (w, k) = (cfg.width, cfg.bytes);
    let one_byte = update(cfg, 1);
    let start_value = cfg.oriented(cfg.init);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let start = m.input("start", 1);
    let valid = m.input("valid", 1);
    let data = m.input("data", 8 * k);
    let nbytes = (k > 1).then(|| m.input("nbytes", bits_for(k as usize + 1)));
    let crc_out = m.output("crc_out", w);
    let state = m.reg("state", w).reset(start_value);

    // The register this beat starts from, and after the beat's bytes.
    let base = m.wire("base", w);
    m.assign(base, mux(start, lit(start_value, w), state));
    let updated = m.wire("updated", w);
    m.assign(updated, vector_expr(&update(cfg, k), &cat![data, base]));
    if let Some(nbytes) = nbytes {
        // A partial beat: one byte at a time (small, if slower, logic).
        let mut after = Vec::new();
        let mut prev = base;
        for n in 1..k {
            let next = m.wire(format!("after{n}"), w);
            let byte = data.slice(8 * n - 1, 8 * (n - 1));
            m.assign(next, vector_expr(&one_byte, &cat![byte, prev]));
            after.push(next);
            prev = next;
        }
        m.switch(nbytes, |s| {
            s.is(0, |m| m.assign(updated, base));
            for (n, &partial) in (1u64..).zip(&after) {
                s.is(n, |m| m.assign(updated, partial));
            }
        });
    }
    m.when(valid, |m| m.next(state, updated))
        .elsewhen(start, |m| m.next(state, lit(start_value, w)));

    m.assign(crc_out, state ^ lit(cfg.xorout, w));
    if w % 8 == 0 {
        let ok = m.output("ok", 1);
        m.assign(ok, state.eq(lit(residue(cfg, &one_byte), w)));
    }
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "crc",
        doc: "CRC generator and checker, any polynomial up to 64 bits, k bytes per clock",
        params: vec![
            PRESET.spec(),
            BYTES.spec(),
            WIDTH.spec(),
            POLY.spec(),
            INIT.spec(),
            XOROUT.spec(),
            REFLECT.spec(),
        ],
        build: |name, p| Ok(crc(name, &CrcConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
