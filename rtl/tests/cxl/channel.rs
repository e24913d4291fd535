//! `cxl_channel`: every beat offered is delivered once, in order, with
//! every field intact, under random valid and ready.

use crate::support::{cases, Tb};
use linkforge_rtl::cxl::channel::{cxl_channel, Channel, ChannelConfig};
use proptest::prelude::*;
use std::collections::VecDeque;

const CHANNELS: [Channel; 4] = [
    Channel::M2sReq,
    Channel::M2sRwd,
    Channel::S2mNdr,
    Channel::S2mDrs,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    #[test]
    fn beats_pass_in_order_with_their_fields(
        channel in prop::sample::select(CHANNELS.to_vec()),
        depth in 1u32..=5,
        steps in prop::collection::vec((any::<bool>(), any::<bool>(), any::<u64>()), 1..120),
    ) {
        let cfg = ChannelConfig { channel, data_width: 32, depth };
        let fields = channel.fields(32);
        let mut tb = Tb::new(cxl_channel("ch", &cfg));
        tb.reset();
        let mut sent: VecDeque<Vec<u64>> = VecDeque::new();
        let mut offer: Option<Vec<u64>> = None;
        let drain = std::iter::repeat_n((false, true, 0), 2 * depth as usize + 4);
        for (valid, ready, r) in steps.into_iter().chain(drain) {
            if offer.is_none() && valid {
                offer = Some(fields.iter().enumerate().map(|(i, &(_, w))| {
                    r.rotate_left(7 * i as u32) & (u64::MAX >> (64 - w))
                }).collect());
            }
            tb.set("in_valid", u64::from(offer.is_some()));
            for (&(f, _), v) in fields.iter().zip(offer.iter().flatten()) {
                tb.set(&format!("in_{f}"), *v);
            }
            tb.set("out_ready", u64::from(ready));
            if ready && tb.flag("out_valid") {
                let want = sent.pop_front().ok_or_else(|| TestCaseError::fail("a beat nobody sent"))?;
                for (&(f, _), v) in fields.iter().zip(want) {
                    prop_assert_eq!(tb.get(&format!("out_{f}")), v, "field {}", f);
                }
            }
            if offer.is_some() && tb.flag("in_ready") {
                sent.extend(offer.take());
            }
            tb.step();
        }
        prop_assert!(sent.is_empty() && offer.is_none(), "{} beats never delivered", sent.len());
    }
}
