//! Clock-domain-crossing check: a register, memory port or sub-module input
//! of one clock domain may read values of another domain only through an
//! instance of a module declared as a synchronizer
//! ([`crate::ModuleBuilder::declare_synchronizer`]).
//!
//! Domains are identified by their clock's source signal. Inputs belong to
//! the domain they were declared in (`in_domain`) or to none; sub-modules
//! contribute their port domains.

use super::{clock_root, diagnostic, inputs_reached, port_indices, Fanin};
use crate::error::{Diagnostic, ErrorKind};
use crate::ir::{ExprId, Module, SignalId, SignalKind};
use std::collections::{BTreeMap, BTreeSet};

/// The clock domains (clock source signals) a terminal signal's value belongs to.
fn domains_of(m: &Module, t: SignalId) -> Vec<SignalId> {
    match &m.signal(t).kind {
        SignalKind::Reg { clock, .. } => vec![clock_root(m, *clock)],
        SignalKind::MemoryRead { memory, port } => {
            let p = &m.memories[*memory as usize].reads[*port as usize];
            vec![clock_root(m, p.clock)]
        }
        SignalKind::Input { .. } => m
            .signal(t)
            .domain
            .map(|d| vec![clock_root(m, d)])
            .unwrap_or_default(),
        SignalKind::InstanceOutput { instance, port } => instance_port_domains(m, *instance, *port)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The parent-side clock sources of an instance port's domains.
fn instance_port_domains(m: &Module, instance: u32, port: u32) -> BTreeSet<SignalId> {
    let inst = &m.instances[instance as usize];
    inst.module
        .port_domains
        .get(port as usize)
        .map(|ds| {
            ds.iter()
                .map(|c| clock_root(m, inst.connections[*c as usize]))
                .collect()
        })
        .unwrap_or_default()
}

/// Something clocked that reads values: its clock source and what it reads.
struct Sink {
    name: String,
    clocks: BTreeSet<SignalId>,
    reads: Vec<ExprId>,
    loc: crate::SourceLoc,
}

fn sinks(m: &Module) -> Vec<Sink> {
    let mut out = Vec::new();
    for (i, s) in m.signals.iter().enumerate() {
        match &s.kind {
            SignalKind::Reg { clock, .. } => {
                if let Some(d) = &m.drivers[i] {
                    out.push(Sink {
                        name: s.name.clone(),
                        clocks: BTreeSet::from([clock_root(m, *clock)]),
                        reads: vec![d.expr],
                        loc: d.loc,
                    });
                }
            }
            SignalKind::InstanceInput { instance, port } => {
                let inst = &m.instances[*instance as usize];
                let clocks = instance_port_domains(m, *instance, *port);
                if let (false, Some(d)) =
                    (inst.module.synchronizer || clocks.is_empty(), &m.drivers[i])
                {
                    out.push(Sink {
                        name: s.name.clone(),
                        clocks,
                        reads: vec![d.expr],
                        loc: d.loc,
                    });
                }
            }
            _ => {}
        }
    }
    for mem in &m.memories {
        for w in &mem.writes {
            out.push(Sink {
                name: format!("{} write port", mem.name),
                clocks: BTreeSet::from([clock_root(m, w.clock)]),
                reads: vec![w.enable, w.addr, w.data],
                loc: w.loc,
            });
        }
        for r in &mem.reads {
            out.push(Sink {
                name: m.signal(r.data).name.clone(),
                clocks: BTreeSet::from([clock_root(m, r.clock)]),
                reads: vec![r.enable, r.addr],
                loc: r.loc,
            });
        }
    }
    out
}

/// Runs the CDC check (a declared synchronizer is trusted and not checked).
pub fn check(m: &Module) -> Vec<Diagnostic> {
    if m.synchronizer {
        return Vec::new();
    }
    let mut fanin = Fanin::new(m, domains_of);
    let mut errors = Vec::new();
    for sink in sinks(m) {
        let mut reported = BTreeSet::new();
        for &e in &sink.reads {
            // By the terminal that brings each domain, as a walk over the
            // terminals in order would meet them.
            let mut crossings: Vec<(SignalId, SignalId)> =
                fanin.of_expr(e).iter().map(|(d, t)| (*t, *d)).collect();
            crossings.sort_unstable();
            for (t, d) in crossings {
                if !sink.clocks.contains(&d) && reported.insert(d) {
                    let to = sink
                        .clocks
                        .iter()
                        .map(|c| m.signal(*c).name.clone())
                        .collect::<Vec<_>>()
                        .join("/");
                    errors.push(diagnostic(
                        m,
                        ErrorKind::UnsynchronizedCrossing {
                            signal: sink.name.clone(),
                            source_signal: m.signal(t).name.clone(),
                            from: m.signal(d).name.clone(),
                            to,
                        },
                        sink.loc,
                    ));
                }
            }
        }
    }
    errors
}

/// For each port: the clock input ports (as indices into `ports`) of the
/// domains it belongs to. Outputs: the domains driving them. Inputs: the
/// domains that sample them (none for a synchronizer, which accepts any).
pub fn port_domains(m: &Module) -> Vec<Vec<u32>> {
    let index = port_indices(m);
    let port_index = |s: SignalId| index.get(&s).copied();
    let mut result = vec![BTreeSet::new(); m.ports.len()];
    if !m.synchronizer {
        // One backward walk per distinct set of sampling clocks.
        let mut by_clocks: BTreeMap<BTreeSet<SignalId>, Vec<ExprId>> = BTreeMap::new();
        for sink in sinks(m) {
            by_clocks.entry(sink.clocks).or_default().extend(sink.reads);
        }
        for (clocks, reads) in by_clocks {
            let ports: Vec<u32> = clocks.iter().filter_map(|c| port_index(*c)).collect();
            for t in inputs_reached(m, reads) {
                if let Some(pi) = port_index(t) {
                    result[pi as usize].extend(ports.iter().copied());
                }
            }
        }
    }
    let mut domains = Fanin::new(m, domains_of);
    for (pi, &p) in m.ports.iter().enumerate() {
        if m.is_input(p) {
            continue;
        }
        result[pi].extend(domains.of_signal(p).keys().filter_map(|d| port_index(*d)));
    }
    result
        .into_iter()
        .map(|s| s.into_iter().collect())
        .collect()
}
