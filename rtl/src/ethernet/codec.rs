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
//!   `k` = 0..7): data in lanes `0..k`, control codes after `k`;
//! - ordered sets (`O`: the sequence character `9Ch` in lane 0 or 4, its
//!   three data bytes in the lanes after it; on the line a 4-bit O code,
//!   `0h` for a sequence ordered set): `2Dh` control codes in lanes 0..3
//!   and `O` in lane 4; `4Bh` `O` in lane 0 and control codes in 4..7;
//!   `55h` `O` in lanes 0 and 4; `66h` `O` in lane 0 and start in lane 4.
//!   A local or remote fault (`9Ch 00h 00h 01h`/`02h`) is such a set.
//!
//! The control code of lane `j` sits at payload bits `8+7j..8+7j+6` in
//! every block that has one; a data byte of lane `j` at bits `8j` in start
//! and ordered-set blocks and `8+8j` in terminate blocks; the O code of
//! lane 0 at bits 32..35, of lane 4 at bits 36..39. Unused payload bits are
//! sent as 0 and ignored on receive.
//!
//! Every block also has a [`BlockType`] (802.3's `R_TYPE`; a word's
//! `T_TYPE` is the type of the block it encodes to), which the
//! [`sequence`](super::sequence) state machines check in order: `D` a data
//! block; `S` a start block (`78h 33h 66h`); `T` a terminate block; `C` any
//! other valid control block, except that an all-control block (`1Eh`)
//! holding an error code is `E`; `E` every invalid block. As in `R_TYPE`,
//! error codes next to an ordered set, a start or after a terminate leave
//! the block valid.
//!
//! `eth_encoder` ports (`rst` synchronous, active high): `clk`, `rst`,
//! `in_valid`, `txd[63:0]`, `txc[7:0]`; `out_valid`, `out_hdr[1:0]`,
//! `out_data[63:0]`, `out_type[2:0]` ([`BlockType::code`]), registered (one cycle later; held while `in_valid` is
//! low). A word matching none of the blocks above (for example a control
//! character other than idle or error in a control lane) is sent as an
//! error block (`1Eh` with eight error codes, type `E`), as 802.3 requires.
//! After reset the outputs hold an idle block.
//!
//! `eth_decoder` ports: `clk`, `rst`, `in_valid`, `in_hdr[1:0]`,
//! `in_data[63:0]`; `out_valid`, `rxd[63:0]`, `rxc[7:0]`, `out_error`,
//! `out_type[2:0]`, registered. An invalid block (header `00`/`11`, an
//! unknown block type, a control code other than idle or error, an O code
//! other than `0h`) comes out as eight error characters (`FEh`, `rxc` all
//! ones) with `out_error` high. Blocks are decoded one at a time; their
//! order is the [`sequence`](super::sequence) state machines' concern.

use super::{ERROR, HDR_CONTROL, HDR_DATA, IDLE, SEQUENCE, START, TERMINATE, TYPE_IDLE_PAYLOAD};
use crate::catalog::{no_issues, BlockKind};
use linkforge_hdl::prelude::*;

/// The 7-bit code of the idle character.
pub const CODE_IDLE: u64 = 0x00;
/// The 7-bit code of the error character.
pub const CODE_ERROR: u64 = 0x1E;
/// Block type of an all-control block.
const TYPE_CONTROL: u8 = 0x1E;
/// Block types of terminate blocks, by terminate lane.
const TYPE_TERMINATE: [u8; 8] = [0x87, 0x99, 0xAA, 0xB4, 0xCC, 0xD2, 0xE1, 0xFF];
/// The 4-bit O code of a sequence ordered set.
pub const O_SEQUENCE: u64 = 0x0;
/// Payload bit of the O code of lane 0 and of lane 4.
const O_BIT: [u32; 2] = [32, 36];

/// The type of a block (802.3 `R_TYPE`; see [the module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    /// A valid control block without start or terminate.
    C,
    /// A start block.
    S,
    /// A terminate block.
    T,
    /// A data block.
    D,
    /// An invalid block, or an all-control block holding an error code.
    E,
}

impl BlockType {
    /// Width of [`code`](Self::code).
    pub const WIDTH: u32 = 3;

    /// The type's value on an `out_type`/`in_type` port.
    pub fn code(self) -> u64 {
        self as u64
    }
}

/// What a lane of a control block carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// A 7-bit control code (idle or error) at payload bit `8 + 7j`.
    Code,
    /// A data byte at this payload bit.
    Data(u32),
    /// The start character (no payload bits).
    Start,
    /// The terminate character (no payload bits).
    Terminate,
    /// The sequence character of an ordered set, its O code at this
    /// payload bit.
    Order(u32),
}

/// One control block format: its type and what each lane carries.
pub struct Format {
    /// The block type (payload bits 7..0).
    pub ty: u8,
    /// What lane `j` carries.
    pub lanes: [Lane; 8],
}

impl Format {
    /// The XGMII control flags of the lanes: every lane but data.
    pub fn control_mask(&self) -> u8 {
        (0..8).fold(0, |m, j| {
            m | (u8::from(!matches!(self.lanes[j], Lane::Data(_))) << j)
        })
    }

    /// The type of a valid block of this format; `all_idle` says whether
    /// its control codes are all idle (an all-control block with an error
    /// code is `E`).
    pub fn block_type(&self, all_idle: bool) -> BlockType {
        if self.lanes.contains(&Lane::Start) {
            BlockType::S
        } else if self.lanes.contains(&Lane::Terminate) {
            BlockType::T
        } else if self.ty == TYPE_CONTROL && !all_idle {
            BlockType::E
        } else {
            BlockType::C
        }
    }
}

/// Lanes `1..=3` or `5..=7` as data bytes at payload bit `8j`, the others
/// from `f`.
fn with_data(f: impl Fn(usize) -> Lane) -> [Lane; 8] {
    std::array::from_fn(|j| match j {
        1..=3 | 5..=7 => Lane::Data(8 * j as u32),
        j => f(j),
    })
}

/// Every control block format the code supports.
pub fn formats() -> Vec<Format> {
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
        Format {
            ty: 0x2D,
            lanes: std::array::from_fn(|j| match j {
                0..=3 => Lane::Code,
                4 => Lane::Order(O_BIT[1]),
                j => Lane::Data(8 * j as u32),
            }),
        },
        Format {
            ty: 0x4B,
            lanes: std::array::from_fn(|j| match j {
                0 => Lane::Order(O_BIT[0]),
                1..=3 => Lane::Data(8 * j as u32),
                _ => Lane::Code,
            }),
        },
        Format {
            ty: 0x55,
            lanes: with_data(|j| Lane::Order(O_BIT[j / 4])),
        },
        Format {
            ty: 0x66,
            lanes: with_data(|j| match j {
                0 => Lane::Order(O_BIT[0]),
                _ => Lane::Start,
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
pub fn code_bit(j: usize) -> u32 {
    8 + 7 * j as u32
}

/// The payload of the error block: type `1Eh`, eight error codes (802.3's
/// `EBLOCK_T`).
pub const ERROR_BLOCK: u64 = {
    let mut p = TYPE_CONTROL as u64;
    let mut j = 0;
    while j < 8 {
        p |= CODE_ERROR << (8 + 7 * j);
        j += 1;
    }
    p
};

/// The XGMII word of eight error characters (802.3's `EBLOCK_R`), with
/// all control flags set.
pub const ERROR_WORD: u64 = u64::from_ne_bytes([ERROR; 8]);

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

/// The [`BlockType::code`] of a valid block of format `f`, given whether
/// its control codes are all idle.
fn type_expr(f: &Format, all_idle: Expr) -> Expr {
    let [idle, not_idle] = [true, false].map(|a| f.block_type(a).code());
    if idle == not_idle {
        lit(idle, BlockType::WIDTH)
    } else {
        mux(
            all_idle,
            lit(idle, BlockType::WIDTH),
            lit(not_idle, BlockType::WIDTH),
        )
    }
}

/// Builds the encoder as module `module_name`.
pub fn eth_encoder(module_name: &str) -> Result<Module, HdlError> {
    let tw = BlockType::WIDTH;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let txd = m.input("txd", 64);
    let txc = m.input("txc", 8);
    let out_valid = m.output("out_valid", 1);
    let out_hdr = m.output("out_hdr", 2);
    let out_data = m.output("out_data", 64);
    let out_type = m.output("out_type", tw);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(HDR_CONTROL);
    let data_q = m.reg("data_q", 64).reset(TYPE_IDLE_PAYLOAD);
    let type_q = m.reg("type_q", tw).reset(BlockType::C.code());

    let byte = |j: usize| txd.slice(8 * j as u32 + 7, 8 * j as u32);
    let is = |j: usize, ch: u8| byte(j).eq(lit(ch.into(), 8));
    let is_idle: Vec<Expr> = (0..8).map(|j| is(j, IDLE)).collect();
    let code_ok: Vec<Expr> = (0..8).map(|j| is_idle[j].clone() | is(j, ERROR)).collect();
    let code = |j: usize| mux(is_idle[j].clone(), lit(CODE_IDLE, 7), lit(CODE_ERROR, 7));

    let cases = formats()
        .into_iter()
        .map(|f| {
            let mut cond = txc.eq(lit(f.control_mask().into(), 8));
            let mut all_idle = high();
            let mut fields = vec![(0, lit(f.ty.into(), 8))];
            for (j, lane) in f.lanes.iter().enumerate() {
                match lane {
                    Lane::Code => {
                        cond = cond & code_ok[j].clone();
                        all_idle = all_idle & is_idle[j].clone();
                        fields.push((code_bit(j), code(j)));
                    }
                    Lane::Data(bit) => fields.push((*bit, byte(j))),
                    Lane::Order(bit) => {
                        cond = cond & is(j, SEQUENCE);
                        fields.push((*bit, lit(O_SEQUENCE, 4)));
                    }
                    Lane::Start => cond = cond & is(j, START),
                    Lane::Terminate => cond = cond & is(j, TERMINATE),
                }
            }
            (cond, cat![type_expr(&f, all_idle), place(fields, 64)])
        })
        .collect();
    // {type, payload} of a control word.
    let control = m.wire("control", tw + 64);
    m.assign(
        control,
        first_match(
            cases,
            cat![lit(BlockType::E.code(), tw), lit(ERROR_BLOCK, 64)],
        ),
    );
    let is_data = txc.eq(lit(0, 8));

    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(
            hdr_q,
            mux(is_data.clone(), lit(HDR_DATA, 2), lit(HDR_CONTROL, 2)),
        );
        m.next(data_q, mux(is_data.clone(), txd, control.slice(63, 0)));
        m.next(
            type_q,
            mux(
                is_data,
                lit(BlockType::D.code(), tw),
                control.slice(tw + 63, 64),
            ),
        );
    });
    m.assign(out_valid, valid_q);
    m.assign(out_hdr, hdr_q);
    m.assign(out_data, data_q);
    m.assign(out_type, type_q);
    m.finish()
}

/// Builds the decoder as module `module_name`.
pub fn eth_decoder(module_name: &str) -> Result<Module, HdlError> {
    let tw = BlockType::WIDTH;
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
    let out_type = m.output("out_type", tw);
    let idle_word = u64::from_ne_bytes([IDLE; 8]);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let d_q = m.reg("d_q", 64).reset(idle_word);
    let c_q = m.reg("c_q", 8).reset(0xFF);
    let error_q = m.reg("error_q", 1).reset(0);
    let type_q = m.reg("type_q", tw).reset(BlockType::C.code());

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
            let mut all_idle = high();
            let lanes = f
                .lanes
                .iter()
                .enumerate()
                .rev()
                .map(|(j, lane)| match lane {
                    Lane::Code => {
                        cond = cond.clone() & code_ok[j].clone();
                        all_idle = all_idle.clone() & code_idle[j].clone();
                        decoded(j)
                    }
                    Lane::Data(bit) => in_data.slice(bit + 7, *bit),
                    Lane::Order(bit) => {
                        cond = cond.clone() & in_data.slice(bit + 3, *bit).eq(lit(O_SEQUENCE, 4));
                        lit(SEQUENCE.into(), 8)
                    }
                    Lane::Start => lit(START.into(), 8),
                    Lane::Terminate => lit(TERMINATE.into(), 8),
                })
                .collect();
            let value = cat![
                high(),
                type_expr(&f, all_idle),
                lit(f.control_mask().into(), 8),
                concat(lanes)
            ];
            (cond, value)
        })
        .collect();
    // {valid control block, type, rxc, rxd}.
    let control = m.wire("control", 73 + tw);
    m.assign(control, first_match(cases, lit(0, 73 + tw)));
    let is_data = in_hdr.eq(lit(HDR_DATA, 2));
    let good = is_data.clone() | (in_hdr.eq(lit(HDR_CONTROL, 2)) & control.bit(72 + tw));

    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(error_q, !good.clone());
        m.when(is_data, |m| {
            m.next(d_q, in_data);
            m.next(c_q, lit(0, 8));
            m.next(type_q, lit(BlockType::D.code(), tw));
        })
        .elsewhen(good, |m| {
            m.next(d_q, control.slice(63, 0));
            m.next(c_q, control.slice(71, 64));
            m.next(type_q, control.slice(71 + tw, 72));
        })
        .otherwise(|m| {
            m.next(d_q, lit(ERROR_WORD, 64));
            m.next(c_q, lit(0xFF, 8));
            m.next(type_q, lit(BlockType::E.code(), tw));
        });
    });
    m.assign(out_valid, valid_q);
    m.assign(rxd, d_q);
    m.assign(rxc, c_q);
    m.assign(out_error, error_q);
    m.assign(out_type, type_q);
    m.finish()
}

/// The catalogue entry of `eth_encoder`.
pub fn encoder_kind() -> BlockKind {
    BlockKind {
        name: "eth_encoder",
        doc: "Ethernet 64b/66b encoder: XGMII word to 66-bit block (idle, start, terminate, ordered sets, error) and its type",
        params: Vec::new(),
        build: |name, _| Ok(eth_encoder(name)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `eth_decoder`.
pub fn decoder_kind() -> BlockKind {
    BlockKind {
        name: "eth_decoder",
        doc: "Ethernet 64b/66b decoder: 66-bit block to XGMII word and its type, invalid blocks flagged",
        params: Vec::new(),
        build: |name, _| Ok(eth_decoder(name)?),
        issues: no_issues,
    }
}
