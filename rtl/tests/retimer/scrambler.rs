//! `scrambler_8b10b` and `scrambler_128b130b` under their testbenches
//! (`linkforge_verif::tb::retimer::scrambler`: bit-serial Galois models
//! of PCIe 4.2.1.3 and 4.2.2.4): the spec's known first 8b/10b bytes, descramble(scramble(x)) = x for every lane seed, SKP does
//! not advance the LFSR, COM and EIEOS reset it, a TS1 is scrambled except
//! its symbol 0; Verilog tools.

use crate::support::{cases, check_verilog, run_seeded, Tb};
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::{Params, Value};
use linkforge_rtl::retimer::scrambler::{
    kind_128b130b, kind_8b10b, scrambler_128b130b, scrambler_8b10b, Scrambler128b130bConfig,
    Scrambler8b10bConfig,
};
use linkforge_verif::tb::retimer::scrambler::{
    Block, Galois, Scrambler128b130bModel, Scrambler8b10bModel, COM, OS_BLOCK, OS_TS1, SKP,
};
use proptest::prelude::*;

/// Runs `symbols` through a `bytes`-wide 8b/10b scrambler (the count is a
/// multiple of `bytes`), with an idle cycle wherever `gaps` says.
fn run_8b10b(bytes: u32, symbols: &[(u8, bool)], gaps: &[bool]) -> Vec<(u8, bool)> {
    let mut tb = Tb::new(scrambler_8b10b(
        "scrambler_8b10b",
        &Scrambler8b10bConfig { bytes },
    ));
    tb.reset();
    let mut out = Vec::new();
    let mut collect = |tb: &mut Tb| {
        if tb.flag("out_valid") {
            let (data, k) = (tb.get("out_data"), tb.get("out_k"));
            out.extend((0..bytes).map(|i| ((data >> (8 * i)) as u8, k >> i & 1 == 1)));
        }
    };
    for (beat, chunk) in symbols.chunks(bytes as usize).enumerate() {
        if gaps.get(beat).copied().unwrap_or(false) {
            tb.set("in_valid", 0);
            tb.step();
            collect(&mut tb);
        }
        let data = chunk
            .iter()
            .enumerate()
            .fold(0, |acc, (i, s)| acc | u64::from(s.0) << (8 * i));
        let k = chunk
            .iter()
            .enumerate()
            .fold(0, |acc, (i, s)| acc | u64::from(s.1) << i);
        tb.set("in_data", data);
        tb.set("in_k", k);
        tb.set("in_valid", 1);
        tb.step();
        collect(&mut tb);
    }
    out
}

/// Random 8b/10b symbols: mostly data, some COM, SKP and other K symbols.
fn symbols_8b10b() -> impl Strategy<Value = Vec<(u8, bool)>> {
    let symbol = prop_oneof![
        8 => any::<u8>().prop_map(|b| (b, false)),
        1 => Just((COM, true)),
        1 => Just((SKP, true)),
        1 => Just((0xFB, true)),
    ];
    prop::collection::vec(symbol, 0..96)
}

/// Pads to a multiple of `bytes` with data bytes.
fn padded(mut symbols: Vec<(u8, bool)>, bytes: u32) -> Vec<(u8, bool)> {
    while symbols.len() % bytes as usize != 0 {
        symbols.push((0x5A, false));
    }
    symbols
}

/// Runs blocks through a scrambler of `bytes` bytes per clock.
fn run_128b130b(lane: u32, bytes: u32, blocks: &[Block], gaps: &[bool]) -> Vec<Block> {
    let cfg = Scrambler128b130bConfig { lane, bytes };
    let mut tb = Tb::new(scrambler_128b130b("scrambler_128b130b", &cfg));
    tb.reset();
    let w = 8 * bytes;
    let mut out: Vec<Block> = Vec::new();
    let mut filled = 0;
    let mut collect = |tb: &mut Tb| {
        if !tb.flag("out_valid") {
            return;
        }
        if tb.flag("out_start") {
            out.push(Block {
                hdr: tb.get("out_hdr") as u8,
                data: [0; 16],
                skp: false,
                eieos: false,
            });
            filled = 0;
        }
        let data = tb.0.peek_bits("out_data").expect("peek");
        let last = out.last_mut().expect("a block has started");
        for i in 0..bytes as usize {
            last.data[filled + i] = (0..8).fold(0, |acc, j| {
                acc | u8::from(data.bit((8 * i + j) as u32)) << j
            });
        }
        filled += bytes as usize;
    };
    let mut beat = 0;
    for b in blocks {
        for (i, chunk) in b.data.chunks(bytes as usize).enumerate() {
            if gaps[beat % gaps.len()] {
                tb.set("in_valid", 0);
                tb.step();
                collect(&mut tb);
            }
            beat += 1;
            let mut data = Bits::zero(w);
            for (j, byte) in chunk.iter().enumerate() {
                for k in 0..8 {
                    data.set_bit((8 * j + k) as u32, byte >> k & 1 == 1);
                }
            }
            tb.0.poke_bits("in_data", &data).expect("poke");
            tb.set("in_start", u64::from(i == 0));
            tb.set("in_hdr", b.hdr.into());
            tb.set("in_skp", b.skp.into());
            tb.set("in_eieos", b.eieos.into());
            tb.set("in_valid", 1);
            tb.step();
            collect(&mut tb);
        }
    }
    for (o, b) in out.iter_mut().zip(blocks) {
        o.skp = b.skp;
        o.eieos = b.eieos;
    }
    out
}

/// Random blocks of every kind [`Block::random`] makes.
fn blocks() -> impl Strategy<Value = Vec<Block>> {
    let block =
        (any::<u64>(), any::<[u8; 16]>()).prop_map(|(kind, random)| Block::random(kind, random));
    prop::collection::vec(block, 1..12)
}

fn same(a: &[Block], b: &[Block]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.hdr == y.hdr && x.data == y.data)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// Both testbenches pass on random configs and stimulus.
    #[test]
    fn testbenches_pass(bytes in 1u32..=8, lane in 0u32..32, seed in any::<u64>()) {
        let cfg = Scrambler8b10bConfig { bytes };
        let checked = run_seeded(scrambler_8b10b("s", &cfg), Scrambler8b10bModel::new(&cfg)?, 200, seed);
        prop_assert!(matches!(checked, Ok(n) if n > 199), "{:?}", checked);
        let cfg = Scrambler128b130bConfig { lane, bytes: 1 << (bytes % 5) };
        let model = Scrambler128b130bModel::new(&cfg)?;
        let checked = run_seeded(scrambler_128b130b("s", &cfg), model, 300, seed);
        prop_assert!(matches!(checked, Ok(n) if n > 299), "{:?}", checked);
    }

    /// A second scrambler undoes the first.
    #[test]
    fn scrambler_8b10b_inverts(
        bytes in 1u32..=8,
        symbols in symbols_8b10b(),
        gaps in prop::collection::vec(any::<bool>(), 0..40),
    ) {
        let symbols = padded(symbols, bytes);
        let scrambled = run_8b10b(bytes, &symbols, &gaps);
        prop_assert_eq!(run_8b10b(bytes, &scrambled, &[]), symbols);
    }

    /// Inserting SKP symbols anywhere changes nothing else in the output.
    #[test]
    fn skp_does_not_advance_the_8b10b_lfsr(
        bytes in 1u32..=4,
        symbols in symbols_8b10b(),
        at in prop::collection::vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let symbols: Vec<_> = symbols.into_iter().filter(|&s| s != (SKP, true)).collect();
        let mut with_skp = symbols.clone();
        for i in at {
            with_skp.insert(i.index(with_skp.len() + 1), (SKP, true));
        }
        let base = run_8b10b(bytes, &padded(symbols, bytes), &[]);
        let skipped: Vec<_> = run_8b10b(bytes, &padded(with_skp, bytes), &[])
            .into_iter()
            .filter(|&s| s != (SKP, true))
            .collect();
        // Padding may differ in length at the end; compare the common part.
        let n = base.len().min(skipped.len());
        prop_assert_eq!(&base[..n], &skipped[..n]);
    }

    /// A second scrambler of the same lane undoes the first.
    #[test]
    fn scrambler_128b130b_inverts(
        lane in 0u32..32,
        bytes in prop::sample::select(vec![1u32, 2, 4, 8, 16]),
        blocks in blocks(),
        gaps in prop::collection::vec(any::<bool>(), 1..20),
    ) {
        let scrambled = run_128b130b(lane, bytes, &blocks, &gaps);
        prop_assert!(same(&run_128b130b(lane, bytes, &scrambled, &[false]), &blocks));
    }

    /// Removing SKP ordered sets leaves every other block's output as it was.
    #[test]
    fn skp_does_not_advance_the_128b130b_lfsr(
        lane in 0u32..8,
        blocks in blocks(),
    ) {
        let with_skp = run_128b130b(lane, 4, &blocks, &[false]);
        let without: Vec<Block> = blocks.iter().filter(|b| !b.skp).cloned().collect();
        let expected: Vec<Block> = with_skp.into_iter().filter(|b| !b.skp).collect();
        prop_assert!(same(&run_128b130b(lane, 4, &without, &[false]), &expected));
    }
}

/// After COM the 8b/10b scrambler restarts: data 00 scrambles to the
/// LFSR's output from FFFFh, FF 17 C0 14 B2 E7 02 82 (the PCIe example),
/// however much data came before.
#[test]
fn com_resets_the_8b10b_lfsr() {
    let known = [0xFF, 0x17, 0xC0, 0x14, 0xB2, 0xE7, 0x02, 0x82];
    let mut reference = Galois::gen1();
    let first: Vec<u8> = (0..8).map(|_| reference.byte()).collect();
    assert_eq!(first, known);
    for prefix in [0, 5, 13] {
        let mut symbols = vec![(0x33, false); prefix];
        symbols.push((COM, true));
        symbols.extend([(0, false); 8]);
        let out = run_8b10b(1, &symbols, &[]);
        let after: Vec<u8> = out[prefix + 1..].iter().map(|s| s.0).collect();
        assert_eq!(after, known, "after {prefix} bytes");
    }
}

/// The first lane-0 data block of zeros is the keystream from seed 1DBFBC,
/// and so is the first data block after an EIEOS, which passes unscrambled.
#[test]
fn eieos_resets_the_128b130b_lfsr() {
    let eieos: [u8; 16] = std::array::from_fn(|i| if i % 2 == 0 { 0x00 } else { 0xFF });
    let zeros = |hdr, is_eieos| Block {
        hdr,
        data: if is_eieos { eieos } else { [0; 16] },
        skp: false,
        eieos: is_eieos,
    };
    let mut reference = Galois::gen3(0);
    let keystream: Vec<u8> = (0..16).map(|_| reference.byte()).collect();
    let blocks = [
        zeros(0b10, false),
        zeros(0b10, false),
        zeros(0b01, true),
        zeros(0b10, false),
    ];
    let out = run_128b130b(0, 4, &blocks, &[false]);
    assert_eq!(out[0].data.to_vec(), keystream);
    assert_ne!(out[1].data.to_vec(), keystream);
    assert_eq!(out[2].data, eieos, "an EIEOS passes unscrambled");
    assert_eq!(out[3].data.to_vec(), keystream);
}

/// A TS1 after the seed: symbol 0 (1Eh) passes, symbols 1-15 are XORed
/// with keystream bytes 1-15 (the LFSR advanced over symbol 0 too).
#[test]
fn ts1_is_scrambled_except_symbol_0() {
    let mut reference = Galois::gen3(0);
    let keystream: Vec<u8> = (0..16).map(|_| reference.byte()).collect();
    let mut ts1 = [0u8; 16];
    ts1[0] = OS_TS1;
    let block = Block {
        hdr: OS_BLOCK,
        data: ts1,
        skp: false,
        eieos: false,
    };
    for bytes in [1, 4, 16] {
        let out = run_128b130b(0, bytes, std::slice::from_ref(&block), &[false]);
        assert_eq!(out[0].data[0], OS_TS1, "{bytes} bytes per clock");
        assert_eq!(out[0].data[1..], keystream[1..], "{bytes} bytes per clock");
    }
}

#[test]
fn bad_configs_are_errors() {
    assert!(scrambler_8b10b("s", &Scrambler8b10bConfig { bytes: 0 }).is_err());
    assert!(scrambler_8b10b("s", &Scrambler8b10bConfig { bytes: 9 }).is_err());
    let cfg = |lane, bytes| Scrambler128b130bConfig { lane, bytes };
    assert!(scrambler_128b130b("s", &cfg(0, 3)).is_err());
    assert!(scrambler_128b130b("s", &cfg(32, 4)).is_err());
}

#[test]
fn verilog_tools_accept_scramblers() {
    for bytes in [1, 4] {
        let cfg = Scrambler8b10bConfig { bytes };
        check_verilog(scrambler_8b10b(&format!("scr8b10b_{bytes}"), &cfg));
    }
    for (lane, bytes) in [(0, 1), (5, 4), (7, 16)] {
        let cfg = Scrambler128b130bConfig { lane, bytes };
        check_verilog(scrambler_128b130b(&format!("scr128b_{lane}_{bytes}"), &cfg));
    }
}

/// Both catalogue entries build from their defaults; 3 bytes per clock
/// do not divide a block.
#[test]
fn catalogue_entries_build() {
    for kind in [kind_8b10b(), kind_128b130b()] {
        let p = Params::defaults(&kind.params);
        assert!((kind.build)("top", &p).is_ok(), "{}", kind.name);
    }
    let kind = kind_128b130b();
    let mut p = Params::defaults(&kind.params);
    p.0.insert("bytes".into(), Value::Int(3));
    assert!((kind.build)("top", &p).is_err());
}
