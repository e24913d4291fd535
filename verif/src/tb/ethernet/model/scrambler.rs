//! The Rust reference of `eth_scrambler` and `eth_descrambler`, written from
//! IEEE 802.3 49.2.6 and sharing nothing with the generators: the
//! self-synchronizing scrambler of polynomial G(x) = 1 + x^39 + x^58
//! (figure 49-8), bit by bit, payload bit 0 first. Each line bit is the
//! data bit xor the line bits 39 and 58 places before it; the descrambler
//! computes the same from the received line bits.

use linkforge_rtl::ethernet::scrambler::Direction;

/// The exponents of G(x) after the constant term: how many bits back on
/// the line the two feedback bits are.
const DELAYS: [u32; 2] = [39, 58];

/// The reference model: the last 64 line bits, bit `k` the one `k + 1`
/// places back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Model {
    line: u64,
}

impl Model {
    /// A register of zeros.
    pub fn new() -> Self {
        Self::default()
    }

    /// One payload through the scrambler or descrambler, bit 0 first.
    pub fn apply(&mut self, dir: Direction, payload: u64) -> u64 {
        (0..64).fold(0, |out, i| {
            let bit = payload >> i & 1;
            let feedback = DELAYS.iter().fold(0, |f, d| f ^ self.line >> (d - 1) & 1);
            let o = bit ^ feedback;
            let line = match dir {
                Direction::Scramble => o,
                Direction::Descramble => bit,
            };
            self.line = self.line << 1 | line;
            out | o << i
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The impulse response from a zero register: a single 1 then zeros
    /// scramble into the power series of 1 / G(x), whose coefficient of
    /// x^(39a + 58b) is the binomial C(a + b, a) mod 2. Up to x^191:
    /// 0, 39, 58, 78, 116, 117, 136, 155, 156, 174 (x^97 = x^(39+58) has
    /// C(2, 1) = 2 and cancels; x^175 has C(4, 1) = 4 and cancels).
    #[test]
    fn the_impulse_response_is_the_series_of_one_over_g() {
        let ones = [0u32, 39, 58, 78, 116, 117, 136, 155, 156, 174];
        let mut want = [0u64; 3];
        for b in ones {
            want[(b / 64) as usize] |= 1 << (b % 64);
        }
        let mut s = Model::new();
        let got: Vec<u64> = [1, 0, 0]
            .iter()
            .map(|&p| s.apply(Direction::Scramble, p))
            .collect();
        assert_eq!(got, want);
        let mut d = Model::new();
        let back: Vec<u64> = got
            .iter()
            .map(|&p| d.apply(Direction::Descramble, p))
            .collect();
        assert_eq!(back, [1, 0, 0]);
    }
}
