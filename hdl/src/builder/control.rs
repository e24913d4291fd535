//! Structured control: `when / elsewhen / otherwise` and `switch / is / default`.
//!
//! Statements inside a branch run only when its condition holds; later
//! assignments override earlier ones. Lowering turns each signal's
//! assignments into one multiplexer tree, so no latch can be written.

use super::{FsmHandle, ModuleBuilder, State, Stmt, WhenStmt};
use crate::expr::{lit, Expr, Value};
use crate::loc::SourceLoc;

/// The chain returned by [`ModuleBuilder::when`]; add `elsewhen` and `otherwise` branches.
pub struct WhenChain<'m> {
    m: &'m mut ModuleBuilder,
    /// True when none of the earlier conditions held.
    none_before: Expr,
}

impl ModuleBuilder {
    /// Runs `body` for statements that take effect only when `cond` (1 bit) is high.
    #[track_caller]
    pub fn when(&mut self, cond: impl Into<Expr>, body: impl FnOnce(&mut Self)) -> WhenChain<'_> {
        let loc = SourceLoc::caller();
        let cond = cond.into();
        let stmts = self.branch(cond.clone(), body);
        self.current_block().push(Stmt::When(WhenStmt {
            branches: vec![(cond.clone(), stmts)],
            otherwise: None,
            loc,
        }));
        WhenChain {
            m: self,
            none_before: !cond,
        }
    }

    /// Builds the statements of one branch under `path_cond`.
    fn branch(&mut self, path_cond: Expr, body: impl FnOnce(&mut Self)) -> Vec<Stmt> {
        self.blocks.push(Vec::new());
        self.path.push(path_cond);
        body(self);
        self.path.pop();
        self.blocks.pop().unwrap_or_default()
    }

    /// A `switch` on `selector`: add cases with [`SwitchBuilder::is`] and a
    /// [`SwitchBuilder::default`]. The first matching case wins.
    #[track_caller]
    pub fn switch(
        &mut self,
        selector: impl Into<Expr>,
        cases: impl FnOnce(&mut SwitchBuilder<'_>),
    ) {
        let loc = SourceLoc::caller();
        let mut s = SwitchBuilder {
            m: self,
            selector: selector.into(),
            stmt: WhenStmt {
                branches: Vec::new(),
                otherwise: None,
                loc,
            },
            none_before: None,
        };
        cases(&mut s);
        let SwitchBuilder { m, stmt, .. } = s;
        if !stmt.branches.is_empty() || stmt.otherwise.is_some() {
            m.current_block().push(Stmt::When(stmt));
        }
    }

    fn last_when(&mut self) -> &mut WhenStmt {
        match self.current_block().last_mut() {
            Some(Stmt::When(w)) => w,
            _ => unreachable!("a WhenChain always follows the When it created"),
        }
    }
}

impl WhenChain<'_> {
    /// A further branch taken when no earlier condition held and `cond` does.
    #[track_caller]
    pub fn elsewhen(
        mut self,
        cond: impl Into<Expr>,
        body: impl FnOnce(&mut ModuleBuilder),
    ) -> Self {
        let cond = cond.into();
        let path = self.none_before.clone() & cond.clone();
        let stmts = self.m.branch(path, body);
        self.m.last_when().branches.push((cond.clone(), stmts));
        self.none_before = self.none_before & !cond;
        self
    }

    /// The branch taken when no condition held.
    pub fn otherwise(self, body: impl FnOnce(&mut ModuleBuilder)) {
        let stmts = self.m.branch(self.none_before.clone(), body);
        self.m.last_when().otherwise = Some(stmts);
    }
}

/// A value a `switch` case compares the selector with.
pub trait CaseLabel {
    /// The label as an expression as wide as the selector.
    fn label(self, selector: &Expr) -> Expr;
}

impl CaseLabel for u64 {
    #[track_caller]
    fn label(self, selector: &Expr) -> Expr {
        lit(self, selector.width())
    }
}

impl CaseLabel for Expr {
    fn label(self, _: &Expr) -> Expr {
        self
    }
}

impl CaseLabel for State {
    #[track_caller]
    fn label(self, _: &Expr) -> Expr {
        Expr::from(self)
    }
}

/// Collects the cases of [`ModuleBuilder::switch`].
pub struct SwitchBuilder<'m> {
    m: &'m mut ModuleBuilder,
    selector: Expr,
    stmt: WhenStmt,
    none_before: Option<Expr>,
}

impl SwitchBuilder<'_> {
    /// Statements for when the selector equals `label`.
    #[track_caller]
    pub fn is(&mut self, label: impl CaseLabel, body: impl FnOnce(&mut ModuleBuilder)) {
        let cond = self.selector.clone().eq(label.label(&self.selector));
        let path = match &self.none_before {
            Some(n) => n.clone() & cond.clone(),
            None => cond.clone(),
        };
        let stmts = self.m.branch(path, body);
        self.stmt.branches.push((cond.clone(), stmts));
        self.none_before = Some(match self.none_before.take() {
            Some(n) => n & !cond,
            None => !cond,
        });
    }

    /// Statements for when no case matched.
    #[track_caller]
    pub fn default(&mut self, body: impl FnOnce(&mut ModuleBuilder)) {
        let path = self.none_before.clone().unwrap_or_else(|| lit(1, 1));
        let stmts = self.m.branch(path, body);
        self.stmt.otherwise = Some(stmts);
    }
}

impl ModuleBuilder {
    /// Moves `fsm` to `state` at the next clock edge.
    #[track_caller]
    pub fn goto(&mut self, fsm: &FsmHandle, state: State) {
        self.next(fsm.register(), fsm.encoding(state));
    }
}
