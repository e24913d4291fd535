//! The AXI4-Lite interconnect: random reads and writes across windows, with
//! random valid delays and `bready`/`rready` backpressure, each window a
//! register block of the default map in its own clock domain. Every
//! response equals the addressed window's [`Model`]; an address no window
//! claims (past the last window) answers DECERR (AXI's `0b11`), an offset
//! inside a window but outside its register block's address space answers
//! SLVERR (`0b10`), and neither changes anything. Plus the Verilog tools on the test top and on a
//! card.

use crate::support::{cases, check_verilog};
use linkforge_hdl::prelude::*;
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::telemetry::default_map;
use linkforge_rtl::telemetry::interconnect::{
    bus_addr_width, interconnect, Window, WINDOW_BITS, WINDOW_BYTES,
};
use linkforge_rtl::telemetry::map::{Access, RegMap, REG_BITS};
use linkforge_rtl::telemetry::regblock::{regblock, PREFIX};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::telemetry::model::{Inputs, Model, Write};
use linkforge_verif::Sim;
use proptest::prelude::*;

/// Windows of the test top, with their clock periods (ps).
const PERIODS: [u64; 3] = [7_000, 13_000, 10_000];
/// The bus clock period.
const BUS_PERIOD: u64 = 10_000;

/// The interconnect with one register block of `map` per window `w{i}`,
/// each clocked by `w{i}_clk`; every `ro` input of the blocks tied to zero.
fn top(map: &RegMap) -> Result<Module, HdlError> {
    let windows: Vec<Window> = (0..PERIODS.len())
        .map(|i| Window {
            name: format!("w{i}"),
            addr_width: map.addr_width,
        })
        .collect();
    let mut m = ModuleBuilder::new("ic_top");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let ic = m.instance("u_ic", interconnect("ic", &windows)?);
    m.assign(ic.io("clk")?, clk);
    m.assign(ic.io("rst")?, rst);
    let block = std::sync::Arc::new(regblock("block", map)?);
    let top_axi = Axi4Lite::new(ic.io(&format!("{PREFIX}awaddr"))?.width(), REG_BITS);
    let bus = Domain {
        clock: clk,
        reset: None,
    };
    let slave = m.in_domain(bus, |m| m.sink(PREFIX, top_axi));
    m.connect(&slave, &ic.bundle(PREFIX, top_axi)?);
    for w in &windows {
        let wclk = m.clock(format!("{}_clk", w.name));
        let wrst = m.reset(format!("{}_rst", w.name));
        let r = m.instance(format!("u_{}", w.name), block.clone());
        m.assign(r.io("clk")?, wclk);
        m.assign(r.io("rst")?, wrst);
        m.assign(ic.io(&format!("{}_clk", w.name))?, wclk);
        m.assign(ic.io(&format!("{}_rst", w.name))?, wrst);
        let block_axi = Axi4Lite::new(w.addr_width, REG_BITS);
        let master = ic.bundle(&format!("{}_axil_", w.name), block_axi)?;
        m.connect(&master, &r.bundle(PREFIX, block_axi)?);
        for (reg, f) in map
            .regs
            .iter()
            .flat_map(|r| r.fields.iter().map(move |f| (r, f)))
        {
            let input = match f.access {
                Access::Ro => format!("{}_{}", reg.name, f.name),
                Access::W1c => format!("{}_{}_set", reg.name, f.name),
                Access::Rc => format!("{}_{}_inc", reg.name, f.name),
                _ => continue,
            };
            let port = r.io(&input)?;
            m.assign(port, lit(0, port.width()));
        }
    }
    m.finish()
}

/// Steps until the bus clock has had one more rising edge.
fn edge(sim: &mut Sim) {
    let n = sim.cycles("clk").expect("clock");
    while sim.cycles("clk").expect("clock") == n {
        sim.step().expect("step");
    }
}

fn poke(sim: &mut Sim, port: &str, v: u64) {
    sim.poke(&format!("{PREFIX}{port}"), v).expect("poke");
}

fn peek(sim: &mut Sim, port: &str) -> u64 {
    sim.peek(&format!("{PREFIX}{port}")).expect("peek")
}

/// Waits `delay` bus cycles, then raises the valids in `valids` and holds
/// them (checking nothing else moves) until `ready` is seen at an edge.
fn handshake(sim: &mut Sim, valids: &[&str], ready: &str, delay: u64) -> Result<(), String> {
    for _ in 0..delay {
        edge(sim);
    }
    for v in valids {
        poke(sim, v, 1);
    }
    for _ in 0..200 {
        let taken = peek(sim, ready) == 1;
        edge(sim);
        if taken {
            for v in valids {
                poke(sim, v, 0);
            }
            return Ok(());
        }
    }
    Err(format!("`{ready}` never rose"))
}

/// Waits for `valid` with `ready` driven by `rng` (random backpressure);
/// returns the cycles `valid` was held before the handshake.
fn response(
    sim: &mut Sim,
    valid: &str,
    ready: &str,
    rng: &mut XorShift,
) -> Result<(u64, u64), String> {
    for _ in 0..400 {
        let r = rng.word() & 3 != 0;
        poke(sim, ready, u64::from(r));
        let v = peek(sim, valid) == 1;
        let payload = (
            peek(sim, "rdata"),
            peek(sim, if valid == "bvalid" { "bresp" } else { "rresp" }),
        );
        edge(sim);
        if v && r {
            poke(sim, ready, 0);
            return Ok(payload);
        }
    }
    Err(format!("`{valid}` never rose"))
}

/// AXI's `SLVERR` response: the addressed slave has nothing there.
const SLVERR: u64 = 0b10;
/// AXI's `DECERR` response: no slave claims the address.
const DECERR: u64 = 0b11;

/// The interconnect's own answer to `addr` when no register block gets it:
/// DECERR when no window claims it, SLVERR otherwise.
fn unmapped_resp(addr: u32) -> u64 {
    if ((addr >> WINDOW_BITS) as usize) < PERIODS.len() {
        SLVERR
    } else {
        DECERR
    }
}

/// What the card's decoder says about `addr`: the window and the offset in
/// it, when the address reaches a register block.
fn decode(addr: u32, map: &RegMap) -> Option<(usize, u32)> {
    let w = (addr >> WINDOW_BITS) as usize;
    let off = addr & (WINDOW_BYTES - 1);
    (w < PERIODS.len() && off >> map.addr_width == 0).then_some((w, off))
}

/// A random address: mostly a register of a random window, sometimes any
/// offset (outside the block, unaligned) or an unmapped window.
fn address(rng: &mut XorShift, map: &RegMap) -> u32 {
    let r = rng.word();
    let windows = 1u64 << (bus_addr_width(PERIODS.len()) - WINDOW_BITS);
    let w = (r % windows) as u32;
    let off = if r >> 8 & 3 == 0 {
        (r >> 16) as u32 & (WINDOW_BYTES - 1)
    } else {
        map.regs[(r >> 16) as usize % map.regs.len()].offset
    };
    (w << WINDOW_BITS) | off
}

/// Counts of a run.
#[derive(Debug, Default)]
struct Counts {
    reads: u64,
    writes: u64,
    slverr: u64,
    decerr: u64,
}

/// `transactions` random reads and writes after reset; the first
/// response unlike the model is an error.
fn run(seed: u64, transactions: usize) -> Result<Counts, String> {
    let map = default_map();
    let design = Design::new(top(&map).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let mut sim = Sim::new(&design).map_err(|e| e.to_string())?;
    sim.clock("clk", BUS_PERIOD, 0).map_err(|e| e.to_string())?;
    for (i, p) in PERIODS.iter().enumerate() {
        sim.clock(&format!("w{i}_clk"), *p, (*p / 3) * i as u64)
            .map_err(|e| e.to_string())?;
    }
    let resets: Vec<String> = std::iter::once("rst".to_string())
        .chain((0..PERIODS.len()).map(|i| format!("w{i}_rst")))
        .collect();
    for r in &resets {
        sim.poke(r, 1).map_err(|e| e.to_string())?;
    }
    for _ in 0..6 {
        edge(&mut sim);
    }
    for r in &resets {
        sim.poke(r, 0).map_err(|e| e.to_string())?;
    }
    let mut models: Vec<Model> = (0..PERIODS.len()).map(|_| Model::new(&map)).collect();
    let zero = Inputs::zero(&map);
    let mut rng = XorShift::new(seed | 1);
    let mut counts = Counts::default();
    for t in 0..transactions {
        let addr = address(&mut rng, &map);
        let delay = rng.word() % 3;
        let target = decode(addr, &map);
        let (got, want) = if rng.word() & 1 == 0 {
            let w = Write {
                addr,
                data: rng.word() as u32,
                strb: (rng.word() & 0xF) as u8,
            };
            poke(&mut sim, "awaddr", addr.into());
            poke(&mut sim, "wdata", w.data.into());
            poke(&mut sim, "wstrb", w.strb.into());
            handshake(&mut sim, &["awvalid", "wvalid"], "awready", delay)?;
            let (_, resp) = response(&mut sim, "bvalid", "bready", &mut rng)?;
            counts.writes += 1;
            let want = match target {
                Some((i, off)) => {
                    let r = models[i].write_resp(off);
                    models[i].step(&zero, None, Some(Write { addr: off, ..w }));
                    r.code()
                }
                None => unmapped_resp(addr),
            };
            ((0, resp), (0, want))
        } else {
            poke(&mut sim, "araddr", addr.into());
            handshake(&mut sim, &["arvalid"], "arready", delay)?;
            let got = response(&mut sim, "rvalid", "rready", &mut rng)?;
            counts.reads += 1;
            let want = match target {
                Some((i, off)) => models[i]
                    .step(&zero, Some(off), None)
                    .map(|(d, r)| (u64::from(d), r.code()))
                    .unwrap_or((0, 2)),
                None => (0, unmapped_resp(addr)),
            };
            (got, want)
        };
        match got.1 {
            SLVERR => counts.slverr += 1,
            DECERR => counts.decerr += 1,
            _ => {}
        }
        if got != want {
            return Err(format!(
                "transaction {t} at {addr:#06x}: got (data, resp) {got:x?}, model {want:x?}"
            ));
        }
    }
    Ok(counts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(8), ..ProptestConfig::default() })]

    /// Random traffic across the windows answers as the models say.
    #[test]
    fn random_traffic_across_windows_matches_the_models(seed: u64) {
        let counts = run(seed, 120);
        prop_assert!(counts.is_ok(), "{:?}", counts.err());
    }
}

/// A longer run reaches every kind of response.
#[test]
fn a_long_run_sees_reads_writes_slverr_and_decerr() {
    let c = run(0x5EED, 400).expect("matches the models");
    assert!(
        c.reads > 100 && c.writes > 100 && c.slverr > 20 && c.decerr > 20,
        "{c:?}"
    );
}

#[test]
fn verilog_tools_accept_the_interconnect_top() {
    check_verilog(top(&default_map()));
}

#[test]
fn verilog_tools_accept_a_card() {
    let k = catalog::kind("card").expect("card is in the catalogue");
    let mut p = Params::defaults(&k.params);
    let row = |kind: &str, name: &str, set: &[(&str, Value)]| {
        let spec = k.param(kind).expect("component table");
        let linkforge_rtl::catalog::ParamKind::Table { row, .. } = &spec.kind else {
            panic!("`{kind}` is a table");
        };
        let mut r = Params::defaults(row);
        r.0.insert("name".into(), Value::Str(name.into()));
        for (n, v) in set {
            r.0.insert((*n).into(), v.clone());
        }
        Value::Group(r)
    };
    p.0.insert(
        "retimer".into(),
        Value::List(vec![row("retimer", "rx_a", &[("lanes", Value::Int(2))])]),
    );
    p.0.insert(
        "switch".into(),
        Value::List(vec![row(
            "switch",
            "fabric",
            &[
                ("max_packet_beats", Value::Int(16)),
                ("queue_depth", Value::Int(128)),
            ],
        )]),
    );
    // One PCS attached to a switch port (its bridges inside the card), one
    // on the card's ports.
    p.0.insert(
        "eth_pcs".into(),
        Value::List(vec![
            row(
                "eth_pcs",
                "uplink",
                &[
                    ("switch", Value::Str("fabric".into())),
                    ("port", Value::Int(1)),
                ],
            ),
            row("eth_pcs", "spare", &[]),
        ]),
    );
    check_verilog((k.build)("card_top", &p).map_err(|e| match e {
        linkforge_rtl::RtlError::Hdl(h) => h,
        other => panic!("{other}"),
    }));
}
