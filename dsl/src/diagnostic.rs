//! Diagnostics: one [`Error`] per problem, each with a code, a label on the
//! exact span and, where it helps, a suggestion; [`Diagnostics`] carries all
//! the errors of one file so they are reported together.

use crate::ast::Span;
use crate::MAX_REPORTED_ERRORS;
pub(crate) use linkforge_hdl::suggest::{did_you_mean, nearest};
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;

/// The class of a problem; each has its own diagnostic code `dsl::<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// Brackets, parentheses, groups or operator chains nest deeper than
    /// [`crate::MAX_NESTING`].
    TooDeep,
    /// A block kind that is not in the catalogue.
    UnknownKind,
    /// A parameter the block kind (or group) does not have.
    UnknownParam,
    /// A parameter set twice in one body.
    DuplicateParam,
    /// Two variants (declared or produced by sweeps) with one name.
    DuplicateVariant,
    /// A const declared twice.
    DuplicateConst,
    /// A name that is neither a const nor, where one is allowed, a choice.
    UndefinedConst,
    /// Integer overflow or division by zero.
    Arithmetic,
    /// A value of the wrong type.
    Type,
    /// A missing, unknown or unexpected unit.
    Unit,
    /// A value outside the parameter's range.
    Range,
    /// A choice that is not among the parameter's choices.
    UnknownChoice,
    /// A list longer than the parameter allows.
    ListTooLong,
    /// A parent variant that is not declared.
    UndefinedParent,
    /// A chain of parents that loops back.
    CyclicInheritance,
    /// A parent variant of another block kind.
    KindMismatch,
    /// An empty sweep, a sweep outside a block, or one with too many variants.
    Sweep,
    /// The whole config makes more than [`crate::MAX_VARIANTS`] variants.
    TooManyVariants,
    /// The file is not UTF-8 text.
    Encoding,
    /// Two rows of one table with the same name.
    DuplicateRow,
    /// Values that are each fine but wrong together, as the catalogue's
    /// rules for the kind say (overlapping register fields, a reset value
    /// wider than its field, two registers at one address).
    Invalid,
}

impl ErrorKind {
    /// The code's last part, as shown in `dsl::<name>`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::TooDeep => "too_deep",
            ErrorKind::UnknownKind => "unknown_kind",
            ErrorKind::UnknownParam => "unknown_param",
            ErrorKind::DuplicateParam => "duplicate_param",
            ErrorKind::DuplicateVariant => "duplicate_variant",
            ErrorKind::DuplicateConst => "duplicate_const",
            ErrorKind::UndefinedConst => "undefined_const",
            ErrorKind::Arithmetic => "arithmetic",
            ErrorKind::Type => "type",
            ErrorKind::Unit => "unit",
            ErrorKind::Range => "range",
            ErrorKind::UnknownChoice => "unknown_choice",
            ErrorKind::ListTooLong => "list_too_long",
            ErrorKind::UndefinedParent => "undefined_parent",
            ErrorKind::CyclicInheritance => "cyclic_inheritance",
            ErrorKind::KindMismatch => "kind_mismatch",
            ErrorKind::Sweep => "sweep",
            ErrorKind::TooManyVariants => "too_many_variants",
            ErrorKind::Encoding => "encoding",
            ErrorKind::DuplicateRow => "duplicate_row",
            ErrorKind::Invalid => "invalid",
        }
    }
}

/// Labels further into a line than this many bytes are not drawn (report
/// renderers cannot draw them).
const MAX_LABEL_COLUMN: usize = 10_000;

/// One problem in a config file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// Its class.
    pub kind: ErrorKind,
    /// One line saying what is wrong.
    pub message: String,
    /// Where: the primary label goes here.
    pub span: Span,
    /// The text of the primary label.
    pub label: String,
    /// A suggestion, if there is one.
    pub help: Option<String>,
    /// Secondary labels (`first declared here`).
    pub notes: Vec<(Span, String)>,
    /// Whether the labels are drawn on the source; false when a label sits
    /// too far into a long line to draw, and the message gives the position.
    pub show_source: bool,
}

impl Error {
    /// A new error of class `kind` at `span`; its label repeats nothing.
    pub fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span,
            label: "here".into(),
            help: None,
            notes: Vec::new(),
            show_source: true,
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, label: impl Into<String>) -> Error {
        self.label = label.into();
        self
    }

    /// Sets the help text.
    pub fn help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }

    /// Sets the help text if there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Error {
        self.help = help.or(self.help);
        self
    }

    /// Adds a secondary label.
    pub fn note(mut self, span: Span, text: impl Into<String>) -> Error {
        self.notes.push((span, text.into()));
        self
    }
}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!("dsl::{}", self.kind.name())))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.show_source {
            return None;
        }
        let primary = LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span);
        let notes = self
            .notes
            .iter()
            .map(|(s, t)| LabeledSpan::new_with_span(Some(t.clone()), *s));
        Some(Box::new(std::iter::once(primary).chain(notes)))
    }
}

/// Every error found in one file, in source order, with the file's text so
/// it renders on its own.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{} has {}", .text.name(), count(*.total, .errors.len()))]
pub struct Diagnostics {
    errors: Vec<Error>,
    /// How many errors were found, of which `errors` keeps the first ones.
    total: usize,
    text: NamedSource<String>,
}

impl Diagnostics {
    /// No errors yet, for the file whose text is `src`.
    pub(crate) fn new(src: &str) -> Diagnostics {
        Diagnostics {
            errors: Vec::new(),
            total: 0,
            text: NamedSource::new("config", src.to_string()),
        }
    }

    /// The same errors, with the file shown as `name` in reports.
    pub fn with_name(self, name: &str) -> Diagnostics {
        let text = NamedSource::new(name, self.text.inner().clone());
        Diagnostics { text, ..self }
    }

    /// Whether no error was found.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors in source order (the first [`MAX_REPORTED_ERRORS`]).
    pub fn errors(&self) -> &[Error] {
        &self.errors
    }

    /// How many errors were found, including those not kept.
    pub fn total(&self) -> usize {
        self.total
    }

    pub(crate) fn push(&mut self, e: Error) {
        self.errors.push(e);
    }

    /// Sorts the errors by position (stably), keeps the first
    /// [`MAX_REPORTED_ERRORS`], and keeps labels off lines too long for a
    /// report to draw, giving the position in the message instead.
    pub(crate) fn finish(mut self) -> Diagnostics {
        self.errors.sort_by_key(|e| e.span.start);
        self.total = self.errors.len();
        self.errors.truncate(MAX_REPORTED_ERRORS);
        let text = self.text.inner();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        // Line index (0-based) and line start of byte offset `at`.
        let line_of = |at: usize| {
            let line = line_starts.partition_point(|&s| s <= at).saturating_sub(1);
            (line, line_starts.get(line).copied().unwrap_or(0))
        };
        for e in &mut self.errors {
            let mut spans = std::iter::once(e.span).chain(e.notes.iter().map(|(s, _)| *s));
            if spans.any(|s| s.end - line_of(s.end).1 > MAX_LABEL_COLUMN) {
                let (line, start) = line_of(e.span.start);
                let column = text
                    .get(start..e.span.start)
                    .map_or(0, |t| t.chars().count())
                    + 1;
                e.message = format!("{} (at line {}, column {column})", e.message, line + 1);
                e.show_source = false;
            }
        }
        self
    }
}

/// The report for `bytes` that are not UTF-8 (`e` says where): one
/// `dsl::encoding` error on the text decoded with U+FFFD for invalid
/// sequences, labelled at the first of them.
pub(crate) fn encoding_error(bytes: &[u8], e: std::str::Utf8Error) -> Diagnostics {
    let text = String::from_utf8_lossy(bytes);
    // The decoded text equals the bytes up to the first invalid sequence,
    // which becomes one U+FFFD.
    let at = e.valid_up_to();
    let span = Span::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8());
    let bad = &bytes[at..at + e.error_len().unwrap_or(bytes.len() - at)];
    let hex: Vec<String> = bad.iter().map(|b| format!("0x{b:02x}")).collect();
    let what = match e.error_len() {
        Some(_) => format!("invalid byte {} at byte offset {at}", hex.join(" ")),
        None => format!(
            "an unfinished character ({}) at byte offset {at}, the end of the file",
            hex.join(" ")
        ),
    };
    let mut d = Diagnostics::new(&text);
    d.push(
        Error::new(
            ErrorKind::Encoding,
            span,
            format!("the file is not UTF-8 text: {what}"),
        )
        .label("not UTF-8")
        .help("a config is UTF-8 text; save the file as UTF-8"),
    );
    d.finish()
}

fn count(total: usize, shown: usize) -> String {
    match total {
        1 => "1 error".into(),
        n if n > shown => format!("{n} errors (the first {shown} are shown)"),
        n => format!("{n} errors"),
    }
}

impl Diagnostic for Diagnostics {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.text)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}

/// `a`, `b` and `c` as a readable list of code names.
pub(crate) fn list_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    names.join(", ")
}
