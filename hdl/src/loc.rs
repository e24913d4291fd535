//! Source locations of the Rust code that built each item of a design.

use std::fmt;
use std::panic::Location;

/// The Rust file, line and column where a signal, expression or statement was built.
///
/// Builder methods are `#[track_caller]`, so this is the generator author's line,
/// not a line inside linkforge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceLoc {
    /// Path of the Rust source file, as the compiler reports it.
    pub file: &'static str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl SourceLoc {
    /// The location of the caller of the enclosing `#[track_caller]` function.
    #[track_caller]
    pub fn caller() -> Self {
        let l = Location::caller();
        SourceLoc {
            file: l.file(),
            line: l.line(),
            column: l.column(),
        }
    }
}

impl fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
