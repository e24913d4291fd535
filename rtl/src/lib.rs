//! # linkforge-rtl: the IP library
//!
//! Generators written in the linkforge HDL, one typed `*Config` per
//! generator, grouped by family: `common` (FIFOs, synchronizers, arbiters,
//! LFSRs, CRCs, counters), `retimer`, `switch`, `cxl`, `ethernet` and
//! `telemetry`. A generator is a plain function from its config to a
//! [`linkforge_hdl::Module`]; this crate never touches files or the command
//! line. The families arrive with the IP issues.
