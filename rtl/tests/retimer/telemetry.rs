//! The retimer's telemetry over AXI4-Lite: a two-lane retimer built with
//! `telemetry` on clean channels (the recovered and local clocks equal).
//!
//! - PRBS: both lanes carry PRBS31; once the checkers are locked, bit
//!   errors are injected on lane 0 only. The bus reads exactly that count
//!   for lane 0, zero for lane 1, and both checkers locked.
//! - LTSSM: the lanes carry 128b/130b blocks with SKP ordered sets; once
//!   the lanes are aligned, training sets and data walk the tracker through
//!   Detect -> Polling -> Configuration -> L0 and then Recovery and back
//!   nine times (21 transitions). The bus reads the state, the transition
//!   and recovery counts, and the history FIFO: the first 16 states entered
//!   in order with rising time stamps, the count going down by one per
//!   read, the overflow flag on the first read only, then an empty FIFO.
//! - The die temperature at the high level raises `irq` and reads back in
//!   `alert_status`.
//! - The Verilog tools accept the retimer with telemetry.

use crate::support::{axi_read, check_verilog};
use linkforge_hdl::{Bits, Design};
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_rtl::retimer::ordered_sets::{PAD, TS1};
use linkforge_rtl::retimer::top::{register_map, STAMP_BITS};
use linkforge_rtl::telemetry::map::{RegMap, FIFO_DEPTH};
use linkforge_verif::models::channel::{Channel, ChannelConfig, Modulation};
use linkforge_verif::tb::retimer::link::{DATA_HEADER, OS_HEADER, SKP, SKP_END, SKP_SYMBOLS};
use linkforge_verif::tb::retimer::ltssm::CODES;
use linkforge_verif::Sim;

const LANES: u32 = 2;

/// The parameters of a `LANES`-lane retimer with telemetry.
fn params() -> Params {
    let k = catalog::kind("retimer").expect("retimer is in the catalogue");
    let mut p = Params::defaults(&k.params);
    p.0.insert("lanes".into(), Value::Int(LANES.into()));
    p.0.insert("telemetry".into(), Value::Bool(true));
    p
}

fn build(name: &str) -> Result<linkforge_hdl::Module, linkforge_hdl::HdlError> {
    let k = catalog::kind("retimer").expect("retimer is in the catalogue");
    (k.build)(name, &params()).map_err(|e| match e {
        linkforge_rtl::RtlError::Hdl(h) => h,
        other => panic!("{other}"),
    })
}

/// One bit per UI per lane, asked in order.
type Source = Box<dyn FnMut(u64) -> u8>;

/// The line: each lane's channel, fed by its source, sampled at the PI
/// code the retimer chose; one call of [`Line::ui`] is one UI (one edge
/// of `rx_clk`, the bus clock).
struct Line {
    channels: Vec<Channel>,
    ui: u64,
}

impl Line {
    fn new(sim: &mut Sim, sources: Vec<Source>) -> Line {
        sim.clock("rx_clk", 100_000, 0).expect("clock");
        sim.clock("clk", 100_000, 33_000).expect("clock");
        let channels = sources
            .into_iter()
            .enumerate()
            .map(|(lane, source)| {
                let cfg = ChannelConfig {
                    taps: vec![0.0, 1.0, 0.1, 0.0],
                    cursor: 1,
                    amplitude: 60.0,
                    noise_rms: 1.0,
                    initial_phase_ui: 0.3,
                    ..ChannelConfig::clean(Modulation::Nrz)
                };
                Channel::with_source(cfg, 17 + lane as u64, source)
            })
            .collect();
        for rst in ["rx_rst", "rst"] {
            sim.poke(rst, 1).expect("poke");
        }
        for _ in 0..8 {
            sim.step().expect("step");
        }
        for rst in ["rx_rst", "rst"] {
            sim.poke(rst, 0).expect("poke");
        }
        Line { channels, ui: 0 }
    }

    /// Drives one UI's samples and steps to the next edge of `rx_clk`.
    fn ui(&mut self, sim: &mut Sim) {
        let codes = sim.peek_bits("pi_code").expect("pi_code");
        let mut samples = Bits::zero(LANES * 8);
        let pi = 6;
        for (lane, ch) in self.channels.iter_mut().enumerate() {
            let code = codes.field(lane as u32 * pi, pi) as u32;
            samples.set_field(lane as u32 * 8, 8, ch.sample(code) as u64);
        }
        sim.poke_bits("rx_sample", &samples).expect("poke");
        let n = sim.cycles("rx_clk").expect("clock");
        while sim.cycles("rx_clk").expect("clock") == n {
            sim.step().expect("step");
        }
        self.ui += 1;
    }

    /// Reads `addr` over the bus while the line runs.
    fn read(&mut self, sim: &mut Sim, addr: u32) -> u64 {
        let (data, resp) = axi_read(sim, addr.into(), &mut |sim| self.ui(sim), &mut |_| {});
        assert_eq!(resp, 0, "OKAY at {addr:#x}");
        data
    }
}

/// The offset of register `name`.
fn offset(map: &RegMap, name: &str) -> u32 {
    map.regs
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("register {name}"))
        .offset
}

/// PRBS31 bits (x^31 + x^28 + 1, all-ones seed, the output is the feedback
/// bit) with the bits at the UIs in `flips` inverted.
fn prbs31(flips: Vec<u64>) -> Source {
    let mut s: u32 = 0x7FFF_FFFF;
    Box::new(move |i| {
        let f = ((s >> 30) ^ (s >> 27)) & 1;
        s = ((s << 1) | f) & 0x7FFF_FFFF;
        f as u8 ^ u8::from(flips.contains(&i))
    })
}

#[test]
fn prbs_errors_read_back_per_lane() {
    let design = Design::new(build("rt").expect("builds")).expect("valid");
    let mut sim = Sim::new(&design).expect("compiles");
    let map = register_map(&params()).expect("valid").expect("telemetry");
    const FIRST: u64 = 12_000;
    let flips: Vec<u64> = (0..25).map(|k| FIRST + 97 * k).collect();
    let mut line = Line::new(&mut sim, vec![prbs31(flips.clone()), prbs31(Vec::new())]);
    while line.ui < FIRST - 500 {
        line.ui(&mut sim);
    }
    assert_eq!(sim.peek("prbs_locked").expect("peek"), 0b11, "locked");
    assert_eq!(
        sim.peek_bits("prbs_errors").expect("peek").low_u64(),
        0,
        "no errors before the injected ones"
    );
    while line.ui < FIRST + 97 * 25 + 200 {
        line.ui(&mut sim);
    }
    let lane = |line: &mut Line, sim: &mut Sim, k| line.read(sim, offset(&map, k));
    assert_eq!(
        lane(&mut line, &mut sim, "prbs_errors_0"),
        flips.len() as u64
    );
    assert_eq!(lane(&mut line, &mut sim, "prbs_errors_1"), 0);
    assert_eq!(lane(&mut line, &mut sim, "prbs_locked"), 0b11);
}

/// A block: header (H0 in bit 0) and 16 symbols.
type Block = (u8, [u8; 16]);

fn data(k: u64) -> Block {
    let mut sym = [0u8; 16];
    for (i, s) in sym.iter_mut().enumerate() {
        *s = (k.wrapping_mul(0x9E37_79B9) >> (i % 8 * 4)) as u8 ^ i as u8;
    }
    (DATA_HEADER, sym)
}

fn skp_os() -> Block {
    let mut sym = [0u8; 16];
    sym[..SKP_SYMBOLS].fill(SKP);
    sym[SKP_SYMBOLS] = SKP_END;
    (OS_HEADER, sym)
}

/// A TS1 with link number `link`, no control bits, EC 0.
fn ts1(link: u8) -> Block {
    let mut sym = [0x4Au8; 16];
    sym[0] = TS1 as u8;
    sym[1] = link;
    sym[5] = 0;
    sym[6] = 0;
    (OS_HEADER, sym)
}

/// Blocks: `preamble` data blocks, then `script`, then data, with a SKP
/// ordered set inserted as every 16th block (from block 8).
fn blocks(preamble: u64, script: Vec<Block>) -> Source {
    const BITS: u64 = 130;
    Box::new(move |i| {
        let b = i / BITS;
        // Blocks of content before block `b`: all but its SKP ordered sets.
        let c = b - (b + 7) / 16;
        let block = if b % 16 == 8 {
            skp_os()
        } else if c >= preamble && ((c - preamble) as usize) < script.len() {
            script[(c - preamble) as usize]
        } else {
            data(b)
        };
        let k = i % BITS;
        if k < 2 {
            (block.0 >> k) & 1
        } else {
            let k = (k - 2) as usize;
            (block.1[k / 8] >> (k % 8)) & 1
        }
    })
}

#[test]
fn ltssm_state_counts_and_history_read_back() {
    let design = Design::new(build("rt").expect("builds")).expect("valid");
    let mut sim = Sim::new(&design).expect("compiles");
    let map = register_map(&params()).expect("valid").expect("telemetry");
    let state = |name: &str| CODES.iter().position(|s| *s == name).expect("state") as u64;
    const PREAMBLE: u64 = 100;
    const ROUNDS: usize = 9;
    let mut script = vec![
        ts1(PAD as u8),
        ts1(PAD as u8),
        ts1(0),
        ts1(0),
        data(0),
        data(1),
    ];
    let mut expected = vec![state("Polling"), state("Configuration"), state("L0")];
    for _ in 0..ROUNDS {
        script.extend([ts1(0), data(2), data(3)]);
        expected.extend([state("Recovery"), state("L0")]);
    }
    let script_len = script.len() as u64;
    let mut line = Line::new(
        &mut sim,
        (0..LANES)
            .map(|_| blocks(PREAMBLE, script.clone()))
            .collect(),
    );
    while line.ui < PREAMBLE * 130 {
        line.ui(&mut sim);
    }
    assert_eq!(
        sim.peek("aligned").expect("peek"),
        1,
        "aligned before training"
    );
    assert_eq!(sim.peek("ltssm_state").expect("peek"), state("Detect"));
    while line.ui < (PREAMBLE + script_len * 2 + 20) * 130 {
        line.ui(&mut sim);
    }
    let read = |line: &mut Line, sim: &mut Sim, name: &str| line.read(sim, offset(&map, name));
    assert_eq!(read(&mut line, &mut sim, "ltssm_state"), state("L0"));
    assert_eq!(
        read(&mut line, &mut sim, "ltssm_transitions"),
        expected.len() as u64
    );
    assert_eq!(read(&mut line, &mut sim, "ltssm_recoveries"), ROUNDS as u64);
    // The history: the first FIFO_DEPTH states, oldest first.
    let hist = offset(&map, "ltssm_history");
    let mut last_stamp = None;
    for (k, &want) in expected.iter().take(FIFO_DEPTH as usize).enumerate() {
        let v = line.read(&mut sim, hist);
        let stamp = v >> 4 & ((1 << STAMP_BITS) - 1);
        let count = v >> (4 + STAMP_BITS) & 0x1F;
        let overflow = v >> (4 + STAMP_BITS + 5) & 1;
        assert_eq!(v & 0xF, want, "entry {k}: {v:#x}");
        assert_eq!(count, u64::from(FIFO_DEPTH) - k as u64, "entry {k}: {v:#x}");
        assert_eq!(overflow, u64::from(k == 0), "entry {k}: {v:#x}");
        assert!(
            last_stamp.is_none_or(|l| stamp > l),
            "entry {k}: stamps rise"
        );
        last_stamp = Some(stamp);
    }
    assert_eq!(line.read(&mut sim, hist), 0, "empty");

    // Temperature at the high level: alert_status.high and irq.
    sim.poke("temperature", 90).expect("poke");
    for _ in 0..4 {
        line.ui(&mut sim);
    }
    assert_eq!(sim.peek("irq").expect("peek"), 1);
    assert_eq!(read(&mut line, &mut sim, "alert_status"), 0b01);
    assert_eq!(read(&mut line, &mut sim, "temperature"), 90);
}

#[test]
fn verilog_tools_accept_a_retimer_with_prbs_and_ltssm_telemetry() {
    check_verilog(build("retimer_tm2"));
}
