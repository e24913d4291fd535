//! The builder API: declare ports, signals, registers, memories and instances,
//! write statements, then [`ModuleBuilder::finish`] to lower and check.

mod control;
mod fsm;
mod instance;
mod memory;

pub use control::{CaseLabel, SwitchBuilder, WhenChain};
pub use fsm::{FsmHandle, State};
pub use instance::InstanceHandle;
pub use memory::MemoryHandle;

use crate::bits::{Bits, MAX_WIDTH};
use crate::error::{Diagnostic, ErrorKind, HdlError};
use crate::expr::{Expr, Operand, Signal};
use crate::ir::{AssertionKind, Fsm, Module, Protocol, RegReset, SignalDecl, SignalId, SignalKind};
use crate::loc::SourceLoc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A clock input of a module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock(pub(crate) Signal);

impl Clock {
    /// The clock as a 1-bit signal (to connect it to an instance).
    pub fn signal(self) -> Signal {
        self.0
    }
}

impl From<Clock> for Expr {
    #[track_caller]
    fn from(c: Clock) -> Expr {
        Expr::from(c.0)
    }
}

/// A reset input and how registers respond to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reset {
    pub(crate) signal: Signal,
    /// Registers reset immediately, not at the next clock edge.
    pub asynchronous: bool,
    /// Asserted when low.
    pub active_low: bool,
}

impl Reset {
    /// The reset as a 1-bit signal.
    pub fn signal(self) -> Signal {
        self.signal
    }
}

impl From<Reset> for Expr {
    #[track_caller]
    fn from(r: Reset) -> Expr {
        Expr::from(r.signal)
    }
}

/// A clock and an optional reset: where registers built inside
/// [`ModuleBuilder::in_domain`] belong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Domain {
    /// The clock.
    pub clock: Clock,
    /// The reset registers use by default in this domain.
    pub reset: Option<Reset>,
}

#[derive(Debug)]
pub(crate) struct AssignStmt {
    pub target: Signal,
    pub value: Expr,
    pub register: bool,
    pub domain: Option<SignalId>,
    pub loc: SourceLoc,
}

#[derive(Debug)]
pub(crate) struct WhenStmt {
    pub branches: Vec<(Expr, Vec<Stmt>)>,
    pub otherwise: Option<Vec<Stmt>>,
    pub loc: SourceLoc,
}

#[derive(Debug)]
pub(crate) enum Stmt {
    Assign(AssignStmt),
    When(WhenStmt),
}

static NEXT_OWNER: AtomicU32 = AtomicU32::new(1);

/// Builds one module. Every method that creates something is `#[track_caller]`,
/// so errors found later point at the generator's line.
pub struct ModuleBuilder {
    pub(crate) owner: u32,
    pub(crate) name: String,
    pub(crate) loc: SourceLoc,
    pub(crate) signals: Vec<SignalDecl>,
    pub(crate) ports: Vec<SignalId>,
    /// Statement blocks being built; `blocks[0]` is the module body.
    pub(crate) blocks: Vec<Vec<Stmt>>,
    /// Conditions under which the statements being built execute.
    pub(crate) path: Vec<Expr>,
    domains: Vec<Domain>,
    default_domain: Option<Domain>,
    pub(crate) memories: Vec<memory::MemoryDecl>,
    pub(crate) instances: Vec<instance::InstanceDecl>,
    pub(crate) fsms: Vec<Fsm>,
    pub(crate) assertions: Vec<AssertDecl>,
    pub(crate) interfaces: Vec<InterfaceDecl>,
    pub(crate) errors: Vec<Diagnostic>,
    pub(crate) synchronizer: bool,
}

#[derive(Debug)]
pub(crate) struct InterfaceDecl {
    pub protocol: Protocol,
    pub prefix: String,
    pub payload: Vec<String>,
    pub clock: Option<SignalId>,
    pub loc: SourceLoc,
}

#[derive(Debug)]
pub(crate) struct AssertDecl {
    pub kind: AssertionKind,
    pub clock: Option<SignalId>,
    pub cond: Expr,
    pub message: String,
    pub loc: SourceLoc,
}

/// Options for a register; finish it with [`RegBuilder::reset`],
/// [`RegBuilder::reset_bits`] or [`RegBuilder::no_reset`].
#[must_use = "a register is created by .reset(value) or .no_reset()"]
pub struct RegBuilder<'m> {
    m: &'m mut ModuleBuilder,
    name: String,
    width: u32,
    clock: Option<Clock>,
    reset: Option<Reset>,
    loc: SourceLoc,
}

impl RegBuilder<'_> {
    /// Clocks the register by `clock` instead of the current domain's clock.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Resets the register by `reset` instead of the current domain's reset.
    pub fn reset_by(mut self, reset: Reset) -> Self {
        self.reset = Some(reset);
        self
    }

    /// Creates the register with reset value `value`.
    pub fn reset(self, value: u64) -> Signal {
        let bits = Bits::from_u64(value, self.width);
        if bits.is_none() {
            self.m.error(
                ErrorKind::Width(format!(
                    "reset value {value} of `{}` does not fit in {} bits",
                    self.name, self.width
                )),
                self.loc,
            );
        }
        let bits = bits.unwrap_or_else(|| Bits::from_u64_wrapping(value, self.width));
        self.finish(Some(bits))
    }

    /// Creates the register with a reset value of any width.
    pub fn reset_bits(self, value: Bits) -> Signal {
        if value.width() != self.width {
            self.m.error(
                ErrorKind::Width(format!(
                    "reset value of `{}` is {} bits, the register {}",
                    self.name,
                    value.width(),
                    self.width
                )),
                self.loc,
            );
        }
        let v = Bits::from_words(value.words(), self.width);
        self.finish(Some(v))
    }

    /// Creates the register without a reset.
    pub fn no_reset(self) -> Signal {
        self.finish(None)
    }

    fn finish(self, reset_value: Option<Bits>) -> Signal {
        let RegBuilder {
            m,
            name,
            width,
            clock,
            reset,
            loc,
        } = self;
        let domain = m.current_domain();
        let clock = clock.or(domain.map(|d| d.clock));
        let clock_id = match clock {
            Some(c) => c.0.id,
            None => {
                m.error(
                    ErrorKind::Clocking(format!(
                        "register `{name}` has no clock: declare one with `clock()` first"
                    )),
                    loc,
                );
                SignalId(u32::MAX)
            }
        };
        let reset = match reset_value {
            None => None,
            Some(value) => match reset.or(domain.and_then(|d| d.reset)) {
                Some(r) => Some(RegReset {
                    signal: r.signal.id,
                    value,
                    asynchronous: r.asynchronous,
                    active_low: r.active_low,
                }),
                None => {
                    m.error(
                        ErrorKind::Clocking(format!(
                            "register `{name}` has a reset value but no reset: declare one with `reset()` or use `no_reset()`"
                        )),
                        loc,
                    );
                    None
                }
            },
        };
        let kind = SignalKind::Reg {
            clock: clock_id,
            reset,
        };
        m.declare(name, width, kind, None, loc)
    }
}

impl ModuleBuilder {
    /// Starts a module called `name`.
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        ModuleBuilder {
            owner: NEXT_OWNER.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
            loc: SourceLoc::caller(),
            signals: Vec::new(),
            ports: Vec::new(),
            blocks: vec![Vec::new()],
            path: Vec::new(),
            domains: Vec::new(),
            default_domain: None,
            memories: Vec::new(),
            instances: Vec::new(),
            fsms: Vec::new(),
            assertions: Vec::new(),
            interfaces: Vec::new(),
            errors: Vec::new(),
            synchronizer: false,
        }
    }

    /// Appends `_{key}{value}` to the module name, so a module built with
    /// different parameters gets a different name (`adder` -> `adder_w8`).
    pub fn param(mut self, key: &str, value: impl std::fmt::Display) -> Self {
        self.name = format!("{}_{key}{value}", self.name);
        self
    }

    /// The module's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Declares this module a clock-domain synchronizer: values may enter it
    /// from any clock domain, and the CDC check trusts what happens inside.
    pub fn declare_synchronizer(&mut self) {
        self.synchronizer = true;
    }

    pub(crate) fn error(&mut self, kind: ErrorKind, loc: SourceLoc) {
        self.errors.push(Diagnostic {
            kind,
            module: self.name.clone(),
            loc,
        });
    }

    pub(crate) fn current_domain(&self) -> Option<Domain> {
        self.domains.last().copied().or(self.default_domain)
    }

    pub(crate) fn declare(
        &mut self,
        name: String,
        width: u32,
        kind: SignalKind,
        domain: Option<SignalId>,
        loc: SourceLoc,
    ) -> Signal {
        if width == 0 || width > MAX_WIDTH {
            self.error(
                ErrorKind::Width(format!(
                    "`{name}` is {width} bits wide; widths must be 1..={MAX_WIDTH}"
                )),
                loc,
            );
        }
        if name.is_empty() {
            self.error(ErrorKind::Name("a signal needs a name".into()), loc);
        } else if let Some(prev) = self.signals.iter().find(|s| s.name == name) {
            let other = prev.loc;
            self.error(
                ErrorKind::Name(format!(
                    "`{name}` is declared twice in this module (first at {other})"
                )),
                loc,
            );
        }
        let id = SignalId(self.signals.len() as u32);
        let is_port = matches!(kind, SignalKind::Input { .. } | SignalKind::Output);
        self.signals.push(SignalDecl {
            name,
            width,
            kind,
            domain,
            loc,
        });
        if is_port {
            self.ports.push(id);
        }
        Signal {
            owner: self.owner,
            id,
            width,
        }
    }

    /// An input port. Inside [`ModuleBuilder::in_domain`] it belongs to that clock domain.
    #[track_caller]
    pub fn input(&mut self, name: impl Into<String>, width: u32) -> Signal {
        let domain = self.domains.last().map(|d| d.clock.0.id);
        self.declare(
            name.into(),
            width,
            SignalKind::Input { clock: false },
            domain,
            SourceLoc::caller(),
        )
    }

    /// An output port, driven with [`ModuleBuilder::assign`].
    #[track_caller]
    pub fn output(&mut self, name: impl Into<String>, width: u32) -> Signal {
        self.declare(
            name.into(),
            width,
            SignalKind::Output,
            None,
            SourceLoc::caller(),
        )
    }

    /// An internal combinational signal, driven with [`ModuleBuilder::assign`].
    #[track_caller]
    pub fn wire(&mut self, name: impl Into<String>, width: u32) -> Signal {
        self.declare(
            name.into(),
            width,
            SignalKind::Wire,
            None,
            SourceLoc::caller(),
        )
    }

    /// A clock input port. The first clock declared is the module's default
    /// clock domain (with the first reset declared).
    #[track_caller]
    pub fn clock(&mut self, name: impl Into<String>) -> Clock {
        let s = self.declare(
            name.into(),
            1,
            SignalKind::Input { clock: true },
            None,
            SourceLoc::caller(),
        );
        let clock = Clock(s);
        if self.default_domain.is_none() {
            self.default_domain = Some(Domain { clock, reset: None });
        }
        clock
    }

    /// A synchronous, active-high reset input. The first reset declared is the
    /// default for registers with a reset value.
    #[track_caller]
    pub fn reset(&mut self, name: impl Into<String>) -> Reset {
        self.reset_input(name.into(), false, false, SourceLoc::caller())
    }

    /// A reset input with a chosen behaviour.
    #[track_caller]
    pub fn reset_with(
        &mut self,
        name: impl Into<String>,
        asynchronous: bool,
        active_low: bool,
    ) -> Reset {
        self.reset_input(name.into(), asynchronous, active_low, SourceLoc::caller())
    }

    fn reset_input(
        &mut self,
        name: String,
        asynchronous: bool,
        active_low: bool,
        loc: SourceLoc,
    ) -> Reset {
        let domain = self.domains.last().map(|d| d.clock.0.id);
        let signal = self.declare(name, 1, SignalKind::Input { clock: false }, domain, loc);
        let reset = Reset {
            signal,
            asynchronous,
            active_low,
        };
        if let Some(d) = &mut self.default_domain {
            if d.reset.is_none() {
                d.reset = Some(reset);
            }
        }
        reset
    }

    /// Runs `body` with `domain` as the clock domain of the registers,
    /// memory ports, inputs and assertions it creates, and of the `next`
    /// statements it writes; returns what `body` returns.
    pub fn in_domain<T>(&mut self, domain: Domain, body: impl FnOnce(&mut Self) -> T) -> T {
        self.domains.push(domain);
        let result = body(self);
        self.domains.pop();
        result
    }

    /// A register of `width` bits in the current clock domain; finish it with
    /// `.reset(value)` or `.no_reset()`.
    #[track_caller]
    pub fn reg(&mut self, name: impl Into<String>, width: u32) -> RegBuilder<'_> {
        RegBuilder {
            m: self,
            name: name.into(),
            width,
            clock: None,
            reset: None,
            loc: SourceLoc::caller(),
        }
    }

    /// Drives a combinational signal (output, wire or instance input).
    #[track_caller]
    pub fn assign(&mut self, target: impl Into<Signal>, value: impl Into<Operand>) {
        let target = target.into();
        let value = value.into().sized(target.width());
        self.push_assign(target, value, false, SourceLoc::caller());
    }

    /// Sets a register's next state (taken at the next rising edge of its clock).
    #[track_caller]
    pub fn next(&mut self, reg: Signal, value: impl Into<Operand>) {
        let value = value.into().sized(reg.width());
        self.push_assign(reg, value, true, SourceLoc::caller());
    }

    pub(crate) fn push_assign(
        &mut self,
        target: Signal,
        value: Expr,
        register: bool,
        loc: SourceLoc,
    ) {
        if target.owner != self.owner {
            self.error(
                ErrorKind::Invalid("assigned signal belongs to another module".into()),
                loc,
            );
            return;
        }
        let domain = self.domains.last().map(|d| d.clock.0.id);
        self.current_block().push(Stmt::Assign(AssignStmt {
            target,
            value,
            register,
            domain,
            loc,
        }));
    }

    pub(crate) fn current_block(&mut self) -> &mut Vec<Stmt> {
        self.blocks
            .last_mut()
            .expect("the module body block is never popped")
    }

    /// The condition under which the statements being built run (1 at top level).
    pub(crate) fn path_condition(&self) -> Option<Expr> {
        self.path.iter().cloned().reduce(|a, b| a & b)
    }

    /// Declares that `cond` holds at every rising edge of the current clock
    /// while its domain's reset is not asserted: checked by the simulator
    /// every cycle and proven by `linkforge prove`.
    #[track_caller]
    pub fn assert_always(&mut self, cond: impl Into<Expr>, message: impl Into<String>) {
        self.declare_assertion(AssertionKind::Assert, cond.into(), message.into());
    }

    /// Declares what the inputs may do: `cond` is assumed at every rising
    /// edge of the current clock outside reset. A proof only considers
    /// input sequences that satisfy it; the simulator reports a stimulus
    /// that breaks it like a failed assertion.
    #[track_caller]
    pub fn assume_always(&mut self, cond: impl Into<Expr>, message: impl Into<String>) {
        self.declare_assertion(AssertionKind::Assume, cond.into(), message.into());
    }

    #[track_caller]
    fn declare_assertion(&mut self, kind: AssertionKind, cond: Expr, message: String) {
        let loc = SourceLoc::caller();
        let cond = match self.path_condition() {
            Some(p) => !p | cond,
            None => cond,
        };
        let domain = self.current_domain();
        // Nothing is claimed while the domain is in reset.
        let cond = match domain.and_then(|d| d.reset) {
            Some(r) if r.active_low => !Expr::from(r.signal) | cond,
            Some(r) => Expr::from(r.signal) | cond,
            None => cond,
        };
        self.assertions.push(AssertDecl {
            kind,
            clock: domain.map(|d| d.clock.0.id),
            cond,
            message,
            loc,
        });
    }

    /// Declares that the ports whose names start with `prefix` follow
    /// `protocol` on the current clock, so `linkforge sim` and `check` run
    /// the protocol's rules on them every cycle.
    #[track_caller]
    pub fn interface(&mut self, protocol: Protocol, prefix: impl Into<String>) {
        self.declare_interface(protocol, prefix.into(), Vec::new(), SourceLoc::caller());
    }

    pub(crate) fn declare_interface(
        &mut self,
        protocol: Protocol,
        prefix: String,
        payload: Vec<String>,
        loc: SourceLoc,
    ) {
        self.interfaces.push(InterfaceDecl {
            protocol,
            prefix,
            payload,
            clock: self.current_domain().map(|d| d.clock.0.id),
            loc,
        });
    }

    /// Lowers the statements, runs every check and returns the module, or
    /// every error found.
    pub fn finish(self) -> Result<Module, HdlError> {
        crate::lower::finish(self)
    }
}

/// A signal handle and the things that stand for one.
impl From<Clock> for Signal {
    fn from(c: Clock) -> Signal {
        c.0
    }
}

impl From<Reset> for Signal {
    fn from(r: Reset) -> Signal {
        r.signal
    }
}

impl From<&Signal> for Signal {
    fn from(s: &Signal) -> Signal {
        *s
    }
}

/// `true` as a 1-bit expression; handy for enables.
#[track_caller]
pub fn high() -> Expr {
    crate::expr::lit(1, 1)
}

/// `false` as a 1-bit expression.
#[track_caller]
pub fn low() -> Expr {
    crate::expr::lit(0, 1)
}
