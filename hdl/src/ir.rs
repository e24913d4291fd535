//! The checked netlist of one module: plain data in arenas, indexed by ids.
//!
//! A [`Module`] is what [`crate::ModuleBuilder::finish`] returns after every check
//! passed. Each signal has at most one driver expression (structured control is
//! already lowered to multiplexers), so back-ends and the simulator read one
//! expression per signal and never re-derive widths.

use crate::bits::Bits;
use crate::loc::SourceLoc;
use std::sync::Arc;

/// Index of a signal in [`Module::signals`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignalId(pub u32);

/// Index of an expression node in [`Module::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u32);

/// An operator of the expression language. Operand widths follow the rules in
/// [`crate::check::widths`]; the result width is stored in each [`Node`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// A constant.
    Const(Bits),
    /// A named FSM state: `value` of state `state` of FSM `fsm` in this module.
    StateConst {
        /// Index into [`Module::fsms`].
        fsm: u32,
        /// Index of the state.
        state: u32,
    },
    /// The current value of a signal.
    Signal(SignalId),
    /// Bitwise not.
    Not,
    /// AND of all bits (1 bit).
    ReduceAnd,
    /// OR of all bits (1 bit).
    ReduceOr,
    /// XOR of all bits (1 bit).
    ReduceXor,
    /// Wrapping addition of equal widths.
    Add,
    /// Wrapping subtraction of equal widths.
    Sub,
    /// Wrapping multiplication of equal widths (the builder widens first for a full product).
    Mul,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise xor.
    Xor,
    /// Equality (1 bit).
    Eq,
    /// Inequality (1 bit).
    Ne,
    /// Unsigned less than.
    Lt,
    /// Unsigned less or equal.
    Le,
    /// Unsigned greater than.
    Gt,
    /// Unsigned greater or equal.
    Ge,
    /// Signed (two's complement) less than.
    SignedLt,
    /// Signed less or equal.
    SignedLe,
    /// Signed greater than.
    SignedGt,
    /// Signed greater or equal.
    SignedGe,
    /// Shift left by a signal amount (zero fill, result keeps the left width).
    Shl,
    /// Logical shift right by a signal amount.
    Shr,
    /// Arithmetic shift right by a signal amount.
    Sra,
    /// Shift left by a constant.
    ShlConst(u32),
    /// Logical shift right by a constant.
    ShrConst(u32),
    /// Arithmetic shift right by a constant.
    SraConst(u32),
    /// `args[0] ? args[1] : args[2]`.
    Mux,
    /// N-way selection: `args[1 + i]` when the index `args[0]` is `i < N`
    /// (`N = args.len() - 1`), zero when the index is `N` or more. The arms
    /// have the result's width; the index has enough bits to reach every arm.
    Select,
    /// Concatenation, `args[0]` most significant.
    Concat,
    /// Static part select `[hi:lo]`.
    Slice {
        /// Highest bit, inclusive.
        hi: u32,
        /// Lowest bit.
        lo: u32,
    },
    /// `width` bits starting at the bit index given by `args[1]`; bits past the top read as zero.
    DynSlice {
        /// Result width.
        width: u32,
    },
    /// Zero extension to a width.
    Zext(u32),
    /// Sign extension to a width.
    Sext(u32),
    /// The operand repeated `n` times.
    Repeat(u32),
}

/// One expression node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The operator.
    pub op: Op,
    /// Operands.
    pub args: Vec<ExprId>,
    /// Result width in bits.
    pub width: u32,
    /// Where the expression was built.
    pub loc: SourceLoc,
}

/// How a register is reset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegReset {
    /// The reset signal (1 bit).
    pub signal: SignalId,
    /// The value loaded on reset.
    pub value: Bits,
    /// Asynchronous (in the sensitivity list) rather than synchronous.
    pub asynchronous: bool,
    /// Asserted when low.
    pub active_low: bool,
}

/// What a signal is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalKind {
    /// An input port; `clock` marks clock inputs.
    Input {
        /// This input is a clock.
        clock: bool,
    },
    /// An output port, driven by one expression.
    Output,
    /// An internal combinational signal.
    Wire,
    /// A register clocked by `clock`; its driver is its next-state expression.
    Reg {
        /// The clock signal.
        clock: SignalId,
        /// Optional reset.
        reset: Option<RegReset>,
    },
    /// The parent's side of an instance input port, driven in this module.
    InstanceInput {
        /// Index into [`Module::instances`].
        instance: u32,
        /// Index of the port in the sub-module's [`Module::ports`].
        port: u32,
    },
    /// The parent's side of an instance output port, driven by the instance.
    InstanceOutput {
        /// Index into [`Module::instances`].
        instance: u32,
        /// Index of the port in the sub-module's [`Module::ports`].
        port: u32,
    },
    /// The registered data of a synchronous memory read port.
    MemoryRead {
        /// Index into [`Module::memories`].
        memory: u32,
        /// Index into that memory's read ports.
        port: u32,
    },
}

impl SignalKind {
    /// A short human name for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            SignalKind::Input { clock: true } => "a clock input",
            SignalKind::Input { clock: false } => "an input port",
            SignalKind::Output => "an output port",
            SignalKind::Wire => "a wire",
            SignalKind::Reg { .. } => "a register",
            SignalKind::InstanceInput { .. } => "an instance input",
            SignalKind::InstanceOutput { .. } => "an instance output",
            SignalKind::MemoryRead { .. } => "a memory read port",
        }
    }
}

/// A declared signal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalDecl {
    /// The name the user gave (the Verilog back-end makes it legal).
    pub name: String,
    /// Width in bits (1..=[`crate::MAX_WIDTH`]).
    pub width: u32,
    /// What it is.
    pub kind: SignalKind,
    /// For inputs: the clock domain the value belongs to, when declared.
    pub domain: Option<SignalId>,
    /// Where it was declared.
    pub loc: SourceLoc,
}

/// The single driver of a signal: its value (outputs, wires, instance inputs)
/// or its next state (registers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Driver {
    /// The expression.
    pub expr: ExprId,
    /// Where the (first) assignment was written.
    pub loc: SourceLoc,
}

/// One `assign` or `next` statement as the user wrote it, kept for the checks
/// and for tools that ask where a signal is driven.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The driven signal.
    pub target: SignalId,
    /// The assigned value.
    pub value: ExprId,
    /// Written with `next` (a register's next state) rather than `assign`.
    pub register: bool,
    /// The clock domain in effect where it was written (`in_domain`), if any.
    pub domain: Option<SignalId>,
    /// The statement block it sits in (0 is the module body); two assignments of
    /// one signal in one block are two drivers.
    pub block: u32,
    /// Where it was written.
    pub loc: SourceLoc,
}

/// A synchronous write port: on the rising edge of `clock`, if `enable`, `mem[addr] <= data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryWrite {
    /// Clock.
    pub clock: SignalId,
    /// Write enable (1 bit).
    pub enable: ExprId,
    /// Address.
    pub addr: ExprId,
    /// Data.
    pub data: ExprId,
    /// Where the port was built.
    pub loc: SourceLoc,
}

/// A synchronous read port: on the rising edge of `clock`, if `enable` and `addr < depth`,
/// `data <= mem[addr]`; otherwise `data` keeps its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryReadPort {
    /// Clock.
    pub clock: SignalId,
    /// Read enable (1 bit).
    pub enable: ExprId,
    /// Address.
    pub addr: ExprId,
    /// The registered read data signal ([`SignalKind::MemoryRead`]).
    pub data: SignalId,
    /// Where the port was built.
    pub loc: SourceLoc,
}

/// A memory with synchronous ports, shaped so FPGA tools infer block RAM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    /// Name.
    pub name: String,
    /// Word width.
    pub width: u32,
    /// Number of words.
    pub depth: u32,
    /// Write ports.
    pub writes: Vec<MemoryWrite>,
    /// Read ports.
    pub reads: Vec<MemoryReadPort>,
    /// Where it was declared.
    pub loc: SourceLoc,
}

impl Memory {
    /// Address width: enough bits for `depth` words.
    pub fn addr_width(&self) -> u32 {
        crate::bits::bits_for(self.depth as usize)
    }
}

/// A sub-module instance. `connections[i]` is the parent signal on port `i`
/// of `module.ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instance {
    /// Instance name.
    pub name: String,
    /// The sub-module.
    pub module: Arc<Module>,
    /// Parent-side signal of each sub-module port.
    pub connections: Vec<SignalId>,
    /// Where it was instantiated.
    pub loc: SourceLoc,
}

/// A finite-state machine declared with named states; the state register
/// holds the index of the current state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fsm {
    /// The state register.
    pub state: SignalId,
    /// State names, in encoding order.
    pub states: Vec<String>,
}

/// What an [`Assertion`] claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssertionKind {
    /// The design guarantees the condition.
    Assert,
    /// The environment (the inputs) guarantees the condition.
    Assume,
}

impl AssertionKind {
    /// `assert` or `assume`, as in SystemVerilog.
    pub fn keyword(self) -> &'static str {
        match self {
            AssertionKind::Assert => "assert",
            AssertionKind::Assume => "assume",
        }
    }
}

/// A condition that must hold at every rising edge of `clock` (outside reset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assertion {
    /// An assertion to check or an assumption on the inputs.
    pub kind: AssertionKind,
    /// Clock at which it is checked.
    pub clock: SignalId,
    /// The condition (1 bit).
    pub cond: ExprId,
    /// Reported when it fails.
    pub message: String,
    /// Where it was declared.
    pub loc: SourceLoc,
}

/// A protocol a group of ports follows. Its name is the rule set that
/// checks it on waveforms (`linkforge_verif::trace::rule_set`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// A valid/ready stream: `valid`, `ready`, `data`.
    ValidReady,
    /// PCIe credit counters at a transmitter: `limit_T`, `consumed_T`.
    PcieCredit,
    /// The CXL.mem channels of a device: `m2s_req_*`, `m2s_rwd_*`,
    /// `s2m_ndr_*`, `s2m_drs_*`.
    CxlMem,
    /// An AXI4-Lite slave port: `awaddr`, `awvalid`, ... `rready`.
    Axi4Lite,
}

impl Protocol {
    /// Every protocol.
    pub const ALL: [Protocol; 4] = [
        Protocol::ValidReady,
        Protocol::PcieCredit,
        Protocol::CxlMem,
        Protocol::Axi4Lite,
    ];

    /// The name of the rule set that checks it.
    pub fn rule_set(self) -> &'static str {
        match self {
            Protocol::ValidReady => "valid_ready",
            Protocol::PcieCredit => "credit",
            Protocol::CxlMem => "cxl_mem",
            Protocol::Axi4Lite => "axi4_lite",
        }
    }
}

/// Ports of a module that follow one protocol: those whose names start
/// with `prefix`, sampled on `clock`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// The protocol.
    pub protocol: Protocol,
    /// The common start of the ports' names (`in0_`, `s_axil_`).
    pub prefix: String,
    /// The full names of a valid/ready interface's payload ports, which
    /// hold still while stalled; empty means `<prefix>data`.
    pub payload: Vec<String>,
    /// The clock its ports are sampled on.
    pub clock: SignalId,
    /// Where it was declared.
    pub loc: SourceLoc,
}

/// A combinational path from an input port to an output port, both as indices into `ports`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CombPath {
    /// Index of the input port in [`Module::ports`].
    pub from: u32,
    /// Index of the output port in [`Module::ports`].
    pub to: u32,
}

/// A checked module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    /// Module name (the Verilog back-end makes it legal and unique).
    pub name: String,
    /// All signals.
    pub signals: Vec<SignalDecl>,
    /// The expression arena.
    pub nodes: Vec<Node>,
    /// One optional driver per signal, indexed like `signals`.
    pub drivers: Vec<Option<Driver>>,
    /// The statements as written, in order.
    pub assignments: Vec<Assignment>,
    /// Ports in declaration order.
    pub ports: Vec<SignalId>,
    /// Memories.
    pub memories: Vec<Memory>,
    /// Sub-module instances.
    pub instances: Vec<Instance>,
    /// Finite-state machines.
    pub fsms: Vec<Fsm>,
    /// Assertions.
    pub assertions: Vec<Assertion>,
    /// Groups of ports that follow a protocol, for protocol checkers.
    pub interfaces: Vec<Interface>,
    /// Declared clock-domain synchronizer: the CDC check trusts its crossings.
    pub synchronizer: bool,
    /// Input-to-output combinational paths, for checks in the parent.
    pub comb_paths: Vec<CombPath>,
    /// For each port (by index in `ports`): the clock input ports whose registers drive it.
    pub port_domains: Vec<Vec<u32>>,
    /// Where the builder was created.
    pub loc: SourceLoc,
}

impl Module {
    /// The declaration of a signal.
    pub fn signal(&self, id: SignalId) -> &SignalDecl {
        &self.signals[id.0 as usize]
    }

    /// An expression node.
    pub fn node(&self, id: ExprId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    /// The driver of a signal, if it has one.
    pub fn driver(&self, id: SignalId) -> Option<&Driver> {
        self.drivers[id.0 as usize].as_ref()
    }

    /// A port by name.
    pub fn port(&self, name: &str) -> Option<SignalId> {
        self.ports
            .iter()
            .copied()
            .find(|p| self.signal(*p).name == name)
    }

    /// The port called `name`; an unknown name is an error at the caller's
    /// line naming this module and its closest port names.
    #[track_caller]
    pub fn io(&self, name: &str) -> Result<SignalId, crate::HdlError> {
        let loc = SourceLoc::caller();
        self.port(name).ok_or_else(|| {
            let names = self.ports.iter().map(|p| self.signal(*p).name.as_str());
            crate::HdlError::single(
                crate::ErrorKind::UnknownPort {
                    instance: None,
                    module: self.name.clone(),
                    port: name.to_string(),
                    help: crate::suggest::hint(name, names),
                },
                self.name.clone(),
                loc,
            )
        })
    }

    /// True when the port is an input.
    pub fn is_input(&self, id: SignalId) -> bool {
        matches!(self.signal(id).kind, SignalKind::Input { .. })
    }
}
