//! `input_queue`: random packet writes to random queues and random reads
//! against a model with one queue of beats per queue: the beats come out in
//! order per queue, unchanged, with the right end flag, packet readiness
//! and head tag; the shared buffer is full exactly at `depth` beats.

use crate::support::{cases, Tb};
use linkforge_rtl::switch::input_queue::{input_queue, InputQueueConfig};
use proptest::prelude::*;
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug, PartialEq)]
struct Beat {
    sop: bool,
    eop: bool,
    data: u64,
    tag: u64,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn queues_keep_order_and_share_the_buffer(
        queues in 1usize..=4,
        depth in 2u32..=12,
        ops in prop::collection::vec((any::<u64>(), any::<u64>(), 0u8..4), 1..200),
    ) {
        let cfg = InputQueueConfig { queues, width: 16, depth, tag_width: 6 };
        let mut tb = Tb::new(input_queue("iq", &cfg));
        tb.reset();
        let mut model: Vec<VecDeque<Beat>> = vec![VecDeque::new(); queues];
        // The packet being written: queue, beats left, tag.
        let mut writing: Option<(usize, u64, u64)> = None;
        let mut expect_read: Option<Beat> = None;
        for (a, b, roll) in ops {
            if let Some(want) = expect_read.take() {
                prop_assert!(tb.flag("rd_valid"));
                prop_assert_eq!(tb.flag("rd_sop"), want.sop);
                prop_assert_eq!(tb.flag("rd_eop"), want.eop);
                prop_assert_eq!(tb.get("rd_data"), want.data);
            } else {
                prop_assert!(!tb.flag("rd_valid"));
            }
            let held: usize = model.iter().map(|q| q.len()).sum();
            prop_assert_eq!(tb.get("count"), held as u64);
            prop_assert_eq!(tb.flag("wr_full"), held == depth as usize);
            for (k, q) in model.iter().enumerate() {
                prop_assert_eq!(tb.flag(&format!("q{k}_ready")), q.iter().any(|b| b.eop), "queue {}", k);
                if let Some(h) = q.front().filter(|h| h.sop) {
                    prop_assert_eq!(tb.get(&format!("q{k}_tag")), h.tag, "queue {}", k);
                }
            }
            // Write a beat of the current packet, or start one.
            let write = roll != 0;
            let (wq, left, tag) = writing.unwrap_or(((a % queues as u64) as usize, a >> 8 & 3, a >> 16 & 0x3F));
            let beat = Beat { sop: writing.is_none(), eop: left == 0, data: b & 0xFFFF, tag };
            tb.set("wr_en", write.into());
            if queues > 1 {
                tb.set("wr_queue", wq as u64);
            }
            tb.set("wr_sop", beat.sop.into());
            tb.set("wr_eop", beat.eop.into());
            tb.set("wr_data", beat.data);
            tb.set("wr_tag", tag);
            // Read a beat of a random queue.
            let rq = (b >> 20) as usize % queues;
            let read = roll & 1 == 1;
            tb.set("rd_en", read.into());
            if queues > 1 {
                tb.set("rd_queue", rq as u64);
            }
            if let Some(h) = model[rq].front() {
                prop_assert_eq!(tb.flag("rd_last"), h.eop);
            }
            tb.step();
            if read {
                expect_read = model[rq].pop_front();
            }
            if write && held < depth as usize {
                model[wq].push_back(beat);
                writing = (!beat.eop).then_some((wq, left.saturating_sub(1), tag));
            }
        }
    }
}

#[test]
fn bad_queue_parameters_are_errors() {
    let cfg = |queues, depth| InputQueueConfig {
        queues,
        width: 8,
        depth,
        tag_width: 4,
    };
    assert!(input_queue("q", &cfg(0, 8)).is_err());
    assert!(input_queue("q", &cfg(65, 8)).is_err());
    assert!(input_queue("q", &cfg(2, 1)).is_err());
    assert!(input_queue("q", &cfg(2, 2)).is_ok());
}
