//! The checks, one pass per file. Each returns the errors it finds; a module
//! is returned to the user only when every pass is clean.

pub mod cdc;
pub mod clock_domains;
pub mod comb_loops;
pub mod drivers;
pub mod undriven;
pub mod widths;

use crate::error::Diagnostic;
use crate::ir::{ExprId, Module, Op, SignalId, SignalKind};
use std::collections::{BTreeSet, HashMap};

/// Runs every pass. Clock-domain passes need valid clocks, so they run only
/// when `clocking_ok`; the CDC pass also needs a loop-free module.
pub(crate) fn run(m: &Module, clocking_ok: bool) -> Vec<Diagnostic> {
    let mut errors = widths::check(m);
    errors.extend(drivers::check(m));
    errors.extend(undriven::check(m));
    let loops = comb_loops::check(m);
    let loop_free = loops.is_empty();
    errors.extend(loops);
    if clocking_ok {
        errors.extend(clock_domains::check(m));
        if loop_free {
            errors.extend(cdc::check(m));
        }
    }
    errors
}

pub(crate) fn diagnostic(m: &Module, kind: crate::ErrorKind, loc: crate::SourceLoc) -> Diagnostic {
    Diagnostic {
        kind,
        module: m.name.clone(),
        loc,
    }
}

/// The signals an expression reads, each once, in first-seen order.
pub fn signals_read(m: &Module, root: ExprId) -> Vec<SignalId> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut stack = vec![root];
    let mut visited = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !visited.insert(id) {
            continue;
        }
        let n = m.node(id);
        if let Op::Signal(s) = n.op {
            if seen.insert(s) {
                out.push(s);
            }
        }
        stack.extend(n.args.iter().rev().copied());
    }
    out
}

/// The signal a clock or reset really comes from: follows plain
/// `assign a = b;` connections back to their source.
pub fn clock_root(m: &Module, mut s: SignalId) -> SignalId {
    for _ in 0..m.signals.len() {
        match m.driver(s).map(|d| &m.node(d.expr).op) {
            Some(Op::Signal(src)) => s = *src,
            _ => break,
        }
    }
    s
}

/// For each signal, the state-holding or external signals its value comes
/// from through combinational logic: registers, memory read ports, inputs and
/// instance outputs (and, through an instance's combinational paths, what
/// feeds the instance). Requires a loop-free module.
pub(crate) struct Fanin<'m> {
    m: &'m Module,
    memo: HashMap<SignalId, BTreeSet<SignalId>>,
}

impl<'m> Fanin<'m> {
    pub(crate) fn new(m: &'m Module) -> Self {
        Fanin {
            m,
            memo: HashMap::new(),
        }
    }

    /// Terminals of an expression.
    pub(crate) fn of_expr(&mut self, e: ExprId) -> BTreeSet<SignalId> {
        let mut out = BTreeSet::new();
        for s in signals_read(self.m, e) {
            out.extend(self.of_signal(s).iter().copied());
        }
        out
    }

    /// Terminals of a signal.
    pub(crate) fn of_signal(&mut self, s: SignalId) -> &BTreeSet<SignalId> {
        if !self.memo.contains_key(&s) {
            let m = self.m;
            let set = match &m.signal(s).kind {
                SignalKind::Reg { .. }
                | SignalKind::MemoryRead { .. }
                | SignalKind::Input { .. } => BTreeSet::from([s]),
                SignalKind::InstanceOutput { instance, port } => {
                    let inst = &m.instances[*instance as usize];
                    let mut set = BTreeSet::from([s]);
                    for p in inst.module.comb_paths.iter().filter(|p| p.to == *port) {
                        let feed = inst.connections[p.from as usize];
                        set.extend(self.of_signal(feed).clone());
                    }
                    set
                }
                SignalKind::Output | SignalKind::Wire | SignalKind::InstanceInput { .. } => {
                    match m.driver(s) {
                        Some(d) => self.of_expr(d.expr),
                        None => BTreeSet::new(),
                    }
                }
            };
            self.memo.insert(s, set);
        }
        &self.memo[&s]
    }
}
