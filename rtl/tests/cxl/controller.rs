//! `cxl_controller` under random multi-host traffic (reads, full and
//! partial writes, poison, invalidates, speculative reads, foreign
//! addresses, unknown LD-IDs, tag reuse, backpressure, capacity added and
//! released at run time): memory semantics equal the reference model,
//! every request gets exactly one response with its own tag, no host is
//! ever served from capacity it does not own, and the counters agree.

use crate::support::cases;
use linkforge_hdl::Design;
use linkforge_rtl::cxl::controller::{cxl_controller, ControllerConfig};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::cxl::harness::{Harness, HarnessOptions, HarnessReport};
use linkforge_verif::tb::dut::Dut;
use linkforge_verif::Sim;
use proptest::prelude::*;

fn run(cfg: ControllerConfig, options: HarnessOptions, cycles: u64, seed: u64) -> HarnessReport {
    let design = Design::new(cxl_controller("ctl", &cfg).expect("builds")).expect("valid design");
    let mut sim = Sim::new(&design).expect("the simulator compiles the controller");
    let mut rng = XorShift::new(seed);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    let report = Harness::new(cfg, options)
        .run(&mut Dut::new(&mut sim), cycles, &mut words, &mut |_| {})
        .unwrap_or_else(|f| panic!("cycle {}: {}", f.cycle, f.message));
    let assertions = sim.failures();
    assert!(assertions.is_empty(), "{}", assertions[0]);
    report
}

fn small(hosts: usize, depth: usize, extents: usize) -> ControllerConfig {
    ControllerConfig {
        hosts,
        data_width: 64,
        lines: 64,
        depth,
        extents,
        poison_log: 4,
    }
}

#[test]
fn two_hosts_read_what_they_wrote_and_nothing_else() {
    let options = HarnessOptions {
        capacity_period: 150,
        ..HarnessOptions::default()
    };
    let r = run(small(2, 8, 4), options, 3000, 7);
    println!("{r:?}");
    assert_eq!(r.mismatches, 0, "{:?}", r.first_problem);
    assert_eq!(r.isolation_violations, 0, "{:?}", r.first_problem);
    assert!(r.requests > 1000, "{r:?}");
    assert!(r.errors > 20, "foreign traffic is refused: {r:?}");
    assert!(r.capacity_changes >= 10, "{r:?}");
    assert!(r.read_latency_mean > 1.0, "{r:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    #[test]
    fn random_traffic_matches_the_reference_model(
        hosts in 1usize..=4,
        depth in 2usize..=8,
        extents in 1usize..=8,
        data_width in prop::sample::select(vec![8u32, 32, 64, 512]),
        load in 32u64..=255,
        backpressure in 0u64..=200,
        seed in any::<u64>(),
    ) {
        let cfg = ControllerConfig { data_width, ..small(hosts, depth, extents) };
        let options = HarnessOptions { load, backpressure, capacity_period: 97, ..HarnessOptions::default() };
        let r = run(cfg, options, 600, seed);
        prop_assert_eq!(r.mismatches, 0, "{:?}", r.first_problem);
        prop_assert_eq!(r.isolation_violations, 0, "{:?}", r.first_problem);
        prop_assert!(r.requests > 0);
    }
}

#[test]
fn registers_commit_lock_and_add_capacity_through_zeroing() {
    use linkforge_rtl::cxl::channel::{drs, req};
    use linkforge_rtl::cxl::controller::{
        decoder_reg, extent_reg, EXT_COUNT, EXT_OWNER, EXT_SCRUBBING, EXT_START, EXT_VALID,
    };
    use linkforge_rtl::cxl::hdm::{
        self, CTRL_COMMIT, CTRL_COMMITTED, CTRL_COMMIT_ERROR, CTRL_LOCK,
    };
    let mut tb = crate::support::Tb::new(cxl_controller("ctl", &small(2, 4, 2)));
    tb.reset();
    let write = |tb: &mut crate::support::Tb, addr: u64, value: u64| {
        tb.set("cfg_we", 1);
        tb.set("cfg_addr", addr);
        tb.set("cfg_wdata", value);
        tb.step();
        tb.set("cfg_we", 0);
    };
    let read = |tb: &mut crate::support::Tb, addr: u64| {
        tb.set("cfg_addr", addr);
        tb.get("cfg_rdata")
    };
    // Host 1: 1 way at 1 TiB, 256 MiB, committed and locked.
    write(&mut tb, decoder_reg(1, hdm::REG_BASE), 1 << 40);
    write(&mut tb, decoder_reg(1, hdm::REG_SIZE), 1 << 28);
    write(
        &mut tb,
        decoder_reg(1, hdm::REG_CTRL),
        CTRL_COMMIT | CTRL_LOCK,
    );
    let ctrl = read(&mut tb, decoder_reg(1, hdm::REG_CTRL));
    assert_eq!(ctrl & (CTRL_COMMITTED | CTRL_COMMIT_ERROR), CTRL_COMMITTED);
    write(&mut tb, decoder_reg(1, hdm::REG_BASE), 2 << 40);
    write(&mut tb, decoder_reg(1, hdm::REG_CTRL), 0);
    assert_eq!(
        read(&mut tb, decoder_reg(1, hdm::REG_BASE)),
        1 << 40,
        "locked"
    );
    // Host 0: a size that is not a multiple of 256 MiB does not commit.
    write(&mut tb, decoder_reg(0, hdm::REG_SIZE), 3 << 20);
    write(&mut tb, decoder_reg(0, hdm::REG_CTRL), CTRL_COMMIT);
    let ctrl = read(&mut tb, decoder_reg(0, hdm::REG_CTRL));
    assert_eq!(
        ctrl & (CTRL_COMMITTED | CTRL_COMMIT_ERROR),
        CTRL_COMMIT_ERROR
    );
    // Extent 0: lines 8..12 for host 1, zeroed before it becomes valid.
    write(&mut tb, extent_reg(0, EXT_START), 8);
    write(&mut tb, extent_reg(0, EXT_COUNT), 4);
    write(&mut tb, extent_reg(0, EXT_OWNER), EXT_VALID | 1);
    assert_eq!(read(&mut tb, extent_reg(0, EXT_OWNER)), EXT_SCRUBBING | 1);
    assert!(tb.flag("scrub_busy"));
    tb.set("m2s_req_valid", 1);
    assert!(
        !tb.flag("m2s_req_ready"),
        "requests wait while an extent is zeroed"
    );
    tb.set("m2s_req_valid", 0);
    for _ in 0..6 {
        tb.step();
    }
    assert!(!tb.flag("scrub_busy"));
    assert_eq!(read(&mut tb, extent_reg(0, EXT_OWNER)), EXT_VALID | 1);
    // Owner 0, valid: ignored while the extent is valid.
    write(&mut tb, extent_reg(0, EXT_OWNER), EXT_VALID);
    assert_eq!(
        read(&mut tb, extent_reg(0, EXT_OWNER)),
        EXT_VALID | 1,
        "adding a valid extent changes nothing"
    );
    // Host 1 reads line 9 (zero); host 0 may not.
    tb.set("s2m_drs_ready", 1);
    for (ld, tag, opcode) in [(1u64, 0x1234u64, drs::MEM_DATA), (0, 0xBEEF, drs::ERR)] {
        tb.set("m2s_req_valid", 1);
        tb.set("m2s_req_opcode", req::MEM_RD);
        tb.set("m2s_req_tag", tag);
        tb.set("m2s_req_ld_id", ld);
        tb.set("m2s_req_addr", ((1 << 40) + 9 * 64) >> 6);
        assert!(tb.flag("m2s_req_ready"));
        tb.step();
        tb.set("m2s_req_valid", 0);
        let mut waited = 0;
        while !tb.flag("s2m_drs_valid") {
            tb.step();
            waited += 1;
            assert!(waited < 10, "no response");
        }
        assert_eq!(tb.get("s2m_drs_tag"), tag);
        assert_eq!(tb.get("s2m_drs_opcode"), opcode);
        assert_eq!(tb.get("s2m_drs_data"), 0);
        assert_eq!(tb.flag("s2m_drs_poison"), opcode == drs::ERR);
        tb.step();
    }
    assert_eq!(tb.get("host1_reads"), 1);
    assert_eq!(tb.get("host0_errors"), 1);
}
