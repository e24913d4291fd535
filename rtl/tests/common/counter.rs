//! `counter`: wrap and saturation against its testbench's model; Verilog
//! tools.

use crate::support::{cases, check_verilog, run_model, Tb};
use linkforge_rtl::common::counter::{counter, CounterConfig, CounterMode};
use linkforge_verif::tb::common::blocks::CounterModel;
use proptest::prelude::*;

fn mode(saturate: bool) -> CounterMode {
    if saturate {
        CounterMode::Saturate
    } else {
        CounterMode::Wrap
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Count, clear, wrap or saturate exactly like the model.
    #[test]
    fn matches_model(
        width in 1u32..=6,
        saturate: bool,
        words in prop::collection::vec(any::<u64>(), 3..200),
    ) {
        let cfg = CounterConfig { width, mode: mode(saturate) };
        run_model(counter("ctr", &cfg), CounterModel::new(&cfg), words.len() as u64, &words)?;
    }
}

/// A 64-bit counter wraps from all ones to zero.
#[test]
fn wide_counter_wraps() {
    let cfg = CounterConfig {
        width: 64,
        mode: CounterMode::Wrap,
    };
    let mut tb = Tb::new(counter("ctr", &cfg));
    tb.reset();
    tb.0.poke("q", u64::MAX).expect("the register is pokeable");
    assert!(tb.flag("at_max"));
    tb.set("en", 1);
    tb.step();
    assert_eq!(tb.get("count"), 0);
}

#[test]
fn verilog_tools_accept_counters() {
    for (width, saturate) in [(1, false), (1, true), (16, true), (64, false), (64, true)] {
        check_verilog(counter(
            &format!("counter_w{width}_{saturate}"),
            &CounterConfig {
                width,
                mode: mode(saturate),
            },
        ));
    }
}
