//! A serial line as a queue of bits: what one end sends comes out at the
//! other end in order, with random bit errors at a chosen mean interval
//! and bit slips (a bit lost or a bit added) on request. Words go in and
//! out bit 0 first. Used to test line codes and block lock (64b/66b).

use super::xorshift::XorShift;
use std::collections::VecDeque;

/// A serial channel.
#[derive(Clone, Debug)]
pub struct SerialChannel {
    bits: VecDeque<bool>,
    rng: XorShift,
    /// Mean bits between errors (0: no errors).
    error_interval: u64,
    /// Bits to send before the next error.
    until_error: u64,
    /// Sent bits still to be dropped by a slip.
    drop: u32,
    /// Bits flipped so far.
    pub errors: u64,
    /// Slips made so far.
    pub slips: u64,
}

impl SerialChannel {
    /// A channel with `offset` random bits already on the line (the
    /// receiver's unknown starting offset), without errors.
    pub fn new(seed: u64, offset: usize) -> Self {
        let mut rng = XorShift::new(seed);
        let bits = (0..offset).map(|_| rng.word() & 1 == 1).collect();
        SerialChannel {
            bits,
            rng,
            error_interval: 0,
            until_error: 0,
            drop: 0,
            errors: 0,
            slips: 0,
        }
    }

    /// From now on flip one bit every `interval` bits on average (each gap
    /// uniform in 1..=2*interval-1); 0 stops the errors.
    pub fn set_error_interval(&mut self, interval: u64) {
        self.error_interval = interval;
        self.until_error = self.gap();
    }

    fn gap(&mut self) -> u64 {
        match self.error_interval {
            0 => 0,
            i => 1 + self.rng.word() % (2 * i - 1).max(1),
        }
    }

    /// Sends the low `n` bits of `word`, bit 0 first.
    pub fn send(&mut self, word: u64, n: u32) {
        for i in 0..n {
            if self.drop > 0 {
                self.drop -= 1;
                continue;
            }
            let mut bit = word >> i & 1 == 1;
            if self.error_interval > 0 {
                self.until_error -= 1;
                if self.until_error == 0 {
                    bit = !bit;
                    self.errors += 1;
                    self.until_error = self.gap();
                }
            }
            self.bits.push_back(bit);
        }
    }

    /// A bit slip at the sending end: the next bit sent is lost, or (with
    /// `add`) a random bit is sent before it.
    pub fn slip(&mut self, add: bool) {
        if add {
            let bit = self.rng.word() & 1 == 1;
            self.bits.push_back(bit);
        } else {
            self.drop += 1;
        }
        self.slips += 1;
    }

    /// The next `n` received bits (at most 64) as a word, bit 0 first; bits
    /// not yet sent read as 0.
    pub fn receive(&mut self, n: u32) -> u64 {
        (0..n).fold(0, |w, i| {
            w | u64::from(self.bits.pop_front().unwrap_or(false)) << i
        })
    }

    /// Bits sent and not yet received.
    pub fn in_flight(&self) -> usize {
        self.bits.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_arrive_in_order_after_the_offset_and_slips_move_them() {
        let mut c = SerialChannel::new(7, 3);
        c.receive(3);
        c.send(0b1011, 4);
        assert_eq!(c.receive(4), 0b1011);
        c.slip(false);
        c.send(0b0110, 4);
        assert_eq!(c.receive(3), 0b011);
        c.slip(true);
        c.send(0b1, 1);
        c.receive(1);
        assert_eq!(c.receive(1), 1);
        assert_eq!((c.slips, c.errors), (2, 0));
    }

    #[test]
    fn errors_come_at_the_mean_interval() {
        let mut c = SerialChannel::new(1, 0);
        c.set_error_interval(100);
        for _ in 0..10_000 {
            c.send(0, 64);
            c.receive(64);
        }
        let flips = c.errors as f64;
        assert!((5_400.0..7_400.0).contains(&flips), "{flips}");
    }
}
