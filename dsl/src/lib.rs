//! # linkforge-dsl: the config language
//!
//! The nom parser (every AST node keeps its source span), the semantic pass
//! that checks names, types, ranges and units, miette diagnostics, and the
//! elaboration of variants (inheritance and sweeps) into typed
//! `linkforge_rtl` configs. It arrives with the config-language issue.
