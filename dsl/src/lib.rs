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

/// The most variants one config may make, all declarations together.
pub const MAX_VARIANTS: usize = 65_536;

/// The largest config file, in bytes, that the command line reads.
pub const MAX_SOURCE_BYTES: usize = 8 << 20;

/// The most errors one report keeps (the first ones in source order).
pub const MAX_REPORTED_ERRORS: usize = 100;

/// Parses and elaborates the config `src`, shown as `name` in reports.
pub fn load(name: &str, src: &str, catalog: &[BlockKind]) -> Result<Vec<Variant>, miette::Report> {
    let ast = parse(src).map_err(|d| d.with_name(name))?;
    elaborate(src, &ast, catalog).map_err(|d| miette::Report::new(d.with_name(name)))
}

/// Like [`load`], for the raw bytes of a file: bytes that are not UTF-8
/// are a `dsl::encoding` error labelled at the first invalid one.
pub fn load_bytes(
    name: &str,
    bytes: &[u8],
    catalog: &[BlockKind],
) -> Result<Vec<Variant>, miette::Report> {
    match std::str::from_utf8(bytes) {
        Ok(src) => load(name, src, catalog),
        Err(e) => Err(miette::Report::new(
            diagnostic::encoding_error(bytes, e).with_name(name),
        )),
    }
}

/// A report as plain text: unicode box drawing, no colour, 80 columns, as
/// the golden diagnostics files hold it.
pub fn render_plain(report: &miette::Report) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(80);
    let mut out = String::new();
    match handler.render_report(&mut out, report.as_ref()) {
        Ok(()) => out,
        Err(e) => format!("rendering failed: {e}"),
    }
}
