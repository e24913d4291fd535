//! Temporal properties (verif::trace) on runs of the built-in simulator: a
//! synchronous FIFO under random traffic keeps its occupancy rules in the
//! VCD it wrote, and a property that is false of it is reported at its
//! first failing cycle; and each protocol rule set on live samples of a
//! real block: a credit port looped onto itself keeps the `credit` rules
//! until its receiver releases a packet it never received, a register
//! block keeps the `axi4_lite` rules until its master withdraws a stalled
//! read, and the CXL controller keeps the `cxl_mem` rules until a wrapper
//! corrupts the tags it returns.

use linkforge_hdl::Design;
use linkforge_rtl::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::props::{Cond, Property, Trace};
use linkforge_verif::wave::Waves;
use linkforge_verif::Sim;

fn fifo_trace() -> Trace {
    let cfg = SyncFifoConfig { width: 8, depth: 4 };
    let design = Design::new(sync_fifo("fifo", &cfg).expect("builds")).expect("a design");
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("fifo.vcd");
    {
        let mut sim = Sim::new(&design).expect("compiles");
        sim.trace(&vcd).expect("traces");
        sim.poke("rst", 1).unwrap();
        sim.step().unwrap();
        sim.poke("rst", 0).unwrap();
        let mut rng = XorShift::new(7);
        for _ in 0..400 {
            let w = rng.word();
            sim.poke("wr_en", w & 1).unwrap();
            sim.poke("rd_en", (w >> 1) & (w >> 2) & 1).unwrap();
            sim.poke("wr_data", (w >> 8) & 0xff).unwrap();
            sim.step().unwrap();
        }
    }
    let waves = Waves::from_vcd(&vcd).expect("the simulator's VCD reads back");
    Trace::sample(&waves, "fifo.clk").expect("the clock is traced")
}

#[test]
fn a_fifo_trace_keeps_its_occupancy_rules() {
    let t = fifo_trace();
    // 401 edges, the first at time 0 (cycle 0, as the simulator counts).
    assert_eq!(t.cycles(), 401);
    assert_eq!(t.times[0], 0);
    let within_depth = Property::always("count <= depth", Cond::AtMost("fifo.count".into(), 4));
    let full_means_depth = Property::always(
        "full means a count of depth",
        Cond::Low("fifo.wr_full".into()).or(Cond::Equals("fifo.count".into(), 4)),
    );
    for p in [within_depth, full_means_depth] {
        assert_eq!(t.check(&p), Ok(None), "{}", p.name);
    }
}

#[test]
fn a_false_property_is_reported_at_its_first_cycle() {
    let t = fifo_trace();
    let v = t
        .check(&Property::never(
            "the FIFO fills",
            Cond::High("fifo.wr_full".into()),
        ))
        .expect("the signals exist")
        .expect("random traffic with few reads fills a 4-word FIFO");
    assert!(v.cycle > 3, "{v}");
    assert_eq!(v.property, "the FIFO fills");
    let (name, shown) = &v.values[0];
    assert_eq!(name, "fifo.wr_full");
    // Full at the reported cycle and not in the cycle before it.
    let at = v.cycle - v.first_cycle_shown;
    assert_eq!((shown[at - 1], shown[at]), (Some(0), Some(1)), "{v}");
}

/// A credit port talking to itself: its receiver's advertised limits feed
/// its transmitter, packets it sends wait in a buffer model and are
/// released at random. `phantom` releases one packet that was never
/// received at that cycle, as a broken receiver would. Returns the first
/// violation of the `credit` rules with the advertised 4/16 credits.
fn credit_loop(phantom: Option<u64>) -> Option<linkforge_verif::props::Violation> {
    use linkforge_rtl::switch::credit::{credit_port, CreditPortConfig};
    use linkforge_verif::props::rule_set;
    let cfg = CreditPortConfig {
        hdr_credits: 4,
        data_credits: 16,
    };
    let design = Design::new(credit_port("cp", &cfg).expect("builds")).expect("a design");
    let rules = rule_set("credit", "tx_", Some("4/16")).expect("a rule set");
    let signals = linkforge_verif::props::Property::signals_of(&rules);
    let mut sim = Sim::new(&design).expect("compiles");
    sim.record("clk", &signals, 5_000)
        .expect("the signals exist");
    let types = ["ph", "pd", "nph", "npd", "cplh", "cpld"];
    let mut rng = XorShift::new(3);
    let mut buffer = std::collections::VecDeque::new();
    for cycle in 0..3_000u64 {
        sim.poke("rst", u64::from(cycle < 2)).unwrap();
        for t in types {
            let limit = sim.peek(&format!("rx_limit_{t}")).unwrap();
            sim.poke(&format!("tx_limit_{t}"), limit).unwrap();
        }
        let w = rng.word();
        let (class, data, send) = (w % 3, (w >> 8) % 4, (w >> 16) & 1);
        sim.poke("tx_class", class).unwrap();
        sim.poke("tx_data", data).unwrap();
        sim.poke("tx_send", send).unwrap();
        if cycle >= 2 && send == 1 && sim.peek("tx_ok").unwrap() == 1 {
            buffer.push_back((class, data));
        }
        let release = if phantom == Some(cycle) {
            Some((0, 1))
        } else if (w >> 24) % 3 == 0 {
            buffer.pop_front()
        } else {
            None
        };
        sim.poke("rx_release", u64::from(release.is_some()))
            .unwrap();
        let (rc, rd) = release.unwrap_or((0, 0));
        sim.poke("rx_class", rc).unwrap();
        sim.poke("rx_data", rd).unwrap();
        sim.step().unwrap();
    }
    let trace = Trace::from(sim.take_recordings().remove(0));
    assert_eq!(trace.cycles(), 3_000);
    trace.first_violation(&rules).expect("the signals exist")
}

#[test]
fn a_credit_link_keeps_its_rules_until_a_receiver_releases_a_phantom_packet() {
    assert_eq!(credit_loop(None), None);
    let v = credit_loop(Some(1_000)).expect("a phantom release over-advertises");
    assert!(v.cycle > 1_000, "{v}");
    assert!(
        v.property.starts_with("tx_limit_p") && v.property.contains("credits ahead of"),
        "{v}"
    );
}

/// The default register block driven by a scripted AXI4-Lite master: per
/// cycle, `arvalid` and `rready`. Returns the first violation of the
/// `axi4_lite` rules on the live samples.
fn axi_reads(script: &[(u64, u64)]) -> Option<linkforge_verif::props::Violation> {
    use linkforge_rtl::catalog::{self, Params};
    use linkforge_verif::props::{rule_set, Property};
    let kind = catalog::kind("regmap").expect("the regmap kind");
    let module = (kind.build)("regs", &Params::defaults(&kind.params)).expect("builds");
    let design = Design::new(module).expect("a design");
    let rules = rule_set("axi4_lite", "s_axil_", None).expect("a rule set");
    let mut sim = Sim::new(&design).expect("compiles");
    sim.record("clk", &Property::signals_of(&rules), script.len())
        .expect("the bus signals exist");
    for (cycle, &(arvalid, rready)) in script.iter().enumerate() {
        sim.poke("rst", u64::from(cycle < 2)).unwrap();
        sim.poke("s_axil_arvalid", arvalid).unwrap();
        sim.poke("s_axil_rready", rready).unwrap();
        sim.step().unwrap();
    }
    let trace = Trace::from(sim.take_recordings().remove(0));
    trace.first_violation(&rules).expect("the signals exist")
}

#[test]
fn axi_lite_rules_hold_for_a_patient_master_and_catch_a_withdrawn_read() {
    // Two reads, each held until accepted; the first response waits three
    // cycles for `rready`, which stalls the second read.
    let mut patient = vec![(0, 0); 3];
    patient.extend([
        (1, 0),
        (1, 0),
        (1, 0),
        (1, 0),
        (1, 1),
        (1, 1),
        (0, 1),
        (0, 1),
    ]);
    patient.extend([(0, 1); 4]);
    assert_eq!(axi_reads(&patient), None);
    // The same master withdrawing its second read while it is stalled.
    let mut hasty = patient.clone();
    hasty[5] = (0, 0);
    hasty[6] = (0, 0);
    let v = axi_reads(&hasty).expect("a withdrawn read breaks the handshake");
    assert_eq!(v.property, "s_axil_arvalid is held until ready", "{v}");
}

/// The two-host controller, or (`broken`) the same controller behind a
/// wrapper that flips bit 0 of every DRS tag it returns, under the CXL
/// harness's random traffic. Returns the first violation of the `cxl_mem`
/// rules on the live samples (the harness's own verdict is not asked).
fn cxl_run(broken: bool) -> Option<linkforge_verif::props::Violation> {
    use linkforge_hdl::ir::SignalKind;
    use linkforge_hdl::prelude::*;
    use linkforge_rtl::cxl::controller::{cxl_controller, ControllerConfig};
    use linkforge_verif::props::{rule_set, Property};
    use linkforge_verif::tb::cxl::harness::{Harness, HarnessOptions};
    use linkforge_verif::tb::dut::Dut;
    let cfg = ControllerConfig {
        hosts: 2,
        data_width: 64,
        lines: 64,
        depth: 8,
        extents: 4,
        poison_log: 4,
    };
    let ctl = cxl_controller("ctl", &cfg).expect("builds");
    let top = if broken {
        let mut m = ModuleBuilder::new("broken");
        let ports: Vec<(String, u32, SignalKind)> = ctl
            .ports
            .iter()
            .map(|p| {
                let s = ctl.signal(*p);
                (s.name.clone(), s.width, s.kind.clone())
            })
            .collect();
        let u = m.instance("u", ctl);
        for (name, width, kind) in ports {
            let inner = u.io(&name).unwrap();
            match kind {
                SignalKind::Input { clock: true } => {
                    let c = m.clock(name);
                    m.assign(inner, c);
                }
                SignalKind::Input { clock: false } => {
                    let i = m.input(name, width);
                    m.assign(inner, i);
                }
                _ => {
                    let o = m.output(name.clone(), width);
                    let flip = u64::from(name == "s2m_drs_tag");
                    m.assign(o, inner ^ lit(flip, width));
                }
            }
        }
        m.finish().expect("the wrapper builds")
    } else {
        ctl
    };
    let design = Design::new(top).expect("a design");
    let rules = rule_set("cxl_mem", "", None).expect("a rule set");
    let mut sim = Sim::new(&design).expect("compiles");
    sim.record("clk", &Property::signals_of(&rules), 10_000)
        .expect("the channel signals exist");
    let mut rng = XorShift::new(5);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    let harness = Harness::new(cfg, HarnessOptions::default());
    let verdict = harness.run(&mut Dut::new(&mut sim), 1_500, &mut words, &mut |_| {});
    assert_eq!(verdict.is_ok(), !broken, "the harness sees the same");
    let trace = Trace::from(sim.take_recordings().remove(0));
    trace.first_violation(&rules).expect("the signals exist")
}

#[test]
fn cxl_mem_rules_hold_for_the_controller_and_catch_a_wrong_tag() {
    assert_eq!(cxl_run(false), None);
    let v = cxl_run(true).expect("a DRS with a flipped tag answers nothing outstanding");
    assert!(
        v.property.contains("answers one outstanding request"),
        "{v}"
    );
}
