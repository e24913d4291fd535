//! Replays a [`Stimulus`] on Verilator with a generated C++ harness.
//!
//! Verilator is two-state and starts every register and memory word at
//! zero, like the built-in simulator, so every value is compared.

use super::{data_inputs, outputs, parse_trace, prepare, run_tool, CosimError, Observed, Stimulus};
use linkforge_hdl::verilog::names::legalize;
use linkforge_hdl::Design;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

/// Number of 32-bit words Verilator uses for a port wider than 64 bits.
fn wide_words(width: u32) -> u32 {
    width.div_ceil(32)
}

const HELPERS: &str = r#"#include "Vdut.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
}

static void parse_wide(uint32_t* w, int n, const char* s) {
    memset(w, 0, sizeof(uint32_t) * n);
    int len = (int)strlen(s);
    for (int i = 0; i < len; ++i) {
        int word = i / 8;
        if (word < n) w[word] |= (uint32_t)hexval(s[len - 1 - i]) << (4 * (i % 8));
    }
}

static void print_wide(const uint32_t* w, int n) {
    int top = n - 1;
    while (top > 0 && w[top] == 0) --top;
    printf("%x", w[top]);
    for (int i = top - 1; i >= 0; --i) printf("%08x", w[i]);
}

static char token[70000];

static const char* next_token(FILE* f) {
    if (fscanf(f, "%69999s", token) != 1) {
        printf("ERROR: stimulus.txt ended early\n");
        exit(2);
    }
    return token;
}
"#;

/// The C++ harness: same protocol as the Icarus testbench.
fn harness(design: &Design, stimulus: &Stimulus) -> String {
    let top = design.top();
    let mut c = String::from(HELPERS);
    let _ = writeln!(c, "\nint main(int argc, char** argv) {{");
    let _ = writeln!(c, "    VerilatedContext* ctx = new VerilatedContext;");
    let _ = writeln!(c, "    ctx->commandArgs(argc, argv);");
    let _ = writeln!(c, "    Vdut* top = new Vdut{{ctx}};");
    let _ = writeln!(c, "    FILE* f = fopen(\"stimulus.txt\", \"r\");");
    let _ = writeln!(
        c,
        "    if (!f) {{ printf(\"ERROR: cannot open stimulus.txt\\n\"); return 2; }}"
    );
    let _ = writeln!(
        c,
        "    for (long step = 0; step < {}; ++step) {{",
        stimulus.steps.len()
    );
    for (n, w) in data_inputs(top) {
        let n = legalize(n);
        if w > 64 {
            let _ = writeln!(
                c,
                "        parse_wide(top->{n}.data(), {}, next_token(f));",
                wide_words(w)
            );
        } else {
            let _ = writeln!(
                c,
                "        top->{n} = strtoull(next_token(f), nullptr, 16);"
            );
        }
    }
    let _ = writeln!(
        c,
        "        unsigned long long edges = strtoull(next_token(f), nullptr, 16);"
    );
    let _ = writeln!(c, "        top->eval();");
    for (i, (n, w)) in outputs(top).into_iter().enumerate() {
        let n = legalize(n);
        if i > 0 {
            let _ = writeln!(c, "        printf(\" \");");
        }
        if w > 64 {
            let _ = writeln!(c, "        print_wide(top->{n}.data(), {});", wide_words(w));
        } else {
            let _ = writeln!(c, "        printf(\"%llx\", (unsigned long long)top->{n});");
        }
    }
    let _ = writeln!(c, "        printf(\"\\n\");");
    for (i, clk) in stimulus.clocks.iter().enumerate() {
        let _ = writeln!(
            c,
            "        top->{} = (edges >> {i}) & 1;",
            legalize(&clk.name)
        );
    }
    let _ = writeln!(c, "        top->eval();");
    for clk in &stimulus.clocks {
        let _ = writeln!(c, "        top->{} = 0;", legalize(&clk.name));
    }
    let _ = writeln!(c, "        top->eval();\n    }}");
    let _ = writeln!(
        c,
        "    top->final();\n    delete top;\n    delete ctx;\n    return 0;\n}}"
    );
    c
}

/// Builds the design with Verilator (C++ at `-O0`: correctness, not speed)
/// inside `workdir` and runs the stimulus on it.
pub fn run(design: &Design, stimulus: &Stimulus, workdir: &Path) -> Result<Observed, CosimError> {
    prepare(
        design,
        &linkforge_hdl::verilog::emit(design),
        stimulus,
        workdir,
        "harness.cpp",
        &harness(design, stimulus),
    )?;
    // ccache, when installed, keeps Verilator's runtime objects (and any
    // design built before) between builds: seconds instead of tens.
    let mut make_flags = String::from("OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0");
    if crate::tools::find(&["ccache"]).is_some() {
        make_flags.push_str(" OBJCACHE=ccache");
    }
    run_tool(
        Command::new("verilator").current_dir(workdir).args([
            "--cc",
            "--exe",
            "--build",
            "-j",
            "2",
            "--Mdir",
            "obj",
            "--prefix",
            "Vdut",
            "-o",
            "harness",
            "--top-module",
            design.top_name(),
            "-MAKEFLAGS",
            &make_flags,
            "dut.v",
            "harness.cpp",
        ]),
        "verilator",
    )?;
    let text = run_tool(
        Command::new(workdir.join("obj").join("harness")).current_dir(workdir),
        "the Verilator model",
    )?;
    parse_trace(&text, design.top(), stimulus.steps.len())
}
