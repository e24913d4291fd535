//! The Rust reference of `eth_block_lock`.

use linkforge_rtl::ethernet::block_lock::{BlockLockConfig, LOSS_INVALID, WINDOW};

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
