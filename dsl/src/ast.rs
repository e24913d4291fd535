//! The syntax tree of a config file. Every node keeps the byte span of its
//! source text so later passes can point at it.

use miette::SourceSpan;

/// A byte range `start..end` in the source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering `self` and `other`.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for SourceSpan {
    fn from(s: Span) -> SourceSpan {
        SourceSpan::new(s.start.into(), s.end.saturating_sub(s.start))
    }
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A parsed config file: its items in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ast {
    /// Const and block declarations, in source order.
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `const NAME = expr;`
    Const(ConstDecl),
    /// `KIND name [: parent] { entries }`
    Block(BlockDecl),
}

/// `const NAME = expr;`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    /// The const's name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
}

/// `KIND name [: parent] { entries }`: one variant declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockDecl {
    /// The block kind (a catalogue name).
    pub kind: Ident,
    /// The variant's name.
    pub name: Ident,
    /// The variant it inherits from, if any.
    pub parent: Option<Ident>,
    /// Parameter settings, in source order.
    pub entries: Vec<Entry>,
    /// The whole declaration.
    pub span: Span,
}

/// One setting in a block or group body.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// `name = value;` or `name = sweep [..];`
    Set {
        /// The parameter.
        name: Ident,
        /// Its value or sweep.
        value: Rhs,
    },
    /// `name { entries }`: members of a parameter group.
    Group {
        /// The group parameter.
        name: Ident,
        /// Member settings, in source order.
        entries: Vec<Entry>,
    },
    /// `table row { entries }`: one named row of a table parameter
    /// (`reg status { offset = 0x10; }`); a body may hold many.
    Row {
        /// The table parameter.
        table: Ident,
        /// The row's name.
        row: Ident,
        /// Member settings, in source order.
        entries: Vec<Entry>,
    },
}

impl Entry {
    /// The parameter this entry sets.
    pub fn name(&self) -> &Ident {
        match self {
            Entry::Set { name, .. } | Entry::Group { name, .. } => name,
            Entry::Row { table, .. } => table,
        }
    }
}

/// The right-hand side of a setting.
#[derive(Clone, Debug, PartialEq)]
pub enum Rhs {
    /// A single value.
    Value(Expr),
    /// `sweep [v1, v2, ..]`: one variant per value.
    Sweep {
        /// The swept values, in order.
        values: Vec<Expr>,
        /// `sweep [..]` as written.
        span: Span,
    },
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

/// The forms of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal (decimal, `0x` hex or `0b` binary).
    Int(i64),
    /// A real literal (`0.9`, `1e-3`).
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A string literal.
    Str(String),
    /// A const reference or a choice name.
    Name(String),
    /// `[a, b, ..]`
    List(Vec<Expr>),
    /// A number with a unit: `64 GT/s`.
    Quantity(Box<Expr>, Ident),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

/// An integer arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (truncating)
    Div,
    /// `%`
    Rem,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }
}
