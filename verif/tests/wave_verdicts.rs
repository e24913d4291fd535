//! One verdict from three traces of a run: the protocol rules of a
//! valid/ready register slice, judged on the built-in simulator's live
//! samples, on the VCD it wrote and on the VCD Icarus wrote simulating the
//! generated Verilog with the same stimulus, agree: no violation for the
//! correct slice; the same property at the same cycle for one that
//! overwrites its data while stalled.

use linkforge_hdl::prelude::*;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::props::{rule_set, Property, Trace};
use linkforge_verif::wave::Waves;
use linkforge_verif::Sim;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

/// A one-entry valid/ready register slice; `broken` lets a new input
/// overwrite the held word while the output is stalled.
fn slice(broken: bool) -> Design {
    let mut m = ModuleBuilder::new("slice");
    let _clk = m.clock("clk");
    let _rst = m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_ready = m.output("in_ready", 1);
    let in_data = m.input("in_data", 8);
    let out_valid = m.output("out_valid", 1);
    let out_ready = m.input("out_ready", 1);
    let out_data = m.output("out_data", 8);
    let full = m.reg("full", 1).reset(0);
    let q = m.reg("q", 8).reset(0);
    let room = if broken {
        lit(1, 1)
    } else {
        !Expr::from(full) | out_ready
    };
    m.assign(in_ready, room.clone());
    m.when(in_valid & room, |m| {
        m.next(full, lit(1, 1));
        m.next(q, in_data);
    })
    .elsewhen(out_ready, |m| m.next(full, lit(0, 1)));
    m.assign(out_valid, full);
    m.assign(out_data, q);
    m.interface(Protocol::ValidReady, "in_");
    m.interface(Protocol::ValidReady, "out_");
    Design::new(m.finish().expect("builds")).expect("a design")
}

const CYCLES: usize = 200;

/// Per cycle: `rst`, `in_valid`, `in_data`, `out_ready`. The source keeps
/// its word offered until the slice takes it, as the protocol demands.
fn stimulus(design: &Design) -> Vec<[u64; 4]> {
    let mut sim = Sim::new(design).expect("compiles");
    let mut rng = XorShift::new(11);
    let (mut valid, mut data) = (0, 0);
    let mut steps = Vec::new();
    for c in 0..CYCLES {
        let rst = u64::from(c < 2);
        if valid == 0 && rng.word() % 3 != 0 {
            (valid, data) = (1, rng.word() & 0xff);
        }
        let ready = rng.word() & 1;
        let step = [rst, valid, data, ready];
        for (name, v) in ["rst", "in_valid", "in_data", "out_ready"].iter().zip(step) {
            sim.poke(name, v).unwrap();
        }
        let taken = rst == 0 && sim.peek("in_ready").unwrap() == 1;
        sim.step().unwrap();
        if taken {
            valid = 0;
        }
        steps.push(step);
    }
    steps
}

/// The first violation of the slice's rules in `trace`, as (property
/// without `prefix`, cycle).
fn verdict(trace: &Trace, prefix: &str) -> Option<(String, usize)> {
    let rules: Vec<Property> = ["in_", "out_"]
        .iter()
        .flat_map(|p| rule_set("valid_ready", &format!("{prefix}{p}"), None).unwrap())
        .collect();
    trace
        .first_violation(&rules)
        .expect("the signals exist")
        .map(|v| (v.property.replacen(prefix, "", 1), v.cycle))
}

/// Runs `steps` on the built-in simulator (clock period 10 ns, first rise
/// at 5 ns) writing `vcd`; returns the live verdict and the VCD's.
fn builtin(design: &Design, steps: &[[u64; 4]], vcd: &Path) -> [Option<(String, usize)>; 2] {
    let mut sim = Sim::new(design).expect("compiles");
    sim.clock("clk", 10_000, 5_000).unwrap();
    let signals: Vec<String> = ["valid", "ready", "data"]
        .iter()
        .flat_map(|s| [format!("in_{s}"), format!("out_{s}")])
        .collect();
    sim.record("clk", &signals, CYCLES).unwrap();
    sim.trace(vcd).unwrap();
    for step in steps {
        for (name, v) in ["rst", "in_valid", "in_data", "out_ready"].iter().zip(step) {
            sim.poke(name, *v).unwrap();
        }
        sim.step().unwrap();
    }
    let live = Trace::from(sim.take_recordings().remove(0));
    drop(sim);
    let waves = Waves::open(vcd).expect("the simulator's VCD reads");
    let sampled = Trace::sample(&waves, "slice.clk").expect("a clock");
    [verdict(&live, ""), verdict(&sampled, "slice.")]
}

/// Runs `steps` on Icarus over the generated Verilog in `dir`, dumping
/// `icarus.vcd`; returns its verdict.
fn icarus(design: &Design, steps: &[[u64; 4]], dir: &Path) -> Option<(String, usize)> {
    let mut tb = String::from(
        "`timescale 1ns/1ps\nmodule tb;\n  reg clk = 0, rst = 1, in_valid = 0, out_ready = 0;\n  \
         reg [7:0] in_data = 0;\n  wire in_ready, out_valid;\n  wire [7:0] out_data;\n  \
         slice dut(.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), \
         .in_data(in_data), .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));\n  \
         initial begin\n    $dumpfile(\"icarus.vcd\");\n    $dumpvars(0, tb);\n",
    );
    for [rst, valid, data, ready] in steps {
        let _ = writeln!(
            tb,
            "    rst = {rst}; in_valid = {valid}; in_data = {data}; out_ready = {ready};\n    \
             #5 clk = 1;\n    #5 clk = 0;"
        );
    }
    tb.push_str("    $finish;\n  end\nendmodule\n");
    std::fs::write(dir.join("tb.v"), tb).unwrap();
    std::fs::write(dir.join("dut.v"), linkforge_hdl::verilog::emit(design)).unwrap();
    let run = |cmd: &mut Command| {
        let out = cmd.current_dir(dir).output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(Command::new("iverilog").args(["-g2005", "-o", "sim.vvp", "-s", "tb", "tb.v", "dut.v"]));
    run(Command::new("vvp").args(["-n", "sim.vvp"]));
    let waves = Waves::open(&dir.join("icarus.vcd")).expect("Icarus's VCD reads");
    verdict(
        &Trace::sample(&waves, "tb.clk").expect("a clock"),
        "tb.dut.",
    )
}

#[test]
fn live_samples_our_vcd_and_icarus_vcd_give_one_verdict() {
    if !linkforge_verif::tools::have("iverilog") {
        return;
    }
    for broken in [false, true] {
        let design = slice(broken);
        let steps = stimulus(&slice(false));
        let dir = tempfile::tempdir().unwrap();
        let [live, ours] = builtin(&design, &steps, &dir.path().join("ours.vcd"));
        let theirs = icarus(&design, &steps, dir.path());
        assert_eq!(live, ours, "broken: {broken}");
        assert_eq!(ours, theirs, "broken: {broken}");
        if broken {
            let (property, cycle) = live.expect("the broken slice breaks a rule");
            assert_eq!(property, "out_data is stable while stalled");
            assert!(cycle > 2, "after reset: {cycle}");
        } else {
            assert_eq!(live, None);
        }
    }
}
