//! Elaboration: checks every block against its catalogue kind, resolves
//! inheritance ([`inherit`]), expands sweeps into named variants and fills
//! in defaults ([`expand`]).

mod expand;
mod inherit;

use crate::ast::{Ast, BlockDecl, Entry, Expr, Ident, Item, Rhs, Span};
use crate::check::{check, Target};
use crate::diagnostic::{did_you_mean, list_names, nearest, Diagnostics, Error, ErrorKind};
use crate::eval::Consts;
use crate::MAX_VARIANTS;
use linkforge_rtl::catalog::{BlockKind, ParamKind, ParamSpec, Params, PathStep, Value};
use std::collections::{BTreeMap, HashMap};

/// One elaborated variant: a block kind with complete, checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The variant's name (with the sweep suffix for swept variants).
    pub name: String,
    /// The catalogue name of its block kind.
    pub kind: String,
    /// Every parameter of the kind; quantities in base units.
    pub params: Params,
    /// The name in the variant's declaration.
    pub span: Span,
}

/// Checked settings of one body, by parameter name.
type Settings = BTreeMap<&'static str, Setting>;

/// One checked setting.
#[derive(Clone, Debug)]
enum Setting {
    /// `name = value;`, with the span of the value.
    One(Value, Span),
    /// `name = sweep [..];`, with the span of the sweep.
    Sweep(Vec<Value>, Span),
    /// `name { .. }`
    Group(Settings),
    /// `name row { .. }`, once per row, in source order.
    Table(Vec<Row>),
}

/// One checked row of a table.
#[derive(Clone, Debug)]
struct Row {
    /// The row's name.
    name: String,
    /// Where the name is written.
    span: Span,
    /// Its members.
    settings: Settings,
}

/// Checks the config against `catalog` and expands it into variants, in
/// declaration order (a sweep's variants in the order of its product).
/// Returns every error found; `src` is the text `ast` was parsed from.
pub fn elaborate(src: &str, ast: &Ast, catalog: &[BlockKind]) -> Result<Vec<Variant>, Diagnostics> {
    let mut errors = Diagnostics::new(src);
    let consts = Consts::evaluate(ast, &mut errors);
    let decls: Vec<&BlockDecl> = ast
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Block(b) => Some(b),
            Item::Const(_) => None,
        })
        .collect();

    let kinds: Vec<Option<&BlockKind>> = decls
        .iter()
        .map(|d| find_kind(d, catalog, &mut errors))
        .collect();

    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut duplicate = vec![false; decls.len()];
    for (i, d) in decls.iter().enumerate() {
        match by_name.get(d.name.name.as_str()) {
            Some(&first) => {
                duplicate[i] = true;
                errors.push(
                    Error::new(
                        ErrorKind::DuplicateVariant,
                        d.name.span,
                        format!("variant `{}` is declared twice", d.name.name),
                    )
                    .label("declared again here")
                    .note(decls[first].name.span, "first declared here")
                    .help("give each variant a distinct name"),
                );
            }
            None => {
                by_name.insert(&d.name.name, i);
            }
        }
    }

    let own: Vec<Option<Settings>> = decls
        .iter()
        .zip(&kinds)
        .map(|(d, k)| {
            k.map(|k| {
                let owner = format!("`{}`", k.name);
                check_body(&d.entries, &k.params, "", &owner, &consts, &mut errors)
            })
        })
        .collect();

    let mut links: Vec<inherit::Link> = (0..decls.len())
        .map(|i| inherit::link(i, &decls, &kinds, &by_name, &mut errors))
        .collect();
    inherit::break_cycles(&decls, &mut links, &mut errors);
    let effective = inherit::resolve(&links, own);

    if let Err(e) = check_total(&decls, &kinds, &effective, &duplicate) {
        errors.push(e);
        return Err(errors.finish());
    }

    let mut variants = Vec::new();
    let mut made: HashMap<String, Span> = HashMap::new();
    for (i, d) in decls.iter().enumerate() {
        let (Some(kind), Some(settings), false) = (kinds[i], &effective[i], duplicate[i]) else {
            continue;
        };
        let mut collided = false;
        let mut reported: Vec<(Span, String)> = Vec::new();
        for v in expand::expand(d, kind, settings, &mut errors) {
            for issue in (kind.issues)(&v.params) {
                let (span, label) = match locate(settings, &issue.path) {
                    Some((span, true)) => match issue.path.last() {
                        Some(PathStep::Param(name)) => (span, format!("this `{name}`")),
                        _ => (span, "this row".to_string()),
                    },
                    Some((span, false)) => (span, "in this row".to_string()),
                    None => (d.name.span, "in this variant".to_string()),
                };
                if reported
                    .iter()
                    .any(|(s, m)| *s == span && *m == issue.message)
                {
                    continue;
                }
                reported.push((span, issue.message.clone()));
                errors.push(
                    Error::new(ErrorKind::Invalid, span, issue.message)
                        .label(label)
                        .maybe_help(issue.help),
                );
            }
            if let Some(first) = made.get(&v.name) {
                if !collided {
                    collided = true;
                    errors.push(
                        Error::new(
                            ErrorKind::DuplicateVariant,
                            d.name.span,
                            format!("variant name `{}` is produced twice", v.name),
                        )
                        .label(format!("makes `{}` again", v.name))
                        .note(*first, "first made here")
                        .help("variant names, including those made by sweeps, must be unique"),
                    );
                }
                continue;
            }
            made.insert(v.name.clone(), v.span);
            variants.push(v);
        }
    }

    if errors.is_empty() {
        Ok(variants)
    } else {
        Err(errors.finish())
    }
}

/// Checks, before expanding anything, that the declarations together make
/// at most [`MAX_VARIANTS`] variants; the error is on the declaration that
/// goes past it.
fn check_total(
    decls: &[&BlockDecl],
    kinds: &[Option<&BlockKind>],
    effective: &[Option<Settings>],
    duplicate: &[bool],
) -> Result<(), Error> {
    let mut total = 0usize;
    for (i, d) in decls.iter().enumerate() {
        let (Some(kind), Some(settings), false) = (kinds[i], &effective[i], duplicate[i]) else {
            continue;
        };
        // A declaration past the sweep limit is reported by the expansion.
        let n = expand::count(kind, settings).unwrap_or(0);
        if total + n > MAX_VARIANTS {
            return Err(Error::new(
                ErrorKind::TooManyVariants,
                d.name.span,
                format!("the config makes more than {MAX_VARIANTS} variants"),
            )
            .label(format!(
                "variants {} to {} come from here",
                total + 1,
                total + n
            ))
            .help(format!(
                "a config makes at most {MAX_VARIANTS} variants; split it into several files"
            )));
        }
        total += n;
    }
    Ok(())
}

fn find_kind<'c>(
    d: &BlockDecl,
    catalog: &'c [BlockKind],
    errors: &mut Diagnostics,
) -> Option<&'c BlockKind> {
    let found = catalog.iter().find(|k| k.name == d.kind.name);
    if found.is_none() {
        let names = catalog.iter().map(|k| k.name);
        let help = did_you_mean(&d.kind.name, names.clone()).unwrap_or_else(|| {
            format!(
                "the nearest kinds are {}; `linkforge list` shows the whole catalogue",
                list_names(nearest(&d.kind.name, names, 3))
            )
        });
        errors.push(
            Error::new(
                ErrorKind::UnknownKind,
                d.kind.span,
                format!("unknown block kind `{}`", d.kind.name),
            )
            .label("not in the catalogue")
            .help(help),
        );
    }
    found
}

/// Checks the entries of one body against `specs`; `path` prefixes names in
/// messages (`ffe.`) and `owner` names the body (`` `retimer` ``).
fn check_body(
    entries: &[Entry],
    specs: &[ParamSpec],
    path: &str,
    owner: &str,
    consts: &Consts,
    errors: &mut Diagnostics,
) -> Settings {
    let mut settings = Settings::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for entry in entries {
        let name = entry.name();
        let full = format!("{path}{}", name.name);
        if let Entry::Row { row, entries, .. } = entry {
            if let Some(spec) = specs.iter().find(|s| s.name == name.name) {
                row_entry(spec, &full, row, entries, &mut settings, consts, errors);
                continue;
            }
        }
        let Some(spec) = specs.iter().find(|s| s.name == name.name) else {
            let names = specs.iter().map(|s| s.name);
            let help = did_you_mean(&name.name, names.clone())
                .unwrap_or_else(|| format!("the parameters here are {}", list_names(names)));
            errors.push(
                Error::new(
                    ErrorKind::UnknownParam,
                    name.span,
                    format!("{owner} has no parameter `{}`", name.name),
                )
                .label("unknown parameter")
                .help(help),
            );
            continue;
        };
        if let Some(first) = seen.insert(spec.name, name.span) {
            errors.push(
                Error::new(
                    ErrorKind::DuplicateParam,
                    name.span,
                    format!("`{full}` is set twice"),
                )
                .label("set again here")
                .note(first, "first set here")
                .help("remove one of the two settings"),
            );
            continue;
        }
        let target = Target {
            path: &full,
            kind: &spec.kind,
        };
        let setting = match (entry, &spec.kind) {
            (Entry::Group { entries, .. }, ParamKind::Group(members)) => {
                let (path, owner) = (format!("{full}."), format!("group `{full}`"));
                let sub = check_body(entries, members, &path, &owner, consts, errors);
                Some(Setting::Group(sub))
            }
            (Entry::Group { .. } | Entry::Row { .. }, _) => {
                errors.push(
                    Error::new(
                        ErrorKind::Type,
                        name.span,
                        format!("`{full}` is not a group"),
                    )
                    .label("set like a group")
                    .help(format!("set it with `{} = value;`", name.name)),
                );
                None
            }
            (
                Entry::Set {
                    value: Rhs::Value(e),
                    ..
                },
                _,
            ) => consts
                .eval(e, true, errors)
                .and_then(|v| check(&v, e.span, &target, consts, errors))
                .map(|v| Setting::One(v, e.span)),
            (
                Entry::Set {
                    value: Rhs::Sweep { values, span },
                    ..
                },
                _,
            ) => sweep(values, *span, &target, consts, errors),
        };
        if let Some(s) = setting {
            settings.insert(spec.name, s);
        }
    }
    settings
}

fn sweep(
    values: &[Expr],
    span: Span,
    target: &Target<'_>,
    consts: &Consts,
    errors: &mut Diagnostics,
) -> Option<Setting> {
    if values.is_empty() {
        errors.push(
            Error::new(
                ErrorKind::Sweep,
                span,
                format!("empty sweep of `{}`", target.path),
            )
            .label("no values")
            .help("a sweep needs at least one value"),
        );
        return None;
    }
    let mut out = Vec::with_capacity(values.len());
    for e in values {
        let v = consts.eval(e, true, errors);
        if let Some(v) = v.and_then(|v| check(&v, e.span, target, consts, errors)) {
            out.push(v);
        }
    }
    (out.len() == values.len()).then_some(Setting::Sweep(out, span))
}

/// Checks one row `table row { entries }` of the table `spec` and adds it
/// to the table's rows in `settings`: its name must be new in the table,
/// the table must have room, and nothing inside a row may be swept (a
/// swept member is reported and then takes its default).
fn row_entry(
    spec: &ParamSpec,
    full: &str,
    row: &Ident,
    entries: &[Entry],
    settings: &mut Settings,
    consts: &Consts,
    errors: &mut Diagnostics,
) {
    let ParamKind::Table {
        row: members,
        max_len,
    } = &spec.kind
    else {
        errors.push(
            Error::new(
                ErrorKind::Type,
                row.span,
                format!("`{full}` is not a table"),
            )
            .label("set like a table row")
            .help(format!("set it with `{} = value;`", spec.name)),
        );
        return;
    };
    let path = format!("{full} {}.", row.name);
    let owner = format!("row `{full} {}`", row.name);
    let checked = check_body(entries, members, &path, &owner, consts, errors);
    if let Some(span) = first_sweep(&checked) {
        errors.push(
            Error::new(
                ErrorKind::Sweep,
                span,
                format!("a sweep inside the row `{full} {}`", row.name),
            )
            .label("swept in a row")
            .help("sweep parameters of the block itself; rows take single values"),
        );
    }
    let rows = match settings
        .entry(spec.name)
        .or_insert_with(|| Setting::Table(Vec::new()))
    {
        Setting::Table(rows) => rows,
        _ => return,
    };
    if let Some(first) = rows.iter().find(|r| r.name == row.name) {
        errors.push(
            Error::new(
                ErrorKind::DuplicateRow,
                row.span,
                format!("`{full} {}` is declared twice", row.name),
            )
            .label("declared again here")
            .note(first.span, "first declared here")
            .help(format!("give each `{full}` a distinct name")),
        );
        return;
    }
    if rows.len() == *max_len {
        errors.push(
            Error::new(
                ErrorKind::ListTooLong,
                row.span,
                format!("`{full}` takes at most {max_len} rows"),
            )
            .label("one row too many")
            .help(format!("remove rows of `{full}`")),
        );
        return;
    }
    rows.push(Row {
        name: row.name.clone(),
        span: row.span,
        settings: checked,
    });
}

/// The span of the first sweep in `settings`, groups included (rows of
/// nested tables report their own).
fn first_sweep(settings: &Settings) -> Option<Span> {
    settings.values().find_map(|s| match s {
        Setting::Sweep(_, span) => Some(*span),
        Setting::Group(g) => first_sweep(g),
        Setting::Table(_) | Setting::One(..) => None,
    })
}

/// Where the setting at `path` is written, and whether that is the whole
/// path: else the deepest row on it that the config wrote (a member left
/// at its default points at its row's name); `None` when not even the
/// first step was written.
fn locate(settings: &Settings, path: &[PathStep]) -> Option<(Span, bool)> {
    let mut here = settings;
    let mut found = None;
    let mut steps = path.iter();
    while let Some(step) = steps.next() {
        let PathStep::Param(name) = step else {
            return found;
        };
        match here.get(name) {
            Some(Setting::One(_, span) | Setting::Sweep(_, span)) => {
                return Some((*span, steps.as_slice().is_empty()))
            }
            Some(Setting::Group(g)) => here = g,
            Some(Setting::Table(rows)) => {
                let Some(PathStep::Row(i)) = steps.next() else {
                    return found;
                };
                let Some(row) = rows.get(*i) else {
                    return found;
                };
                found = Some((row.span, steps.as_slice().is_empty()));
                here = &row.settings;
            }
            None => return found.map(|(span, _)| (span, false)),
        }
    }
    found
}
