//! Finite-state machines with named states. The state register holds the
//! index of the state; the Verilog back-end emits each name as a `localparam`.

use super::ModuleBuilder;
use crate::bits::bits_for;
use crate::error::{ErrorKind, HdlError};
use crate::expr::{Expr, ExprNode, Signal, Value};
use crate::ir::{Fsm, Op};
use crate::loc::SourceLoc;
use crate::suggest::hint;
use std::sync::Arc;

/// One named state of an FSM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    fsm: u32,
    index: u32,
    width: u32,
}

impl State {
    /// The state's encoding (its index in the declaration).
    pub fn index(&self) -> u32 {
        self.index
    }
}

impl From<State> for Expr {
    #[track_caller]
    fn from(s: State) -> Expr {
        Expr(Arc::new(ExprNode {
            op: Op::StateConst {
                fsm: s.fsm,
                state: s.index,
            },
            args: Vec::new(),
            width: s.width,
            owner: 0,
            loc: SourceLoc::caller(),
            error: None,
        }))
    }
}

/// An FSM: its state register and its states.
#[derive(Clone, Debug)]
pub struct FsmHandle {
    /// The FSM's name (its state register's).
    name: String,
    register: Signal,
    names: Vec<String>,
    states: Vec<State>,
    /// The module the FSM is in, where an error is reported.
    module: String,
    /// Its index among the module's FSMs (what its states carry).
    index: u32,
}

impl FsmHandle {
    /// The state register.
    pub fn register(&self) -> Signal {
        self.register
    }

    /// All states in declaration order (the first is the reset state).
    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// The FSM's name (that of its state register).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The state called `name`. An unknown name is an error at the
    /// caller's line naming the FSM, the closest state names and all states.
    #[track_caller]
    pub fn state(&self, name: &str) -> Result<State, HdlError> {
        match self.names.iter().position(|n| n == name) {
            Some(i) => Ok(self.states[i]),
            None => Err(HdlError::single(
                ErrorKind::UnknownState {
                    fsm: self.name.clone(),
                    state: name.to_string(),
                    help: hint(name, self.names.iter().map(String::as_str)),
                    states: self.names.clone(),
                },
                self.module.clone(),
                SourceLoc::caller(),
            )),
        }
    }

    /// High while the FSM is in `state`.
    #[track_caller]
    pub fn is(&self, state: State) -> Expr {
        self.register.eq(self.encoding(state))
    }

    /// `state`'s encoding as a constant; a state of another FSM is an
    /// error at the caller's line.
    #[track_caller]
    pub(crate) fn encoding(&self, state: State) -> Expr {
        let e = Expr::from(state);
        if state.fsm == self.index {
            return e;
        }
        let node = ExprNode {
            op: e.0.op.clone(),
            args: Vec::new(),
            width: e.width(),
            owner: 0,
            loc: e.loc(),
            error: Some(ErrorKind::Invalid(format!(
                "state {} of another FSM used with FSM `{}`",
                state.index, self.name
            ))),
        };
        Expr(Arc::new(node))
    }
}

impl ModuleBuilder {
    /// An FSM whose register `name` resets to the first of `states` (using the
    /// current domain's clock and reset). Move it with [`ModuleBuilder::goto`].
    #[track_caller]
    pub fn fsm(&mut self, name: impl Into<String>, states: &[impl AsRef<str>]) -> FsmHandle {
        let loc = SourceLoc::caller();
        let name = name.into();
        let states: Vec<&str> = states.iter().map(AsRef::as_ref).collect();
        if states.is_empty() {
            self.error(
                ErrorKind::Invalid(format!("FSM `{name}` needs at least one state")),
                loc,
            );
        }
        for (i, s) in states.iter().enumerate() {
            if states[..i].contains(s) {
                self.error(
                    ErrorKind::Invalid(format!("FSM `{name}` declares state `{s}` twice")),
                    loc,
                );
            }
        }
        let width = bits_for(states.len().max(1));
        let register = {
            let mut r = self.reg(name.clone(), width);
            r.loc = loc;
            r.reset(0)
        };
        let fsm = self.fsms.len() as u32;
        self.fsms.push(Fsm {
            state: register.id,
            states: states.iter().map(|s| s.to_string()).collect(),
        });
        FsmHandle {
            name,
            register,
            names: states.iter().map(|s| s.to_string()).collect(),
            states: (0..states.len() as u32)
                .map(|index| State { fsm, index, width })
                .collect(),
            module: self.name.clone(),
            index: fsm,
        }
    }
}
