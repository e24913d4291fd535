//! Rust reference models of the Ethernet blocks, one module per block of
//! `linkforge_rtl::ethernet`.

pub mod ber;
pub mod block_lock;
pub mod codec;
pub mod fcs;
pub mod scrambler;
pub mod sequence;
