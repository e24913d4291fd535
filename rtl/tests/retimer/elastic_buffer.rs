//! `elastic_buffer`: a recovered clock and a local clock up to ±600 ppm
//! apart, a symbol stream with SKP ordered sets every 370-375 blocks; no
//! over- or underflow, data words unchanged and in order, every SKP run
//! changed by at most one group, matching the add and drop counters; the
//! CDC check; Verilog tools.
//!
//! The random cases model a block as 4 words (a real 128b/130b lane carries
//! 16 symbols per block), so SKP ordered sets come every ~1500 words; the
//! ppm offsets are the real ones (1 ps on a 100 ns period is 10 ppm). A
//! directed test runs real 16-word blocks at ±600 ppm.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::elastic_buffer::{elastic_buffer, kind, ElasticBufferConfig};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::SignalHandle;
use proptest::prelude::*;

/// Receive clock period in ps; the local clock is this plus 10 ps per 100 ppm.
const RX_PERIOD: u64 = 100_000;
/// Words per modelled 128b/130b block in the random cases.
const SHORT_BLOCK: u64 = 4;
/// Symbols per 128b/130b block on one lane.
const REAL_BLOCK: u64 = 16;
/// The data value of SKP symbols.
const SKP: u64 = 0xaa;

/// The input stream `(data, skp)`: per interval, a SKP run of `k * step`
/// words then `blocks * block_words` data words; a long data tail so every
/// SKP run has left the buffer when the input ends.
fn stream(
    cfg: &ElasticBufferConfig,
    block_words: u64,
    intervals: &[(u64, u32)],
    seed: u64,
) -> Vec<(u64, bool)> {
    let mask = u64::MAX >> (64 - cfg.width);
    let mut rng = XorShift::new(seed);
    let mut words = Vec::new();
    let data = |rng: &mut XorShift, n: u64, words: &mut Vec<(u64, bool)>| {
        words.extend((0..n).map(|_| (rng.word() & mask, false)));
    };
    for &(blocks, k) in intervals {
        words.extend((0..k * cfg.skp_step).map(|_| (SKP & mask, true)));
        data(&mut rng, blocks * block_words, &mut words);
    }
    data(&mut rng, 4 * u64::from(cfg.depth), &mut words);
    words
}

/// Lengths of the SKP runs of a word sequence, in order.
fn skp_runs(words: &[(u64, bool)]) -> Vec<u32> {
    let mut runs = Vec::new();
    let mut len = 0;
    for &(_, skp) in words {
        if skp {
            len += 1;
        } else if len > 0 {
            runs.push(len);
            len = 0;
        }
    }
    runs
}

/// What a run observed at the output.
struct Run {
    out: Vec<(u64, bool)>,
    adds: u64,
    drops: u64,
    overflows: u64,
    underflows: u64,
}

fn handle(tb: &Tb, name: &str) -> SignalHandle {
    tb.0.signal(name).expect("port")
}

/// Feeds `input` at one word per `rx_clk` edge and collects the output.
fn run(cfg: &ElasticBufferConfig, local_period: u64, phase: u64, input: &[(u64, bool)]) -> Run {
    let mut tb = Tb::new(elastic_buffer("ebuf", cfg));
    tb.0.clock("rx_clk", RX_PERIOD, 0).expect("rx clock");
    tb.0.clock("clk", local_period, phase).expect("local clock");
    tb.set("rx_rst", 1);
    tb.set("rst", 1);
    while tb.cycles("rx_clk") < 4 || tb.cycles("clk") < 4 {
        tb.step();
    }
    tb.set("rx_rst", 0);
    tb.set("rst", 0);
    tb.set("rx_valid", 1);
    tb.set("out_ready", 1);
    let [rx_data, rx_skp, out_valid, out_data, out_skp] =
        ["rx_data", "rx_skp", "out_valid", "out_data", "out_skp"].map(|n| handle(&tb, n));
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let (data, skp) = input[i];
        tb.0.poke_handle(rx_data, data).expect("poke");
        tb.0.poke_handle(rx_skp, skp.into()).expect("poke");
        let valid = tb.0.peek_handle(out_valid) == 1;
        let word = (tb.0.peek_handle(out_data), tb.0.peek_handle(out_skp) == 1);
        let (rx_before, local_before) = (tb.cycles("rx_clk"), tb.cycles("clk"));
        tb.step();
        if tb.cycles("rx_clk") > rx_before {
            i += 1;
        }
        if tb.cycles("clk") > local_before && valid {
            out.push(word);
        }
    }
    Run {
        out,
        adds: tb.get("adds"),
        drops: tb.get("drops"),
        overflows: tb.get("overflows"),
        underflows: tb.get("underflows"),
    }
}

/// The output against the input: data in order, SKP runs changed by one
/// group at most, the counters matching the changes.
fn check(cfg: &ElasticBufferConfig, input: &[(u64, bool)], r: &Run) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.overflows, 0);
    prop_assert_eq!(r.underflows, 0);
    let data_in: Vec<u64> = input.iter().filter(|w| !w.1).map(|w| w.0).collect();
    let data_out: Vec<u64> = r.out.iter().filter(|w| !w.1).map(|w| w.0).collect();
    prop_assert!(data_out.len() + 2 * cfg.depth as usize >= data_in.len());
    prop_assert!(
        data_out[..] == data_in[..data_out.len()],
        "data words differ"
    );
    prop_assert!(r.out.iter().all(|w| !w.1 || w.0 == input[0].0));
    let (runs_in, runs_out) = (skp_runs(input), skp_runs(&r.out));
    prop_assert_eq!(runs_in.len(), runs_out.len());
    let (mut adds, mut drops) = (0, 0);
    for (a, b) in runs_in.iter().zip(&runs_out) {
        match i64::from(*b) - i64::from(*a) {
            0 => {}
            d if d == i64::from(cfg.skp_step) => adds += 1,
            d if d == -i64::from(cfg.skp_step) => drops += 1,
            d => prop_assert!(false, "a SKP run of {a} became {b} ({d})"),
        }
    }
    prop_assert_eq!((adds, drops), (r.adds, r.drops));
    Ok(())
}

fn configs() -> impl Strategy<Value = ElasticBufferConfig> {
    prop_oneof![
        (8u32..=16).prop_map(|width| ElasticBufferConfig {
            width,
            depth: 32,
            skp_step: 4
        }),
        (1u32..=8).prop_map(|width| ElasticBufferConfig {
            width,
            depth: 16,
            skp_step: 1
        }),
        (8u32..=10).prop_map(|width| ElasticBufferConfig {
            width,
            depth: 64,
            skp_step: 4
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    /// Random offsets within ±600 ppm and random SKP spacing.
    #[test]
    fn compensates_up_to_600_ppm(
        cfg in configs(),
        offset_10ppm in -60i64..=60,
        phase in 0u64..RX_PERIOD,
        intervals in prop::collection::vec((370u64..=375, 2u32..=4), 6..=9),
        seed in any::<u64>(),
    ) {
        let period = RX_PERIOD.saturating_add_signed(offset_10ppm);
        let input = stream(&cfg, SHORT_BLOCK, &intervals, seed);
        let r = run(&cfg, period, phase % period, &input);
        check(&cfg, &input, &r)?;
    }
}

/// At the full ±600 ppm for many SKP intervals the buffer drops (local
/// clock slower) or adds (local clock faster), with short and real blocks.
#[test]
fn adds_and_drops_at_600_ppm() {
    let cfg = ElasticBufferConfig {
        width: 8,
        depth: 32,
        skp_step: 4,
    };
    for (block_words, n) in [(SHORT_BLOCK, 24), (REAL_BLOCK, 12)] {
        let intervals: Vec<(u64, u32)> = (0..n).map(|i| (370 + i % 6, 3)).collect();
        let input = stream(&cfg, block_words, &intervals, 7);
        for (period, adds) in [(RX_PERIOD + 60, false), (RX_PERIOD - 60, true)] {
            let r = run(&cfg, period, 1234, &input);
            check(&cfg, &input, &r).expect("stream intact");
            let (want, other) = if adds {
                (r.adds, r.drops)
            } else {
                (r.drops, r.adds)
            };
            assert!(
                want >= 2 && other == 0,
                "{block_words}-word blocks, period {period}: {} adds, {} drops",
                r.adds,
                r.drops
            );
        }
    }
}

#[test]
fn rejects_bad_configs() {
    for (width, depth, skp_step) in [(8, 24, 1), (8, 16, 4), (0, 32, 4), (8, 32, 0)] {
        let cfg = ElasticBufferConfig {
            width,
            depth,
            skp_step,
        };
        assert!(elastic_buffer("e", &cfg).is_err(), "{cfg:?}");
    }
}

#[test]
fn verilog_tools_accept_elastic_buffers() {
    for (width, depth, skp_step) in [(8, 32, 4), (1, 8, 1), (10, 64, 2)] {
        check_verilog(elastic_buffer(
            &format!("elastic_buffer_w{width}_d{depth}_s{skp_step}"),
            &ElasticBufferConfig {
                width,
                depth,
                skp_step,
            },
        ));
    }
}

#[test]
fn catalogue_entry_builds_from_defaults() {
    let k = kind();
    (k.build)("elastic_buffer", &Params::defaults(&k.params)).expect("defaults build");
}
