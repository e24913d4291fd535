//! The simulator on small designs built with the HDL builder: registers,
//! resets, memories, FSMs, hierarchy, clocks, wide values and assertions.

mod common;
mod wave_support;

use linkforge_hdl::ir::Op;
use linkforge_hdl::prelude::*;
use linkforge_sim::{Compiled, Engine, Sim, SimError};

type Res = Result<(), Box<dyn std::error::Error>>;

fn counter() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("counter");
    let _clk = m.clock("clk");
    let _rst = m.reset("rst");
    let en = m.input("en", 1);
    let count = m.output("count", 8);
    let q = m.reg("q", 8).reset(0);
    m.when(en, |m| m.next(q, q + 1));
    m.assign(count, q);
    m.finish()
}

/// Simulators started from one compilation share its code, not their
/// state: each starts at time 0 with registers at zero, and a handle of one
/// works on the other.
#[test]
fn simulators_of_one_compiled_design_are_independent() -> Res {
    for engine in Engine::ALL {
        let compiled = Compiled::new(&Design::new(counter()?)?, engine)?;
        assert_eq!(compiled.engine(), engine);
        let mut first = Sim::from_compiled(&compiled);
        first.poke("en", 1)?;
        first.run_cycles("clk", 7)?;
        let mut second = Sim::from_compiled(&compiled);
        let count = first.signal("count")?;
        assert_eq!((second.peek_handle(count), second.time_ps()), (0, 0));
        second.poke("en", 1)?;
        second.run_cycles("clk", 2)?;
        assert_eq!(second.peek_handle(count), 2, "{engine}");
        assert_eq!(first.peek_handle(count), 7, "{engine}");
    }
    Ok(())
}

/// A design's size counts what its edge runs: more registers, more
/// instructions and state.
#[test]
fn a_compiled_designs_size_grows_with_its_logic() -> Res {
    let counters = |n: usize| -> Result<Design, HdlError> {
        let mut m = ModuleBuilder::new("counters");
        let _clk = m.clock("clk");
        let en = m.input("en", 1);
        for i in 0..n {
            let q = m.reg(format!("q{i}"), 16).no_reset();
            m.when(en, |m| m.next(q, q + 1));
            let out = m.output(format!("count{i}"), 16);
            m.assign(out, q);
        }
        Design::new(m.finish()?)
    };
    let one = Compiled::new(&counters(1)?, Engine::Interpreter)?.size();
    let eight = Compiled::new(&counters(8)?, Engine::Interpreter)?.size();
    assert!(one.edge_instructions > 0 && one.state_words > 0, "{one:?}");
    assert!(
        eight.edge_instructions >= 8 * one.edge_instructions / 2,
        "{one:?} {eight:?}"
    );
    assert!(eight.state_words > one.state_words, "{one:?} {eight:?}");
    assert!(
        eight.settle_instructions > one.settle_instructions,
        "{one:?} {eight:?}"
    );
    Ok(())
}

/// One compilation can feed simulators on several threads.
#[test]
fn a_compiled_design_crosses_threads() -> Res {
    fn shareable<T: Send + Sync>(_: &T) {}
    let compiled = Compiled::new(&Design::new(counter()?)?, Engine::Native)?;
    shareable(&compiled);
    let counts: Vec<u64> = std::thread::scope(|s| {
        let runs: Vec<_> = (1..=2)
            .map(|n| {
                let compiled = &compiled;
                s.spawn(move || {
                    let mut sim = Sim::from_compiled(compiled);
                    sim.poke("en", 1).unwrap();
                    sim.run_cycles("clk", 3 * n).unwrap();
                    sim.peek("count").unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    assert_eq!(counts, [3, 6]);
    Ok(())
}

#[test]
fn counter_counts_enabled_cycles_and_resets_synchronously() -> Res {
    let mut sim = Sim::new(&Design::new(counter()?)?)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    sim.poke("en", 1)?;
    sim.run_cycles("clk", 10)?;
    assert_eq!(sim.peek("count")?, 10);
    assert_eq!(sim.peek("counter.q")?, 10);
    assert_eq!(sim.cycles("clk")?, 11);
    assert_eq!(sim.time_ps(), 10_000, "edges at 0, 1000, ..., 10000 ps");
    sim.poke("en", 0)?;
    sim.run_cycles("counter.clk", 3)?;
    assert_eq!(sim.peek("count")?, 10);
    sim.poke("rst", 1)?;
    assert_eq!(
        sim.peek("count")?,
        10,
        "a synchronous reset waits for the edge"
    );
    sim.step()?;
    assert_eq!(sim.peek("count")?, 0);
    sim.poke("rst", 0)?;
    sim.poke("en", 1)?;
    sim.run_cycles("clk", 300)?;
    assert_eq!(sim.peek("count")?, 300 % 256, "8 bits wrap");
    Ok(())
}

#[test]
fn handles_poke_and_peek_without_names() -> Res {
    let mut sim = Sim::new(&Design::new(counter()?)?)?;
    let en = sim.signal("en")?;
    let count = sim.signal("counter.count")?;
    assert_eq!(count.width(), 8);
    sim.poke_handle(en, 1)?;
    let steps = sim.run_until(|s| s.peek_handle(count) == 7, 100)?;
    assert_eq!(steps, 7);
    assert!(matches!(
        sim.run_until(|s| s.peek_handle(count) == 3, 10),
        Err(SimError::Timeout(10))
    ));
    Ok(())
}

#[test]
fn testbench_errors_are_typed() -> Res {
    let mut sim = Sim::new(&Design::new(counter()?)?)?;
    assert!(matches!(
        sim.peek("nope"),
        Err(SimError::UnknownSignal { .. })
    ));
    assert!(matches!(
        sim.poke("count", 1),
        Err(SimError::NotPokeable(_))
    ));
    assert!(matches!(sim.poke("clk", 1), Err(SimError::NotPokeable(_))));
    assert!(matches!(
        sim.poke("en", 2),
        Err(SimError::ValueTooWide { .. })
    ));
    assert!(matches!(
        sim.cycles("clk2"),
        Err(SimError::UnknownClock { .. })
    ));
    assert!(matches!(
        sim.clock("clk", 1, 0),
        Err(SimError::BadPeriod { .. })
    ));
    // Registers can be forced from the testbench.
    sim.poke("q", 42)?;
    assert_eq!(sim.peek("count")?, 42);
    Ok(())
}

#[test]
fn inputs_reach_combinational_outputs_at_once() -> Res {
    let mut m = ModuleBuilder::new("comb");
    let a = m.input("a", 16);
    let b = m.input("b", 16);
    let y = m.output("y", 17);
    m.assign(y, a.add_carry(b));
    let mut sim = Sim::new(&Design::new(m.finish()?)?)?;
    sim.poke("a", 0xffff)?;
    sim.poke("b", 2)?;
    assert_eq!(sim.peek("y")?, 0x1_0001);
    assert!(matches!(sim.step(), Err(SimError::NoClock)));
    Ok(())
}

#[test]
fn asynchronous_reset_acts_without_an_edge() -> Res {
    let mut m = ModuleBuilder::new("async_counter");
    let _clk = m.clock("clk");
    let _rst_n = m.reset_with("rst_n", true, true);
    let y = m.output("y", 4);
    let q = m.reg("q", 4).reset(9);
    m.next(q, q + 1);
    m.assign(y, q);
    let mut sim = Sim::new(&Design::new(m.finish()?)?)?;
    sim.poke("rst_n", 1)?;
    sim.run_cycles("clk", 3)?;
    assert_eq!(sim.peek("y")?, 3);
    sim.poke("rst_n", 0)?;
    assert_eq!(sim.peek("y")?, 9, "reset takes effect before any edge");
    sim.run_cycles("clk", 2)?;
    assert_eq!(sim.peek("y")?, 9, "and holds across edges");
    sim.poke("rst_n", 1)?;
    sim.step()?;
    assert_eq!(sim.peek("y")?, 10);
    Ok(())
}

#[test]
fn memory_reads_see_contents_from_before_the_edge() -> Res {
    let mut m = ModuleBuilder::new("ram");
    let _clk = m.clock("clk");
    let we = m.input("we", 1);
    let re = m.input("re", 1);
    let waddr = m.input("waddr", 4);
    let raddr = m.input("raddr", 4);
    let wdata = m.input("wdata", 32);
    let rdata = m.output("rdata", 32);
    let mem = m.memory("mem", 32, 10);
    m.when(we, |m| m.mem_write(mem, waddr, wdata));
    let rd = m.mem_read(mem, "rd", raddr, re);
    m.assign(rdata, rd);
    let mut sim = Sim::new(&Design::new(m.finish()?)?)?;

    let write = |sim: &mut Sim, addr: u64, data: u64| -> Res {
        sim.poke("we", 1)?;
        sim.poke("waddr", addr)?;
        sim.poke("wdata", data)?;
        sim.step()?;
        sim.poke("we", 0)?;
        Ok(())
    };
    write(&mut sim, 3, 0xaaaa)?;
    // Read and overwrite address 3 in the same cycle: the read gets the old word.
    sim.poke("re", 1)?;
    sim.poke("raddr", 3)?;
    write(&mut sim, 3, 0xbbbb)?;
    assert_eq!(sim.peek("rdata")?, 0xaaaa);
    sim.step()?;
    assert_eq!(sim.peek("rdata")?, 0xbbbb);
    // Disabled reads hold; out-of-range addresses write nothing and read nothing.
    sim.poke("re", 0)?;
    sim.poke("raddr", 0)?;
    sim.step()?;
    assert_eq!(sim.peek("rdata")?, 0xbbbb);
    write(&mut sim, 12, 0xcccc)?;
    sim.poke("re", 1)?;
    sim.poke("raddr", 12)?;
    sim.step()?;
    assert_eq!(sim.peek("rdata")?, 0xbbbb);
    for addr in 0..10 {
        sim.poke("raddr", addr)?;
        sim.step()?;
        assert_eq!(sim.peek("rdata")?, if addr == 3 { 0xbbbb } else { 0 });
    }
    Ok(())
}

#[test]
fn fsm_walks_its_states() -> Res {
    let mut sim = Sim::new(&Design::new(wave_support::controller()?)?)?;
    sim.poke("rst", 1)?;
    sim.step()?;
    sim.poke("rst", 0)?;
    let mut states = Vec::new();
    for cycle in 0..8 {
        sim.poke("start", u64::from(cycle == 1))?;
        sim.step()?;
        states.push(sim.peek("state")?);
    }
    // idle, idle -> run (start), run x3 while count goes 0, 1, 2, done, idle.
    assert_eq!(states, [0, 1, 1, 1, 2, 0, 0, 0]);
    Ok(())
}

/// An accumulator used twice in `two_instances`.
fn accumulator() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("acc");
    let _clk = m.clock("clk");
    let d = m.input("d", 8);
    let sum = m.output("sum", 8);
    let acc = m.reg("acc", 8).no_reset();
    m.next(acc, acc + d);
    m.assign(sum, acc);
    m.assert_always(acc.lt(lit(200, 8)), "the sum stays below 200");
    m.finish()
}

fn two_instances() -> Result<Design, HdlError> {
    let child = accumulator()?;
    let mut m = ModuleBuilder::new("top");
    let clk = m.clock("clk");
    let a = m.input("a", 8);
    let total = m.output("total", 8);
    let u0 = m.instance("u0", child.clone());
    let u1 = m.instance("u1", child);
    for u in [&u0, &u1] {
        m.assign(u.io("clk")?, clk);
    }
    m.assign(u0.io("d")?, a);
    m.assign(u1.io("d")?, a + a);
    m.assign(total, u0.io("sum")? + u1.io("sum")?);
    Design::new(m.finish()?)
}

#[test]
fn two_instances_of_one_module_keep_separate_state() -> Res {
    let mut sim = Sim::new(&two_instances()?)?;
    sim.poke("a", 3)?;
    sim.run_cycles("clk", 4)?;
    assert_eq!(sim.peek("top.u0.acc")?, 12);
    assert_eq!(sim.peek("top.u1.acc")?, 24);
    assert_eq!(sim.peek("u1.d")?, 6);
    assert_eq!(sim.peek("top.u1_sum")?, 24);
    assert_eq!(sim.peek("total")?, 36);
    let names: Vec<&str> = sim.signals().map(|(n, _)| n).collect();
    assert!(names.contains(&"top.u0.sum") && names.contains(&"top.u1.sum"));
    Ok(())
}

#[test]
fn failing_assertion_reports_path_cycle_and_message() -> Res {
    let mut sim = Sim::new(&two_instances()?)?;
    sim.poke("a", 50)?;
    // u1 adds 100 per edge: 0, 100, 200 -> fails at the edge that sees 200.
    let err = sim.run_cycles("clk", 10).unwrap_err();
    let SimError::Assertion(f) = err else {
        panic!("expected an assertion failure, got {err}");
    };
    assert_eq!(f.path, "top.u1");
    assert_eq!(f.message, "the sum stays below 200");
    assert_eq!(f.cycle, 2, "the third edge, counted from 0");
    assert_eq!(f.clock, "clk");
    assert_eq!(f.time_ps, 2000);
    assert_eq!(sim.cycles("clk")?, 3, "the run stopped at the failing edge");
    assert_eq!(sim.failures().len(), 1);
    assert!(f.to_string().contains("top.u1"));
    // The simulation goes on: u0 holds 150, then 200, then fails.
    sim.step()?;
    assert!(sim.step().is_err());
    assert_eq!(sim.failures().len(), 2);
    assert_eq!(sim.failures()[1].path, "top.u0");
    Ok(())
}

#[test]
fn shift_register_stages_move_together() -> Res {
    let mut m = ModuleBuilder::new("shift");
    let _clk = m.clock("clk");
    let d = m.input("d", 70);
    let q = m.output("q", 70);
    let s1 = m.reg("s1", 70).no_reset();
    let s2 = m.reg("s2", 70).no_reset();
    let s3 = m.reg("s3", 70).no_reset();
    m.next(s1, d);
    m.next(s2, s1);
    m.next(s3, s2);
    m.assign(q, s3);
    let mut sim = Sim::new(&Design::new(m.finish()?)?)?;
    for i in 1..=5u64 {
        sim.poke_bits("d", &Bits::from_words(&[i, i], 70))?;
        sim.step()?;
    }
    assert_eq!(sim.peek_bits("q")?, Bits::from_words(&[3, 3], 70));
    assert!(matches!(sim.peek("q"), Err(SimError::TooWide { .. })));
    Ok(())
}

fn two_domains() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("cdc");
    let clk_a = m.clock("clk_a");
    let clk_b = m.clock("clk_b");
    m.declare_synchronizer();
    let na = m.output("na", 32);
    let nb = m.output("nb", 32);
    let seen = m.output("seen", 32);
    let (ca, cb, sb) = (
        m.reg("ca", 32).clock(clk_a).no_reset(),
        m.reg("cb", 32).clock(clk_b).no_reset(),
        m.reg("sb", 32).clock(clk_b).no_reset(),
    );
    m.next(ca, ca + 1);
    m.next(cb, cb + 1);
    m.next(sb, ca);
    m.assign(na, ca);
    m.assign(nb, cb);
    m.assign(seen, sb);
    m.finish()
}

#[test]
fn two_clocks_300_ppm_apart_keep_their_ratio() -> Res {
    let mut sim = Sim::new(&Design::new(two_domains()?)?)?;
    assert_eq!(sim.clocks().collect::<Vec<_>>(), ["clk_a", "clk_b"]);
    sim.clock("clk_a", 10_000, 0)?;
    sim.clock("clk_b", 10_003, 0)?;
    // 10 ms: a million edges of each clock.
    let end = 10_000_000_000;
    sim.run_until(|s| s.time_ps() >= end, 3_000_000)?;
    let (a, b) = (sim.cycles("clk_a")?, sim.cycles("clk_b")?);
    assert_eq!(a, end / 10_000 + 1);
    assert_eq!(b, end / 10_003 + 1);
    let ppm = (a as f64 / b as f64 - 1.0) * 1e6;
    assert!((ppm - 300.0).abs() < 1.0, "{ppm} ppm");
    assert_eq!(sim.peek("na")?, a);
    assert_eq!(sim.peek("nb")?, b);
    Ok(())
}

#[test]
fn edges_at_the_same_time_are_simulated_together() -> Res {
    let mut sim = Sim::new(&Design::new(two_domains()?)?)?;
    sim.clock("clk_b", 1000, 0)?;
    sim.run_cycles("clk_a", 5)?;
    assert_eq!(sim.cycles("clk_b")?, 5);
    // clk_b samples clk_a's counter before clk_a's register moves.
    assert_eq!(sim.peek("na")?, 5);
    assert_eq!(sim.peek("seen")?, 4);
    // Phases: clk_b 250 ps later samples the counter after clk_a moved.
    let mut sim = Sim::new(&Design::new(two_domains()?)?)?;
    sim.clock("clk_b", 1000, 250)?;
    sim.run_cycles("clk_b", 5)?;
    assert_eq!(sim.time_ps(), 4250);
    assert_eq!(sim.peek("seen")?, 5);
    Ok(())
}

#[test]
fn wide_arithmetic_matches_the_reference() -> Res {
    const W: u32 = 130;
    let mut m = ModuleBuilder::new("wide");
    let _clk = m.clock("clk");
    let a = m.input("a", W);
    let b = m.input("b", W);
    let sh = m.input("sh", 8);
    let outs = [
        ("sum", W),
        ("diff", W),
        ("prod", W),
        ("shl", W),
        ("sra", W),
        ("lt", 1),
        ("slt", 1),
        ("hi", 66),
    ];
    let sigs: Vec<Signal> = outs.iter().map(|(n, w)| m.output(*n, *w)).collect();
    let (ra, rb) = (m.reg("ra", W).no_reset(), m.reg("rb", W).no_reset());
    m.next(ra, a);
    m.next(rb, b);
    m.assign(sigs[0], ra + rb);
    m.assign(sigs[1], ra - rb);
    m.assign(sigs[2], (ra * rb).trunc(W));
    m.assign(sigs[3], ra.shl(sh));
    m.assign(sigs[4], ra.sra(sh));
    m.assign(sigs[5], ra.lt(rb));
    m.assign(sigs[6], ra.slt(rb));
    m.assign(sigs[7], ra.slice(129, 64));
    let mut sim = Sim::new(&Design::new(m.finish()?)?)?;

    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..50 {
        let va = Bits::from_words(&[rand(), rand(), rand()], W);
        let vb = Bits::from_words(&[rand(), rand(), rand()], W);
        let amount = rand() % 140;
        sim.poke_bits("a", &va)?;
        sim.poke_bits("b", &vb)?;
        sim.poke("sh", amount)?;
        sim.step()?;
        let amt = Bits::from_u64_wrapping(amount, 8);
        let ab = [va.clone(), vb.clone()];
        let product = common::eval(
            &Op::Mul,
            2 * W,
            &[
                common::eval(&Op::Zext(2 * W), 2 * W, &ab[..1]),
                common::eval(&Op::Zext(2 * W), 2 * W, &ab[1..]),
            ],
        );
        let want = [
            ("sum", common::eval(&Op::Add, W, &ab)),
            ("diff", common::eval(&Op::Sub, W, &ab)),
            (
                "prod",
                common::eval(&Op::Slice { hi: W - 1, lo: 0 }, W, &[product]),
            ),
            ("shl", common::eval(&Op::Shl, W, &[va.clone(), amt.clone()])),
            ("sra", common::eval(&Op::Sra, W, &[va.clone(), amt])),
            ("lt", common::eval(&Op::Lt, 1, &ab)),
            ("slt", common::eval(&Op::SignedLt, 1, &ab)),
            (
                "hi",
                common::eval(&Op::Slice { hi: 129, lo: 64 }, 66, &ab[..1]),
            ),
        ];
        for (name, value) in want {
            assert_eq!(sim.peek_bits(name)?, value, "{name}");
        }
        // Cross-check the sum with u128 arithmetic on the low 128 bits.
        let low = |b: &Bits| u128::from(b.words()[0]) | u128::from(b.words()[1]) << 64;
        let sum = sim.peek_bits("sum")?;
        assert_eq!(low(&sum), low(&va).wrapping_add(low(&vb)));
    }
    Ok(())
}

#[test]
fn clocks_must_trace_to_a_top_level_input() -> Res {
    let child = accumulator()?;
    let mut m = ModuleBuilder::new("gated");
    let clk = m.clock("clk");
    let en = m.input("en", 1);
    m.declare_synchronizer();
    let u = m.instance("u0", child);
    m.assign(u.io("clk")?, Expr::from(clk) & en);
    m.assign(u.io("d")?, lit(1, 8));
    let Ok(module) = m.finish() else {
        // The HDL's own checks may already reject a gated clock.
        return Ok(());
    };
    let err = Sim::new(&Design::new(module)?)
        .err()
        .expect("a gated clock is rejected");
    assert!(matches!(err, SimError::UntracedClock { .. }), "{err}");
    Ok(())
}

#[test]
fn selections_index_their_inputs_and_read_zero_past_the_last() -> Res {
    for n in [2usize, 3, 5, 8, 13, 300] {
        let sel_w = bits_for(n);
        let mut m = ModuleBuilder::new(format!("select{n}"));
        let sel = m.input("sel", sel_w);
        let y = m.output("y", 16);
        let z = m.output("z", 16);
        let ins: Vec<Expr> = (0..n).map(|i| lit(1000 + i as u64, 16)).collect();
        m.assign(y, select(sel, &ins));
        // The same selection by the upper bits of a wider word.
        let wide_sel = cat![sel, lit(0, 3)];
        m.assign(z, select(wide_sel.slice(sel_w + 2, 3), &ins));
        let design = Design::new(m.finish()?)?;
        for engine in [Engine::Native, Engine::Interpreter] {
            let mut sim = Sim::with_engine(&design, engine)?;
            for s in 0..1u64 << sel_w {
                sim.poke("sel", s)?;
                let want = if s < n as u64 { 1000 + s } else { 0 };
                assert_eq!(sim.peek("y")?, want, "{engine}: {n} inputs, sel {s}");
                assert_eq!(
                    sim.peek("z")?,
                    want,
                    "{engine}: {n} inputs, sel {s} (upper bits)"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn crossbar_routes_each_input_to_its_selected_outputs() -> Res {
    const PORTS: usize = 8;
    let mut m = ModuleBuilder::new("crossbar");
    let _clk = m.clock("clk");
    let _rst = m.reset("rst");
    let ins: Vec<Expr> = (0..PORTS)
        .map(|i| m.input(format!("in{i}"), 64).into())
        .collect();
    for o in 0..PORTS {
        let sel = m.input(format!("sel{o}"), 3);
        let out = m.output(format!("out{o}"), 64);
        let r = m.reg(format!("q{o}"), 64).reset(0);
        m.next(r, select(sel, &ins));
        m.assign(out, r);
    }
    let mut sim = Sim::new(&Design::new(m.finish()?)?)?;
    let handles = |sim: &Sim, prefix: &str| -> Result<Vec<_>, SimError> {
        (0..PORTS)
            .map(|i| sim.signal(&format!("{prefix}{i}")))
            .collect()
    };
    let (ins, sels, outs) = (
        handles(&sim, "in")?,
        handles(&sim, "sel")?,
        handles(&sim, "out")?,
    );
    let mut seed = 7u64;
    let mut rand = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..200 {
        let data: Vec<u64> = (0..PORTS).map(|_| rand()).collect();
        let sel: Vec<u64> = (0..PORTS).map(|_| rand() % PORTS as u64).collect();
        for i in 0..PORTS {
            sim.poke_handle(ins[i], data[i])?;
            sim.poke_handle(sels[i], sel[i])?;
        }
        sim.step()?;
        for o in 0..PORTS {
            assert_eq!(sim.peek_handle(outs[o]), data[sel[o] as usize]);
        }
    }
    Ok(())
}

/// Logic that reads a clock's level (`gated = clk & en`, and a register
/// clocked by it) follows both edges: at a falling edge only that logic is
/// recomputed, and the waveform shows `gated` low after every fall.
#[test]
fn logic_reading_a_clock_level_follows_the_falling_edge() -> Res {
    let mut m = ModuleBuilder::new("levels");
    let clk = m.clock("clk");
    let en = m.input("en", 1);
    let gated = m.output("gated", 1);
    let count = m.output("count", 4);
    let q = m.reg("q", 4).no_reset();
    m.next(q, q + 1);
    m.assign(count, q);
    m.assign(gated, Expr::from(clk) & en);
    let design = Design::new(m.finish()?)?;
    let dir = tempfile::tempdir()?;
    let vcd = dir.path().join("levels.vcd");
    let mut sim = Sim::new(&design)?;
    sim.clock("clk", 10_000, 0)?;
    sim.trace(&vcd)?;
    sim.poke("en", 1)?;
    for _ in 0..4 {
        sim.step()?;
        // Just after a rising edge the clock is high.
        assert_eq!(sim.peek("gated")?, 1);
    }
    drop(sim);
    let waves = linkforge_sim::wave::Waves::from_vcd(&vcd)?;
    // Four steps end at the rise of 30 ns: the falls of 15 and 25 ns are in.
    for cycle in 1..3u64 {
        let (rise, fall) = (cycle * 10_000, cycle * 10_000 + 5_000);
        assert_eq!(waves.at(rise, "levels.gated"), Some(1), "rise {cycle}");
        assert_eq!(waves.at(fall, "levels.gated"), Some(0), "fall {cycle}");
        // The counter changes only at rising edges.
        assert_eq!(
            waves.at(fall, "levels.count"),
            waves.at(rise, "levels.count")
        );
    }
    Ok(())
}

/// Registers that read one another, share a next state, feed a selection
/// (as does a next state), a memory's address and data, and an assertion's
/// condition.
fn crossed_registers() -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("crossed");
    let _clk = m.clock("clk");
    let x = m.input("x", 16);
    let sel = m.input("sel", 2);
    let names = [
        "a", "b", "c", "d", "e", "f", "g", "h", "k", "p", "q", "w", "wa",
    ];
    let regs = names.map(|n| m.reg(n, 16).no_reset());
    let [a, b, c, d, e, f, g, h, k, p, q, w, wa] = regs;
    let ok = m.reg("ok", 1).no_reset();
    m.next(a, mux(sel.eq(3), x, b));
    m.next(b, a);
    m.next(c, c + x);
    m.next(d, c + x);
    m.next(e, (c + x) ^ e);
    m.next(f, select(sel, &[c.into(), d.into(), e.into(), a.into()]));
    m.next(g, select(sel, &[h + x, x.into(), c.into(), a.into()]));
    m.next(h, h + x);
    m.next(k, cat![k.slice(7, 0), k.slice(15, 8)] ^ x);
    m.next(p, wa + x);
    m.next(q, wa + x);
    m.next(w, w ^ x);
    m.next(wa, wa + 1);
    m.next(ok, x.ne(7));
    m.assert_always(ok, "x was not 7 an edge before");
    let mem = m.memory("mem", 16, 8);
    m.mem_write(mem, wa.slice(2, 0), w ^ x);
    let rd = m.mem_read(mem, "rd", wa.slice(2, 0), sel.slice(0, 0));
    for (name, r) in names.into_iter().zip(regs).chain([("rd", rd)]) {
        let o = m.output(format!("{name}_o"), 16);
        m.assign(o, r);
    }
    m.finish()
}

/// What [`crossed_registers`] holds after each edge, computed directly.
#[derive(Clone, Debug, Default, PartialEq)]
struct Crossed {
    a: u16,
    b: u16,
    c: u16,
    d: u16,
    e: u16,
    f: u16,
    g: u16,
    h: u16,
    k: u16,
    p: u16,
    q: u16,
    w: u16,
    wa: u16,
    rd: u16,
    ok: bool,
    mem: [u16; 8],
}

impl Crossed {
    /// One edge with inputs `x` and `sel`; whether the assertion failed.
    fn edge(&mut self, x: u16, sel: u16) -> bool {
        let old = self.clone();
        let sum = old.c.wrapping_add(x);
        self.a = if sel == 3 { x } else { old.b };
        self.b = old.a;
        self.c = sum;
        self.d = sum;
        self.e = sum ^ old.e;
        self.f = [old.c, old.d, old.e, old.a][sel as usize];
        self.g = [old.h.wrapping_add(x), x, old.c, old.a][sel as usize];
        self.h = old.h.wrapping_add(x);
        self.k = old.k.rotate_left(8) ^ x;
        self.p = old.wa.wrapping_add(x);
        self.q = self.p;
        self.w = old.w ^ x;
        self.wa = old.wa.wrapping_add(1);
        self.ok = x != 7;
        let addr = (old.wa & 7) as usize;
        if sel & 1 == 1 {
            self.rd = old.mem[addr];
        }
        self.mem[addr] = self.w;
        !old.ok
    }
}

/// Every register reads the values from before the edge, whichever way the
/// edge is compiled: both engines, untraced (next states computed in place)
/// and traced (the edge runs over settled logic), against a direct model.
#[test]
fn registers_that_read_one_another_see_values_from_before_the_edge() -> Res {
    let dir = tempfile::tempdir()?;
    let design = Design::new(crossed_registers()?)?;
    for engine in Engine::ALL {
        for traced in [false, true] {
            let mut sim = Sim::with_engine(&design, engine)?;
            if traced {
                sim.trace(dir.path().join(format!("crossed_{engine:?}.vcd")))?;
            }
            let mut model = Crossed::default();
            let mut rng = 0x9e37_79b9_7f4a_7c15u64;
            let (mut failed, mut expected) = (Vec::new(), Vec::new());
            for cycle in 0..200u64 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                // 7 fails the assertion an edge later: only at cycle 100.
                let x = match (cycle, rng as u16) {
                    (100, _) => 7,
                    (_, 7) => 8,
                    (_, v) => v,
                };
                let sel = (rng >> 16) as u16 & 3;
                sim.poke("x", u64::from(x))?;
                sim.poke("sel", u64::from(sel))?;
                if sim.step().is_err() {
                    failed.push(cycle);
                }
                if model.edge(x, sel) {
                    expected.push(cycle);
                }
                let regs = [
                    ("a", model.a),
                    ("b", model.b),
                    ("c", model.c),
                    ("d", model.d),
                    ("e", model.e),
                    ("f", model.f),
                    ("g", model.g),
                    ("h", model.h),
                    ("k", model.k),
                    ("p", model.p),
                    ("q", model.q),
                    ("w", model.w),
                    ("wa", model.wa),
                    ("rd", model.rd),
                ];
                for (name, want) in regs {
                    let got = sim.peek(&format!("{name}_o"))?;
                    assert_eq!(
                        got,
                        u64::from(want),
                        "{name} after edge {cycle} ({engine:?}, traced: {traced})"
                    );
                }
            }
            assert_eq!(failed, [0, 101], "{engine:?}, traced: {traced}");
            assert_eq!(failed, expected);
        }
    }
    Ok(())
}
