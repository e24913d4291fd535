//! # linkforge-rtl: the IP library
//!
//! Generators written in the linkforge HDL, one typed `*Config` per
//! generator, grouped by family: `common` (FIFOs, synchronizers, arbiters,
//! LFSRs, CRCs, counters), `retimer`, `switch`, `cxl`, `ethernet`,
//! `telemetry` and `card` (a board composing them). A generator is a plain
//! function from its config to a [`linkforge_hdl::Module`]; the [`catalog`]
//! lists every generator with its
//! parameters so the config language and the command line can build blocks
//! by name. This crate never touches files or the command line.

pub mod card;
pub mod catalog;
pub mod common;
pub mod cxl;
pub mod ethernet;
pub mod params;
pub mod retimer;
pub mod switch;
pub mod telemetry;

use linkforge_hdl::HdlError;

/// Why a block could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RtlError {
    /// A parameter is missing, of the wrong type or out of range.
    #[error("parameter `{name}`: {message}")]
    Param {
        /// The parameter.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The HDL rejected the generated design.
    #[error(transparent)]
    Hdl(#[from] HdlError),
}
