//! Rust reference models of the common blocks.

use linkforge_rtl::common::crc::CrcConfig;

/// The reference model of the `crc` block: the textbook CRC of `message`,
/// an unreflected register shifted left one bit at a time, with reflection
/// applied to each input byte and to the result. Scoreboards and tests
/// compare the block with it.
pub fn crc(cfg: &CrcConfig, message: &[u8]) -> u64 {
    let w = cfg.width;
    let mask = u64::MAX >> (64 - w);
    let mut reg = cfg.init;
    for &byte in message {
        let byte = if cfg.reflect {
            byte.reverse_bits()
        } else {
            byte
        };
        for i in (0..8).rev() {
            let feedback = (reg >> (w - 1) & 1) ^ u64::from(byte >> i & 1);
            reg = (reg << 1) & mask;
            if feedback == 1 {
                reg ^= cfg.poly;
            }
        }
    }
    if cfg.reflect {
        reg = reg.reverse_bits() >> (64 - w);
    }
    reg ^ cfg.xorout
}
