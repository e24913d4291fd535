//! The config loader on arbitrary bytes, against the real block catalogue:
//! it returns variants or a report, and the report renders; it never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use linkforge_rtl::catalog::{catalog, BlockKind};
use std::sync::OnceLock;

static CATALOG: OnceLock<Vec<BlockKind>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let catalog = CATALOG.get_or_init(catalog);
    if let Err(report) = linkforge_dsl::load_bytes("fuzz.lf", data, catalog) {
        let text = linkforge_dsl::render_plain(&report);
        assert!(text.contains("dsl::"), "a report without a code: {text}");
    }
});
