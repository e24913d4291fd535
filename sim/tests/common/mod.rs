//! A deliberately simple reference evaluator for the expression operators:
//! values as vectors of bits (least significant first), every operator
//! written bit by bit, sharing nothing with the simulator.

use linkforge_hdl::ir::Op;
use linkforge_hdl::Bits;

/// Bits of a value, least significant first.
pub type Bools = Vec<bool>;

pub fn bools(b: &Bits) -> Bools {
    (0..b.width()).map(|i| b.bit(i)).collect()
}

pub fn to_bits(v: &[bool]) -> Bits {
    let mut b = Bits::zero(v.len() as u32);
    for (i, bit) in v.iter().enumerate() {
        b.set_bit(i as u32, *bit);
    }
    b
}

fn add(a: &[bool], b: &[bool], carry_in: bool) -> Bools {
    let mut carry = carry_in;
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let s = x ^ y ^ carry;
            carry = (x & y) | (carry & (x ^ y));
            s
        })
        .collect()
}

fn mul(a: &[bool], b: &[bool]) -> Bools {
    let mut acc = vec![false; a.len()];
    for (i, bit) in b.iter().enumerate() {
        if *bit {
            acc = add(&acc, &shl(a, i), false);
        }
    }
    acc
}

/// Unsigned `a < b`, then whether they are equal.
fn ult(a: &[bool], b: &[bool]) -> (bool, bool) {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return (!x & y, false);
        }
    }
    (false, true)
}

fn slt(a: &[bool], b: &[bool]) -> (bool, bool) {
    let flip = |v: &[bool]| {
        let mut v = v.to_vec();
        let top = v.len() - 1;
        v[top] = !v[top];
        v
    };
    ult(&flip(a), &flip(b))
}

/// An amount or index; anything past `usize` is "very large".
fn amount(v: &[bool]) -> usize {
    let mut n: usize = 0;
    for (i, bit) in v.iter().enumerate() {
        if *bit {
            if i >= 32 {
                return usize::MAX;
            }
            n |= 1 << i;
        }
    }
    n
}

fn shl(a: &[bool], k: usize) -> Bools {
    (0..a.len()).map(|i| i >= k && a[i - k]).collect()
}

fn shr(a: &[bool], k: usize, fill: bool, width: usize) -> Bools {
    (0..width)
        .map(|i| {
            i.checked_add(k)
                .and_then(|j| a.get(j).copied())
                .unwrap_or(fill)
        })
        .collect()
}

/// The value of `op` applied to `args`, `width` bits wide.
pub fn eval(op: &Op, width: u32, args: &[Bits]) -> Bits {
    let v: Vec<Bools> = args.iter().map(bools).collect();
    let w = width as usize;
    let one = |b: bool| vec![b];
    let sign = |a: &Bools| a[a.len() - 1];
    let out: Bools = match op {
        Op::Not => v[0].iter().map(|b| !b).collect(),
        Op::And => v[0].iter().zip(&v[1]).map(|(x, y)| x & y).collect(),
        Op::Or => v[0].iter().zip(&v[1]).map(|(x, y)| x | y).collect(),
        Op::Xor => v[0].iter().zip(&v[1]).map(|(x, y)| x ^ y).collect(),
        Op::Add => add(&v[0], &v[1], false),
        Op::Sub => add(&v[0], &v[1].iter().map(|b| !b).collect::<Bools>(), true),
        Op::Mul => mul(&v[0], &v[1]),
        Op::Eq => one(v[0] == v[1]),
        Op::Ne => one(v[0] != v[1]),
        Op::Lt => one(ult(&v[0], &v[1]).0),
        Op::Le => one(ult(&v[0], &v[1]) != (false, false)),
        Op::Gt => one(ult(&v[1], &v[0]).0),
        Op::Ge => one(ult(&v[1], &v[0]) != (false, false)),
        Op::SignedLt => one(slt(&v[0], &v[1]).0),
        Op::SignedLe => one(slt(&v[0], &v[1]) != (false, false)),
        Op::SignedGt => one(slt(&v[1], &v[0]).0),
        Op::SignedGe => one(slt(&v[1], &v[0]) != (false, false)),
        Op::ReduceAnd => one(v[0].iter().all(|b| *b)),
        Op::ReduceOr => one(v[0].iter().any(|b| *b)),
        Op::ReduceXor => one(v[0].iter().filter(|b| **b).count() % 2 == 1),
        Op::Shl => shl(&v[0], amount(&v[1])),
        Op::Shr => shr(&v[0], amount(&v[1]), false, w),
        Op::Sra => shr(&v[0], amount(&v[1]), sign(&v[0]), w),
        Op::ShlConst(n) => shl(&v[0], *n as usize),
        Op::ShrConst(n) => shr(&v[0], *n as usize, false, w),
        Op::SraConst(n) => shr(&v[0], *n as usize, sign(&v[0]), w),
        Op::Mux => {
            if v[0][0] {
                v[1].clone()
            } else {
                v[2].clone()
            }
        }
        // Zero past the last arm, as `Op::Select` documents.
        Op::Select => match amount(&v[0]) {
            i if i < v.len() - 1 => v[i + 1].clone(),
            _ => vec![false; w],
        },
        Op::Concat => v.iter().rev().flatten().copied().collect(),
        Op::Slice { hi, lo } => v[0][*lo as usize..=*hi as usize].to_vec(),
        Op::DynSlice { .. } => shr(&v[0], amount(&v[1]), false, w),
        Op::Zext(to) => shr(&v[0], 0, false, *to as usize),
        Op::Sext(to) => shr(&v[0], 0, sign(&v[0]), *to as usize),
        Op::Repeat(n) => (0..*n).flat_map(|_| v[0].iter().copied()).collect(),
        Op::Const(_) | Op::StateConst { .. } | Op::Signal(_) => unreachable!("not an operator"),
    };
    assert_eq!(out.len(), w, "reference width for {op:?}");
    to_bits(&out)
}
