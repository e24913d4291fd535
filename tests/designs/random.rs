//! Random designs for the end-to-end tests: expression trees over random
//! widths that exercise every operator, made legal while they are built.

use linkforge_hdl::prelude::*;
use proptest::prelude::*;

/// The shape of a random expression; widths are adapted while building so
/// every tree is legal.
#[derive(Clone, Debug)]
pub enum Shape {
    Input(usize),
    Const(u64, u32),
    Unary(u8, Box<Shape>),
    Binary(u8, Box<Shape>, Box<Shape>),
    Mux(Box<Shape>, Box<Shape>, Box<Shape>),
    /// An N-way selection: index, arms, extra index bits.
    Select(Box<Shape>, Vec<Shape>, u32),
    Concat(Vec<Shape>),
    Slice(Box<Shape>, u32, u32),
    Part(Box<Shape>, Box<Shape>, u32),
    Extend(bool, Box<Shape>, u32),
    Repeat(Box<Shape>, u32),
    ShiftConst(u8, Box<Shape>, u32),
}

const MAX_INTERMEDIATE: u32 = 200;

pub fn shape() -> impl Strategy<Value = Shape> {
    let leaf = prop_oneof![
        (0usize..4).prop_map(Shape::Input),
        (any::<u64>(), 1u32..=130).prop_map(|(v, w)| Shape::Const(v, w)),
    ];
    leaf.prop_recursive(5, 40, 3, |inner| {
        prop_oneof![
            (0u8..5, inner.clone()).prop_map(|(o, a)| Shape::Unary(o, Box::new(a))),
            (0u8..19, inner.clone(), inner.clone()).prop_map(|(o, a, b)| Shape::Binary(
                o,
                Box::new(a),
                Box::new(b)
            )),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| Shape::Mux(
                Box::new(c),
                Box::new(a),
                Box::new(b)
            )),
            (
                inner.clone(),
                prop::collection::vec(inner.clone(), 1..6),
                prop_oneof![0u32..3, 6u32..10, Just(66)]
            )
                .prop_map(|(i, arms, extra)| Shape::Select(Box::new(i), arms, extra)),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Shape::Concat),
            (inner.clone(), any::<u32>(), any::<u32>()).prop_map(|(a, x, y)| Shape::Slice(
                Box::new(a),
                x,
                y
            )),
            (inner.clone(), inner.clone(), 1u32..40).prop_map(|(a, i, w)| Shape::Part(
                Box::new(a),
                Box::new(i),
                w
            )),
            (any::<bool>(), inner.clone(), 0u32..40).prop_map(|(s, a, k)| Shape::Extend(
                s,
                Box::new(a),
                k
            )),
            (inner.clone(), 1u32..4).prop_map(|(a, n)| Shape::Repeat(Box::new(a), n)),
            (0u8..3, inner, 0u32..210).prop_map(|(o, a, n)| Shape::ShiftConst(o, Box::new(a), n)),
        ]
    })
}

/// `e` resized to `w` bits (zero-extended or truncated).
fn fit(e: Expr, w: u32) -> Expr {
    match e.width().cmp(&w) {
        std::cmp::Ordering::Less => e.zext(w),
        std::cmp::Ordering::Greater => e.trunc(w),
        std::cmp::Ordering::Equal => e,
    }
}

fn cap(e: Expr) -> Expr {
    let w = e.width().min(MAX_INTERMEDIATE);
    fit(e, w)
}

fn build(s: &Shape, inputs: &[Signal]) -> Expr {
    match s {
        Shape::Input(i) => inputs[i % inputs.len()].into(),
        Shape::Const(v, w) => lit(v & (u64::MAX >> (64 - (*w).min(64))), *w),
        Shape::Unary(op, a) => {
            let a = build(a, inputs);
            match op {
                0 => !a,
                1 => a.all(),
                2 => a.any(),
                3 => a.parity(),
                _ => a.clone().bit(a.width() - 1),
            }
        }
        Shape::Binary(op, a, b) => {
            let a = build(a, inputs);
            let b = build(b, inputs);
            let w = a.width();
            let same = fit(b.clone(), w);
            cap(match op {
                0 => a + same,
                1 => a - same,
                2 => a * fit(b, w.min(64)),
                3 => a & same,
                4 => a | same,
                5 => a ^ same,
                6 => a.eq(same),
                7 => a.ne(same),
                8 => a.lt(same),
                9 => a.ge(same),
                10 => a.slt(same),
                11 => a.sge(same),
                12 => a.shl(fit(b, 8)),
                13 => a.shr(fit(b, 8)),
                14 => a.sra(fit(b, 8)),
                15 => a.add_carry(same),
                16 => a.sub_borrow(same),
                17 => a.mul_signed(fit(b, w.min(64))),
                _ => a.sgt(same),
            })
        }
        Shape::Mux(c, a, b) => {
            let c = build(c, inputs).any();
            let a = build(a, inputs);
            let b = fit(build(b, inputs), a.width());
            mux(c, a, b)
        }
        Shape::Select(i, arms, extra) => {
            let arms: Vec<Expr> = arms.iter().map(|a| build(a, inputs)).collect();
            let w = arms[0].width();
            let arms: Vec<Expr> = arms.into_iter().map(|a| fit(a, w)).collect();
            let index = fit(build(i, inputs), bits_for(arms.len()) + extra);
            select(index, &arms)
        }
        Shape::Concat(parts) => cap(concat(parts.iter().map(|p| build(p, inputs)).collect())),
        Shape::Slice(a, x, y) => {
            let a = build(a, inputs);
            let (x, y) = (x % a.width(), y % a.width());
            a.slice(x.max(y), x.min(y))
        }
        Shape::Part(a, i, w) => {
            let a = build(a, inputs);
            let i = fit(build(i, inputs), 8);
            let w = (*w).min(a.width());
            a.part(i, w)
        }
        Shape::Extend(signed, a, k) => {
            let a = build(a, inputs);
            let to = (a.width() + k).min(MAX_INTERMEDIATE.max(a.width()));
            if *signed {
                a.sext(to)
            } else {
                a.zext(to)
            }
        }
        Shape::Repeat(a, n) => cap(build(a, inputs).repeat(*n)),
        Shape::ShiftConst(op, a, n) => {
            let a = build(a, inputs);
            match op {
                0 => a << *n,
                1 => a >> *n,
                _ => a.sra_const(*n),
            }
        }
    }
}

/// Declares inputs `{prefix}{i}` of the given widths.
fn inputs(m: &mut ModuleBuilder, prefix: &str, widths: &[u32]) -> Vec<Signal> {
    widths
        .iter()
        .enumerate()
        .map(|(i, w)| m.input(format!("{prefix}{i}"), *w))
        .collect()
}

/// Drives output `name` with the parity of every input bit, so Verilator
/// sees every input bit used.
fn parity_output(m: &mut ModuleBuilder, name: &str, inputs: &[Signal]) {
    let parity = m.output(name, 1);
    m.assign(
        parity,
        concat(inputs.iter().map(|i| Expr::from(*i)).collect()).parity(),
    );
}

/// A combinational module: the random expression on output `y`.
pub fn comb_module(widths: &[u32], s: &Shape) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("random_expr");
    let ins = inputs(&mut m, "in", widths);
    let e = build(s, &ins);
    let y = m.output("y", e.width());
    m.assign(y, e);
    parity_output(&mut m, "parity", &ins);
    m.finish()
}

/// Random designs of [`two_domain_module`]: one to three inputs of 1 to
/// 200 bits per domain.
pub fn two_domain_designs() -> impl Strategy<Value = Design> {
    let widths = || prop::collection::vec(1u32..=200, 1..=3);
    (widths(), shape(), widths(), shape()).prop_map(|(widths_a, sa, widths_b, sb)| {
        let module = two_domain_module(&widths_a, &sa, &widths_b, &sb);
        Design::new(module.expect("a random design builds")).expect("a random design is legal")
    })
}

/// A random design with two clock domains. Domain `a` computes expression
/// `sa` into output `y_a` and register `qa`, and keeps a 12-word memory (a
/// depth that is not a power of two) written and read at addresses derived
/// from them. Domain `b` registers expression `sb` xor-ed with bit 0 of `qa`,
/// brought over by the `sync2` synchronizer.
pub fn two_domain_module(
    widths_a: &[u32],
    sa: &Shape,
    widths_b: &[u32],
    sb: &Shape,
) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("random_design");
    let clk_a = m.clock("clk_a");
    let rst_a = m.reset("rst_a");
    let clk_b = m.clock("clk_b");
    let rst_b = m.reset("rst_b");
    let domain_a = Domain {
        clock: clk_a,
        reset: Some(rst_a),
    };
    let domain_b = Domain {
        clock: clk_b,
        reset: Some(rst_b),
    };
    let mut qa_bit = None;
    m.in_domain(domain_a, |m| {
        let ins = inputs(m, "a", widths_a);
        let e = build(sa, &ins);
        let y = m.output("y_a", e.width());
        m.assign(y, e.clone());
        let qa = m.reg("qa", e.width()).reset(0);
        m.next(qa, e.clone());
        let qa_out = m.output("qa_out", e.width());
        m.assign(qa_out, qa);
        let mem = m.memory("mem", 12, 12);
        let aw = mem.addr_width();
        m.when(e.clone().parity(), |m| {
            m.mem_write(
                mem,
                fit(e.clone(), aw),
                fit(e.clone() ^ fit(Expr::from(qa), e.width()), 12),
            );
        });
        let rd = m.mem_read(mem, "rd", fit(qa.into(), aw), qa.bit(0) | e.clone().any());
        let rd_out = m.output("rd_out", 12);
        m.assign(rd_out, rd);
        parity_output(m, "parity_a", &ins);
        qa_bit = Some(qa.bit(0));
    });
    let sync = m.instance("u_sync", super::sync2()?);
    m.assign(sync.io("clk")?, clk_b);
    m.assign(sync.io("d")?, qa_bit.expect("set in domain a"));
    let synced = sync.io("q")?;
    m.in_domain(domain_b, |m| {
        let ins = inputs(m, "b", widths_b);
        let e = build(sb, &ins);
        let qb = m.reg("qb", e.width()).reset(0);
        let w = e.width();
        m.next(qb, e ^ Expr::from(synced).zext(w));
        let qb_out = m.output("qb_out", w);
        m.assign(qb_out, qb);
        parity_output(m, "parity_b", &ins);
    });
    m.finish()
}
