//! The Ethernet/switch bridges back to back: XGMII frames into
//! `xgmii_to_switch` (receive clock), its switch packets straight into
//! `switch_to_xgmii` (switch clock, credits between them), and XGMII frames
//! out (transmit clock), three clocks at different periods. Properties:
//!
//! - every good frame of a carried size comes out intact, in order, with
//!   start in lane 0, preamble, SFD, terminate and at least
//!   `MIN_IPG_BYTES` idles between frames;
//! - frames with a wrong FCS, runts and frames longer than
//!   `max_frame_beats` never come out, and the counters say why;
//! - with a transmit clock too slow for the traffic, frames are dropped
//!   whole (counted as overflow), never cut or corrupted;
//! - both bridges are lint-clean Verilog.

use crate::support::{cases, check_verilog};
use linkforge_hdl::prelude::*;
use linkforge_hdl::Design;
use linkforge_rtl::card::bridge::{
    switch_to_xgmii, xgmii_to_switch, BridgeConfig, MIN_FRAME_BYTES, MIN_IPG_BYTES,
};
use linkforge_rtl::ethernet::{IDLE, START};
use linkforge_rtl::switch::credit::TYPE_NAMES;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::ethernet::model::fcs::{self, FrameEnd, Monitor};
use linkforge_verif::tb::ethernet::source::Source;
use linkforge_verif::Sim;
use proptest::prelude::*;

/// The counters the top brings out: (instance, counter).
const COUNTERS: [(&str, &str); 8] = [
    ("rx", "rx_frames"),
    ("rx", "rx_dropped"),
    ("rx", "rx_oversize"),
    ("rx", "rx_overflow"),
    ("rx", "packets"),
    ("tx", "packets"),
    ("tx", "tx_frames"),
    ("tx", "underruns"),
];

/// Both bridges, the first's packets and credits wired to the second.
fn top(cfg: &BridgeConfig) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("bridge_loop");
    let rx_clk = m.clock("rx_clk");
    let rx_rst = m.reset("rx_rst");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let tx_clk = m.clock("tx_clk");
    let tx_rst = m.reset("tx_rst");
    let rx = m.instance("u_rx", xgmii_to_switch("rx_bridge", cfg)?);
    let tx = m.instance("u_tx", switch_to_xgmii("tx_bridge", cfg)?);
    m.assign(rx.io("rx_clk")?, rx_clk);
    m.assign(rx.io("rx_rst")?, rx_rst);
    m.assign(rx.io("clk")?, clk);
    m.assign(rx.io("rst")?, rst);
    m.assign(tx.io("clk")?, clk);
    m.assign(tx.io("rst")?, rst);
    m.assign(tx.io("tx_clk")?, tx_clk);
    m.assign(tx.io("tx_rst")?, tx_rst);
    let rx_domain = Domain {
        clock: rx_clk,
        reset: None,
    };
    let mut ins = Vec::new();
    m.in_domain(rx_domain, |m| {
        for (name, width) in [("xgmii_rx_valid", 1), ("xgmii_rxd", 64), ("xgmii_rxc", 8)] {
            ins.push((name, m.input(name, width)));
        }
    });
    for (name, s) in ins {
        m.assign(rx.io(name)?, s);
    }
    let tx_domain = Domain {
        clock: tx_clk,
        reset: None,
    };
    let mut ready = None;
    m.in_domain(tx_domain, |m| ready = Some(m.input("xgmii_tx_ready", 1)));
    if let Some(r) = ready {
        m.assign(tx.io("xgmii_tx_ready")?, r);
    }
    for name in ["xgmii_txd", "xgmii_txc"] {
        let p = tx.io(name)?;
        let o = m.output(name, p.width());
        m.assign(o, p);
    }
    let stream = TlpStream::new(64);
    m.connect(&rx.bundle("pkt_", stream)?, &tx.bundle("pkt_", stream)?);
    for (h, d) in TYPE_NAMES {
        for t in [h, d] {
            let name = format!("pkt_fc_{t}");
            m.assign(rx.io(&name)?, tx.io(&name)?);
        }
    }
    for (inst, counter) in COUNTERS {
        let u = if inst == "rx" { &rx } else { &tx };
        let p = u.io(counter)?;
        let o = m.output(format!("{inst}_{counter}"), p.width());
        m.assign(o, p);
    }
    m.finish()
}

/// One run's stimulus.
#[derive(Clone, Debug)]
struct Setup {
    seed: u64,
    max_frame_beats: u32,
    /// Clock periods (ps): receive, switch, transmit.
    periods: (u64, u64, u64),
    /// The PCS takes a transmit word at one edge in this many (1: always).
    tx_every: u64,
    frames: usize,
}

/// What a frame was sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sent {
    Good,
    BadFcs,
    Runt,
    Oversize,
}

struct Outcome {
    sent: Vec<(Vec<u8>, Sent)>,
    received: Vec<FrameEnd>,
    /// Transmit words, in order.
    words: Vec<(u64, u8)>,
    counters: Vec<u64>,
    assertion_failures: usize,
}

fn run(s: &Setup) -> Outcome {
    let cfg = BridgeConfig {
        max_frame_beats: s.max_frame_beats,
    };
    let design = Design::new(top(&cfg).expect("builds")).expect("valid");
    let mut sim = Sim::new(&design).expect("compiles");
    let (prx, psw, ptx) = s.periods;
    sim.clock("rx_clk", prx, 0).unwrap();
    sim.clock("clk", psw, 0).unwrap();
    sim.clock("tx_clk", ptx, 0).unwrap();
    let mut rng = XorShift::new(s.seed);
    let mut source = Source::new();
    let mut sent = Vec::new();
    let max = cfg.max_frame_bytes();
    for _ in 0..s.frames {
        let kind = match rng.word() % 10 {
            0 => Sent::BadFcs,
            1 => Sent::Runt,
            2 => Sent::Oversize,
            _ => Sent::Good,
        };
        let len = match kind {
            Sent::Runt => 10 + rng.word() as usize % (MIN_FRAME_BYTES - 10),
            Sent::Oversize => max + 1 + rng.word() as usize % 16,
            _ => MIN_FRAME_BYTES + rng.word() as usize % (max - MIN_FRAME_BYTES + 1),
        };
        let body: Vec<u8> = (0..len - 4).map(|_| rng.word() as u8).collect();
        let mut bytes = fcs::with_fcs(&body);
        if kind == Sent::BadFcs {
            let at = rng.word() as usize % bytes.len();
            bytes[at] ^= 1 << (rng.word() % 8);
        }
        source.frame(&bytes, 12 + rng.word() as usize % 8);
        sent.push((bytes, kind));
    }
    source.idle(64);
    let resets = ["rx_rst", "rst", "tx_rst"];
    for r in resets {
        sim.poke(r, 1).unwrap();
    }
    for _ in 0..30 {
        sim.step().unwrap();
    }
    for r in resets {
        sim.poke(r, 0).unwrap();
    }
    sim.poke("xgmii_tx_ready", 1).unwrap();
    let mut monitor = Monitor::new();
    let mut received = Vec::new();
    let mut words = Vec::new();
    let mut idle_cycles = 0;
    while idle_cycles < 4000 {
        let (d, c) = (
            sim.peek("xgmii_txd").unwrap(),
            sim.peek("xgmii_txc").unwrap() as u8,
        );
        let taken = sim.peek("xgmii_tx_ready").unwrap() == 1;
        let (rx0, tx0) = (sim.cycles("rx_clk").unwrap(), sim.cycles("tx_clk").unwrap());
        sim.step().unwrap();
        let tx1 = sim.cycles("tx_clk").unwrap();
        if tx1 > tx0 {
            if taken {
                words.push((d, c));
                if let Some(end) = monitor.word(d, c) {
                    received.push(end);
                }
            }
            let next = tx1 % s.tx_every == 0;
            sim.poke("xgmii_tx_ready", next.into()).unwrap();
        }
        if sim.cycles("rx_clk").unwrap() > rx0 {
            if source.queued() > 0 {
                let (d, c) = source.word();
                sim.poke("xgmii_rxd", d).unwrap();
                sim.poke("xgmii_rxc", c.into()).unwrap();
                sim.poke("xgmii_rx_valid", 1).unwrap();
            } else {
                sim.poke("xgmii_rxd", u64::from_ne_bytes([IDLE; 8]))
                    .unwrap();
                sim.poke("xgmii_rxc", 0xFF).unwrap();
                idle_cycles += 1;
            }
        }
    }
    let counters = COUNTERS
        .iter()
        .map(|(i, c)| sim.peek(&format!("{i}_{c}")).unwrap())
        .collect();
    Outcome {
        sent,
        received,
        words,
        counters,
        assertion_failures: sim.failures().len(),
    }
}

fn counter(o: &Outcome, inst: &str, name: &str) -> u64 {
    let i = COUNTERS
        .iter()
        .position(|&(a, b)| a == inst && b == name)
        .expect("counter");
    o.counters[i]
}

/// The transmit stream's framing: start only in lane 0 with the preamble
/// and SFD, and at least `MIN_IPG_BYTES` idles from a terminate to the next
/// start.
fn check_framing(words: &[(u64, u8)]) {
    let mut idles_since_end: Option<usize> = None;
    for (n, &(d, c)) in words.iter().enumerate() {
        for lane in 0..8 {
            let (b, k) = ((d >> (8 * lane)) as u8, c >> lane & 1 == 1);
            if k && b == START {
                assert_eq!(lane, 0, "word {n}: start in lane {lane}");
                assert_eq!((d, c), (0xD555_5555_5555_55FB, 1), "word {n}: start word");
                if let Some(idles) = idles_since_end {
                    assert!(
                        idles >= MIN_IPG_BYTES,
                        "word {n}: only {idles} idles before start"
                    );
                }
                idles_since_end = None;
            } else if k && b == IDLE {
                if let Some(i) = idles_since_end.as_mut() {
                    *i += 1;
                }
            } else if k && b == linkforge_rtl::ethernet::TERMINATE {
                idles_since_end = Some(0);
            }
        }
    }
}

fn check(s: &Setup, o: &Outcome) {
    assert_eq!(o.assertion_failures, 0, "an assertion failed");
    assert_eq!(counter(o, "tx", "underruns"), 0);
    check_framing(&o.words);
    let carried: Vec<&Vec<u8>> = o
        .sent
        .iter()
        .filter(|(_, k)| *k == Sent::Good)
        .map(|(b, _)| b)
        .collect();
    let mut got = Vec::new();
    for end in &o.received {
        match end {
            FrameEnd::Good(bytes) => got.push(bytes),
            other => panic!("a frame came out broken: {other:?}"),
        }
    }
    // Frames come out in order, each a carried one; none skipped unless
    // dropped for lack of room.
    let overflow = counter(o, "rx", "rx_overflow");
    let mut next = 0;
    for f in &got {
        let i = carried[next..]
            .iter()
            .position(|c| c == f)
            .unwrap_or_else(|| panic!("a {}-byte frame out of order or never sent", f.len()));
        next += i + 1;
    }
    let count = |k: Sent| o.sent.iter().filter(|(_, x)| *x == k).count() as u64;
    let n = o.sent.len() as u64;
    assert_eq!(counter(o, "rx", "rx_frames"), n);
    assert_eq!(counter(o, "rx", "rx_oversize"), count(Sent::Oversize));
    // Good frames missing were dropped for room (so were some bad ones,
    // perhaps: they count once, as dropped, and as overflow).
    let lost = (carried.len() - got.len()) as u64;
    assert!(
        overflow >= lost,
        "{lost} good frames lost, {overflow} overflows"
    );
    assert_eq!(
        counter(o, "rx", "rx_dropped"),
        count(Sent::BadFcs) + count(Sent::Runt) + count(Sent::Oversize) + lost
    );
    for name in [("rx", "packets"), ("tx", "packets"), ("tx", "tx_frames")] {
        assert_eq!(counter(o, name.0, name.1), got.len() as u64, "{name:?}");
    }
    if s.tx_every == 1 && s.periods.2 <= s.periods.0 && s.periods.1 <= s.periods.0 {
        assert_eq!(
            overflow, 0,
            "a transmit side as fast as the receive side dropped frames"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(6)))]

    /// Three clocks at random periods, the switch and transmit sides at
    /// least as fast as the receive side: every good frame of a carried
    /// size arrives.
    #[test]
    fn frames_cross_intact_and_in_order(
        seed in any::<u64>(),
        max_frame_beats in 8u32..=40,
        rx in 5_000u64..8_000,
        sw_percent in 40u64..=100,
    ) {
        let s = Setup {
            seed,
            max_frame_beats,
            periods: (rx, rx * sw_percent / 100, rx * 9 / 10),
            tx_every: 1,
            frames: 40,
        };
        check(&s, &run(&s));
    }
}

/// A transmit side a third the speed of the receive side: frames are
/// dropped whole and counted, the ones that arrive are intact and in order.
#[test]
fn a_slow_transmit_side_drops_whole_frames() {
    let s = Setup {
        seed: 7,
        max_frame_beats: 16,
        periods: (6_400, 5_000, 6_400),
        tx_every: 3,
        frames: 60,
    };
    let o = run(&s);
    check(&s, &o);
    assert!(counter(&o, "rx", "rx_overflow") > 0, "nothing overflowed");
}

#[test]
fn bridges_are_lint_clean_verilog() {
    let cfg = BridgeConfig {
        max_frame_beats: 64,
    };
    check_verilog(xgmii_to_switch("xgmii_to_switch", &cfg));
    check_verilog(switch_to_xgmii("switch_to_xgmii", &cfg));
}
