//! Consts and arithmetic: evaluates expressions into [`Val`]s, which the
//! checks then match against a parameter's kind.

use crate::ast::{Ast, BinOp, Expr, ExprKind, Ident, Item, Span};
use crate::diagnostic::{did_you_mean, Diagnostics, Error, ErrorKind};
use std::collections::{HashMap, HashSet};

/// An evaluated value, not yet checked against a parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    /// An integer.
    Int(i64),
    /// A real number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A string literal.
    Str(String),
    /// A bare name that is not a const: only a choice can take it.
    Name(String),
    /// A list, each item with its span.
    List(Vec<(Val, Span)>),
    /// A number in the unit as written, with the unit.
    Quantity(f64, Ident),
}

impl Val {
    /// What the value is, for messages (`an integer`).
    pub fn describe(&self) -> String {
        match self {
            Val::Int(v) => format!("the integer {v}"),
            Val::Float(v) => format!("the number {v}"),
            Val::Bool(v) => format!("the boolean {v}"),
            Val::Str(s) => format!("the string {s:?}"),
            Val::Name(n) => format!("the name `{n}`"),
            Val::List(_) => "a list".into(),
            Val::Quantity(v, u) => format!("the quantity {v} {}", u.name),
        }
    }
}

/// The consts of a file, evaluated in declaration order.
#[derive(Debug, Default)]
pub(crate) struct Consts {
    /// Evaluated consts; `None` for one whose value had an error.
    values: HashMap<String, Option<Val>>,
    /// Every const declared anywhere in the file.
    declared: HashSet<String>,
}

impl Consts {
    /// Evaluates every `const` of `ast` in order, reporting duplicates and
    /// errors in their values.
    pub fn evaluate(ast: &Ast, errors: &mut Diagnostics) -> Consts {
        let mut consts = Consts::default();
        let mut first: HashMap<&str, Span> = HashMap::new();
        for item in &ast.items {
            if let Item::Const(c) = item {
                consts.declared.insert(c.name.name.clone());
            }
        }
        for item in &ast.items {
            let Item::Const(c) = item else { continue };
            if let Some(prev) = first.get(c.name.name.as_str()) {
                errors.push(
                    Error::new(
                        ErrorKind::DuplicateConst,
                        c.name.span,
                        format!("const `{}` is declared twice", c.name.name),
                    )
                    .label("declared again here")
                    .note(*prev, "first declared here")
                    .help("give each const a distinct name"),
                );
                consts.eval(&c.value, false, errors);
                continue;
            }
            first.insert(&c.name.name, c.name.span);
            let val = consts.eval(&c.value, false, errors);
            consts.values.insert(c.name.name.clone(), val);
        }
        consts
    }

    /// Evaluates `e`. A bare name that is not a const evaluates to
    /// [`Val::Name`] if `names` allows it, else it is an error. Returns `None`
    /// after reporting an error (or meeting a const that had one).
    pub fn eval(&self, e: &Expr, names: bool, errors: &mut Diagnostics) -> Option<Val> {
        match &e.kind {
            ExprKind::Int(v) => Some(Val::Int(*v)),
            ExprKind::Float(v) => Some(Val::Float(*v)),
            ExprKind::Bool(v) => Some(Val::Bool(*v)),
            ExprKind::Str(s) => Some(Val::Str(s.clone())),
            ExprKind::Name(n) => match self.values.get(n) {
                Some(v) => v.clone(),
                None if names => Some(Val::Name(n.clone())),
                None => {
                    errors.push(self.undefined(n, e.span));
                    None
                }
            },
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match self.eval(item, names, errors) {
                        Some(v) => out.push((v, item.span)),
                        None => ok = false,
                    }
                }
                ok.then_some(Val::List(out))
            }
            ExprKind::Quantity(inner, unit) => {
                let number = match self.eval(inner, false, errors)? {
                    Val::Int(v) => v as f64,
                    Val::Float(v) => v,
                    Val::Quantity(_, had) => {
                        errors.push(
                            Error::new(ErrorKind::Unit, unit.span, "the value already has a unit")
                                .label("second unit")
                                .note(had.span, "unit given here"),
                        );
                        return None;
                    }
                    other => {
                        errors.push(
                            Error::new(
                                ErrorKind::Type,
                                inner.span,
                                format!("a unit needs a number, found {}", other.describe()),
                            )
                            .label("not a number"),
                        );
                        return None;
                    }
                };
                Some(Val::Quantity(number, unit.clone()))
            }
            ExprKind::Neg(inner) => match self.eval(inner, false, errors)? {
                Val::Int(v) => match v.checked_neg() {
                    Some(n) => Some(Val::Int(n)),
                    None => {
                        errors.push(overflow(e.span));
                        None
                    }
                },
                Val::Float(v) => Some(Val::Float(-v)),
                Val::Quantity(v, u) => Some(Val::Quantity(-v, u)),
                other => {
                    errors.push(not_integer(&other, inner.span));
                    None
                }
            },
            ExprKind::Binary(op, l, r) => {
                let lv = self.eval(l, false, errors);
                let rv = self.eval(r, false, errors);
                let a = self.int_operand(lv?, l.span, errors);
                let b = self.int_operand(rv?, r.span, errors);
                let (a, b) = (a?, b?);
                let result = match op {
                    BinOp::Add => a.checked_add(b),
                    BinOp::Sub => a.checked_sub(b),
                    BinOp::Mul => a.checked_mul(b),
                    BinOp::Div | BinOp::Rem if b == 0 => {
                        errors.push(
                            Error::new(ErrorKind::Arithmetic, r.span, "division by zero")
                                .label("this is zero"),
                        );
                        return None;
                    }
                    BinOp::Div => a.checked_div(b),
                    BinOp::Rem => a.checked_rem(b),
                };
                if result.is_none() {
                    errors.push(overflow(e.span).help(format!(
                        "`{a} {} {b}` does not fit in a 64-bit signed integer",
                        op.symbol()
                    )));
                }
                result.map(Val::Int)
            }
        }
    }

    fn int_operand(&self, v: Val, span: Span, errors: &mut Diagnostics) -> Option<i64> {
        match v {
            Val::Int(v) => Some(v),
            other => {
                errors.push(not_integer(&other, span));
                None
            }
        }
    }

    /// The error for a name that is no const.
    pub fn undefined(&self, name: &str, span: Span) -> Error {
        let err = Error::new(
            ErrorKind::UndefinedConst,
            span,
            format!("undefined const `{name}`"),
        )
        .label("not a const");
        if self.declared.contains(name) {
            return err.help(format!(
                "`{name}` is not defined yet here: a const can only use consts declared above it"
            ));
        }
        err.maybe_help(did_you_mean(name, self.values.keys().map(String::as_str)))
    }
}

fn overflow(span: Span) -> Error {
    Error::new(ErrorKind::Arithmetic, span, "integer overflow").label("overflows")
}

fn not_integer(v: &Val, span: Span) -> Error {
    Error::new(
        ErrorKind::Type,
        span,
        format!("arithmetic needs integers, found {}", v.describe()),
    )
    .label("not an integer")
}
