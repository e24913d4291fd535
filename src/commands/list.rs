//! `linkforge list`: the block catalogue with every parameter's type, range
//! and default, as text or as the docs' Markdown page.

use linkforge_rtl::catalog::{catalog, ParamKind, ParamSpec};

fn param_lines(out: &mut String, params: &[ParamSpec], indent: usize) {
    for p in params {
        let pad = " ".repeat(indent);
        match &p.kind {
            ParamKind::Group(members) => {
                out.push_str(&format!("{pad}{} {{ ... }}  {}\n", p.name, p.doc));
                param_lines(out, members, indent + 4);
            }
            ParamKind::Table { row, max_len } => {
                let rows = match p.default_rows().as_slice() {
                    [] => String::new(),
                    names => format!(" (default rows: {})", names.join(", ")),
                };
                out.push_str(&format!(
                    "{pad}{} NAME {{ ... }}  up to {max_len} rows; {}{rows}\n",
                    p.name, p.doc
                ));
                param_lines(out, row, indent + 4);
            }
            kind => out.push_str(&format!(
                "{pad}{:<16} {:<28} default {:<10} {}\n",
                p.name,
                kind.to_string(),
                p.default.to_string(),
                p.doc
            )),
        }
    }
}

/// The catalogue as text, or as Markdown with `markdown`.
pub fn render(markdown: bool) -> String {
    if markdown {
        return linkforge_rtl::catalog::markdown();
    }
    let mut out = String::new();
    for k in catalog() {
        out.push_str(&format!("{}  -- {}\n", k.name, k.doc));
        param_lines(&mut out, &k.params, 4);
        out.push('\n');
    }
    out
}
