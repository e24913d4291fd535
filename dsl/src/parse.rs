//! The grammar: items, block bodies and value expressions, built from the
//! token parsers in [`crate::lex`]. A syntax error inside a body is recorded
//! and parsing resumes at the next `;` or `}`, so one run reports several.

use crate::ast::{Ast, BinOp, BlockDecl, ConstDecl, Entry, Expr, ExprKind, Ident, Item, Rhs, Span};
use crate::diagnostic::{Diagnostics, Error, ErrorKind};
use crate::lex::{
    error, failure, ident, keyword, number, peek_sym, string, sym, unit, ws, PResult, SyntaxError,
};
use crate::MAX_NESTING;

/// Parses a config file into its syntax tree, or returns every syntax error
/// found (parsing resumes after each at the next `;` or `}`).
pub fn parse(src: &str) -> Result<Ast, Diagnostics> {
    let mut p = Parser {
        src,
        errors: Diagnostics::new(src),
    };
    let items = p.file();
    if p.errors.is_empty() {
        Ok(Ast { items })
    } else {
        Err(p.errors.finish())
    }
}

struct Parser<'s> {
    src: &'s str,
    errors: Diagnostics,
}

/// Where a skip after an error stops.
#[derive(Clone, Copy, PartialEq)]
enum Sync {
    /// After a `;` or a balanced `}` (between items).
    Item,
    /// After a `;` or before the `}` that closes the body.
    Entry,
}

impl<'s> Parser<'s> {
    fn offset(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }

    fn span(&self, from: &str, to: &str) -> Span {
        Span::new(self.offset(from), self.offset(to))
    }

    /// The identifier `name` that ends where `rest` starts.
    fn ident(&self, rest: &str, name: &str) -> Ident {
        let end = self.offset(rest);
        Ident {
            name: name.to_string(),
            span: Span::new(end - name.len(), end),
        }
    }

    /// Records a syntax error; returns where to resume.
    fn report(&mut self, e: nom::Err<SyntaxError>) -> &'s str {
        let e = match e {
            nom::Err::Error(e) | nom::Err::Failure(e) => e,
            nom::Err::Incomplete(_) => SyntaxError::at("", "unexpected end of input"),
        };
        let mut start = self.src.len() - e.rest.min(self.src.len());
        let rest = &self.src[start..];
        let mut len = e.len.unwrap_or_else(|| token_len(rest));
        if rest.is_empty() {
            // At the end of input, point just after the last token.
            start = self.src.trim_end().len();
            len = 0;
        }
        let duplicate = self.errors.errors().last().map(|l| l.span.start) == Some(start);
        if !duplicate {
            let label = e.label.unwrap_or(match e.kind {
                ErrorKind::TooDeep => "too deep",
                _ if rest.is_empty() => "input ends here",
                _ if len == 0 => "expected here",
                _ => "unexpected",
            });
            let mut err = Error::new(e.kind, Span::new(start, start + len), e.message).label(label);
            if e.kind == ErrorKind::TooDeep {
                err = err.help("split the value with consts or flatten the nesting");
            }
            self.errors.push(err);
        }
        rest
    }

    fn file(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        let mut i = ws(self.src);
        while !i.is_empty() {
            match self.item(i) {
                Ok((rest, item)) => {
                    items.push(item);
                    i = rest;
                }
                Err(e) => {
                    let at = self.report(e);
                    i = skip(at, Sync::Item);
                }
            }
            i = ws(i);
        }
        items
    }

    fn item(&mut self, i: &'s str) -> PResult<'s, Item> {
        if let Some(rest) = keyword(i, "const") {
            let (j, name) = ident(rest, "a const name")?;
            let name = self.ident(j, name);
            let (j, _) = sym(j, '=')?;
            let (j, value) = self.value(j)?;
            let (j, _) = sym(j, ';')?;
            return Ok((j, Item::Const(ConstDecl { name, value })));
        }
        let start = ws(i);
        let (j, kind) = ident(i, "a block kind or `const`")?;
        let kind = self.ident(j, kind);
        let (k, name) = ident(j, "a variant name")?;
        let name = self.ident(k, name);
        let (mut j, mut parent) = (k, None);
        if peek_sym(j, ':') {
            let (k, _) = sym(j, ':')?;
            let (l, p) = ident(k, "the parent variant's name")?;
            parent = Some(self.ident(l, p));
            j = l;
        }
        if !peek_sym(j, '{') {
            let expected = if parent.is_some() {
                "expected `{`"
            } else {
                "expected `:` or `{`"
            };
            return error(ws(j), expected);
        }
        let (j, entries) = self.body(j, 1)?;
        let span = self.span(start, j);
        let j = sym(j, ';').map_or(j, |(rest, _)| rest);
        let decl = BlockDecl {
            kind,
            name,
            parent,
            entries,
            span,
        };
        Ok((j, Item::Block(decl)))
    }

    /// `{ entries }`; errors in entries are recorded and skipped.
    fn body(&mut self, i: &'s str, depth: usize) -> PResult<'s, Vec<Entry>> {
        let (mut i, _) = sym(i, '{')?;
        if depth > MAX_NESTING {
            return Err(too_deep(ws(i)));
        }
        let mut entries = Vec::new();
        loop {
            let j = ws(i);
            if let Some(rest) = j.strip_prefix('}') {
                return Ok((rest, entries));
            }
            if j.is_empty() {
                return failure(j, "expected `}` to close the block");
            }
            match self.entry(j, depth) {
                Ok((rest, e)) => {
                    entries.push(e);
                    i = rest;
                }
                Err(e) => {
                    let at = self.report(e);
                    i = skip(at, Sync::Entry);
                }
            }
        }
    }

    fn entry(&mut self, i: &'s str, depth: usize) -> PResult<'s, Entry> {
        let (j, name) = ident(i, "a parameter name")?;
        let name = self.ident(j, name);
        if peek_sym(j, '{') {
            let (j, entries) = self.body(j, depth + 1)?;
            let j = sym(j, ';').map_or(j, |(rest, _)| rest);
            return Ok((j, Entry::Group { name, entries }));
        }
        if let Some((k, row)) = ident(j, "a row name")
            .ok()
            .filter(|(k, _)| peek_sym(k, '{'))
        {
            let row = self.ident(k, row);
            let (k, entries) = self.body(k, depth + 1)?;
            let k = sym(k, ';').map_or(k, |(rest, _)| rest);
            let table = name;
            return Ok((
                k,
                Entry::Row {
                    table,
                    row,
                    entries,
                },
            ));
        }
        let (j, _) = sym(j, '=').or_else(|_| error(ws(j), "expected `=` or `{`"))?;
        let (j, value) = match keyword(j, "sweep").filter(|r| peek_sym(r, '[')) {
            Some(rest) => {
                let (k, (values, _)) = self.list(rest, 1)?;
                let span = self.span(ws(j), k);
                (k, Rhs::Sweep { values, span })
            }
            None => {
                let (k, e) = self.value(j)?;
                (k, Rhs::Value(e))
            }
        };
        let (j, _) = sym(j, ';')?;
        Ok((j, Entry::Set { name, value }))
    }

    /// A value: an arithmetic expression, optionally followed by a unit.
    fn value(&self, i: &'s str) -> PResult<'s, Expr> {
        self.quantity(i, 0).map(|(rest, (e, _))| (rest, e))
    }

    fn quantity(&self, i: &'s str, depth: usize) -> PResult<'s, (Expr, usize)> {
        let (j, (e, h)) = self.sum(i, depth)?;
        match unit(j) {
            // A name followed by `=` or `{` starts the next setting, not a unit.
            Ok((k, u)) if !peek_sym(k, '=') && !peek_sym(k, '{') => {
                let u = self.ident(k, u);
                let span = e.span.join(u.span);
                let kind = ExprKind::Quantity(Box::new(e), u);
                Ok((k, (Expr { kind, span }, h + 1)))
            }
            _ => Ok((j, (e, h))),
        }
    }

    fn sum(&self, i: &'s str, depth: usize) -> PResult<'s, (Expr, usize)> {
        self.chain(
            i,
            depth,
            &[('+', BinOp::Add), ('-', BinOp::Sub)],
            Self::product,
        )
    }

    fn product(&self, i: &'s str, depth: usize) -> PResult<'s, (Expr, usize)> {
        let ops = [('*', BinOp::Mul), ('/', BinOp::Div), ('%', BinOp::Rem)];
        self.chain(i, depth, &ops, Self::unary)
    }

    /// `operand { op operand }`, left-associative.
    fn chain(
        &self,
        i: &'s str,
        depth: usize,
        ops: &[(char, BinOp)],
        operand: fn(&Self, &'s str, usize) -> PResult<'s, (Expr, usize)>,
    ) -> PResult<'s, (Expr, usize)> {
        let (mut i, (mut lhs, mut h)) = operand(self, i, depth)?;
        loop {
            let j = ws(i);
            let Some(&(c, op)) = ops.iter().find(|(c, _)| j.starts_with(*c)) else {
                return Ok((i, (lhs, h)));
            };
            let (k, (rhs, rh)) = operand(self, &j[c.len_utf8()..], depth)?;
            h = h.max(rh) + 1;
            if h > MAX_NESTING {
                return Err(too_deep(j));
            }
            let span = lhs.span.join(rhs.span);
            let kind = ExprKind::Binary(op, Box::new(lhs), Box::new(rhs));
            lhs = Expr { kind, span };
            i = k;
        }
    }

    fn unary(&self, i: &'s str, depth: usize) -> PResult<'s, (Expr, usize)> {
        let j = ws(i);
        match j.strip_prefix('-') {
            Some(rest) => {
                if depth >= MAX_NESTING {
                    return Err(too_deep(j));
                }
                let (k, (e, h)) = self.unary(rest, depth + 1)?;
                let span = self.span(j, k);
                Ok((
                    k,
                    (
                        Expr {
                            kind: ExprKind::Neg(Box::new(e)),
                            span,
                        },
                        h + 1,
                    ),
                ))
            }
            None => self.atom(j, depth),
        }
    }

    fn atom(&self, i: &'s str, depth: usize) -> PResult<'s, (Expr, usize)> {
        let Some(c) = i.chars().next() else {
            return error(i, "expected a value");
        };
        let leaf = |rest: &'s str, kind| {
            Ok((
                rest,
                (
                    Expr {
                        kind,
                        span: self.span(i, rest),
                    },
                    1,
                ),
            ))
        };
        match c {
            '0'..='9' => {
                let (rest, kind) = number(i)?;
                leaf(rest, kind)
            }
            '"' => {
                let (rest, s) = string(i)?;
                leaf(rest, ExprKind::Str(s))
            }
            '(' | '[' if depth >= MAX_NESTING => Err(too_deep(i)),
            '(' => {
                let (j, (e, h)) = self.quantity(&i[1..], depth + 1)?;
                let (j, _) = sym(j, ')')?;
                let e = Expr {
                    span: self.span(i, j),
                    ..e
                };
                Ok((j, (e, h)))
            }
            '[' => {
                let (j, (items, h)) = self.list(i, depth + 1)?;
                let kind = ExprKind::List(items);
                Ok((
                    j,
                    (
                        Expr {
                            kind,
                            span: self.span(i, j),
                        },
                        h + 1,
                    ),
                ))
            }
            _ => match ident(i, "a value") {
                Ok((rest, "true")) => leaf(rest, ExprKind::Bool(true)),
                Ok((rest, "false")) => leaf(rest, ExprKind::Bool(false)),
                Ok((rest, name)) => leaf(rest, ExprKind::Name(name.to_string())),
                Err(_) => error(i, "expected a value"),
            },
        }
    }

    /// `[ value, .. ]` with an optional trailing comma; also returns the
    /// greatest height of its items.
    fn list(&self, i: &'s str, depth: usize) -> PResult<'s, (Vec<Expr>, usize)> {
        let (mut i, _) = sym(i, '[')?;
        let (mut items, mut height) = (Vec::new(), 0);
        loop {
            if let Ok((rest, _)) = sym(i, ']') {
                return Ok((rest, (items, height)));
            }
            let (j, (e, h)) = self.quantity(i, depth)?;
            items.push(e);
            height = height.max(h);
            i = match sym(j, ',') {
                Ok((rest, _)) => rest,
                Err(_) => {
                    let (rest, _) = sym(j, ']').or_else(|_| error(ws(j), "expected `,` or `]`"))?;
                    return Ok((rest, (items, height)));
                }
            };
        }
    }
}

fn too_deep(i: &str) -> nom::Err<SyntaxError> {
    let mut e = SyntaxError::at(i, format!("nested more than {MAX_NESTING} levels deep"));
    e.kind = ErrorKind::TooDeep;
    nom::Err::Failure(e.with_len(i.chars().next().map_or(0, char::len_utf8)))
}

/// The length of the token at the start of `rest` (for labelling errors).
fn token_len(rest: &str) -> usize {
    let word = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if word > 0 {
        word
    } else {
        rest.chars().next().map_or(0, char::len_utf8)
    }
}

/// Skips to the synchronisation point after a syntax error, stepping over
/// comments, strings and balanced braces. Always makes progress unless at the
/// end of input or (for [`Sync::Entry`]) at the `}` that closes the body.
fn skip(i: &str, sync: Sync) -> &str {
    let mut depth = 0usize;
    let mut rest = i;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '#' => rest = after.find('\n').map_or("", |n| &after[n..]),
            '/' if after.starts_with('/') => rest = after.find('\n').map_or("", |n| &after[n..]),
            '"' => rest = after.find(['"', '\n']).map_or("", |n| &after[n + 1..]),
            ';' if depth == 0 => return after,
            '{' => {
                depth += 1;
                rest = after;
            }
            '}' if depth == 0 => {
                return match sync {
                    Sync::Entry => rest,
                    Sync::Item => after,
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 && sync == Sync::Item {
                    return after;
                }
                rest = after;
            }
            _ => rest = after,
        }
    }
    rest
}
