//! `async_fifo`: two clocks with random periods (a few ppm to several
//! times apart) and phases; order and no loss against its testbench's
//! model, the bounds of the two count ports; the CDC check; Verilog tools.

use crate::support::{cases, check_verilog, run_model};
use linkforge_rtl::common::async_fifo::{async_fifo, AsyncFifoConfig};
use linkforge_verif::tb::common::fifo::AsyncFifoModel;
use proptest::prelude::*;

/// Read clock periods in ps against the 1 ns write clock: a few hundred
/// to a few thousand ppm away, or at a quite different rate.
fn read_periods() -> impl Strategy<Value = u64> {
    prop_oneof![995u64..=1005, 300u64..=3000]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Bursts of pushes and pops on two clocks: the head word is always
    /// the oldest in flight and the counts stay within their bounds.
    #[test]
    fn crosses_every_word_in_order(
        width in 1u32..=16,
        depth_log2 in 1u32..=4,
        read_period in read_periods(),
        read_phase in 0u64..3000,
        words in prop::collection::vec(any::<u64>(), 3..1200),
    ) {
        let cfg = AsyncFifoConfig { width, depth: 1 << depth_log2 };
        let model = AsyncFifoModel::new(&cfg, (read_period, read_phase));
        let cycles = words.len() as u64 / 3 + 20;
        run_model(async_fifo("afifo", &cfg), model, cycles, &words)?;
    }
}

#[test]
fn depth_must_be_a_power_of_two() {
    assert!(async_fifo(
        "f",
        &AsyncFifoConfig {
            width: 8,
            depth: 12
        }
    )
    .is_err());
    assert!(async_fifo("f", &AsyncFifoConfig { width: 8, depth: 1 }).is_err());
}

/// The module passes the CDC check without being a synchronizer itself.
#[test]
fn is_not_declared_a_synchronizer() {
    let m = async_fifo("f", &AsyncFifoConfig { width: 8, depth: 8 }).expect("builds");
    assert!(!m.synchronizer);
}

#[test]
fn verilog_tools_accept_async_fifos() {
    for (width, depth) in [(8, 16), (1, 2), (36, 64)] {
        check_verilog(async_fifo(
            &format!("async_fifo_w{width}_d{depth}"),
            &AsyncFifoConfig { width, depth },
        ));
    }
}
