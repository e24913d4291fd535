//! Tests of the `common` family: the common blocks: FIFOs, synchronizers, arbiters, LFSRs, CRCs and counters.

#[path = "../support/mod.rs"]
mod support;

mod arbiter;
mod async_fifo;
mod counter;
mod crc;
mod lfsr;
mod sync2;
mod sync_fifo;
