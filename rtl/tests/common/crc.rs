//! `crc`: CRCs of random messages, fed in random beats, against a bitwise
//! Rust model for random polynomials; the presets' check values; the
//! checker's `ok`; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_hdl::Bits;
use linkforge_rtl::common::crc::{crc, CrcConfig};
use linkforge_verif::tb::common::model;
use proptest::prelude::*;

/// The CRC as it is sent after the message: reflected CRCs least
/// significant byte first, others most significant first.
fn crc_bytes(cfg: &CrcConfig, value: u64) -> Vec<u8> {
    let n = cfg.width / 8;
    (0..n)
        .map(|i| {
            let shift = if cfg.reflect { 8 * i } else { 8 * (n - 1 - i) };
            (value >> shift) as u8
        })
        .collect()
}

/// One beat: `data` holds `take` bytes of the message from byte 0.
fn beat(tb: &mut Tb, cfg: &CrcConfig, bytes: &[u8], valid: bool, start: bool) {
    let mut words = vec![0u64; (cfg.bytes as usize).div_ceil(8)];
    for (i, &b) in bytes.iter().enumerate() {
        words[i / 8] |= u64::from(b) << (8 * (i % 8));
    }
    let data = Bits::from_words(&words, 8 * cfg.bytes);
    tb.0.poke_bits("data", &data).expect("poke data");
    if cfg.bytes > 1 {
        tb.set("nbytes", bytes.len() as u64);
    }
    tb.set("valid", valid.into());
    tb.set("start", start.into());
    tb.step();
}

/// Feeds `message` in beats of the sizes in `beats` (cycling), each maybe
/// after an idle cycle (`extra` 0) or a zero-byte beat (`extra` 1); the
/// first cycle has `start`. Returns `crc` and, if the port exists, `ok`.
fn run(tb: &mut Tb, cfg: &CrcConfig, message: &[u8], beats: &[(u32, u8)]) -> (u64, Option<bool>) {
    let mut rest = message;
    let mut start = true;
    for &(size, extra) in beats.iter().cycle() {
        // An idle cycle or a zero-byte beat first; either may carry `start`.
        if extra == 0 || (extra == 1 && cfg.bytes > 1) {
            beat(tb, cfg, &[], extra == 1, start);
            start = false;
        }
        if rest.is_empty() && !start {
            break;
        }
        let take = (size.min(cfg.bytes) as usize).min(rest.len());
        beat(tb, cfg, &rest[..take], take > 0, start);
        rest = &rest[take..];
        start = false;
    }
    tb.set("valid", 0);
    let ok = (cfg.width % 8 == 0).then(|| tb.flag("ok"));
    (tb.get("crc_out"), ok)
}

fn config() -> impl Strategy<Value = CrcConfig> {
    (
        1u32..=64,
        any::<u64>(),
        any::<u64>(),
        any::<u64>(),
        any::<bool>(),
        1u32..=9,
    )
        .prop_map(|(width, poly, init, xorout, reflect, bytes)| {
            let mask = u64::MAX >> (64 - width);
            CrcConfig {
                width,
                poly: (poly & mask) | 1,
                init: init & mask,
                xorout: xorout & mask,
                reflect,
                bytes,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Two messages back to back, each of random length in random beats:
    /// `crc` matches the model after each, and (byte-aligned widths) the
    /// message followed by its CRC is `ok` while a corrupted one is not.
    #[test]
    fn matches_the_bitwise_model(
        cfg in config(),
        messages in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 2),
        beats in prop::collection::vec((1u32..=9, 0u8..6), 1..8),
        flip in any::<u16>(),
    ) {
        let mut tb = Tb::new(crc("crc_engine", &cfg));
        tb.reset();
        prop_assert_eq!(tb.get("crc_out"), model::crc(&cfg, &[]));
        for message in &messages {
            let expected = model::crc(&cfg, message);
            let (got, _) = run(&mut tb, &cfg, message, &beats);
            prop_assert_eq!(got, expected, "message {:02x?}", message);
            if cfg.width % 8 == 0 {
                let mut framed = message.clone();
                framed.extend(crc_bytes(&cfg, expected));
                let (_, ok) = run(&mut tb, &cfg, &framed, &beats);
                prop_assert_eq!(ok, Some(true));
                let bit = usize::from(flip) % (8 * framed.len());
                framed[bit / 8] ^= 1 << (bit % 8);
                let (_, ok) = run(&mut tb, &cfg, &framed, &beats);
                prop_assert_eq!(ok, Some(false), "one flipped bit went unnoticed");
            }
        }
    }
}

/// Every preset gives its catalogue check value for ASCII "123456789",
/// fed 1, 3, 4 and 16 bytes per clock (the last beat partial).
#[test]
fn presets_give_their_check_values() {
    let presets = [
        ("crc32", 0xCBF4_3926),
        ("crc32c", 0xE306_9283),
        ("crc16_ccitt", 0x29B1),
        ("crc8", 0xF4),
        ("crc64_xz", 0x995D_C9BB_DF19_39FA),
    ];
    for (name, check) in presets {
        for bytes in [1, 3, 4, 16] {
            let cfg = CrcConfig::preset(name, bytes).expect("a preset");
            assert_eq!(model::crc(&cfg, b"123456789"), check, "model of {name}");
            let mut tb = Tb::new(crc("crc_engine", &cfg));
            tb.reset();
            let (got, _) = run(&mut tb, &cfg, b"123456789", &[(bytes, 9)]);
            assert_eq!(got, check, "{name} at {bytes} bytes per clock");
        }
    }
}

#[test]
fn bad_configs_are_errors() {
    let base = CrcConfig::crc32(4);
    assert!(crc("c", &CrcConfig { width: 65, ..base }).is_err());
    assert!(
        crc("c", &CrcConfig { width: 16, ..base }).is_err(),
        "poly wider than 16 bits"
    );
    assert!(crc("c", &CrcConfig { poly: 0, ..base }).is_err());
    assert!(crc("c", &CrcConfig { bytes: 0, ..base }).is_err());
    assert!(crc("c", &CrcConfig { bytes: 65, ..base }).is_err());
}

#[test]
fn verilog_tools_accept_crcs() {
    let custom = |width, reflect, bytes| CrcConfig {
        width,
        poly: 0b1_0011 & (u64::MAX >> (64 - width)),
        init: 0,
        xorout: 1,
        reflect,
        bytes,
    };
    let points = [
        CrcConfig::crc32(1),
        CrcConfig::crc32(4),
        CrcConfig::crc32(16),
        CrcConfig::preset("crc16_ccitt", 2).expect("a preset"),
        CrcConfig::preset("crc8", 3).expect("a preset"),
        CrcConfig::preset("crc64_xz", 8).expect("a preset"),
        custom(5, false, 1),
        custom(12, true, 5),
    ];
    for (i, cfg) in points.iter().enumerate() {
        check_verilog(crc(&format!("crc_{i}"), cfg));
    }
}
