//! The Rust reference of `eth_scrambler` and `eth_descrambler`.

use linkforge_rtl::ethernet::scrambler::{Direction, STATE, TAPS};

/// The reference model: the serial scrambler of 802.3 figure 49-8.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// Line bits, bit 0 the latest (58 bits used).
    s: u64,
}

impl Model {
    /// A register of zeros.
    pub fn new() -> Self {
        Self::default()
    }

    /// One payload through the scrambler or descrambler, bit 0 first.
    pub fn apply(&mut self, dir: Direction, payload: u64) -> u64 {
        let mask = (1u64 << STATE) - 1;
        (0..64).fold(0, |out, i| {
            let bit = payload >> i & 1;
            let o = bit ^ (self.s >> (TAPS[0] - 1) & 1) ^ (self.s >> (TAPS[1] - 1) & 1);
            let line = match dir {
                Direction::Scramble => o,
                Direction::Descramble => bit,
            };
            self.s = (self.s << 1 | line) & mask;
            out | o << i
        })
    }
}
