//! Replays a [`Stimulus`] on Icarus Verilog with a generated testbench.

use super::{
    clock_inputs, data_inputs, outputs, parse_trace, prepare, run_tool, CosimError, Observed,
    Stimulus,
};
use linkforge_hdl::verilog::names::legalize;
use linkforge_hdl::verilog::{self, range};
use linkforge_hdl::Design;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

/// The testbench: reads `stimulus.txt` with `$fscanf`, applies the inputs,
/// waits, prints the outputs in hex, then pulses the scheduled clocks.
fn testbench(design: &Design, stimulus: &Stimulus) -> String {
    let top = design.top();
    let (ins, outs) = (data_inputs(top), outputs(top));
    let nclk = stimulus.clocks.len().max(1);
    let mut tb = String::new();
    let _ = writeln!(tb, "`timescale 1ns/1ps\nmodule linkforge_tb;");
    for (n, _) in clock_inputs(top) {
        let _ = writeln!(tb, "    reg {} = 1'b0;", legalize(n));
    }
    for (n, w) in &ins {
        let _ = writeln!(tb, "    reg {}{};", range(*w), legalize(n));
    }
    for (n, w) in &outs {
        let _ = writeln!(tb, "    wire {}{};", range(*w), legalize(n));
    }
    let _ = writeln!(tb, "    reg [{}:0] edges;", nclk - 1);
    let _ = writeln!(tb, "    integer fd, fields, step;");
    let _ = writeln!(tb, "    {}", verilog::instantiate_top(design, "dut"));
    let _ = writeln!(tb, "    initial begin");
    let _ = writeln!(tb, "        fd = $fopen(\"stimulus.txt\", \"r\");");
    let _ = writeln!(
        tb,
        "        if (fd == 0) begin $display(\"ERROR: cannot open stimulus.txt\"); $finish; end"
    );
    let _ = writeln!(
        tb,
        "        for (step = 0; step < {}; step = step + 1) begin",
        stimulus.steps.len()
    );
    let mut targets: Vec<String> = ins.iter().map(|(n, _)| legalize(n)).collect();
    targets.push("edges".into());
    let fmt = vec!["%h"; targets.len()].join(" ");
    let _ = writeln!(
        tb,
        "            fields = $fscanf(fd, \"{fmt}\\n\", {});",
        targets.join(", ")
    );
    let _ = writeln!(
        tb,
        "            if (fields != {n}) begin $display(\"ERROR: stimulus step %0d: read %0d of {n} fields\", step, fields); $finish; end",
        n = targets.len()
    );
    let _ = writeln!(tb, "            #1;");
    let names: Vec<String> = outs.iter().map(|(n, _)| legalize(n)).collect();
    let fmt = vec!["%h"; names.len()].join(" ");
    let _ = writeln!(tb, "            $display(\"{fmt}\", {});", names.join(", "));
    for (i, c) in stimulus.clocks.iter().enumerate() {
        let _ = writeln!(tb, "            {} = edges[{i}];", legalize(&c.name));
    }
    let _ = writeln!(tb, "            #1;");
    for c in &stimulus.clocks {
        let _ = writeln!(tb, "            {} = 1'b0;", legalize(&c.name));
    }
    let _ = writeln!(tb, "        end\n        $finish;\n    end\nendmodule");
    tb
}

/// Runs the stimulus on Icarus over `design`'s emitted Verilog inside
/// `workdir` and returns what it printed.
pub fn run(design: &Design, stimulus: &Stimulus, workdir: &Path) -> Result<Observed, CosimError> {
    run_verilog(
        design,
        &linkforge_hdl::verilog::emit(design),
        stimulus,
        workdir,
    )
}

/// Like [`run`], over `verilog` standing for `design` (same top module and
/// ports): a test's edited copy of the emitted Verilog.
pub fn run_verilog(
    design: &Design,
    verilog: &str,
    stimulus: &Stimulus,
    workdir: &Path,
) -> Result<Observed, CosimError> {
    prepare(
        design,
        verilog,
        stimulus,
        workdir,
        "tb.v",
        &testbench(design, stimulus),
    )?;
    run_tool(
        Command::new("iverilog").current_dir(workdir).args([
            "-g2005",
            // State without reset starts at zero, as in the other two
            // simulators.
            "-DLINKFORGE_ZERO_INIT",
            "-o",
            "sim.vvp",
            "-s",
            "linkforge_tb",
            "tb.v",
            "dut.v",
        ]),
        "iverilog",
    )?;
    let text = run_tool(
        Command::new("vvp")
            .current_dir(workdir)
            .args(["-n", "sim.vvp"]),
        "vvp",
    )?;
    parse_trace(&text, design.top(), stimulus.steps.len())
}
