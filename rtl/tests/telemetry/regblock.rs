//! The register block against its Rust model: random register maps, random
//! AXI4-Lite traffic with random valid/ready timing (address and data in
//! either order or together, `bready`/`rready` backpressure), random
//! hardware inputs; reads, write responses, `irq` and outputs compared every
//! cycle (`linkforge_verif::tb::telemetry::harness`). Plus the Verilog tools on the
//! generated blocks.

use crate::support::{cases, check_verilog};
use linkforge_hdl::Design;
use linkforge_rtl::telemetry::default_map;
use linkforge_rtl::telemetry::map::{
    field_mask, Access, Alert, Field, FieldRef, RegMap, Register, FIFO_COUNT_BITS,
};
use linkforge_rtl::telemetry::regblock::regblock;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::dut::Dut;
use linkforge_verif::tb::telemetry::harness::{Harness, HarnessReport};
use linkforge_verif::tb::Failure;
use linkforge_verif::Sim;
use proptest::prelude::*;

/// Builds the block of `hw`, runs the harness of `map` on it.
fn run(hw: &RegMap, map: &RegMap, cycles: u64, seed: u64) -> Result<HarnessReport, Failure> {
    let design = Design::new(regblock("rb", hw).expect("the block builds")).expect("valid design");
    let mut sim = Sim::new(&design).expect("the simulator compiles the block");
    let mut rng = XorShift::new(seed);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    Harness::new(map).run(&mut Dut::new(&mut sim), cycles, &mut words, &mut |_| {})
}

/// A valid map made from random words: 1..=4 registers at distinct word
/// offsets, each with 1..=4 fields of every access type at random
/// positions (history FIFOs included), and up to two alerts.
fn map_from(words: &[u64]) -> RegMap {
    let mut w = words.iter().copied().cycle();
    let mut next = move || w.next().unwrap_or(0);
    let addr_width = 4 + (next() % 3) as u32;
    let slots = 1u32 << (addr_width - 2);
    let nregs = 1 + (next() % u64::from(slots.min(4))) as usize;
    let mut offsets: Vec<u32> = Vec::new();
    while offsets.len() < nregs {
        let o = (next() % u64::from(slots)) as u32 * 4;
        if !offsets.contains(&o) {
            offsets.push(o);
        }
    }
    let regs = offsets
        .into_iter()
        .enumerate()
        .map(|(i, offset)| {
            let mut fields = Vec::new();
            let mut lsb = 0u32;
            for j in 0..1 + next() % 4 {
                let r = next();
                let access = Access::ALL[(r % Access::ALL.len() as u64) as usize];
                let width = if access == Access::FifoCount {
                    FIFO_COUNT_BITS
                } else {
                    1 + (r >> 3) as u32 % 6
                };
                lsb += (r >> 8) as u32 % 4;
                if lsb + width > 32 {
                    break;
                }
                fields.push(Field {
                    name: format!("f{j}"),
                    lsb,
                    width,
                    access,
                    reset: if !access.stored() {
                        0
                    } else {
                        (r >> 16) as u32 & field_mask(width)
                    },
                    irq: access == Access::W1c && r >> 40 & 1 == 1,
                    desc: String::new(),
                });
                lsb += width;
            }
            // A FIFO's count and overflow need its entry: without a
            // `fifo` field they become `ro`.
            if !fields.iter().any(|f| f.access == Access::Fifo) {
                for f in fields.iter_mut().filter(|f| f.access.in_fifo()) {
                    f.access = Access::Ro;
                }
            }
            Register {
                name: format!("r{i}"),
                offset,
                desc: String::new(),
                fields,
            }
        })
        .collect::<Vec<_>>();
    let all: Vec<FieldRef> = regs
        .iter()
        .enumerate()
        .flat_map(|(reg, r)| (0..r.fields.len()).map(move |field| FieldRef { reg, field }))
        .collect();
    let status: Vec<FieldRef> = all
        .iter()
        .copied()
        .filter(|f| {
            let f = &regs[f.reg].fields[f.field];
            f.access == Access::W1c && f.width == 1
        })
        .collect();
    let mut alerts = Vec::new();
    if !status.is_empty() {
        for _ in 0..next() % 3 {
            let r = next();
            let status = status[((r >> 32) % status.len() as u64) as usize];
            if alerts.iter().all(|a: &Alert| a.status != status) {
                alerts.push(Alert {
                    source: all[(r % all.len() as u64) as usize],
                    threshold: all[((r >> 16) % all.len() as u64) as usize],
                    status,
                });
            }
        }
    }
    // The map lists alerts in the order of their status fields.
    alerts.sort_by_key(|a| (a.status.reg, a.status.field));
    let map = RegMap {
        addr_width,
        regs,
        alerts,
    };
    let (parsed, issues) = RegMap::parse(&map.to_params());
    assert_eq!(issues, vec![], "the generated map is valid");
    assert_eq!(parsed.as_ref(), Some(&map));
    map
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Random maps and random traffic: every response, output and `irq`
    /// as the model says.
    #[test]
    fn random_traffic_matches_the_model(words in prop::collection::vec(any::<u64>(), 24), seed: u64) {
        let map = map_from(&words);
        let r = run(&map, &map, 400, seed);
        prop_assert!(r.is_ok(), "{:?}\n{map:#?}", r.as_ref().err());
        let r = r.unwrap_or_default();
        prop_assert!(r.reads + r.writes > 40 && r.checks >= r.reads + r.writes, "too little traffic: {r:?}");
    }
}

/// The default telemetry map over a long run: the traffic reaches reads,
/// writes, unmapped addresses and alerts.
#[test]
fn the_default_map_sees_every_kind_of_traffic() {
    let map = default_map();
    let r = run(&map, &map, 6000, 7).unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(r.mismatches, 0);
    assert!(r.reads > 300 && r.writes > 300, "{r:?}");
    assert!(r.slverr > 10, "{r:?}");
    assert!(r.irq_cycles > 0, "{r:?}");
    assert!(r.checks > r.cycles, "{r:?}");
}

/// The default map with a history register at 0x20: two entry fields,
/// the count and the overflow flag.
fn history_map() -> RegMap {
    let mut map = default_map();
    let field = |name: &str, lsb, width, access| Field {
        name: name.into(),
        lsb,
        width,
        access,
        reset: 0,
        irq: false,
        desc: String::new(),
    };
    map.regs.push(Register {
        name: "hist".into(),
        offset: 0x20,
        desc: String::new(),
        fields: vec![
            field("state", 0, 4, Access::Fifo),
            field("stamp", 4, 16, Access::Fifo),
            field("count", 24, FIFO_COUNT_BITS, Access::FifoCount),
            field("ovf", 31, 1, Access::FifoOvf),
        ],
    });
    map
}

/// Pushes one cycle in four against random reads fill the history FIFO,
/// overflow it and drain it, in order; a block whose count does not follow
/// the FIFO disagrees.
#[test]
fn a_history_fifo_register_matches_the_model() {
    let map = history_map();
    let r = run(&map, &map, 6000, 3).unwrap_or_else(|f| panic!("{f:?}"));
    assert!(r.reads > 300, "{r:?}");
    let mut hw = map.clone();
    hw.regs[8].fields[2].access = Access::Ro;
    assert!(run(&hw, &map, 3000, 5).is_err());
}

/// The harness notices a block that differs from its map: a reset value, an
/// access type, a bit position.
#[test]
fn the_harness_catches_a_block_that_differs_from_the_map() {
    let map = default_map();
    let mutants: [fn(&mut RegMap); 3] = [
        |m| m.regs[0].fields[0].reset = 1,
        |m| m.regs[6].fields[0].access = Access::Rw,
        |m| m.regs[5].fields[1].lsb = 3,
    ];
    for (i, mutate) in mutants.iter().enumerate() {
        let mut hw = map.clone();
        mutate(&mut hw);
        let r = run(&hw, &map, 3000, 11 + i as u64);
        assert!(r.is_err(), "mutant {i} passed: {r:?}");
    }
}

#[test]
fn verilog_tools_accept_register_blocks() {
    check_verilog(regblock("regmap_default", &default_map()));
    check_verilog(regblock("regmap_history", &history_map()));
    let words: Vec<u64> = (0..24u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    check_verilog(regblock("regmap_random", &map_from(&words)));
}

/// The `regmap` kind built from its catalogue defaults passes its
/// testbench: every response, `irq` and output against the model.
#[test]
fn the_regmap_kind_passes_its_testbench() {
    use linkforge_rtl::catalog::{self, Params};
    use linkforge_verif::tb;
    let kind = catalog::kind("regmap").expect("regmap is in the catalogue");
    let params = Params::defaults(&kind.params);
    let design = Design::new((kind.build)("rb", &params).expect("builds")).expect("valid");
    let testbench = tb::for_kind("regmap", &params).expect("a testbench");
    let mut sim = Sim::new(&design).expect("compiles");
    let mut rng = XorShift::new(3);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    let outcome = testbench
        .run(&mut sim, 2_000, &mut words, &mut |_| {})
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(outcome.checks_passed > 1_000, "{}", outcome.checks_passed);
}
