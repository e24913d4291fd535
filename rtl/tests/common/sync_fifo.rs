//! `sync_fifo`: order, no loss, exact count/full/empty timing against a
//! Rust model under random pushes and pops; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use proptest::prelude::*;
use std::collections::VecDeque;

/// Checks the outputs against the model before an edge. `model` holds
/// `(word, edge it was written at)`; `edge` is the last edge simulated.
fn check_outputs(
    tb: &mut Tb,
    cfg: &SyncFifoConfig,
    model: &VecDeque<(u64, u64)>,
    edge: u64,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(tb.get("count"), model.len() as u64);
    prop_assert_eq!(tb.flag("wr_full"), model.len() == cfg.depth as usize);
    // First word fall through: the oldest word shows one edge after its write.
    let expect_empty = model.front().is_none_or(|&(_, at)| at == edge);
    prop_assert_eq!(tb.flag("rd_empty"), expect_empty);
    if let (false, Some(&(word, _))) = (expect_empty, model.front()) {
        prop_assert_eq!(tb.get("rd_data"), word);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Random pushes and pops (overflow and underflow attempts included),
    /// then a drain: every word comes out once, in order, on time.
    #[test]
    fn order_count_and_flags_match_the_model(
        width in 1u32..=16,
        depth in 1u32..=9,
        write_bias in 0u8..=255,
        read_bias in 0u8..=255,
        ops in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u64>()), 1..300),
    ) {
        let cfg = SyncFifoConfig { width, depth };
        let mut tb = Tb::new(sync_fifo("fifo", &cfg));
        tb.reset();
        let mask = u64::MAX >> (64 - width);
        let mut model: VecDeque<(u64, u64)> = VecDeque::new();
        let mut steps: Vec<(bool, bool, u64)> = ops
            .into_iter()
            .map(|(w, r, data)| (w < write_bias, r < read_bias, data & mask))
            .collect();
        steps.extend((0..depth + 3).map(|_| (false, true, 0)));
        let mut edge = 0;
        for (w, r, data) in steps {
            check_outputs(&mut tb, &cfg, &model, edge)?;
            let full = tb.flag("wr_full");
            let empty = tb.flag("rd_empty");
            tb.set("wr_en", w.into());
            tb.set("wr_data", data);
            tb.set("rd_en", r.into());
            tb.step();
            edge += 1;
            if r && !empty {
                model.pop_front();
            }
            if w && !full {
                model.push_back((data, edge));
            }
        }
        prop_assert!(model.is_empty(), "{} words left after the drain", model.len());
        check_outputs(&mut tb, &cfg, &model, edge)?;
    }
}

#[test]
fn bad_configs_are_errors() {
    assert!(sync_fifo("f", &SyncFifoConfig { width: 8, depth: 0 }).is_err());
    assert!(sync_fifo("f", &SyncFifoConfig { width: 0, depth: 4 }).is_err());
}

#[test]
fn verilog_tools_accept_sync_fifos() {
    for (width, depth) in [(8, 16), (1, 1), (12, 5), (32, 100), (72, 2)] {
        check_verilog(sync_fifo(
            &format!("sync_fifo_w{width}_d{depth}"),
            &SyncFifoConfig { width, depth },
        ));
    }
}
