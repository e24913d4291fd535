//! The CXL blocks build into lint-clean Verilog without latches at their
//! catalogue defaults and at a few other shapes.

use crate::support::check_verilog;
use linkforge_rtl::catalog::{kind, Params};

/// Builds kind `name` with its defaults, `overrides` applied.
fn build(
    name: &str,
    overrides: &[(&str, i64)],
) -> Result<linkforge_hdl::Module, linkforge_hdl::HdlError> {
    let k = kind(name).expect("a catalogue kind");
    let mut p = Params::defaults(&k.params);
    for &(n, v) in overrides {
        p.0.insert(n.to_string(), linkforge_rtl::catalog::Value::Int(v));
    }
    (k.build)(name, &p).map_err(|e| match e {
        linkforge_rtl::RtlError::Hdl(h) => h,
        other => panic!("{other}"),
    })
}

#[test]
fn the_channel_buffers_are_lint_clean() {
    for channel in ["m2s_req", "m2s_rwd", "s2m_ndr", "s2m_drs"] {
        let k = kind("cxl_channel").unwrap();
        let mut p = Params::defaults(&k.params);
        p.0.insert(
            "channel".into(),
            linkforge_rtl::catalog::Value::Str(channel.into()),
        );
        check_verilog((k.build)("cxl_channel", &p).map_err(|e| match e {
            linkforge_rtl::RtlError::Hdl(h) => h,
            other => panic!("{other}"),
        }));
    }
}

#[test]
fn the_backend_and_tracker_are_lint_clean() {
    check_verilog(build("cxl_mem_backend", &[]));
    check_verilog(build(
        "cxl_mem_backend",
        &[("data_width", 64), ("lines", 100)],
    ));
    check_verilog(build("cxl_tracker", &[]));
    check_verilog(build("cxl_tracker", &[("depth", 5)]));
}

#[test]
fn the_controller_is_lint_clean() {
    check_verilog(build("cxl_controller", &[]));
}

#[test]
fn a_sixteen_host_controller_is_lint_clean() {
    check_verilog(build(
        "cxl_controller",
        &[
            ("hosts", 16),
            ("data_width", 64),
            ("depth", 3),
            ("extents", 1),
            ("poison_log", 1),
        ],
    ));
}
