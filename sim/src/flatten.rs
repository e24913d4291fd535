//! Flattening: the module hierarchy of a [`Design`] becomes one netlist with
//! hierarchical names (`top.u_sub.signal`), one signal table and one
//! expression arena.
//!
//! Port connections become plain `Signal` drivers: a sub-module input is
//! driven by the parent's side of the connection, the parent's side of an
//! output by the sub-module's port. Register resets are folded into the
//! next-state expression, FSM state names into constants, and every clock is
//! traced back to a top-level input.

use super::error::SimError;
use linkforge_hdl::ir::{ExprId, Module, Op, SignalId, SignalKind};
use linkforge_hdl::{AssertionKind, Bits, Design, SourceLoc};

/// A flat expression node; `Op::Signal` ids index [`Netlist::signals`] and
/// `args` index [`Netlist::nodes`]. `Op::StateConst` never appears.
#[derive(Clone, Debug)]
pub(crate) struct FlatNode {
    pub op: Op,
    pub args: Vec<ExprId>,
    pub width: u32,
}

/// What a flat signal is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FlatKind {
    /// A top-level input port.
    Input { clock: bool },
    /// Combinational: the value of its driver (zero when undriven).
    Comb(Option<ExprId>),
    /// A register (described in [`Netlist::regs`]).
    Reg,
    /// The registered data of a memory read port.
    MemoryRead,
}

/// One signal of the flat netlist.
#[derive(Clone, Debug)]
pub(crate) struct FlatSignal {
    /// Hierarchical name, `top.u0.q`.
    pub name: String,
    pub width: u32,
    pub kind: FlatKind,
}

/// An asynchronous reset: while `cond` is 1 the register holds `value`.
#[derive(Clone, Debug)]
pub(crate) struct AsyncReset {
    pub cond: ExprId,
    pub value: Bits,
}

/// A register; `next` already includes its reset.
#[derive(Clone, Debug)]
pub(crate) struct FlatReg {
    pub signal: SignalId,
    /// The top-level clock input.
    pub clock: SignalId,
    pub next: ExprId,
    pub async_reset: Option<AsyncReset>,
}

/// A synchronous memory write port.
#[derive(Clone, Debug)]
pub(crate) struct FlatWrite {
    pub clock: SignalId,
    pub enable: ExprId,
    pub addr: ExprId,
    pub data: ExprId,
}

/// A synchronous memory read port loading `data`.
#[derive(Clone, Debug)]
pub(crate) struct FlatRead {
    pub clock: SignalId,
    pub enable: ExprId,
    pub addr: ExprId,
    pub data: SignalId,
}

/// A memory with its ports.
#[derive(Clone, Debug)]
pub(crate) struct FlatMemory {
    /// Hierarchical name.
    pub name: String,
    pub width: u32,
    pub depth: u32,
    pub writes: Vec<FlatWrite>,
    pub reads: Vec<FlatRead>,
}

/// An assertion, checked at every rising edge of `clock`.
#[derive(Clone, Debug)]
pub(crate) struct FlatAssertion {
    pub kind: AssertionKind,
    pub clock: SignalId,
    pub cond: ExprId,
    pub message: String,
    /// Hierarchical path of the declaring instance.
    pub path: String,
    pub loc: SourceLoc,
}

/// The whole design as one flat netlist.
#[derive(Clone, Debug, Default)]
pub(crate) struct Netlist {
    pub signals: Vec<FlatSignal>,
    pub nodes: Vec<FlatNode>,
    pub regs: Vec<FlatReg>,
    pub memories: Vec<FlatMemory>,
    pub assertions: Vec<FlatAssertion>,
}

impl Netlist {
    /// The top-level input that clocks `user` through `clock`, following
    /// plain signal connections.
    fn trace_clock(
        &self,
        clock: SignalId,
        user: impl FnOnce() -> String,
    ) -> Result<SignalId, SimError> {
        let mut s = clock;
        // A chain of connections is never longer than the signal table.
        for _ in 0..=self.signals.len() {
            let sig = &self.signals[s.0 as usize];
            match sig.kind {
                FlatKind::Input { .. } if sig.width == 1 => return Ok(s),
                FlatKind::Comb(Some(e)) => match self.nodes[e.0 as usize].op {
                    Op::Signal(next) => s = next,
                    _ => break,
                },
                _ => break,
            }
        }
        Err(SimError::UntracedClock {
            user: user(),
            clock: self.signals[s.0 as usize].name.clone(),
        })
    }

    fn push_node(&mut self, op: Op, args: Vec<ExprId>, width: u32) -> ExprId {
        let id = ExprId(self.nodes.len() as u32);
        self.nodes.push(FlatNode { op, args, width });
        id
    }

    fn signal_node(&mut self, s: SignalId) -> ExprId {
        let width = self.signals[s.0 as usize].width;
        self.push_node(Op::Signal(s), Vec::new(), width)
    }
}

/// Flattens `design` under the top module's name.
pub(crate) fn flatten(design: &Design) -> Result<Netlist, SimError> {
    let mut net = Netlist::default();
    let top = design.top();
    instantiate(&mut net, top, &top.name, None);
    for i in 0..net.regs.len() {
        let reg = &net.regs[i];
        let name = net.signals[reg.signal.0 as usize].name.clone();
        net.regs[i].clock = net.trace_clock(reg.clock, || name)?;
    }
    for m in 0..net.memories.len() {
        for w in 0..net.memories[m].writes.len() {
            let port = &net.memories[m].writes[w];
            let user = format!("write port {w} of memory `{}`", net.memories[m].name);
            net.memories[m].writes[w].clock = net.trace_clock(port.clock, || user)?;
        }
        for r in 0..net.memories[m].reads.len() {
            let port = &net.memories[m].reads[r];
            let name = net.signals[port.data.0 as usize].name.clone();
            net.memories[m].reads[r].clock = net.trace_clock(port.clock, || name)?;
        }
    }
    for i in 0..net.assertions.len() {
        let a = &net.assertions[i];
        let user = format!("assertion \"{}\" in `{}`", a.message, a.path);
        net.assertions[i].clock = net.trace_clock(a.clock, || user)?;
    }
    Ok(net)
}

/// Adds one instance of `m` at `path`; `ports` holds the parent-side signals
/// of its ports (`None` for the top). Returns the flat id of each local signal.
fn instantiate(
    net: &mut Netlist,
    m: &Module,
    path: &str,
    ports: Option<&[SignalId]>,
) -> Vec<SignalId> {
    let sig_base = net.signals.len() as u32;
    let node_base = net.nodes.len() as u32;
    let sig = |s: SignalId| SignalId(sig_base + s.0);
    let node = |e: ExprId| ExprId(node_base + e.0);

    for decl in &m.signals {
        net.signals.push(FlatSignal {
            name: format!("{path}.{}", decl.name),
            width: decl.width,
            kind: FlatKind::Comb(None),
        });
    }
    for n in &m.nodes {
        let op = match &n.op {
            Op::Signal(s) => Op::Signal(sig(*s)),
            Op::StateConst { state, .. } => {
                Op::Const(Bits::from_u64_wrapping(u64::from(*state), n.width))
            }
            other => other.clone(),
        };
        let args = n.args.iter().map(|a| node(*a)).collect();
        net.nodes.push(FlatNode {
            op,
            args,
            width: n.width,
        });
    }

    let children: Vec<Vec<SignalId>> = m
        .instances
        .iter()
        .map(|inst| {
            let conns: Vec<SignalId> = inst.connections.iter().map(|c| sig(*c)).collect();
            let child_path = format!("{path}.{}", inst.name);
            instantiate(net, &inst.module, &child_path, Some(&conns))
        })
        .collect();

    let port_index = |s: SignalId| m.ports.iter().position(|p| *p == s);
    for (local, decl) in m.signals.iter().enumerate() {
        let local = SignalId(local as u32);
        let flat = sig(local);
        let driver = m.driver(local).map(|d| node(d.expr));
        let kind = match &decl.kind {
            SignalKind::Input { clock } => match (ports, port_index(local)) {
                (Some(conns), Some(i)) => FlatKind::Comb(Some(net.signal_node(conns[i]))),
                _ => FlatKind::Input { clock: *clock },
            },
            SignalKind::Output | SignalKind::Wire | SignalKind::InstanceInput { .. } => {
                FlatKind::Comb(driver)
            }
            SignalKind::InstanceOutput { instance, port } => {
                let child = &m.instances[*instance as usize].module;
                let child_port = child.ports[*port as usize];
                let source = children[*instance as usize][child_port.0 as usize];
                FlatKind::Comb(Some(net.signal_node(source)))
            }
            SignalKind::Reg { clock, reset } => {
                let mut next = match driver {
                    Some(d) => d,
                    None => net.signal_node(flat),
                };
                let mut async_reset = None;
                if let Some(r) = reset {
                    let mut cond = net.signal_node(sig(r.signal));
                    if r.active_low {
                        cond = net.push_node(Op::Not, vec![cond], 1);
                    }
                    let value = net.push_node(Op::Const(r.value.clone()), Vec::new(), decl.width);
                    next = net.push_node(Op::Mux, vec![cond, value, next], decl.width);
                    if r.asynchronous {
                        async_reset = Some(AsyncReset {
                            cond,
                            value: r.value.clone(),
                        });
                    }
                }
                net.regs.push(FlatReg {
                    signal: flat,
                    clock: sig(*clock),
                    next,
                    async_reset,
                });
                FlatKind::Reg
            }
            SignalKind::MemoryRead { .. } => FlatKind::MemoryRead,
        };
        net.signals[flat.0 as usize].kind = kind;
    }

    for mem in &m.memories {
        net.memories.push(FlatMemory {
            name: format!("{path}.{}", mem.name),
            width: mem.width,
            depth: mem.depth,
            writes: mem
                .writes
                .iter()
                .map(|w| FlatWrite {
                    clock: sig(w.clock),
                    enable: node(w.enable),
                    addr: node(w.addr),
                    data: node(w.data),
                })
                .collect(),
            reads: mem
                .reads
                .iter()
                .map(|r| FlatRead {
                    clock: sig(r.clock),
                    enable: node(r.enable),
                    addr: node(r.addr),
                    data: sig(r.data),
                })
                .collect(),
        });
    }
    for a in &m.assertions {
        net.assertions.push(FlatAssertion {
            kind: a.kind,
            clock: sig(a.clock),
            cond: node(a.cond),
            message: a.message.clone(),
            path: path.to_string(),
            loc: a.loc,
        });
    }
    (0..m.signals.len() as u32)
        .map(|s| SignalId(sig_base + s))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_hdl::prelude::*;

    fn child() -> Module {
        let mut m = ModuleBuilder::new("child");
        let _clk = m.clock("clk");
        let a = m.input("a", 4);
        let y = m.output("y", 4);
        let q = m.reg("q", 4).no_reset();
        m.next(q, a);
        m.assign(y, q);
        m.finish().unwrap()
    }

    #[test]
    fn names_are_hierarchical_and_clocks_trace_to_the_top() {
        let c = child();
        let mut m = ModuleBuilder::new("top");
        let clk = m.clock("clk");
        let a = m.input("a", 4);
        let y = m.output("y", 4);
        let u = m.instance("u0", c);
        m.assign(u.io("clk").unwrap(), clk);
        m.assign(u.io("a").unwrap(), a);
        m.assign(y, u.io("y").unwrap());
        let d = Design::new(m.finish().unwrap()).unwrap();
        let net = flatten(&d).unwrap();
        let names: Vec<&str> = net.signals.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"top.u0.q"));
        assert!(names.contains(&"top.u0_y"));
        let top_clk = names.iter().position(|n| *n == "top.clk").unwrap();
        assert_eq!(net.regs.len(), 1);
        assert_eq!(net.regs[0].clock, SignalId(top_clk as u32));
    }
}
