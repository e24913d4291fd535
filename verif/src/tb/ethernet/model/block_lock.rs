//! The Rust reference of `eth_block_lock`: the lock state machine of IEEE
//! 802.3 figure 49-12 (lock after 64 valid sync headers in a row; a slip
//! at the 16th invalid header among 64 once locked, at any invalid one
//! before).

use linkforge_rtl::ethernet::block_lock::BlockLockConfig;

/// Sync headers tested per window (`sh_cnt` reaching 64).
const WINDOW: u64 = 64;
/// Invalid headers in a window that lose lock (`sh_invalid_cnt` = 16).
const LOSS_INVALID: u64 = 16;

/// The reference model of the block lock state machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Model {
    /// `block_lock`.
    pub locked: bool,
    tested: u64,
    invalid: u64,
    wait: u32,
}

impl Model {
    /// Out of reset: no lock.
    pub fn new() -> Self {
        Self::default()
    }

    /// One block with header `hdr`; whether it makes the receiver slip.
    pub fn block(&mut self, cfg: &BlockLockConfig, hdr: u64) -> bool {
        if self.wait > 0 {
            self.wait -= 1;
            return false;
        }
        let valid = hdr == 0b01 || hdr == 0b10;
        self.tested += 1;
        if !valid {
            self.invalid += 1;
            if !self.locked || self.invalid == LOSS_INVALID {
                self.locked = false;
                self.tested = 0;
                self.invalid = 0;
                self.wait = cfg.slip_wait;
                return true;
            }
        }
        if self.tested == WINDOW {
            self.locked |= self.invalid == 0;
            self.tested = 0;
            self.invalid = 0;
        }
        false
    }
}
