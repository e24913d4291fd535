//! `cxl_tracker`: under random allocations, memory completions and
//! response backpressure, every request leaves exactly once on its channel
//! with its own tag, LD-ID, error and poison; allocation stops exactly when
//! every entry is in use; DevLoad follows the documented thresholds.

use crate::support::{cases, Tb};
use linkforge_rtl::cxl::tracker::{cxl_tracker, TrackerConfig};
use linkforge_verif::tb::cxl::model::devload;
use proptest::prelude::*;
use std::collections::HashMap;

/// A request the model knows: its entry, and whether its memory access is
/// still pending.
#[derive(Clone, Copy, Debug)]
struct Req {
    slot: u64,
    ld: u64,
    read: bool,
    error: bool,
    poison: bool,
    in_mem: bool,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    #[test]
    fn every_request_is_answered_once_with_its_own_tag(
        depth in 2usize..=9,
        steps in prop::collection::vec(any::<[u64; 3]>(), 1..300),
    ) {
        let mut tb = Tb::new(cxl_tracker("t", &TrackerConfig { depth }));
        tb.reset();
        // Outstanding requests by tag (tags are unique here).
        let mut reqs: HashMap<u64, Req> = HashMap::new();
        let (mut next_tag, mut issued, mut answered) = (0u64, 0u64, 0u64);
        let total = steps.len();
        // Draining: no allocations, memory finishes, both channels ready.
        let drain = std::iter::repeat_n([0, 5, 5], 200);
        for (k, [a, b, c]) in steps.into_iter().chain(drain).enumerate() {
            let draining = k >= total;
            let used = tb.get("outstanding");
            // Entries in use: every request not answered, less at most one
            // held in each response stage.
            let n = reqs.len() as u64;
            prop_assert!(used <= n && n <= used + 2, "{} entries in use for {} requests", used, n);
            prop_assert_eq!(tb.flag("alloc_ready"), used < depth as u64);
            prop_assert_eq!(tb.get("devload"), devload(used, depth as u64));
            let alloc = !draining && a % 4 != 0;
            let (read, error) = (a >> 8 & 1 == 1, (a >> 9) % 8 == 0);
            let mem = !error && a >> 12 & 3 != 0;
            let ld = a >> 16 & 0xF;
            tb.set("alloc_valid", u64::from(alloc));
            tb.set("alloc_tag", next_tag);
            tb.set("alloc_ld", ld);
            tb.set("alloc_read", u64::from(read));
            tb.set("alloc_error", u64::from(error));
            tb.set("alloc_mem", u64::from(mem));
            // Memory completions: one read and one write of requests waiting.
            let waiting = |want_read: bool| -> Vec<u64> {
                let mut v: Vec<u64> = reqs.iter().filter(|(_, r)| r.in_mem && r.read == want_read).map(|(&t, _)| t).collect();
                v.sort();
                v
            };
            let (rd, wr) = (waiting(true), waiting(false));
            let rd_pick = (b % 3 != 0 && !rd.is_empty()).then(|| rd[(b >> 4) as usize % rd.len()]);
            let wr_pick = (b >> 2 & 1 == 1 && !wr.is_empty()).then(|| wr[(b >> 12) as usize % wr.len()]);
            let rd_poison = b >> 20 & 1 == 1;
            tb.set("rd_done_valid", u64::from(rd_pick.is_some()));
            tb.set("rd_done_slot", rd_pick.map_or(0, |t| reqs[&t].slot));
            tb.set("rd_done_poison", u64::from(rd_poison));
            tb.set("wr_done_valid", u64::from(wr_pick.is_some()));
            tb.set("wr_done_slot", wr_pick.map_or(0, |t| reqs[&t].slot));
            let (drs_ready, ndr_ready) = (c % 3 != 0, (c >> 2) % 3 != 0);
            tb.set("drs_ready", u64::from(drs_ready));
            tb.set("ndr_ready", u64::from(ndr_ready));
            // Responses leaving at this edge.
            for (ch, ready, is_read) in [("drs", drs_ready, true), ("ndr", ndr_ready, false)] {
                if ready && tb.flag(&format!("{ch}_valid")) {
                    let tag = tb.get(&format!("{ch}_tag"));
                    let r = reqs.remove(&tag).ok_or_else(|| TestCaseError::fail(format!("{ch} answers tag {tag}, not outstanding")))?;
                    prop_assert!(!r.in_mem, "tag {} answered before its memory access", tag);
                    prop_assert_eq!(r.read, is_read, "tag {} on the wrong channel", tag);
                    prop_assert_eq!(tb.get(&format!("{ch}_ld")), r.ld);
                    prop_assert_eq!(tb.flag(&format!("{ch}_error")), r.error);
                    if is_read {
                        prop_assert_eq!(tb.flag("drs_poison"), r.poison);
                    }
                    answered += 1;
                }
            }
            let slot = tb.get("alloc_slot");
            let took = alloc && tb.flag("alloc_ready");
            tb.step();
            for (pick, poison) in [(rd_pick, Some(rd_poison)), (wr_pick, None)] {
                if let Some(t) = pick {
                    let r = reqs.get_mut(&t).expect("picked from the table");
                    r.in_mem = false;
                    r.poison = poison.unwrap_or(false);
                }
            }
            if took {
                let clash = reqs.values().any(|r| r.in_mem && r.slot == slot);
                prop_assert!(!clash, "entry {} handed out while its request waits for memory", slot);
                reqs.insert(next_tag, Req { slot, ld, read, error, poison: error, in_mem: mem });
                next_tag = (next_tag + 1) & 0xFFFF;
                issued += 1;
            }
            if draining && reqs.is_empty() {
                break;
            }
        }
        prop_assert_eq!(answered, issued, "every request answered exactly once");
        prop_assert_eq!(tb.get("outstanding"), 0);
    }
}
