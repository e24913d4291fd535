//! Rust reference of the card's bridges (`xgmii_to_switch`,
//! `switch_to_xgmii`): the header word a frame crosses the switch under,
//! the frame a packet carries back, and the switch windows that claim MAC
//! addresses.

use linkforge_rtl::card::bridge::BEAT_BYTES;
use linkforge_rtl::switch::tlp;

/// A MAC address (the first byte sent most significant) as 48 bits.
pub fn mac(bytes: [u8; 6]) -> u64 {
    bytes.iter().fold(0, |a, &b| a << 8 | u64::from(b))
}

/// The prefetchable window (in the switch's units, address bits 63:20)
/// claiming the MAC addresses `lo..=hi`, each rounded to its block of 16.
pub fn mac_window(lo: u64, hi: u64) -> (u64, u64) {
    (lo >> 4, hi >> 4)
}

/// The header word `xgmii_to_switch` puts before `frame` (at least 6 bytes:
/// it reads the destination MAC address).
pub fn header(frame: &[u8]) -> u64 {
    let mut dst = [0u8; 6];
    dst.copy_from_slice(&frame[..6]);
    let beats = frame.len().div_ceil(BEAT_BYTES) as u64;
    let tail = (frame.len() - (beats as usize - 1) * BEAT_BYTES) as u64;
    tlp::mem_write(mac(dst) >> 4 << 20, beats) | tail << 16
}

/// The frame a packet carries: its payload beats' bytes, the last beat cut
/// to the header's count, as `switch_to_xgmii` sends it.
pub fn frame_of(header: u64, payload: &[u64]) -> Vec<u8> {
    let tail = match header >> 16 & 0xF {
        t @ 1..=8 => t as usize,
        _ => BEAT_BYTES,
    };
    let mut bytes: Vec<u8> = payload.iter().flat_map(|w| w.to_le_bytes()).collect();
    if !payload.is_empty() {
        bytes.truncate(bytes.len() - BEAT_BYTES + tail);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_rtl::switch::tlp::Class;

    #[test]
    fn headers_carry_the_mac_length_and_tail() {
        let mut frame = vec![0x0A, 0, 0, 0, 0x12, 0x34];
        frame.resize(69, 0xAB);
        let h = header(&frame);
        assert_eq!(tlp::class_of(h), Some(Class::Posted));
        assert_eq!(tlp::payload_beats(h), 9);
        assert_eq!(h >> 16 & 0xF, 5);
        assert_eq!(h >> 20, 0x00A0_0000_0123);
        let words: Vec<u64> = frame
            .chunks(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                u64::from_le_bytes(b)
            })
            .collect();
        assert_eq!(frame_of(h, &words), frame);
        assert_eq!(
            mac_window(0x0A00_0000_1230, 0x0A00_0000_123F),
            (h >> 20, h >> 20)
        );
    }
}
