//! Runs a design's emitted Verilog on Icarus with a generated testbench and
//! returns the outputs it saw, cycle by cycle.
//!
//! The protocol matches the built-in simulator's testbench loop: for each
//! cycle, apply the inputs, let combinational logic settle, sample every
//! output, then give the clock one rising edge.

use super::{CosimError, Trace};
use linkforge_hdl::{verilog, Bits, Design, Module};
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

/// The data inputs of a module (every input except `clock`), in port order.
pub fn data_inputs<'m>(top: &'m Module, clock: &str) -> Vec<(&'m str, u32)> {
    ports(top, true)
        .into_iter()
        .filter(|(n, _)| *n != clock)
        .collect()
}

/// The outputs of a module, in port order.
pub fn outputs(top: &Module) -> Vec<(&str, u32)> {
    ports(top, false)
}

fn ports(top: &Module, inputs: bool) -> Vec<(&str, u32)> {
    top.ports
        .iter()
        .filter(|p| top.is_input(**p) == inputs)
        .map(|p| {
            let s = top.signal(*p);
            (s.name.as_str(), s.width)
        })
        .collect()
}

/// The testbench: reads `stimulus.hex` (one line per cycle, inputs
/// concatenated in port order, first port most significant) and prints the
/// outputs (space-separated hex) before each rising edge.
fn testbench(design: &Design, clock: &str, cycles: usize) -> String {
    let top = design.top();
    let ins = data_inputs(top, clock);
    let outs = outputs(top);
    let legal = verilog::names::legalize;
    let total: u32 = ins.iter().map(|(_, w)| *w).sum::<u32>().max(1);
    let range = |w: u32| {
        if w == 1 {
            String::new()
        } else {
            format!("[{}:0] ", w - 1)
        }
    };
    let mut tb = String::new();
    let _ = writeln!(tb, "`timescale 1ns/1ps\nmodule linkforge_tb;");
    let _ = writeln!(tb, "    reg {} = 1'b0;", legal(clock));
    for (n, w) in &ins {
        let _ = writeln!(tb, "    reg {}{};", range(*w), legal(n));
    }
    for (n, w) in &outs {
        let _ = writeln!(tb, "    wire {}{};", range(*w), legal(n));
    }
    let _ = writeln!(
        tb,
        "    reg [{}:0] stimulus [0:{}];",
        total - 1,
        cycles.max(1) - 1
    );
    let _ = writeln!(tb, "    integer cycle;");
    let conns: Vec<String> = top
        .ports
        .iter()
        .map(|p| {
            let n = legal(&top.signal(*p).name);
            format!(".{n}({n})")
        })
        .collect();
    let _ = writeln!(tb, "    {} dut ({});", design.top_name(), conns.join(", "));
    let _ = writeln!(tb, "    initial begin");
    let _ = writeln!(tb, "        $readmemh(\"stimulus.hex\", stimulus);");
    let _ = writeln!(
        tb,
        "        for (cycle = 0; cycle < {cycles}; cycle = cycle + 1) begin"
    );
    if !ins.is_empty() {
        let names: Vec<String> = ins.iter().map(|(n, _)| legal(n)).collect();
        let _ = writeln!(
            tb,
            "            {{{}}} = stimulus[cycle];",
            names.join(", ")
        );
    }
    let _ = writeln!(tb, "            #1;");
    let fmt = vec!["%h"; outs.len()].join(" ");
    let args: Vec<String> = outs.iter().map(|(n, _)| legal(n)).collect();
    if outs.is_empty() {
        let _ = writeln!(tb, "            $display(\"\");");
    } else {
        let _ = writeln!(tb, "            $display(\"{fmt}\", {});", args.join(", "));
    }
    let clk = legal(clock);
    let _ = writeln!(
        tb,
        "            {clk} = 1'b1;\n            #1;\n            {clk} = 1'b0;"
    );
    let _ = writeln!(tb, "        end\n        $finish;\n    end\nendmodule");
    tb
}

/// Runs `cycles.len()` cycles of `design` on Icarus inside `workdir`.
/// `cycles[i]` holds the data inputs of cycle `i` in [`data_inputs`] order.
pub fn run(
    design: &Design,
    clock: &str,
    cycles: &[Vec<Bits>],
    workdir: &Path,
) -> Result<Trace, CosimError> {
    let io = |e: std::io::Error| CosimError::Io(e.to_string());
    let top = design.top();
    let ins = data_inputs(top, clock);
    let outs = outputs(top);
    let mut stim = String::new();
    for (i, values) in cycles.iter().enumerate() {
        if values.len() != ins.len() {
            return Err(CosimError::Stimulus(format!(
                "cycle {i} has {} input values, the design {} data inputs",
                values.len(),
                ins.len()
            )));
        }
        for (v, (n, w)) in values.iter().zip(&ins) {
            if v.width() != *w {
                return Err(CosimError::Stimulus(format!(
                    "cycle {i}: `{n}` is {w} bits, the value {}",
                    v.width()
                )));
            }
        }
        let _ = writeln!(stim, "{}", stimulus_word(values));
    }
    std::fs::write(workdir.join("stimulus.hex"), stim).map_err(io)?;
    std::fs::write(workdir.join("dut.v"), verilog::emit(design)).map_err(io)?;
    std::fs::write(workdir.join("tb.v"), testbench(design, clock, cycles.len())).map_err(io)?;
    let out = Command::new("iverilog")
        .current_dir(workdir)
        .args([
            "-g2005",
            "-o",
            "sim.vvp",
            "-s",
            "linkforge_tb",
            "tb.v",
            "dut.v",
        ])
        .output()
        .map_err(|e| CosimError::Tool(format!("cannot run iverilog: {e}")))?;
    if !out.status.success() {
        return Err(CosimError::Tool(format!(
            "iverilog failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let out = Command::new("vvp")
        .current_dir(workdir)
        .args(["-n", "sim.vvp"])
        .output()
        .map_err(|e| CosimError::Tool(format!("cannot run vvp: {e}")))?;
    if !out.status.success() {
        return Err(CosimError::Tool(format!(
            "vvp failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut trace = Trace {
        outputs: outs.iter().map(|(n, _)| n.to_string()).collect(),
        cycles: Vec::new(),
    };
    for line in text.lines() {
        if line.starts_with("WARNING") || line.starts_with("ERROR") {
            return Err(CosimError::Tool(format!("vvp: {line}")));
        }
        if trace.cycles.len() == cycles.len() {
            break;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let mut row = Vec::new();
        for ((_, w), f) in outs.iter().zip(&fields) {
            row.push(parse_hex(f, *w));
        }
        if row.len() != outs.len() {
            return Err(CosimError::Tool(format!(
                "unexpected vvp output line `{line}`"
            )));
        }
        trace.cycles.push(row);
    }
    if trace.cycles.len() != cycles.len() {
        return Err(CosimError::Tool(format!(
            "vvp printed {} cycles, expected {}",
            trace.cycles.len(),
            cycles.len()
        )));
    }
    Ok(trace)
}

/// The values concatenated (the first most significant) as exactly as many
/// hex digits as their total width needs, so `$readmemh` reads them silently.
fn stimulus_word(values: &[Bits]) -> String {
    let mut bits: Vec<bool> = Vec::new();
    for v in values {
        bits.extend((0..v.width()).rev().map(|i| v.bit(i)));
    }
    if bits.is_empty() {
        return "0".into();
    }
    let mut padded = vec![false; (4 - bits.len() % 4) % 4];
    padded.extend(bits);
    padded
        .chunks(4)
        .map(|c| {
            let d = c.iter().fold(0u32, |a, b| a << 1 | *b as u32);
            char::from_digit(d, 16).unwrap_or('0')
        })
        .collect()
}

/// A value Icarus printed with `%h`; `None` when it has unknown (x/z) digits.
fn parse_hex(text: &str, width: u32) -> Option<Bits> {
    let mut bits = Bits::zero(width);
    for (i, c) in text.chars().rev().enumerate() {
        let d = c.to_digit(16)?;
        for b in 0..4 {
            bits.set_bit(i as u32 * 4 + b, d >> b & 1 == 1);
        }
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stimulus_words_are_bit_exact_and_minimal() {
        let a = Bits::from_u64(0b101, 3).unwrap();
        let b = Bits::from_u64(0b1, 1).unwrap();
        let c = Bits::from_u64(0b10, 2).unwrap();
        assert_eq!(stimulus_word(&[a.clone(), b.clone()]), "b");
        assert_eq!(stimulus_word(&[a, b, c]), "2e");
        let parsed = parse_hex("1f", 5).unwrap();
        assert_eq!(parsed.low_u64(), 0x1f);
        assert!(parse_hex("x1", 8).is_none());
    }
}
