//! The instruction tape: a linear list of small, `Copy` instructions over the
//! flat `Vec<u64>` state, run in order by one `match` loop.
//!
//! Operands are word offsets into the state. Instructions other than
//! [`Insn::Wide`] work on single-word values (at most 64 bits); `sh` is
//! `64 - width` of the result, so the result mask is `u64::MAX >> sh`.
//! [`Insn::Wide`] indexes the multi-word instructions of [`super::wide`].

use super::native::NativeTape;
use super::wide::{self, WideInsn};

/// One instruction. `dst` and the operands are word offsets into the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insn {
    /// `dst = a`.
    Mov { dst: u32, a: u32 },
    /// `dst = !a`.
    Not { dst: u32, a: u32, sh: u8 },
    /// `dst = a & b`.
    And { dst: u32, a: u32, b: u32 },
    /// `dst = a | b`.
    Or { dst: u32, a: u32, b: u32 },
    /// `dst = a ^ b`.
    Xor { dst: u32, a: u32, b: u32 },
    /// Wrapping `dst = a + b`.
    Add { dst: u32, a: u32, b: u32, sh: u8 },
    /// Wrapping `dst = a - b`.
    Sub { dst: u32, a: u32, b: u32, sh: u8 },
    /// Wrapping `dst = a * b` (also replicates a value with a constant multiplier).
    Mul { dst: u32, a: u32, b: u32, sh: u8 },
    /// `dst = a == b`.
    Eq { dst: u32, a: u32, b: u32 },
    /// `dst = a != b`.
    Ne { dst: u32, a: u32, b: u32 },
    /// Unsigned `dst = a < b`.
    Lt { dst: u32, a: u32, b: u32 },
    /// Unsigned `dst = a <= b`.
    Le { dst: u32, a: u32, b: u32 },
    /// Signed `dst = a < b`; `sh` is `64 - width` of the operands.
    SignedLt { dst: u32, a: u32, b: u32, sh: u8 },
    /// Signed `dst = a <= b`; `sh` is `64 - width` of the operands.
    SignedLe { dst: u32, a: u32, b: u32, sh: u8 },
    /// `dst = (a == all ones)`; `sh` is `64 - width` of `a`.
    ReduceAnd { dst: u32, a: u32, sh: u8 },
    /// `dst = a != 0`.
    ReduceOr { dst: u32, a: u32 },
    /// `dst = parity(a)`.
    ReduceXor { dst: u32, a: u32 },
    /// `dst = a << b` (0 when `b >= 64`; the mask drops the rest).
    Shl { dst: u32, a: u32, b: u32, sh: u8 },
    /// `dst = a >> b` (0 when `b >= 64`). Also a dynamic part select.
    Shr { dst: u32, a: u32, b: u32, sh: u8 },
    /// Arithmetic `dst = a >> b` of a `64 - sh`-bit value.
    Sra { dst: u32, a: u32, b: u32, sh: u8 },
    /// `dst = a << n`.
    ShlConst { dst: u32, a: u32, n: u8, sh: u8 },
    /// `dst = (a >> n) & mask`: constant shifts and part selects within a word.
    ShrConst { dst: u32, a: u32, n: u8, sh: u8 },
    /// `dst = ((a >> n) | (a[+1] << (64 - n))) & mask`: a part select across two words.
    ShrPair { dst: u32, a: u32, n: u8, sh: u8 },
    /// Sign-extends the `64 - from` low bits of `a`, then shifts right by `n`.
    SraConst {
        dst: u32,
        a: u32,
        n: u8,
        from: u8,
        sh: u8,
    },
    /// `dst = c ? a : b`.
    Mux { dst: u32, c: u32, a: u32, b: u32 },
    /// `dst = bit n of c ? a : b`: a multiplexer controlled by one bit of a word.
    MuxBit {
        dst: u32,
        c: u32,
        n: u8,
        a: u32,
        b: u32,
    },
    /// `dst = tables[table + ((c >> lo) & (2^bits - 1))]`, a slot read in
    /// turn: a whole tree of multiplexers selecting by consecutive bits.
    Lookup {
        dst: u32,
        c: u32,
        lo: u8,
        bits: u8,
        table: u32,
    },
    /// `dst = (dst << n) | a`: one more part of a concatenation.
    ShlOr { dst: u32, a: u32, n: u8 },
    /// A multi-word instruction (index into the wide table).
    Wide(u32),
}

/// The mask of a result with `sh = 64 - width`.
#[inline(always)]
fn mask(sh: u8) -> u64 {
    u64::MAX >> sh
}

/// Sign-extends the low `64 - sh` bits of `v` to 64 bits.
#[inline(always)]
fn signed(v: u64, sh: u8) -> i64 {
    ((v << sh) as i64) >> sh
}

/// `c ? a : b` for a 1-bit `c`, without a branch: simulated selects are
/// data and would defeat the branch predictor.
#[inline(always)]
fn select(c: u64, a: u64, b: u64) -> u64 {
    let m = c.wrapping_neg();
    (a & m) | (b & !m)
}

/// A tape whose operands are all known to lie inside a state of `words`
/// words, and the form its engine runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tape {
    insns: Vec<Insn>,
    words: usize,
    code: Code,
}

/// What runs a tape: each engine's compiled form of it. An engine that
/// compiles tapes ([`crate::Engine::prepare`]) replaces the interpreter's
/// default here; [`run`] dispatches on it.
#[derive(Clone, Debug, Default)]
pub(crate) enum Code {
    /// The instructions, interpreted.
    #[default]
    Interpreted,
    /// Machine code from the native engine.
    Native(NativeTape),
}

impl Tape {
    /// Checks every operand of `insns` against a state of `words` words.
    ///
    /// # Panics
    ///
    /// When an operand is out of range: the compiler has a bug.
    pub fn new(insns: Vec<Insn>, words: usize) -> Tape {
        for insn in &insns {
            assert!(
                insn.max_word() < words,
                "{insn:?} reaches past the {words}-word state"
            );
        }
        Tape {
            insns,
            words,
            code: Code::Interpreted,
        }
    }

    /// The instructions, in order.
    pub fn insns(&self) -> &[Insn] {
        &self.insns
    }

    /// Runs `code` instead of interpreting the instructions from now on.
    pub fn set_code(&mut self, code: Code) {
        self.code = code;
    }
}

impl Insn {
    /// The highest state word the instruction touches (multi-word
    /// instructions check their own operands).
    fn max_word(&self) -> usize {
        let (dst, reads) = self.operands();
        dst.into_iter()
            .chain(reads.into_iter().flatten())
            .max()
            .unwrap_or(0) as usize
    }

    /// The word an instruction writes (none for multi-word ones, which always
    /// go through the state) and the words it reads from the state.
    pub fn operands(&self) -> (Option<u32>, [Option<u32>; 4]) {
        let mut insn = *self;
        let (dst, fields) = insn.fields();
        let dst = dst.map(|d| *d);
        let [a, b, c] = fields.map(|f| f.map(|f| *f));
        match *self {
            Insn::ShlOr { dst, a, .. } => (Some(dst), [Some(dst), Some(a), None, None]),
            Insn::ShrPair { dst, a, .. } => (Some(dst), [Some(a), Some(a + 1), None, None]),
            _ => (dst, [a, b, c, None]),
        }
    }

    /// The instruction with its destination and its single-word operands
    /// passed through `f`. The words read through a lookup table, the two
    /// words of a pair read ([`Insn::ShrPair`]) and a multi-word instruction's
    /// words stay as they are.
    pub fn renamed(mut self, f: impl Fn(u32) -> u32) -> Insn {
        let (dst, fields) = self.fields();
        for w in dst.into_iter().chain(fields.into_iter().flatten()) {
            *w = f(*w);
        }
        self
    }

    /// The destination and the single-word operand fields, in order (a
    /// pair read's first word and a table are not among them).
    fn fields(&mut self) -> (Option<&mut u32>, [Option<&mut u32>; 3]) {
        match self {
            Insn::Mov { dst, a }
            | Insn::Not { dst, a, .. }
            | Insn::ReduceAnd { dst, a, .. }
            | Insn::ReduceOr { dst, a }
            | Insn::ReduceXor { dst, a }
            | Insn::ShlConst { dst, a, .. }
            | Insn::ShrConst { dst, a, .. }
            | Insn::SraConst { dst, a, .. }
            | Insn::Lookup { dst, c: a, .. }
            | Insn::ShlOr { dst, a, .. } => (Some(dst), [Some(a), None, None]),
            Insn::ShrPair { dst, .. } => (Some(dst), [None, None, None]),
            Insn::And { dst, a, b }
            | Insn::Or { dst, a, b }
            | Insn::Xor { dst, a, b }
            | Insn::Add { dst, a, b, .. }
            | Insn::Sub { dst, a, b, .. }
            | Insn::Mul { dst, a, b, .. }
            | Insn::Eq { dst, a, b }
            | Insn::Ne { dst, a, b }
            | Insn::Lt { dst, a, b }
            | Insn::Le { dst, a, b }
            | Insn::SignedLt { dst, a, b, .. }
            | Insn::SignedLe { dst, a, b, .. }
            | Insn::Shl { dst, a, b, .. }
            | Insn::Shr { dst, a, b, .. }
            | Insn::Sra { dst, a, b, .. } => (Some(dst), [Some(a), Some(b), None]),
            Insn::Mux { dst, c, a, b } | Insn::MuxBit { dst, c, a, b, .. } => {
                (Some(dst), [Some(c), Some(a), Some(b)])
            }
            Insn::Wide(_) => (None, [None, None, None]),
        }
    }
}

/// Runs `tape` over `s`. `wide` holds the multi-word instructions, `tables`
/// the lookup tables, and `scratch` is at least as long as the widest
/// multi-word result.
///
/// # Panics
///
/// When `s` is shorter than the state the tape was checked against.
#[inline]
pub(crate) fn run(
    tape: &Tape,
    wide: &[WideInsn],
    tables: &[u32],
    s: &mut [u64],
    scratch: &mut [u64],
) {
    assert!(s.len() >= tape.words, "state shorter than the tape's");
    match &tape.code {
        Code::Interpreted => interpret(tape, wide, tables, s, scratch),
        Code::Native(native) => {
            if !native.run(&tape.insns, s, scratch) {
                interpret(tape, wide, tables, s, scratch)
            }
        }
    }
}

/// Interprets `tape`'s instructions over `s` (see [`run`]).
fn interpret(tape: &Tape, wide: &[WideInsn], tables: &[u32], s: &mut [u64], scratch: &mut [u64]) {
    // SAFETY (both macros): `Tape::new` checked every word an instruction
    // touches against `tape.words`, and `s` is at least that long.
    macro_rules! ld {
        ($i:expr) => {
            unsafe { *s.get_unchecked($i as usize) }
        };
    }
    macro_rules! st {
        ($i:expr, $v:expr) => {{
            let v = $v;
            unsafe { *s.get_unchecked_mut($i as usize) = v }
        }};
    }
    for insn in &tape.insns {
        match *insn {
            Insn::Mov { dst, a } => st!(dst, ld!(a)),
            Insn::Not { dst, a, sh } => st!(dst, !ld!(a) & mask(sh)),
            Insn::And { dst, a, b } => st!(dst, ld!(a) & ld!(b)),
            Insn::Or { dst, a, b } => st!(dst, ld!(a) | ld!(b)),
            Insn::Xor { dst, a, b } => st!(dst, ld!(a) ^ ld!(b)),
            Insn::Add { dst, a, b, sh } => st!(dst, ld!(a).wrapping_add(ld!(b)) & mask(sh)),
            Insn::Sub { dst, a, b, sh } => st!(dst, ld!(a).wrapping_sub(ld!(b)) & mask(sh)),
            Insn::Mul { dst, a, b, sh } => st!(dst, ld!(a).wrapping_mul(ld!(b)) & mask(sh)),
            Insn::Eq { dst, a, b } => st!(dst, u64::from(ld!(a) == ld!(b))),
            Insn::Ne { dst, a, b } => st!(dst, u64::from(ld!(a) != ld!(b))),
            Insn::Lt { dst, a, b } => st!(dst, u64::from(ld!(a) < ld!(b))),
            Insn::Le { dst, a, b } => st!(dst, u64::from(ld!(a) <= ld!(b))),
            Insn::SignedLt { dst, a, b, sh } => {
                st!(dst, u64::from(signed(ld!(a), sh) < signed(ld!(b), sh)))
            }
            Insn::SignedLe { dst, a, b, sh } => {
                st!(dst, u64::from(signed(ld!(a), sh) <= signed(ld!(b), sh)))
            }
            Insn::ReduceAnd { dst, a, sh } => st!(dst, u64::from(ld!(a) == mask(sh))),
            Insn::ReduceOr { dst, a } => st!(dst, u64::from(ld!(a) != 0)),
            Insn::ReduceXor { dst, a } => st!(dst, u64::from(ld!(a).count_ones() & 1)),
            Insn::Shl { dst, a, b, sh } => {
                let n = ld!(b);
                st!(dst, if n >= 64 { 0 } else { (ld!(a) << n) & mask(sh) })
            }
            Insn::Shr { dst, a, b, sh } => {
                let n = ld!(b);
                st!(dst, if n >= 64 { 0 } else { (ld!(a) >> n) & mask(sh) })
            }
            Insn::Sra { dst, a, b, sh } => {
                let n = ld!(b).min(63);
                st!(dst, (signed(ld!(a), sh) >> n) as u64 & mask(sh))
            }
            Insn::ShlConst { dst, a, n, sh } => st!(dst, (ld!(a) << n) & mask(sh)),
            Insn::ShrConst { dst, a, n, sh } => st!(dst, (ld!(a) >> n) & mask(sh)),
            Insn::ShrPair { dst, a, n, sh } => {
                st!(dst, ((ld!(a) >> n) | (ld!(a + 1) << (64 - n))) & mask(sh))
            }
            Insn::SraConst {
                dst,
                a,
                n,
                from,
                sh,
            } => st!(dst, (signed(ld!(a), from) >> n) as u64 & mask(sh)),
            Insn::Mux { dst, c, a, b } => st!(dst, select(ld!(c), ld!(a), ld!(b))),
            Insn::MuxBit { dst, c, n, a, b } => {
                st!(dst, select((ld!(c) >> n) & 1, ld!(a), ld!(b)))
            }
            Insn::ShlOr { dst, a, n } => st!(dst, (ld!(dst) << n) | ld!(a)),
            Insn::Lookup {
                dst,
                c,
                lo,
                bits,
                table,
            } => {
                let index = (ld!(c) >> lo) & ((1 << bits) - 1);
                st!(dst, s[tables[table as usize + index as usize] as usize])
            }
            Insn::Wide(i) => wide::exec(&wide[i as usize], s, scratch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "reaches past")]
    fn tapes_reject_operands_outside_the_state() {
        Tape::new(
            vec![Insn::ShrPair {
                dst: 0,
                a: 1,
                n: 4,
                sh: 0,
            }],
            2,
        );
    }

    #[test]
    fn single_word_instructions_mask_their_results() {
        let mut s = vec![0xff, 0x01, 0, 0, 0, 0];
        let tape = [
            Insn::Add {
                dst: 2,
                a: 0,
                b: 1,
                sh: 56,
            },
            Insn::Sra {
                dst: 3,
                a: 0,
                b: 1,
                sh: 56,
            },
            Insn::SignedLt {
                dst: 4,
                a: 0,
                b: 1,
                sh: 56,
            },
            Insn::ShrPair {
                dst: 5,
                a: 0,
                n: 60,
                sh: 56,
            },
        ];
        run(
            &Tape::new(tape.to_vec(), s.len()),
            &[],
            &[],
            &mut s,
            &mut [],
        );
        assert_eq!(&s[2..], &[0x00, 0xff, 1, 0x10]);
    }
}
