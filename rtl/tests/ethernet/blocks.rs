//! The Ethernet blocks one by one against their reference models: the
//! 64b/66b encoder and decoder (with hand-worked blocks from 802.3 figure
//! 49-7, ordered sets included), the scrambler and descrambler, the block lock state machine, the
//! gearboxes in a loop with a random bit offset, and the FCS monitor;
//! Verilog tools on every kind.

use crate::support::{cases, check_verilog, run_model, Tb};
use linkforge_rtl::ethernet::ber::{eth_ber_monitor, BerConfig};
use linkforge_rtl::ethernet::block_lock::{eth_block_lock, BlockLockConfig};
use linkforge_rtl::ethernet::codec::{eth_decoder, eth_encoder, BlockType};
use linkforge_rtl::ethernet::fcs::eth_fcs;
use linkforge_rtl::ethernet::gearbox::{eth_gearbox_rx, eth_gearbox_tx, GearboxConfig};
use linkforge_rtl::ethernet::scrambler::{eth_scrambler, Direction};
use linkforge_rtl::ethernet::sequence::{eth_rx_sequence, eth_tx_sequence};
use linkforge_rtl::ethernet::{
    ERROR, HDR_CONTROL, HDR_DATA, IDLE, LOCAL_FAULT_C, LOCAL_FAULT_D, START, TERMINATE,
};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::ethernet::blocks::{
    BlockLockModel, DecoderModel, EncoderModel, FcsModel, GearboxRxModel, GearboxTxModel,
    ScramblerModel,
};
use linkforge_verif::tb::ethernet::model::codec::{decode, encode, word_type, Decoded};
use linkforge_verif::tb::ethernet::model::fcs;
use linkforge_verif::tb::ethernet::model::{block_lock, scrambler};
use linkforge_verif::tb::ethernet::source::Source;
use proptest::prelude::*;

/// A xorshift generator for bulk random stimulus inside one case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const ERROR_BLOCK: u64 = 0x3c78_f1e3_c78f_1e1e;

#[test]
fn encoder_model_matches_hand_worked_blocks() {
    let idle = u64::from_ne_bytes([IDLE; 8]);
    assert_eq!(ERROR_BLOCK, linkforge_rtl::ethernet::codec::ERROR_BLOCK);
    assert_eq!(encode(idle, 0xFF), (HDR_CONTROL, 0x1E));
    assert_eq!(
        encode(u64::from_ne_bytes([ERROR; 8]), 0xFF),
        (HDR_CONTROL, ERROR_BLOCK)
    );
    assert_eq!(
        encode(0xD555_5555_5555_55FB, 0x01),
        (HDR_CONTROL, 0xD555_5555_5555_5578)
    );
    assert_eq!(
        encode(0x5555_55FB_0707_0707, 0x1F),
        (HDR_CONTROL, 0x5555_5500_0000_0033)
    );
    assert_eq!(
        encode(0x0707_0707_FDCC_BBAA, 0xF8),
        (HDR_CONTROL, 0x0000_0000_CCBB_AAB4)
    );
    assert_eq!(encode(0x0707_0707_0707_07FD, 0xFF), (HDR_CONTROL, 0x87));
    assert_eq!(
        encode(0xFD11_2233_4455_6677, 0x80),
        (HDR_CONTROL, 0x1122_3344_5566_77FF)
    );
    assert_eq!(
        encode(0x0123_4567_89AB_CDEF, 0),
        (HDR_DATA, 0x0123_4567_89AB_CDEF)
    );
    // Not encodable: a start in lane 1, a sequence character.
    assert_eq!(
        encode(0x0707_0707_0707_FB07, 0xFF),
        (HDR_CONTROL, ERROR_BLOCK)
    );
    assert_eq!(
        encode(0x0707_0707_0707_079C, 0xFF),
        (HDR_CONTROL, ERROR_BLOCK)
    );
    let bad = Decoded {
        d: u64::from_ne_bytes([ERROR; 8]),
        c: 0xFF,
        error: true,
        ty: BlockType::E,
    };
    for hdr in [0b00, 0b11] {
        assert_eq!(decode(hdr, 0x1E), bad);
    }
    // A bad idle code and a bad O code are not decoded.
    assert_eq!(decode(HDR_CONTROL, 0x1E | 1 << 8), bad);
    assert_eq!(decode(HDR_CONTROL, 0x4B | 1 << 32), bad);
}

/// Ordered sets (sequence, 9Ch) in the four block types that carry them.
#[test]
fn ordered_sets_encode_and_decode() {
    // (word, control flags, payload, type): local fault in both halves
    // (55h), remote fault in lane 0 then idles (4Bh), idles then local
    // fault in lane 4 (2Dh), local fault then start in lane 4 (66h).
    let cases = [
        (
            LOCAL_FAULT_D,
            LOCAL_FAULT_C as u8,
            0x0100_0000_0100_0055,
            BlockType::C,
        ),
        (
            0x0707_0707_0200_009C,
            0xF1,
            0x0000_0000_0200_004B,
            BlockType::C,
        ),
        (
            0x0100_009C_0707_0707,
            0x1F,
            0x0100_0000_0000_002D,
            BlockType::C,
        ),
        (
            0x5555_55FB_0100_009C,
            0x11,
            0x5555_5500_0100_0066,
            BlockType::S,
        ),
    ];
    for (d, c, payload, ty) in cases {
        assert_eq!(encode(d, c), (HDR_CONTROL, payload), "{d:#x}");
        let back = decode(HDR_CONTROL, payload);
        assert_eq!((back.d, back.c, back.error, back.ty), (d, c, false, ty));
        assert_eq!(word_type(d, c), ty);
    }
    // Types of the other blocks; an all-control block with an error is E.
    assert_eq!(word_type(u64::from_ne_bytes([IDLE; 8]), 0xFF), BlockType::C);
    assert_eq!(word_type(0x0707_0707_0707_07FE, 0xFF), BlockType::E);
    assert_eq!(word_type(0xD555_5555_5555_55FB, 0x01), BlockType::S);
    assert_eq!(word_type(0xFEFE_FEFE_FEFE_FEFD, 0xFF), BlockType::T);
    assert_eq!(word_type(0x1234, 0), BlockType::D);
    // An ordered set needs its sequence character where the flags say.
    assert_eq!(word_type(0x0707_0707_0200_00FB, 0xF1), BlockType::E);
}

/// A random XGMII word: a piece of a real frame stream, or random lanes
/// mixing data and control characters.
fn random_word(rng: &mut Rng, source: &mut Source) -> (u64, u8) {
    if rng.below(2) == 0 {
        if rng.below(8) == 0 {
            let len = rng.below(80) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            source.frame(&bytes, rng.below(12) as usize);
        }
        return source.word();
    }
    let chars = [IDLE, ERROR, START, TERMINATE, 0x9C, 0x5A];
    let c = rng.next() as u8;
    let d = (0..8).fold(0u64, |d, j| {
        let b = if c >> j & 1 == 1 {
            chars[rng.below(chars.len() as u64) as usize]
        } else {
            rng.next() as u8
        };
        d | u64::from(b) << (8 * j)
    });
    (d, c)
}

/// From a zero register, a lone 1 in bit 0 comes back through the taps of
/// x^39 and x^58: bits 0, 39 and 58 of the scrambled block.
#[test]
fn scrambler_model_follows_the_polynomial() {
    let mut m = scrambler::Model::new();
    assert_eq!(m.apply(Direction::Scramble, 1), 1 | 1 << 39 | 1 << 58);
    let mut d = scrambler::Model::new();
    assert_eq!(d.apply(Direction::Descramble, 1 | 1 << 39 | 1 << 58), 1);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    /// The model's decode undoes its encode for every word that is not
    /// sent as an error block.
    #[test]
    fn decode_inverts_encode(seed in 1u64..) {
        let mut rng = Rng(seed);
        let mut source = Source::new();
        for _ in 0..300 {
            let (d, c) = random_word(&mut rng, &mut source);
            let (hdr, payload) = encode(d, c);
            let back = decode(hdr, payload);
            prop_assert!(!back.error);
            if payload != ERROR_BLOCK || hdr == HDR_DATA {
                prop_assert_eq!((back.d, back.c), (d, c));
            }
        }
    }

    /// Encoder, decoder, scrambler, descrambler and block lock equal their
    /// testbenches' models at every edge on random streams.
    #[test]
    fn blocks_match_their_models(words in prop::collection::vec(any::<u64>(), 64..4000)) {
        let cycles = words.len() as u64 / 3;
        run_model(eth_encoder("eth_encoder"), EncoderModel::new(), cycles, &words)?;
        run_model(eth_decoder("eth_decoder"), DecoderModel::new(), cycles, &words)?;
        for dir in [Direction::Scramble, Direction::Descramble] {
            run_model(eth_scrambler("eth_scrambler", dir), ScramblerModel::new(dir), cycles, &words)?;
        }
        for slip_wait in [0, 2, 4] {
            let cfg = BlockLockConfig { slip_wait };
            run_model(eth_block_lock("eth_block_lock", &cfg), BlockLockModel::new(&cfg), cycles, &words)?;
        }
        run_model(eth_fcs("eth_fcs"), FcsModel::new(), cycles, &words)?;
    }

    /// A descrambler from any state recovers the data from the second
    /// block on (the model's self-synchronising property).
    #[test]
    fn descrambler_model_self_synchronises(seed in 1u64..) {
        let mut rng = Rng(seed);
        let mut scr = scrambler::Model::new();
        let mut late = scrambler::Model::new();
        late.apply(Direction::Descramble, rng.next());
        for i in 0..50 {
            let data = rng.next();
            let line = scr.apply(Direction::Scramble, data);
            let back = late.apply(Direction::Descramble, line);
            if i > 0 {
                prop_assert_eq!(back, data);
            }
        }
    }
}

/// Lock comes with the 64th valid header in a row; 15 invalid headers in a
/// window keep it, the 16th loses it with a slip.
#[test]
fn block_lock_counts_64_valid_and_16_invalid_headers() {
    let cfg = BlockLockConfig { slip_wait: 0 };
    let mut tb = Tb::new(eth_block_lock("eth_block_lock", &cfg));
    tb.reset();
    tb.set("in_valid", 1);
    let send = |tb: &mut Tb, hdr: u64| {
        tb.set("in_hdr", hdr);
        tb.step();
        (tb.flag("block_lock"), tb.flag("slip"))
    };
    assert_eq!(send(&mut tb, 0), (false, true));
    for i in 1..=64 {
        assert_eq!(send(&mut tb, 0b01), (i == 64, false), "header {i}");
    }
    // Window 1: 15 invalid headers, then valid ones: lock holds.
    for i in 0..64 {
        assert_eq!(send(&mut tb, if i < 15 { 0 } else { 0b10 }), (true, false));
    }
    // Window 2: the 16th invalid header loses lock.
    for i in 0..15 {
        assert_eq!(send(&mut tb, if i % 2 == 0 { 3 } else { 0 }), (true, false));
    }
    assert_eq!(send(&mut tb, 0), (false, true));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    /// Blocks through the transmit gearbox, a random number of junk bits,
    /// and the receive gearbox slipping under the model state machine come
    /// out in order once locked.
    #[test]
    fn gearboxes_carry_blocks_through_a_random_bit_offset(
        seed in 1u64..,
        width in 8u32..=64,
        junk in 0usize..200,
    ) {
        let mut rng = Rng(seed);
        let cfg = GearboxConfig { width };
        let mut tx = Tb::new(eth_gearbox_tx("eth_gearbox_tx", &cfg));
        let mut rx = Tb::new(eth_gearbox_rx("eth_gearbox_rx", &cfg));
        tx.reset();
        rx.reset();
        let lock_cfg = BlockLockConfig { slip_wait: 2 };
        let mut lock = block_lock::Model::new();
        let mut sent: Vec<(u64, u64)> = Vec::new();
        let mut bits: std::collections::VecDeque<bool> =
            (0..junk).map(|_| rng.below(2) == 1).collect();
        let mut got = Vec::new();
        let mut lock_at = None;
        let cycles = 66 * 1200 / width as usize;
        for cycle in 0..cycles {
            if tx.flag("in_ready") {
                let block = (1 + rng.below(2), rng.next());
                tx.set("in_hdr", block.0);
                tx.set("in_data", block.1);
                sent.push(block);
            }
            tx.step();
            let word = tx.get("out_data");
            bits.extend((0..width).map(|i| word >> i & 1 == 1));
            let rx_word = (0..width).fold(0u64, |w, i| {
                w | u64::from(bits.pop_front().unwrap_or(false)) << i
            });
            rx.set("in_data", rx_word);
            rx.step();
            let slip = rx.flag("out_valid") && {
                let hdr = rx.get("out_hdr");
                let slip = lock.block(&lock_cfg, hdr);
                if lock.locked {
                    lock_at.get_or_insert(cycle);
                    got.push((hdr, rx.get("out_data")));
                }
                slip
            };
            rx.set("bitslip", u64::from(slip));
        }
        prop_assert!(lock_at.is_some(), "no lock");
        prop_assert!(got.len() > 200, "locked for {} blocks only", got.len());
        let first = sent.iter().position(|b| *b == got[0]);
        prop_assert!(first.is_some(), "the first block after lock was never sent");
        let first = first.unwrap_or_default();
        prop_assert_eq!(&sent[first..first + got.len()], &got[..]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    /// Each gearbox alone against its testbench's model: the transmit
    /// gearbox's line cut into the blocks it took, the receive gearbox
    /// locked behind random junk bits and delivering the blocks sent.
    #[test]
    fn gearboxes_match_their_models(seed in 1u64.., width in 8u32..=64) {
        let cfg = GearboxConfig { width };
        let words: Vec<u64> = XorShift::new(seed).take(2 * 66 * 500 / width as usize).collect();
        let cycles = words.len() as u64 / 2;
        run_model(eth_gearbox_tx("eth_gearbox_tx", &cfg), GearboxTxModel::new(&cfg), cycles, &words)?;
        run_model(eth_gearbox_rx("eth_gearbox_rx", &cfg), GearboxRxModel::new(&cfg), cycles, &words)?;
    }
}

#[test]
fn fcs_of_a_known_frame() {
    // CRC-32 check value, and a frame carrying it is good.
    assert_eq!(fcs::fcs(b"123456789"), 0xCBF4_3926);
    assert!(fcs::fcs_ok(&fcs::with_fcs(b"123456789")));
    assert!(!fcs::fcs_ok(b"123456789"));
}

#[test]
fn bad_configs_are_errors() {
    assert!(eth_block_lock("b", &BlockLockConfig { slip_wait: 64 }).is_err());
    for window in [15, 1 << 24] {
        assert!(eth_ber_monitor("b", &BerConfig { window }).is_err());
    }
    for width in [7, 65] {
        let cfg = GearboxConfig { width };
        assert!(eth_gearbox_tx("g", &cfg).is_err());
        assert!(eth_gearbox_rx("g", &cfg).is_err());
    }
}

#[test]
fn verilog_tools_accept_every_ethernet_block() {
    check_verilog(eth_encoder("eth_encoder"));
    check_verilog(eth_decoder("eth_decoder"));
    check_verilog(eth_tx_sequence("eth_tx_sequence"));
    check_verilog(eth_rx_sequence("eth_rx_sequence"));
    check_verilog(eth_ber_monitor("eth_ber_monitor", &BerConfig::default()));
    check_verilog(eth_scrambler("eth_scrambler", Direction::Scramble));
    check_verilog(eth_scrambler("eth_descrambler", Direction::Descramble));
    check_verilog(eth_block_lock(
        "eth_block_lock",
        &BlockLockConfig { slip_wait: 2 },
    ));
    for width in [16, 32, 64] {
        let cfg = GearboxConfig { width };
        check_verilog(eth_gearbox_tx(&format!("eth_gearbox_tx_{width}"), &cfg));
        check_verilog(eth_gearbox_rx(&format!("eth_gearbox_rx_{width}"), &cfg));
    }
    check_verilog(eth_fcs("eth_fcs"));
}
