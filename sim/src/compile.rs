//! Compilation of a flat [`Netlist`] into a [`Program`]: state slots, a
//! levelized instruction tape for all combinational logic, and per clock
//! domain the cone of logic its edge needs plus what the edge updates.
//!
//! Storage (inputs, registers, memory read data) comes first in the state
//! vector, then constants and computed values. A combinational signal has no
//! storage of its own: it lives in the slot of its driver, so port
//! connections and plain assignments cost nothing at run time.

use super::error::SimError;
use super::flatten::{FlatKind, Netlist};
use super::in_place::commit_in_place;
use super::tape::{Insn, Tape};
use super::wide::{Operand, WideInsn};
use linkforge_hdl::ir::{ExprId, Op, SignalId};
use linkforge_hdl::words_for;
use std::collections::HashMap;
use std::ops::Range;

/// A memory read port: at an edge, `shadow = enable && addr < depth ? mem[addr] : data`,
/// then `data = shadow` when the domain commits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadPort {
    pub memory: u32,
    pub enable: u32,
    pub addr: Operand,
    pub shadow: u32,
    pub data: u32,
}

/// A memory write port: at an edge, `if enable && addr < depth { mem[addr] = data }`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WritePort {
    pub memory: u32,
    pub enable: u32,
    pub addr: Operand,
    pub data: u32,
}

/// The code of one clock domain.
#[derive(Clone, Debug)]
pub(crate) struct DomainCode {
    /// The top-level clock input.
    pub clock: SignalId,
    /// The combinational logic the edge reads, in order.
    pub cone: Tape,
    /// Copies of next states that are themselves storage (a shift register),
    /// run after the logic and before any commit.
    pub latch: Tape,
    /// Register updates, one move per word (sources are never storage, so
    /// commits cannot race).
    pub commit: Tape,
    pub reads: Vec<ReadPort>,
    pub writes: Vec<WritePort>,
    /// Indices into [`Program::assertions`].
    pub assertions: Vec<u32>,
    /// The edge when the domain rises alone; `None` when the design has
    /// asynchronous resets (whose settling loops).
    pub alone: Option<FusedEdge>,
}

/// The edge of one domain rising alone, or of every domain rising at once:
/// the tapes of their [`DomainCode`]s fused around the memory ports and
/// assertions, so the edge costs two tape runs, or one when there are none.
#[derive(Clone, Debug)]
pub(crate) struct FusedEdge {
    /// The cones, then the latches: everything sampled at the edge; without
    /// ports ([`FusedEdge::ports`]) also what `finish` would hold.
    pub sample: Tape,
    /// `sample` without the cones, run instead of it when the whole logic
    /// is already settled (a traced run dumps every value before the edge).
    pub latched: Tape,
    /// The commits, the clock inputs driven high, and when every domain of
    /// the design rises the outputs' logic (then
    /// [`FusedEdge::settles_outputs`]). Runs after the memory ports' read
    /// data is committed.
    pub finish: Tape,
    /// Memory ports or assertions act between `sample` and `finish`.
    pub ports: bool,
    /// The edge leaves the top module's outputs up to date.
    pub settles_outputs: bool,
}

/// Which domains a [`FusedEdge`] is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fused {
    /// Domain `d` rising alone.
    Alone(usize),
    /// Every domain rising at once.
    Together,
}

impl DomainCode {
    /// The state words the memory ports read at an edge; `data_words`
    /// gives the words of memory `m`'s data.
    pub fn port_words(&self, data_words: impl Fn(u32) -> usize) -> Vec<u32> {
        let span = |off: u32, n: usize| off..off + n as u32;
        let mut words = Vec::new();
        for r in &self.reads {
            words.push(r.enable);
            words.extend(span(r.addr.off, words_for(r.addr.width)));
        }
        for w in &self.writes {
            words.push(w.enable);
            words.extend(span(w.addr.off, words_for(w.addr.width)));
            words.extend(span(w.data, data_words(w.memory)));
        }
        words
    }
}

impl Program {
    /// The fused edge `which`, if the design has one.
    pub fn fused(&self, which: Fused) -> Option<&FusedEdge> {
        match which {
            Fused::Alone(d) => self.domains[d].alone.as_ref(),
            Fused::Together => self.together.as_ref(),
        }
    }

    /// The fused edge `which`, if the design has one, to change.
    pub fn fused_mut(&mut self, which: Fused) -> Option<&mut FusedEdge> {
        match which {
            Fused::Alone(d) => self.domains[d].alone.as_mut(),
            Fused::Together => self.together.as_mut(),
        }
    }

    /// The domains of the fused edge `which`.
    pub fn fused_domains(&self, which: Fused) -> std::ops::Range<usize> {
        match which {
            Fused::Alone(d) => d..d + 1,
            Fused::Together => 0..self.domains.len(),
        }
    }
}

impl Program {
    /// The state words a time with only falling clock edges can change:
    /// the clock inputs and what [`Program::clock_fanout`] computes.
    pub fn fall_words(&self) -> Vec<u32> {
        let mut words: Vec<u32> = self
            .domains
            .iter()
            .map(|d| self.signals[d.clock.0 as usize].off)
            .collect();
        for insn in self.clock_fanout.insns() {
            match *insn {
                Insn::Wide(i) => {
                    let w = &self.wide[i as usize];
                    words.extend(w.dst..w.dst + words_for(w.width) as u32);
                }
                _ => words.extend(insn.operands().0),
            }
        }
        words
    }
}

impl FusedEdge {
    /// Fuses the code of domains rising together; `rest` is what follows
    /// the commits (the clocks driven high, the outputs' logic). The
    /// sample tape computes next states in place where it can
    /// ([`commit_in_place`]); the latched tape keeps every commit.
    fn new(
        domains: &[&DomainCode],
        cone: Vec<Insn>,
        parts: &[(Vec<Insn>, Vec<Insn>)],
        rest: &[Insn],
        settles_outputs: bool,
        c: &Compiler<'_>,
    ) -> FusedEdge {
        let words = c.state.len();
        let latches: Vec<Insn> = parts.iter().flat_map(|(l, _)| l).copied().collect();
        let commits: Vec<Insn> = parts.iter().flat_map(|(_, k)| k).copied().collect();
        let mut pinned = Vec::new();
        for d in domains {
            pinned.extend(d.port_words(|m| words_for(c.net.memories[m as usize].width)));
            pinned.extend(
                d.assertions
                    .iter()
                    .map(|&a| c.slot(c.net.assertions[a as usize].cond)),
            );
        }
        let ports = !pinned.is_empty();
        let mut body = cone;
        body.extend_from_slice(&latches);
        let in_place = commit_in_place(&mut body, &commits, &pinned, &c.wide, &c.tables);
        let mut latched = latches;
        let mut finish = in_place.commits;
        finish.extend_from_slice(rest);
        let mut sample = body;
        if ports {
            // Run over settled logic, the edge commits before the ports
            // what the sample tape computes in place: they read neither.
            latched.extend(in_place.moved);
        } else {
            sample.append(&mut finish);
            latched.extend(commits);
            latched.extend_from_slice(rest);
        }
        FusedEdge {
            sample: Tape::new(sample, words),
            latched: Tape::new(latched, words),
            finish: Tape::new(finish, words),
            ports,
            settles_outputs,
        }
    }
}

/// An asynchronous reset: while `state[cond]` is 1 the register at `reg` holds `value`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AsyncReset {
    pub cond: u32,
    pub value: u32,
    pub reg: u32,
    pub words: u32,
}

/// A memory's shape; contents live outside the state vector.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemoryShape {
    pub depth: u64,
    pub words: u32,
}

/// An assertion's condition slot.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AssertionCode {
    pub cond: u32,
}

/// Everything the simulator runs.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    /// Initial state: zeros and the constants.
    pub state: Vec<u64>,
    /// All combinational logic, levelized.
    pub full: Tape,
    /// The logic whose value depends on a clock input's level, levelized:
    /// all that a falling edge can change.
    pub clock_fanout: Tape,
    /// The logic the top module's outputs read, levelized: all a test bench
    /// that only peeks outputs needs after a poke or an edge.
    pub outputs: Tape,
    /// Where the top module's outputs live.
    pub output_values: Vec<Operand>,
    pub wide: Vec<WideInsn>,
    /// The tables of [`Insn::Lookup`]: state slots.
    pub tables: Vec<u32>,
    /// Words of scratch the widest multi-word instruction needs.
    pub scratch_words: usize,
    /// Where each flat signal's value lives.
    pub signals: Vec<Operand>,
    pub domains: Vec<DomainCode>,
    /// The edge of every domain at once, when there are two or more and no
    /// asynchronous resets.
    pub together: Option<FusedEdge>,
    pub async_resets: Vec<AsyncReset>,
    pub memories: Vec<MemoryShape>,
    pub assertions: Vec<AssertionCode>,
}

/// Compiles `net`; `clocks` are the top-level inputs that become clock
/// domains, `outputs` the top module's outputs.
pub(crate) fn compile(
    net: &Netlist,
    clocks: &[SignalId],
    outputs_of: &[SignalId],
) -> Result<Program, SimError> {
    let mut c = Compiler {
        net,
        state: Vec::new(),
        consts: HashMap::new(),
        storage: vec![None; net.signals.len()],
        slots: vec![0; net.nodes.len()],
        code: vec![0..0; net.nodes.len()],
        uses: vec![Vec::new(); net.nodes.len()],
        cse: HashMap::new(),
        bit_source: vec![None; net.nodes.len()],
        trees: vec![None; net.nodes.len()],
        tables: Vec::new(),
        insns: Vec::new(),
        wide: Vec::new(),
    };
    for (i, s) in net.signals.iter().enumerate() {
        if !matches!(s.kind, FlatKind::Comb(_)) {
            c.storage[i] = Some(c.alloc(s.width)?);
        }
    }
    let storage_end = c.state.len() as u32;
    let order = levelize(net)?;
    for &e in &order {
        let start = c.insns.len() as u32;
        let (slot, uses) = c.node(e)?;
        c.slots[e.0 as usize] = slot;
        c.uses[e.0 as usize] = uses;
        c.code[e.0 as usize] = start..c.insns.len() as u32;
    }

    let signals = (0..net.signals.len())
        .map(|i| c.signal_operand(SignalId(i as u32)))
        .collect::<Result<Vec<_>, _>>()?;
    let async_resets = net
        .regs
        .iter()
        .filter_map(|r| r.async_reset.as_ref().map(|a| (r, a)))
        .map(|(r, a)| {
            Ok(AsyncReset {
                cond: c.slot(a.cond),
                value: c.constant(a.value.words())?,
                reg: signals[r.signal.0 as usize].off,
                words: words_for(a.value.width()) as u32,
            })
        })
        .collect::<Result<Vec<_>, SimError>>()?;
    let async_conds: Vec<ExprId> = net
        .regs
        .iter()
        .filter_map(|r| r.async_reset.as_ref().map(|a| a.cond))
        .collect();

    // Every peekable signal and everything an edge reads.
    let mut all_roots: Vec<ExprId> = net
        .signals
        .iter()
        .filter_map(|s| match s.kind {
            FlatKind::Comb(d) => d,
            _ => None,
        })
        .collect();
    let mut domains = Vec::new();
    // What the edges of all domains read.
    let mut edge_roots = Vec::new();
    // Tapes are checked against the final state size, known at the end.
    let mut tapes = Vec::new();
    for &clock in clocks {
        let mut roots = async_conds.clone();
        let mut commits = Vec::new();
        let mut latch = Vec::new();
        for r in net.regs.iter().filter(|r| r.clock == clock) {
            roots.push(r.next);
            let width = net.signals[r.signal.0 as usize].width;
            let mut src = c.slot(r.next);
            if src < storage_end {
                // The next state is another register (or an input): copy it
                // before any commit so every register sees pre-edge values.
                let copy = c.alloc(width)?;
                latch.push(c.copy_insn(copy, src, width));
                src = copy;
            }
            let dst = signals[r.signal.0 as usize].off;
            commits.extend((0..words_for(width) as u32).map(|k| Insn::Mov {
                dst: dst + k,
                a: src + k,
            }));
        }
        let mut reads = Vec::new();
        let mut writes = Vec::new();
        for (m, mem) in net.memories.iter().enumerate() {
            for r in mem.reads.iter().filter(|r| r.clock == clock) {
                roots.extend([r.enable, r.addr]);
                reads.push(ReadPort {
                    memory: m as u32,
                    enable: c.slot(r.enable),
                    addr: c.operand(r.addr),
                    shadow: c.alloc(mem.width)?,
                    data: signals[r.data.0 as usize].off,
                });
            }
            for w in mem.writes.iter().filter(|w| w.clock == clock) {
                roots.extend([w.enable, w.addr, w.data]);
                writes.push(WritePort {
                    memory: m as u32,
                    enable: c.slot(w.enable),
                    addr: c.operand(w.addr),
                    data: c.slot(w.data),
                });
            }
        }
        let mut assertions = Vec::new();
        for (i, a) in net.assertions.iter().enumerate() {
            if a.clock == clock {
                roots.push(a.cond);
                assertions.push(i as u32);
            }
        }
        tapes.push((c.tape(&order, &roots), latch, commits));
        edge_roots.extend(roots);
        domains.push(DomainCode {
            clock,
            cone: Tape::default(),
            latch: Tape::default(),
            commit: Tape::default(),
            reads,
            writes,
            assertions,
            alone: None,
        });
    }

    all_roots.extend_from_slice(&edge_roots);
    let full = c.tape(&order, &all_roots);
    let clock_fanout = c.tape_of(&order, &clock_dependent(net, &order, clocks));
    // Asynchronous resets act whenever logic settles, so their conditions
    // are part of every partial tape.
    let output_roots: Vec<ExprId> = outputs_of
        .iter()
        .filter_map(|o| match net.signals[o.0 as usize].kind {
            FlatKind::Comb(d) => d,
            _ => None,
        })
        .chain(async_conds)
        .collect();
    let output_insns = c.tape(&order, &output_roots);
    let fuse = async_resets.is_empty();
    let high = c.constant(&[1])?;
    let clock_high = |d: &DomainCode| Insn::Mov {
        dst: signals[d.clock.0 as usize].off,
        a: high,
    };
    let words = c.state.len();
    let together = (fuse && domains.len() > 1).then(|| {
        let all: Vec<&DomainCode> = domains.iter().collect();
        let parts: Vec<_> = tapes
            .iter()
            .map(|(_, l, k)| (l.clone(), k.clone()))
            .collect();
        let rest: Vec<Insn> = all
            .iter()
            .map(|d| clock_high(d))
            .chain(output_insns.iter().copied())
            .collect();
        FusedEdge::new(&all, c.tape(&order, &edge_roots), &parts, &rest, true, &c)
    });
    let settles_outputs = domains.len() == 1;
    for (d, (cone, latch, commit)) in domains.iter_mut().zip(tapes) {
        if fuse {
            let mut rest = vec![clock_high(d)];
            if settles_outputs {
                rest.extend_from_slice(&output_insns);
            }
            let parts = [(latch.clone(), commit.clone())];
            d.alone = Some(FusedEdge::new(
                &[d],
                cone.clone(),
                &parts,
                &rest,
                settles_outputs,
                &c,
            ));
        }
        d.cone = Tape::new(cone, words);
        d.latch = Tape::new(latch, words);
        d.commit = Tape::new(commit, words);
    }
    let full = Tape::new(full, words);
    let clock_fanout = Tape::new(clock_fanout, words);
    let outputs = Tape::new(output_insns, words);
    let scratch_words = c.wide.iter().map(|w| words_for(w.width)).max().unwrap_or(0);
    Ok(Program {
        full,
        clock_fanout,
        outputs,
        output_values: outputs_of.iter().map(|o| signals[o.0 as usize]).collect(),
        scratch_words,
        signals,
        domains,
        together,
        async_resets,
        memories: net
            .memories
            .iter()
            .map(|m| MemoryShape {
                depth: u64::from(m.depth),
                words: words_for(m.width) as u32,
            })
            .collect(),
        assertions: net
            .assertions
            .iter()
            .map(|a| AssertionCode {
                cond: c.slot(a.cond),
            })
            .collect(),
        state: c.state,
        wide: c.wide,
        tables: c.tables,
    })
}

/// The nodes a node's value depends on directly: its operands, or for a
/// combinational signal the driver it aliases.
fn deps(net: &Netlist, e: ExprId) -> &[ExprId] {
    let n = &net.nodes[e.0 as usize];
    match n.op {
        Op::Signal(s) => match &net.signals[s.0 as usize].kind {
            FlatKind::Comb(Some(d)) => std::slice::from_ref(d),
            _ => &[],
        },
        _ => &n.args,
    }
}

/// For each node, whether its value depends on the level of one of the
/// `clocks` (directly or through other nodes); `order` is [`levelize`]'s.
fn clock_dependent(net: &Netlist, order: &[ExprId], clocks: &[SignalId]) -> Vec<bool> {
    let mut dependent = vec![false; net.nodes.len()];
    for &e in order {
        let n = &net.nodes[e.0 as usize];
        let own = matches!(n.op, Op::Signal(s) if clocks.contains(&s));
        dependent[e.0 as usize] = own || deps(net, e).iter().any(|d| dependent[d.0 as usize]);
    }
    dependent
}

/// Every node in dependency order (an iterative depth-first post-order, so
/// deep expression chains cannot overflow the stack).
fn levelize(net: &Netlist) -> Result<Vec<ExprId>, SimError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; net.nodes.len()];
    let mut order = Vec::with_capacity(net.nodes.len());
    let mut stack: Vec<(ExprId, usize)> = Vec::new();
    for root in 0..net.nodes.len() {
        if mark[root] != Mark::New {
            continue;
        }
        mark[root] = Mark::Open;
        stack.push((ExprId(root as u32), 0));
        while let Some((e, next)) = stack.last_mut() {
            let d = deps(net, *e);
            if let Some(&dep) = d.get(*next) {
                *next += 1;
                match mark[dep.0 as usize] {
                    Mark::New => {
                        mark[dep.0 as usize] = Mark::Open;
                        stack.push((dep, 0));
                    }
                    Mark::Open => return Err(loop_error(net, &stack)),
                    Mark::Done => {}
                }
            } else {
                let e = *e;
                mark[e.0 as usize] = Mark::Done;
                order.push(e);
                stack.pop();
            }
        }
    }
    Ok(order)
}

/// Names a signal on the loop that `stack` closes.
fn loop_error(net: &Netlist, stack: &[(ExprId, usize)]) -> SimError {
    let name = stack
        .iter()
        .rev()
        .find_map(|(e, _)| match net.nodes[e.0 as usize].op {
            Op::Signal(s) => Some(net.signals[s.0 as usize].name.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "an expression".into());
    SimError::CombLoop(name)
}

/// A multiplexer tree whose value is `leaves[(word >> lo) & (len - 1)]`.
#[derive(Clone, Debug)]
struct MuxTree {
    word: u32,
    lo: u8,
    /// Leaf slots, a power of two of them.
    leaves: Vec<u32>,
    /// The distinct leaf nodes and the node holding `word`.
    reads: Vec<ExprId>,
}

/// The widest index a lookup table is built for.
const MAX_TREE_BITS: u32 = 8;

struct Compiler<'n> {
    net: &'n Netlist,
    state: Vec<u64>,
    /// Constant words to their slot, so each distinct constant is stored once.
    consts: HashMap<Vec<u64>, u32>,
    /// The slot of each storage signal.
    storage: Vec<Option<u32>>,
    /// The slot holding each node's value.
    slots: Vec<u32>,
    /// The instructions computing each node, as a range of `insns`.
    code: Vec<Range<u32>>,
    /// The nodes whose values each node's instructions read (its operands,
    /// less those folded into it, or the node it duplicates).
    uses: Vec<Vec<ExprId>>,
    /// Computed nodes by operator, operand slots and width, so a duplicate
    /// expression reuses the first one's value.
    cse: HashMap<(Op, Vec<u32>, u32), ExprId>,
    /// For a single-bit part select of a one-word value: the value's node,
    /// its word and the bit, so a multiplexer can test the bit directly.
    bit_source: Vec<Option<(ExprId, u32, u8)>>,
    /// For a tree of such multiplexers testing consecutive bits of one word:
    /// the tree as a table lookup.
    trees: Vec<Option<MuxTree>>,
    /// The tables of [`Insn::Lookup`].
    tables: Vec<u32>,
    insns: Vec<Insn>,
    wide: Vec<WideInsn>,
}

impl Compiler<'_> {
    fn alloc(&mut self, width: u32) -> Result<u32, SimError> {
        let off = self.state.len();
        let end = off + words_for(width);
        if u32::try_from(end).is_err() {
            return Err(SimError::TooLarge(end as u64));
        }
        self.state.resize(end, 0);
        Ok(off as u32)
    }

    fn constant(&mut self, words: &[u64]) -> Result<u32, SimError> {
        if let Some(&slot) = self.consts.get(words) {
            return Ok(slot);
        }
        let slot = self.alloc(words.len() as u32 * 64)?;
        self.state[slot as usize..][..words.len()].copy_from_slice(words);
        self.consts.insert(words.to_vec(), slot);
        Ok(slot)
    }

    fn zero(&mut self, width: u32) -> Result<u32, SimError> {
        self.constant(&vec![0; words_for(width)])
    }

    fn slot(&self, e: ExprId) -> u32 {
        self.slots[e.0 as usize]
    }

    fn operand(&self, e: ExprId) -> Operand {
        Operand {
            off: self.slot(e),
            width: self.net.nodes[e.0 as usize].width,
        }
    }

    fn signal_operand(&mut self, s: SignalId) -> Result<Operand, SimError> {
        let sig = &self.net.signals[s.0 as usize];
        let off = match (&sig.kind, self.storage[s.0 as usize]) {
            (_, Some(slot)) => slot,
            (FlatKind::Comb(Some(d)), None) => self.slot(*d),
            _ => self.zero(sig.width)?,
        };
        Ok(Operand {
            off,
            width: sig.width,
        })
    }

    /// The nodes `roots` read, transitively.
    fn reachable(&self, roots: &[ExprId]) -> Vec<bool> {
        let mut seen = vec![false; self.net.nodes.len()];
        let mut stack: Vec<ExprId> = roots.to_vec();
        while let Some(e) = stack.pop() {
            if !std::mem::replace(&mut seen[e.0 as usize], true) {
                stack.extend_from_slice(&self.uses[e.0 as usize]);
            }
        }
        seen
    }

    /// The instructions computing `roots`, in dependency order.
    fn tape(&self, order: &[ExprId], roots: &[ExprId]) -> Vec<Insn> {
        self.tape_of(order, &self.reachable(roots))
    }

    /// The code of the nodes marked in `keep`, in `order`.
    fn tape_of(&self, order: &[ExprId], keep: &[bool]) -> Vec<Insn> {
        order
            .iter()
            .filter(|e| keep[e.0 as usize])
            .flat_map(|e| {
                let r = &self.code[e.0 as usize];
                &self.insns[r.start as usize..r.end as usize]
            })
            .copied()
            .collect()
    }

    fn emit(&mut self, insn: Insn) {
        self.insns.push(insn);
    }

    fn wide_insn(&mut self, op: Op, dst: u32, width: u32, args: Vec<Operand>) -> Insn {
        self.wide.push(WideInsn {
            op,
            dst,
            width,
            args,
        });
        Insn::Wide(self.wide.len() as u32 - 1)
    }

    /// An instruction copying a `width`-bit value.
    fn copy_insn(&mut self, dst: u32, src: u32, width: u32) -> Insn {
        if width <= 64 {
            Insn::Mov { dst, a: src }
        } else {
            let arg = Operand { off: src, width };
            self.wide_insn(Op::Zext(width), dst, width, vec![arg])
        }
    }

    /// Gives node `e` a slot, emitting the instructions that compute it;
    /// returns the slot and the nodes those instructions read.
    fn node(&mut self, e: ExprId) -> Result<(u32, Vec<ExprId>), SimError> {
        let net = self.net;
        let n = &net.nodes[e.0 as usize];
        match &n.op {
            Op::Const(b) => return Ok((self.constant(b.words())?, Vec::new())),
            Op::StateConst { .. } => unreachable!("flattening turns FSM states into constants"),
            Op::Signal(s) => return Ok((self.signal_operand(*s)?.off, deps(net, e).to_vec())),
            _ => {}
        }
        let args: Vec<Operand> = n.args.iter().map(|a| self.operand(*a)).collect();
        let width = n.width;
        let same_words = |a: &Operand| words_for(a.width) == words_for(width);
        let alias = match &n.op {
            Op::Zext(_) => same_words(&args[0]),
            Op::Sext(_) => args[0].width == width,
            Op::Concat => args.len() == 1,
            Op::Repeat(k) => *k == 1,
            Op::ShlConst(k) | Op::ShrConst(k) | Op::SraConst(k) => *k == 0,
            Op::Slice { lo, .. } => *lo == 0 && args[0].width == width,
            _ => false,
        };
        if alias {
            return Ok((args[0].off, vec![n.args[0]]));
        }
        if matches!(n.op, Op::ShlConst(k) | Op::ShrConst(k) if k >= width) {
            return Ok((self.zero(width)?, Vec::new()));
        }
        let key = (n.op.clone(), args.iter().map(|a| a.off).collect(), width);
        if let Some(&same) = self.cse.get(&key) {
            self.bit_source[e.0 as usize] = self.bit_source[same.0 as usize];
            self.trees[e.0 as usize] = self.trees[same.0 as usize].clone();
            return Ok((self.slot(same), vec![same]));
        }
        self.cse.insert(key, e);
        let dst = self.alloc(width)?;
        let mut uses = n.args.clone();
        let single = width <= 64
            && match n.op {
                Op::Slice { .. } => true,
                _ => args.iter().all(|a| a.width <= 64),
            };
        let tested_bit = match n.op {
            Op::Mux => self.bit_source[n.args[0].0 as usize],
            _ => None,
        };
        match (&n.op, tested_bit) {
            (Op::Mux, Some((source, word, bit))) if single => {
                let tree = self.mux_tree(source, word, bit, n.args[1], n.args[2]);
                if tree.leaves.len() > 2 {
                    uses.clone_from(&tree.reads);
                    self.emit(Insn::Lookup {
                        dst,
                        c: word,
                        lo: bit,
                        bits: tree.leaves.len().trailing_zeros() as u8,
                        table: self.tables.len() as u32,
                    });
                    self.tables.extend_from_slice(&tree.leaves);
                } else {
                    uses[0] = source;
                    self.emit(Insn::MuxBit {
                        dst,
                        c: word,
                        n: bit,
                        a: args[1].off,
                        b: args[2].off,
                    });
                }
                self.trees[e.0 as usize] = Some(tree);
            }
            (Op::Select, _) if args[0].width <= 64 => self.select(dst, width, &args)?,
            (Op::Slice { lo, .. }, _) if width == 1 => {
                let word = args[0].off + lo / 64;
                let bit = (lo % 64) as u8;
                self.bit_source[e.0 as usize] = Some((n.args[0], word, bit));
                self.single(&n.op, dst, width, &args)?;
            }
            _ if single => self.single(&n.op, dst, width, &args)?,
            _ => {
                let insn = self.wide_insn(n.op.clone(), dst, width, args);
                self.emit(insn);
            }
        }
        Ok((dst, uses))
    }

    /// The lookup table of `bit of word ? hi : lo`, merging `hi` and `lo`
    /// when they are trees over the next bits of the same word.
    fn mux_tree(&self, control: ExprId, word: u32, bit: u8, hi: ExprId, lo: ExprId) -> MuxTree {
        let subtree = |e: ExprId| match &self.trees[e.0 as usize] {
            Some(t)
                if t.word == word
                    && u32::from(t.lo) == u32::from(bit) + 1
                    && t.leaves.len() < 1 << MAX_TREE_BITS =>
            {
                (t.leaves.clone(), t.reads.clone())
            }
            _ => (vec![self.slot(e)], vec![e]),
        };
        let (hi, lo) = (subtree(hi), subtree(lo));
        let size = hi.0.len().max(lo.0.len());
        // A side that tests fewer bits does not depend on the others: repeat it.
        let leaves = (0..2 * size)
            .map(|i| {
                let side = if i % 2 == 1 { &hi.0 } else { &lo.0 };
                side[(i / 2) % side.len()]
            })
            .collect();
        let mut reads = vec![control];
        for r in hi.1.into_iter().chain(lo.1) {
            if !reads.contains(&r) {
                reads.push(r);
            }
        }
        MuxTree {
            word,
            lo: bit,
            leaves,
            reads,
        }
    }

    /// Emits `dst = arms[index]` for a [`Op::Select`] of a one-word index
    /// (`args[0]`) as one branchless table lookup per result word; entries
    /// past the last arm read a zero constant. An index of more than
    /// [`MAX_TREE_BITS`] bits is first clamped to the arm count, so the
    /// table has at most twice as many entries as arms.
    fn select(&mut self, dst: u32, width: u32, args: &[Operand]) -> Result<(), SimError> {
        let (index, arms) = (args[0], &args[1..]);
        let (c, bits) = if index.width <= MAX_TREE_BITS {
            (index.off, index.width)
        } else {
            let count = arms.len() as u64;
            let limit = self.constant(&[count])?;
            let in_range = self.alloc(1)?;
            let clamped = self.alloc(64)?;
            self.emit(Insn::Lt {
                dst: in_range,
                a: index.off,
                b: limit,
            });
            self.emit(Insn::Mux {
                dst: clamped,
                c: in_range,
                a: index.off,
                b: limit,
            });
            (clamped, u64::BITS - count.leading_zeros())
        };
        let zero = self.zero(width)?;
        for k in 0..words_for(width) as u32 {
            let table = self.tables.len() as u32;
            let entries = (0..1usize << bits).map(|i| arms.get(i).map_or(zero, |a| a.off) + k);
            self.tables.extend(entries);
            self.emit(Insn::Lookup {
                dst: dst + k,
                c,
                lo: 0,
                bits: bits as u8,
                table,
            });
        }
        Ok(())
    }

    /// Emits the single-word instructions of a node whose result and
    /// operands (but for a part select's source) fit in one word.
    fn single(&mut self, op: &Op, dst: u32, width: u32, args: &[Operand]) -> Result<(), SimError> {
        let sh = (64 - width) as u8;
        let a = args[0].off;
        let ash = (64 - args[0].width.min(64)) as u8;
        let b = args.get(1).map_or(0, |o| o.off);
        let insn = match op {
            Op::Not => Insn::Not { dst, a, sh },
            Op::ReduceAnd => Insn::ReduceAnd { dst, a, sh: ash },
            Op::ReduceOr => Insn::ReduceOr { dst, a },
            Op::ReduceXor => Insn::ReduceXor { dst, a },
            Op::Add => Insn::Add { dst, a, b, sh },
            Op::Sub => Insn::Sub { dst, a, b, sh },
            Op::Mul => Insn::Mul { dst, a, b, sh },
            Op::And => Insn::And { dst, a, b },
            Op::Or => Insn::Or { dst, a, b },
            Op::Xor => Insn::Xor { dst, a, b },
            Op::Eq => Insn::Eq { dst, a, b },
            Op::Ne => Insn::Ne { dst, a, b },
            Op::Lt => Insn::Lt { dst, a, b },
            Op::Le => Insn::Le { dst, a, b },
            Op::Gt => Insn::Lt { dst, a: b, b: a },
            Op::Ge => Insn::Le { dst, a: b, b: a },
            Op::SignedLt => Insn::SignedLt { dst, a, b, sh: ash },
            Op::SignedLe => Insn::SignedLe { dst, a, b, sh: ash },
            Op::SignedGt => Insn::SignedLt {
                dst,
                a: b,
                b: a,
                sh: ash,
            },
            Op::SignedGe => Insn::SignedLe {
                dst,
                a: b,
                b: a,
                sh: ash,
            },
            Op::Shl => Insn::Shl { dst, a, b, sh },
            Op::Shr | Op::DynSlice { .. } => Insn::Shr { dst, a, b, sh },
            Op::Sra => Insn::Sra { dst, a, b, sh },
            Op::ShlConst(n) => Insn::ShlConst {
                dst,
                a,
                n: *n as u8,
                sh,
            },
            Op::ShrConst(n) => Insn::ShrConst {
                dst,
                a,
                n: *n as u8,
                sh,
            },
            Op::SraConst(n) => Insn::SraConst {
                dst,
                a,
                n: (*n).min(63) as u8,
                from: ash,
                sh,
            },
            Op::Sext(_) => Insn::SraConst {
                dst,
                a,
                n: 0,
                from: ash,
                sh,
            },
            Op::Mux => Insn::Mux {
                dst,
                c: a,
                a: b,
                b: args[2].off,
            },
            Op::Slice { lo, .. } => {
                let (word, n) = (lo / 64, (lo % 64) as u8);
                let a = a + word;
                if u32::from(n) + width <= 64 {
                    Insn::ShrConst { dst, a, n, sh }
                } else {
                    Insn::ShrPair { dst, a, n, sh }
                }
            }
            Op::Concat => {
                self.emit(Insn::Mov { dst, a });
                for part in &args[1..] {
                    self.emit(Insn::ShlOr {
                        dst,
                        a: part.off,
                        n: part.width as u8,
                    });
                }
                return Ok(());
            }
            Op::Repeat(k) => {
                // Copies of a value that cannot carry into each other: a product.
                let w = args[0].width;
                let factor = (0..*k).fold(0u64, |f, i| f | 1u64 << (i * w));
                let b = self.constant(&[factor])?;
                Insn::Mul { dst, a, b, sh }
            }
            Op::Select => unreachable!("selections are compiled by `Compiler::select`"),
            Op::Zext(_) | Op::Const(_) | Op::StateConst { .. } | Op::Signal(_) => {
                unreachable!("aliases and leaves have no instruction")
            }
        };
        self.emit(insn);
        Ok(())
    }
}
