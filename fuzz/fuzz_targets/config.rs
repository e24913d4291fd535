//! The config loader on arbitrary bytes, against the real block catalogue,
//! through elaboration and Verilog generation (see [`config_input`]).

#![no_main]

mod config_input;

use libfuzzer_sys::fuzz_target;
use linkforge_rtl::catalog::{catalog, BlockKind};
use std::sync::OnceLock;

static CATALOG: OnceLock<Vec<BlockKind>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    config_input::check(data, CATALOG.get_or_init(catalog));
});
