//! The Rust reference of `eth_fcs`: the frame check sequence (CRC-32) of
//! a frame, and the block's framing and checks over an XGMII stream
//! ([`Monitor`], by the framing rules of `linkforge_rtl::ethernet::fcs`).

use crate::tb::common::model;
use linkforge_rtl::common::crc::CrcConfig;

/// XGMII start and terminate (IEEE 802.3 Table 46-3).
const START: u8 = 0xFB;
const TERMINATE: u8 = 0xFD;

/// The FCS of IEEE 802.3 3.2.9: CRC-32 with generator 04C11DB7h, register
/// preset to ones, bits taken least significant first, the result
/// complemented and sent least significant bit first.
const FCS_CRC: CrcConfig = CrcConfig {
    width: 32,
    poly: 0x04C1_1DB7,
    init: 0xFFFF_FFFF,
    xorout: 0xFFFF_FFFF,
    reflect: true,
    bytes: 1,
};

/// Bytes of the FCS.
const FCS_BYTES: usize = 4;

/// How a frame ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameEnd {
    /// Terminated, ending in its own correct FCS.
    Good(Vec<u8>),
    /// Terminated with a wrong FCS.
    FcsError(Vec<u8>),
    /// Cut short by a control character other than terminate.
    Aborted,
}

/// The FCS of `bytes`: the CRC-32 to append, least significant byte first.
pub fn fcs(bytes: &[u8]) -> u32 {
    model::crc(&FCS_CRC, bytes) as u32
}

/// `bytes` followed by their FCS.
pub fn with_fcs(bytes: &[u8]) -> Vec<u8> {
    let mut v = bytes.to_vec();
    v.extend_from_slice(&fcs(bytes).to_le_bytes());
    v
}

/// Whether `frame` ends in its own correct FCS.
pub fn fcs_ok(frame: &[u8]) -> bool {
    frame.len() >= FCS_BYTES && {
        let (body, tail) = frame.split_at(frame.len() - FCS_BYTES);
        fcs(body).to_le_bytes() == tail
    }
}

/// The reference model of the block's framing and checks.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    /// In a frame: its bytes so far, and whether the next word's data
    /// starts at lane 4.
    frame: Option<(Vec<u8>, bool)>,
}

impl Monitor {
    /// Outside any frame.
    pub fn new() -> Self {
        Self::default()
    }

    /// One XGMII word; the frame it ends, if any.
    pub fn word(&mut self, d: u64, c: u8) -> Option<FrameEnd> {
        let byte = |j: u32| (d >> (8 * j)) as u8;
        let ctl = |j: u32| c >> j & 1 == 1;
        let Some((mut bytes, lane4)) = self.frame.take() else {
            if ctl(0) && byte(0) == START {
                self.frame = Some((Vec::new(), false));
            } else if ctl(4) && byte(4) == START {
                self.frame = Some((Vec::new(), true));
            }
            return None;
        };
        for j in if lane4 { 4 } else { 0 }..8 {
            if !ctl(j) {
                bytes.push(byte(j));
            } else if byte(j) == TERMINATE {
                return Some(if fcs_ok(&bytes) {
                    FrameEnd::Good(bytes)
                } else {
                    FrameEnd::FcsError(bytes)
                });
            } else {
                return Some(FrameEnd::Aborted);
            }
        }
        self.frame = Some((bytes, false));
        None
    }
}
