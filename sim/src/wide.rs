//! The general multi-word path: any operator on values of any width, stored as
//! little-endian 64-bit words with the bits above the width kept at zero.
//!
//! The compiler uses it for every node that has an operand or a result wider
//! than 64 bits; single-word nodes get specialised instructions instead.

use linkforge_hdl::ir::Op;
use linkforge_hdl::words_for;
use std::cmp::Ordering;

/// A value in the state vector: word offset and width in bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operand {
    pub off: u32,
    pub width: u32,
}

impl Operand {
    /// The operand's words in `state`.
    fn words<'s>(&self, state: &'s [u64]) -> &'s [u64] {
        let off = self.off as usize;
        &state[off..off + words_for(self.width)]
    }
}

/// One multi-word operation writing `width` bits at word `dst`.
#[derive(Clone, Debug)]
pub(crate) struct WideInsn {
    pub op: Op,
    pub dst: u32,
    pub width: u32,
    pub args: Vec<Operand>,
}

/// Runs `insn`, using `scratch` (at least as many words as the result) so
/// the operands can be read while the result is built.
pub(crate) fn exec(insn: &WideInsn, state: &mut [u64], scratch: &mut [u64]) {
    let n = words_for(insn.width);
    let out = &mut scratch[..n];
    out.fill(0);
    eval(&insn.op, insn.width, &insn.args, state, out);
    let dst = insn.dst as usize;
    state[dst..dst + n].copy_from_slice(out);
}

/// Evaluates `op` into `out` (zeroed, `words_for(width)` words).
fn eval(op: &Op, width: u32, args: &[Operand], s: &[u64], out: &mut [u64]) {
    let a = |i: usize| args[i].words(s);
    let wa = |i: usize| args[i].width;
    let bool_out = |out: &mut [u64], v: bool| out[0] = u64::from(v);
    match op {
        Op::Not => zip_map(out, a(0), a(0), |x, _| !x),
        Op::And => zip_map(out, a(0), a(1), |x, y| x & y),
        Op::Or => zip_map(out, a(0), a(1), |x, y| x | y),
        Op::Xor => zip_map(out, a(0), a(1), |x, y| x ^ y),
        Op::Add => add(out, a(0), a(1), false),
        Op::Sub => add(out, a(0), a(1), true),
        Op::Mul => mul(out, a(0), a(1)),
        Op::Eq => bool_out(out, a(0) == a(1)),
        Op::Ne => bool_out(out, a(0) != a(1)),
        Op::Lt => bool_out(out, cmp(a(0), a(1)).is_lt()),
        Op::Le => bool_out(out, cmp(a(0), a(1)).is_le()),
        Op::Gt => bool_out(out, cmp(a(0), a(1)).is_gt()),
        Op::Ge => bool_out(out, cmp(a(0), a(1)).is_ge()),
        Op::SignedLt => bool_out(out, cmp_signed(a(0), a(1), wa(0)).is_lt()),
        Op::SignedLe => bool_out(out, cmp_signed(a(0), a(1), wa(0)).is_le()),
        Op::SignedGt => bool_out(out, cmp_signed(a(0), a(1), wa(0)).is_gt()),
        Op::SignedGe => bool_out(out, cmp_signed(a(0), a(1), wa(0)).is_ge()),
        Op::ReduceAnd => bool_out(out, popcount(a(0)) == u64::from(wa(0))),
        Op::ReduceOr => bool_out(out, a(0).iter().any(|w| *w != 0)),
        Op::ReduceXor => bool_out(out, popcount(a(0)) % 2 == 1),
        Op::Shl => deposit(out, amount(a(1)), a(0)),
        Op::ShlConst(n) => deposit(out, u64::from(*n), a(0)),
        Op::Shr | Op::DynSlice { .. } => extract(out, a(0), amount(a(1))),
        Op::ShrConst(n) => extract(out, a(0), u64::from(*n)),
        Op::Slice { lo, .. } => extract(out, a(0), u64::from(*lo)),
        Op::Sra => sra(out, a(0), width, amount(a(1))),
        Op::SraConst(n) => sra(out, a(0), width, u64::from(*n)),
        Op::Mux => out.copy_from_slice(if a(0)[0] & 1 == 1 { a(1) } else { a(2) }),
        Op::Select => {
            // An index past the last arm, however wide, leaves `out` zero.
            let index = a(0);
            let arm = match index[1..].iter().all(|w| *w == 0) {
                true => usize::try_from(index[0])
                    .ok()
                    .and_then(|i| i.checked_add(1)),
                false => None,
            };
            if let Some(arm) = arm.filter(|i| *i < args.len()) {
                out.copy_from_slice(a(arm));
            }
        }
        Op::Concat => {
            let mut pos = u64::from(width);
            for i in 0..args.len() {
                pos -= u64::from(wa(i));
                deposit(out, pos, a(i));
            }
        }
        Op::Zext(_) => deposit(out, 0, a(0)),
        Op::Sext(_) => {
            deposit(out, 0, a(0));
            if bit(a(0), wa(0) - 1) {
                fill_ones(out, u64::from(wa(0)), u64::from(width));
            }
        }
        Op::Repeat(n) => {
            for k in 0..u64::from(*n) {
                deposit(out, k * u64::from(wa(0)), a(0));
            }
        }
        Op::Const(_) | Op::StateConst { .. } | Op::Signal(_) => {
            unreachable!("constants and signals are state slots, never instructions")
        }
    }
    mask_top(out, width);
}

/// Clears the bits of the last word at or above `width`.
pub(crate) fn mask_top(out: &mut [u64], width: u32) {
    if let Some(last) = out.last_mut() {
        *last &= top_mask(width);
    }
}

/// The bits of the top word of a `width`-bit value that belong to it.
pub(crate) fn top_mask(width: u32) -> u64 {
    u64::MAX >> ((64 - width % 64) % 64)
}

fn zip_map(out: &mut [u64], a: &[u64], b: &[u64], f: impl Fn(u64, u64) -> u64) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = f(*x, *y);
    }
}

/// `a + b`, or `a - b` computed as `a + !b + 1`.
fn add(out: &mut [u64], a: &[u64], b: &[u64], subtract: bool) {
    let mut carry = subtract;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        let y = if subtract { !*y } else { *y };
        let (s1, c1) = x.overflowing_add(y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *o = s2;
        carry = c1 || c2;
    }
}

/// Schoolbook product truncated to `out.len()` words.
fn mul(out: &mut [u64], a: &[u64], b: &[u64]) {
    let n = out.len();
    for (i, x) in a.iter().enumerate().take(n) {
        if *x == 0 {
            continue;
        }
        let mut carry = 0u128;
        for (j, y) in b.iter().enumerate().take(n - i) {
            let t = u128::from(out[i + j]) + u128::from(*x) * u128::from(*y) + carry;
            out[i + j] = t as u64;
            carry = t >> 64;
        }
    }
}

/// Unsigned comparison of two values of equal width.
fn cmp(a: &[u64], b: &[u64]) -> Ordering {
    a.iter().rev().cmp(b.iter().rev())
}

/// Two's complement comparison of two `width`-bit values.
fn cmp_signed(a: &[u64], b: &[u64], width: u32) -> Ordering {
    match (bit(a, width - 1), bit(b, width - 1)) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => cmp(a, b),
    }
}

fn bit(a: &[u64], i: u32) -> bool {
    (a[(i / 64) as usize] >> (i % 64)) & 1 == 1
}

fn popcount(a: &[u64]) -> u64 {
    a.iter().map(|w| u64::from(w.count_ones())).sum()
}

/// A shift amount or bit index; anything that does not fit in a `u64` is
/// past the top of every value.
fn amount(a: &[u64]) -> u64 {
    if a[1..].iter().any(|w| *w != 0) {
        u64::MAX
    } else {
        a[0]
    }
}

/// Fills `out` with the bits of `src` from bit `lo` up; bits past the end of
/// `src` read as zero.
fn extract(out: &mut [u64], src: &[u64], lo: u64) {
    let get = |i: u64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| src.get(i))
            .copied()
            .unwrap_or(0)
    };
    let (word, sh) = (lo / 64, (lo % 64) as u32);
    for (k, o) in (0u64..).zip(out.iter_mut()) {
        let i = word.saturating_add(k);
        *o = if sh == 0 {
            get(i)
        } else {
            (get(i) >> sh) | (get(i.saturating_add(1)) << (64 - sh))
        };
    }
}

/// ORs `src` into `out` starting at bit `at`; bits past the end of `out` are dropped.
fn deposit(out: &mut [u64], at: u64, src: &[u64]) {
    for (k, v) in (0u64..).zip(src) {
        let pos = at.saturating_add(64 * k);
        let Ok(w) = usize::try_from(pos / 64) else {
            return;
        };
        let sh = (pos % 64) as u32;
        if w >= out.len() {
            return;
        }
        out[w] |= v << sh;
        if sh != 0 && w + 1 < out.len() {
            out[w + 1] |= v >> (64 - sh);
        }
    }
}

/// Arithmetic shift right of a `width`-bit value.
fn sra(out: &mut [u64], a: &[u64], width: u32, amount: u64) {
    let width = u64::from(width);
    let amount = amount.min(width);
    extract(out, a, amount);
    if bit(a, (width - 1) as u32) {
        fill_ones(out, width - amount, width);
    }
}

/// Sets bits `from..to`.
fn fill_ones(out: &mut [u64], from: u64, to: u64) {
    for (i, o) in (0u64..).zip(out.iter_mut()) {
        let (lo, hi) = (i * 64, i * 64 + 64);
        let (a, b) = (from.max(lo), to.min(hi));
        if a < b {
            let n = b - a;
            let ones = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
            *o |= ones << (a - lo);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_select_past_the_last_arm_reads_zero_at_any_index() {
        // state: a 65-bit index (two words), then two one-word arms.
        let run = |index: [u64; 2]| {
            let mut state = vec![index[0], index[1], 5, 6, 0];
            let operand = |off, width| Operand { off, width };
            let insn = WideInsn {
                op: Op::Select,
                dst: 4,
                width: 8,
                args: vec![operand(0, 65), operand(2, 8), operand(3, 8)],
            };
            exec(&insn, &mut state, &mut [0]);
            state[4]
        };
        assert_eq!(run([1, 0]), 6);
        assert_eq!(run([2, 0]), 0);
        assert_eq!(run([u64::MAX, 0]), 0);
        assert_eq!(run([0, 1]), 0);
    }

    #[test]
    fn extract_and_deposit_cross_word_boundaries() {
        let src = [0xffff_0000_0000_0000u64, 0x1234];
        let mut out = [0u64; 1];
        extract(&mut out, &src, 48);
        assert_eq!(out[0], 0x1234_ffff);
        let mut wide = [0u64; 2];
        deposit(&mut wide, 60, &[0xab]);
        assert_eq!(wide, [0xb << 60, 0xa]);
    }

    #[test]
    fn fill_ones_spans_words() {
        let mut out = [0u64; 3];
        fill_ones(&mut out, 60, 130);
        assert_eq!(out, [0xf << 60, u64::MAX, 0x3]);
    }
}
