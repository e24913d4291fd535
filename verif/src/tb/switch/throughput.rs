//! A cycle-level reference of an input-queued switch carrying one-beat
//! packets, for the throughput the scheduling algorithms reach: each input
//! has a source, a credit limit per class, and one FIFO or one virtual
//! output queue per output; each cycle the scheduler reference
//! ([`SchedulerModel`], written from McKeown 1999 for iSLIP) matches the
//! queues' requests and every matched input sends one packet. Written from
//! the algorithms' descriptions, independent of the switch generator, so
//! that the hardware's figures have something to be compared with: with
//! FIFOs it shows head-of-line blocking (Karol et al. 1987: 0.655 for 4
//! ports, 0.618 for 8, 2 - sqrt(2) for many), with VOQs what iSLIP
//! reaches with the same buffer.
//!
//! Timing follows a store-and-forward switch whose queues are fed by
//! credit-obeying sources: a header credit a departing packet frees can
//! be used by its source in the same cycle; a packet a source sends in a
//! cycle can be matched from the next cycle.

use super::blocks::SchedulerModel;
use super::model::{class_of, next_to_send, BACKLOG};
use super::tlp::Class;
use crate::models::xorshift::XorShift;
use linkforge_rtl::switch::input_queue::Queueing;
use linkforge_rtl::switch::scheduler::{SchedPolicy, SchedulerConfig};
use std::collections::VecDeque;

/// The switch and traffic the reference runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ThroughputModel {
    /// Inputs and outputs.
    pub ports: usize,
    /// One FIFO or one queue per output at each input.
    pub queueing: Queueing,
    /// The matching algorithm.
    pub policy: SchedPolicy,
    /// Packets each input may hold per class (its header credits):
    /// posted, non-posted, completions.
    pub headers: [u64; 3],
    /// Relative weights of the classes offered.
    pub mix: [u64; 3],
    /// Packets offered per input per cycle (uniform destinations).
    pub load: f64,
    /// Destinations include the input's own port (a switch without an
    /// upstream port); otherwise a packet goes to one of the others.
    pub own_port: bool,
}

/// What a run measured over the cycles after a warm-up of a fifth.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ModelReport {
    /// Packets delivered per output per cycle.
    pub throughput: f64,
    /// Mean cycles from a packet entering its queue to leaving it.
    pub mean_latency: f64,
}

/// A packet in the reference: destination, class, id, cycle it was queued.
#[derive(Clone, Copy, Debug)]
struct Packet {
    dest: usize,
    class: Class,
    /// Distinct per packet: no two share a transaction.
    id: u32,
    queued: u64,
}

impl ThroughputModel {
    /// Runs `cycles` cycles of traffic drawn from `seed`.
    pub fn run(&self, cycles: u64, seed: u64) -> ModelReport {
        let n = self.ports;
        let mut rng = XorShift::new(seed);
        let mut sched = SchedulerModel::new(&SchedulerConfig {
            ports: n,
            policy: self.policy.clone(),
        });
        let queues_per_input = self.queueing.queues(n);
        let mut queues = vec![vec![VecDeque::<Packet>::new(); queues_per_input]; n];
        let mut sources = vec![VecDeque::<Packet>::new(); n];
        let mut held = vec![[0u64; 3]; n];
        let warm_up = cycles / 5;
        let (mut delivered, mut latency) = (0u64, 0u64);
        let mut offered = 0u32;
        for cycle in 0..cycles {
            // Match the queues' head packets and send them.
            let req: Vec<u64> = queues
                .iter()
                .map(|qs| {
                    qs.iter()
                        .filter_map(VecDeque::front)
                        .fold(0, |r, p| r | 1 << p.dest)
                })
                .collect();
            for (i, m) in sched.matching(&req).into_iter().enumerate() {
                let Some(o) = m else { continue };
                let q = match self.queueing {
                    Queueing::Fifo => 0,
                    Queueing::Voq => o,
                };
                let Some(p) = queues[i][q].pop_front() else {
                    continue;
                };
                held[i][p.class as usize] -= 1;
                if cycle >= warm_up {
                    delivered += 1;
                    latency += cycle - p.queued;
                }
            }
            // Sources: offer, then send the oldest packet with credit that
            // may pass every older one still waiting.
            for (i, source) in sources.iter_mut().enumerate() {
                if chance(&mut rng, self.load) {
                    let dest = if self.own_port {
                        (rng.word() % n as u64) as usize
                    } else {
                        (i + 1 + (rng.word() % (n as u64 - 1)) as usize) % n
                    };
                    let class = class_of(self.mix, rng.word());
                    if source.iter().filter(|p| p.class == class).count() < BACKLOG {
                        offered += 1;
                        source.push_back(Packet {
                            dest,
                            class,
                            id: offered,
                            queued: 0,
                        });
                    }
                }
                let next = next_to_send(
                    source,
                    |p| (p.class, p.id),
                    |p| held[i][p.class as usize] < self.headers[p.class as usize],
                );
                if let Some(p) = next.and_then(|at| source.remove(at)) {
                    held[i][p.class as usize] += 1;
                    let q = match self.queueing {
                        Queueing::Fifo => 0,
                        Queueing::Voq => p.dest,
                    };
                    queues[i][q].push_back(Packet {
                        queued: cycle + 1,
                        ..p
                    });
                }
            }
        }
        let window = (cycles - warm_up).max(1) as f64;
        ModelReport {
            throughput: delivered as f64 / (n as f64 * window),
            mean_latency: if delivered == 0 {
                0.0
            } else {
                latency as f64 / delivered as f64
            },
        }
    }
}

/// A random event of probability `p`.
fn chance(rng: &mut XorShift, p: f64) -> bool {
    ((rng.word() >> 11) as f64 / (1u64 << 53) as f64) < p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(ports: usize, queueing: Queueing, policy: SchedPolicy) -> ThroughputModel {
        ThroughputModel {
            ports,
            queueing,
            policy,
            headers: [64, 64, 64],
            mix: [0, 1, 0],
            load: 1.0,
            own_port: true,
        }
    }

    #[test]
    fn fifos_show_head_of_line_blocking() {
        // Karol et al. 1987, Table I: 0.6553 for N = 4, 0.6184 for N = 8.
        for (ports, karol) in [(4, 0.6553), (8, 0.6184)] {
            let r = model(ports, Queueing::Fifo, SchedPolicy::RoundRobin).run(40_000, 1);
            assert!(
                (r.throughput - karol).abs() < 0.02,
                "{ports} ports: {:.4}, Karol {karol}",
                r.throughput
            );
        }
    }

    #[test]
    fn islip_on_voqs_approaches_full_throughput() {
        // McKeown 1999: one iteration of iSLIP on VOQs serves uniform
        // Bernoulli traffic fully at saturation with deep enough queues.
        let r = model(8, Queueing::Voq, SchedPolicy::Islip { iterations: 1 }).run(40_000, 1);
        assert!(r.throughput > 0.94, "{:.4}", r.throughput);
        let shallow = ThroughputModel {
            headers: [8, 8, 8],
            ..model(8, Queueing::Voq, SchedPolicy::Islip { iterations: 1 })
        };
        assert!(shallow.run(40_000, 1).throughput < r.throughput - 0.05);
    }
}
