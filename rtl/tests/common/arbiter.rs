//! `arbiter`: one-hot grants to requesters only, each policy against its
//! testbench's model, and the round-robin fairness bounds; Verilog tools.

use crate::support::{cases, check_verilog, run_model};
use linkforge_rtl::common::arbiter::{arbiter, ArbiterConfig, Policy};
use linkforge_verif::tb::common::blocks::ArbiterModel;
use proptest::prelude::*;

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
        words in prop::collection::vec(any::<u64>(), 9..600),
    ) {
        let cfg = ArbiterConfig { requesters: n, policy };
        let cycles = words.len() as u64 / 3;
        run_model(arbiter("arb", &cfg), ArbiterModel::new(&cfg), cycles, &words)?;
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
