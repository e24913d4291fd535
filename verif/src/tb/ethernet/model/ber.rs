//! The Rust reference of `eth_ber_monitor`: the BER monitor of IEEE 802.3
//! figure 49-13 (`hi_ber` at 16 invalid sync headers within one window,
//! 125 us at 10GBASE-R; the window's length in blocks is the config's).

use linkforge_rtl::ethernet::ber::BerConfig;

/// Invalid sync headers within one window that raise `hi_ber`
/// (`ber_cnt` = 16).
const HI_BER_INVALID: u32 = 16;

/// The reference model of the BER monitor, one clock edge at a time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// `hi_ber`.
    pub hi_ber: bool,
    /// Blocks of the current window so far.
    timer: u32,
    /// Invalid headers in the current window so far (at most 16).
    invalid: u32,
}

impl Model {
    /// Out of reset.
    pub fn new() -> Self {
        Self::default()
    }

    /// One edge: a block with header `hdr` when `valid`, and the lock level.
    pub fn edge(&mut self, cfg: &BerConfig, valid: bool, hdr: u64, lock: bool) {
        if !lock {
            *self = Model::new();
            return;
        }
        if !valid {
            return;
        }
        if hdr != 0b01 && hdr != 0b10 && self.invalid < HI_BER_INVALID {
            self.invalid += 1;
        }
        let reached = self.invalid == HI_BER_INVALID;
        self.hi_ber |= reached;
        self.timer += 1;
        if self.timer == cfg.window {
            self.hi_ber = reached;
            self.timer = 0;
            self.invalid = 0;
        }
    }
}
