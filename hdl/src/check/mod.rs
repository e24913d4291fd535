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
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

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
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut stack = vec![root];
    let mut visited = HashSet::new();
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

/// For each signal, a summary of the state-holding or external signals its
/// value comes from through combinational logic (registers, memory read
/// ports, inputs and instance outputs, and through an instance's
/// combinational paths what feeds the instance): each such *terminal* is
/// mapped by `leaf` to keys (its clock domains, or itself if it is an
/// input), and a signal's summary holds every key of its terminals with the
/// lowest-numbered terminal that has it. Summaries stay as small as the
/// keys, however wide the logic. Requires a loop-free module.
pub(crate) struct Fanin<'m, K> {
    m: &'m Module,
    leaf: fn(&Module, SignalId) -> Vec<K>,
    /// Per signal (indexed like `Module::signals`), its summary once known.
    signals: Vec<Option<Rc<Keys<K>>>>,
    /// Per expression node, the last walk that visited it (walks are
    /// numbered from 1), so a walk needs no set of its own.
    visited: Vec<u32>,
    walks: u32,
}

/// Keys, each with the lowest-numbered terminal that has it.
pub(crate) type Keys<K> = BTreeMap<K, SignalId>;

impl<'m, K: Ord + Copy> Fanin<'m, K> {
    pub(crate) fn new(m: &'m Module, leaf: fn(&Module, SignalId) -> Vec<K>) -> Self {
        Fanin {
            m,
            leaf,
            signals: vec![None; m.signals.len()],
            visited: vec![0; m.nodes.len()],
            walks: 0,
        }
    }

    /// The keys of an expression's terminals.
    pub(crate) fn of_expr(&mut self, e: ExprId) -> Rc<Keys<K>> {
        let read = self.signals_read(e);
        if let [one] = read[..] {
            return self.of_signal(one);
        }
        let mut out = Keys::new();
        for s in read {
            merge(&mut out, &self.of_signal(s));
        }
        Rc::new(out)
    }

    /// The signals `root` reads ([`signals_read`], in any order).
    fn signals_read(&mut self, root: ExprId) -> Vec<SignalId> {
        self.walks += 1;
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            let mark = &mut self.visited[id.0 as usize];
            if *mark == self.walks {
                continue;
            }
            *mark = self.walks;
            let n = self.m.node(id);
            match n.op {
                Op::Signal(s) => out.push(s),
                _ => stack.extend(n.args.iter().copied()),
            }
        }
        out
    }

    /// The keys of a signal's terminals.
    pub(crate) fn of_signal(&mut self, s: SignalId) -> Rc<Keys<K>> {
        if let Some(done) = &self.signals[s.0 as usize] {
            return Rc::clone(done);
        }
        let m = self.m;
        let own = || -> Keys<K> { (self.leaf)(m, s).into_iter().map(|k| (k, s)).collect() };
        let keys = match &m.signal(s).kind {
            SignalKind::Reg { .. } | SignalKind::MemoryRead { .. } | SignalKind::Input { .. } => {
                own()
            }
            SignalKind::InstanceOutput { instance, port } => {
                let mut keys = own();
                let inst = &m.instances[*instance as usize];
                for p in inst.module.comb_paths.iter().filter(|p| p.to == *port) {
                    let feed = inst.connections[p.from as usize];
                    merge(&mut keys, &self.of_signal(feed));
                }
                keys
            }
            SignalKind::Output | SignalKind::Wire | SignalKind::InstanceInput { .. } => {
                match m.driver(s) {
                    Some(d) => {
                        let keys = self.of_expr(d.expr);
                        self.signals[s.0 as usize] = Some(Rc::clone(&keys));
                        return keys;
                    }
                    None => Keys::new(),
                }
            }
        };
        let keys = Rc::new(keys);
        self.signals[s.0 as usize] = Some(Rc::clone(&keys));
        keys
    }
}

/// Adds `more` to `into`, keeping the lower terminal of a shared key.
fn merge<K: Ord + Copy>(into: &mut Keys<K>, more: &Keys<K>) {
    if into.is_empty() {
        into.clone_from(more);
        return;
    }
    for (k, t) in more {
        into.entry(*k)
            .and_modify(|w| *w = (*w).min(*t))
            .or_insert(*t);
    }
}

/// The input ports whose values reach `roots` through combinational logic
/// (including an instance's combinational paths), found by one backward
/// walk that visits each signal and expression node at most once.
pub(crate) fn inputs_reached(m: &Module, roots: impl IntoIterator<Item = ExprId>) -> Vec<SignalId> {
    let mut seen_node = vec![false; m.nodes.len()];
    let mut seen_signal = vec![false; m.signals.len()];
    let mut nodes: Vec<ExprId> = roots.into_iter().collect();
    let mut signals: Vec<SignalId> = Vec::new();
    let mut reached = Vec::new();
    while !nodes.is_empty() || !signals.is_empty() {
        if let Some(id) = nodes.pop() {
            if std::mem::replace(&mut seen_node[id.0 as usize], true) {
                continue;
            }
            let n = m.node(id);
            match n.op {
                Op::Signal(s) => signals.push(s),
                _ => nodes.extend(n.args.iter().copied()),
            }
            continue;
        }
        let Some(s) = signals.pop() else { break };
        if std::mem::replace(&mut seen_signal[s.0 as usize], true) {
            continue;
        }
        match &m.signal(s).kind {
            SignalKind::Input { .. } => reached.push(s),
            SignalKind::Reg { .. } | SignalKind::MemoryRead { .. } => {}
            SignalKind::InstanceOutput { instance, port } => {
                let inst = &m.instances[*instance as usize];
                let feeds = inst.module.comb_paths.iter().filter(|p| p.to == *port);
                signals.extend(feeds.map(|p| inst.connections[p.from as usize]));
            }
            SignalKind::Output | SignalKind::Wire | SignalKind::InstanceInput { .. } => {
                nodes.extend(m.driver(s).map(|d| d.expr));
            }
        }
    }
    reached
}

/// Each port's index in [`Module::ports`].
pub(crate) fn port_indices(m: &Module) -> HashMap<SignalId, u32> {
    m.ports
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i as u32))
        .collect()
}
