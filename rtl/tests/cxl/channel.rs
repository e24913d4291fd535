//! `cxl_channel`: every beat offered is delivered once, in order, with
//! every field intact, under random valid and ready.

use crate::support::{cases, run_model};
use linkforge_rtl::cxl::channel::{cxl_channel, Channel, ChannelConfig};
use linkforge_verif::tb::cxl::blocks::ChannelModel;
use proptest::prelude::*;

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
        data_width in prop::sample::select(vec![32u32, 64, 128]),
        depth in 1u32..=5,
        words in prop::collection::vec(any::<u64>(), 64..3000),
    ) {
        let cfg = ChannelConfig { channel, data_width, depth };
        let model = ChannelModel::new(&cfg);
        let cycles = (words.len() / 4) as u64;
        run_model(cxl_channel("ch", &cfg), model, cycles, &words)?;
    }
}
