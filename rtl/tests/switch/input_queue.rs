//! `input_queue`: random packet writes to random queues and random reads
//! against the testbench's model with one queue of beats per queue: the beats come out in
//! order per queue, unchanged, with the right end flag, packet readiness
//! and head tag (store and forward or cut-through); the shared buffer is full exactly at `depth` beats.

use crate::support::{cases, run_model};
use linkforge_rtl::switch::input_queue::{input_queue, Forwarding, InputQueueConfig, MAX_QUEUES};
use linkforge_verif::tb::switch::blocks::InputQueueModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn queues_keep_order_and_share_the_buffer(
        queues in 1usize..=4,
        depth in 2u32..=12,
        cut_through in any::<bool>(),
        words in prop::collection::vec(any::<u64>(), 9..900),
    ) {
        let forwarding = if cut_through { Forwarding::CutThrough } else { Forwarding::StoreAndForward };
        let cfg = InputQueueConfig { queues, width: 16, depth, tag_width: 6, forwarding };
        let cycles = (words.len() / 3) as u64;
        run_model(input_queue("iq", &cfg), InputQueueModel::new(&cfg), cycles, &words)?;
    }
}

#[test]
fn bad_queue_parameters_are_errors() {
    let cfg = |queues, depth| InputQueueConfig {
        queues,
        width: 8,
        depth,
        tag_width: 4,
        forwarding: Forwarding::StoreAndForward,
    };
    assert!(input_queue("q", &cfg(0, 8)).is_err());
    assert!(input_queue("q", &cfg(MAX_QUEUES + 1, 8)).is_err());
    assert!(input_queue("q", &cfg(2, 1)).is_err());
    assert!(input_queue("q", &cfg(2, 2)).is_ok());
}
