//! `eth_tx_sequence` and `eth_rx_sequence`: the transmit and receive state
//! machines of IEEE 802.3 Clause 49 (figures 49-14 and 49-15), which let
//! only legal block sequences through.
//!
//! Both walk the states `INIT C D T E` on the [`BlockType`] of each block
//! (see [`next`]): from `INIT`, `C` and `T`, a control block goes to `C`, a
//! start to `D`, anything else to `E`; from `D`, data stays in `D`, a
//! terminate goes to `T`, anything else to `E`; from `E`, data goes to `D`,
//! control to `C`, a terminate to `T`, anything else stays in `E`. So data
//! without a start, a start inside a frame, data or a terminate after a
//! terminate, and invalid blocks all land in `E`.
//!
//! - Transmit (`TX_*`): a block entering `E` is sent as the error block
//!   ([`ERROR_BLOCK`], `EBLOCK_T`), every other block as encoded.
//! - Receive (`RX_*`): a terminate only counts as `T` when the block after
//!   it is a control or start block (802.3's look-ahead `R_TYPE_NEXT`),
//!   else it is taken as `E`; so each block waits for the next one before
//!   it leaves. A block entering `E` comes out as eight error characters
//!   ([`ERROR_WORD`], `EBLOCK_R`); a block that arrived with `in_fault`
//!   (no block lock, or `hi_ber`) sends the machine to `RX_INIT` and comes
//!   out as local fault ([`LOCAL_FAULT_D`], `LBLOCK_R`).
//!
//! `eth_tx_sequence` ports (`rst` synchronous, active high): `clk`, `rst`,
//! `in_valid`, `in_hdr[1:0]`, `in_data[63:0]`, `in_type[2:0]` (an encoder's
//! outputs); `out_valid`, `out_hdr[1:0]`, `out_data[63:0]`, `out_error`
//! (the block was replaced by the error block), registered, held while
//! `in_valid` is low. After reset it puts out local fault (`LBLOCK_T`).
//!
//! `eth_rx_sequence` ports: `clk`, `rst`, `in_valid`, `in_d[63:0]`,
//! `in_c[7:0]`, `in_type[2:0]` (a decoder's outputs), `in_fault`;
//! `out_valid`, `rxd[63:0]`, `rxc[7:0]`, `out_error` (the block came out as
//! error characters), registered: the block taken at one `in_valid` edge
//! leaves at the next. Out of reset it holds local fault.

use super::codec::{BlockType, ERROR_BLOCK, ERROR_WORD};
use super::{LOCAL_FAULT_C, LOCAL_FAULT_D};
use crate::catalog::{no_issues, BlockKind};
use linkforge_hdl::prelude::*;

/// A state of either machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// `TX_INIT` / `RX_INIT`: after reset (and, receiving, without block
    /// lock or with `hi_ber`).
    Init,
    /// Between frames.
    C,
    /// In a frame.
    D,
    /// Right after a frame's terminate.
    T,
    /// After an illegal or invalid block.
    E,
}

/// Width of a state register.
const STATE_W: u32 = 3;

impl State {
    /// Every state.
    const ALL: [State; 5] = [State::Init, State::C, State::D, State::T, State::E];

    /// The state's value in the state register.
    fn code(self) -> u64 {
        self as u64
    }
}

/// The state after a block of type `ty` from `state` (figure 49-14's
/// transitions; the receiver's look-ahead is folded into `ty` by the
/// receive block and its model, `RxModel` in `linkforge-verif`'s
/// `tb::ethernet`).
pub fn next(state: State, ty: BlockType) -> State {
    use BlockType as B;
    match (state, ty) {
        (State::Init | State::C | State::T | State::E, B::C) => State::C,
        (State::Init | State::C | State::T, B::S) => State::D,
        (State::D | State::E, B::D) => State::D,
        (State::D | State::E, B::T) => State::T,
        _ => State::E,
    }
}

/// A received word with what the receive machine needs to know about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RxBlock {
    /// XGMII data.
    pub d: u64,
    /// XGMII control flags.
    pub c: u8,
    /// The block's type.
    pub ty: BlockType,
    /// The block arrived without block lock or with `hi_ber`.
    pub fault: bool,
}

impl RxBlock {
    /// The local fault word a receiver puts out in `RX_INIT`.
    pub const LOCAL_FAULT: RxBlock = RxBlock {
        d: LOCAL_FAULT_D,
        c: LOCAL_FAULT_C as u8,
        ty: BlockType::C,
        fault: true,
    };
}

/// `ty` (a [`BlockType::code`] expression) is `t`.
fn is(ty: &Expr, t: BlockType) -> Expr {
    ty.clone().eq(lit(t.code(), BlockType::WIDTH))
}

/// The hardware of [`next`]: the next state's code from the state register
/// and a type code, one term per (state, type) pair.
fn next_expr(state: Expr, ty: Expr) -> Expr {
    let types = [
        BlockType::C,
        BlockType::S,
        BlockType::T,
        BlockType::D,
        BlockType::E,
    ];
    let mut out = lit(State::E.code(), STATE_W);
    for s in State::ALL {
        for t in types {
            let to = next(s, t);
            if to != State::E {
                let hit = state.clone().eq(lit(s.code(), STATE_W)) & is(&ty, t);
                out = mux(hit, lit(to.code(), STATE_W), out);
            }
        }
    }
    out
}

/// Builds the transmit state machine as module `module_name`.
pub fn eth_tx_sequence(module_name: &str) -> Result<Module, HdlError> {
    let (lf_hdr, lf_payload) = (super::HDR_CONTROL, super::LOCAL_FAULT_PAYLOAD);
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_hdr = m.input("in_hdr", 2);
    let in_data = m.input("in_data", 64);
    let in_type = m.input("in_type", BlockType::WIDTH);
    let out_valid = m.output("out_valid", 1);
    let out_hdr = m.output("out_hdr", 2);
    let out_data = m.output("out_data", 64);
    let out_error = m.output("out_error", 1);
    let state = m.reg("state", STATE_W).reset(State::Init.code());
    let valid_q = m.reg("valid_q", 1).reset(0);
    let hdr_q = m.reg("hdr_q", 2).reset(lf_hdr);
    let data_q = m.reg("data_q", 64).reset(lf_payload);
    let error_q = m.reg("error_q", 1).reset(0);

    let to = m.wire("next_state", STATE_W);
    m.assign(to, next_expr(state.into(), in_type.into()));
    let error = m.wire("error", 1);
    m.assign(error, to.eq(lit(State::E.code(), STATE_W)));
    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(state, to);
        m.next(error_q, error);
        m.next(hdr_q, mux(error, lit(super::HDR_CONTROL, 2), in_hdr));
        m.next(data_q, mux(error, lit(ERROR_BLOCK, 64), in_data));
    });
    m.assign(out_valid, valid_q);
    m.assign(out_hdr, hdr_q);
    m.assign(out_data, data_q);
    m.assign(out_error, error_q);
    m.finish()
}

/// Builds the receive state machine as module `module_name`.
pub fn eth_rx_sequence(module_name: &str) -> Result<Module, HdlError> {
    let tw = BlockType::WIDTH;
    let lf = RxBlock::LOCAL_FAULT;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_d = m.input("in_d", 64);
    let in_c = m.input("in_c", 8);
    let in_type = m.input("in_type", tw);
    let in_fault = m.input("in_fault", 1);
    let out_valid = m.output("out_valid", 1);
    let rxd = m.output("rxd", 64);
    let rxc = m.output("rxc", 8);
    let out_error = m.output("out_error", 1);
    let state = m.reg("state", STATE_W).reset(State::Init.code());
    let held_d = m.reg("held_d", 64).reset(lf.d);
    let held_c = m.reg("held_c", 8).reset(lf.c.into());
    let held_type = m.reg("held_type", tw).reset(lf.ty.code());
    let held_fault = m.reg("held_fault", 1).reset(1);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let d_q = m.reg("d_q", 64).reset(lf.d);
    let c_q = m.reg("c_q", 8).reset(lf.c.into());
    let error_q = m.reg("error_q", 1).reset(0);

    // The held block's type as the machine takes it (look-ahead applied).
    let next_ty: Expr = in_type.into();
    let held_ty: Expr = held_type.into();
    let bad_end =
        is(&held_ty, BlockType::T) & !(is(&next_ty, BlockType::C) | is(&next_ty, BlockType::S));
    let acted = m.wire("acted_type", tw);
    m.assign(acted, mux(bad_end, lit(BlockType::E.code(), tw), held_ty));
    let to = m.wire("next_state", STATE_W);
    m.assign(to, next_expr(state.into(), acted.into()));
    let error = m.wire("error", 1);
    m.assign(error, !held_fault & to.eq(lit(State::E.code(), STATE_W)));

    m.next(valid_q, in_valid);
    m.when(in_valid, |m| {
        m.next(held_d, in_d);
        m.next(held_c, in_c);
        m.next(held_type, in_type);
        m.next(held_fault, in_fault);
        m.next(error_q, error);
        m.when(held_fault, |m| {
            m.next(state, lit(State::Init.code(), STATE_W));
            m.next(d_q, lit(lf.d, 64));
            m.next(c_q, lit(lf.c.into(), 8));
        })
        .elsewhen(error, |m| {
            m.next(state, to);
            m.next(d_q, lit(ERROR_WORD, 64));
            m.next(c_q, lit(0xFF, 8));
        })
        .otherwise(|m| {
            m.next(state, to);
            m.next(d_q, held_d);
            m.next(c_q, held_c);
        });
    });
    m.assign(out_valid, valid_q);
    m.assign(rxd, d_q);
    m.assign(rxc, c_q);
    m.assign(out_error, error_q);
    m.finish()
}

/// The catalogue entry of `eth_tx_sequence`.
pub fn tx_kind() -> BlockKind {
    BlockKind {
        name: "eth_tx_sequence",
        doc: "Ethernet Clause 49 transmit state machine: illegal block sequences sent as error blocks",
        params: Vec::new(),
        build: |name, _| Ok(eth_tx_sequence(name)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `eth_rx_sequence`.
pub fn rx_kind() -> BlockKind {
    BlockKind {
        name: "eth_rx_sequence",
        doc: "Ethernet Clause 49 receive state machine: illegal block sequences received as error characters, local fault without lock",
        params: Vec::new(),
        build: |name, _| Ok(eth_rx_sequence(name)?),
        issues: no_issues,
    }
}
