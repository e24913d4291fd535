//! Temporal properties (verif::trace) on a waveform the built-in simulator
//! wrote: a synchronous FIFO under random traffic keeps its occupancy
//! rules, and a property that is false of it is reported at its first
//! failing cycle.

use linkforge_hdl::Design;
use linkforge_rtl::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::trace::{Cond, Property, Trace};
use linkforge_verif::wave::Waves;
use linkforge_verif::Sim;

fn fifo_trace() -> Trace {
    let cfg = SyncFifoConfig { width: 8, depth: 4 };
    let design = Design::new(sync_fifo("fifo", &cfg).expect("builds")).expect("a design");
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("fifo.vcd");
    {
        let mut sim = Sim::new(&design).expect("compiles");
        sim.trace(&vcd).expect("traces");
        sim.poke("rst", 1).unwrap();
        sim.step().unwrap();
        sim.poke("rst", 0).unwrap();
        let mut rng = XorShift::new(7);
        for _ in 0..400 {
            let w = rng.word();
            sim.poke("wr_en", w & 1).unwrap();
            sim.poke("rd_en", (w >> 1) & (w >> 2) & 1).unwrap();
            sim.poke("wr_data", (w >> 8) & 0xff).unwrap();
            sim.step().unwrap();
        }
    }
    let waves = Waves::from_vcd(&vcd).expect("the simulator's VCD reads back");
    Trace::sample(&waves, "fifo.clk").expect("the clock is traced")
}

#[test]
fn a_fifo_trace_keeps_its_occupancy_rules() {
    let t = fifo_trace();
    // 401 edges; the one at time 0 has no low level before it in the file.
    assert_eq!(t.cycles(), 400);
    let within_depth = Property::always("count <= depth", Cond::AtMost("fifo.count".into(), 4));
    let full_means_depth = Property::always(
        "full means a count of depth",
        Cond::Low("fifo.wr_full".into()).or(Cond::Equals("fifo.count".into(), 4)),
    );
    for p in [within_depth, full_means_depth] {
        assert_eq!(t.check(&p), Ok(None), "{}", p.name);
    }
}

#[test]
fn a_false_property_is_reported_at_its_first_cycle() {
    let t = fifo_trace();
    let v = t
        .check(&Property::never(
            "the FIFO fills",
            Cond::High("fifo.wr_full".into()),
        ))
        .expect("the signals exist")
        .expect("random traffic with few reads fills a 4-word FIFO");
    assert!(v.cycle > 3, "{v}");
    assert_eq!(v.property, "the FIFO fills");
    let (name, shown) = &v.values[0];
    assert_eq!(name, "fifo.wr_full");
    // Full at the reported cycle and not in the cycle before it.
    let at = v.cycle - v.first_cycle_shown;
    assert_eq!((shown[at - 1], shown[at]), (Some(0), Some(1)), "{v}");
}
