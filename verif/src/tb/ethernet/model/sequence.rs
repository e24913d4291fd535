//! The Rust references of `eth_tx_sequence` and `eth_rx_sequence`: the
//! Clause 49 state machines (`linkforge_rtl::ethernet::sequence::next`)
//! one block at a time.

use super::codec::encode;
use linkforge_rtl::ethernet::codec::{BlockType, ERROR_BLOCK, ERROR_WORD};
use linkforge_rtl::ethernet::sequence::{next, RxBlock, State};
use linkforge_rtl::ethernet::{HDR_CONTROL, LOCAL_FAULT_C, LOCAL_FAULT_D};

/// The transmit machine's reference model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxModel {
    /// The state.
    pub state: State,
}

impl Default for TxModel {
    fn default() -> Self {
        TxModel { state: State::Init }
    }
}

impl TxModel {
    /// Out of reset.
    pub fn new() -> Self {
        Self::default()
    }

    /// One block `(header, payload)` of type `ty`: the block sent, and
    /// whether it was replaced by the error block.
    pub fn block(&mut self, block: (u64, u64), ty: BlockType) -> ((u64, u64), bool) {
        self.state = next(self.state, ty);
        if self.state == State::E {
            ((HDR_CONTROL, ERROR_BLOCK), true)
        } else {
            (block, false)
        }
    }

    /// The block a freshly reset transmitter puts out: local fault.
    pub fn reset_block() -> (u64, u64) {
        encode(LOCAL_FAULT_D, LOCAL_FAULT_C as u8)
    }
}

/// The receive machine's reference model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxModel {
    /// The state.
    pub state: State,
    /// The block waiting for the next one.
    held: RxBlock,
}

impl Default for RxModel {
    fn default() -> Self {
        RxModel {
            state: State::Init,
            held: RxBlock::LOCAL_FAULT,
        }
    }
}

impl RxModel {
    /// Out of reset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes block `b`; puts out the block before it: `(d, c, error)`,
    /// `error` when it came out as error characters.
    pub fn block(&mut self, b: RxBlock) -> (u64, u8, bool) {
        let h = std::mem::replace(&mut self.held, b);
        if h.fault {
            self.state = State::Init;
            return (LOCAL_FAULT_D, LOCAL_FAULT_C as u8, false);
        }
        self.state = next(self.state, rx_type(h.ty, b.ty));
        if self.state == State::E {
            (ERROR_WORD, 0xFF, true)
        } else {
            (h.d, h.c, false)
        }
    }
}

/// The type the receive machine acts on: a terminate not followed by a
/// control or start block counts as `E` (802.3's `R_TYPE_NEXT` check).
pub fn rx_type(ty: BlockType, next_ty: BlockType) -> BlockType {
    match (ty, next_ty) {
        (BlockType::T, BlockType::C | BlockType::S) => BlockType::T,
        (BlockType::T, _) => BlockType::E,
        _ => ty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_rtl::ethernet::LOCAL_FAULT_PAYLOAD;

    #[test]
    fn a_reset_transmitter_sends_the_local_fault_block() {
        assert_eq!(TxModel::reset_block(), (HDR_CONTROL, LOCAL_FAULT_PAYLOAD));
    }
}
