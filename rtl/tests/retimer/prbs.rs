//! `prbs_gen` and `prbs_check`: both under their testbenches
//! (`linkforge_verif::tb::retimer::prbs`, a bit-serial O.150 model) for
//! every polynomial and random widths; O.150's sequence properties and
//! PRBS7's period; the checker's lock time from a random phase, exact
//! error counts and loss of lock; Verilog tools.

use crate::support::{cases, check_verilog, run_seeded, Tb};
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::{Params, Value};
use linkforge_rtl::retimer::prbs::{
    check_kind, gen_kind, prbs_check, prbs_gen, PrbsConfig, LOSS_WORDS,
};
use linkforge_rtl::RtlError;
use linkforge_verif::tb::retimer::prbs::{sequence, PrbsCheckModel, PrbsGenModel};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// The degrees of the PRBS polynomials.
const POLYS: [u32; 5] = [7, 9, 15, 23, 31];

fn to_bits(bits: &[bool]) -> Bits {
    let mut b = Bits::zero(bits.len() as u32);
    for (i, &v) in bits.iter().enumerate() {
        b.set_bit(i as u32, v);
    }
    b
}

fn read(tb: &mut Tb, port: &str) -> Vec<bool> {
    let b = tb.0.peek_bits(port).expect("peek");
    (0..b.width()).map(|i| b.bit(i)).collect()
}

fn poke(tb: &mut Tb, port: &str, bits: &[bool]) {
    tb.0.poke_bits(port, &to_bits(bits)).expect("poke");
}

/// `count` bits from a freshly reset generator of `x^n + ...`, 64 per clock.
fn generated(n: u32, count: usize) -> Vec<bool> {
    let cfg = PrbsConfig { poly: n, width: 64 };
    let mut tb = Tb::new(prbs_gen("prbs_gen", &cfg));
    tb.reset();
    tb.set("en", 1);
    let mut bits = Vec::with_capacity(count + 64);
    while bits.len() < count {
        tb.step();
        bits.extend(read(&mut tb, "data"));
    }
    bits.truncate(count);
    bits
}

/// Known answers from ITU-T O.150 (and the PRBS7 of 802.3/OIF), not from
/// the generator: the output of the shift register of `x^n + x^k + 1`
/// obeys `b[t] = b[t-k] ^ b[t-n]` for every polynomial (PRBS7 x^7+x^6+1,
/// PRBS9 x^9+x^5+1, PRBS15 x^15+x^14+1, PRBS23 x^23+x^18+1, PRBS31
/// x^31+x^28+1); a maximal-length sequence of period `2^n - 1` holds every
/// non-zero `n`-bit word exactly once per period, `2^(n-1)` ones, and its
/// longest runs are `n` ones and `n - 1` zeros (non-inverted, as here).
#[test]
fn generated_sequences_have_the_o150_properties() {
    for (n, k) in [(7, 6), (9, 5), (15, 14), (23, 18), (31, 28)] {
        let bits = generated(n, 4096);
        assert!(bits.contains(&true), "PRBS{n} is not all zeros");
        for t in n as usize..bits.len() {
            assert_eq!(
                bits[t],
                bits[t - k as usize] ^ bits[t - n as usize],
                "PRBS{n} bit {t}"
            );
        }
    }
    for n in [7u32, 9, 15] {
        let period = (1usize << n) - 1;
        let bits = generated(n, 2 * period + n as usize);
        assert_eq!(bits[..period], bits[period..2 * period], "PRBS{n} period");
        let windows: BTreeSet<u64> = (0..period)
            .map(|t| (0..n as usize).fold(0, |w, i| w << 1 | u64::from(bits[t + i])))
            .collect();
        assert_eq!(windows.len(), period, "PRBS{n}: every non-zero word once");
        assert!(!windows.contains(&0));
        let one_period = &bits[..period];
        assert_eq!(one_period.iter().filter(|&&b| b).count(), period / 2 + 1);
        let longest = |v: bool| {
            let cyclic: Vec<bool> = one_period.iter().chain(one_period).copied().collect();
            cyclic
                .split(|&b| b != v)
                .map(<[bool]>::len)
                .max()
                .unwrap_or(0)
        };
        assert_eq!(
            (longest(true), longest(false)),
            (n as usize, n as usize - 1)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// Both testbenches pass on random widths and stimulus, comparing
    /// every cycle after reset.
    #[test]
    fn testbenches_pass(
        poly in 0usize..5,
        width in 1u32..=256,
        seed in any::<u64>(),
    ) {
        let n = POLYS[poly];
        let cfg = PrbsConfig { poly: n, width };
        let checked = run_seeded(prbs_gen("prbs_gen", &cfg), PrbsGenModel::new(&cfg)?, 40, seed);
        prop_assert_eq!(checked, Ok(39 * (1 + u64::from(width))));
        let checked = run_seeded(prbs_check("prbs_check", &cfg), PrbsCheckModel::new(&cfg)?, 300, seed);
        prop_assert_eq!(checked, Ok(2 * 299));
    }

    /// From a random phase of the sequence the checker locks after exactly
    /// `2 * ceil(n / W)` words; then `k` bit errors at random positions
    /// count exactly `k` (errors only in every other word, so the lock
    /// holds), whatever gaps `in_valid` has.
    #[test]
    fn checker_locks_and_counts_each_error_once(
        poly in 0usize..5,
        width in 1u32..=80,
        phase in 0usize..2000,
        errors in prop::collection::btree_set((0usize..12, 0u32..80), 0..16),
        gaps in prop::collection::vec(any::<bool>(), 64),
    ) {
        let n = POLYS[poly];
        let w = width as usize;
        let cfg = PrbsConfig { poly: n, width };
        let mut tb = Tb::new(prbs_check("prbs_check", &cfg));
        tb.reset();
        let fill = (n as usize).div_ceil(w);
        let words = 2 * fill + 24;
        let seq = sequence(n, phase + words * w);
        let mut stream: Vec<Vec<bool>> = seq[phase..].chunks(w).map(<[bool]>::to_vec).collect();
        // Errors go in even words after lock, each bit at most once.
        let flips: BTreeSet<(usize, usize)> = errors
            .iter()
            .map(|&(word, bit)| (2 * fill + 2 * word, bit as usize % w))
            .collect();
        for &(word, bit) in &flips {
            stream[word][bit] ^= true;
        }
        for (i, word) in stream.iter().enumerate() {
            prop_assert_eq!(tb.flag("locked"), i >= 2 * fill, "word {}", i);
            if gaps[i % gaps.len()] {
                tb.set("in_valid", 0);
                tb.step();
            }
            poke(&mut tb, "in_data", word);
            tb.set("in_valid", 1);
            tb.step();
        }
        prop_assert!(tb.flag("locked"));
        prop_assert_eq!(tb.get("err_count"), flips.len() as u64);
    }
}

/// PRBS7 repeats after 127 bits: two 127-bit words are equal, and the
/// sequence is the model's.
#[test]
fn prbs7_has_period_127() {
    let mut tb = Tb::new(prbs_gen(
        "prbs7",
        &PrbsConfig {
            poly: 7,
            width: 127,
        },
    ));
    tb.reset();
    tb.set("en", 1);
    tb.step();
    let first = read(&mut tb, "data");
    tb.step();
    assert_eq!(first, read(&mut tb, "data"));
    assert_eq!(first, sequence(7, 127));
    // Maximal length: 64 ones and 63 zeros, and no shorter period (127 is prime).
    assert_eq!(first.iter().filter(|&&b| b).count(), 64);
}

/// Eight consecutive words with errors lose lock; a clean stream locks
/// again after `2F` words.
#[test]
fn checker_loses_lock_and_relocks() {
    let cfg = PrbsConfig { poly: 9, width: 4 };
    let mut tb = Tb::new(prbs_check("prbs_check", &cfg));
    tb.reset();
    let fill = 3; // ceil(9 / 4)
    let seq = sequence(9, 400);
    let mut words = seq.chunks(4).map(<[bool]>::to_vec);
    tb.set("in_valid", 1);
    let mut feed = |tb: &mut Tb, flip: bool| {
        let mut word = words.next().expect("enough bits");
        word[1] ^= flip;
        poke(tb, "in_data", &word);
        tb.step();
    };
    for _ in 0..2 * fill {
        feed(&mut tb, false);
    }
    assert!(tb.flag("locked"));
    for i in 0..LOSS_WORDS {
        assert!(tb.flag("locked"), "lost lock after {i} bad words");
        feed(&mut tb, true);
    }
    assert!(!tb.flag("locked"));
    assert_eq!(tb.get("err_count"), LOSS_WORDS);
    for _ in 0..2 * fill {
        assert!(!tb.flag("locked"));
        feed(&mut tb, false);
    }
    assert!(tb.flag("locked"));
    assert_eq!(tb.get("err_count"), LOSS_WORDS);
}

#[test]
fn bad_configs_are_errors() {
    let cfg = |poly, width| PrbsConfig { poly, width };
    assert!(prbs_gen("p", &cfg(8, 8)).is_err());
    assert!(prbs_gen("p", &cfg(7, 0)).is_err());
    assert!(prbs_check("p", &cfg(31, 257)).is_err());
    assert!(prbs_check("p", &cfg(0, 1)).is_err());
}

#[test]
fn verilog_tools_accept_prbs_blocks() {
    for (poly, width) in [(7, 1), (31, 32), (23, 100)] {
        let cfg = PrbsConfig { poly, width };
        check_verilog(prbs_gen(&format!("prbs_gen_{poly}_{width}"), &cfg));
    }
    for (poly, width) in [(7, 8), (31, 64), (9, 3)] {
        let cfg = PrbsConfig { poly, width };
        check_verilog(prbs_check(&format!("prbs_check_{poly}_{width}"), &cfg));
    }
}

/// Both catalogue entries build for every polynomial and reject a bad width.
#[test]
fn catalogue_entries_build() {
    for kind in [gen_kind(), check_kind()] {
        let mut p = Params::defaults(&kind.params);
        for poly in ["prbs7", "prbs9", "prbs15", "prbs23", "prbs31"] {
            p.0.insert("poly".into(), Value::Str(poly.into()));
            assert!((kind.build)("top", &p).is_ok(), "{} {poly}", kind.name);
        }
        p.0.insert("width".into(), Value::Int(0));
        assert!(matches!(
            (kind.build)("top", &p),
            Err(RtlError::Param { name, .. }) if name == "width"
        ));
    }
}
