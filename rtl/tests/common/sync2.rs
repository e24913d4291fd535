//! `sync2`: two edges of delay; the CDC check; Verilog tools.

use crate::support::{cases, check_verilog, run_model};
use linkforge_hdl::prelude::*;
use linkforge_hdl::ErrorKind;
use linkforge_rtl::common::sync2::{sync2, Sync2Config};
use linkforge_verif::tb::common::blocks::Sync2Model;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// `q` is `d` from two edges before.
    #[test]
    fn delays_by_two_edges(width in 1u32..=130, words in prop::collection::vec(any::<u64>(), 3..150)) {
        let cfg = Sync2Config { width };
        let cycles = (words.len() / linkforge_hdl::words_for(width)) as u64;
        run_model(sync2("sync", &cfg), Sync2Model::new(&cfg), cycles.max(3), &words)?;
    }
}

/// A register in one domain may read another domain's register through
/// `sync2`, and not directly.
#[test]
fn the_cdc_check_accepts_crossings_only_through_sync2() {
    let build = |through_sync: bool| -> Result<Module, HdlError> {
        let mut m = ModuleBuilder::new("crossing");
        let a = m.clock("clk_a");
        let b = m.clock("clk_b");
        let x = m.input("x", 4);
        let y = m.output("y", 4);
        let src = m.reg("src", 4).clock(a).no_reset();
        let dst = m.reg("dst", 4).clock(b).no_reset();
        m.in_domain(
            Domain {
                clock: a,
                reset: None,
            },
            |m| m.next(src, x),
        );
        let value: Expr = if through_sync {
            let u = m.instance("u_sync", sync2("sync2_w4", &Sync2Config { width: 4 })?);
            m.assign(u.io("clk")?, b);
            m.assign(u.io("d")?, src);
            u.io("q")?.into()
        } else {
            src.into()
        };
        m.in_domain(
            Domain {
                clock: b,
                reset: None,
            },
            |m| m.next(dst, value),
        );
        m.assign(y, dst);
        m.finish()
    };
    assert!(build(true).is_ok());
    let err = build(false).expect_err("a direct crossing is rejected");
    assert!(matches!(
        err.first().kind,
        ErrorKind::UnsynchronizedCrossing { .. }
    ));
}

#[test]
fn bad_width_is_an_error() {
    assert!(sync2("s", &Sync2Config { width: 0 }).is_err());
}

#[test]
fn verilog_tools_accept_sync2() {
    for width in [1, 8, 65] {
        check_verilog(sync2(&format!("sync2_w{width}"), &Sync2Config { width }));
    }
}
