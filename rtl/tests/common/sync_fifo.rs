//! `sync_fifo`: order, no loss, exact count/full/empty timing against its
//! testbench's model under random pushes and pops; Verilog tools.

use crate::support::{cases, check_verilog, run_model};
use linkforge_rtl::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use linkforge_verif::tb::common::fifo::SyncFifoModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    /// Bursts of pushes and pops (overflow and underflow attempts
    /// included): every output matches the model every cycle.
    #[test]
    fn order_count_and_flags_match_the_model(
        width in 1u32..=16,
        depth in 1u32..=9,
        words in prop::collection::vec(any::<u64>(), 9..900),
    ) {
        let cfg = SyncFifoConfig { width, depth };
        let cycles = words.len() as u64 / 3;
        run_model(sync_fifo("fifo", &cfg), SyncFifoModel::new(&cfg), cycles, &words)?;
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
