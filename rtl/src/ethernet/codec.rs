//! `eth_encoder` and `eth_decoder`: the 64b/66b code of IEEE 802.3 Clause 49
//! between XGMII words and 66-bit blocks (see [the conventions](super)).
//!
//! Blocks (Clause 49, figure 49-7; `C` a 7-bit control code, `D` a data
//! byte, `S` start, `T` terminate; type in payload bits 7..0):
//!
//! - data block (header `2'b10`): the payload is the XGMII data, `txc` 0;
//! - `1Eh`: eight control codes (idle `07h` is code `00h`, error `FEh` is
//!   code `1Eh`);
//! - `78h`: start in lane 0, data in lanes 1..7;
//! - `33h`: control codes in lanes 0..3, start in lane 4, data in 5..7;
//! - terminate in lane `k` (types `87h 99h AAh B4h CCh D2h E1h FFh` for
//!   `k` = 0..7): data in lanes `0..k`, control codes after `k`.
//!
//! The control code of lane `j` sits at payload bits `8+7j..8+7j+6` in
//! every block that has one; a data byte of lane `j` at bits `8j` in start
//! blocks and `8+8j` in terminate blocks. Unused payload bits are sent as 0
//! and ignored on receive.
//!
//! `eth_encoder` ports (`rst` synchronous, active high): `clk`, `rst`,
//! `in_valid`, `txd[63:0]`, `txc[7:0]`; `out_valid`, `out_hdr[1:0]`,
//! `out_data[63:0]`, registered (one cycle later; held while `in_valid` is
//! low). A word matching none of the blocks above (for example a control
//! character other than idle or error in a control lane) is sent as an
//! error block (`1Eh` with eight error codes), as 802.3 requires. After
//! reset the outputs hold an idle block.
//!
//! `eth_decoder` ports: `clk`, `rst`, `in_valid`, `in_hdr[1:0]`,
//! `in_data[63:0]`; `out_valid`, `rxd[63:0]`, `rxc[7:0]`, `out_error`,
//! registered. An invalid block (header `00`/`11`, an unknown block type, a
//! control code other than idle or error) comes out as eight error
//! characters (`FEh`, `rxc` all ones) with `out_error` high. Blocks are
//! checked one at a time; frame-level sequencing is the [`fcs`](super::fcs)
//! monitor's concern.

use super::{ERROR, HDR_CONTROL, HDR_DATA, IDLE, START, TERMINATE, TYPE_IDLE_PAYLOAD};
use crate::catalog::BlockKind;
use linkforge_hdl::prelude::*;

/// The 7-bit code of the idle character.
const CODE_IDLE: u64 = 0x00;
/// The 7-bit code of the error character.
const CODE_ERROR: u64 = 0x1E;
/// Block type of an all-control block.
const TYPE_CONTROL: u8 = 0x1E;
/// Block types of terminate blocks, by terminate lane.
const TYPE_TERMINATE: [u8; 8] = [0x87, 0x99, 0xAA, 0xB4, 0xCC, 0xD2, 0xE1, 0xFF];

/// What a lane of a control block carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lane {
    /// A 7-bit control code (idle or error) at payload bit `8 + 7j`.
    Code,
    /// A data byte at this payload bit.
    Data(u32),
    /// The start character (no payload bits).
    Start,
    /// The terminate character (no payload bits).
    Terminate,
}

/// One control block format: its type and what each lane carries.
struct Format {
    ty: u8,
    lanes: [Lane; 8],
}

impl Format {
    /// The XGMII control flags of the lanes: every lane but data.
    fn control_mask(&self) -> u8 {
        (0..8).fold(0, |m, j| {
            m | (u8::from(!matches!(self.lanes[j], Lane::Data(_))) << j)
        })
    }
}

/// Every control block format the code supports.
fn formats() -> Vec<Format> {
    let mut f = vec![
        Format {
            ty: TYPE_CONTROL,
            lanes: [Lane::Code; 8],
        },
        Format {
            ty: 0x78,
            lanes: std::array::from_fn(|j| match j {
                0 => Lane::Start,
                j => Lane::Data(8 * j as u32),
            }),
        },
        Format {
            ty: 0x33,
            lanes: std::array::from_fn(|j| match j {
                0..=3 => Lane::Code,
                4 => Lane::Start,
                j => Lane::Data(8 * j as u32),
            }),
        },
    ];
    for (k, &ty) in TYPE_TERMINATE.iter().enumerate() {
        f.push(Format {
            ty,
            lanes: std::array::from_fn(|j| match j.cmp(&k) {
                std::cmp::Ordering::Less => Lane::Data(8 + 8 * j as u32),
                std::cmp::Ordering::Equal => Lane::Terminate,
                std::cmp::Ordering::Greater => Lane::Code,
            }),
        });
    }
    f
}

/// Payload bit of lane `j`'s control code.
fn code_bit(j: usize) -> u32 {
    8 + 7 * j as u32
}

/// The 66-bit block of an XGMII word: `(header, payload)`. The reference
/// model the blocks are tested against.
pub fn encode(txd: u64, txc: u8) -> (u64, u64) {
    if txc == 0 {
        return (HDR_DATA, txd);
    }
    let byte = |j: usize| (txd >> (8 * j)) as u8;
    let code = |j: usize| match byte(j) {
        IDLE => Some(CODE_IDLE),
        ERROR => Some(CODE_ERROR),
        _ => None,
    };
    let error_block = (0..8).fold(u64::from(TYPE_CONTROL), |p, j| {
        p | CODE_ERROR << code_bit(j)
    });
    let payload = formats().into_iter().find_map(|f| {
        if f.control_mask() != txc {
            return None;
        }
        let mut p = u64::from(f.ty);
        for (j, lane) in f.lanes.iter().enumerate() {
            match lane {
                Lane::Code => p |= code(j)? << code_bit(j),
                Lane::Data(bit) => p |= u64::from(byte(j)) << bit,
                Lane::Start if byte(j) != START => return None,
                Lane::Terminate if byte(j) != TERMINATE => return None,
                Lane::Start | Lane::Terminate => {}
            }
        }
        Some(p)
    });
    (HDR_CONTROL, payload.unwrap_or(error_block))
}

/// A decoded block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// XGMII data.
    pub d: u64,
    /// XGMII control flags.
    pub c: u8,
    /// The block was invalid (and came out as error characters).
    pub error: bool,
}

/// The XGMII word of a 66-bit block. The reference model of the decoder.
pub fn decode(hdr: u64, payload: u64) -> Decoded {
    let invalid = Decoded {
        d: u64::from_ne_bytes([ERROR; 8]),
        c: 0xFF,
        error: true,
    };
    match hdr {
        HDR_DATA => {
            return Decoded {
                d: payload,
                c: 0,
                error: false,
            }
        }
        HDR_CONTROL => {}
        _ => return invalid,
    }
    let code = |j: usize| match payload >> code_bit(j) & 0x7F {
        CODE_IDLE => Some(IDLE),
        CODE_ERROR => Some(ERROR),
        _ => None,
    };
    let decoded = formats()
        .into_iter()
        .find(|f| u64::from(f.ty) == payload & 0xFF)
        .and_then(|f| {
            let mut d = 0u64;
            for (j, lane) in f.lanes.iter().enumerate() {
                let byte = match lane {
                    Lane::Code => code(j)?,
                    Lane::Data(bit) => (payload >> bit) as u8,
                    Lane::Start => START,
                    Lane::Terminate => TERMINATE,
                };
                d |= u64::from(byte) << (8 * j);
            }
            Some(Decoded {
                d,
                c: f.control_mask(),
                error: false,
            })
        });
    decoded.unwrap_or(invalid)
}

/// `fields` (bit position, value) laid into a `width`-bit expression, the
/// bits between them zero.
fn place(mut fields: Vec<(u32, Expr)>, width: u32) -> Expr {
    fields.sort_by_key(|f| f.0);
    let mut parts = Vec::new();
    let mut at = 0;
    for (bit, value) in fields {
        if bit > at {
            parts.push(lit(0, bit - at));
        }
        at = bit + value.width();
        parts.push(value);
    }
    if at < width {
        parts.push(lit(0, width - at));
    }
    parts.reverse();
    concat(parts)
}

/// `value` for the first of `cases` whose condition holds, else `default`.
fn first_match(cases: Vec<(Expr, Expr)>, default: Expr) -> Expr {
    cases
        .into_iter()
        .rev()
        .fold(default, |acc, (cond, value)| mux(cond, value, acc))
}

/// Builds the encoder as module `module_name`.
pub fn eth_encoder(module_name: &str) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let txd = m.input("txd", 64);
    let txc = m.input("txc", 8);
    let out_valid = m.output("out_valid", 1);
    let out_hdr = m.output("out_hdr", 2);
    let out_data = m.output("out_data", 64);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(HDR_CONTROL);
    let data_q = m.reg("data_q", 64).reset(TYPE_IDLE_PAYLOAD);

    let byte = |j: usize| txd.slice(8 * j as u32 + 7, 8 * j as u32);
    let is_idle: Vec<Expr> = (0..8).map(|j| byte(j).eq(lit(IDLE.into(), 8))).collect();
    let code_ok: Vec<Expr> = (0..8)
        .map(|j| is_idle[j].clone() | byte(j).eq(lit(ERROR.into(), 8)))
        .collect();
    let code = |j: usize| mux(is_idle[j].clone(), lit(CODE_IDLE, 7), lit(CODE_ERROR, 7));
    let error_block = (0..8).fold(u64::from(TYPE_CONTROL), |p, j| {
        p | CODE_ERROR << code_bit(j)
    });

    let cases = formats()
        .into_iter()
        .map(|f| {
            let mut cond = txc.eq(lit(f.control_mask().into(), 8));
            let mut fields = vec![(0, lit(f.ty.into(), 8))];
            for (j, lane) in f.lanes.iter().enumerate() {
                match lane {
                    Lane::Code => {
                        cond = cond & code_ok[j].clone();
                        fields.push((code_bit(j), code(j)));
                    }
                    Lane::Data(bit) => fields.push((*bit, byte(j))),
                    Lane::Start => cond = cond & byte(j).eq(lit(START.into(), 8)),
                    Lane::Terminate => cond = cond & byte(j).eq(lit(TERMINATE.into(), 8)),
                }
            }
            (cond, place(fields, 64))
        })
        .collect();
    let control = m.wire("control", 64);
    m.assign(control, first_match(cases, lit(error_block, 64)));
    let is_data = txc.eq(lit(0, 8));

    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(
            hdr_q,
            mux(is_data.clone(), lit(HDR_DATA, 2), lit(HDR_CONTROL, 2)),
        );
        m.next(data_q, mux(is_data, txd, control));
    });
    m.assign(out_valid, valid_q);
    m.assign(out_hdr, hdr_q);
    m.assign(out_data, data_q);
    m.finish()
}

/// Builds the decoder as module `module_name`.
pub fn eth_decoder(module_name: &str) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_hdr = m.input("in_hdr", 2);
    let in_data = m.input("in_data", 64);
    let out_valid = m.output("out_valid", 1);
    let rxd = m.output("rxd", 64);
    let rxc = m.output("rxc", 8);
    let out_error = m.output("out_error", 1);
    let idle_word = u64::from_ne_bytes([IDLE; 8]);
    let error_word = u64::from_ne_bytes([ERROR; 8]);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let d_q = m.reg("d_q", 64).reset(idle_word);
    let c_q = m.reg("c_q", 8).reset(0xFF);
    let error_q = m.reg("error_q", 1).reset(0);

    let ty = in_data.slice(7, 0);
    let code = |j: usize| in_data.slice(code_bit(j) + 6, code_bit(j));
    let code_idle: Vec<Expr> = (0..8).map(|j| code(j).eq(lit(CODE_IDLE, 7))).collect();
    let code_ok: Vec<Expr> = (0..8)
        .map(|j| code_idle[j].clone() | code(j).eq(lit(CODE_ERROR, 7)))
        .collect();
    let decoded = |j: usize| {
        mux(
            code_idle[j].clone(),
            lit(IDLE.into(), 8),
            lit(ERROR.into(), 8),
        )
    };

    let cases: Vec<(Expr, Expr)> = formats()
        .into_iter()
        .map(|f| {
            let mut cond = ty.clone().eq(lit(f.ty.into(), 8));
            let lanes = f
                .lanes
                .iter()
                .enumerate()
                .rev()
                .map(|(j, lane)| match lane {
                    Lane::Code => {
                        cond = cond.clone() & code_ok[j].clone();
                        decoded(j)
                    }
                    Lane::Data(bit) => in_data.slice(bit + 7, *bit),
                    Lane::Start => lit(START.into(), 8),
                    Lane::Terminate => lit(TERMINATE.into(), 8),
                })
                .collect();
            (cond, cat![lit(f.control_mask().into(), 8), concat(lanes)])
        })
        .collect();
    // {valid control block, rxc, rxd}.
    let control = m.wire("control", 73);
    m.assign(
        control,
        first_match(
            cases
                .into_iter()
                .map(|(c, v)| (c, cat![high(), v]))
                .collect(),
            lit(0, 73),
        ),
    );
    let is_data = in_hdr.eq(lit(HDR_DATA, 2));
    let good = is_data.clone() | (in_hdr.eq(lit(HDR_CONTROL, 2)) & control.bit(72));

    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(error_q, !good.clone());
        m.when(is_data, |m| {
            m.next(d_q, in_data);
            m.next(c_q, lit(0, 8));
        })
        .elsewhen(good, |m| {
            m.next(d_q, control.slice(63, 0));
            m.next(c_q, control.slice(71, 64));
        })
        .otherwise(|m| {
            m.next(d_q, lit(error_word, 64));
            m.next(c_q, lit(0xFF, 8));
        });
    });
    m.assign(out_valid, valid_q);
    m.assign(rxd, d_q);
    m.assign(rxc, c_q);
    m.assign(out_error, error_q);
    m.finish()
}

/// The catalogue entry of `eth_encoder`.
pub fn encoder_kind() -> BlockKind {
    BlockKind {
        name: "eth_encoder",
        doc: "Ethernet 64b/66b encoder: XGMII word to 66-bit block (idle, start, terminate, error)",
        params: Vec::new(),
        build: |name, _| Ok(eth_encoder(name)?),
    }
}

/// The catalogue entry of `eth_decoder`.
pub fn decoder_kind() -> BlockKind {
    BlockKind {
        name: "eth_decoder",
        doc: "Ethernet 64b/66b decoder: 66-bit block to XGMII word, invalid blocks flagged",
        params: Vec::new(),
        build: |name, _| Ok(eth_decoder(name)?),
    }
}
