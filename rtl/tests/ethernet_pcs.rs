//! `eth_pcs`: frames through transmit, a serial channel with bit slips and
//! bit errors, and receive.

mod common;

use common::check_verilog;
use linkforge_rtl::ethernet::pcs::{eth_pcs, EthPcsConfig};

#[test]
fn verilog_tools_accept_pcs_variants() {
    for (width, gearbox) in [(64, false), (32, true), (64, true)] {
        let cfg = EthPcsConfig {
            width,
            gearbox,
            ..EthPcsConfig::default()
        };
        check_verilog(eth_pcs(
            &format!("eth_pcs_w{width}_gb{}", u8::from(gearbox)),
            &cfg,
        ));
    }
}
