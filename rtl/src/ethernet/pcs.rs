//! `eth_pcs`: the composed 10GBASE-R style PCS, transmit and receive paths
//! with counters.
//!
//! Transmit (`tx_clk`): XGMII -> [`codec`](super::codec) encoder ->
//! [`scrambler`](super::scrambler) -> SERDES. Receive (`rx_clk`): SERDES ->
//! [`block_lock`](super::block_lock) (slipping the block boundary) ->
//! descrambler -> decoder -> XGMII, with the [`fcs`](super::fcs) monitor on
//! the received frames. Without block lock the receive XGMII carries local
//! fault ([`LOCAL_FAULT_D`](super::LOCAL_FAULT_D)).
//!
//! Ports (resets synchronous, active high): `tx_clk`, `tx_rst`, `rx_clk`,
//! `rx_rst`; XGMII `xgmii_txd[63:0]`, `xgmii_txc[7:0]`, `xgmii_rxd[63:0]`,
//! `xgmii_rxc[7:0]` (lane `i` is byte `i`); SERDES `serdes_tx_data[W-1:0]`,
//! `serdes_tx_hdr[1:0]`, `serdes_rx_data[W-1:0]`, `serdes_rx_hdr[1:0]`,
//! `serdes_rx_bitslip`; `rx_block_lock`. Bit 0 is sent first; a header
//! keeps its first-sent bit at index 0 (data `2'b10`, control `2'b01`).
//!
//! Two ways to meet the SERDES, chosen by `gearbox`:
//!
//! - `gearbox = false` (`W` must be 64): the SERDES does the 66-bit
//!   gearbox, as in the usual open 10GBASE-R PCS. One block per clock each
//!   way: header on `serdes_*_hdr`, payload on `serdes_*_data`; the PCS
//!   pulses `serdes_rx_bitslip` for one `rx_clk` cycle to have the SERDES
//!   move the block boundary one bit later.
//! - `gearbox = true` (`W` = 8..=64): the PCS's own
//!   [`gearbox`](super::gearbox) turns blocks into the raw line bits, `W`
//!   per clock, header bits in the data stream in sending order. There are
//!   no `serdes_tx_hdr` and `serdes_rx_hdr` ports then, and
//!   `serdes_rx_bitslip` stays 0 (the slip is in the receive gearbox).
//!
//! Flow control: `xgmii_tx_ready` is high at the edges where `xgmii_txd`
//! and `xgmii_txc` are taken (always without the gearbox; `W/66` of the
//! clocks with it); `xgmii_rx_valid` marks the clocks with a new received
//! word. Latency without the gearbox: 2 `tx_clk` edges from XGMII to SERDES
//! and 2 `rx_clk` edges back (each gearbox adds its buffering).
//!
//! Counters (saturating, 32 bits): `tx_blocks` (blocks encoded),
//! `rx_blocks` (blocks received with block lock), `rx_bad_headers`
//! (invalid sync headers with block lock), `rx_block_errors` (blocks decoded
//! as invalid with block lock), `rx_lock_losses`, `rx_frames`,
//! `rx_fcs_errors` and `rx_frame_errors` (the [`fcs`](super::fcs) monitor's
//! `frames`, `fcs_errors` and `frame_errors`).

use super::block_lock::{eth_block_lock, BlockLockConfig};
use super::codec::{eth_decoder, eth_encoder};
use super::fcs::eth_fcs;
use super::gearbox::{eth_gearbox_rx, eth_gearbox_tx, GearboxConfig};
use super::scrambler::{eth_scrambler, Direction};
use super::{COUNT_WIDTH, LOCAL_FAULT_C, LOCAL_FAULT_D};
use crate::catalog::{BlockKind, ParamKind, ParamSpec, Params, Value as ParamValue};
use crate::common::saturating_count;
use crate::params::{check_range, checked, int_param, int_spec, param_error, IntRange};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::InstanceHandle;

const WIDTH: IntRange = (8, 64);
const SLIP_WAIT: IntRange = (2, 63);

/// A PCS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthPcsConfig {
    /// SERDES lane width `W` (64 without the gearbox, else 8..=64).
    pub width: u32,
    /// The PCS does the 66-bit gearbox itself (raw line bits on the SERDES).
    pub gearbox: bool,
    /// Blocks left untested after a slip while it takes effect (2..=63).
    pub slip_wait: u32,
}

impl Default for EthPcsConfig {
    fn default() -> Self {
        EthPcsConfig {
            width: 64,
            gearbox: false,
            slip_wait: 4,
        }
    }
}

impl EthPcsConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = EthPcsConfig {
            width: int_param(p, "width")?,
            gearbox: p.bool("gearbox")?,
            slip_wait: int_param(p, "slip_wait")?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the fields and that `W` is 64 without the gearbox.
    pub fn validate(&self) -> Result<(), RtlError> {
        check_range("width", self.width.into(), WIDTH)?;
        check_range("slip_wait", self.slip_wait.into(), SLIP_WAIT)?;
        if !self.gearbox && self.width != 64 {
            return Err(param_error(
                "width",
                format!(
                    "{} needs gearbox = true: without it the SERDES takes one 64-bit block per clock",
                    self.width
                ),
            ));
        }
        Ok(())
    }

    /// Blocks the receiver takes, from any bit offset on a scrambled
    /// stream, until `rx_block_lock` rises: the 64 of the window, plus for
    /// each of the 65 wrong offsets the `slip_wait` blocks and the blocks it
    /// takes to see an invalid header (each has one with probability 1/2,
    /// so 2 on average; the bound allows 6 each, which 65 offsets exceed
    /// together with probability below 1e-30), plus 4 blocks of pipeline.
    pub fn lock_bound_blocks(&self) -> u64 {
        64 + 65 * (u64::from(self.slip_wait) + 6) + 4
    }

    /// The block lock state machine.
    pub fn block_lock(&self) -> BlockLockConfig {
        BlockLockConfig {
            slip_wait: self.slip_wait,
        }
    }

    /// The gearboxes (used when `gearbox` is set).
    pub fn gearbox(&self) -> GearboxConfig {
        GearboxConfig { width: self.width }
    }
}

/// Makes `value` the output port `name`, of its width.
fn expose(m: &mut ModuleBuilder, name: &str, value: impl Into<Expr>) {
    let value = value.into();
    let port = m.output(name, value.width());
    m.assign(port, value);
}

/// An instance of `module` clocked by `clk` and reset by `rst`.
fn clocked(
    m: &mut ModuleBuilder,
    name: &str,
    module: Module,
    (clk, rst): (Clock, Reset),
) -> Result<InstanceHandle, HdlError> {
    let u = m.instance(name, module);
    m.assign(u.io("clk")?, clk);
    m.assign(u.io("rst")?, rst);
    Ok(u)
}

/// Builds the PCS as module `module_name`.
pub fn eth_pcs(module_name: &str, cfg: &EthPcsConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = cfg.width;
    let sub = |what: &str| format!("{module_name}_{what}");
    let mut m = ModuleBuilder::new(module_name);
    let tx_clk = m.clock("tx_clk");
    let tx_rst = m.reset("tx_rst");
    let rx_clk = m.clock("rx_clk");
    let rx_rst = m.reset("rx_rst");
    let tx = (tx_clk, tx_rst);
    let rx = (rx_clk, rx_rst);
    let xgmii_txd = m.input("xgmii_txd", 64);
    let xgmii_txc = m.input("xgmii_txc", 8);
    let serdes_rx_data = m.input("serdes_rx_data", w);

    // Transmit: encoder -> scrambler [-> gearbox], advancing together.
    let u_enc = clocked(&mut m, "u_encoder", eth_encoder(&sub("encoder"))?, tx)?;
    let u_scr = clocked(
        &mut m,
        "u_scrambler",
        eth_scrambler(&sub("scrambler"), Direction::Scramble)?,
        tx,
    )?;
    let advance: Expr = if cfg.gearbox {
        let u_gb = clocked(
            &mut m,
            "u_gearbox_tx",
            eth_gearbox_tx(&sub("gearbox_tx"), &cfg.gearbox())?,
            tx,
        )?;
        m.assign(u_gb.io("in_hdr")?, u_scr.io("out_hdr")?);
        m.assign(u_gb.io("in_data")?, u_scr.io("out_data")?);
        expose(&mut m, "serdes_tx_data", u_gb.io("out_data")?);
        u_gb.io("in_ready")?.into()
    } else {
        expose(&mut m, "serdes_tx_data", u_scr.io("out_data")?);
        expose(&mut m, "serdes_tx_hdr", u_scr.io("out_hdr")?);
        high()
    };
    let tx_advance = m.wire("tx_advance", 1);
    m.assign(tx_advance, advance);
    m.assign(u_enc.io("in_valid")?, tx_advance);
    m.assign(u_enc.io("txd")?, xgmii_txd);
    m.assign(u_enc.io("txc")?, xgmii_txc);
    m.assign(u_scr.io("in_valid")?, tx_advance);
    m.assign(u_scr.io("in_hdr")?, u_enc.io("out_hdr")?);
    m.assign(u_scr.io("in_data")?, u_enc.io("out_data")?);
    expose(&mut m, "xgmii_tx_ready", tx_advance);
    let tx_domain = Domain {
        clock: tx_clk,
        reset: Some(tx_rst),
    };
    m.in_domain(tx_domain, |m| {
        let q = saturating_count(m, "tx_blocks_q", tx_advance.into(), COUNT_WIDTH);
        expose(m, "tx_blocks", q);
    });

    // Receive: [gearbox ->] block lock, descrambler -> decoder.
    let u_lock = clocked(
        &mut m,
        "u_block_lock",
        eth_block_lock(&sub("block_lock"), &cfg.block_lock())?,
        rx,
    )?;
    let slip = u_lock.io("slip")?;
    let (blk_valid, blk_hdr, blk_data): (Expr, Expr, Expr) = if cfg.gearbox {
        let u_gb = clocked(
            &mut m,
            "u_gearbox_rx",
            eth_gearbox_rx(&sub("gearbox_rx"), &cfg.gearbox())?,
            rx,
        )?;
        m.assign(u_gb.io("in_data")?, serdes_rx_data);
        m.assign(u_gb.io("bitslip")?, slip);
        expose(&mut m, "serdes_rx_bitslip", low());
        (
            u_gb.io("out_valid")?.into(),
            u_gb.io("out_hdr")?.into(),
            u_gb.io("out_data")?.into(),
        )
    } else {
        let serdes_rx_hdr = m.input("serdes_rx_hdr", 2);
        expose(&mut m, "serdes_rx_bitslip", slip);
        (high(), serdes_rx_hdr.into(), serdes_rx_data.into())
    };
    let u_descr = clocked(
        &mut m,
        "u_descrambler",
        eth_scrambler(&sub("descrambler"), Direction::Descramble)?,
        rx,
    )?;
    let u_dec = clocked(&mut m, "u_decoder", eth_decoder(&sub("decoder"))?, rx)?;
    let u_fcs = clocked(&mut m, "u_fcs", eth_fcs(&sub("fcs"))?, rx)?;
    m.assign(u_lock.io("in_valid")?, blk_valid.clone());
    m.assign(u_lock.io("in_hdr")?, blk_hdr.clone());
    m.assign(u_descr.io("in_valid")?, blk_valid.clone());
    m.assign(u_descr.io("in_hdr")?, blk_hdr);
    m.assign(u_descr.io("in_data")?, blk_data);
    for port in ["hdr", "data"] {
        m.assign(
            u_dec.io(&format!("in_{port}"))?,
            u_descr.io(&format!("out_{port}"))?,
        );
    }
    m.assign(u_dec.io("in_valid")?, u_descr.io("out_valid")?);

    let lock = u_lock.io("block_lock")?;
    let rx_valid = u_dec.io("out_valid")?;
    let rxd = m.wire("rxd", 64);
    m.assign(rxd, mux(lock, u_dec.io("rxd")?, lit(LOCAL_FAULT_D, 64)));
    let rxc = m.wire("rxc", 8);
    m.assign(rxc, mux(lock, u_dec.io("rxc")?, lit(LOCAL_FAULT_C, 8)));
    m.assign(u_fcs.io("in_valid")?, rx_valid);
    m.assign(u_fcs.io("xgmii_d")?, rxd);
    m.assign(u_fcs.io("xgmii_c")?, rxc);
    expose(&mut m, "xgmii_rxd", rxd);
    expose(&mut m, "xgmii_rxc", rxc);
    expose(&mut m, "xgmii_rx_valid", rx_valid);
    expose(&mut m, "rx_block_lock", lock);

    let rx_domain = Domain {
        clock: rx_clk,
        reset: Some(rx_rst),
    };
    let decode_error = u_dec.io("out_error")?;
    let bad_header = u_lock.io("bad_header")?;
    m.in_domain(rx_domain, |m| {
        let was_locked = m.reg("was_locked", 1).reset(0);
        m.next(was_locked, lock);
        for (name, event) in [
            ("rx_blocks", blk_valid & lock),
            ("rx_bad_headers", bad_header.into()),
            ("rx_block_errors", rx_valid & decode_error & lock),
            ("rx_lock_losses", was_locked & !lock),
        ] {
            let q = saturating_count(m, &format!("{name}_q"), event, COUNT_WIDTH);
            expose(m, name, q);
        }
    });
    for (port, inner) in [
        ("rx_frames", "frames"),
        ("rx_fcs_errors", "fcs_errors"),
        ("rx_frame_errors", "frame_errors"),
    ] {
        expose(&mut m, port, u_fcs.io(inner)?);
    }
    m.finish()
}

/// The PCS's counter outputs: the transmit side's, then the receive side's.
pub const COUNTERS: [&str; 8] = [
    "tx_blocks",
    "rx_blocks",
    "rx_bad_headers",
    "rx_block_errors",
    "rx_lock_losses",
    "rx_frames",
    "rx_fcs_errors",
    "rx_frame_errors",
];

/// The clock and reset of a PCS's register block in a card: the receive
/// domain's, where its counters live.
pub const TELEMETRY_BUS: crate::telemetry::BusClock = ("rx_clk", "rx_rst");

/// The receive-domain outputs a PCS's register block exposes, in register
/// order: block lock, then the receive counters.
pub fn telemetry_ports() -> Vec<String> {
    let receive = COUNTERS.iter().filter(|c| c.starts_with("rx_"));
    std::iter::once(&"rx_block_lock")
        .chain(receive)
        .map(|c| c.to_string())
        .collect()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "eth_pcs",
        doc: "Ethernet 10GBASE-R style PCS: 64b/66b, scrambler, block lock, gearbox, FCS and counters",
        params: vec![
            int_spec(
                "width",
                "w",
                WIDTH,
                64,
                "SERDES lane width W (64 unless gearbox = true)",
            ),
            ParamSpec {
                name: "gearbox",
                short: "gb",
                kind: ParamKind::Bool,
                default: ParamValue::Bool(false),
                doc: "the PCS packs blocks into raw W-bit line words (else the SERDES does, one block per clock)",
            },
            int_spec(
                "slip_wait",
                "sw",
                SLIP_WAIT,
                4,
                "blocks left untested after a slip while it takes effect",
            ),
        ],
        build: |name, p| Ok(eth_pcs(name, &EthPcsConfig::from_params(p)?)?),
    }
}
