//! The software view of a register map, as text: Markdown documentation,
//! a JSON description and a C header with address and field macros. The
//! command line writes them next to the Verilog; this module only makes
//! the text.

use super::map::{Access, FieldRef, RegMap, FIFO_DEPTH, REG_BITS};
use super::regblock::PREFIX;
use super::BusClock;
use std::fmt::Write;

/// Which hardware port carries a field, for the documentation.
fn hw_port(map: &RegMap, r: FieldRef) -> String {
    let name = super::port_name(map, r);
    match map.field(r).access {
        Access::Ro => format!("input `{name}`"),
        Access::Rw | Access::Wo => format!("output `{name}`"),
        Access::W1c => format!("input `{name}_set`"),
        Access::Rc => format!("input `{name}_inc`"),
        Access::Fifo => format!(
            "input `{name}`, appended by `{}_push`",
            map.regs[r.reg].name
        ),
        Access::FifoCount | Access::FifoOvf => "the register's FIFO".into(),
    }
}

fn bits(lsb: u32, width: u32) -> String {
    if width == 1 {
        format!("[{lsb}]")
    } else {
        format!("[{}:{lsb}]", lsb + width - 1)
    }
}

/// One line of text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|")
}

/// The windows of a composed block (a `card`): each component's name and
/// the base address of its registers; empty for a single register block.
pub type Windows = [(String, u64)];

/// Markdown documentation of the register block `name`, whose bus is
/// synchronous to `bus`, with its `windows`.
pub fn markdown(name: &str, map: &RegMap, bus: BusClock, windows: &Windows) -> String {
    let mut s = format!("# Register map of `{name}`\n\n");
    let _ = writeln!(
        s,
        "AXI4-Lite slave, ports `{PREFIX}*`, {REG_BITS}-bit data, {}-bit byte addresses, \
         clock `{}`, synchronous reset `{}`. Unmapped or unaligned addresses \
         answer SLVERR (read data 0, writes dropped); `wstrb` selects the bytes written.\n",
        map.addr_width, bus.0, bus.1
    );
    if map.has_irq() {
        s.push_str(
            "Output `irq` (level) is high while any bit of a W1C field marked \"raises `irq`\" is set.\n\n",
        );
    }
    if !windows.is_empty() {
        s.push_str("| component | base address |\n|---|---|\n");
        for (w, base) in windows {
            let _ = writeln!(s, "| `{}` | `{base:#06x}` |", cell(w));
        }
        s.push('\n');
    }
    s.push_str("| offset | register | reset | description |\n|---|---|---|---|\n");
    for r in &map.regs {
        let _ = writeln!(
            s,
            "| `{:#06x}` | [`{}`](#{}) | `{:#010x}` | {} |",
            r.offset,
            r.name,
            r.name.to_ascii_lowercase(),
            r.reset(),
            cell(&r.desc)
        );
    }
    for (reg, r) in map.regs.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n## {}\n\nOffset `{:#06x}`. {}\n",
            r.name,
            r.offset,
            cell(&r.desc)
        );
        s.push_str("| bits | field | access | reset | hardware | description |\n");
        s.push_str("|---|---|---|---|---|---|\n");
        for (field, f) in r.fields.iter().enumerate() {
            let irq = if f.irq { " (raises `irq`)" } else { "" };
            let _ = writeln!(
                s,
                "| `{}` | `{}` | {} | `{:#x}` | {} | {}{irq} |",
                bits(f.lsb, f.width),
                f.name,
                f.access.name().to_ascii_uppercase(),
                f.reset,
                hw_port(map, FieldRef { reg, field }),
                cell(&f.desc)
            );
        }
    }
    if !map.alerts.is_empty() {
        s.push_str("\n## Alerts\n\nEvery cycle the source is at or above the threshold (unsigned), the status bit is set.\n\n");
        s.push_str("| status | source | threshold | description |\n|---|---|---|---|\n");
        for a in &map.alerts {
            let _ = writeln!(
                s,
                "| `{}` | `{}` | `{}` | {} |",
                map.field_path(a.status),
                map.field_path(a.source),
                map.field_path(a.threshold),
                cell(&map.field(a.status).desc)
            );
        }
    }
    s.push_str(
        "\nAccess types: RO reads the hardware input; RW is written by software and drives an \
         output; WO likewise but reads as 0; W1C bits are set by hardware (a set wins over a \
         clear in the same cycle) and cleared by writing 1; RC counts increments, saturates, \
         and restarts from 0 when read.\n",
    );
    if map.regs.iter().any(|r| r.is_fifo()) {
        let _ = writeln!(
            s,
            "FIFO fields are the entry of the register's history FIFO ({FIFO_DEPTH} entries): a read \
             returns the oldest entry (0 when empty) and removes it; FIFO_COUNT reads the entries \
             held before the read; FIFO_OVF is set when an entry was dropped because the FIFO was \
             full, and cleared by a read of the register."
        );
    }
    s
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A JSON description of the register block `name`, whose bus is
/// synchronous to `bus`, with its `windows`.
pub fn json(name: &str, map: &RegMap, bus: BusClock, windows: &Windows) -> String {
    let mut regs = Vec::new();
    for (reg, r) in map.regs.iter().enumerate() {
        let fields: Vec<String> = r
            .fields
            .iter()
            .enumerate()
            .map(|(field, f)| {
                format!(
                    "        {{\"name\": {}, \"lsb\": {}, \"width\": {}, \"access\": {}, \
                     \"reset\": {}, \"irq\": {}, \"port\": {}, \"description\": {}}}",
                    json_str(&f.name),
                    f.lsb,
                    f.width,
                    json_str(f.access.name()),
                    f.reset,
                    f.irq,
                    json_str(&super::port_name(map, FieldRef { reg, field })),
                    json_str(&f.desc)
                )
            })
            .collect();
        let fifo = if r.is_fifo() {
            format!(
                "\"fifo\": {{\"depth\": {FIFO_DEPTH}, \"push\": {}}}, ",
                json_str(&format!("{}_push", r.name))
            )
        } else {
            String::new()
        };
        regs.push(format!(
            "    {{\"name\": {}, \"offset\": {}, \"reset\": {}, \"description\": {}, {fifo}\"fields\": [\n{}\n    ]}}",
            json_str(&r.name),
            r.offset,
            r.reset(),
            json_str(&r.desc),
            fields.join(",\n")
        ));
    }
    let alerts: Vec<String> = map
        .alerts
        .iter()
        .map(|a| {
            format!(
                "    {{\"status\": {}, \"source\": {}, \"threshold\": {}}}",
                json_str(&map.field_path(a.status)),
                json_str(&map.field_path(a.source)),
                json_str(&map.field_path(a.threshold))
            )
        })
        .collect();
    let list = |items: &[String]| {
        if items.is_empty() {
            "[]".to_string()
        } else {
            format!("[\n{}\n  ]", items.join(",\n"))
        }
    };
    let windows: Vec<String> = windows
        .iter()
        .map(|(w, base)| format!("    {{\"name\": {}, \"base\": {base}}}", json_str(w)))
        .collect();
    format!(
        "{{\n  \"name\": {},\n  \"bus\": \"axi4-lite\",\n  \"prefix\": {},\n  \"data_width\": {REG_BITS},\n  \"clock\": {},\n  \"reset\": {},\n  \
         \"addr_width\": {},\n  \"unmapped_response\": \"SLVERR\",\n  \"irq\": {},\n  \
         \"windows\": {},\n  \"registers\": {},\n  \"alerts\": {}\n}}\n",
        json_str(name),
        json_str(PREFIX),
        json_str(bus.0),
        json_str(bus.1),
        map.addr_width,
        map.has_irq(),
        list(&windows),
        list(&regs),
        list(&alerts)
    )
}

/// Text safe inside a C block comment, on one line.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace("*/", "* /")
}

/// A C header for the register block `name`: per window `NAME_W_BASE`;
/// per register `NAME_REG_OFFSET` and `NAME_REG_RESET`; per field
/// `NAME_REG_FIELD_SHIFT`, `_WIDTH`, `_MASK` (in place), `_GET(v)` and
/// `_SET(v)`.
pub fn c_header(name: &str, map: &RegMap, windows: &Windows) -> String {
    let p = name.to_ascii_uppercase();
    let mut s = format!(
        "/* Register map of `{}`, generated by linkforge from its config. Do not edit. */\n\
         #ifndef {p}_REGS_H\n#define {p}_REGS_H\n\n",
        comment(name)
    );
    for (w, base) in windows {
        let _ = writeln!(
            s,
            "#define {p}_{}_BASE 0x{base:04x}u",
            w.to_ascii_uppercase()
        );
    }
    if !windows.is_empty() {
        s.push('\n');
    }
    for r in &map.regs {
        let rn = format!("{p}_{}", r.name.to_ascii_uppercase());
        let _ = writeln!(s, "/* {}: {} */", r.name, comment(&r.desc));
        let _ = writeln!(s, "#define {rn}_OFFSET 0x{:04x}u", r.offset);
        let _ = writeln!(s, "#define {rn}_RESET 0x{:08x}u", r.reset());
        if r.is_fifo() {
            let _ = writeln!(s, "#define {rn}_FIFO_DEPTH {FIFO_DEPTH}u");
        }
        for f in &r.fields {
            let n = format!("{rn}_{}", f.name.to_ascii_uppercase());
            let _ = writeln!(
                s,
                "/* {}.{} {} ({}): {} */",
                r.name,
                f.name,
                bits(f.lsb, f.width),
                f.access.name(),
                comment(&f.desc)
            );
            let _ = writeln!(s, "#define {n}_SHIFT {}u", f.lsb);
            let _ = writeln!(s, "#define {n}_WIDTH {}u", f.width);
            let _ = writeln!(s, "#define {n}_MASK 0x{:08x}u", f.mask());
            let _ = writeln!(s, "#define {n}_GET(v) (((v) & {n}_MASK) >> {n}_SHIFT)");
            let _ = writeln!(
                s,
                "#define {n}_SET(v) (((unsigned int)(v) << {n}_SHIFT) & {n}_MASK)"
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "#endif /* {p}_REGS_H */");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(json_str("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }

    #[test]
    fn comments_cannot_end_early() {
        assert_eq!(comment("a */ b\n"), "a * / b ");
    }

    #[test]
    fn the_header_has_offsets_and_field_macros() {
        let h = c_header("tele", &super::super::default_map(), &[]);
        assert!(h.contains("#define TELE_TEMP_HIGH_OFFSET 0x0008u"));
        assert!(!h.contains("#define TELE_TEMP_HIGH_LEVEL_RESET"));
        assert!(h.contains("#define TELE_ALERT_STATUS_CRIT_MASK 0x00000002u"));
        assert!(h.contains("#define TELE_CONTROL_KICK_SHIFT 8u"));
    }
}
