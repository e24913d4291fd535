//! Combinational loop check: no signal may depend on itself without a
//! register in between, including through the combinational paths of
//! sub-module instances. The error lists the signals on the loop, each with
//! the assignment (file and line) or the instance that drives it.

use super::{diagnostic, inputs_reached, port_indices, signals_read};
use crate::error::{Diagnostic, ErrorKind, LoopStep};
use crate::ir::{CombPath, Module, SignalId, SignalKind};

/// The signals whose current value `s` reads combinationally.
fn comb_deps(m: &Module, s: SignalId) -> Vec<SignalId> {
    match &m.signal(s).kind {
        SignalKind::Output | SignalKind::Wire | SignalKind::InstanceInput { .. } => m
            .driver(s)
            .map(|d| signals_read(m, d.expr))
            .unwrap_or_default(),
        SignalKind::InstanceOutput { instance, port } => {
            let inst = &m.instances[*instance as usize];
            inst.module
                .comb_paths
                .iter()
                .filter(|p| p.to == *port)
                .map(|p| inst.connections[p.from as usize])
                .collect()
        }
        _ => Vec::new(),
    }
}

/// What drives `s` on a loop: its assignment, or the instance whose output
/// it is (a loop signal is one or the other).
fn step(m: &Module, s: SignalId) -> LoopStep {
    let decl = m.signal(s);
    let (instance, loc) = match (&decl.kind, m.driver(s)) {
        (SignalKind::InstanceOutput { instance, .. }, _) => {
            let inst = &m.instances[*instance as usize];
            (Some(inst.name.clone()), inst.loc)
        }
        (_, Some(driver)) => (None, driver.loc),
        (_, None) => (None, decl.loc),
    };
    LoopStep {
        signal: decl.name.clone(),
        instance,
        loc,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    New,
    OnPath,
    Done,
}

/// Runs the loop check: one error per loop found.
pub fn check(m: &Module) -> Vec<Diagnostic> {
    let n = m.signals.len();
    let mut mark = vec![Mark::New; n];
    let mut errors = Vec::new();
    for start in 0..n {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search; `path` holds (signal, its deps, next dep index).
        let mut path: Vec<(SignalId, Vec<SignalId>, usize)> = Vec::new();
        let s0 = SignalId(start as u32);
        mark[start] = Mark::OnPath;
        path.push((s0, comb_deps(m, s0), 0));
        while let Some((s, deps, i)) = path.last_mut() {
            if *i == deps.len() {
                mark[s.0 as usize] = Mark::Done;
                path.pop();
                continue;
            }
            let d = deps[*i];
            *i += 1;
            match mark[d.0 as usize] {
                Mark::New => {
                    mark[d.0 as usize] = Mark::OnPath;
                    let dd = comb_deps(m, d);
                    path.push((d, dd, 0));
                }
                Mark::OnPath => {
                    let at = path.iter().position(|(p, _, _)| *p == d).unwrap_or(0);
                    // The path runs from a reader to what it reads; print the loop
                    // in the direction values flow.
                    let mut on_loop: Vec<SignalId> =
                        path[at..].iter().rev().map(|(p, _, _)| *p).collect();
                    // Start at the earliest assignment on the loop, where the
                    // error points (else at a declaration).
                    let earliest = on_loop
                        .iter()
                        .enumerate()
                        .filter_map(|(i, p)| m.driver(*p).map(|dr| (i, dr.loc)))
                        .min_by_key(|(_, l)| (l.line, l.column));
                    if let Some((i, _)) = earliest {
                        on_loop.rotate_left(i);
                    }
                    let loc = earliest.map_or(m.signal(d).loc, |(_, l)| l);
                    let mut signals: Vec<String> =
                        on_loop.iter().map(|p| m.signal(*p).name.clone()).collect();
                    signals.push(signals[0].clone());
                    let steps: Vec<LoopStep> = on_loop.iter().map(|p| step(m, *p)).collect();
                    errors.push(diagnostic(m, ErrorKind::CombLoop { signals, steps }, loc));
                }
                Mark::Done => {}
            }
        }
    }
    errors
}

/// The input-to-output combinational paths of a loop-free module.
pub fn comb_paths(m: &Module) -> Vec<CombPath> {
    let index = port_indices(m);
    let mut paths = Vec::new();
    for (to, &out) in m.ports.iter().enumerate() {
        if m.is_input(out) {
            continue;
        }
        let Some(driver) = m.driver(out) else {
            continue;
        };
        let mut from: Vec<u32> = inputs_reached(m, [driver.expr])
            .iter()
            .filter_map(|inp| index.get(inp).copied())
            .collect();
        from.sort_unstable();
        paths.extend(from.into_iter().map(|from| CombPath {
            from,
            to: to as u32,
        }));
    }
    paths
}
