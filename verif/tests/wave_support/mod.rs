//! Shared by the waveform tests: waveform files read back into one shape
//! (`linkforge_verif::wave::Waves` reads VCD and FST),
//! the external tools some tests need, and small designs.

#![allow(dead_code)]

use linkforge_hdl::prelude::*;

pub type Error = Box<dyn std::error::Error>;

/// True when program `name` is on the `PATH`. Without it a test is skipped
/// with a note, except in CI (`CI` set), where the test fails.
pub fn tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()));
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{name}` is required in CI (Debian packages gtkwave and xvfb)"
        );
        eprintln!("skipped: `{name}` is not installed");
    }
    found
}

/// A counter inside `u0`, with a 100-bit shifted copy and an assertion that
/// fails when the count reaches `limit`.
pub fn counter(limit: u64) -> Result<Design, HdlError> {
    let mut c = ModuleBuilder::new("ctr");
    let _clk = c.clock("clk");
    let en = c.input("en", 1);
    let q = c.reg("q", 8).no_reset();
    let y = c.output("y", 8);
    c.when(en, |m| m.next(q, q + 1));
    c.assign(y, q);
    c.assert_always(q.ne(lit(limit, 8)), "limit reached");
    let child = c.finish()?;

    let mut m = ModuleBuilder::new("top");
    let clk = m.clock("clk");
    let en = m.input("en", 1);
    let wide = m.output("wide", 100);
    let u = m.instance("u0", child);
    m.assign(u.io("clk")?, clk);
    m.assign(u.io("en")?, en);
    m.assign(wide, u.io("y")?.zext(100) << 90);
    Design::new(m.finish()?)
}

/// A handshake controller: `start` takes it from `idle` through three
/// cycles of `run` to `done` and back to `idle`.
pub fn controller() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("ctl");
    let _clk = m.clock("clk");
    let _rst = m.reset("rst");
    let start = m.input("start", 1);
    let busy = m.output("busy", 1);
    let fsm = m.fsm("state", &["idle", "run", "done"]);
    let (idle, run, done) = (fsm.state("idle")?, fsm.state("run")?, fsm.state("done")?);
    let count = m.reg("count", 2).reset(0);
    m.switch(fsm.register(), |s| {
        s.is(idle, |m| {
            m.when(start, |m| m.goto(&fsm, run));
        });
        s.is(run, |m| {
            m.next(count, count + 1);
            m.when(count.eq(lit(2, 2)), |m| m.goto(&fsm, done));
        });
        s.is(done, |m| m.goto(&fsm, idle));
    });
    m.assign(busy, fsm.is(run));
    m.finish()
}

/// Two levels: `top` with an 8-bit register `echo` of `data` and two
/// controllers, `u0` started by `go` and `u1` by `u0` being busy.
pub fn two_level() -> Result<Design, HdlError> {
    let ctl = controller()?;
    let mut m = ModuleBuilder::new("top");
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let go = m.input("go", 1);
    let data = m.input("data", 8);
    let busy = m.output("busy", 1);
    let echo = m.output("echo", 8);
    let q = m.reg("q", 8).reset(0);
    m.next(q, data);
    m.assign(echo, q);
    let u0 = m.instance("u0", ctl.clone());
    let u1 = m.instance("u1", ctl);
    for u in [&u0, &u1] {
        m.assign(u.io("clk")?, clk);
        m.assign(u.io("rst")?, rst);
    }
    m.assign(u0.io("start")?, go);
    m.assign(u1.io("start")?, u0.io("busy")?);
    m.assign(busy, u0.io("busy")? | u1.io("busy")?);
    Design::new(m.finish()?)
}
