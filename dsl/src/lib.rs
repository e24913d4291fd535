//! # linkforge-dsl: the config language
//!
//! A config file declares consts and block variants:
//!
//! ```text
//! const PORTS = 8;
//! crossbar xbar { ports = PORTS * 2; data_width = sweep [64, 128]; }
//! crossbar small : xbar { ports = 4; }
//! ```
//!
//! [`parse`] turns the text into an [`Ast`] whose nodes keep their spans;
//! [`elaborate`] checks it against a block catalogue (names, types, units,
//! ranges), resolves inheritance, expands sweeps and fills in defaults,
//! giving one [`Variant`] per block to build. Every problem is a miette
//! [`Error`], and all errors of a file are reported together as
//! [`Diagnostics`]. No input makes either function panic. The language is
//! described in `docs/dsl.md`.

mod ast;
mod check;
mod diagnostic;
mod elaborate;
mod eval;
mod lex;
mod parse;

pub use ast::{Ast, BinOp, BlockDecl, ConstDecl, Entry, Expr, ExprKind, Ident, Item, Rhs, Span};
pub use diagnostic::{Diagnostics, Error, ErrorKind};
pub use elaborate::{elaborate, Variant};
pub use parse::parse;

use linkforge_rtl::catalog::BlockKind;

/// The deepest nesting of brackets, parentheses, groups and operators.
pub const MAX_NESTING: usize = 64;

/// The most variants one declaration's sweeps may expand into.
pub const MAX_SWEEP_VARIANTS: usize = 1024;

/// The most errors one report keeps (the first ones in source order).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Parses and elaborates the config `src`, shown as `name` in reports.
pub fn load(name: &str, src: &str, catalog: &[BlockKind]) -> Result<Vec<Variant>, miette::Report> {
    let ast = parse(src).map_err(|d| d.with_name(name))?;
    elaborate(src, &ast, catalog).map_err(|d| miette::Report::new(d.with_name(name)))
}
