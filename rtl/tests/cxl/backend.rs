//! `cxl_mem_backend`: the RAM model stores bytes by enable and a poison
//! bit per line by its own enable, and answers each read on the next edge
//! with the read's id, like a byte-addressed reference memory; writes past
//! the last line change nothing.

use crate::support::{cases, Tb};
use linkforge_hdl::Bits;
use linkforge_rtl::cxl::backend::{cxl_mem_backend, BackendConfig};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), ..ProptestConfig::default() })]

    #[test]
    fn the_ram_model_matches_a_byte_memory(
        data_width in prop::sample::select(vec![8u32, 64, 128]),
        ops in prop::collection::vec((any::<bool>(), 0u64..12, any::<[u64; 2]>(), any::<u16>(), any::<[bool; 3]>(), 0u64..16), 1..80),
    ) {
        let lines = 10u32;
        let cfg = BackendConfig { data_width, lines, id_width: 4 };
        let bytes = (data_width / 8) as usize;
        let mut tb = Tb::new(cxl_mem_backend("m", &cfg));
        tb.reset();
        let mut mem = vec![(vec![0u8; bytes], false); lines as usize];
        for (we, addr, data, be, [valid, pwe, poison], id) in ops {
            prop_assert!(tb.flag("req_ready"));
            let value = Bits::from_words(&data, 128);
            tb.set("req_valid", u64::from(valid));
            tb.set("req_we", u64::from(we));
            tb.set("req_addr", addr);
            tb.0.poke_bits("req_wdata", &Bits::from_words(&data[..bytes.div_ceil(8)], data_width)).expect("poke");
            tb.set("req_be", u64::from(be) & ((1 << bytes.min(16)) - 1));
            tb.set("req_poison_we", u64::from(pwe));
            tb.set("req_poison", u64::from(poison));
            tb.set("req_id", id);
            tb.step();
            // The read of the previous edge answers now.
            prop_assert_eq!(tb.flag("rsp_valid"), valid && !we);
            if valid && !we && (addr as usize) < mem.len() {
                let (want, p) = mem[addr as usize].clone();
                let got = tb.0.peek_bits("rsp_data").expect("peek");
                let got: Vec<u8> = (0..bytes).map(|i| (got.words()[i / 8] >> (8 * (i % 8))) as u8).collect();
                prop_assert_eq!(got, want, "line {}", addr);
                prop_assert_eq!(tb.flag("rsp_poison"), p);
                prop_assert_eq!(tb.get("rsp_id"), id);
            }
            if valid && we && (addr as usize) < mem.len() {
                let line = &mut mem[addr as usize];
                for i in 0..bytes {
                    if be >> i & 1 == 1 {
                        line.0[i] = (value.words()[i / 8] >> (8 * (i % 8))) as u8;
                    }
                }
                if pwe {
                    line.1 = poison;
                }
            }
        }
    }
}
