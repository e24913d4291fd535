//! Tokens: whitespace and comments, identifiers, numbers, strings, units and
//! punctuation, as nom parsers over `&str`. Every token parser skips the
//! whitespace in front of it, so an error points at the offending token.

use crate::ast::ExprKind;
use crate::diagnostic::ErrorKind;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{char, multispace1, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::error::ParseError;
use nom::multi::many0_count;
use nom::{IResult, Parser};

/// A syntax error, positioned by how much input was left when it happened
/// (the parser turns that into a byte offset).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SyntaxError {
    /// Bytes of input left at the error.
    pub rest: usize,
    /// Length of the span to label, if not just the next token.
    pub len: Option<usize>,
    /// What was expected or what is wrong.
    pub message: String,
    /// `Syntax` or `TooDeep`.
    pub kind: ErrorKind,
    /// The label, if not the default for the position.
    pub label: Option<&'static str>,
}

impl SyntaxError {
    /// An error at the start of `input`.
    pub fn at(input: &str, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            rest: input.len(),
            len: None,
            message: message.into(),
            kind: ErrorKind::Syntax,
            label: None,
        }
    }

    /// The same error, labelling `len` bytes.
    pub fn with_len(mut self, len: usize) -> SyntaxError {
        self.len = Some(len);
        self
    }
}

impl ParseError<&str> for SyntaxError {
    fn from_error_kind(input: &str, _: nom::error::ErrorKind) -> Self {
        SyntaxError::at(input, "unexpected input")
    }

    fn append(_: &str, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Keep the error that got further into the input.
        if other.rest < self.rest {
            other
        } else {
            self
        }
    }
}

/// A nom result with [`SyntaxError`].
pub(crate) type PResult<'a, T> = IResult<&'a str, T, SyntaxError>;

/// A recoverable error at `input`.
pub(crate) fn error<T>(input: &str, message: impl Into<String>) -> PResult<'_, T> {
    Err(nom::Err::Error(SyntaxError::at(input, message)))
}

/// An error at `input` that stops the current construct.
pub(crate) fn failure<T>(input: &str, message: impl Into<String>) -> PResult<'_, T> {
    Err(nom::Err::Failure(SyntaxError::at(input, message)))
}

/// Skips whitespace and comments (`#` or `//` to the end of the line).
pub(crate) fn ws(i: &str) -> &str {
    let comment = recognize((alt((tag("#"), tag("//"))), take_till(|c| c == '\n')));
    let skipped: PResult<'_, usize> = many0_count(alt((multispace1, comment))).parse(i);
    match skipped {
        Ok((rest, _)) => rest,
        Err(_) => i,
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// An identifier `[A-Za-z_][A-Za-z0-9_]*` without skipping whitespace.
fn raw_ident(i: &str) -> PResult<'_, &str> {
    recognize((satisfy(is_ident_start), take_while(is_ident_char))).parse(i)
}

/// An identifier; `what` names it in the error (`a parameter name`).
pub(crate) fn ident<'a>(i: &'a str, what: &str) -> PResult<'a, &'a str> {
    let i = ws(i);
    raw_ident(i).or_else(|_: nom::Err<SyntaxError>| error(i, format!("expected {what}")))
}

/// Whether the next token is the keyword `word` (not a longer identifier).
pub(crate) fn keyword<'a>(i: &'a str, word: &str) -> Option<&'a str> {
    match raw_ident(ws(i)) {
        Ok((rest, w)) if w == word => Some(rest),
        _ => None,
    }
}

/// The punctuation `c`, or an error saying it was expected. A missing `;`
/// is reported right after the previous token, where it belongs.
pub(crate) fn sym(i: &str, c: char) -> PResult<'_, char> {
    let j = ws(i);
    char::<_, SyntaxError>(c).parse(j).or_else(|_| match c {
        ';' => Err(nom::Err::Error(
            SyntaxError::at(i, "expected `;`").with_len(0),
        )),
        _ => error(j, format!("expected `{c}`")),
    })
}

/// Whether the next token is `c`.
pub(crate) fn peek_sym(i: &str, c: char) -> bool {
    ws(i).starts_with(c)
}

/// A unit such as `ns` or `GT/s`, directly after optional whitespace.
pub(crate) fn unit(i: &str) -> PResult<'_, &str> {
    let i = ws(i);
    recognize((raw_ident, opt((char('/'), raw_ident)))).parse(i)
}

fn digits(i: &str) -> PResult<'_, &str> {
    recognize((
        satisfy(|c| c.is_ascii_digit()),
        take_while(|c: char| c.is_ascii_digit() || c == '_'),
    ))
    .parse(i)
}

/// A number: decimal, `0x` hex or `0b` binary integers, and reals (`0.9`,
/// `1e-3`); `_` separates digits. The input starts at an ASCII digit.
pub(crate) fn number(i: &str) -> PResult<'_, ExprKind> {
    for (prefix, radix, name) in [("0x", 16, "hex"), ("0b", 2, "binary")] {
        if let Some(body) = i.strip_prefix(prefix) {
            let (rest, ds) =
                take_while1::<_, _, SyntaxError>(|c: char| c.is_digit(radix) || c == '_')
                    .parse(body)
                    .or_else(|_| {
                        failure(body, format!("expected {name} digits after `{prefix}`"))
                    })?;
            let clean: String = ds.chars().filter(|&c| c != '_').collect();
            let len = i.len() - rest.len();
            return match i64::from_str_radix(&clean, radix) {
                Ok(v) => Ok((rest, ExprKind::Int(v))),
                Err(_) => Err(nom::Err::Failure(
                    SyntaxError::at(i, format!("{name} literal does not fit in 64 bits"))
                        .with_len(len),
                )),
            };
        }
    }
    let fraction = (char('.'), digits);
    let exponent = (one_of("eE"), opt(one_of("+-")), digits);
    let (rest, text) = recognize((digits, opt(fraction), opt(exponent))).parse(i)?;
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let too_big = || {
        nom::Err::Failure(SyntaxError::at(i, "number does not fit in 64 bits").with_len(text.len()))
    };
    if clean.contains(['.', 'e', 'E']) {
        match clean.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok((rest, ExprKind::Float(v))),
            _ => Err(too_big()),
        }
    } else {
        match clean.parse::<i64>() {
            Ok(v) => Ok((rest, ExprKind::Int(v))),
            Err(_) => Err(too_big()),
        }
    }
}

/// A string literal `"..."` with the escapes `\"`, `\\`, `\n` and `\t`; the
/// input starts at the opening quote. Strings end on their line.
pub(crate) fn string(i: &str) -> PResult<'_, String> {
    let mut out = String::new();
    let mut chars = i.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((&i[at + 1..], out)),
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((e, other)) => {
                    return Err(nom::Err::Failure(
                        SyntaxError::at(&i[at..], format!("unknown escape `\\{other}`"))
                            .with_len(e + other.len_utf8() - at),
                    ))
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    let mut e = SyntaxError::at(i, "unterminated string").with_len(1);
    e.label = Some("the string starts here");
    Err(nom::Err::Failure(e))
}
