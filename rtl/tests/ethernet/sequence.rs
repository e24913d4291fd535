//! The Clause 49 transmit and receive state machines and the BER monitor
//! against their Rust reference models:
//!
//! - random XGMII streams (frames, idles and ordered sets, with illegal
//!   words mixed in: data without a start, a start inside a frame, a
//!   terminate followed by data, unencodable words, error characters) go
//!   through encoder -> transmit machine -> decoder -> receive machine,
//!   with random gaps and faults, and every stage's outputs match the
//!   models cycle by cycle;
//! - legal streams come out unchanged, one block late;
//! - `hi_ber` follows the model edge by edge, and rises exactly at the
//!   16th invalid header of a window.

use crate::support::{cases, run_model, Tb};
use linkforge_rtl::ethernet::ber::{eth_ber_monitor, BerConfig};
use linkforge_rtl::ethernet::codec::{eth_decoder, eth_encoder};
use linkforge_rtl::ethernet::sequence::{eth_rx_sequence, eth_tx_sequence, RxBlock};
use linkforge_rtl::ethernet::{LOCAL_FAULT_C, LOCAL_FAULT_D};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::ethernet::blocks::{BerModel, RxSequenceModel, TxSequenceModel};
use linkforge_verif::tb::ethernet::model::codec::{decode, encode, word_type};
use linkforge_verif::tb::ethernet::model::sequence::{RxModel, TxModel};
use linkforge_verif::tb::ethernet::source::{Stream, ORDERED_SETS};
use proptest::prelude::*;

/// The four blocks in a pipeline, each taking the previous one's outputs
/// at the next edge.
struct Chain {
    enc: Tb,
    tsm: Tb,
    dec: Tb,
    rsm: Tb,
}

impl Chain {
    fn new() -> Chain {
        let mut c = Chain {
            enc: Tb::new(eth_encoder("eth_encoder")),
            tsm: Tb::new(eth_tx_sequence("eth_tx_sequence")),
            dec: Tb::new(eth_decoder("eth_decoder")),
            rsm: Tb::new(eth_rx_sequence("eth_rx_sequence")),
        };
        for tb in c.all() {
            tb.reset();
        }
        c
    }

    fn all(&mut self) -> [&mut Tb; 4] {
        [&mut self.enc, &mut self.tsm, &mut self.dec, &mut self.rsm]
    }

    /// One edge: `word` into the encoder when `valid`, `fault` into the
    /// receive machine.
    fn step(&mut self, valid: bool, (d, c): (u64, u8), fault: bool) {
        self.enc.set("in_valid", u64::from(valid));
        self.enc.set("txd", d);
        self.enc.set("txc", c.into());
        for port in ["valid", "hdr", "data", "type"] {
            let v = self.enc.get(&format!("out_{port}"));
            self.tsm.set(&format!("in_{port}"), v);
        }
        for port in ["valid", "hdr", "data"] {
            let v = self.tsm.get(&format!("out_{port}"));
            self.dec.set(&format!("in_{port}"), v);
        }
        for (from, to) in [
            ("out_valid", "in_valid"),
            ("rxd", "in_d"),
            ("rxc", "in_c"),
            ("out_type", "in_type"),
        ] {
            let v = self.dec.get(from);
            self.rsm.set(to, v);
        }
        self.rsm.set("in_fault", u64::from(fault));
        for tb in self.all() {
            tb.step();
        }
    }
}

/// Words fed at each edge (`None` when the encoder's input was not
/// valid), with the fault level the receive machine sees with them.
type Fed = Vec<Option<((u64, u8), bool)>>;

/// A word out of the receive machine: `(d, c, error)`.
type Received = (u64, u8, bool);

/// Runs `cycles` edges of `stream` through the chain against the models,
/// with a gap one edge in `gap` (0: none) and faults toggling one edge in
/// `toggle` (0: never). Returns the receive machine's outputs `(d, c,
/// error)` and whether the transmit machine sent any error block.
fn run_chain(
    stream: &mut Stream,
    words: &mut XorShift,
    cycles: usize,
    gap: u64,
    toggle: u64,
) -> Result<(Vec<Received>, bool), TestCaseError> {
    let mut chain = Chain::new();
    let mut rng = XorShift::new(words.word());
    let (mut tx, mut rx) = (TxModel::new(), RxModel::new());
    let mut fed: Fed = Vec::new();
    let mut sent: Vec<Option<(u64, u64)>> = Vec::new();
    let mut fault = false;
    let mut out = Vec::new();
    let mut tx_errors = false;
    for t in 0..cycles {
        let valid = gap == 0 || rng.word() % gap != 0;
        if toggle > 0 && rng.word() % toggle == 0 {
            fault = !fault;
        }
        let word = if valid { stream.word(words) } else { (0, 0) };
        fed.push(valid.then_some((word, fault)));
        // The receive machine takes, at edge t, the word fed at t - 3.
        let rx_fed = t.checked_sub(3).and_then(|i| fed[i]);
        chain.step(valid, word, rx_fed.is_some_and(|x| x.1));
        // The transmit machine took the word fed at t - 1.
        let tx_fed = t.checked_sub(1).and_then(|i| fed[i]);
        sent.push(None);
        if let Some(((d, c), _)) = tx_fed {
            let (block, error) = tx.block(encode(d, c), word_type(d, c));
            let tsm = &mut chain.tsm;
            prop_assert_eq!(
                (tsm.get("out_hdr"), tsm.get("out_data")),
                block,
                "edge {}",
                t
            );
            prop_assert_eq!(tsm.flag("out_error"), error);
            tx_errors |= error;
            sent[t - 1] = Some(block);
        }
        prop_assert_eq!(chain.tsm.flag("out_valid"), tx_fed.is_some());
        prop_assert_eq!(chain.rsm.flag("out_valid"), rx_fed.is_some());
        if let Some((_, fault)) = rx_fed {
            let (hdr, payload) = sent[t - 3].expect("sent before");
            let b = decode(hdr, payload);
            let want = rx.block(RxBlock {
                d: b.d,
                c: b.c,
                ty: b.ty,
                fault,
            });
            let rsm = &mut chain.rsm;
            let got = (rsm.get("rxd"), rsm.get("rxc") as u8, rsm.flag("out_error"));
            prop_assert_eq!(got, want, "edge {}", t);
            out.push(got);
        }
    }
    Ok((out, tx_errors))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    /// Streams with illegal words, gaps and faults: every stage equals the
    /// models at every edge, and the illegal words produce error blocks.
    #[test]
    fn chain_matches_the_state_machine_models(
        seed in 1u64..,
        odd in 3u64..40,
        gap in prop_oneof![Just(0u64), 2u64..8],
        toggle in prop_oneof![Just(0u64), 20u64..200],
    ) {
        let mut stream = Stream::new(odd);
        let (out, tx_errors) = run_chain(&mut stream, &mut XorShift::new(seed), 600, gap, toggle)?;
        prop_assert!(tx_errors, "no illegal sequence in 600 words");
        // With faults toggling, the receiver may spend the errors' blocks
        // in its fault state, sending local fault instead.
        if toggle == 0 {
            prop_assert!(out.iter().any(|o| o.2), "no error characters received");
        }
    }

    /// Legal streams (frames, idles, ordered sets) come out unchanged, one
    /// block late, after the local fault the receiver holds out of reset.
    #[test]
    fn legal_streams_pass_unchanged(seed in 1u64.., gap in prop_oneof![Just(0u64), 2u64..8]) {
        let mut stream = Stream::new(0);
        let mut stimulus = XorShift::new(seed);
        let mut words = Vec::new();
        let mut chain = Chain::new();
        let mut rng = XorShift::new(seed ^ 0x5555);
        let mut out = Vec::new();
        for _ in 0..500 {
            let valid = gap == 0 || rng.word() % gap != 0;
            let word = if valid { stream.word(&mut stimulus) } else { (0, 0) };
            if valid {
                words.push(word);
            }
            chain.step(valid, word, false);
            prop_assert!(!chain.tsm.flag("out_error"));
            if chain.rsm.flag("out_valid") {
                prop_assert!(!chain.rsm.flag("out_error"));
                out.push((chain.rsm.get("rxd"), chain.rsm.get("rxc") as u8));
            }
        }
        prop_assert_eq!(out[0], (LOCAL_FAULT_D, LOCAL_FAULT_C as u8));
        prop_assert!(out.len() > 100);
        prop_assert_eq!(&out[1..], &words[..out.len() - 1]);
        let ordered_sets = words.iter().filter(|w| ORDERED_SETS.contains(w)).count();
        prop_assert!(ordered_sets > 0);
    }

    /// `hi_ber` equals the model at every edge on bursty invalid headers,
    /// gaps and losses of lock, for short windows; the transmit and
    /// receive machines alone equal theirs on streams with illegal words.
    #[test]
    fn blocks_match_their_models(window in 16u32..300, words in prop::collection::vec(any::<u64>(), 64..6000)) {
        let cfg = BerConfig { window };
        let cycles = words.len() as u64;
        run_model(eth_ber_monitor("eth_ber_monitor", &cfg), BerModel::new(&cfg), cycles, &words)?;
        let cycles = cycles / 7;
        run_model(eth_tx_sequence("eth_tx_sequence"), TxSequenceModel::new(), cycles, &words)?;
        run_model(eth_rx_sequence("eth_rx_sequence"), RxSequenceModel::new(), cycles, &words)?;
    }
}

/// In a window, 15 invalid headers leave `hi_ber` low; the 16th raises it
/// at once; it stays up through the rest of that window and falls at the
/// end of the next, clean, one.
#[test]
fn hi_ber_rises_at_the_16th_invalid_header_of_a_window() {
    let cfg = BerConfig { window: 100 };
    let mut tb = Tb::new(eth_ber_monitor("eth_ber_monitor", &cfg));
    tb.reset();
    tb.set("block_lock", 1);
    tb.set("in_valid", 1);
    let block = |tb: &mut Tb, hdr: u64| {
        tb.set("in_hdr", hdr);
        tb.step();
        tb.flag("hi_ber")
    };
    // Window 0: 15 invalid headers.
    for i in 0..100 {
        assert!(!block(&mut tb, if i % 5 == 0 && i < 75 { 0 } else { 1 }));
    }
    // Window 1: the 16th invalid header raises hi_ber.
    for i in 0..100u64 {
        let bad = i % 2 == 0 && i < 32;
        assert_eq!(
            block(&mut tb, if bad { 3 } else { 2 }),
            i >= 30,
            "block {i}"
        );
    }
    // Window 2: clean; hi_ber falls with its last block.
    for i in 0..100 {
        assert_eq!(block(&mut tb, 1), i < 99, "block {i}");
    }
    // Losing lock clears it at once.
    for _ in 0..16 {
        block(&mut tb, 0);
    }
    assert!(tb.flag("hi_ber"));
    tb.set("block_lock", 0);
    assert!(!block(&mut tb, 1));
}

/// Hand-worked sequences through the receive model: a terminate followed
/// by data is an error, as is data without a start and a start in a frame.
#[test]
fn receive_model_catches_illegal_sequences() {
    let idle = (u64::from_ne_bytes([0x07; 8]), 0xFF);
    let start = (0xD555_5555_5555_55FB, 0x01);
    let data = (0x0123_4567_89AB_CDEF, 0x00);
    let term = (0x0707_0707_0707_07FD, 0xFF);
    let mut rx = RxModel::new();
    let mut feed = |w: (u64, u8)| {
        let (hdr, payload) = encode(w.0, w.1);
        let b = decode(hdr, payload);
        rx.block(RxBlock {
            d: b.d,
            c: b.c,
            ty: b.ty,
            fault: false,
        })
        .2
    };
    // (word fed, whether the word fed before it comes out as an error)
    let script = [
        (idle, false),  // local fault out of reset
        (data, false),  // the idle
        (idle, true),   // data without a start
        (start, false), // the idle
        (start, false), // the first start
        (data, true),   // a start in a frame
        (term, false),  // data after an error continues the frame
        (data, true),   // a terminate followed by data
        (idle, false),  // data after an error again
        (idle, true),   // a control block inside a frame
    ];
    let got: Vec<bool> = script.iter().map(|&(w, _)| feed(w)).collect();
    let want: Vec<bool> = script.iter().map(|&(_, e)| e).collect();
    assert_eq!(got, want);
}
