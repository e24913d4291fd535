//! The public error types of the HDL, the simulator, the IP library and
//! verification are `std::error::Error + Send + Sync + 'static`, so `?`
//! turns each into a `Box<dyn Error + Send + Sync>` (and so into
//! `anyhow::Error` or a miette report) and they cross threads: checked at
//! compile time. A misspelt signal in a property suggests the nearest.

use linkforge_verif::props::{Cond, Property, Trace};
use std::error::Error;

type Boxed = Box<dyn Error + Send + Sync + 'static>;

/// Compiles only for an error type that converts into [`Boxed`].
fn converts<E: Error + Send + Sync + 'static>() -> fn(E) -> Boxed {
    |e| e.into()
}

#[test]
fn public_errors_convert_into_boxed_errors() {
    let _ = converts::<linkforge_hdl::HdlError>();
    let _ = converts::<linkforge_hdl::ErrorKind>();
    let _ = converts::<linkforge_verif::SimError>();
    let _ = converts::<linkforge_verif::sim::NativeError>();
    let _ = converts::<linkforge_verif::wave::ReadError>();
    let _ = converts::<linkforge_rtl::RtlError>();
    let _ = converts::<linkforge_verif::props::TraceError>();
    let _ = converts::<linkforge_verif::props::RuleSetError>();
    let _ = converts::<linkforge_verif::props::live::RuleError>();
    let _ = converts::<linkforge_verif::tb::Failure>();
    let _ = converts::<linkforge_verif::tb::TbError>();
    let _ = converts::<linkforge_verif::check::CheckError>();
    let _ = converts::<linkforge_verif::cosim::CosimError>();
    let _ = converts::<linkforge_verif::formal::FormalError>();
    let _ = converts::<linkforge_verif::bench::BenchError>();
    let _ = converts::<linkforge_verif::tools::ToolError>();
}

#[test]
fn a_misspelt_signal_in_a_property_suggests_the_nearest() {
    let trace = Trace::from_columns(
        vec![5, 15],
        vec![
            ("top.valid".into(), vec![0, 1]),
            ("top.ready".into(), vec![1, 1]),
        ],
    );
    let err = trace
        .check(&Property::always("x", Cond::High("top.vaild".into())))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no signal `top.vaild` in the waveform; did you mean `top.valid`?"
    );
    let boxed: Boxed = err.into();
    assert!(boxed.to_string().starts_with("no signal"));
}
