//! The xorshift64 generator: the seeded, deterministic stimulus source of
//! `linkforge sim`, the benchmark harnesses and the tests.

use linkforge_hdl::{words_for, Bits};

/// One step of xorshift64 (`x ^= x << 13; x ^= x >> 7; x ^= x << 17`).
#[inline]
pub fn xorshift64(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// An endless stream of xorshift64 words. A zero seed is replaced by one
/// (zero is the generator's fixed point).
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// The stream started from `seed`.
    pub fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    /// The next word.
    pub fn word(&mut self) -> u64 {
        self.0 = xorshift64(self.0);
        self.0
    }

    /// The next `width`-bit value (one word per 64 bits).
    pub fn bits(&mut self, width: u32) -> Bits {
        let words: Vec<u64> = (0..words_for(width)).map(|_| self.word()).collect();
        Bits::from_words(&words, width)
    }
}

impl Iterator for XorShift {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        Some(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_xorshift64_and_never_stuck_at_zero() {
        let mut s = XorShift::new(1);
        assert_eq!(s.word(), xorshift64(1));
        assert_eq!(XorShift::new(0).word(), xorshift64(1));
        assert_eq!(s.bits(70).width(), 70);
    }
}
