//! `counter`: wrap and saturation against a Rust model; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::common::counter::{counter, CounterConfig, CounterMode};
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
        ops in prop::collection::vec((0u8..16, 0u8..100), 1..200),
    ) {
        let cfg = CounterConfig { width, mode: mode(saturate) };
        let mut tb = Tb::new(counter("ctr", &cfg));
        tb.reset();
        let max = (1u64 << width) - 1;
        let mut model = 0u64;
        for (en, clear) in ops {
            let (en, clear) = (en != 0, clear < 5);
            prop_assert_eq!(tb.get("count"), model);
            prop_assert_eq!(tb.flag("at_max"), model == max);
            tb.set("en", en.into());
            tb.set("clear", clear.into());
            tb.step();
            model = match (clear, en, saturate) {
                (true, _, _) => 0,
                (false, false, _) => model,
                (false, true, true) => (model + 1).min(max),
                (false, true, false) => (model + 1) & max,
            };
        }
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
