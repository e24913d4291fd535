//! FPGA estimates through Yosys and nextpnr-ice40: a small design reports
//! its cells, flip-flops and a maximum frequency; a design that needs more
//! block RAM than an HX8K has says it does not fit.

use linkforge_hdl::prelude::*;
use linkforge_verif::synth::{synthesize, Target, HX8K_BRAMS};
use linkforge_verif::tools::have;

/// A registered 16-bit adder: two inputs, one output.
fn adder() -> Design {
    let mut m = ModuleBuilder::new("adder16");
    m.clock("clk");
    m.reset("rst");
    let a = m.input("a", 16);
    let b = m.input("b", 16);
    let sum = m.output("sum", 16);
    let q = m.reg("q", 16).reset(0);
    m.next(q, a + b);
    m.assign(sum, q);
    Design::new(m.finish().expect("builds")).expect("a design")
}

/// A RAM of `words` bytes with one write and one read port.
fn ram(words: u32) -> Design {
    let mut m = ModuleBuilder::new("big_ram");
    m.clock("clk");
    let aw = bits_for(words as usize);
    let we = m.input("we", 1);
    let addr = m.input("addr", aw);
    let wdata = m.input("wdata", 8);
    let rdata = m.output("rdata", 8);
    let mem = m.memory("mem", 8, words);
    m.when(we, |m| m.mem_write(mem, addr, wdata));
    let q = m.mem_read(mem, "q", addr, high());
    m.assign(rdata, q);
    Design::new(m.finish().expect("builds")).expect("a design")
}

#[test]
fn a_small_design_reports_cells_and_fmax() {
    if !(have("yosys") && have("nextpnr-ice40")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let generic = synthesize(&adder(), Target::Generic, dir.path()).expect("synthesizes");
    assert!(generic.logic > 16, "{generic:?}");
    assert_eq!(generic.flip_flops, 16, "{generic:?}");
    assert_eq!(generic.fmax_mhz, None);
    let ice40 = synthesize(&adder(), Target::Ice40, dir.path()).expect("synthesizes");
    // 16 adder bits in LUTs; the adder's 16 flip-flops and the wrapper's
    // port registers (two per input bit, one per output bit).
    assert!(ice40.logic >= 16, "{ice40:?}");
    assert_eq!(ice40.flip_flops, 16 + 2 * 33 + 16, "{ice40:?}");
    let fmax = ice40.fmax_mhz.expect("nextpnr reports a frequency");
    assert!(fmax > 20.0 && fmax < 1000.0, "{fmax}");
    assert_eq!(ice40.does_not_fit, None);
}

#[test]
fn a_design_larger_than_the_device_does_not_fit() {
    if !(have("yosys") && have("nextpnr-ice40")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // 64 KiB: 128 block RAMs of 4 kbit.
    let r = synthesize(&ram(1 << 16), Target::Ice40, dir.path()).expect("synthesizes");
    assert!(r.memories > HX8K_BRAMS, "{r:?}");
    let why = r.does_not_fit.expect("it does not fit");
    assert!(why.contains("block RAMs"), "{why}");
    assert_eq!(r.fmax_mhz, None);
}
