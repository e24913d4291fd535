//! Fixed-width bit vectors of any width, used for constants and reset values.

use std::fmt;

/// The widest signal the HDL accepts, in bits.
pub const MAX_WIDTH: u32 = 65_536;

/// A value of an exact width, stored as little-endian 64-bit words.
///
/// Bits above `width` are always zero, so two equal values compare equal.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bits {
    width: u32,
    words: Vec<u64>,
}

/// Number of 64-bit words that hold `width` bits.
pub fn words_for(width: u32) -> usize {
    (width as usize).div_ceil(64)
}

/// Number of bits needed to index `n` distinct things (at least 1).
///
/// `bits_for(1) == 1`, `bits_for(2) == 1`, `bits_for(5) == 3`.
pub fn bits_for(n: usize) -> u32 {
    if n <= 2 {
        1
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

impl Bits {
    /// All-zero value of `width` bits.
    pub fn zero(width: u32) -> Self {
        Bits {
            width,
            words: vec![0; words_for(width).max(1)],
        }
    }

    /// All-one value of `width` bits.
    pub fn ones(width: u32) -> Self {
        let mut b = Bits {
            width,
            words: vec![u64::MAX; words_for(width).max(1)],
        };
        b.mask_top();
        b
    }

    /// `value` as a `width`-bit vector, or `None` when it does not fit.
    pub fn from_u64(value: u64, width: u32) -> Option<Self> {
        if width < 64 && value >> width != 0 {
            return None;
        }
        let mut b = Bits::zero(width);
        b.words[0] = value;
        Some(b)
    }

    /// `value` truncated to `width` bits.
    pub fn from_u64_wrapping(value: u64, width: u32) -> Self {
        let mut b = Bits::zero(width);
        b.words[0] = value;
        b.mask_top();
        b
    }

    /// Builds a value from little-endian words; bits above `width` are dropped.
    pub fn from_words(words: &[u64], width: u32) -> Self {
        let mut b = Bits::zero(width);
        for (dst, src) in b.words.iter_mut().zip(words) {
            *dst = *src;
        }
        b.mask_top();
        b
    }

    /// Width in bits.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The little-endian words (bits above `width` are zero).
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The low 64 bits.
    pub fn low_u64(&self) -> u64 {
        self.words[0]
    }

    /// The value as a `u64` when it fits in 64 bits.
    pub fn to_u64(&self) -> Option<u64> {
        if self.words[1..].iter().any(|w| *w != 0) {
            None
        } else {
            Some(self.words[0])
        }
    }

    /// Bit `i` (bit 0 is the least significant).
    pub fn bit(&self, i: u32) -> bool {
        i < self.width && (self.words[(i / 64) as usize] >> (i % 64)) & 1 == 1
    }

    /// Sets bit `i` to `v`; bits at or above `width` are ignored.
    pub fn set_bit(&mut self, i: u32, v: bool) {
        if i >= self.width {
            return;
        }
        let w = &mut self.words[(i / 64) as usize];
        if v {
            *w |= 1 << (i % 64);
        } else {
            *w &= !(1 << (i % 64));
        }
    }

    /// The `width`-bit field starting at bit `lo` (`width` at most 64; bits
    /// past the value's width read 0).
    pub fn field(&self, lo: u32, width: u32) -> u64 {
        (0..width.min(64)).fold(0, |acc, i| acc | (u64::from(self.bit(lo + i)) << i))
    }

    /// Writes the low `width` bits of `value` (`width` at most 64) at bit `lo`.
    pub fn set_field(&mut self, lo: u32, width: u32, value: u64) {
        for i in 0..width.min(64) {
            self.set_bit(lo + i, (value >> i) & 1 == 1);
        }
    }

    /// True when every bit is zero.
    pub fn is_zero(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    fn mask_top(&mut self) {
        let used = words_for(self.width);
        for w in self.words.iter_mut().skip(used) {
            *w = 0;
        }
        if self.width % 64 != 0 && used > 0 {
            self.words[used - 1] &= (1u64 << (self.width % 64)) - 1;
        }
        if self.width == 0 {
            self.words[0] = 0;
        }
    }

    /// Hexadecimal digits, most significant first, without leading zeros.
    pub fn to_hex(&self) -> String {
        let mut s = String::new();
        for w in self.words.iter().rev() {
            if s.is_empty() {
                if *w != 0 {
                    s = format!("{w:x}");
                }
            } else {
                s.push_str(&format!("{w:016x}"));
            }
        }
        if s.is_empty() {
            s.push('0');
        }
        s
    }
}

impl fmt::Debug for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}'h{}", self.width, self.to_hex())
    }
}

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_u64_rejects_values_that_do_not_fit() {
        assert!(Bits::from_u64(255, 8).is_some());
        assert!(Bits::from_u64(256, 8).is_none());
        assert!(Bits::from_u64(u64::MAX, 64).is_some());
        assert_eq!(Bits::from_u64_wrapping(0x1ff, 8).low_u64(), 0xff);
    }

    #[test]
    fn wide_values_keep_every_word_and_mask_the_top() {
        let b = Bits::from_words(&[u64::MAX, u64::MAX], 100);
        assert_eq!(b.words(), &[u64::MAX, (1 << 36) - 1]);
        assert_eq!(b, Bits::ones(100));
        assert_eq!(b.to_hex(), "fffffffffffffffffffffffff");
        assert!(b.bit(99) && !b.bit(100));
        assert_eq!(b.to_u64(), None);
    }

    #[test]
    fn fields_read_back_across_word_boundaries() {
        let mut b = Bits::zero(130);
        b.set_field(60, 10, 0x2a5);
        b.set_field(125, 5, 0x1f);
        assert_eq!(b.field(60, 10), 0x2a5);
        assert_eq!(b.field(125, 8), 0x1f);
        assert_eq!(b.field(0, 60), 0);
    }

    #[test]
    fn bits_for_counts_index_bits() {
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(2), 1);
        assert_eq!(bits_for(4), 2);
        assert_eq!(bits_for(5), 3);
        assert_eq!(bits_for(64), 6);
    }
}
