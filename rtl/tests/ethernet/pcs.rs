//! `eth_pcs` end to end: XGMII frames through the transmit path, a serial
//! line (verif's `SerialChannel`) with a random bit offset, a bit slip and
//! optional bit errors, and the receive path. Properties:
//!
//! - decode(descramble(lock(slip(scramble(encode(x)))))) = x: while locked
//!   (away from the slip), the received XGMII words are the sent ones;
//! - lock comes within `EthPcsConfig::lock_bound_blocks` blocks, and again
//!   after the slip;
//! - with bit errors, no received frame that differs from every sent frame
//!   passes with a correct FCS, and the PCS counts every frame it ends;
//! - a burst of invalid headers raises `rx_hi_ber` when the BER model
//!   says; ordered sets pass and illegal words become error blocks.
//!
//! The runs drive the PCS's ports and the line through the PCS
//! testbench's pieces (`linkforge_verif::tb::ethernet::ports`).

use crate::support::{cases, check_verilog};
use linkforge_hdl::{Bits, Design};
use linkforge_rtl::ethernet::pcs::{eth_pcs, EthPcsConfig, COUNTERS};
use linkforge_rtl::ethernet::{ERROR, LOCAL_FAULT_C, LOCAL_FAULT_D};
use linkforge_verif::cosim::{self, ClockSpec, Peer, Stimulus};
use linkforge_verif::models::serial::SerialChannel;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::ethernet::model::ber;
use linkforge_verif::tb::ethernet::model::fcs::{self, FrameEnd, Monitor};
use linkforge_verif::tb::ethernet::ports::{PcsPorts, LINE_DELAY};
use linkforge_verif::tb::ethernet::source::Source;
use linkforge_verif::tb::RESET_CYCLES;
use linkforge_verif::Sim;
use proptest::prelude::*;
use std::collections::HashSet;

/// What a run saw.
#[derive(Default)]
struct Run {
    /// XGMII words sent, in order.
    sent: Vec<(u64, u8)>,
    /// Frames sent (FCS included).
    frames: HashSet<Vec<u8>>,
    /// Received words, each with whether lock was high, the cycle, and
    /// the received blocks so far.
    received: Vec<((u64, u8), bool, u64)>,
    /// Received blocks counted until the first lock, and from the slip to
    /// the lock after it.
    lock_blocks: Vec<u64>,
    /// Counters at the end, by port name.
    counters: Vec<(&'static str, u64)>,
    /// Bit errors the channel made.
    bit_errors: u64,
    /// The data inputs of every step, in port order, for co-simulation.
    inputs: Vec<Vec<Bits>>,
}

/// The stimulus of one run.
struct Setup {
    cfg: EthPcsConfig,
    seed: u64,
    offset: usize,
    cycles: u64,
    /// The cycle of the bit slip, and whether it adds a bit.
    slip: Option<(u64, bool)>,
    /// Mean bits between bit errors after lock (0: none).
    error_interval: u64,
}

fn design(cfg: &EthPcsConfig) -> Design {
    Design::new(eth_pcs("eth_pcs", cfg).expect("builds")).expect("valid")
}

fn run(s: &Setup) -> Run {
    let design = design(&s.cfg);
    let mut sim = Sim::new(&design).expect("compiles");
    let ports = PcsPorts::new(&sim, "", s.cfg.gearbox).expect("the PCS's ports");
    let inputs: Vec<String> = cosim::data_inputs(design.top())
        .iter()
        .map(|&(n, _)| n.to_string())
        .collect();
    let mut rng = XorShift::new(s.seed);
    let mut line = SerialChannel::new(rng.word(), LINE_DELAY + s.offset);
    let mut source = Source::new();
    let mut out = Run::default();
    let mut blocks = 0u64;
    let mut hunt_from = Some(0u64);
    // A slip was made and lock has not been lost since.
    let mut slipped = false;
    for cycle in 0..s.cycles {
        let in_reset = cycle < RESET_CYCLES;
        ports.reset(&mut sim, in_reset).expect("poke");
        if Some(cycle) == s.slip.map(|x| x.0) {
            line.slip(s.slip.is_some_and(|x| x.1));
            slipped = true;
        }
        ports.carry(&mut sim, &mut line, false).expect("poke");
        if sim.peek_handle(ports.tx_ready) == 1 {
            while source.queued() < 16 {
                let len = 46 + rng.word() % 80;
                let body: Vec<u8> = (0..len).map(|_| rng.word() as u8).collect();
                let frame = fcs::with_fcs(&body);
                source.frame(&frame, 5 + (rng.word() % 12) as usize);
                out.frames.insert(frame);
            }
            let word = source.word();
            ports.send(&mut sim, word).expect("poke");
            if !in_reset {
                out.sent.push(word);
            }
        }
        out.inputs.push(
            inputs
                .iter()
                .map(|n| sim.peek_bits(n).expect("input"))
                .collect(),
        );
        sim.step().expect("no assertion fails");
        if in_reset {
            continue;
        }
        if let Some(word) = ports.received(&mut sim) {
            blocks += 1;
            let lock = sim.peek_handle(ports.lock) == 1;
            out.received.push((word, lock, cycle));
            if !lock && slipped {
                slipped = false;
                hunt_from = Some(blocks);
            }
            if lock {
                if let Some(from) = hunt_from.take() {
                    out.lock_blocks.push(blocks - from);
                    line.set_error_interval(s.error_interval);
                }
            }
        }
    }
    out.counters = COUNTERS
        .iter()
        .zip(&ports.counters)
        .map(|(&n, &h)| (n, sim.peek_handle(h)))
        .collect();
    out.bit_errors = line.errors;
    out
}

/// `words` received from the rise of block lock on, without the local
/// fault of the blocks still in the pipeline from before it and the error
/// characters of a frame the receiver joined midway (neither is in a sent
/// stream).
fn settled(words: &[(u64, u8)]) -> &[(u64, u8)] {
    let skip = [
        (LOCAL_FAULT_D, LOCAL_FAULT_C as u8),
        (u64::from_ne_bytes([ERROR; 8]), 0xFF),
    ];
    let from = words.iter().position(|w| !skip.contains(w));
    &words[from.unwrap_or(words.len())..]
}

/// Whether `words` appear in `sent` as one run (the received stream is a
/// piece of the sent one).
fn is_piece_of(sent: &[(u64, u8)], words: &[(u64, u8)]) -> bool {
    words.is_empty()
        || (0..sent.len()).any(|p| {
            let tail = &sent[p..];
            tail.len() >= words.len() && tail[..words.len()] == *words
                || words.len() > tail.len() && words[..tail.len()] == *tail && !tail.is_empty()
        })
}

fn counter(r: &Run, name: &str) -> u64 {
    r.counters.iter().find(|c| c.0 == name).map_or(0, |c| c.1)
}

fn config(width: u32, gearbox: bool) -> EthPcsConfig {
    EthPcsConfig {
        width,
        gearbox,
        ..EthPcsConfig::default()
    }
}

/// The PCS configurations under test: the SERDES gearbox at 64 bits, and
/// the PCS's own gearbox at a random width.
fn any_config() -> impl Strategy<Value = EthPcsConfig> {
    prop_oneof![
        Just(config(64, false)),
        (8u32..=64).prop_map(|w| config(w, true)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(6), ..ProptestConfig::default() })]

    /// From a random bit offset the receiver locks within the bound and
    /// then delivers exactly the sent XGMII words; a later bit slip loses
    /// lock, which comes back within the bound, and the words after it are
    /// exact again.
    #[test]
    fn frames_survive_offsets_and_slips(
        cfg in any_config(),
        seed in 1u64..,
        offset in 0usize..66,
        add in any::<bool>(),
    ) {
        let blocks_per_cycle = f64::from(cfg.width) / 66.0;
        let lock_cycles = (cfg.lock_bound_blocks() as f64 / blocks_per_cycle) as u64 + 10;
        let slip_at = lock_cycles + 300;
        let setup = Setup {
            cfg,
            seed,
            offset,
            cycles: slip_at + lock_cycles + 400,
            slip: Some((slip_at, add)),
            error_interval: 0,
        };
        let r = run(&setup);
        prop_assert_eq!(r.lock_blocks.len(), 2, "locked, slipped and locked again");
        for &b in &r.lock_blocks {
            prop_assert!(b <= cfg.lock_bound_blocks(), "lock took {} blocks", b);
        }
        prop_assert_eq!(counter(&r, "rx_lock_losses"), 1);
        // Locked words before the slip, and after the lock that follows it.
        let before: Vec<_> = r.received.iter()
            .filter(|x| x.1 && x.2 < slip_at).map(|x| x.0).collect();
        let relock = r.received.iter().rposition(|x| !x.1).map_or(0, |i| i + 1);
        let after: Vec<_> = r.received[relock..].iter().map(|x| x.0).collect();
        let (before, after) = (settled(&before), settled(&after));
        prop_assert!(before.len() > 200 && after.len() > 200, "{} {}", before.len(), after.len());
        prop_assert!(is_piece_of(&r.sent, before), "words before the slip differ");
        prop_assert!(is_piece_of(&r.sent, after), "words after the relock differ");
        // Between the slip and the loss of lock, misaligned blocks with
        // valid-looking headers decode as garbage (802.3 relies on the FCS
        // for them): a frame may end there with an FCS error, and only there
        // (local fault aborts any frame still open at the loss of lock).
        let terminates_in_window = r.received[..relock]
            .iter()
            .filter(|x| x.2 >= slip_at)
            .filter(|((d, c), ..)| (0..8).any(|i| c >> i & 1 == 1 && (d >> (8 * i)) & 0xFF == 0xFD))
            .count() as u64;
        prop_assert!(
            counter(&r, "rx_fcs_errors") <= terminates_in_window,
            "{} FCS errors, {} frame ends around the slip",
            counter(&r, "rx_fcs_errors"),
            terminates_in_window
        );
        prop_assert!(counter(&r, "rx_frames") > 4);
    }

    /// With random bit errors after lock, every frame the receiver ends
    /// goes to the PCS counters as the framing model classifies it, no
    /// frame unlike every sent one passes with a correct FCS, and the
    /// errors show in the counters.
    #[test]
    fn bit_errors_are_counted_and_never_pass_as_good_frames(
        cfg in any_config(),
        seed in 1u64..,
        offset in 0usize..66,
        interval in 2_000u64..20_000,
    ) {
        let blocks_per_cycle = f64::from(cfg.width) / 66.0;
        let lock_cycles = (cfg.lock_bound_blocks() as f64 / blocks_per_cycle) as u64 + 10;
        let setup = Setup {
            cfg,
            seed,
            offset,
            cycles: lock_cycles + (3000.0 / blocks_per_cycle) as u64,
            slip: None,
            error_interval: interval,
        };
        let r = run(&setup);
        prop_assert!(r.bit_errors > 0);
        let mut model = Monitor::new();
        let (mut frames, mut fcs_errors, mut aborted, mut corrupted) = (0, 0, 0, 0);
        // The PCS counts a frame two edges after the word that ends it.
        let counted = r.received.iter().filter(|x| x.2 + 2 < setup.cycles);
        for &((d, c), _, _) in counted {
            match model.word(d, c) {
                Some(FrameEnd::Good(f)) => {
                    prop_assert!(r.frames.contains(&f), "a corrupted frame passed as good");
                    frames += 1;
                }
                Some(FrameEnd::FcsError(f)) => {
                    prop_assert!(!r.frames.contains(&f));
                    frames += 1;
                    fcs_errors += 1;
                    corrupted += 1;
                }
                Some(FrameEnd::Aborted) => {
                    frames += 1;
                    aborted += 1;
                }
                None => {}
            }
        }
        prop_assert_eq!(counter(&r, "rx_frames"), frames);
        prop_assert_eq!(counter(&r, "rx_fcs_errors"), fcs_errors);
        prop_assert_eq!(counter(&r, "rx_frame_errors"), aborted);
        let seen = ["rx_bad_headers", "rx_block_errors", "rx_fcs_errors", "rx_frame_errors"]
            .iter().map(|n| counter(&r, n)).sum::<u64>();
        prop_assert!(seen > 0 || corrupted == 0, "{} bit errors, none counted", r.bit_errors);
    }
}

/// Icarus, running the emitted Verilog, agrees with the built-in simulator
/// on every output at every step of a run through lock, frames, a slip
/// and bit errors.
#[test]
fn icarus_agrees_on_a_run_with_slip_and_errors() {
    if !crate::support::have("iverilog") {
        return;
    }
    for cfg in [config(64, false), config(32, true)] {
        let setup = Setup {
            cfg,
            seed: 5,
            offset: 17,
            cycles: 1600,
            slip: Some((1000, false)),
            error_interval: 3000,
        };
        let r = run(&setup);
        assert_locked(&r);
        let clocks = ["tx_clk", "rx_clk"]
            .map(|name| ClockSpec {
                name: name.into(),
                period_ps: 1000,
                phase_ps: 0,
            })
            .to_vec();
        let dir = tempfile::tempdir().expect("temporary directory");
        let stimulus = Stimulus::new(clocks, r.inputs);
        let compared = cosim::compare(&design(&cfg), &stimulus, Peer::Icarus, dir.path())
            .expect("co-simulation runs");
        compared.verdict().unwrap_or_else(|why| panic!("{why}"));
    }
}

/// The co-simulated run reached lock, so it covers more than the hunt.
fn assert_locked(r: &Run) {
    assert!(r.received.iter().any(|x| x.1), "never locked");
}

#[test]
fn verilog_tools_accept_pcs_variants() {
    for (width, gearbox) in [(64, false), (32, true), (64, true)] {
        let cfg = config(width, gearbox);
        check_verilog(eth_pcs(
            &format!("eth_pcs_w{width}_gb{}", u8::from(gearbox)),
            &cfg,
        ));
    }
}

#[test]
fn widths_below_64_need_the_gearbox() {
    assert!(eth_pcs("p", &config(32, false)).is_err());
    assert!(eth_pcs("p", &config(7, true)).is_err());
    let slow = EthPcsConfig {
        slip_wait: 1,
        ..EthPcsConfig::default()
    };
    assert!(eth_pcs("p", &slow).is_err());
}

/// SERDES looped back without a gearbox: lock after 64 blocks, and a
/// frame's data word comes back 7 edges after it is taken (3 transmit, 4
/// receive).
#[test]
fn loopback_latency_is_three_edges_out_and_four_back() {
    let mut sim = Sim::new(&design(&config(64, false))).expect("compiles");
    let mut marker_sent = None;
    for cycle in 0..200u64 {
        for rst in ["tx_rst", "rx_rst"] {
            sim.poke(rst, u64::from(cycle < 2)).expect("poke");
        }
        let hdr = sim.peek("serdes_tx_hdr").expect("peek");
        let data = sim.peek("serdes_tx_data").expect("peek");
        sim.poke("serdes_rx_hdr", hdr).expect("poke");
        sim.poke("serdes_rx_data", data).expect("poke");
        let marker = cycle == 150;
        // A start, the marker and a terminate, between idles.
        let (d, c) = match cycle {
            149 => (0xD555_5555_5555_55FB, 0x01),
            150 => (0x0123_4567_89AB_CDEF, 0),
            151 => (0x0707_0707_0707_07FD, 0xFF),
            _ => (0x0707_0707_0707_0707, 0xFF),
        };
        sim.poke("xgmii_txd", d).expect("poke");
        sim.poke("xgmii_txc", c).expect("poke");
        if marker {
            marker_sent = Some(cycle);
        }
        sim.step().expect("step");
        if cycle == 2 + 64 + 4 {
            assert_eq!(sim.peek("rx_block_lock").expect("peek"), 1);
        }
        if sim.peek("xgmii_rxc").expect("peek") == 0 {
            let sent = marker_sent.expect("only the marker is data");
            assert_eq!(sim.peek("xgmii_rxd").expect("peek"), 0x0123_4567_89AB_CDEF);
            // Taken at the edge ending cycle `sent`, back after 6 more.
            assert_eq!(cycle - sent, 6);
            return;
        }
    }
    panic!("the marker never came back");
}

/// A burst of invalid headers on a looped-back line (32, one every 8
/// blocks, so block lock holds) raises `rx_hi_ber` exactly when the BER
/// model says, once; meanwhile the receive XGMII carries local fault.
/// Remote fault ordered sets come through the PCS, and a data word without
/// a start goes out as an error block and comes in as error characters
/// (as do the blocks with invalid headers before hi_ber); the counters say
/// so.
#[test]
fn header_errors_raise_hi_ber_and_ordered_sets_pass() {
    let cfg = EthPcsConfig {
        ber_window: 256,
        ..EthPcsConfig::default()
    };
    let ber_cfg = cfg.ber();
    let mut sim = Sim::new(&design(&cfg)).expect("compiles");
    let mut model = ber::Model::new();
    let remote_fault = (0x0707_0707_0200_009C, 0xF1);
    let idle = (0x0707_0707_0707_0707, 0xFF);
    let burst = 300..300 + 32 * 8;
    let (mut rises, mut sets_sent, mut sets_seen, mut fault_in_hi_ber) = (0, 0, 0, false);
    let mut errors_before = 0;
    let get = |sim: &mut Sim, name: &str| sim.peek(name).expect("peek");
    for cycle in 0..2000u64 {
        for rst in ["tx_rst", "rx_rst"] {
            sim.poke(rst, u64::from(cycle < 2)).expect("poke");
        }
        let mut hdr = get(&mut sim, "serdes_tx_hdr");
        if burst.contains(&cycle) && cycle % 8 == 0 {
            hdr ^= 1;
        }
        let data = get(&mut sim, "serdes_tx_data");
        sim.poke("serdes_rx_hdr", hdr).expect("poke");
        sim.poke("serdes_rx_data", data).expect("poke");
        let (d, c) = match cycle {
            1500 => (0x0123_4567_89AB_CDEF, 0),
            c if c % 10 == 0 => remote_fault,
            _ => idle,
        };
        sim.poke("xgmii_txd", d).expect("poke");
        sim.poke("xgmii_txc", c).expect("poke");
        sets_sent += u64::from(cycle >= 2 && (d, c) == remote_fault);
        let lock = get(&mut sim, "rx_block_lock") == 1;
        let was = model.hi_ber;
        if cycle < 2 {
            model = ber::Model::new();
        } else {
            model.edge(&ber_cfg, true, hdr, lock);
        }
        sim.step().expect("step");
        assert_eq!(
            get(&mut sim, "rx_hi_ber") == 1,
            model.hi_ber,
            "cycle {cycle}"
        );
        rises += u64::from(model.hi_ber && !was);
        let rx = (get(&mut sim, "xgmii_rxd"), get(&mut sim, "xgmii_rxc"));
        sets_seen += u64::from(rx == remote_fault);
        fault_in_hi_ber |= model.hi_ber && rx == (LOCAL_FAULT_D, LOCAL_FAULT_C);
        if cycle == 1400 {
            errors_before = get(&mut sim, "rx_error_blocks");
        }
    }
    assert_eq!(rises, 1);
    assert!(fault_in_hi_ber, "local fault while hi_ber");
    assert!(sets_seen > 100, "{sets_seen} remote faults received");
    for (name, want) in [
        ("rx_hi_ber_events", 1),
        ("rx_bad_headers", 32),
        ("rx_lock_losses", 0),
        ("tx_ordered_sets", sets_sent),
        ("tx_error_blocks", 1),
        ("rx_error_blocks", errors_before + 1),
    ] {
        assert_eq!(get(&mut sim, name), want, "{name}");
    }
    // The invalid headers before hi_ber came in as error characters.
    assert!(errors_before >= 15, "{errors_before}");
    assert!(get(&mut sim, "rx_ordered_sets") >= sets_seen);
}
