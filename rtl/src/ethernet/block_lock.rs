//! `eth_block_lock`: the block lock state machine of IEEE 802.3 Clause 49
//! (figure 49-14), one block per clock.
//!
//! Sync headers are tested in windows of 64 blocks. Without lock, an
//! invalid header (`00` or `11`) asks for a slip; a window of 64 valid
//! headers, so 64 in a row since the last slip, gains `block_lock`. With
//! lock, the 16th invalid header within one window loses it and slips;
//! fewer keep it (a window with any invalid header just starts the next).
//! After a slip the next `slip_wait` blocks are not tested, while the slip
//! takes effect (Clause 49's `slip_done`); the window starts after them.
//!
//! Ports (`rst` synchronous, active high): `clk`, `rst`, `in_valid`,
//! `in_hdr[1:0]` (a block's header, tested at edges with `in_valid`);
//! `block_lock`; `slip` (registered, high for one cycle per slip);
//! `bad_header` (registered: the last tested header was invalid while
//! `block_lock` was high).

use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `slip_wait`.
pub const SLIP_WAIT: IntParam = IntParam::new(
    "slip_wait",
    "sw",
    0..=63,
    2,
    "blocks left untested after a slip while it takes effect",
);
/// Headers tested in a window; valid ones in a row that gain lock.
pub const WINDOW: u64 = 64;
/// Invalid headers within one window that lose lock.
pub const LOSS_INVALID: u64 = 16;

/// A block lock state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockLockConfig {
    /// Blocks left untested after each slip ([`SLIP_WAIT`]).
    pub slip_wait: u32,
}

impl BlockLockConfig {
    /// Reads and checks the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = BlockLockConfig {
            slip_wait: SLIP_WAIT.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the wait.
    pub fn validate(&self) -> Result<(), RtlError> {
        SLIP_WAIT.check(self.slip_wait)
    }
}

/// Builds the state machine as module `module_name`.
pub fn eth_block_lock(module_name: &str, cfg: &BlockLockConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    // One bit more than the counts need, so the assertions can fail.
    let cnt_w = bits_for(WINDOW as usize + 1);
    let inv_w = bits_for(LOSS_INVALID as usize + 1);
    let wait_w = bits_for(SLIP_WAIT.max as usize + 1);

    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_hdr = m.input("in_hdr", 2);
    let block_lock = m.output("block_lock", 1);
    let slip = m.output("slip", 1);
    let bad_header = m.output("bad_header", 1);

    let locked = m.reg("locked", 1).reset(0);
    let tested = m.reg("tested", cnt_w).reset(0);
    let invalid = m.reg("invalid", inv_w).reset(0);
    let wait = m.reg("wait", wait_w).reset(0);
    let slip_q = m.reg("slip_q", 1).reset(0);
    let bad_q = m.reg("bad_q", 1).reset(0);

    let test = m.wire("test", 1);
    m.assign(test, in_valid & wait.eq(lit(0, wait_w)));
    let valid = m.wire("valid", 1);
    m.assign(valid, in_hdr.bit(0) ^ in_hdr.bit(1));
    let window_end = tested.eq(lit(WINDOW - 1, cnt_w));
    let do_slip = m.wire("do_slip", 1);
    m.assign(
        do_slip,
        test & !valid & (!locked | invalid.eq(lit(LOSS_INVALID - 1, inv_w))),
    );

    m.next(slip_q, do_slip);
    m.next(bad_q, test & !valid & locked);
    m.when(in_valid & !test, |m| m.next(wait, wait - 1));
    m.when(do_slip, |m| {
        m.next(locked, low());
        m.next(tested, lit(0, cnt_w));
        m.next(invalid, lit(0, inv_w));
        m.next(wait, lit(cfg.slip_wait.into(), wait_w));
    })
    .elsewhen(test, |m| {
        m.when(window_end, |m| {
            m.when(invalid.eq(lit(0, inv_w)) & valid, |m| {
                m.next(locked, high())
            });
            m.next(tested, lit(0, cnt_w));
            m.next(invalid, lit(0, inv_w));
        })
        .otherwise(|m| {
            m.next(tested, tested + 1);
            m.next(invalid, invalid + (!valid).zext(inv_w));
        });
    });

    m.assert_always(
        tested.lt(lit(WINDOW, cnt_w)),
        "fewer than 64 headers counted in a window",
    );
    m.assert_always(
        invalid.lt(lit(LOSS_INVALID, inv_w)),
        "fewer than 16 invalid headers counted in a window",
    );
    m.assert_always(
        locked | invalid.eq(lit(0, inv_w)),
        "without block lock every tested header so far in the window is valid",
    );
    m.assert_always(!slip_q | !locked, "a slip never happens with block lock");
    m.assign(block_lock, locked);
    m.assign(slip, slip_q);
    m.assign(bad_header, bad_q);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "eth_block_lock",
        doc: "Ethernet 64b/66b block lock: 64 valid headers gain lock, 16 invalid in 64 lose it",
        params: vec![SLIP_WAIT.spec()],
        build: |name, p| Ok(eth_block_lock(name, &BlockLockConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
