//! CXL memory controller blocks (CXL 2.0/3.x, CXL.mem for a type-3 device
//! that may be pooled between hosts).
//!
//! - [`channel`]: the four CXL.mem channels (M2S Req, M2S RwD, S2M NDR,
//!   S2M DRS): opcodes, fields, and `cxl_channel`, a valid/ready buffer of
//!   one channel.
//! - [`hdm`]: the HDM decoder (`hdm_decoder`, host physical to device
//!   physical address with interleaving) and its register block
//!   (`hdm_decoder_regs`, LOCK/COMMIT/COMMITTED/COMMIT_ERROR).
//! - [`backend`]: the memory back-end port and its synchronous RAM model
//!   (`cxl_mem_backend`) with byte enables and a poison bit per line.
//! - [`tracker`]: the table of outstanding requests (`cxl_tracker`): one
//!   state machine per entry, backpressure when full, response selection
//!   and DevLoad.
//! - [`controller`]: the composed controller (`cxl_controller`): decode,
//!   pooling by LD-ID with dynamic capacity extents, scheduling to the
//!   back-end, poison, errors and per-host counters.
//!
//! The controller's reference model and testbench are in `linkforge-verif`
//! (`tb::cxl`).

pub mod backend;
pub mod channel;
pub mod controller;
pub mod hdm;
pub mod tracker;
