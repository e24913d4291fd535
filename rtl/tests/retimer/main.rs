//! Tests of the `retimer` family: the retimer blocks and the composed retimer.

#[path = "../support/mod.rs"]
mod support;

mod block_align;
mod cdr;
mod deskew;
mod dfe;
mod elastic_buffer;
mod ffe;
mod ltssm;
mod pam4;
mod prbs;
mod scrambler;
mod telemetry;
mod top;
