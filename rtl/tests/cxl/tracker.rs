//! `cxl_tracker`: under random allocations, memory completions and
//! response backpressure, every request leaves exactly once on its channel
//! with its own tag, LD-ID, error and poison; allocation stops exactly when
//! every entry is in use; DevLoad follows the documented thresholds (the
//! testbench's model, `tb::cxl::blocks::TrackerModel`).

use crate::support::{cases, run_model};
use linkforge_rtl::cxl::tracker::{cxl_tracker, TrackerConfig};
use linkforge_verif::tb::cxl::blocks::TrackerModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    #[test]
    fn every_request_is_answered_once_with_its_own_tag(
        depth in 2usize..=9,
        words in prop::collection::vec(any::<u64>(), 30..1500),
    ) {
        let cfg = TrackerConfig { depth };
        let cycles = (words.len() / 3) as u64;
        run_model(cxl_tracker("t", &cfg), TrackerModel::new(&cfg), cycles, &words)?;
    }
}
