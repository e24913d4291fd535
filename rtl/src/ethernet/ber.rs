//! `eth_ber_monitor`: the BER monitor of IEEE 802.3 Clause 49 (figure
//! 49-13). With block lock it counts invalid sync headers in back-to-back
//! windows of `window` blocks; `hi_ber` rises at the 16th invalid header
//! within one window and falls at the end of the first window that ends
//! with fewer than 16 (in a window where it rose, the rest of the window is
//! not counted). Without block lock the monitor starts over (`hi_ber` low;
//! the first window starts at the first block with lock).
//!
//! 802.3 times the window as 125 µs. At 10.3125 Gb/s a 66-bit block lasts
//! 6.4 ns (156.25 M blocks per second), so 125 µs is 125e-6 x 156.25e6 =
//! 19,531.25 blocks: the default [`WINDOW_10GBASE_R`] is 19,531. Counting
//! blocks rather than clocks keeps the window right whatever the lane
//! width and clock of the gearbox.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `in_valid`,
//! `in_hdr[1:0]` (a block's header, tested at edges with `in_valid`),
//! `block_lock` (a level; low at any edge starts the monitor over);
//! `hi_ber`, registered.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// The window of 10GBASE-R: 125 µs of 156.25 MHz blocks, 19,531.
pub const WINDOW_10GBASE_R: u32 = 19_531;
/// Invalid headers within one window that raise `hi_ber`.
pub const HI_BER_INVALID: u32 = 16;
/// Parameter `window`: blocks in a BER window.
pub const WINDOW: IntParam = IntParam::new(
    "window",
    "win",
    HI_BER_INVALID as i64..=(1 << 24) - 1,
    WINDOW_10GBASE_R as i64,
    "blocks in a BER window (19531 = 125 us of 156.25 MHz 10GBASE-R blocks)",
);

/// A BER monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BerConfig {
    /// Blocks in a window ([`WINDOW`]; 10GBASE-R: [`WINDOW_10GBASE_R`]).
    pub window: u32,
}

impl Default for BerConfig {
    fn default() -> Self {
        BerConfig {
            window: WINDOW_10GBASE_R,
        }
    }
}

impl BerConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = BerConfig {
            window: WINDOW.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the window.
    pub fn validate(&self) -> Result<(), RtlError> {
        WINDOW.check(self.window)
    }
}

/// Builds the monitor as module `module_name`.
pub fn eth_ber_monitor(module_name: &str, cfg: &BerConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let tw = bits_for(cfg.window as usize);
    let iw = bits_for(HI_BER_INVALID as usize + 1);
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_hdr = m.input("in_hdr", 2);
    let block_lock = m.input("block_lock", 1);
    let hi_ber = m.output("hi_ber", 1);
    let timer = m.reg("timer", tw).reset(0);
    let invalid = m.reg("invalid", iw).reset(0);
    let hi_q = m.reg("hi_q", 1).reset(0);

    let limit = lit(HI_BER_INVALID.into(), iw);
    let bad = !(in_hdr.bit(0) ^ in_hdr.bit(1)) & invalid.lt(limit.clone());
    let counted = m.wire("counted", iw);
    m.assign(counted, invalid + bad.zext(iw));
    let reached = m.wire("reached", 1);
    m.assign(reached, counted.eq(limit));
    let window_end = timer.eq(lit(u64::from(cfg.window) - 1, tw));

    m.when(!block_lock, |m| {
        m.next(timer, lit(0, tw));
        m.next(invalid, lit(0, iw));
        m.next(hi_q, low());
    })
    .elsewhen(in_valid, |m| {
        m.when(window_end, |m| {
            m.next(timer, lit(0, tw));
            m.next(invalid, lit(0, iw));
            m.next(hi_q, reached);
        })
        .otherwise(|m| {
            m.next(timer, timer + 1);
            m.next(invalid, counted);
            m.next(hi_q, hi_q | reached);
        });
    });
    m.assert_always(
        invalid.lt(lit(u64::from(HI_BER_INVALID) + 1, iw)),
        "at most 16 invalid headers counted in a window",
    );
    m.assign(hi_ber, hi_q);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "eth_ber_monitor",
        doc: "Ethernet 10GBASE-R BER monitor: hi_ber at 16 invalid sync headers within a window",
        params: vec![WINDOW.spec()],
        build: |name, p| Ok(eth_ber_monitor(name, &BerConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
