//! A 4-port x 32-bit crossbar with registered outputs and a synchronous reset,
//! written to `out/crossbar_p4_w32.v` (or the directory given as argument).
//!
//! Run: `cargo run --example crossbar -- out`

use linkforge_hdl::prelude::*;

/// Every output registers the input its select picks.
pub fn crossbar(ports: usize, width: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("crossbar")
        .param("p", ports)
        .param("w", width);
    m.clock("clk");
    m.reset("rst");
    let sel_w = bits_for(ports);
    let ins: Vec<Expr> = (0..ports)
        .map(|i| m.input(format!("in{i}"), width).into())
        .collect();
    for o in 0..ports {
        let sel = m.input(format!("sel{o}"), sel_w);
        let out = m.output(format!("out{o}"), width);
        let q = m.reg(format!("q{o}"), width).reset(0);
        m.next(q, select(sel, &ins));
        m.assign(out, q);
    }
    m.finish()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "out".into());
    let design = Design::new(crossbar(4, 32)?)?;
    std::fs::create_dir_all(&dir)?;
    let path = format!("{dir}/{}.v", design.top_name());
    std::fs::write(&path, linkforge_hdl::verilog::emit(&design))?;
    println!("wrote {path}");
    Ok(())
}
