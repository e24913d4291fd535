//! The Rust reference of the 64b/66b code (`eth_encoder`, `eth_decoder`):
//! XGMII words to 66-bit blocks and back, by the block formats of
//! `linkforge_rtl::ethernet::codec`.

use linkforge_rtl::ethernet::codec::{
    code_bit, formats, BlockType, Lane, CODE_ERROR, CODE_IDLE, ERROR_BLOCK, ERROR_WORD, O_SEQUENCE,
};
use linkforge_rtl::ethernet::{ERROR, HDR_CONTROL, HDR_DATA, IDLE, SEQUENCE, START, TERMINATE};

/// The 66-bit block of an XGMII word: `(header, payload)`. The reference
/// model of the encoder.
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
    let payload = formats().into_iter().find_map(|f| {
        if f.control_mask() != txc {
            return None;
        }
        let mut p = u64::from(f.ty);
        for (j, lane) in f.lanes.iter().enumerate() {
            match lane {
                Lane::Code => p |= code(j)? << code_bit(j),
                Lane::Data(bit) => p |= u64::from(byte(j)) << bit,
                Lane::Order(bit) if byte(j) == SEQUENCE => p |= O_SEQUENCE << bit,
                Lane::Start if byte(j) == START => {}
                Lane::Terminate if byte(j) == TERMINATE => {}
                Lane::Start | Lane::Terminate | Lane::Order(_) => return None,
            }
        }
        Some(p)
    });
    (HDR_CONTROL, payload.unwrap_or(ERROR_BLOCK))
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
    /// The block's type.
    pub ty: BlockType,
}

/// The XGMII word of a 66-bit block and its type. The reference model of
/// the decoder.
pub fn decode(hdr: u64, payload: u64) -> Decoded {
    let invalid = Decoded {
        d: ERROR_WORD,
        c: 0xFF,
        error: true,
        ty: BlockType::E,
    };
    match hdr {
        HDR_DATA => {
            return Decoded {
                d: payload,
                c: 0,
                error: false,
                ty: BlockType::D,
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
            let mut all_idle = true;
            for (j, lane) in f.lanes.iter().enumerate() {
                let byte = match lane {
                    Lane::Code => code(j)?,
                    Lane::Data(bit) => (payload >> bit) as u8,
                    Lane::Order(bit) if payload >> bit & 0xF == O_SEQUENCE => SEQUENCE,
                    Lane::Order(_) => return None,
                    Lane::Start => START,
                    Lane::Terminate => TERMINATE,
                };
                all_idle &= *lane != Lane::Code || byte == IDLE;
                d |= u64::from(byte) << (8 * j);
            }
            Some(Decoded {
                d,
                c: f.control_mask(),
                error: false,
                ty: f.block_type(all_idle),
            })
        });
    decoded.unwrap_or(invalid)
}

/// The type of an XGMII word (802.3's `T_TYPE`): the type of its block.
pub fn word_type(txd: u64, txc: u8) -> BlockType {
    let (hdr, payload) = encode(txd, txc);
    decode(hdr, payload).ty
}
