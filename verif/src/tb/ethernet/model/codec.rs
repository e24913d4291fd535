//! The Rust reference of the 64b/66b code (`eth_encoder`, `eth_decoder`):
//! XGMII words to 66-bit blocks and back, written from IEEE 802.3 Clause 49
//! and sharing nothing with the generators.
//!
//! Sources: Figure 49-7 (64B/66B block formats), whose rows are copied
//! below as text, field by field in transmit order; Table 49-1 (control
//! codes); 49.2.4.3 (the sync header: `01` data, `10` control, as sent);
//! 49.2.13.2.3 (`R_TYPE`/`T_TYPE`, the block types); Clause 46, Table 46-3
//! (the XGMII control characters). Every field goes out least significant
//! bit first, right after the field before it.
//!
//! The block types are reported in the generators' port encoding
//! ([`BlockType`]), the one thing taken from them: it is what their
//! `out_type` ports show.

use linkforge_rtl::ethernet::codec::BlockType;

/// XGMII idle `/I/` (Table 46-3).
const XGMII_IDLE: u8 = 0x07;
/// XGMII start `/S/`.
const XGMII_START: u8 = 0xFB;
/// XGMII terminate `/T/`.
const XGMII_TERMINATE: u8 = 0xFD;
/// XGMII error `/E/`.
const XGMII_ERROR: u8 = 0xFE;
/// XGMII sequence `/Q/`, the first character of a sequence ordered set.
const XGMII_SEQUENCE: u8 = 0x9C;

/// Table 49-1: the 7-bit 10GBASE-R control code of an XGMII control
/// character, for the two the PCS carries (idle and error; it sends LPI and
/// the reserved characters as errors, as its documentation says).
const CONTROL_CODES: [(u8, u64); 2] = [(XGMII_IDLE, 0x00), (XGMII_ERROR, 0x1E)];
/// Table 49-1: the 4-bit O code of the ordered set started by `/Q/`.
const O_CODE_SEQUENCE: u64 = 0x0;

/// The sync header of a data block: `01` as sent, first bit at index 0.
const SYNC_DATA: u64 = 0b10;
/// The sync header of a control block: `10` as sent.
const SYNC_CONTROL: u64 = 0b01;

/// Figure 49-7, one row per control block format: the block type field,
/// the eight XGMII lanes of the input ("input data" column, lane 0 first)
/// and the fields of the block payload after the type ("block payload"
/// column, in transmit order). `Cj` is lane `j`'s 7-bit control code, `Dj`
/// its data byte, `Oj` the 4-bit O code of the ordered set starting in lane
/// `j`, `Sj`/`Tj` the start/terminate in lane `j` (coded by the type
/// alone); `_n` is `n` unused bits, sent as zero.
const FIGURE_49_7: [(u8, &str, &str); 15] = [
    (0x1E, "C0 C1 C2 C3 C4 C5 C6 C7", "C0 C1 C2 C3 C4 C5 C6 C7"),
    (0x2D, "C0 C1 C2 C3 O4 D5 D6 D7", "C0 C1 C2 C3 O4 D5 D6 D7"),
    (0x33, "C0 C1 C2 C3 S4 D5 D6 D7", "C0 C1 C2 C3 _4 D5 D6 D7"),
    (0x66, "O0 D1 D2 D3 S4 D5 D6 D7", "D1 D2 D3 O0 _4 D5 D6 D7"),
    (0x55, "O0 D1 D2 D3 O4 D5 D6 D7", "D1 D2 D3 O0 O4 D5 D6 D7"),
    (0x78, "S0 D1 D2 D3 D4 D5 D6 D7", "D1 D2 D3 D4 D5 D6 D7"),
    (0x4B, "O0 D1 D2 D3 C4 C5 C6 C7", "D1 D2 D3 O0 C4 C5 C6 C7"),
    (0x87, "T0 C1 C2 C3 C4 C5 C6 C7", "_7 C1 C2 C3 C4 C5 C6 C7"),
    (0x99, "D0 T1 C2 C3 C4 C5 C6 C7", "D0 _6 C2 C3 C4 C5 C6 C7"),
    (0xAA, "D0 D1 T2 C3 C4 C5 C6 C7", "D0 D1 _5 C3 C4 C5 C6 C7"),
    (0xB4, "D0 D1 D2 T3 C4 C5 C6 C7", "D0 D1 D2 _4 C4 C5 C6 C7"),
    (0xCC, "D0 D1 D2 D3 T4 C5 C6 C7", "D0 D1 D2 D3 _3 C5 C6 C7"),
    (0xD2, "D0 D1 D2 D3 D4 T5 C6 C7", "D0 D1 D2 D3 D4 _2 C6 C7"),
    (0xE1, "D0 D1 D2 D3 D4 D5 T6 C7", "D0 D1 D2 D3 D4 D5 _1 C7"),
    (0xFF, "D0 D1 D2 D3 D4 D5 D6 T7", "D0 D1 D2 D3 D4 D5 D6"),
];

/// The payload of `EBLOCK_T` (49.2.13.2.2): a control block of eight
/// error codes, the block a transmitter sends for a word it cannot code.
pub const EBLOCK_T: u64 = 0x3C78_F1E3_C78F_1E1E;
/// The XGMII word of `EBLOCK_R`: eight error characters (control flags all
/// set), what a receiver puts out for an invalid block.
pub const EBLOCK_R: u64 = 0xFEFE_FEFE_FEFE_FEFE;

/// One field of a Figure 49-7 row: its letter (`C D O S T _`) and number
/// (a lane, or for `_` a bit count).
fn fields(row: &str) -> impl Iterator<Item = (char, usize)> + '_ {
    row.split(' ').map(|f| {
        let (kind, n) = f.split_at(1);
        (
            kind.chars().next().unwrap_or('?'),
            n.parse().unwrap_or(usize::MAX),
        )
    })
}

/// The payload bit where each of lane `0..8`'s fields (C, D or O) starts
/// in a row's payload, laid out one field after another from bit 8.
fn layout(payload: &str) -> [Option<(char, u32)>; 8] {
    let mut at = [None; 8];
    let mut bit = 8;
    for (kind, n) in fields(payload) {
        let width = match kind {
            'C' => 7,
            'D' => 8,
            'O' => 4,
            _ => n as u32,
        };
        if kind != '_' {
            at[n] = Some((kind, bit));
        }
        bit += width;
    }
    debug_assert_eq!(bit, 64, "{payload} fills the payload");
    at
}

/// The 66-bit block of an XGMII word: `(header, payload)`. The reference
/// model of the encoder; a word no format of Figure 49-7 codes becomes
/// [`EBLOCK_T`].
pub fn encode(txd: u64, txc: u8) -> (u64, u64) {
    if txc == 0 {
        return (SYNC_DATA, txd);
    }
    let byte = |j: usize| (txd >> (8 * j)) as u8;
    let control = |j: usize| txc >> j & 1 == 1;
    let payload = FIGURE_49_7.iter().find_map(|&(ty, input, payload)| {
        let at = layout(payload);
        let mut p = u64::from(ty);
        for (kind, j) in fields(input) {
            let place = |v: u64| at[j].map_or(0, |(_, bit)| v << bit);
            p |= match kind {
                'D' if !control(j) => place(u64::from(byte(j))),
                'C' if control(j) => place(CONTROL_CODES.iter().find(|c| c.0 == byte(j))?.1),
                'O' if control(j) && byte(j) == XGMII_SEQUENCE => place(O_CODE_SEQUENCE),
                'S' if control(j) && byte(j) == XGMII_START => 0,
                'T' if control(j) && byte(j) == XGMII_TERMINATE => 0,
                _ => return None,
            };
        }
        Some(p)
    });
    (SYNC_CONTROL, payload.unwrap_or(EBLOCK_T))
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

/// The XGMII word of a 66-bit block and its type (`R_TYPE`). The reference
/// model of the decoder; an invalid block (bad sync header, unknown type
/// field, a control code or O code Table 49-1 does not give) comes out as
/// [`EBLOCK_R`].
pub fn decode(hdr: u64, payload: u64) -> Decoded {
    let invalid = Decoded {
        d: EBLOCK_R,
        c: 0xFF,
        error: true,
        ty: BlockType::E,
    };
    match hdr {
        SYNC_DATA => {
            return Decoded {
                d: payload,
                c: 0,
                error: false,
                ty: BlockType::D,
            }
        }
        SYNC_CONTROL => {}
        _ => return invalid,
    }
    let ty = payload as u8;
    let Some(&(_, input, layout_row)) = FIGURE_49_7.iter().find(|r| r.0 == ty) else {
        return invalid;
    };
    let at = layout(layout_row);
    let field =
        |j: usize, width: u32| at[j].map_or(0, |(_, bit)| payload >> bit & ((1 << width) - 1));
    let (mut d, mut c) = (0u64, 0u8);
    let mut kinds = Vec::new();
    for (kind, j) in fields(input) {
        let (byte, is_control) = match kind {
            'D' => (field(j, 8) as u8, false),
            'C' => match CONTROL_CODES.iter().find(|cc| cc.1 == field(j, 7)) {
                Some(cc) => (cc.0, true),
                None => return invalid,
            },
            'O' if field(j, 4) == O_CODE_SEQUENCE => (XGMII_SEQUENCE, true),
            'S' => (XGMII_START, true),
            'T' => (XGMII_TERMINATE, true),
            _ => return invalid,
        };
        kinds.push((kind, byte));
        d |= u64::from(byte) << (8 * j);
        c |= u8::from(is_control) << j;
    }
    Decoded {
        d,
        c,
        error: false,
        ty: r_type(&kinds),
    }
}

/// `R_TYPE` of a valid control block from its lanes (49.2.13.2.3): `S`
/// with a start, `T` with a terminate, `E` for eight control characters
/// that include an error (`C` needs eight valid characters other than
/// `/E/`), else `C`.
fn r_type(lanes: &[(char, u8)]) -> BlockType {
    if lanes.iter().any(|l| l.0 == 'S') {
        BlockType::S
    } else if lanes.iter().any(|l| l.0 == 'T') {
        BlockType::T
    } else if lanes.iter().all(|l| l.0 == 'C') && lanes.iter().any(|l| l.1 == XGMII_ERROR) {
        BlockType::E
    } else {
        BlockType::C
    }
}

/// The type of an XGMII word (802.3's `T_TYPE`): the type of its block.
pub fn word_type(txd: u64, txc: u8) -> BlockType {
    let (hdr, payload) = encode(txd, txc);
    decode(hdr, payload).ty
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block written as its 66 bits in transmit order (`_` and spaces
    /// ignored) as `(header, payload)`, first-sent bit at index 0.
    fn sent(bits: &str) -> (u64, u64) {
        let bits: Vec<u64> = bits
            .chars()
            .filter(|c| *c == '0' || *c == '1')
            .map(|c| u64::from(c == '1'))
            .collect();
        assert_eq!(bits.len(), 66, "a block has 66 bits");
        let hdr = bits[0] | bits[1] << 1;
        let payload = (0..64).fold(0, |p, i| p | bits[2 + i] << i);
        (hdr, payload)
    }

    /// Blocks worked out by hand from Figure 49-7 as the bits on the line:
    /// the idle block (as in the IEEE 802.3ae list's worked example of the
    /// bit order: type 1Eh goes out `01111000`), a start block with the
    /// preamble, a terminate in lane 0 and an error block.
    #[test]
    fn blocks_match_their_bits_on_the_line() {
        let idle = u64::from_le_bytes([XGMII_IDLE; 8]);
        let idle_bits = format!("10 01111000 {}", "0000000 ".repeat(8));
        assert_eq!(encode(idle, 0xFF), sent(&idle_bits));
        // S0 then 55h x 6 and D5h: type 78h = 00011110 LSB first, 55h =
        // 10101010, D5h = 10101011.
        let start = sent(&format!("10 00011110 {} 10101011", "10101010 ".repeat(6)));
        assert_eq!(encode(0xD555_5555_5555_55FB, 0x01), start);
        // T0 and seven idles: type 87h = 11100001, then 7 unused bits.
        let t0 = sent(&format!("10 11100001 0000000 {}", "0000000 ".repeat(7)));
        assert_eq!(encode(0x0707_0707_0707_07FD, 0xFF), t0);
        // Eight errors: code 1Eh = 0111100 LSB first.
        let e = sent(&format!("10 01111000 {}", "0111100 ".repeat(8)));
        assert_eq!(e, (SYNC_CONTROL, EBLOCK_T));
        // A data block: sync 01, the bytes LSB first.
        let data = sent(&format!("01 10000000 {}", "00000000 ".repeat(7)));
        assert_eq!(encode(1, 0), data);
    }

    #[test]
    fn every_row_fills_the_payload_and_names_each_lane_once() {
        for (ty, input, payload) in FIGURE_49_7 {
            let _ = layout(payload);
            let lanes: Vec<usize> = fields(input).map(|f| f.1).collect();
            assert_eq!(lanes, (0..8).collect::<Vec<_>>(), "{ty:#x}");
        }
    }

    #[test]
    fn every_format_round_trips() {
        // One word per format: data bytes 11h.., idles, /Q/ with 00 00 01.
        for (ty, input, _) in FIGURE_49_7 {
            let (mut d, mut c) = (0u64, 0u8);
            let mut data = 0x11u8;
            for (kind, j) in fields(input) {
                let (byte, ctl) = match kind {
                    'D' => {
                        data = data.wrapping_add(0x11);
                        (data, false)
                    }
                    'C' => (XGMII_IDLE, true),
                    'O' => (XGMII_SEQUENCE, true),
                    'S' => (XGMII_START, true),
                    _ => (XGMII_TERMINATE, true),
                };
                d |= u64::from(byte) << (8 * j);
                c |= u8::from(ctl) << j;
            }
            let (hdr, payload) = encode(d, c);
            assert_eq!((hdr, payload as u8), (SYNC_CONTROL, ty), "{ty:#x}");
            let back = decode(hdr, payload);
            assert_eq!((back.d, back.c, back.error), (d, c, false), "{ty:#x}");
        }
    }
}
