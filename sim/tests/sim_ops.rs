//! Every operator of the IR, one at a time, on random widths (1..=200) and
//! random operands, against the bit-by-bit reference in `common`.

mod common;

use linkforge_hdl::ir::{Driver, ExprId, Module, Node, Op, SignalDecl, SignalId, SignalKind};
use linkforge_hdl::{words_for, Bits, Design, SourceLoc};
use linkforge_sim::{Engine, Sim};
use proptest::collection::vec;
use proptest::prelude::*;

/// One operator application: the operator, its operands and the result width.
#[derive(Clone, Debug)]
struct Case {
    op: Op,
    args: Vec<Bits>,
    width: u32,
}

/// A module `y = op(a0, a1, ...)`, built directly in the IR so each operator
/// is tested at exactly the operand widths chosen.
fn module(case: &Case) -> Module {
    let loc = SourceLoc::caller();
    let decl = |name: String, width, kind| SignalDecl {
        name,
        width,
        kind,
        domain: None,
        loc,
    };
    let n = case.args.len();
    let mut signals: Vec<SignalDecl> = (0..n)
        .map(|i| {
            decl(
                format!("a{i}"),
                case.args[i].width(),
                SignalKind::Input { clock: false },
            )
        })
        .collect();
    signals.push(decl("y".into(), case.width, SignalKind::Output));
    let mut nodes: Vec<Node> = (0..n)
        .map(|i| Node {
            op: Op::Signal(SignalId(i as u32)),
            args: Vec::new(),
            width: case.args[i].width(),
            loc,
        })
        .collect();
    nodes.push(Node {
        op: case.op.clone(),
        args: (0..n as u32).map(ExprId).collect(),
        width: case.width,
        loc,
    });
    let mut drivers = vec![None; n];
    drivers.push(Some(Driver {
        expr: ExprId(n as u32),
        loc,
    }));
    Module {
        name: "op".into(),
        signals,
        nodes,
        drivers,
        assignments: Vec::new(),
        ports: (0..=n as u32).map(SignalId).collect(),
        memories: Vec::new(),
        instances: Vec::new(),
        fsms: Vec::new(),
        assertions: Vec::new(),
        interfaces: Vec::new(),
        synchronizer: false,
        comb_paths: Vec::new(),
        port_domains: Vec::new(),
        loc,
    }
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let design = Design::new(module(case)).expect("a design");
    let want = common::eval(&case.op, case.width, &case.args);
    for engine in [Engine::Native, Engine::Interpreter] {
        let mut sim = Sim::with_engine(&design, engine).expect("compiles");
        for (i, a) in case.args.iter().enumerate() {
            sim.poke_bits(&format!("a{i}"), a).expect("poke");
        }
        let got = sim.peek_bits("y").expect("peek");
        prop_assert_eq!(&got, &want, "{} on {:?}", engine, case);
    }
    Ok(())
}

/// Words biased towards edge values.
fn word() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        Just(0),
        Just(u64::MAX),
        (0u32..64).prop_map(|k| 1u64 << k),
        0u64..300,
    ]
}

/// Values of `width` bits, a few of them all zeros or all ones (where
/// reductions and comparisons of multi-word values turn).
fn value(width: u32) -> impl Strategy<Value = Bits> {
    let words = words_for(width);
    prop_oneof![
        8 => vec(word(), words).prop_map(move |w| Bits::from_words(&w, width)),
        1 => Just(Bits::from_words(&vec![0; words], width)),
        1 => Just(Bits::from_words(&vec![u64::MAX; words], width)),
    ]
}

/// Widths with about half of them single-word.
fn width() -> impl Strategy<Value = u32> {
    prop_oneof![1u32..=64, 1u32..=200]
}

/// A shift amount or index of `amount_width` bits, mostly near `width`.
fn amount(width: u32, amount_width: u32) -> impl Strategy<Value = Bits> {
    prop_oneof![
        (0..u64::from(width) + 4).prop_map(move |k| Bits::from_u64_wrapping(k, amount_width)),
        value(amount_width),
    ]
}

fn same_width(
    ops: Vec<Op>,
    arity: usize,
    result_width: Option<u32>,
) -> impl Strategy<Value = Case> {
    (width(), proptest::sample::select(ops)).prop_flat_map(move |(w, op)| {
        vec(value(w), arity).prop_map(move |args| Case {
            op: op.clone(),
            args,
            width: result_width.unwrap_or(w),
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn bitwise_and_arithmetic(case in same_width(
        vec![Op::And, Op::Or, Op::Xor, Op::Add, Op::Sub, Op::Mul], 2, None)) {
        check(&case)?;
    }

    #[test]
    fn comparisons(case in same_width(
        vec![Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge,
             Op::SignedLt, Op::SignedLe, Op::SignedGt, Op::SignedGe], 2, Some(1))) {
        check(&case)?;
    }

    #[test]
    fn unary(case in prop_oneof![
        same_width(vec![Op::Not], 1, None),
        same_width(vec![Op::ReduceAnd, Op::ReduceOr, Op::ReduceXor], 1, Some(1)),
    ]) {
        check(&case)?;
    }

    #[test]
    fn shifts_by_a_signal(case in (width(), 1u32..=70, proptest::sample::select(vec![Op::Shl, Op::Shr, Op::Sra]))
        .prop_flat_map(|(w, aw, op)| (value(w), amount(w, aw)).prop_map(move |(a, b)| Case {
            op: op.clone(), args: vec![a, b], width: w,
        }))) {
        check(&case)?;
    }

    #[test]
    fn constant_shifts(case in (width(), 0u32..=203, 0usize..3).prop_flat_map(|(w, n, kind)| {
        let op = [Op::ShlConst(n), Op::ShrConst(n), Op::SraConst(n)][kind].clone();
        value(w).prop_map(move |a| Case { op: op.clone(), args: vec![a], width: w })
    })) {
        check(&case)?;
    }

    #[test]
    fn mux(case in width().prop_flat_map(|w| (value(1), value(w), value(w)).prop_map(move |(c, a, b)| Case {
        op: Op::Mux, args: vec![c, a, b], width: w,
    }))) {
        check(&case)?;
    }

    /// Indexes of 1 to 70 bits (padded tables, clamped ones, multi-word
    /// ones), mostly near the arm count so both in- and out-of-range
    /// indexes occur.
    #[test]
    fn select(case in (width(), 1usize..=20, 0u32..=66).prop_flat_map(|(w, arms, extra)| {
        let iw = linkforge_hdl::bits_for(arms) + extra;
        (vec(value(w), arms), amount(arms as u32, iw)).prop_map(move |(arms, i)| Case {
            op: Op::Select, args: std::iter::once(i).chain(arms).collect(), width: w,
        })
    })) {
        check(&case)?;
    }

    #[test]
    fn concat(case in vec(1u32..=80, 1..=4).prop_flat_map(|ws| {
        let total = ws.iter().sum();
        ws.into_iter().map(value).collect::<Vec<_>>().prop_map(move |args| Case {
            op: Op::Concat, args, width: total,
        })
    })) {
        check(&case)?;
    }

    #[test]
    fn part_selects(case in (width(), width(), any::<u32>(), any::<u32>(), 1u32..=70, any::<bool>())
        .prop_flat_map(|(w, out, x, y, iw, dynamic)| {
            let (lo, hi) = (x % w, y % w);
            let (lo, hi) = (lo.min(hi), lo.max(hi));
            if dynamic {
                (value(w), amount(w, iw)).prop_map(move |(a, i)| Case {
                    op: Op::DynSlice { width: out }, args: vec![a, i], width: out,
                }).boxed()
            } else {
                value(w).prop_map(move |a| Case {
                    op: Op::Slice { hi, lo }, args: vec![a], width: hi - lo + 1,
                }).boxed()
            }
        })) {
        check(&case)?;
    }

    #[test]
    fn extensions_and_repeat(case in (width(), 0u32..=100, 1u32..=4, 0usize..3)
        .prop_flat_map(|(w, extra, n, kind)| {
            let (op, out) = [
                (Op::Zext(w + extra), w + extra),
                (Op::Sext(w + extra), w + extra),
                (Op::Repeat(n), w * n),
            ][kind].clone();
            value(w).prop_map(move |a| Case { op: op.clone(), args: vec![a], width: out })
        })) {
        check(&case)?;
    }
}
