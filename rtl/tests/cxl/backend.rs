//! `cxl_mem_backend`: the RAM model stores bytes by enable and a poison
//! bit per line by its own enable, and answers each read on the next edge
//! with the read's id, like a byte-addressed reference memory; writes past
//! the last line change nothing.

use crate::support::{cases, run_model};
use linkforge_rtl::cxl::backend::{cxl_mem_backend, BackendConfig};
use linkforge_verif::tb::cxl::blocks::BackendModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    #[test]
    fn the_ram_model_matches_a_byte_memory(
        data_width in prop::sample::select(vec![8u32, 64, 128]),
        lines in 2u32..=40,
        words in prop::collection::vec(any::<u64>(), 32..1500),
    ) {
        let cfg = BackendConfig { data_width, lines, id_width: 4 };
        let cycles = (words.len() / 4) as u64;
        run_model(cxl_mem_backend("m", &cfg), BackendModel::new(&cfg), cycles, &words)?;
    }
}
