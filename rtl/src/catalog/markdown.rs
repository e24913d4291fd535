//! The catalogue as a Markdown page: every block kind with a table of its
//! parameters (name, short name, type and range, default, description).
//! `docs/catalog.md` is this page; `linkforge list --markdown` prints it.

use super::{catalog, BlockKind, ParamKind, ParamSpec};
use std::fmt::Write;

/// The catalogue page.
pub fn markdown() -> String {
    let kinds = catalog();
    let mut out = String::new();
    out.push_str("# Block catalogue\n\n");
    out.push_str(
        "<!-- Generated from the catalogue by `linkforge list --markdown`; do not edit. -->\n\n",
    );
    let _ = writeln!(
        out,
        "{} block kinds. A config sets a parameter by name (`lanes = 8;`), a group's \
         members inside braces (`ffe {{ taps = 5; }}`) and a table's rows as \
         `NAME ROW {{ ... }}`; the short name prefixes the names of swept variants \
         (`p` makes `scorpio_p8`).\n",
        kinds.len()
    );
    out.push_str("| kind | what it is |\n|---|---|\n");
    for k in &kinds {
        let _ = writeln!(out, "| [`{0}`](#{0}) | {1} |", k.name, cell(k.doc));
    }
    for k in &kinds {
        kind_section(&mut out, k);
    }
    out
}

/// The section of one kind.
fn kind_section(out: &mut String, k: &BlockKind) {
    let _ = write!(out, "\n## `{}`\n\n{}\n\n", k.name, k.doc);
    out.push_str("| parameter | short | type | default | description |\n");
    out.push_str("|---|---|---|---|---|\n");
    param_rows(out, &k.params, "");
}

/// One row per parameter, members of groups and tables after their owner
/// with the owner's path as prefix (`ffe.taps`).
fn param_rows(out: &mut String, params: &[ParamSpec], prefix: &str) {
    for p in params {
        let path = format!("{prefix}{}", p.name);
        let short = if p.short.is_empty() {
            String::new()
        } else {
            format!("`{}`", p.short)
        };
        let default = match &p.kind {
            ParamKind::Group(_) => "see members".to_string(),
            ParamKind::Table { .. } => match p.default_rows().as_slice() {
                [] => "no rows".to_string(),
                rows => format!("rows {}", rows.join(", ")),
            },
            ParamKind::Quantity { dim, .. } => format!("`{} {}`", p.default, dim.base_unit()),
            ParamKind::Text => format!("`{:?}`", p.default.to_string()),
            _ => format!("`{}`", p.default),
        };
        let _ = writeln!(
            out,
            "| `{path}` | {short} | {} | {} | {} |",
            cell(&p.kind.to_string()),
            cell(&default),
            cell(p.doc)
        );
        match &p.kind {
            ParamKind::Group(members) => param_rows(out, members, &format!("{path}.")),
            ParamKind::Table { row, .. } => param_rows(out, row, &format!("{path}.")),
            _ => {}
        }
    }
}

/// `text` made safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
