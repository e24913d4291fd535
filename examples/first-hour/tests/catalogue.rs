//! A catalogue block instantiated from Rust: the skid buffer in front of
//! the catalogue's `sync_fifo`, wired in a top module and simulated.

use first_hour::skid_buffer;
use linkforge_hdl::prelude::*;
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_verif::Sim;

/// `skid_buffer(width)` feeding a `sync_fifo` of `depth` words, built
/// through the catalogue as the config language would build it.
fn buffered_fifo(width: u32, depth: i64) -> Result<Module, Box<dyn std::error::Error>> {
    let kind = catalog::kind("sync_fifo").ok_or("no sync_fifo in the catalogue")?;
    let mut params = Params::defaults(&kind.params);
    params.0.insert("width".into(), Value::Int(width.into()));
    params.0.insert("depth".into(), Value::Int(depth));
    let fifo = (kind.build)("fifo", &params)?;

    let mut m = ModuleBuilder::new("buffered_fifo");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let input = m.sink("in_", Stream::new(width));
    let skid = m.instance("u_skid", skid_buffer(width)?);
    let queue = m.instance("u_fifo", fifo);
    for u in [&skid, &queue] {
        m.assign(u.io("clk")?, clk);
        m.assign(u.io("rst")?, rst);
    }
    m.connect(&input, &skid.bundle("in_", Stream::new(width))?);
    // The FIFO's write side is not a stream: wire it by hand.
    let full = queue.io("wr_full")?;
    let skid_out = skid.bundle("out_", Stream::new(width))?;
    m.assign(skid_out.ready(), !full);
    m.assign(queue.io("wr_en")?, skid_out.valid() & !full);
    m.assign(queue.io("wr_data")?, skid_out.data());
    for port in ["rd_en", "rd_data", "rd_empty"] {
        let inner = queue.io(port)?;
        if port == "rd_en" {
            let outer = m.input(port, inner.width());
            m.assign(inner, outer);
        } else {
            let outer = m.output(port, inner.width());
            m.assign(outer, inner);
        }
    }
    Ok(m.finish()?)
}

#[test]
fn words_pass_the_skid_buffer_into_the_fifo_and_out_in_order(
) -> Result<(), Box<dyn std::error::Error>> {
    let design = Design::new(buffered_fifo(16, 8)?)?;
    let mut sim = Sim::new(&design)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    let words: Vec<u64> = (0..8).map(|i| 0x1000 + i * 0x111).collect();
    for &word in &words {
        sim.poke("in_valid", 1)?;
        sim.poke("in_data", word)?;
        sim.run_until(|s| s.peek("in_ready").unwrap_or(0) == 1, 10)?;
        sim.step()?;
    }
    sim.poke("in_valid", 0)?;
    let mut read = Vec::new();
    sim.poke("rd_en", 1)?;
    for _ in 0..20 {
        if sim.peek("rd_empty")? == 0 {
            read.push(sim.peek("rd_data")?);
        }
        sim.step()?;
    }
    assert_eq!(read, words);
    Ok(())
}
