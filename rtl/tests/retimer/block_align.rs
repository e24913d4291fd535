//! `block_align`: its testbench (`linkforge_verif::tb::retimer::block_align`)
//! passes on random widths and streams, gaining and losing lock; from a
//! random bit offset with random payload it locks and
//! puts out the blocks unchanged; invalid headers lose lock as documented
//! (4 in a window of 8); Verilog tools.

use crate::support::{cases, check_verilog, metric, run_seeded_outcome, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::block_align::{block_align, kind, BlockAlignConfig, LOCK_HEADERS};
use linkforge_verif::tb::retimer::block_align::BlockAlignModel;
use proptest::prelude::*;

/// A block: header `H1 H0` and payload, bit 0 first.
type Block = (u8, u128);

/// The blocks' bits in sending order after `prefix` junk bits.
fn serialize(prefix: &[bool], blocks: &[Block]) -> Vec<bool> {
    let mut bits = prefix.to_vec();
    for &(hdr, data) in blocks {
        bits.extend((0..2).map(|i| hdr >> i & 1 == 1));
        bits.extend((0..128).map(|i| data >> i & 1 == 1));
    }
    bits
}

/// Feeds `bits` `width` at a time (the tail that does not fill a word is
/// dropped); returns, per block put out, the block and whether it is the
/// first since `block_lock` was last low, plus `block_lock` at the end.
fn run(width: u32, bits: &[bool]) -> (Vec<(Block, bool)>, bool) {
    let mut tb = Tb::new(block_align("block_align", &BlockAlignConfig { width }));
    tb.reset();
    let mut out = Vec::new();
    tb.set("in_valid", 1);
    let mut fresh = true;
    for word in bits.chunks_exact(width as usize) {
        let v = word
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, &b)| acc | u64::from(b) << i);
        tb.set("in_data", v);
        tb.step();
        fresh |= !tb.flag("block_lock");
        if tb.flag("blk_valid") {
            let data = tb.0.peek_bits("blk_data").expect("peek");
            let data = (0..128).fold(0u128, |acc, i| acc | u128::from(data.bit(i)) << i);
            let hdr = tb.get("blk_hdr") as u8;
            out.push(((hdr, data), fresh));
            fresh = false;
        }
    }
    let locked = tb.flag("block_lock");
    (out, locked)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    /// The testbench passes and sees lock gained and blocks compared.
    #[test]
    fn testbench_passes(width in 32u32..=64, seed in any::<u64>()) {
        let cfg = BlockAlignConfig { width };
        let outcome = run_seeded_outcome(block_align("b", &cfg), BlockAlignModel::new(&cfg)?, 3000, seed);
        let outcome = outcome.map_err(TestCaseError::fail)?;
        prop_assert!(metric(&outcome, "locks") > 0, "{:?}", outcome.metrics);
        prop_assert!(outcome.checks_passed > 6000);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// After the last time lock is gained, the blocks come out unchanged and
    /// in order, and lock holds to the end; the hunt takes under 420
    /// blocks here (130 offsets, about 2 blocks each).
    #[test]
    fn locks_at_any_offset_and_passes_blocks(
        width in 8u32..=64,
        prefix in prop::collection::vec(any::<bool>(), 0..130),
        seed in any::<u64>(),
    ) {
        let mut rng = seed;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let blocks: Vec<Block> = (0..500)
            .map(|_| {
                let hdr = if next() & 1 == 1 { 0b01 } else { 0b10 };
                (hdr, u128::from(next()) << 64 | u128::from(next()))
            })
            .collect();
        let (out, locked) = run(width, &serialize(&prefix, &blocks));
        prop_assert!(locked);
        // The outputs since lock was last gained.
        let start = out.iter().rposition(|o| o.1).unwrap_or_default();
        let tail: Vec<Block> = out[start..].iter().map(|o| o.0).collect();
        prop_assert!(tail.len() >= 80, "locked only for the last {} blocks", tail.len());
        let first = blocks.iter().position(|b| *b == tail[0]);
        prop_assert!(first.is_some(), "the first block out is not a block sent");
        let first = first.unwrap_or_default();
        prop_assert_eq!(&blocks[first..first + tail.len()], &tail[..]);
    }
}

/// Eight valid headers gain lock; 3 invalid headers in a window of 8 keep
/// it; the 4th invalid header in one window loses it, and that block is
/// not put out.
#[test]
fn loses_lock_on_four_bad_headers_in_a_window() {
    let lock = LOCK_HEADERS as usize;
    let bad = |i: usize| {
        // Windows of 8 start after block `lock - 1` gains lock.
        let w = i.checked_sub(lock);
        matches!(w, Some(1 | 3 | 5 | 9 | 10 | 12 | 17 | 18 | 19 | 20))
    };
    let blocks: Vec<Block> = (0..lock + 21)
        .map(|i| {
            let hdr = if bad(i) { (i % 2 * 3) as u8 } else { 0b10 };
            (hdr, i as u128 * 0x0123_4567_89AB_CDEF_0011_2233_4455_6677)
        })
        .collect();
    // Zeros after the last block complete it (and are invalid headers).
    let mut bits = serialize(&[], &blocks);
    bits.extend([false; 64]);
    let (out, locked) = run(32, &bits);
    // Lock at block 7; windows 8..16 and 16..24 have 3 bad headers each;
    // window 24..32 reaches 4 at block 28, the last.
    assert!(!locked, "block 28 loses lock");
    assert!(out.iter().enumerate().all(|(i, o)| o.1 == (i == 0)));
    let blocks_out: Vec<Block> = out.iter().map(|o| o.0).collect();
    assert_eq!(blocks_out, blocks[lock - 1..lock + 20]);
}

#[test]
fn bad_configs_are_errors() {
    assert!(block_align("b", &BlockAlignConfig { width: 0 }).is_err());
    assert!(block_align("b", &BlockAlignConfig { width: 65 }).is_err());
}

#[test]
fn verilog_tools_accept_block_aligners() {
    for width in [8, 32, 64] {
        let cfg = BlockAlignConfig { width };
        check_verilog(block_align(&format!("block_align_{width}"), &cfg));
    }
}

#[test]
fn catalogue_entry_builds() {
    let k = kind();
    assert!((k.build)("top", &Params::defaults(&k.params)).is_ok());
}
