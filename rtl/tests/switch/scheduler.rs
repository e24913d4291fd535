//! `switch_scheduler`: a valid matching every cycle, iSLIP, rr and
//! priority against the testbench's reference, maximal iSLIP matches with enough
//! iterations, and the round-robin fairness bound (a continuously
//! requesting input waits at most N-1 grants of its output); Verilog in
//! `switch_blocks`.

#![allow(clippy::needless_range_loop)] // request matrices read clearer by index

use crate::support::{cases, run_model, Tb};
use linkforge_rtl::switch::scheduler::{scheduler, SchedPolicy, SchedulerConfig};
use linkforge_verif::tb::switch::blocks::SchedulerModel;
use proptest::prelude::*;

fn policies(n: usize) -> impl Strategy<Value = SchedPolicy> {
    prop_oneof![
        (1u32..=4).prop_map(|iterations| SchedPolicy::Islip { iterations }),
        Just(SchedPolicy::RoundRobin),
        Just(SchedPolicy::Priority),
        prop::collection::vec(1u32..=3, n).prop_map(SchedPolicy::Weighted),
    ]
}

/// Reads each input's match (one-hot or zero) from the block.
fn matches(tb: &mut Tb, n: usize) -> Vec<u64> {
    (0..n).map(|i| tb.get(&format!("match{i}"))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn matchings_are_valid_and_follow_the_model(
        (n, policy) in (2usize..=6).prop_flat_map(|n| (Just(n), policies(n))),
        words in prop::collection::vec(any::<u64>(), 6..600),
    ) {
        let cfg = SchedulerConfig { ports: n, policy };
        let cycles = (words.len() / n) as u64;
        run_model(scheduler("s", &cfg), SchedulerModel::new(&cfg), cycles.max(3), &words)?;
    }

    /// Requests persist until matched; with round robin (one output per
    /// input) or one-iteration iSLIP (any requests), an input waits at most
    /// N-1 matches of its output to others.
    #[test]
    fn a_persistent_request_waits_at_most_n_minus_1_grants(
        n in 2usize..=6,
        islip in any::<bool>(),
        steps in prop::collection::vec(prop::collection::vec(any::<u64>(), 6), 1..120),
    ) {
        let policy = if islip { SchedPolicy::Islip { iterations: 1 } } else { SchedPolicy::RoundRobin };
        let mut tb = Tb::new(scheduler("s", &SchedulerConfig { ports: n, policy }));
        tb.reset();
        let all = (1u64 << n) - 1;
        let mut req = vec![0u64; n];
        // Per (input, output): matches of that output to others while waiting.
        let mut waited = vec![vec![0usize; n]; n];
        for words in steps {
            for i in 0..n {
                req[i] |= if islip { words[i] & all } else if req[i] == 0 { 1 << (words[i] % n as u64) } else { 0 };
                tb.set(&format!("req{i}"), req[i]);
            }
            let got = matches(&mut tb, n);
            for o in 0..n {
                let winner = got.iter().position(|m| m >> o & 1 == 1);
                for i in 0..n {
                    if req[i] >> o & 1 == 0 || winner == Some(i) {
                        waited[i][o] = 0;
                    } else if winner.is_some() {
                        waited[i][o] += 1;
                        prop_assert!(waited[i][o] < n, "input {i} passed over {} times for output {o}", waited[i][o]);
                    }
                }
            }
            tb.step();
            for (r, m) in req.iter_mut().zip(&got) {
                *r &= !m;
            }
        }
    }
}

#[test]
fn bad_scheduler_parameters_are_errors() {
    let cfg = |ports, policy| SchedulerConfig { ports, policy };
    assert!(scheduler("s", &cfg(1, SchedPolicy::RoundRobin)).is_err());
    assert!(scheduler("s", &cfg(65, SchedPolicy::RoundRobin)).is_err());
    assert!(scheduler("s", &cfg(4, SchedPolicy::Islip { iterations: 0 })).is_err());
    assert!(scheduler("s", &cfg(4, SchedPolicy::Islip { iterations: 5 })).is_err());
    assert!(scheduler("s", &cfg(4, SchedPolicy::Weighted(vec![1, 2]))).is_err());
}
