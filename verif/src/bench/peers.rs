//! The peer harnesses: a generated C++ main for Verilator and a generated
//! Verilog testbench for Icarus, both running the stimulus protocol of the
//! [module documentation](super), built and run in a temporary directory.
//!
//! Ports wider than 64 bits are driven and folded word by word: Verilator
//! keeps them as `VlWide` arrays of 32-bit words (two per stimulus word),
//! Icarus as plain wide vectors sliced 64 bits at a time.
//!
//! Icarus starts every variable at X where the built-in simulator and
//! Verilator start registers and memories at zero, so the Icarus copy of
//! the design gets an `initial` block per module that zeroes them
//! ([`zero_initialised`]); every register and memory is still simulated and
//! compared, from the same start.

use super::{BenchConfig, BenchError, Measurement, Port, Run, Timed, Workload, SEED};
use linkforge_hdl::verilog::{self, names::legalize, range};
use std::fmt::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// The marker before the cycle count and checksum a harness prints.
const MARKER: &str = "LINKFORGE_BENCH";

/// True when `tool` starts (run with `arg`, such as `--version`).
pub fn installed(tool: &str, arg: &str) -> bool {
    Command::new(tool).arg(arg).output().is_ok()
}

/// The first line `tool arg` prints, or "`tool` not installed".
pub fn version(tool: &str, arg: &str) -> String {
    match Command::new(tool).arg(arg).output() {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            text.lines().next().unwrap_or(tool).trim().to_string()
        }
        Err(_) => format!("{tool} not installed"),
    }
}

/// The Verilog of `workload`'s design and the time from config to it
/// (elaboration and emission).
fn emitted(workload: &Workload) -> (String, Duration) {
    let start = Instant::now();
    let text = verilog::emit(&workload.design);
    (text, workload.elaborate + start.elapsed())
}

/// The Verilog Verilator runs.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// What linkforge emits for the workload's design.
    Emitted,
    /// Hand-written Verilog with the same top module and ports
    /// ([`Workload::hand_written`]); its time to the first cycle is the
    /// build alone.
    HandWritten(&'static str),
}

/// Builds `source` for `workload` with Verilator (single-threaded, -O3,
/// the C++ at -O3 -march=native, make -j over every CPU) and runs the
/// checksum run and the timed runs.
pub fn verilator(
    workload: &Workload,
    config: &BenchConfig,
    source: Source,
) -> Result<Measurement, BenchError> {
    let jobs = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .to_string();
    let dir = temp_dir()?;
    let (text, to_verilog) = match source {
        Source::Emitted => emitted(workload),
        Source::HandWritten(text) => (text.to_string(), std::time::Duration::ZERO),
    };
    write(dir.path(), "dut.v", &text)?;
    write(dir.path(), "main.cpp", &verilator_main(workload))?;
    let start = Instant::now();
    let out = Command::new("verilator")
        .current_dir(dir.path())
        .args([
            "--cc",
            "--exe",
            "--build",
            "-O3",
            "--threads",
            "1",
            "-j",
            &jobs,
            "-CFLAGS",
            "-march=native",
            "-MAKEFLAGS",
            "OPT_FAST=-O3 OPT_SLOW=-O3 OPT_GLOBAL=-O3",
            "--top-module",
            workload.design.top_name(),
            "--prefix",
            "Vbench",
            "--Mdir",
            "obj",
            "-o",
            "bench",
            "dut.v",
            "main.cpp",
        ])
        .output();
    let build = start.elapsed();
    checked("verilator", out)?;
    let exe = dir.path().join("obj").join("bench");
    let run = |cycles: u64| {
        let mut harness = Command::new(&exe);
        harness.arg(cycles.to_string());
        timed_run("verilator", harness)
    };
    let check = run(config.icarus_cycles)?;
    let timed = Timed::repeat("verilator", config.runs, || run(config.cycles))?;
    Ok(Measurement {
        build,
        first_cycle: to_verilog + build,
        timed,
        check,
        traced: None,
    })
}

/// Compiles `workload` with Icarus and runs [`BenchConfig::icarus_cycles`]
/// cycles, timed as the wall time of `vvp` minus that of an empty run.
pub fn icarus(workload: &Workload, config: &BenchConfig) -> Result<Measurement, BenchError> {
    let dir = temp_dir()?;
    let (text, to_verilog) = emitted(workload);
    write(dir.path(), "dut.v", &zero_initialised(&text))?;
    write(dir.path(), "tb.v", &icarus_testbench(workload))?;
    let start = Instant::now();
    let out = Command::new("iverilog")
        .current_dir(dir.path())
        .args([
            "-g2005",
            "-o",
            "sim.vvp",
            "-s",
            "linkforge_bench",
            "tb.v",
            "dut.v",
        ])
        .output();
    let build = start.elapsed();
    checked("iverilog", out)?;
    let run = |cycles: u64| -> Result<(Run, Duration), BenchError> {
        let start = Instant::now();
        let out = Command::new("vvp")
            .current_dir(dir.path())
            .args(["-n", "sim.vvp", &format!("+cycles={cycles}")])
            .output();
        let wall = start.elapsed();
        let text = checked("vvp", out)?;
        let (n, checksum, _) = parse_marker("vvp", &text, false)?;
        let run = Run {
            cycles: n,
            seconds: 0.0,
            checksum,
        };
        Ok((run, wall))
    };
    let (_, empty) = run(0)?;
    let timed = Timed::repeat("vvp", config.runs, || {
        let (mut timed, wall) = run(config.icarus_cycles)?;
        timed.seconds = wall.saturating_sub(empty).as_secs_f64();
        Ok(timed)
    })?;
    Ok(Measurement {
        build,
        first_cycle: to_verilog + build,
        timed,
        check: timed.median,
        traced: None,
    })
}

/// `verilog` (as [`verilog::emit`] writes it) with an `initial` block before
/// each `endmodule` that sets the module's registers and memories to zero.
/// The back-end declares `reg` for registers, memory read data and memories
/// only (never for combinational logic), one per line, so those lines are
/// exactly the state to clear.
pub fn zero_initialised(verilog: &str) -> String {
    const INDEX: &str = "linkforge_bench_zero_i";
    let mut out = String::with_capacity(verilog.len() * 11 / 10);
    let mut clears: Vec<String> = Vec::new();
    let mut memories = false;
    for line in verilog.lines() {
        if let Some(decl) = line
            .strip_prefix("    reg ")
            .and_then(|d| d.strip_suffix(';'))
        {
            // `[7:0] name`, `name`, or `[7:0] name [0:15]` for a memory.
            let decl = match decl.strip_prefix('[') {
                Some(rest) => rest.split_once("] ").map_or(rest, |(_, d)| d),
                None => decl,
            };
            let mut words = decl.split_whitespace();
            let name = words.next().unwrap_or_default();
            match words
                .next()
                .and_then(|r| r.strip_prefix("[0:")?.strip_suffix(']'))
            {
                Some(last) => {
                    memories = true;
                    clears.push(format!(
                        "for ({INDEX} = 0; {INDEX} <= {last}; {INDEX} = {INDEX} + 1) {name}[{INDEX}] = 0;"
                    ));
                }
                None => clears.push(format!("{name} = 0;")),
            }
        } else if line == "endmodule" && !clears.is_empty() {
            out.push_str(
                "    // linkforge bench: state starts at zero, as in the built-in simulator.\n",
            );
            if memories {
                let _ = writeln!(out, "    integer {INDEX};");
            }
            out.push_str("    initial begin\n");
            for c in clears.drain(..) {
                let _ = writeln!(out, "        {c}");
            }
            out.push_str("    end\n");
            memories = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One step of the stimulus generator in C++.
const XORSHIFT: &str = "x ^= x << 13; x ^= x >> 7; x ^= x << 17;";

/// One step of the stimulus generator in Verilog.
const XORSHIFT_VERILOG: &str = "x = x ^ (x << 13); x = x ^ (x >> 7); x = x ^ (x << 17);";

/// The C++ main for Verilator: the stimulus loop over the model, timed with
/// `std::chrono`; prints the marker, cycles, checksum and seconds. Ports of
/// up to 64 bits are integers; a wider port is a `VlWide` array of 32-bit
/// words, two per stimulus word.
fn verilator_main(w: &Workload) -> String {
    let mut c = String::new();
    let _ = writeln!(
        c,
        "// Generated by linkforge bench.\n#include \"Vbench.h\"\n#include \"verilated.h\"\n\
         #include <chrono>\n#include <cinttypes>\n#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n"
    );
    let _ = writeln!(c, "int main(int argc, char** argv) {{");
    let _ = writeln!(
        c,
        "    const uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 0;"
    );
    let _ = writeln!(c, "    VerilatedContext* ctx = new VerilatedContext;");
    let _ = writeln!(c, "    Vbench* top = new Vbench{{ctx}};");
    let _ = writeln!(c, "    uint64_t x = {SEED:#x}ULL, cs = 0;");
    let clocks = |level: u8| -> String {
        w.clocks
            .iter()
            .map(|clk| format!("top->{} = {level}; ", legalize(clk)))
            .collect()
    };
    let _ = writeln!(c, "    {}top->eval();", clocks(0));
    let _ = writeln!(
        c,
        "    const auto start = std::chrono::steady_clock::now();"
    );
    let _ = writeln!(
        c,
        "    for (uint64_t cycle = 0; cycle < cycles; cycle++) {{"
    );
    for r in &w.resets {
        let _ = writeln!(
            c,
            "        top->{} = cycle < {}ULL;",
            legalize(r),
            w.reset_cycles
        );
    }
    for p in &w.inputs {
        let name = legalize(&p.name);
        if p.words() == 1 {
            let _ = writeln!(
                c,
                "        {XORSHIFT}\n        top->{name} = x & {:#x}ULL;",
                p.word_mask(0)
            );
            continue;
        }
        let halves = p.width.div_ceil(32) as usize;
        for k in 0..p.words() {
            let _ = writeln!(
                c,
                "        {XORSHIFT}\n        top->{name}[{}] = (uint32_t)(x & {:#x}ULL);",
                2 * k,
                p.word_mask(k)
            );
            if 2 * k + 1 < halves {
                let _ = writeln!(
                    c,
                    "        top->{name}[{}] = (uint32_t)((x & {:#x}ULL) >> 32);",
                    2 * k + 1,
                    p.word_mask(k)
                );
            }
        }
    }
    let _ = writeln!(c, "        {}top->eval();", clocks(1));
    let fold = |c: &mut String, word: &str| {
        let _ = writeln!(c, "        cs = ((cs << 1) | (cs >> 63)) ^ {word};");
    };
    for p in &w.outputs {
        let name = legalize(&p.name);
        if p.words() == 1 {
            fold(&mut c, &format!("(uint64_t)top->{name}"));
            continue;
        }
        let halves = p.width.div_ceil(32) as usize;
        for k in 0..p.words() {
            let mut word = format!("(uint64_t)top->{name}[{}]", 2 * k);
            if 2 * k + 1 < halves {
                word = format!("({word} | ((uint64_t)top->{name}[{}] << 32))", 2 * k + 1);
            }
            fold(&mut c, &word);
        }
    }
    let _ = writeln!(c, "        {}top->eval();\n    }}", clocks(0));
    let _ = writeln!(
        c,
        "    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();"
    );
    let _ = writeln!(
        c,
        "    std::printf(\"{MARKER} %\" PRIu64 \" %016\" PRIx64 \" %.9f\\n\", cycles, cs, seconds);"
    );
    let _ = writeln!(
        c,
        "    top->final();\n    delete top;\n    delete ctx;\n    return 0;\n}}"
    );
    c
}

/// The Icarus testbench: the stimulus loop in a `reg [63:0]`, the cycle
/// count from `+cycles=N`; prints the marker, cycles and checksum. A port
/// wider than 64 bits is read and written 64 bits at a time.
fn icarus_testbench(w: &Workload) -> String {
    // The low `bits` bits of `v`.
    let low = |v: &str, bits: u32| match bits {
        64 => v.to_string(),
        1 => format!("{v}[0]"),
        n => format!("{v}[{}:0]", n - 1),
    };
    // Word `k` of port `p`.
    let word = |p: &Port, k: usize| {
        let name = legalize(&p.name);
        if p.words() == 1 {
            return name;
        }
        let lo = 64 * k as u32;
        match p.word_width(k) {
            1 => format!("{name}[{lo}]"),
            n => format!("{name}[{}:{lo}]", lo + n - 1),
        }
    };
    let mut t = String::new();
    let _ = writeln!(
        t,
        "// Generated by linkforge bench.\n`timescale 1ns/1ps\nmodule linkforge_bench;"
    );
    for clk in &w.clocks {
        let _ = writeln!(t, "    reg {} = 1'b0;", legalize(clk));
    }
    for r in &w.resets {
        let _ = writeln!(t, "    reg {} = 1'b0;", legalize(r));
    }
    for p in &w.inputs {
        let _ = writeln!(t, "    reg {}{};", range(p.width), legalize(&p.name));
    }
    for p in &w.outputs {
        let _ = writeln!(t, "    wire {}{};", range(p.width), legalize(&p.name));
    }
    let _ = writeln!(
        t,
        "    reg [63:0] x;\n    reg [63:0] cs;\n    integer cycle;\n    integer cycles;"
    );
    let _ = writeln!(t, "    {}", verilog::instantiate_top(&w.design, "dut"));
    let _ = writeln!(t, "    initial begin");
    let _ = writeln!(
        t,
        "        if (!$value$plusargs(\"cycles=%d\", cycles)) cycles = 0;"
    );
    let _ = writeln!(t, "        x = 64'h{SEED:016x};\n        cs = 64'd0;");
    let _ = writeln!(
        t,
        "        for (cycle = 0; cycle < cycles; cycle = cycle + 1) begin"
    );
    for r in &w.resets {
        let _ = writeln!(
            t,
            "            {} = (cycle < {});",
            legalize(r),
            w.reset_cycles
        );
    }
    for p in &w.inputs {
        for k in 0..p.words() {
            let _ = writeln!(
                t,
                "            {}\n            {} = {};",
                XORSHIFT_VERILOG,
                word(p, k),
                low("x", p.word_width(k))
            );
        }
    }
    let clocks = |level: &str| -> String {
        w.clocks
            .iter()
            .map(|clk| format!("{} = {level}; ", legalize(clk)))
            .collect()
    };
    let _ = writeln!(t, "            #1 {}\n            #1;", clocks("1'b1"));
    for p in &w.outputs {
        for k in 0..p.words() {
            let _ = writeln!(t, "            cs = {{cs[62:0], cs[63]}} ^ {};", word(p, k));
        }
    }
    let _ = writeln!(t, "            {}\n        end", clocks("1'b0"));
    let _ = writeln!(
        t,
        "        $display(\"{MARKER} %0d %h\", cycles, cs);\n        $finish;\n    end\nendmodule"
    );
    t
}

/// Runs a peer's compiled harness, which times its own loop, and reads its
/// marker line.
pub(super) fn timed_run(tool: &'static str, mut harness: Command) -> Result<Run, BenchError> {
    let text = checked(tool, harness.output())?;
    let (cycles, checksum, seconds) = parse_marker(tool, &text, true)?;
    Ok(Run {
        cycles,
        seconds: seconds.unwrap_or(0.0),
        checksum,
    })
}

/// The cycle count, checksum and (when `timed`) seconds after the marker.
pub(super) fn parse_marker(
    tool: &'static str,
    text: &str,
    timed: bool,
) -> Result<(u64, u64, Option<f64>), BenchError> {
    let bad = || BenchError::Tool {
        tool,
        message: format!("no valid `{MARKER}` line in its output:\n{text}"),
    };
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix(MARKER))
        .ok_or_else(bad)?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let cycles = fields
        .first()
        .and_then(|f| f.parse().ok())
        .ok_or_else(bad)?;
    // An unknown (x/z) bit in the checksum does not parse as hex.
    let checksum = fields
        .get(1)
        .and_then(|f| u64::from_str_radix(f, 16).ok())
        .ok_or_else(bad)?;
    let seconds = if timed {
        Some(fields.get(2).and_then(|f| f.parse().ok()).ok_or_else(bad)?)
    } else {
        None
    };
    Ok((cycles, checksum, seconds))
}

/// A fresh temporary directory for one peer's files.
fn temp_dir() -> Result<TempDir, BenchError> {
    tempfile::Builder::new()
        .prefix("linkforge-bench-")
        .tempdir()
        .map_err(|source| BenchError::Io {
            context: "cannot create a temporary directory".into(),
            source,
        })
}

/// Writes `text` to `dir/name`.
fn write(dir: &Path, name: &str, text: &str) -> Result<(), BenchError> {
    std::fs::write(dir.join(name), text).map_err(|source| BenchError::Io {
        context: format!("cannot write {}", dir.join(name).display()),
        source,
    })
}

/// The standard output of a tool run that succeeded, or why it did not.
pub(super) fn checked(
    tool: &'static str,
    out: std::io::Result<Output>,
) -> Result<String, BenchError> {
    let out = out.map_err(|e| BenchError::Tool {
        tool,
        message: format!("cannot run it: {e}"),
    })?;
    if !out.status.success() {
        return Err(BenchError::Tool {
            tool,
            message: format!(
                "exited with {}:\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_memories_are_zeroed_in_each_module() {
        let text = "module a (\n    input wire clk\n);\n    wire [3:0] w;\n    reg [7:0] q;\n    reg b;\n    reg [15:0] mem [0:31];\nendmodule\n\nmodule c (\n);\n    wire x;\nendmodule\n";
        let out = zero_initialised(text);
        let a = &out[..out.find("module c").expect("second module")];
        assert!(a.contains("        q = 0;\n        b = 0;\n"), "{out}");
        assert!(a.contains("<= 31; linkforge_bench_zero_i = linkforge_bench_zero_i + 1) mem[linkforge_bench_zero_i] = 0;"), "{out}");
        assert!(a.contains("    integer linkforge_bench_zero_i;"), "{out}");
        assert!(!a.contains("w = 0"), "{out}");
        assert_eq!(out.matches("initial").count(), 1, "{out}");
    }

    #[test]
    fn markers_parse_and_unknown_bits_are_rejected() {
        let text = "noise\nLINKFORGE_BENCH 10 00000000000000ff 0.5\n";
        assert_eq!(
            parse_marker("t", text, true).expect("valid"),
            (10, 0xff, Some(0.5))
        );
        assert!(parse_marker("t", "LINKFORGE_BENCH 10 xxxxxxxxxxxxxxxx", false).is_err());
        assert!(parse_marker("t", "nothing", false).is_err());
    }
}
