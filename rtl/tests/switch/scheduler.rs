//! `switch_scheduler`: a valid matching every cycle, iSLIP, rr and
//! priority against Rust models, maximal iSLIP matches with enough
//! iterations, and the round-robin fairness bound (a continuously
//! requesting input waits at most N-1 grants of its output); Verilog in
//! `switch_blocks`.

#![allow(clippy::needless_range_loop)] // request matrices read clearer by index

use crate::support::{cases, Tb};
use linkforge_rtl::switch::scheduler::{scheduler, SchedPolicy, SchedulerConfig};
use proptest::prelude::*;

/// Reference scheduler (not weighted round robin): pointers are the
/// first index a search starts at.
struct Model {
    n: usize,
    grant_ptr: Vec<usize>,
    accept_ptr: Vec<usize>,
}

impl Model {
    fn first(&self, from: usize, ok: impl Fn(usize) -> bool) -> Option<usize> {
        (0..self.n).map(|k| (from + k) % self.n).find(|&x| ok(x))
    }

    /// Each input's match for requests `req` (bit `o` of `req[i]`).
    fn step(&mut self, policy: &SchedPolicy, req: &[u64]) -> Vec<Option<usize>> {
        let n = self.n;
        let wants = |i: usize, o: usize| req[i] >> o & 1 == 1;
        let mut matched = vec![None; n];
        let mut out_taken = vec![false; n];
        let rounds = match policy {
            SchedPolicy::Islip { iterations } => *iterations,
            _ => 1,
        };
        let fixed = matches!(policy, SchedPolicy::Priority);
        for round in 0..rounds {
            let grants: Vec<Option<usize>> = (0..n)
                .map(|o| {
                    let start = if fixed { 0 } else { self.grant_ptr[o] };
                    let free = |i: usize| matched[i].is_none() && wants(i, o);
                    if out_taken[o] {
                        None
                    } else {
                        self.first(start, free)
                    }
                })
                .collect();
            if matches!(policy, SchedPolicy::RoundRobin) {
                for (o, g) in grants.iter().enumerate() {
                    if let Some(i) = g {
                        self.grant_ptr[o] = (i + 1) % n;
                    }
                }
            }
            for i in 0..n {
                let start = if fixed { 0 } else { self.accept_ptr[i] };
                if let Some(o) = self.first(start, |o| grants[o] == Some(i)) {
                    matched[i] = Some(o);
                    out_taken[o] = true;
                    // iSLIP moves pointers for first-round matches only.
                    if !fixed && round == 0 {
                        self.accept_ptr[i] = (o + 1) % n;
                    }
                    if round == 0 && matches!(policy, SchedPolicy::Islip { .. }) {
                        self.grant_ptr[o] = (i + 1) % n;
                    }
                }
            }
        }
        matched
    }
}

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
        steps in prop::collection::vec(prop::collection::vec(any::<u64>(), 6), 1..60),
    ) {
        let mut tb = Tb::new(scheduler("s", &SchedulerConfig { ports: n, policy: policy.clone() }));
        if policy.clocked() {
            tb.reset();
        }
        let all = (1u64 << n) - 1;
        let mut model = Model { n, grant_ptr: vec![0; n], accept_ptr: vec![0; n] };
        for words in steps {
            let req: Vec<u64> = words[..n].iter().map(|w| w & all).collect();
            for (i, r) in req.iter().enumerate() {
                tb.set(&format!("req{i}"), *r);
            }
            let got = matches(&mut tb, n);
            let mut cols = 0u64;
            for (i, m) in got.iter().enumerate() {
                prop_assert!(m.count_ones() <= 1, "input {i} matched {m:b}");
                prop_assert_eq!(m & !req[i], 0, "input {} matched {:b} without a request", i, m);
                prop_assert_eq!(cols & m, 0, "output matched twice");
                cols |= m;
            }
            if let SchedPolicy::Islip { iterations } = policy {
                if iterations as usize >= n {
                    for (i, m) in got.iter().enumerate() {
                        let idle = req[i] & !cols;
                        prop_assert!(*m != 0 || idle == 0, "not maximal: input {i} could take {idle:b}");
                    }
                }
            }
            if !matches!(policy, SchedPolicy::Weighted(_)) {
                let want: Vec<u64> = model.step(&policy, &req).iter().map(|m| m.map_or(0, |o| 1 << o)).collect();
                prop_assert_eq!(&got, &want, "requests {:?}", req);
            }
            if policy.clocked() {
                tb.step();
            }
        }
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
