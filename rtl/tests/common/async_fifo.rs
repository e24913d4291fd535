//! `async_fifo`: two clocks with random periods (a few ppm to several
//! times apart) and phases; order and no loss against a Rust model, the
//! bounds of the two count ports; the CDC check; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::common::async_fifo::{async_fifo, AsyncFifoConfig};
use proptest::prelude::*;
use std::collections::VecDeque;

/// The observable state before an edge, checked against the words in flight.
fn check_outputs(
    tb: &mut Tb,
    cfg: &AsyncFifoConfig,
    model: &VecDeque<u64>,
) -> Result<(), TestCaseError> {
    let depth = u64::from(cfg.depth);
    let held = model.len() as u64;
    let (wr_count, rd_count) = (tb.get("wr_count"), tb.get("rd_count"));
    let empty = tb.flag("rd_empty");
    prop_assert!(held <= depth + 1, "{held} words held, capacity {depth} + 1");
    prop_assert!(wr_count <= depth);
    prop_assert_eq!(tb.flag("wr_full"), wr_count == depth);
    // The write side never under-counts the memory (the words held minus
    // the one in the output register); the read side never over-counts.
    prop_assert!(
        wr_count + u64::from(!empty) >= held,
        "wr_count {wr_count}, held {held}"
    );
    prop_assert!(rd_count <= held, "rd_count {rd_count}, held {held}");
    // A word the read side has seen in the memory shows one edge later.
    prop_assert!(empty || rd_count >= 1);
    if let (false, Some(&word)) = (empty, model.front()) {
        prop_assert_eq!(tb.get("rd_data"), word);
    }
    Ok(())
}

/// Clock periods in ps: the write clock at 1 ns, the read clock a few
/// hundred to a few thousand ppm away, or at a quite different rate.
fn periods() -> impl Strategy<Value = (u64, u64)> {
    prop_oneof![
        (995u64..=1005).prop_map(|r| (1000, r)),
        (300u64..=3000).prop_map(|r| (1000, r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Random pushes and pops on two clocks, then a drain: every word comes
    /// out once and in order, and the counts settle to zero.
    #[test]
    fn crosses_every_word_in_order(
        width in 1u32..=16,
        depth_log2 in 1u32..=4,
        (wr_period, rd_period) in periods(),
        wr_phase in 0u64..1000,
        rd_phase in 0u64..3000,
        write_bias in 0u8..=255,
        read_bias in 0u8..=255,
        ops in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u64>()), 1..400),
    ) {
        let cfg = AsyncFifoConfig { width, depth: 1 << depth_log2 };
        let mut tb = Tb::new(async_fifo("afifo", &cfg));
        tb.0.clock("wr_clk", wr_period, wr_phase).expect("write clock");
        tb.0.clock("rd_clk", rd_period, rd_phase % rd_period).expect("read clock");
        tb.set("wr_rst", 1);
        tb.set("rd_rst", 1);
        while tb.cycles("wr_clk") < 4 || tb.cycles("rd_clk") < 4 {
            tb.step();
        }
        tb.set("wr_rst", 0);
        tb.set("rd_rst", 0);

        let mask = u64::MAX >> (64 - width);
        let mut steps: Vec<(bool, bool, u64)> = ops
            .into_iter()
            .map(|(w, r, data)| (w < write_bias, r < read_bias, data & mask))
            .collect();
        // Drain: enough edges for the slowest read clock to empty a full FIFO.
        steps.extend((0..40 * (cfg.depth + 4)).map(|_| (false, true, 0)));
        let mut model = VecDeque::new();
        for (w, r, data) in steps {
            check_outputs(&mut tb, &cfg, &model)?;
            let full = tb.flag("wr_full");
            let empty = tb.flag("rd_empty");
            tb.set("wr_en", w.into());
            tb.set("wr_data", data);
            tb.set("rd_en", r.into());
            let (wr_before, rd_before) = (tb.cycles("wr_clk"), tb.cycles("rd_clk"));
            tb.step();
            if tb.cycles("rd_clk") > rd_before && r && !empty {
                model.pop_front();
            }
            if tb.cycles("wr_clk") > wr_before && w && !full {
                model.push_back(data);
            }
        }
        prop_assert!(model.is_empty(), "{} words left after the drain", model.len());
        prop_assert_eq!(tb.get("wr_count"), 0);
        prop_assert_eq!(tb.get("rd_count"), 0);
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
