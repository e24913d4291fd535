//! `hdm_decoder` and `hdm_decoder_regs`: translation equals an independent
//! reference of the CXL/Linux address math for every way count; the map is
//! a bijection between a host range and the devices' ranges; the register
//! block commits, refuses and locks like its model.

use crate::support::{cases, check_verilog, run_model, Tb};
use linkforge_rtl::cxl::hdm::{self, hdm_decoder, hdm_decoder_regs};
use linkforge_verif::tb::cxl::blocks::{HdmDecoderModel, HdmRegsModel};
use linkforge_verif::tb::cxl::model::Decoder;
use proptest::prelude::*;
use std::collections::HashSet;

/// Every defined IW encoding.
const IWS: [u64; 8] = [0, 1, 2, 3, 4, 8, 9, 10];
const MASK52: u64 = (1 << 52) - 1;

/// The reference, written from the spec text: for 2^k ways the way is
/// `offset[8+ig+k-1 : 8+ig]` and the DPA removes those bits; for 3 x 2^k
/// ways the low k bits of the chunk select within a pair or quad and the
/// rest is taken modulo 3 for the way and divided by 3 for the DPA.
fn reference(hpa: u64, base: u64, size: u64, ig: u64, iw: u64) -> (bool, u64, u64) {
    let hit = base <= hpa && (hpa as u128) < base as u128 + size as u128;
    let off = hpa.wrapping_sub(base) & MASK52;
    let g = 8 + ig as u32;
    let low = off & ((1 << g) - 1);
    let (way, dpa) = if iw <= 4 {
        let k = iw as u32;
        let way = (off >> g) & ((1 << k) - 1);
        (way, (off >> (g + k)) << g | low)
    } else {
        let k = (iw - 8) as u32;
        let sel = (off >> g) & ((1 << k) - 1);
        let upper = off >> (g + k);
        ((upper % 3) << k | sel, (upper / 3) << g | low)
    };
    (hit, way, dpa)
}

/// Linux's DPA to HPA offset (`cxl_dpa_to_hpa`): adds the interleave bits back.
fn linux_hpa_offset(dpa: u64, pos: u64, ig: u64, iw: u64) -> u64 {
    let g = ig as u32 + 8;
    let low = dpa & ((1 << g) - 1);
    if iw < 8 {
        (dpa & !((1 << g) - 1)) << iw | pos << g | low
    } else {
        let upper = dpa >> g;
        (((upper * 3) << (iw - 8)) + pos) << g | low
    }
}

fn set_cfg(tb: &mut Tb, base: u64, size: u64, ig: u64, iw: u64) {
    tb.set("cfg_base", base);
    tb.set("cfg_size", size);
    tb.set("cfg_ig", ig);
    tb.set("cfg_iw", iw);
}

#[test]
fn the_hdm_blocks_are_lint_clean_without_latches() {
    check_verilog(hdm_decoder("hdm_decoder"));
    check_verilog(hdm_decoder_regs("hdm_decoder_regs"));
}

#[test]
fn known_translations() {
    let mut tb = Tb::new(hdm_decoder("d"));
    // 2 ways at 256 B: offset 0x100 is way 1, DPA 0; 0x200 is way 0, DPA 0x100.
    set_cfg(&mut tb, 0x1000_0000, 0x2000_0000, 0, 1);
    for (hpa, way, dpa) in [
        (0x1000_0100, 1, 0x0),
        (0x1000_0200, 0, 0x100),
        (0x1000_0345, 1, 0x145),
    ] {
        tb.set("hpa", hpa);
        assert!(tb.flag("hit"));
        assert_eq!((tb.get("way"), tb.get("dpa")), (way, dpa), "{hpa:#x}");
    }
    // 3 ways at 1 KiB: chunk 4 is way 1 with DPA chunk 1.
    set_cfg(&mut tb, 0, 0x3000_0000, 2, 8);
    tb.set("hpa", 4 * 1024 + 7);
    assert_eq!((tb.get("way"), tb.get("dpa")), (1, 1024 + 7));
    tb.set("hpa", 0x3000_0000);
    assert!(!tb.flag("hit"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn translation_equals_the_reference(
        base in 0u64..=MASK52,
        size in prop_oneof![0u64..=MASK52, 1u64..1 << 40],
        ig in 0u64..=6,
        iw in prop::sample::select(IWS.to_vec()),
        deltas in prop::collection::vec(prop_oneof![any::<u64>().prop_map(|d| d & MASK52), 0u64..1 << 24, Just(0)], 1..24),
    ) {
        let mut tb = Tb::new(hdm_decoder("d"));
        set_cfg(&mut tb, base, size, ig, iw);
        let mut probes: Vec<u64> = deltas.iter().map(|d| (base + d) & MASK52).collect();
        probes.extend([base.wrapping_sub(1) & MASK52, (base + size - 1) & MASK52, (base + size) & MASK52]);
        for hpa in probes {
            tb.set("hpa", hpa);
            let (hit, way, dpa) = reference(hpa, base, size, ig, iw);
            prop_assert_eq!(tb.flag("hit"), hit, "hpa {:#x}", hpa);
            if hit {
                prop_assert_eq!(tb.get("way"), way, "hpa {:#x}", hpa);
                prop_assert_eq!(tb.get("dpa"), dpa, "hpa {:#x}", hpa);
                // The model the controller's harness uses agrees too.
                let d = Decoder { base, size, ig, iw, ..Decoder::default() };
                prop_assert_eq!(d.translate(hpa), (way, dpa));
            }
        }
    }

    #[test]
    fn translation_is_a_bijection_between_the_host_range_and_the_devices(
        base in (0u64..1 << 20).prop_map(|b| b << 28),
        ig in 0u64..=6,
        iw in prop::sample::select(IWS.to_vec()),
        chunks_per_way in 1u64..=4,
        within in any::<u64>(),
    ) {
        let ways = hdm::ways(iw).unwrap();
        let g = 256u64 << ig;
        let size = ways * chunks_per_way * g;
        let mut tb = Tb::new(hdm_decoder("d"));
        set_cfg(&mut tb, base, size, ig, iw);
        let mut seen = HashSet::new();
        for chunk in 0..ways * chunks_per_way {
            let r = within % g;
            let hpa = base + chunk * g + r;
            tb.set("hpa", hpa);
            prop_assert!(tb.flag("hit"));
            let (way, dpa) = (tb.get("way"), tb.get("dpa"));
            prop_assert!(way < ways && dpa < chunks_per_way * g, "{:#x} -> {} {:#x}", hpa, way, dpa);
            prop_assert_eq!(dpa % g, r);
            prop_assert!(seen.insert((way, dpa / g)), "two host chunks share way {} DPA {:#x}", way, dpa);
            prop_assert_eq!(base + linux_hpa_offset(dpa, way, ig, iw), hpa);
        }
        // Injective on a finite set of the same size: every (way, DPA chunk) is used.
        prop_assert_eq!(seen.len() as u64, ways * chunks_per_way);
    }

    #[test]
    fn the_register_block_commits_refuses_and_locks_like_the_model(
        words in prop::collection::vec(any::<u64>(), 8..400),
    ) {
        let cycles = (words.len() / 2) as u64;
        run_model(hdm_decoder_regs("r"), HdmRegsModel::new(), cycles, &words)?;
    }

    #[test]
    fn the_decoder_matches_its_testbench_model(words in prop::collection::vec(any::<u64>(), 3..600)) {
        let cycles = (words.len() / 3) as u64;
        run_model(hdm_decoder("d"), HdmDecoderModel::new(), cycles, &words)?;
    }
}
