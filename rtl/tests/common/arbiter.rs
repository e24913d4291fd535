//! `arbiter`: one-hot grants to requesters only, each policy against a
//! Rust model, and the round-robin fairness bounds; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::common::arbiter::{arbiter, ArbiterConfig, Policy};
use proptest::prelude::*;

/// The reference arbiter, written by index rather than by masks.
struct Model {
    n: usize,
    weights: Vec<u32>,
    /// The last winner (the search for the next starts after it).
    last: usize,
    /// Consecutive grants to `last` in its current turn.
    used: u32,
}

impl Model {
    fn grant(&mut self, policy: &Policy, req: u64) -> Option<usize> {
        let requests = |i: usize| req >> i & 1 == 1;
        if req == 0 {
            return None;
        }
        // The last winner keeps the grant while its turn lasts.
        let stay = self.used > 0 && requests(self.last) && self.used < self.weights[self.last];
        let winner = match policy {
            Policy::Fixed => (0..self.n).find(|&i| requests(i))?,
            _ if stay => self.last,
            _ => (1..=self.n)
                .map(|k| (self.last + k) % self.n)
                .find(|&i| requests(i))?,
        };
        self.used = if stay { self.used + 1 } else { 1 };
        self.last = winner;
        Some(winner)
    }
}

fn policy() -> impl Strategy<Value = (usize, Policy)> {
    (2usize..=8).prop_flat_map(|n| {
        (
            Just(n),
            prop_oneof![
                Just(Policy::Fixed),
                Just(Policy::RoundRobin),
                prop::collection::vec(1u32..=4, n).prop_map(Policy::Weighted),
            ],
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Requesters hold their request until granted (and sometimes withdraw
    /// it); the grant is one-hot, only to a requester, as the model says,
    /// and a waiting requester is passed over at most the fairness bound.
    #[test]
    fn grants_match_the_model_and_are_fair(
        (n, policy) in policy(),
        steps in prop::collection::vec((any::<u64>(), any::<u64>(), 0u8..8), 1..200),
    ) {
        let cfg = ArbiterConfig { requesters: n, policy: policy.clone() };
        let mut tb = Tb::new(arbiter("arb", &cfg));
        if policy.clocked() {
            tb.reset();
        }
        let weights = match &policy {
            Policy::Weighted(w) => w.clone(),
            _ => vec![1; n],
        };
        let bound = |i: usize| -> u32 { weights.iter().sum::<u32>() - weights[i] };
        let mut model = Model { n, weights: weights.clone(), last: n - 1, used: 0 };
        let all = (1u64 << n) - 1;
        let mut req = 0u64;
        // Grants to others while each requester has been waiting.
        let mut waited = vec![0u32; n];
        for (arrive, withdraw, roll) in steps {
            req |= arrive & all;
            if roll == 0 {
                req &= !withdraw;
            }
            tb.set("req", req);
            let grant = tb.get("grant");
            prop_assert!(grant.count_ones() <= 1, "grant {grant:b} is not one-hot");
            prop_assert_eq!(grant & !req, 0, "grant {:b} to a non-requester ({:b})", grant, req);
            prop_assert_eq!(tb.flag("grant_valid"), req != 0);
            prop_assert_eq!(grant != 0, req != 0);
            let expected = model.grant(&policy, req).map_or(0, |i| 1u64 << i);
            prop_assert_eq!(grant, expected, "req {:b}", req);
            for (i, w) in waited.iter_mut().enumerate() {
                if req >> i & 1 == 0 || grant >> i & 1 == 1 {
                    *w = 0;
                } else if grant != 0 {
                    *w += 1;
                    if !matches!(policy, Policy::Fixed) {
                        prop_assert!(*w <= bound(i), "requester {i} passed over {w} times");
                    }
                }
            }
            if policy.clocked() {
                tb.step();
            }
            req &= !grant;
        }
    }
}

#[test]
fn weights_must_match_the_requesters() {
    let cfg = |weights: Vec<u32>| ArbiterConfig {
        requesters: 3,
        policy: Policy::Weighted(weights),
    };
    assert!(arbiter("a", &cfg(vec![1, 2])).is_err());
    assert!(arbiter("a", &cfg(vec![1, 0, 2])).is_err());
    assert!(arbiter("a", &cfg(vec![1, 257, 2])).is_err());
    assert!(arbiter("a", &cfg(vec![1, 256, 2])).is_ok());
}

#[test]
fn only_round_robin_policies_have_a_clock() {
    let fixed = arbiter(
        "a",
        &ArbiterConfig {
            requesters: 4,
            policy: Policy::Fixed,
        },
    )
    .expect("builds");
    assert!(fixed.ports.iter().all(|&p| fixed.signal(p).name != "clk"));
    let rr = arbiter(
        "a",
        &ArbiterConfig {
            requesters: 4,
            policy: Policy::RoundRobin,
        },
    )
    .expect("builds");
    assert!(rr.ports.iter().any(|&p| rr.signal(p).name == "clk"));
}

#[test]
fn verilog_tools_accept_arbiters() {
    let points = [
        (4, Policy::Fixed),
        (2, Policy::RoundRobin),
        (64, Policy::RoundRobin),
        (5, Policy::Weighted(vec![1, 2, 3, 4, 5])),
        (3, Policy::Weighted(vec![256, 1, 7])),
        (64, Policy::Weighted((1..=64).collect())),
    ];
    for (i, (requesters, policy)) in points.into_iter().enumerate() {
        check_verilog(arbiter(
            &format!("arbiter_{i}"),
            &ArbiterConfig { requesters, policy },
        ));
    }
}
