//! Telemetry wiring: a switch or retimer built with `telemetry` passes
//! every port through, and each exposed counter or state reads back over
//! AXI4-Lite equal to its own output port at the edge the read is
//! accepted. Plus the Verilog tools on the wrapped blocks.

use crate::support::{axi_read, check_verilog};
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::retimer::top::{register_map as retimer_map, telemetry, RetimerConfig};
use linkforge_rtl::switch::switch::{register_map, telemetry_ports, SwitchConfig};
use linkforge_rtl::switch::traffic::TrafficConfig;
use linkforge_rtl::telemetry::map::{Access, RegMap, REG_BITS};
use linkforge_rtl::telemetry::register_map as register_map_of;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::dut::Dut;
use linkforge_verif::tb::switch::harness::{Harness, HarnessOptions};
use linkforge_verif::Sim;

fn params(ports: i64) -> Params {
    let k = catalog::kind("switch").expect("switch is in the catalogue");
    let mut p = Params::defaults(&k.params);
    p.0.insert("ports".into(), Value::Int(ports));
    p.0.insert("telemetry".into(), Value::Bool(true));
    p
}

fn build(name: &str, p: &Params) -> Design {
    let k = catalog::kind("switch").expect("switch is in the catalogue");
    Design::new((k.build)(name, p).expect("the switch builds")).expect("valid design")
}

/// Steps until `clock` has had one more rising edge.
fn edge(sim: &mut Sim, clock: &str) {
    let n = sim.cycles(clock).expect("clock");
    while sim.cycles(clock).expect("clock") == n {
        sim.step().expect("step");
    }
}

/// 32-bit word `k` of output `port` now.
fn word(sim: &mut Sim, port: &str, k: u32) -> u64 {
    let bits = sim.peek_bits(port).expect("peek");
    let w = bits.words()[(k / 2) as usize];
    (w >> (32 * (k % 2))) & 0xFFFF_FFFF
}

/// One AXI4-Lite read of `addr` on the bus clocked by `clock`: (rdata,
/// rresp, word `k` of `port` at the edge that accepted the read).
fn read_port(sim: &mut Sim, clock: &str, addr: u64, port: &str, k: u32) -> (u64, u64, u64) {
    let mut sampled = 0;
    let (data, resp) = axi_read(sim, addr, &mut |sim| edge(sim, clock), &mut |sim| {
        sampled = word(sim, port, k)
    });
    (data, resp, sampled)
}

/// Reads the registers of `map` that expose `ports` (the first ones);
/// each must answer OKAY with the exposed port's bits at the accepting
/// edge. Returns how many were not zero.
fn read_all(sim: &mut Sim, clock: &str, map: &RegMap, ports: &[String]) -> usize {
    let mut nonzero = 0;
    let mut regs = map.regs.iter();
    for port in ports {
        let width = sim.signal(port).expect("the port passes through").width();
        for k in 0..width.div_ceil(REG_BITS) {
            let reg = regs.next().expect("a register per 32 bits");
            let (data, resp, want) = read_port(sim, clock, reg.offset.into(), port, k);
            assert_eq!(
                (data, resp),
                (want, 0),
                "{port} word {k} at {:#x}",
                reg.offset
            );
            nonzero += usize::from(want != 0);
        }
    }
    assert!(
        regs.all(|r| r.fields[0].access != Access::Ro || r.name == "temperature"),
        "no port register left over"
    );
    // Past the last register: SLVERR, when the address bus reaches there.
    let past = u64::from(map.regs.len() as u32 * 4);
    let addr_bits = sim.signal("s_axil_araddr").expect("the bus").width();
    if past >> addr_bits == 0 {
        assert_eq!(
            read_port(sim, clock, past, &ports[0], 0).1,
            2,
            "past the last register: SLVERR"
        );
    }
    nonzero
}

#[test]
fn switch_counters_read_back_over_axi4_lite() {
    let p = params(4);
    let cfg = SwitchConfig::from_params(&p).expect("valid config");
    let traffic =
        TrafficConfig::from_params(p.group("traffic").expect("traffic"), cfg.max_packet_beats)
            .expect("valid traffic");
    let mut sim = Sim::new(&build("sw", &p)).expect("the simulator compiles it");
    let options = HarnessOptions {
        drain: Some(2000),
        ..HarnessOptions::default()
    };
    let mut rng = XorShift::new(5);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    let report = Harness::new(cfg.clone(), traffic, options)
        .run(&mut Dut::new(&mut sim), 1500, &mut words, &mut |_| {})
        .unwrap_or_else(|f| panic!("{f:?}"));
    assert!(report.delivered > 100, "{report:?}");

    let map = register_map(&p).expect("valid").expect("telemetry is on");
    let ports = telemetry_ports(&cfg);
    assert_eq!(
        map.regs.len(),
        ports.len() + SENSOR_REGISTERS,
        "one register per counter of at most 32 bits, then the temperature's"
    );
    let nonzero = read_all(&mut sim, "clk", &map, &ports);
    assert!(nonzero >= 8, "the traffic moved the counters");
}

#[test]
fn retimer_states_read_back_over_axi4_lite() {
    let k = catalog::kind("retimer").expect("retimer is in the catalogue");
    let mut p = Params::defaults(&k.params);
    p.0.insert("lanes".into(), Value::Int(2));
    p.0.insert("telemetry".into(), Value::Bool(true));
    let design =
        Design::new((k.build)("rt", &p).expect("the retimer builds")).expect("valid design");
    let mut sim = Sim::new(&design).expect("the simulator compiles it");
    sim.poke("rst", 1).expect("poke");
    sim.poke("rx_rst", 1).expect("poke");
    for _ in 0..8 {
        sim.step().expect("step");
    }
    sim.poke("rst", 0).expect("poke");
    sim.poke("rx_rst", 0).expect("poke");
    let width = sim.signal("rx_sample").expect("rx_sample").width();
    let mut rng = XorShift::new(9);
    for _ in 0..400 {
        sim.poke_bits("rx_sample", &rng.bits(width)).expect("poke");
        sim.step().expect("step");
    }
    let map = retimer_map(&p).expect("valid").expect("telemetry is on");
    let ports = telemetry(&RetimerConfig::from_params(&p).expect("valid")).ports;
    let nonzero = read_all(&mut sim, "rx_clk", &map, &ports);
    assert!(nonzero > 0, "random samples moved some state");
}

/// The registers of the die temperature and its alerts.
const SENSOR_REGISTERS: usize = 4;

/// Reads register `name` of `map` over the bus clocked by `clk`.
fn read_reg(sim: &mut Sim, map: &RegMap, name: &str) -> u64 {
    let reg = map.regs.iter().find(|r| r.name == name).expect(name);
    let (data, resp) = axi_read(sim, reg.offset.into(), &mut |s| edge(s, "clk"), &mut |_| {});
    assert_eq!(resp, 0, "{name}: OKAY");
    data
}

#[test]
fn switch_and_cxl_controller_temperatures_raise_irq_at_their_alert_levels() {
    for kind in ["switch", "cxl_controller"] {
        let k = catalog::kind(kind).expect("in the catalogue");
        let mut p = Params::defaults(&k.params);
        p.0.insert("telemetry".into(), Value::Bool(true));
        let design = Design::new((k.build)("tm", &p).expect("builds")).expect("valid design");
        let (map, _) = register_map_of(kind, &p)
            .expect("valid")
            .expect("telemetry is on");
        let mut sim = Sim::new(&design).expect("the simulator compiles it");
        sim.poke("rst", 1).expect("poke");
        for _ in 0..4 {
            edge(&mut sim, "clk");
        }
        sim.poke("rst", 0).expect("poke");
        let at = |sim: &mut Sim, celsius: u64| {
            sim.poke("temperature", celsius).expect("poke");
            for _ in 0..4 {
                edge(sim, "clk");
            }
            let irq = sim.peek("irq").expect("peek");
            (irq, read_reg(sim, &map, "alert_status"))
        };
        assert_eq!(at(&mut sim, 40), (0, 0), "{kind}: cool");
        assert_eq!(at(&mut sim, 90), (1, 0b01), "{kind}: at temp_high (85)");
        assert_eq!(at(&mut sim, 110), (1, 0b11), "{kind}: at temp_crit (105)");
        assert_eq!(read_reg(&mut sim, &map, "temperature"), 110, "{kind}");
    }
}

#[test]
fn verilog_tools_accept_a_switch_with_telemetry() {
    let p = params(2);
    let k = catalog::kind("switch").expect("switch is in the catalogue");
    check_verilog((k.build)("switch_tm", &p).map_err(|e| match e {
        linkforge_rtl::RtlError::Hdl(h) => h,
        other => panic!("{other}"),
    }));
}

#[test]
fn verilog_tools_accept_a_retimer_with_telemetry() {
    let k = catalog::kind("retimer").expect("retimer is in the catalogue");
    let mut p = Params::defaults(&k.params);
    p.0.insert("lanes".into(), Value::Int(1));
    p.0.insert("telemetry".into(), Value::Bool(true));
    check_verilog((k.build)("retimer_tm", &p).map_err(|e| match e {
        linkforge_rtl::RtlError::Hdl(h) => h,
        other => panic!("{other}"),
    }));
}
