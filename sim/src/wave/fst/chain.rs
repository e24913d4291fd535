//! The value changes of one FST block as they are gathered: a table of the
//! block's times and, for every signal, its chain of changes.
//!
//! A change is a LEB128 number followed, for a vector, by its value:
//!
//! - a 1-bit signal: `delta << 2 | bit << 1` (bit 0 clear: a 0/1 value);
//! - a wider one: `delta << 1` (bit 0 clear: the value is bit-packed), then
//!   the value in `ceil(width / 8)` bytes, most significant bit first and
//!   zero-padded after the least significant one;
//!
//! where `delta` counts entries of the block's time table since the
//! signal's previous change (since the first entry, for its first change).
//! The simulator's values are two-valued, so every change takes the packed
//! form; values arrive as the simulator's 64-bit words (least significant
//! first) and are packed a word at a time.

/// The changes gathered since the last block was written.
pub(super) struct Pending {
    /// Per signal handle (0-based): its changes and the time table index of
    /// its last one.
    chains: Vec<Chain>,
    /// The times of the block, increasing.
    times: Vec<u64>,
    /// The index of the current time in `times`.
    current: u32,
    /// Bytes held in `chains`.
    bytes: usize,
}

/// One signal's changes in the current block.
#[derive(Default)]
pub(super) struct Chain {
    /// The encoded changes.
    pub data: Vec<u8>,
    /// Index in the time table of the last change (0 before the first).
    last: u32,
}

impl Pending {
    /// No changes yet, for `handles` signals.
    pub fn new(handles: usize) -> Pending {
        Pending {
            chains: (0..handles).map(|_| Chain::default()).collect(),
            times: Vec::new(),
            current: 0,
            bytes: 0,
        }
    }

    /// The block's times (empty when nothing was gathered).
    pub fn times(&self) -> &[u64] {
        &self.times
    }

    /// The chains, by handle.
    pub fn chains(&self) -> &[Chain] {
        &self.chains
    }

    /// Bytes of changes and times gathered.
    pub fn size(&self) -> usize {
        self.bytes + self.times.len() * 8
    }

    /// Starts time `time`, later than the previous one.
    #[inline]
    pub fn time(&mut self, time: u64) {
        self.current = self.times.len() as u32;
        self.times.push(time);
    }

    /// Records the new value of signal `handle` (0-based), `width` bits in
    /// the simulator's words, at the current time.
    #[inline]
    pub fn change(&mut self, handle: u32, width: u32, value: &[u64]) {
        let chain = &mut self.chains[handle as usize];
        let delta = u64::from(self.current - chain.last);
        chain.last = self.current;
        let data = &mut chain.data;
        let before = data.len();
        let (head, bytes) = match width {
            1 => (delta << 2 | (value[0] & 1) << 1, 0),
            _ => (delta << 1, width.div_ceil(8) as usize),
        };
        match varint_word(head).filter(|_| width <= 64) {
            Some((head, n)) => {
                // The number and the value in one 16-byte word appended
                // whole, then cut to length: no per-byte stores, no copy of
                // variable length.
                let packed = u64::from_le_bytes(left_aligned(value[0], width));
                let word = u128::from(head) | u128::from(packed) << (8 * n);
                data.extend_from_slice(&word.to_le_bytes());
                data.truncate(before + n + bytes);
            }
            None => {
                put_varint(data, head);
                if width > 1 {
                    pack(data, width, value);
                }
            }
        }
        self.bytes += data.len() - before;
    }

    /// Forgets the block after it was written, keeping the allocations.
    pub fn clear(&mut self) {
        for chain in &mut self.chains {
            chain.data.clear();
            chain.last = 0;
        }
        self.times.clear();
        self.current = 0;
        self.bytes = 0;
    }
}

/// `value` as unsigned LEB128 in the low bytes of a word (least
/// significant byte first) and its length, when that is at most 8 bytes.
#[inline]
fn varint_word(mut value: u64) -> Option<(u64, usize)> {
    let mut word = 0;
    for n in 0..8 {
        let byte = value & 0x7f;
        value >>= 7;
        if value == 0 {
            return Some((word | byte << (8 * n), n + 1));
        }
        word |= (byte | 0x80) << (8 * n);
    }
    None
}

/// Appends `value` as unsigned LEB128: seven bits a byte, least significant
/// first, the top bit set on every byte but the last.
#[inline]
pub(super) fn put_varint(out: &mut Vec<u8>, value: u64) {
    let mut buf = [0u8; 10];
    let n = varint_into(&mut buf, value);
    out.extend_from_slice(&buf[..n]);
}

/// Writes `value` as unsigned LEB128 at the start of `buf` (at most 10
/// bytes); returns the number of bytes.
#[inline]
fn varint_into<const N: usize>(buf: &mut [u8; N], mut value: u64) -> usize {
    let mut n = 0;
    while value >= 0x80 {
        buf[n] = value as u8 | 0x80;
        value >>= 7;
        n += 1;
    }
    buf[n] = value as u8;
    n + 1
}

/// The `width` (1 to 64) low bits of `word` moved to the top, as big-endian
/// bytes: the value bit-packed, most significant bit first, in the first
/// `ceil(width / 8)` bytes (the bits above `width` fall off).
#[inline]
fn left_aligned(word: u64, width: u32) -> [u8; 8] {
    (word << (64 - width)).to_be_bytes()
}

/// Appends `value` as signed LEB128: like [`put_varint`], ending once the
/// rest is all sign (bit 6 of the last byte carries it).
pub(super) fn put_signed_varint(out: &mut Vec<u8>, mut value: i64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

/// The `bits` low bits set.
#[inline]
fn low_bits(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// Appends the `width` low bits of `value` (words, least significant
/// first) bit-packed: `ceil(width / 8)` bytes, most significant bit first,
/// the last byte padded with zeros. Shifting the value left by the padding
/// makes that the big-endian bytes of the shifted words.
#[inline]
pub(super) fn pack(out: &mut Vec<u8>, width: u32, value: &[u64]) {
    let bytes = width.div_ceil(8) as usize;
    if width <= 64 {
        out.extend_from_slice(&left_aligned(value[0], width)[..bytes]);
        return;
    }
    let pad = bytes as u32 * 8 - width;
    let top = value.len() - 1;
    let word = |k: usize| {
        if k == top {
            value[k] & low_bits(width - 64 * top as u32)
        } else {
            value[k]
        }
    };
    // Word `k` of the value shifted left by `pad`.
    let shifted = |k: usize| {
        let carry = if k > 0 && pad > 0 {
            word(k - 1) >> (64 - pad)
        } else {
            0
        };
        word(k) << pad | carry
    };
    let top_bytes = bytes - 8 * top;
    out.extend_from_slice(&shifted(top).to_be_bytes()[8 - top_bytes..]);
    for k in (0..top).rev() {
        out.extend_from_slice(&shifted(k).to_be_bytes());
    }
}

/// The eight ASCII digits of every byte, most significant bit first.
const BYTE_DIGITS: [[u8; 8]; 256] = {
    let mut table = [[b'0'; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut bit = 0;
        while bit < 8 {
            table[byte][7 - bit] = b'0' + ((byte >> bit) & 1) as u8;
            bit += 1;
        }
        byte += 1;
    }
    table
};

/// Appends the `width` low bits of `value` as ASCII binary digits, most
/// significant bit first (the form of a block's frame): a byte at a time,
/// the odd top bits first.
pub(super) fn digits(out: &mut Vec<u8>, width: u32, value: &[u64]) {
    let bit = |i: u32| (value[(i / 64) as usize] >> (i % 64)) & 1;
    let mut i = width;
    while i % 8 != 0 {
        i -= 1;
        out.push(b'0' + bit(i) as u8);
    }
    while i > 0 {
        i -= 8;
        let byte = (value[(i / 64) as usize] >> (i % 64)) & 0xff;
        out.extend_from_slice(&BYTE_DIGITS[byte as usize]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bits of `value`, most significant first, as ASCII.
    fn reference(width: u32, value: &[u64]) -> Vec<u8> {
        (0..width)
            .rev()
            .map(|i| b'0' + ((value[(i / 64) as usize] >> (i % 64)) & 1) as u8)
            .collect()
    }

    /// Unpacks what [`pack`] wrote, as `fst-reader` and GTKWave read it.
    fn unpack(bytes: &[u8], width: u32) -> Vec<u8> {
        (0..width as usize)
            .map(|i| b'0' + ((bytes[i / 8] >> (7 - i % 8)) & 1))
            .collect()
    }

    fn pattern(words: usize, seed: u64) -> Vec<u64> {
        (0..words as u64)
            .map(|k| (seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15)).rotate_left(k as u32 * 7 + 3))
            .collect()
    }

    #[test]
    fn packing_and_digits_match_the_bits_msb_first_at_every_width() {
        for width in (1..=200u32).chain([255, 256, 257, 1000]) {
            let words = width.div_ceil(64) as usize;
            for seed in [0, u64::MAX, 0x0123_4567_89ab_cdef, 0x8000_0000_0000_0001] {
                let mut value = pattern(words, seed);
                let expected = {
                    // Only the low `width` bits count.
                    let top = words - 1;
                    let mut masked = value.clone();
                    masked[top] &= low_bits(width - 64 * top as u32);
                    reference(width, &masked)
                };
                let mut packed = Vec::new();
                pack(&mut packed, width, &value);
                assert_eq!(packed.len(), width.div_ceil(8) as usize, "width {width}");
                assert_eq!(unpack(&packed, width), expected, "width {width}");
                if width % 8 != 0 {
                    let pad = 8 - width % 8;
                    assert_eq!(packed.last().unwrap() & ((1 << pad) - 1), 0, "padding");
                }
                // `digits` reads in-range values (the simulator keeps the
                // bits above a width clear).
                let top = words - 1;
                value[top] &= low_bits(width - 64 * top as u32);
                let mut text = Vec::new();
                digits(&mut text, width, &value);
                assert_eq!(text, expected, "digits at width {width}");
            }
        }
    }

    /// Decodes one unsigned LEB128 number, as the readers do.
    fn varint(bytes: &[u8]) -> (u64, usize) {
        let mut value = 0;
        for (i, b) in bytes.iter().enumerate() {
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return (value, i + 1);
            }
        }
        panic!("unterminated");
    }

    fn signed_varint(bytes: &[u8]) -> i64 {
        let (mut value, mut shift) = (0i64, 0);
        for b in bytes {
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    value |= -1 << shift;
                }
                return value;
            }
        }
        panic!("unterminated");
    }

    #[test]
    fn varints_round_trip() {
        for v in [0u64, 1, 63, 64, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(varint(&out), (v, out.len()));
        }
        for v in [
            0i64,
            1,
            63,
            64,
            -1,
            -64,
            -65,
            1 << 40,
            (7 << 20) | 1,
            i64::MIN,
            i64::MAX,
        ] {
            let mut out = Vec::new();
            put_signed_varint(&mut out, v);
            assert_eq!(signed_varint(&out), v, "{v}");
        }
    }

    #[test]
    fn a_change_is_its_time_delta_then_the_packed_value_at_every_width() {
        for width in (2..=200u32).chain([1000]) {
            let value = pattern(width.div_ceil(64) as usize, u64::from(width));
            let mut p = Pending::new(1);
            for t in 0..200 {
                p.time(t);
            }
            p.change(0, width, &value);
            let mut expected = Vec::new();
            put_varint(&mut expected, 199 << 1);
            pack(&mut expected, width, &value);
            assert_eq!(p.chains()[0].data, expected, "width {width}");
            assert_eq!(p.size(), expected.len() + 200 * 8);
        }
    }

    #[test]
    fn changes_count_time_table_entries_since_the_last_change() {
        let mut p = Pending::new(2);
        p.time(10);
        p.change(0, 1, &[1]);
        p.change(1, 12, &[0xabc]);
        p.time(20);
        p.time(30);
        p.change(0, 1, &[0]);
        // 1-bit: delta 0, value 1; then delta 2, value 0.
        assert_eq!(p.chains()[0].data, [0b10, 2 << 2]);
        // 12 bits: delta 0, then 0xabc packed as 1010_1011 1100_0000.
        assert_eq!(p.chains()[1].data, [0, 0xab, 0xc0]);
        assert_eq!(p.times(), [10, 20, 30]);
        p.clear();
        assert!(p.times().is_empty() && p.chains()[0].data.is_empty());
        p.time(40);
        p.change(0, 1, &[1]);
        assert_eq!(p.chains()[0].data, [0b10], "deltas restart in a new block");
    }
}
