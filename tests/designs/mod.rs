//! The small designs the end-to-end tests build: each exercises one part of
//! the HDL and has a golden Verilog file in `tests/golden/`.

#![allow(dead_code)]

use linkforge_hdl::prelude::*;

pub mod random;

#[path = "../../examples/crossbar.rs"]
mod crossbar_example;
pub use crossbar_example::crossbar;

/// A counter with enable and synchronous reset.
pub fn counter(width: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("counter").param("w", width);
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let count = m.output("count", width);
    let wrap = m.output("wrap", 1);
    let q = m.reg("q", width).reset(0);
    m.when(en, |m| m.next(q, q + 1));
    m.assign(count, q);
    m.assign(wrap, en & q.all());
    m.finish()
}

/// A handshake FSM: waits for `start`, runs `len` cycles, then reports done
/// until acknowledged.
pub fn small_fsm() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("handshake_fsm");
    m.clock("clk");
    m.reset("rst");
    let start = m.input("start", 1);
    let ack = m.input("ack", 1);
    let len = m.input("len", 8);
    let busy = m.output("busy", 1);
    let done = m.output("done", 1);
    let fsm = m.fsm("state", &["IDLE", "RUN", "DONE"]);
    let [idle, run, done_s] = [fsm.states()[0], fsm.states()[1], fsm.states()[2]];
    let left = m.reg("left", 8).reset(0);
    m.switch(fsm.register(), |s| {
        s.is(idle, |m| {
            m.when(start, |m| {
                m.goto(&fsm, run);
                m.next(left, len);
            });
        });
        s.is(run, |m| {
            m.next(left, left - 1);
            m.when(left.eq(lit(0, 8)), |m| m.goto(&fsm, done_s));
        });
        s.is(done_s, |m| {
            m.when(ack, |m| m.goto(&fsm, idle));
        });
        s.default(|m| m.goto(&fsm, idle));
    });
    m.assign(busy, fsm.is(run));
    m.assign(done, fsm.is(done_s));
    m.finish()
}

/// A simple dual-port RAM: one synchronous write port, one synchronous read port.
pub fn memory(width: u32, depth: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("ram")
        .param("w", width)
        .param("d", depth);
    m.clock("clk");
    let aw = bits_for(depth as usize);
    let we = m.input("we", 1);
    let waddr = m.input("waddr", aw);
    let wdata = m.input("wdata", width);
    let re = m.input("re", 1);
    let raddr = m.input("raddr", aw);
    let rdata = m.output("rdata", width);
    let mem = m.memory("mem", width, depth);
    m.when(we, |m| m.mem_write(mem, waddr, wdata));
    let rd = m.mem_read(mem, "rd", raddr, re);
    m.assign(rdata, rd);
    m.finish()
}

/// A saturating adder used twice with two widths by [`hierarchy`].
pub fn sat_add(width: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("sat_add").param("w", width);
    let a = m.input("a", width);
    let b = m.input("b", width);
    let y = m.output("y", width);
    let sum = a.add_carry(b);
    m.assign(
        y,
        mux(sum.clone().bit(width), lit(0, width) - 1, sum.trunc(width)),
    );
    m.finish()
}

/// A top that uses `sat_add` at 8 and 16 bits and registers both results.
pub fn hierarchy() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("sat_pair");
    let clk = m.clock("clk");
    m.reset("rst");
    let x = m.input("x", 8);
    let y = m.input("y", 16);
    let out = m.output("out", 24);
    let narrow = m.instance("u_narrow", sat_add(8)?);
    let wide = m.instance("u_wide", sat_add(16)?);
    m.assign(narrow.io("a")?, x);
    m.assign(narrow.io("b")?, x);
    m.assign(wide.io("a")?, y);
    m.assign(wide.io("b")?, y);
    let q = m.reg("q", 24).reset(0);
    m.next(q, cat![wide.io("y")?, narrow.io("y")?]);
    m.assign(out, q);
    let _ = clk;
    m.finish()
}

/// A two-flop synchronizer, declared as such for the CDC check.
pub fn sync2() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("sync2");
    m.clock("clk");
    let d = m.input("d", 1);
    let q = m.output("q", 1);
    let s1 = m.reg("s1", 1).no_reset();
    let s2 = m.reg("s2", 1).no_reset();
    m.next(s1, d);
    m.next(s2, s1);
    m.assign(q, s2);
    m.declare_synchronizer();
    m.finish()
}

/// Two clock domains, an asynchronous active-low reset, a 4096-bit register
/// and a constant wider than 64 bits. Domain `a` folds its input into a wide
/// accumulator and raises `match_a` when its top bits equal a 100-bit
/// pattern; domain `b` samples that flag through `sync2`.
pub fn wide_two_domains() -> Result<Module, HdlError> {
    const WIDE: u32 = 4096;
    let mut m = ModuleBuilder::new("wide_two_domains");
    let clk_a = m.clock("clk_a");
    let rst_n = m.reset_with("rst_n", true, true);
    let clk_b = m.clock("clk_b");
    let rst_b = m.reset("rst_b");
    let domain_a = Domain {
        clock: clk_a,
        reset: Some(rst_n),
    };
    let domain_b = Domain {
        clock: clk_b,
        reset: Some(rst_b),
    };
    let pattern = Bits::from_words(&[0x0123_4567_89ab_cdef, 0xf_dead_beef], 100);
    let mut acc_top = None;
    m.in_domain(domain_a, |m| {
        let din = m.input("din", WIDE);
        let acc = m.reg("acc", WIDE).reset(0);
        // Rotate left by one and fold in the input.
        let rotated = cat![acc.slice(WIDE - 2, 0), acc.bit(WIDE - 1)];
        m.next(acc, rotated ^ din);
        acc_top = Some(acc.slice(WIDE - 1, WIDE - 100));
    });
    let acc_top = acc_top.expect("set inside the domain");
    let match_a = m.reg("match_a", 1).clock(clk_a).reset_by(rst_n).reset(0);
    m.in_domain(domain_a, |m| {
        m.next(match_a, acc_top.clone().eq(constant(pattern)))
    });
    let u = m.instance("u_sync", sync2()?);
    m.assign(u.io("clk")?, clk_b);
    m.assign(u.io("d")?, match_a);
    let hits = m.output("hits_b", 16);
    m.in_domain(domain_b, |m| {
        let count = m.reg("count", 16).reset(0);
        m.when(u.io("q").expect("sync2 has q"), |m| {
            m.next(count, count + 1)
        });
        m.assign(hits, count);
    });
    let low = m.output("acc_low", 8);
    m.assign(low, acc_top.slice(7, 0));
    m.finish()
}

/// Every golden design with the name of its file in `tests/golden/`.
pub fn golden() -> Vec<(&'static str, Module)> {
    let build = |r: Result<Module, HdlError>| r.unwrap_or_else(|e| panic!("golden design: {e}"));
    vec![
        ("counter_w8", build(counter(8))),
        ("crossbar_p4_w32", build(crossbar(4, 32))),
        ("handshake_fsm", build(small_fsm())),
        ("ram_w16_d64", build(memory(16, 64))),
        ("ram_w8_d24", build(memory(8, 24))),
        ("sat_pair", build(hierarchy())),
        ("wide_two_domains", build(wide_two_domains())),
    ]
}
