//! `linkforge list`: the block catalogue with every parameter's type, range
//! and default.

use linkforge_rtl::catalog::{catalog, ParamKind, ParamSpec, Value};

fn param_lines(out: &mut String, params: &[ParamSpec], indent: usize) {
    for p in params {
        let pad = " ".repeat(indent);
        match &p.kind {
            ParamKind::Group(members) => {
                out.push_str(&format!("{pad}{} {{ ... }}  {}\n", p.name, p.doc));
                param_lines(out, members, indent + 4);
            }
            ParamKind::Table { row, max_len } => {
                let rows = match &p.default {
                    Value::List(rows) if !rows.is_empty() => {
                        let names: Vec<String> = rows
                            .iter()
                            .filter_map(|r| match r {
                                Value::Group(g) => g.str("name").ok().map(str::to_string),
                                _ => None,
                            })
                            .collect();
                        format!(" (default rows: {})", names.join(", "))
                    }
                    _ => String::new(),
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

/// The catalogue as text.
pub fn render() -> String {
    let mut out = String::new();
    for k in catalog() {
        out.push_str(&format!("{}  -- {}\n", k.name, k.doc));
        param_lines(&mut out, &k.params, 4);
        out.push('\n');
    }
    out
}
