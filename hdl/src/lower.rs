//! Turns a [`ModuleBuilder`] into a [`Module`]: interns expression trees into
//! the arena, lowers structured control to one multiplexer tree per signal
//! (never a multiplexer whose two inputs are the same value), then runs the
//! checks.

use crate::builder::{ModuleBuilder, Stmt, WhenStmt};
use crate::check;
use crate::error::{Diagnostic, ErrorKind, HdlError};
use crate::expr::Expr;
use crate::ir::*;
use crate::loc::SourceLoc;
use std::collections::{BTreeSet, HashMap};

/// Interns builder expression trees into a module's node arena, keeping shared
/// sub-trees shared.
struct Interner {
    owner: u32,
    nodes: Vec<Node>,
    seen: HashMap<*const crate::expr::ExprNode, ExprId>,
    errors: Vec<(ErrorKind, SourceLoc)>,
}

impl Interner {
    fn intern(&mut self, e: &Expr) -> ExprId {
        let key = std::sync::Arc::as_ptr(&e.0);
        if let Some(id) = self.seen.get(&key) {
            return *id;
        }
        let n = &e.0;
        if let Some(kind) = &n.error {
            self.errors.push((kind.clone(), n.loc));
        }
        if matches!(n.op, Op::Signal(_)) && n.owner != self.owner {
            self.errors.push((
                ErrorKind::Invalid("expression uses a signal of another module".into()),
                n.loc,
            ));
        }
        let args: Vec<ExprId> = n.args.iter().map(|a| self.intern(a)).collect();
        // `c ? a : a` is `a` (its condition is still interned, so its
        // errors are reported).
        if n.op == Op::Mux && n.error.is_none() && args.len() == 3 && self.same(args[1], args[2]) {
            let folded = args[1];
            if self.nodes[args[0].0 as usize].width == 1
                && self.nodes[folded.0 as usize].width == n.width
            {
                self.seen.insert(key, folded);
                return folded;
            }
        }
        let id = self.push(n.op.clone(), args, n.width, n.loc);
        self.seen.insert(key, id);
        id
    }

    /// Whether nodes `a` and `b` have the same value: the same node, or
    /// equal leaves (the same signal, constant or state).
    fn same(&self, a: ExprId, b: ExprId) -> bool {
        let (na, nb) = (&self.nodes[a.0 as usize], &self.nodes[b.0 as usize]);
        a == b
            || (na.args.is_empty() && nb.args.is_empty() && na.op == nb.op && na.width == nb.width)
    }

    fn push(&mut self, op: Op, args: Vec<ExprId>, width: u32, loc: SourceLoc) -> ExprId {
        let id = ExprId(self.nodes.len() as u32);
        self.nodes.push(Node {
            op,
            args,
            width,
            loc,
        });
        id
    }
}

/// Lowers statements to drivers.
struct Lowering<'a> {
    interner: Interner,
    signals: &'a [SignalDecl],
    assignments: Vec<Assignment>,
    next_block: u32,
    latches: BTreeSet<SignalId>,
    latch_errors: Vec<(ErrorKind, SourceLoc)>,
    /// The one node per register that reads its current value (a hold).
    holds: HashMap<SignalId, ExprId>,
}

/// The value a signal has so far on the current path; `None` before any assignment.
type Env = HashMap<SignalId, ExprId>;

impl Lowering<'_> {
    fn block(&mut self, stmts: &[Stmt], env: &mut Env) {
        let block = self.next_block;
        self.next_block += 1;
        for stmt in stmts {
            match stmt {
                Stmt::Assign(a) => {
                    let value = self.interner.intern(&a.value);
                    self.assignments.push(Assignment {
                        target: a.target.id(),
                        value,
                        register: a.register,
                        domain: a.domain,
                        block,
                        loc: a.loc,
                    });
                    env.insert(a.target.id(), value);
                }
                Stmt::When(w) => self.when(w, env),
            }
        }
    }

    fn when(&mut self, w: &WhenStmt, env: &mut Env) {
        let mut targets = BTreeSet::new();
        collect_targets(&w.branches, &w.otherwise, &mut targets);
        let incoming: Env = targets
            .iter()
            .filter_map(|t| env.get(t).map(|v| (*t, *v)))
            .collect();
        let mut branch_envs = Vec::new();
        let mut conds = Vec::new();
        for (cond, stmts) in &w.branches {
            conds.push(self.interner.intern(cond));
            let mut e = incoming.clone();
            self.block(stmts, &mut e);
            branch_envs.push(e);
        }
        let mut otherwise = incoming.clone();
        if let Some(stmts) = &w.otherwise {
            self.block(stmts, &mut otherwise);
        }
        for t in targets {
            let mut acc = self.value_or_hold(t, otherwise.get(&t).copied(), w.loc);
            for (cond, benv) in conds.iter().zip(&branch_envs).rev() {
                let v = self.value_or_hold(t, benv.get(&t).copied(), w.loc);
                if self.interner.same(v, acc) {
                    continue;
                }
                let width = self.signals[t.0 as usize].width;
                acc = self
                    .interner
                    .push(Op::Mux, vec![*cond, v, acc], width, w.loc);
            }
            env.insert(t, acc);
        }
    }

    /// A signal's value on a path that may not assign it: registers hold,
    /// combinational signals would need a latch (an error).
    fn value_or_hold(&mut self, t: SignalId, v: Option<ExprId>, loc: SourceLoc) -> ExprId {
        if let Some(v) = v {
            return v;
        }
        let decl = &self.signals[t.0 as usize];
        if matches!(decl.kind, SignalKind::Reg { .. }) {
            if let Some(&hold) = self.holds.get(&t) {
                return hold;
            }
            let hold = self
                .interner
                .push(Op::Signal(t), Vec::new(), decl.width, loc);
            self.holds.insert(t, hold);
            return hold;
        }
        if self.latches.insert(t) {
            self.latch_errors.push((
                ErrorKind::Latch {
                    signal: decl.name.clone(),
                },
                loc,
            ));
        }
        // The design is rejected; a zero keeps the other checks meaningful.
        let zero = crate::Bits::zero(decl.width);
        self.interner
            .push(Op::Const(zero), Vec::new(), decl.width, loc)
    }
}

fn collect_targets(
    branches: &[(Expr, Vec<Stmt>)],
    otherwise: &Option<Vec<Stmt>>,
    out: &mut BTreeSet<SignalId>,
) {
    let blocks = branches.iter().map(|(_, s)| s).chain(otherwise.iter());
    for stmts in blocks {
        for s in stmts {
            match s {
                Stmt::Assign(a) => {
                    out.insert(a.target.id());
                }
                Stmt::When(w) => collect_targets(&w.branches, &w.otherwise, out),
            }
        }
    }
}

/// Builds and checks the module.
pub(crate) fn finish(b: ModuleBuilder) -> Result<Module, HdlError> {
    let mut errors: Vec<Diagnostic> = b.errors;
    let interner = Interner {
        owner: b.owner,
        nodes: Vec::new(),
        seen: HashMap::new(),
        errors: Vec::new(),
    };
    let mut lowering = Lowering {
        interner,
        signals: &b.signals,
        assignments: Vec::new(),
        next_block: 0,
        latches: BTreeSet::new(),
        latch_errors: Vec::new(),
        holds: HashMap::new(),
    };
    let mut env = Env::new();
    lowering.block(&b.blocks[0], &mut env);

    let mut first_loc: HashMap<SignalId, SourceLoc> = HashMap::new();
    for a in &lowering.assignments {
        first_loc.entry(a.target).or_insert(a.loc);
    }
    let mut drivers: Vec<Option<Driver>> = vec![None; b.signals.len()];
    for (target, expr) in env {
        let loc = first_loc.get(&target).copied().unwrap_or(b.loc);
        drivers[target.0 as usize] = Some(Driver { expr, loc });
    }

    let Lowering {
        mut interner,
        assignments,
        latch_errors,
        ..
    } = lowering;

    let default_clock = SignalId(u32::MAX);
    let mut clock_or_error = |clock: Option<SignalId>, what: &str, loc: SourceLoc| match clock {
        Some(c) => c,
        None => {
            errors.push(Diagnostic {
                kind: ErrorKind::Clocking(format!(
                    "{what} has no clock: declare one with `clock()` first"
                )),
                module: b.name.clone(),
                loc,
            });
            default_clock
        }
    };

    let mut memories = Vec::new();
    for m in &b.memories {
        let mut writes = Vec::new();
        for w in &m.writes {
            writes.push(MemoryWrite {
                clock: clock_or_error(
                    w.clock,
                    &format!("write port of memory `{}`", m.name),
                    w.loc,
                ),
                enable: interner.intern(&w.enable),
                addr: interner.intern(&w.addr),
                data: interner.intern(&w.data),
                loc: w.loc,
            });
        }
        let mut reads = Vec::new();
        for r in &m.reads {
            reads.push(MemoryReadPort {
                clock: clock_or_error(r.clock, &format!("read port of memory `{}`", m.name), r.loc),
                enable: interner.intern(&r.enable),
                addr: interner.intern(&r.addr),
                data: r.data.id(),
                loc: r.loc,
            });
        }
        memories.push(Memory {
            name: m.name.clone(),
            width: m.width,
            depth: m.depth,
            writes,
            reads,
            loc: m.loc,
        });
    }

    let mut assertions = Vec::new();
    for a in &b.assertions {
        assertions.push(Assertion {
            kind: a.kind,
            clock: clock_or_error(a.clock, &format!("assertion \"{}\"", a.message), a.loc),
            cond: interner.intern(&a.cond),
            message: a.message.clone(),
            loc: a.loc,
        });
    }

    let interfaces = b
        .interfaces
        .iter()
        .map(|i| Interface {
            protocol: i.protocol,
            prefix: i.prefix.clone(),
            payload: i.payload.clone(),
            clock: clock_or_error(i.clock, &format!("interface `{}`", i.prefix), i.loc),
            loc: i.loc,
        })
        .collect();

    let instances = b
        .instances
        .iter()
        .map(|i| Instance {
            name: i.name.clone(),
            module: i.module.clone(),
            connections: i.connections.iter().map(|s| s.id()).collect(),
            loc: i.loc,
        })
        .collect();

    for (kind, loc) in interner.errors.drain(..).chain(latch_errors) {
        errors.push(Diagnostic {
            kind,
            module: b.name.clone(),
            loc,
        });
    }

    let mut module = Module {
        name: b.name,
        signals: b.signals,
        nodes: interner.nodes,
        drivers,
        assignments,
        ports: b.ports,
        memories,
        instances,
        fsms: b.fsms,
        assertions,
        interfaces,
        synchronizer: b.synchronizer,
        comb_paths: Vec::new(),
        port_domains: Vec::new(),
        loc: b.loc,
    };
    let clocking_ok = errors
        .iter()
        .all(|e| !matches!(e.kind, ErrorKind::Clocking(_)));
    errors.extend(check::run(&module, clocking_ok));
    if !errors.is_empty() {
        return Err(HdlError {
            diagnostics: errors,
        });
    }
    module.comb_paths = check::comb_loops::comb_paths(&module);
    module.port_domains = check::cdc::port_domains(&module);
    Ok(module)
}
