//! FPGA prototyping estimates: Yosys synthesis of the generated Verilog to
//! generic cells or to iCE40 cells, and for iCE40 placement and routing on
//! an HX8K with nextpnr, whose timing analysis gives the maximum clock
//! frequency.
//!
//! For iCE40 the design is wrapped so that every top-level port is
//! registered and the pin count stays small: the inputs are shifted in
//! through one pin (`sin`) and loaded into registers on `load`, the outputs
//! are captured into registers on `load` and shifted out through one pin
//! (`sout`). Every path through the design then starts and ends at a
//! register, which is what a frequency estimate needs; the design's clocks
//! stay pins of their own.

use crate::tools::{run, run_ok, tail, write_input, ToolError};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::verilog::names::legalize;
use linkforge_hdl::verilog::{self, range};
use linkforge_hdl::Design;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// What to synthesize for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Yosys's generic gate library (`synth`).
    Generic,
    /// Lattice iCE40 HX8K (`synth_ice40`, then nextpnr-ice40).
    Ice40,
}

/// Logic cells of an iCE40 HX8K.
pub const HX8K_LUTS: u64 = 7680;
/// Block RAMs (4 kbit) of an iCE40 HX8K.
pub const HX8K_BRAMS: u64 = 32;

/// The resources and speed of one synthesized design.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SynthReport {
    /// The target, `generic` or `ice40`.
    pub target: &'static str,
    /// LUTs (iCE40) or generic logic cells (everything but flip-flops and
    /// memories).
    pub logic: u64,
    /// Flip-flops.
    pub flip_flops: u64,
    /// Block RAMs (iCE40) or inferred memories (generic).
    pub memories: u64,
    /// The slowest clock's maximum frequency nextpnr reports (iCE40 only).
    pub fmax_mhz: Option<f64>,
    /// Why the design does not fit the device, when it does not.
    pub does_not_fit: Option<String>,
}

/// The iCE40 wrapper (see the module documentation), named `name`.
fn wrapper(design: &Design, name: &str) -> String {
    let top = design.top();
    let mut clocks = Vec::new();
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for &p in &top.ports {
        let s = top.signal(p);
        let port = (legalize(&s.name), s.width);
        match s.kind {
            SignalKind::Input { clock: true } => clocks.push(port.0),
            SignalKind::Input { clock: false } => inputs.push(port),
            _ => outputs.push(port),
        }
    }
    let shift_clock = clocks.first().cloned().unwrap_or_else(|| "clk".to_string());
    let in_bits: u32 = inputs.iter().map(|p| p.1).sum::<u32>().max(1);
    let out_bits: u32 = outputs.iter().map(|p| p.1).sum::<u32>().max(1);
    let mut v = String::new();
    // Writing to a `String` cannot fail.
    let mut pins: Vec<String> = clocks.iter().map(|c| format!("input wire {c}")).collect();
    if clocks.is_empty() {
        pins.push("input wire clk".into());
    }
    pins.extend([
        "input wire sin".into(),
        "input wire load".into(),
        "output wire sout".into(),
    ]);
    let _ = writeln!(
        v,
        "`default_nettype none\nmodule {name} ({});",
        pins.join(", ")
    );
    let _ = writeln!(v, "    reg {}in_shift = 0;", range(in_bits));
    let _ = writeln!(v, "    reg {}in_q = 0;", range(in_bits));
    let _ = writeln!(v, "    reg {}out_q = 0;", range(out_bits));
    let _ = writeln!(v, "    wire {}out_d;", range(out_bits));
    let shifted_in = if in_bits == 1 {
        "sin".to_string()
    } else {
        format!("{{in_shift[{}:0], sin}}", in_bits - 2)
    };
    let shifted_out = if out_bits == 1 {
        "1'b0".to_string()
    } else {
        format!("{{1'b0, out_q[{}:1]}}", out_bits - 1)
    };
    let _ = writeln!(
        v,
        "    always @(posedge {shift_clock}) begin\n        in_shift <= {shifted_in};\n        \
         if (load) begin\n            in_q <= in_shift;\n            out_q <= out_d;\n        \
         end else begin\n            out_q <= {shifted_out};\n        end\n    end\n    \
         assign sout = out_q[0];"
    );
    let mut conns: Vec<String> = clocks.iter().map(|c| format!(".{c}({c})")).collect();
    let mut at = 0;
    for (n, w) in &inputs {
        conns.push(format!(".{n}(in_q[{}:{at}])", at + w - 1));
        at += w;
    }
    at = 0;
    for (n, w) in &outputs {
        conns.push(format!(".{n}(out_d[{}:{at}])", at + w - 1));
        at += w;
    }
    if at < out_bits {
        let _ = writeln!(v, "    assign out_d[{}:{at}] = 0;", out_bits - 1);
    }
    let _ = writeln!(v, "    {} dut ({});", design.top_name(), conns.join(", "));
    v.push_str("endmodule\n`default_nettype wire\n");
    v
}

/// Cell counts of a design from Yosys's `stat -json`.
#[derive(Debug, Default, PartialEq, Eq)]
struct CellCounts {
    logic: u64,
    flip_flops: u64,
    memories: u64,
}

/// Reads the `design` cell counts of `stat -json` output for `target`.
fn cell_counts(json: &str, target: Target) -> Option<CellCounts> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let cells = value.get("design")?.get("num_cells_by_type")?.as_object()?;
    let mut counts = CellCounts::default();
    for (cell, n) in cells {
        let n = n.as_u64()?;
        let name = cell.trim_start_matches('\\');
        match target {
            Target::Ice40 => match name {
                "SB_LUT4" => counts.logic += n,
                "SB_RAM40_4K" => counts.memories += n,
                _ if name.starts_with("SB_DFF") => counts.flip_flops += n,
                _ => {}
            },
            Target::Generic => {
                if name.contains("DFF") || name.contains("DLATCH") {
                    counts.flip_flops += n;
                } else if name.starts_with("$mem") {
                    counts.memories += n;
                } else {
                    counts.logic += n;
                }
            }
        }
    }
    Some(counts)
}

/// The lowest "Max frequency for clock" nextpnr reports, in MHz.
fn fmax(log: &str) -> Option<f64> {
    log.lines()
        .filter(|l| l.contains("Max frequency for clock"))
        .filter_map(|l| l.split("': ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .reduce(f64::min)
}

/// The files [`synthesize`] writes into its directory: the design and the
/// cell statistics, and for iCE40 the wrapper, the netlist and the placed
/// and routed bitstream text.
pub fn outputs(design: &Design, target: Target) -> Vec<String> {
    let top = design.top_name();
    let mut files = vec![format!("{top}.v"), format!("{top}.stat.json")];
    if target == Target::Ice40 {
        files.extend([
            format!("{top}_fpga.v"),
            format!("{top}.ice40.json"),
            format!("{top}.asc"),
        ]);
    }
    files
}

/// Synthesizes `design` for `target`, writing the Verilog, the wrapper and
/// the netlists into `dir`.
pub fn synthesize(design: &Design, target: Target, dir: &Path) -> Result<SynthReport, ToolError> {
    let top = design.top_name();
    let files = outputs(design, target);
    let [design_v, stat] = [&files[0], &files[1]].map(|f| dir.join(f));
    write_input(&design_v, &verilog::emit(design))?;
    let (script, synth_top) = match target {
        Target::Generic => (
            format!(
                "read_verilog {}; synth -flatten -top {top}; tee -q -o {} stat -json",
                design_v.display(),
                stat.display()
            ),
            top.to_string(),
        ),
        Target::Ice40 => {
            let wrap = format!("{top}_fpga");
            let [wrap_v, json] = [&files[2], &files[3]].map(|f| dir.join(f));
            write_input(&wrap_v, &wrapper(design, &wrap))?;
            (
                format!(
                    "read_verilog {} {}; synth_ice40 -top {wrap} -json {}; tee -q -o {} stat -json",
                    design_v.display(),
                    wrap_v.display(),
                    json.display(),
                    stat.display()
                ),
                wrap,
            )
        }
    };
    run_ok("yosys", Command::new("yosys").args(["-q", "-p", &script]))?;
    let stat_text = std::fs::read_to_string(&stat).unwrap_or_default();
    let counts = cell_counts(&stat_text, target).ok_or_else(|| ToolError::Failed {
        tool: "yosys",
        output: format!("no cell statistics for `{synth_top}` in {}", stat.display()),
    })?;
    let mut report = SynthReport {
        target: match target {
            Target::Generic => "generic",
            Target::Ice40 => "ice40",
        },
        logic: counts.logic,
        flip_flops: counts.flip_flops,
        memories: counts.memories,
        fmax_mhz: None,
        does_not_fit: None,
    };
    if target == Target::Generic {
        return Ok(report);
    }
    if counts.logic > HX8K_LUTS || counts.memories > HX8K_BRAMS {
        report.does_not_fit = Some(format!(
            "needs {} LUTs and {} block RAMs; an HX8K has {HX8K_LUTS} and {HX8K_BRAMS}",
            counts.logic, counts.memories
        ));
        return Ok(report);
    }
    let [json, asc] = [&files[3], &files[4]].map(|f| dir.join(f));
    let (ok, log) = run(Command::new("nextpnr-ice40")
        .args(["--hx8k", "--package", "ct256", "--pcf-allow-unconstrained"])
        .args(["--freq", "12", "--json"])
        .arg(&json)
        .arg("--asc")
        .arg(asc));
    if !ok {
        if log.contains("Unable to place") || log.contains("failed to place") {
            report.does_not_fit = Some(format!("nextpnr could not place it: {}", tail(&log)));
            return Ok(report);
        }
        return Err(ToolError::Failed {
            tool: "nextpnr-ice40",
            output: tail(&log),
        });
    }
    report.fmax_mhz = fmax(&log);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_counted_by_kind() {
        let json = r#"{"design": {"num_cells_by_type": {"SB_LUT4": 20, "SB_DFFESR": 3, "SB_DFF": 2, "SB_RAM40_4K": 1, "SB_CARRY": 4}}}"#;
        assert_eq!(
            cell_counts(json, Target::Ice40),
            Some(CellCounts {
                logic: 20,
                flip_flops: 5,
                memories: 1
            })
        );
        let json = r#"{"design": {"num_cells_by_type": {"$_AND_": 7, "$_SDFF_PP0_": 3, "$_DFFE_PP_": 1, "$mem_v2": 1}}}"#;
        assert_eq!(
            cell_counts(json, Target::Generic),
            Some(CellCounts {
                logic: 7,
                flip_flops: 4,
                memories: 1
            })
        );
    }

    #[test]
    fn the_slowest_clock_sets_fmax() {
        let log = "Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 95.51 MHz (PASS at 12.00 MHz)\n\
                   Info: Max frequency for clock 'rx_clk$SB_IO_IN_$glb_clk': 80.10 MHz (PASS at 12.00 MHz)";
        assert_eq!(fmax(log), Some(80.10));
        assert_eq!(fmax("nothing"), None);
    }
}
