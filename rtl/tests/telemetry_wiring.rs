//! Telemetry wiring: a switch built with `telemetry` passes every port of
//! the switch through, and after random traffic each of its counters reads
//! back over AXI4-Lite equal to the counter's own output port. Plus the
//! Verilog tools on the wrapped switch.

mod common;

use common::check_verilog;
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::switch::bench::{Bench, BenchOptions};
use linkforge_rtl::switch::switch::{register_map, telemetry_ports, SwitchConfig};
use linkforge_rtl::switch::traffic::TrafficConfig;
use linkforge_rtl::telemetry::map::REG_BITS;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::{SignalHandle, Sim, SimError};

struct SimIo(Sim);

linkforge_rtl::switch_io_for_sim!(SimIo, SignalHandle, SimError);

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

/// One AXI4-Lite read of `addr`: (rdata, rresp).
fn axi_read(sim: &mut Sim, addr: u64) -> (u64, u64) {
    let poke = |sim: &mut Sim, n: &str, v: u64| sim.poke(&format!("s_axil_{n}"), v).expect("poke");
    let peek = |sim: &mut Sim, n: &str| sim.peek(&format!("s_axil_{n}")).expect("peek");
    poke(sim, "araddr", addr);
    poke(sim, "arvalid", 1);
    poke(sim, "rready", 0);
    while peek(sim, "arready") == 0 {
        sim.step().expect("step");
    }
    sim.step().expect("step");
    poke(sim, "arvalid", 0);
    while peek(sim, "rvalid") == 0 {
        sim.step().expect("step");
    }
    let got = (peek(sim, "rdata"), peek(sim, "rresp"));
    poke(sim, "rready", 1);
    sim.step().expect("step");
    poke(sim, "rready", 0);
    got
}

#[test]
fn switch_counters_read_back_over_axi4_lite() {
    let p = params(4);
    let cfg = SwitchConfig::from_params(&p).expect("valid config");
    let traffic =
        TrafficConfig::from_params(p.group("traffic").expect("traffic"), cfg.max_packet_beats)
            .expect("valid traffic");
    let mut io = SimIo(Sim::new(&build("sw", &p)).expect("the simulator compiles it"));
    let options = BenchOptions {
        drain: Some(2000),
        ..BenchOptions::default()
    };
    let mut rng = XorShift::new(5);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    let report = Bench::new(cfg.clone(), traffic, options)
        .run(&mut io, 1500, &mut words, &mut |_| {})
        .unwrap_or_else(|f| panic!("{f:?}"));
    assert!(report.delivered > 100, "{report:?}");

    let map = register_map(&p).expect("valid").expect("telemetry is on");
    let ports = telemetry_ports(&cfg);
    assert_eq!(
        map.regs.len(),
        ports.len(),
        "one register per counter of at most 32 bits"
    );
    let sim = &mut io.0;
    let mut nonzero = 0;
    for (reg, port) in map.regs.iter().zip(&ports) {
        let want = sim.peek(port).expect("the port passes through");
        assert!(sim.signal(port).expect("port").width() <= REG_BITS);
        let got = axi_read(sim, reg.offset.into());
        assert_eq!(got, (want, 0), "{port} at {:#x}", reg.offset);
        nonzero += usize::from(want != 0);
    }
    assert!(nonzero >= 8, "the traffic moved the counters");
    let past = u64::from(map.regs.len() as u32 * 4);
    assert_eq!(axi_read(sim, past).1, 2, "past the last counter: SLVERR");
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
