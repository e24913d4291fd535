//! Ethernet blocks (10GBASE-R style PCS, IEEE 802.3 Clause 49): the 64b/66b
//! encoder and decoder ([`codec`]), the transmit and receive state machines
//! ([`sequence`]), the self-synchronizing scrambler ([`scrambler`]), block
//! lock ([`block_lock`]), the BER monitor ([`ber`]), the 66-bit to
//! lane-width gearboxes ([`gearbox`]), the frame check sequence monitor
//! ([`fcs`]) and the composed `eth_pcs` ([`pcs`]).
//!
//! Their Rust reference models, an XGMII stream source and the PCS
//! testbench are in `linkforge-verif` (`tb::ethernet`).
//!
//! Conventions shared by every block:
//!
//! - XGMII words are 64 data bits and 8 control bits; lane `i` is byte `i`
//!   (`d[8i+7:8i]`, flag `c[i]`), lane 0 the first in time.
//! - A 66-bit block is a 2-bit sync header and a 64-bit payload. The header
//!   is stored with the first-sent bit at index 0: a data block is `2'b10`,
//!   a control block `2'b01`; `00` and `11` are invalid. Payload bit 0 is
//!   sent first (right after the header); a control block's block type is
//!   payload bits 7..0.
//! - Each generator returns a typed config error before building anything.

pub mod ber;
pub mod block_lock;
pub mod codec;
pub mod fcs;
pub mod gearbox;
pub mod pcs;
pub mod scrambler;
pub mod sequence;

/// Width of the saturating event counters the Ethernet blocks expose.
pub const COUNT_WIDTH: u32 = 32;

/// XGMII idle control character.
pub const IDLE: u8 = 0x07;
/// XGMII start control character.
pub const START: u8 = 0xFB;
/// XGMII terminate control character.
pub const TERMINATE: u8 = 0xFD;
/// XGMII error control character.
pub const ERROR: u8 = 0xFE;
/// XGMII sequence (ordered set) control character, used by local fault.
pub const SEQUENCE: u8 = 0x9C;

/// Sync header of a data block (first-sent bit at index 0).
pub const HDR_DATA: u64 = 0b10;
/// Sync header of a control block (first-sent bit at index 0).
pub const HDR_CONTROL: u64 = 0b01;

/// The XGMII word a receiver without block lock puts out: local fault
/// (`LBLOCK_R`, a sequence ordered set with 01h in lane 3), in both halves.
pub const LOCAL_FAULT_D: u64 = 0x0100_009C_0100_009C;
/// The control flags of [`LOCAL_FAULT_D`].
pub const LOCAL_FAULT_C: u64 = 0x11;
/// The payload of the block a transmitter sends for local fault
/// (`LBLOCK_T`: type 55h, the ordered sets of [`LOCAL_FAULT_D`]); its
/// header is [`HDR_CONTROL`].
pub const LOCAL_FAULT_PAYLOAD: u64 = 0x0100_0000_0100_0055;

/// The payload of an idle block (type 1Eh, eight idle codes 00h).
pub const TYPE_IDLE_PAYLOAD: u64 = 0x1E;
