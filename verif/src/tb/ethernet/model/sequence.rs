//! The Rust references of `eth_tx_sequence` and `eth_rx_sequence`: the
//! Clause 49 state machines one block at a time, written from IEEE 802.3
//! figures 49-14 (transmit) and 49-15 (receive) and sharing nothing with
//! the generators. Local fault is the sequence ordered set of Clause 46
//! (Table 46-5: `/Q/`, 00h, 00h, 01h), in both halves of the word.

use super::codec::{encode, EBLOCK_R, EBLOCK_T};
use linkforge_rtl::ethernet::codec::BlockType;
use linkforge_rtl::ethernet::sequence::RxBlock;

/// The local fault word (`LBLOCK_R`): `/Q/ 00 00 01` in lanes 0-3 and 4-7.
const LOCAL_FAULT_D: u64 = 0x0100_009C_0100_009C;
/// Its control flags: the `/Q/` lanes 0 and 4.
const LOCAL_FAULT_C: u8 = 0x11;
/// The control block header (`10` as sent, first bit at index 0).
const SYNC_CONTROL: u64 = 0b01;

/// A state of either machine (`TX_INIT`/`RX_INIT`, `_C`, `_D`, `_T`, `_E`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// `INIT`: after reset (receiving: also without lock or with `hi_ber`).
    Init,
    /// `C`: between frames.
    C,
    /// `D`: inside a frame.
    D,
    /// `T`: just after a frame's terminate.
    T,
    /// `E`: after an illegal block.
    E,
}

/// The exits of figures 49-14 and 49-15, state by state: the block types
/// that lead to each next state. A type listed nowhere for a state leads to
/// `E` (the figures' "else" arcs). `INIT`, `C` and `T` have the same exits;
/// from `E` a start is not an exit (a frame must end before a new one).
const EXITS: [(State, &[(BlockType, State)]); 5] = [
    (
        State::Init,
        &[(BlockType::C, State::C), (BlockType::S, State::D)],
    ),
    (
        State::C,
        &[(BlockType::C, State::C), (BlockType::S, State::D)],
    ),
    (
        State::D,
        &[(BlockType::D, State::D), (BlockType::T, State::T)],
    ),
    (
        State::T,
        &[(BlockType::C, State::C), (BlockType::S, State::D)],
    ),
    (
        State::E,
        &[
            (BlockType::D, State::D),
            (BlockType::C, State::C),
            (BlockType::T, State::T),
        ],
    ),
];

/// The state after a block of type `ty` in `state`.
fn next(state: State, ty: BlockType) -> State {
    EXITS
        .iter()
        .find(|e| e.0 == state)
        .and_then(|e| e.1.iter().find(|x| x.0 == ty))
        .map_or(State::E, |x| x.1)
}

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
            ((SYNC_CONTROL, EBLOCK_T), true)
        } else {
            (block, false)
        }
    }

    /// The block a freshly reset transmitter puts out: local fault.
    pub fn reset_block() -> (u64, u64) {
        encode(LOCAL_FAULT_D, LOCAL_FAULT_C)
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
            held: RxBlock {
                d: LOCAL_FAULT_D,
                c: LOCAL_FAULT_C,
                ty: BlockType::C,
                fault: true,
            },
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
            return (LOCAL_FAULT_D, LOCAL_FAULT_C, false);
        }
        self.state = next(self.state, rx_type(h.ty, b.ty));
        if self.state == State::E {
            (EBLOCK_R, 0xFF, true)
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

    #[test]
    fn a_reset_transmitter_sends_the_local_fault_block() {
        // LBLOCK_T: type 55h, O codes 0h, lanes 3 and 7 holding 01h.
        assert_eq!(
            TxModel::reset_block(),
            (SYNC_CONTROL, 0x0100_0000_0100_0055)
        );
    }

    #[test]
    fn a_frame_passes_and_a_start_inside_it_does_not() {
        use BlockType as B;
        let walk = |types: &[B]| types.iter().fold(State::Init, |s, &t| next(s, t));
        assert_eq!(walk(&[B::C, B::S, B::D, B::T, B::C]), State::C);
        assert_eq!(walk(&[B::C, B::S, B::D, B::S]), State::E);
        assert_eq!(walk(&[B::C, B::D]), State::E);
        assert_eq!(walk(&[B::C, B::E, B::S]), State::E);
        assert_eq!(walk(&[B::C, B::E, B::D, B::T, B::S]), State::D);
    }
}
