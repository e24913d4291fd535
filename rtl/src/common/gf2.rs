//! Linear maps over GF(2), worked out at elaboration time: LFSRs and CRCs
//! run their bit-serial algorithm once on symbolic bits, then emit one XOR
//! tree per output bit.

use linkforge_hdl::prelude::*;

/// A sum (XOR) of input variables: bit `i` set means variable `i` is a term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Terms(Vec<u64>);

impl Terms {
    /// No terms: the constant 0, over `vars` variables.
    pub(crate) fn zero(vars: u32) -> Self {
        Terms(vec![0; (vars as usize).div_ceil(64).max(1)])
    }

    /// The single variable `i` of `vars`.
    pub(crate) fn var(vars: u32, i: u32) -> Self {
        let mut t = Terms::zero(vars);
        t.0[(i / 64) as usize] |= 1 << (i % 64);
        t
    }

    /// `self ^= other`.
    pub(crate) fn add(&mut self, other: &Terms) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a ^= b;
        }
    }

    /// The value of the sum for inputs `values` (little-endian words).
    pub(crate) fn eval(&self, values: &[u64]) -> bool {
        self.0
            .iter()
            .zip(values)
            .fold(0, |acc, (t, v)| acc ^ (t & v).count_ones())
            % 2
            == 1
    }

    /// The sum as hardware: the XOR of the selected bits of `src`, whose bit
    /// `i` is variable `i`.
    pub(crate) fn expr(&self, src: &Expr) -> Expr {
        let ones: Vec<u32> = (0..src.width())
            .filter(|&i| {
                self.0
                    .get((i / 64) as usize)
                    .is_some_and(|w| w >> (i % 64) & 1 == 1)
            })
            .collect();
        match ones.as_slice() {
            [] => lit(0, 1),
            [i] => src.clone().bit(*i),
            _ => (src.clone() & constant(Bits::from_words(&self.0, src.width()))).parity(),
        }
    }
}

/// Each bit of a vector of sums, most significant first, as one expression.
pub(crate) fn vector_expr(bits: &[Terms], src: &Expr) -> Expr {
    concat(bits.iter().rev().map(|t| t.expr(src)).collect())
}
