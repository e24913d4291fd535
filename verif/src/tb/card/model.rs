//! Rust reference of the card's bridges (`xgmii_to_switch`,
//! `switch_to_xgmii`): the TLP header a frame crosses the switch under,
//! the frame a packet carries back, and the switch windows that claim MAC
//! addresses.

use crate::tb::switch::tlp;

/// A MAC address (the first byte sent most significant) as 48 bits.
pub fn mac(bytes: [u8; 6]) -> u64 {
    bytes.iter().fold(0, |a, &b| a << 8 | u64::from(b))
}

/// The prefetchable window (in the switch's units, address bits 63:20)
/// claiming the MAC addresses `lo..=hi`, each rounded to its block of 16.
pub fn mac_window(lo: u64, hi: u64) -> (u64, u64) {
    (lo >> 4, hi >> 4)
}

/// The 4-DW MWr header `xgmii_to_switch` puts before `frame` (at least 6
/// bytes: it reads the destination MAC address): the MAC address shifted
/// left by 16 as the address, Length the frame's DWs, the last DW's byte
/// enables its bytes.
pub fn header(frame: &[u8]) -> [u32; 4] {
    let mut dst = [0u8; 6];
    dst.copy_from_slice(&frame[..6]);
    let dws = frame.len().div_ceil(4);
    let mut t = tlp::mem_write(mac(dst) << 16, 0, 0, &vec![0; dws]);
    let last_bytes = frame.len() - (dws - 1) * 4;
    // The encoder enables every byte; the last DW holds `last_bytes`.
    t[1] = t[1] & !0xF0 | ((1 << last_bytes) - 1) << 4;
    [t[0], t[1], t[2], t[3]]
}

/// The frame a packet carries: its payload beats' bytes (after the two
/// header beats), cut to what Length and the last DW's byte enables say,
/// as `switch_to_xgmii` sends it.
pub fn frame_of(header: &[u32; 4], payload: &[u64]) -> Vec<u8> {
    let f = tlp::decode(header);
    let last_bytes = match header[1] >> 4 & 0xF {
        0b0001 => 1,
        0b0011 => 2,
        0b0111 => 3,
        _ => 4,
    };
    let mut bytes: Vec<u8> = payload.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.truncate((f.length as usize - 1) * 4 + last_bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tb::switch::tlp::Class;

    #[test]
    fn headers_carry_the_mac_length_and_byte_enables() {
        let mut frame = vec![0x0A, 0, 0, 0, 0x12, 0x34];
        frame.resize(69, 0xAB);
        let h = header(&frame);
        let f = tlp::decode(&h);
        assert_eq!(f.class(), Some(Class::Posted));
        // Fmt 011b (4 DW with data), Type 00000b, Length 18 DW.
        assert_eq!(h[0], 0x6000_0012);
        // The last DW holds one byte: last DW byte enables 0001b.
        assert_eq!(h[1], 0x0000_001F);
        assert_eq!(f.address, 0x0A00_0000_1234_0000);
        let words: Vec<u64> = frame
            .chunks(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                u64::from_le_bytes(b)
            })
            .collect();
        assert_eq!(frame_of(&h, &words), frame);
        assert_eq!(
            mac_window(0x0A00_0000_1230, 0x0A00_0000_123F),
            (f.address >> 20, f.address >> 20)
        );
    }
}
