//! What the `config` fuzz target requires of one input, shared with its
//! bounded form under `cargo test` (`tests/robustness.rs`): the config
//! loader returns variants or a report that renders with a `dsl::` code;
//! the first [`ELABORATED`] variants whose integers are all at most
//! [`INT_CAP`] then build, pass every HDL check and become Verilog, or the
//! generator refuses them with a typed parameter error. Nothing panics.
//!
//! The cap keeps each input fast: the largest legal designs (a million-word
//! FIFO, a 64-port 1024-bit switch) take seconds to elaborate, which a
//! fuzzer would report as timeouts.

use linkforge_hdl::{verilog, Design};
use linkforge_rtl::catalog::{BlockKind, Params, Value};
use linkforge_rtl::RtlError;

/// Variants elaborated per input.
pub const ELABORATED: usize = 4;
/// The largest integer parameter of a variant that is elaborated.
pub const INT_CAP: i64 = 1 << 12;

/// Whether every integer in `params` (groups and lists included) is at
/// most [`INT_CAP`].
fn small(params: &Params) -> bool {
    fn value(v: &Value) -> bool {
        match v {
            Value::Int(i) => *i <= INT_CAP,
            Value::List(items) => items.iter().all(value),
            Value::Group(g) => small(g),
            _ => true,
        }
    }
    params.0.values().all(value)
}

/// Loads `bytes` as a config against `catalog` and elaborates and emits the
/// small variants; panics on anything the contract above forbids.
pub fn check(bytes: &[u8], catalog: &[BlockKind]) {
    let variants = match linkforge_dsl::load_bytes("fuzz.lf", bytes, catalog) {
        Ok(variants) => variants,
        Err(report) => {
            let text = linkforge_dsl::render_plain(&report);
            assert!(text.contains("dsl::"), "a report without a code: {text}");
            return;
        }
    };
    for v in variants
        .iter()
        .filter(|v| small(&v.params))
        .take(ELABORATED)
    {
        let kind = catalog
            .iter()
            .find(|k| k.name == v.kind)
            .unwrap_or_else(|| panic!("variant `{}` of unknown kind `{}`", v.name, v.kind));
        let module = match (kind.build)(&v.name, &v.params) {
            Ok(module) => module,
            Err(RtlError::Param { .. }) => continue,
            Err(e) => panic!("variant `{}`: the generator failed: {e}", v.name),
        };
        let design = Design::new(module)
            .unwrap_or_else(|e| panic!("variant `{}`: an HDL check failed: {e}", v.name));
        assert!(!verilog::emit(&design).is_empty());
    }
}
