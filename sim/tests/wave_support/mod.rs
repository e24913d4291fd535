//! Shared by the waveform tests: waveform files read back into one shape
//! (`linkforge_sim::wave::Waves` reads VCD and FST),
//! the external tools some tests need, and small designs.

#![allow(dead_code)]

use linkforge_hdl::prelude::*;

pub type Error = Box<dyn std::error::Error>;

/// True when program `name` is on the `PATH`. Without it a test is skipped
/// with a report, except in CI, where the test fails
/// ([`linkforge_verif::testenv::skip`]).
pub fn tool(name: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()));
    if !found {
        linkforge_verif::testenv::skip(&format!(
            "`{name}` is not installed (Debian packages gtkwave and xvfb)"
        ));
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

/// A source of test values: xorshift64, never zero.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// `e` made `width` bits wide: truncated or zero-extended.
fn fit(e: Expr, width: u32) -> Expr {
    use std::cmp::Ordering::*;
    match e.width().cmp(&width) {
        Greater => e.trunc(width),
        Less => e.zext(width),
        Equal => e,
    }
}

/// A design whose registers `r0`, `r1`, ... (one per entry of `widths`, in
/// `top` and in instance `u0` of a child holding a second set `s0`, ...)
/// take new pseudo-random values from the 64-bit input `data` every cycle,
/// except `slow`, which counts only while `en` is high; outputs `o0`, ...
/// are combinational mixes of them. So most words change every cycle and
/// some rarely.
pub fn random_design(seed: u64, widths: &[u32]) -> Result<Design, HdlError> {
    let mut rng = Rng(seed.max(1));
    let mut regs = |m: &mut ModuleBuilder, prefix: &str, data: Signal| {
        let mut previous: Expr = data.into();
        let mut list = Vec::new();
        for (i, &w) in widths.iter().enumerate() {
            let r = m.reg(format!("{prefix}{i}"), w).no_reset();
            let spread = fit(Expr::from(data).repeat(w.div_ceil(64)), w);
            let mixed = (Expr::from(r) + spread) ^ fit(previous.clone(), w);
            let rot = rng.next() as u32 % w;
            m.next(
                r,
                if rot == 0 {
                    mixed
                } else {
                    mixed ^ (Expr::from(r) << rot)
                },
            );
            previous = r.into();
            list.push(r);
        }
        list
    };

    let mut c = ModuleBuilder::new("child");
    let _clk = c.clock("clk");
    let data = c.input("data", 64);
    let sum = c.output("sum", 64);
    let inner = regs(&mut c, "s", data);
    let folded = inner
        .iter()
        .fold(Expr::from(data), |acc, s| acc ^ fit((*s).into(), 64));
    c.assign(sum, folded);
    let child = c.finish()?;

    let mut m = ModuleBuilder::new("top");
    let clk = m.clock("clk");
    let en = m.input("en", 1);
    let data = m.input("data", 64);
    let outer = regs(&mut m, "r", data);
    let slow = m.reg("slow", 12).no_reset();
    m.when(en, |m| m.next(slow, slow + 1));
    for (i, r) in outer.iter().enumerate() {
        let o = m.output(format!("o{i}"), r.width());
        m.assign(o, Expr::from(*r) ^ fit(slow.into(), r.width()));
    }
    let u = m.instance("u0", child);
    m.assign(u.io("clk")?, clk);
    m.assign(u.io("data")?, data);
    let sum = m.output("sum", 64);
    m.assign(sum, u.io("sum")?);
    Design::new(m.finish()?)
}
