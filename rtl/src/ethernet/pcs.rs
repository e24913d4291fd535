//! `eth_pcs`: the composed 10GBASE-R style PCS, transmit and receive paths
//! with counters.
//!
//! Transmit (`tx_clk`): XGMII -> [`codec`](super::codec) encoder ->
//! [`sequence`](super::sequence) transmit state machine ->
//! [`scrambler`](super::scrambler) -> SERDES. Receive (`rx_clk`): SERDES ->
//! [`block_lock`](super::block_lock) (slipping the block boundary) and the
//! [`ber`](super::ber) monitor, descrambler -> decoder -> receive state
//! machine -> XGMII, with the [`fcs`](super::fcs) monitor on the received
//! frames. Illegal block sequences go out as error blocks and come in as
//! error characters; without block lock, or with `rx_hi_ber`, the receive
//! XGMII carries local fault ([`LOCAL_FAULT_D`](super::LOCAL_FAULT_D)).
//!
//! Ports (resets synchronous, active high): `tx_clk`, `tx_rst`, `rx_clk`,
//! `rx_rst`; XGMII `xgmii_txd[63:0]`, `xgmii_txc[7:0]`, `xgmii_rxd[63:0]`,
//! `xgmii_rxc[7:0]` (lane `i` is byte `i`); SERDES `serdes_tx_data[W-1:0]`,
//! `serdes_tx_hdr[1:0]`, `serdes_rx_data[W-1:0]`, `serdes_rx_hdr[1:0]`,
//! `serdes_rx_bitslip`; `rx_block_lock`, `rx_hi_ber`. Bit 0 is sent
//! first; a header keeps its first-sent bit at index 0 (data `2'b10`,
//! control `2'b01`). The BER window is `ber_window` blocks.
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
//! word. Latency without the gearbox: 3 `tx_clk` edges from XGMII to SERDES
//! and 4 `rx_clk` edges back (a received block waits for the next one, for
//! the receive state machine's look-ahead; each gearbox adds its
//! buffering).
//!
//! Counters (saturating, 32 bits): `tx_blocks` (blocks encoded),
//! `tx_error_blocks` (blocks the transmit state machine replaced by the
//! error block), `tx_ordered_sets` (XGMII words taken with a sequence
//! ordered set in lane 0 or 4), `rx_blocks` (blocks received with block
//! lock), `rx_bad_headers` (invalid sync headers with block lock),
//! `rx_block_errors` (blocks decoded as invalid with block lock),
//! `rx_lock_losses`, `rx_frames`, `rx_fcs_errors` and `rx_frame_errors`
//! (the [`fcs`](super::fcs) monitor's `frames`, `fcs_errors` and
//! `frame_errors`), `rx_error_blocks` (words the receive state machine put
//! out as error characters: invalid blocks and illegal sequences),
//! `rx_ordered_sets` (blocks decoded with block lock into a word with a
//! sequence ordered set), `rx_hi_ber_events` (rises of `rx_hi_ber`).

use super::ber::{eth_ber_monitor, BerConfig, WINDOW, WINDOW_10GBASE_R};
use super::block_lock::{eth_block_lock, BlockLockConfig};
use super::codec::{eth_decoder, eth_encoder};
use super::fcs::eth_fcs;
use super::gearbox::{eth_gearbox_rx, eth_gearbox_tx, GearboxConfig};
use super::scrambler::{eth_scrambler, Direction};
use super::sequence::{eth_rx_sequence, eth_tx_sequence};
use super::{COUNT_WIDTH, SEQUENCE};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::saturating_count;
use crate::params::{checked, param_error, BoolParam, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;
use linkforge_hdl::InstanceHandle;

/// Parameter `width`.
pub const WIDTH: IntParam = IntParam::new(
    "width",
    "w",
    8..=64,
    64,
    "SERDES lane width W (64 unless gearbox = true)",
);
/// Parameter `gearbox`.
pub const GEARBOX: BoolParam = BoolParam::new(
    "gearbox",
    "gb",
    false,
    "the PCS packs blocks into raw W-bit line words (else the SERDES does, one block per clock)",
);
/// Parameter `slip_wait`.
pub const SLIP_WAIT: IntParam = IntParam::new(
    "slip_wait",
    "sw",
    2..=63,
    4,
    "blocks left untested after a slip while it takes effect",
);
/// Parameter `ber_window`: the BER monitor's [`WINDOW`].
pub const BER_WINDOW: IntParam = IntParam {
    name: "ber_window",
    short: "bw",
    ..WINDOW
};

/// A PCS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthPcsConfig {
    /// SERDES lane width `W` (64 without the gearbox, else [`WIDTH`]).
    pub width: u32,
    /// The PCS does the 66-bit gearbox itself (raw line bits on the SERDES).
    pub gearbox: bool,
    /// Blocks left untested after a slip while it takes effect ([`SLIP_WAIT`]).
    pub slip_wait: u32,
    /// Blocks in a window of the BER monitor (default 125 µs of 10GBASE-R
    /// blocks, [`WINDOW_10GBASE_R`]).
    pub ber_window: u32,
}

impl Default for EthPcsConfig {
    fn default() -> Self {
        EthPcsConfig {
            width: 64,
            gearbox: false,
            slip_wait: 4,
            ber_window: WINDOW_10GBASE_R,
        }
    }
}

impl EthPcsConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = EthPcsConfig {
            width: WIDTH.read(p)?,
            gearbox: GEARBOX.read(p)?,
            slip_wait: SLIP_WAIT.read(p)?,
            ber_window: BER_WINDOW.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the fields and that `W` is 64 without the gearbox.
    pub fn validate(&self) -> Result<(), RtlError> {
        WIDTH.check(self.width)?;
        SLIP_WAIT.check(self.slip_wait)?;
        BER_WINDOW.check(self.ber_window)?;
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

    /// The BER monitor.
    pub fn ber(&self) -> BerConfig {
        BerConfig {
            window: self.ber_window,
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

    // Transmit: encoder -> state machine -> scrambler [-> gearbox],
    // advancing together.
    let u_enc = clocked(&mut m, "u_encoder", eth_encoder(&sub("encoder"))?, tx)?;
    let u_tsm = clocked(
        &mut m,
        "u_tx_sequence",
        eth_tx_sequence(&sub("tx_sequence"))?,
        tx,
    )?;
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
    for port in ["hdr", "data", "type"] {
        m.assign(
            u_tsm.io(&format!("in_{port}"))?,
            u_enc.io(&format!("out_{port}"))?,
        );
    }
    m.assign(u_tsm.io("in_valid")?, tx_advance);
    m.assign(u_scr.io("in_valid")?, tx_advance);
    m.assign(u_scr.io("in_hdr")?, u_tsm.io("out_hdr")?);
    m.assign(u_scr.io("in_data")?, u_tsm.io("out_data")?);
    expose(&mut m, "xgmii_tx_ready", tx_advance);
    let tx_domain = Domain {
        clock: tx_clk,
        reset: Some(tx_rst),
    };
    let tx_error = u_tsm.io("out_error")?;
    m.in_domain(tx_domain, |m| {
        for (name, event) in [
            ("tx_blocks", tx_advance.into()),
            ("tx_error_blocks", tx_advance & tx_error),
            (
                "tx_ordered_sets",
                tx_advance & has_ordered_set(xgmii_txd.into(), xgmii_txc.into()),
            ),
        ] {
            let q = saturating_count(m, &format!("{name}_q"), event, COUNT_WIDTH);
            expose(m, name, q);
        }
    });

    // Receive: [gearbox ->] block lock and BER monitor, descrambler ->
    // decoder -> state machine.
    let u_lock = clocked(
        &mut m,
        "u_block_lock",
        eth_block_lock(&sub("block_lock"), &cfg.block_lock())?,
        rx,
    )?;
    let u_ber = clocked(
        &mut m,
        "u_ber_monitor",
        eth_ber_monitor(&sub("ber_monitor"), &cfg.ber())?,
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
    let u_rsm = clocked(
        &mut m,
        "u_rx_sequence",
        eth_rx_sequence(&sub("rx_sequence"))?,
        rx,
    )?;
    let u_fcs = clocked(&mut m, "u_fcs", eth_fcs(&sub("fcs"))?, rx)?;
    let lock = u_lock.io("block_lock")?;
    let hi_ber = u_ber.io("hi_ber")?;
    for u in [&u_lock, &u_ber] {
        m.assign(u.io("in_valid")?, blk_valid.clone());
        m.assign(u.io("in_hdr")?, blk_hdr.clone());
    }
    m.assign(u_ber.io("block_lock")?, lock);
    m.assign(u_descr.io("in_valid")?, blk_valid.clone());
    m.assign(u_descr.io("in_hdr")?, blk_hdr);
    m.assign(u_descr.io("in_data")?, blk_data);
    for port in ["valid", "hdr", "data"] {
        m.assign(
            u_dec.io(&format!("in_{port}"))?,
            u_descr.io(&format!("out_{port}"))?,
        );
    }
    let dec_valid = u_dec.io("out_valid")?;
    let dec_d = u_dec.io("rxd")?;
    let dec_c = u_dec.io("rxc")?;
    for (port, value) in [
        ("in_valid", dec_valid.into()),
        ("in_d", dec_d.into()),
        ("in_c", dec_c.into()),
        ("in_type", u_dec.io("out_type")?.into()),
        ("in_fault", !lock | hi_ber),
    ] {
        m.assign(u_rsm.io(port)?, value);
    }

    let rx_valid = u_rsm.io("out_valid")?;
    let rxd = u_rsm.io("rxd")?;
    let rxc = u_rsm.io("rxc")?;
    m.assign(u_fcs.io("in_valid")?, rx_valid);
    m.assign(u_fcs.io("xgmii_d")?, rxd);
    m.assign(u_fcs.io("xgmii_c")?, rxc);
    expose(&mut m, "xgmii_rxd", rxd);
    expose(&mut m, "xgmii_rxc", rxc);
    expose(&mut m, "xgmii_rx_valid", rx_valid);
    expose(&mut m, "rx_block_lock", lock);
    expose(&mut m, "rx_hi_ber", hi_ber);

    let rx_domain = Domain {
        clock: rx_clk,
        reset: Some(rx_rst),
    };
    let decode_error = u_dec.io("out_error")?;
    let bad_header = u_lock.io("bad_header")?;
    let rx_error = u_rsm.io("out_error")?;
    let fcs_counts = [
        ("rx_frames", "frames"),
        ("rx_fcs_errors", "fcs_errors"),
        ("rx_frame_errors", "frame_errors"),
    ];
    for (port, inner) in fcs_counts {
        expose(&mut m, port, u_fcs.io(inner)?);
    }
    m.in_domain(rx_domain, |m| {
        let was_locked = m.reg("was_locked", 1).reset(0);
        m.next(was_locked, lock);
        let was_hi_ber = m.reg("was_hi_ber", 1).reset(0);
        m.next(was_hi_ber, hi_ber);
        for (name, event) in [
            ("rx_blocks", blk_valid & lock),
            ("rx_bad_headers", bad_header.into()),
            ("rx_block_errors", dec_valid & decode_error & lock),
            ("rx_lock_losses", was_locked & !lock),
            ("rx_error_blocks", rx_valid & rx_error),
            (
                "rx_ordered_sets",
                dec_valid & lock & has_ordered_set(dec_d.into(), dec_c.into()),
            ),
            ("rx_hi_ber_events", hi_ber & !was_hi_ber),
        ] {
            let q = saturating_count(m, &format!("{name}_q"), event, COUNT_WIDTH);
            expose(m, name, q);
        }
    });
    m.finish()
}

/// An XGMII word `(d, c)` holds a sequence ordered set (`9Ch` as a control
/// character in lane 0 or 4).
fn has_ordered_set(d: Expr, c: Expr) -> Expr {
    let at = |lane: u32| {
        c.clone().bit(lane)
            & d.clone()
                .slice(8 * lane + 7, 8 * lane)
                .eq(lit(SEQUENCE.into(), 8))
    };
    at(0) | at(4)
}

/// The PCS's counter outputs: the transmit side's, then the receive side's.
pub const COUNTERS: [&str; 13] = [
    "tx_blocks",
    "tx_error_blocks",
    "tx_ordered_sets",
    "rx_blocks",
    "rx_bad_headers",
    "rx_block_errors",
    "rx_lock_losses",
    "rx_frames",
    "rx_fcs_errors",
    "rx_frame_errors",
    "rx_error_blocks",
    "rx_ordered_sets",
    "rx_hi_ber_events",
];

/// The clock and reset of a PCS's register block in a card: the receive
/// domain's, where its counters live.
pub const TELEMETRY_BUS: crate::telemetry::BusClock = ("rx_clk", "rx_rst");

/// The receive-domain outputs a PCS's register block exposes, in register
/// order: block lock, the receive counters, then `hi_ber` (added last, so
/// the registers before it keep their offsets).
pub fn telemetry_ports() -> Vec<String> {
    let receive = COUNTERS.iter().filter(|c| c.starts_with("rx_"));
    std::iter::once(&"rx_block_lock")
        .chain(receive)
        .chain(std::iter::once(&"rx_hi_ber"))
        .map(|c| c.to_string())
        .collect()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "eth_pcs",
        doc: "Ethernet 10GBASE-R style PCS: 64b/66b with ordered sets, Clause 49 state machines, scrambler, block lock, BER monitor, gearbox, FCS and counters",
        params: vec![
            WIDTH.spec(),
            GEARBOX.spec(),
            SLIP_WAIT.spec(),
            BER_WINDOW.spec(),
        ],
        build: |name, p| Ok(eth_pcs(name, &EthPcsConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
