//! Retimer blocks (PCIe 5/6, CXL): PRBS generators and checkers, scramblers,
//! 128b/130b block alignment, elastic buffer, lane deskew, FFE/DFE with LMS
//! adaptation, clock-data recovery, PAM4 coding, the LTSSM tracker and the
//! ordered-set decoder that feeds it, and the
//! composed `retimer` datapath ([`top`]).

/// Width of the saturating event counters the retimer blocks expose as telemetry.
pub const COUNT_WIDTH: u32 = 16;
pub mod block_align;
pub mod cdr;
pub mod deskew;
pub mod dfe;
pub mod elastic_buffer;
pub mod ffe;
pub mod framing;
pub mod ltssm;
pub mod ordered_sets;
pub mod pam4;
pub mod prbs;
pub mod scrambler;
pub mod top;
