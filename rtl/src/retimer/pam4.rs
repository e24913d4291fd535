//! `pam4_tx` and `pam4_rx`: PAM4 symbol coding at 64 GT/s (PCIe 4.2.3.1):
//! Gray coding and optional precoding, one symbol (two bits) per clock.
//!
//! `pam4_tx` ports (`rst` synchronous, active high): `clk`, `rst`,
//! `in_valid`, `in_gray[1:0]` (G1 is bit 1); `out_valid`, `out_sym[1:0]`
//! (the level 0..3), registered: one cycle of latency. The Gray pair maps
//! to `P1 = G1`, `P0 = G1 ^ G0`; without precoding the level is `P`, with
//! it `T = (P - T_prev) mod 4`, `T_prev` the previous level sent (0 after
//! reset).
//!
//! `pam4_rx` ports: `clk`, `rst`, `in_valid`, `in_sym[1:0]`; `out_valid`,
//! `out_gray[1:0]`, registered. With precoding `P = (R + R_prev) mod 4`,
//! `R_prev` the previous level received (0 after reset), else `P = R`; then
//! `G1 = P1`, `G0 = P1 ^ P0`. `pam4_rx` inverts `pam4_tx` with the same
//! `precode`. Symbols with `in_valid` low are ignored (outputs hold,
//! `out_valid` falls).

use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::{from_gray, to_gray};
use crate::params::{checked, BoolParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `precode`, of both directions.
pub const PRECODE: BoolParam = BoolParam::new(
    "precode",
    "pre",
    false,
    "precoding: T = (P - T_prev) mod 4 / P = (R + R_prev) mod 4",
);

/// A PAM4 encoder or decoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pam4Config {
    /// Precoding on (`T = (P - T_prev) mod 4` / `P = (R + R_prev) mod 4`).
    pub precode: bool,
}

impl Pam4Config {
    /// Reads the config.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = Pam4Config {
            precode: PRECODE.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Every config is valid.
    pub fn validate(&self) -> Result<(), RtlError> {
        Ok(())
    }
}

/// Which way a block codes.
#[derive(Clone, Copy)]
enum Direction {
    Tx,
    Rx,
}

/// Builds either direction: a registered map of the input pair, with the
/// previous level in `prev` when precoding.
fn pam4(module_name: &str, cfg: &Pam4Config, dir: Direction) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let (input, output) = match dir {
        Direction::Tx => ("in_gray", "out_sym"),
        Direction::Rx => ("in_sym", "out_gray"),
    };
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let value = m.input(input, 2);
    let out_valid = m.output("out_valid", 1);
    let out = m.output(output, 2);
    let valid_q = m.reg("valid_q", 1).reset(0);
    let out_q = m.reg("out_q", 2).reset(0);

    let coded = match (dir, cfg.precode) {
        (Direction::Tx, false) => from_gray(value),
        (Direction::Rx, false) => to_gray(value),
        (Direction::Tx, true) => {
            // The previous level sent is the output register itself.
            from_gray(value) - out_q
        }
        (Direction::Rx, true) => {
            let prev = m.reg("prev", 2).reset(0);
            m.when(in_valid, |m| m.next(prev, value));
            to_gray(value + prev)
        }
    };
    m.next(valid_q, in_valid);
    m.when(in_valid, |m| m.next(out_q, coded));
    m.assign(out_valid, valid_q);
    m.assign(out, out_q);
    m.finish()
}

/// Builds the PAM4 encoder as module `module_name`.
pub fn pam4_tx(module_name: &str, cfg: &Pam4Config) -> Result<Module, HdlError> {
    pam4(module_name, cfg, Direction::Tx)
}

/// Builds the PAM4 decoder as module `module_name`.
pub fn pam4_rx(module_name: &str, cfg: &Pam4Config) -> Result<Module, HdlError> {
    pam4(module_name, cfg, Direction::Rx)
}

/// The catalogue entry of `pam4_tx`.
pub fn tx_kind() -> BlockKind {
    BlockKind {
        name: "pam4_tx",
        doc: "PAM4 encoder: Gray pair to level, optional precoding",
        params: vec![PRECODE.spec()],
        build: |name, p| Ok(pam4_tx(name, &Pam4Config::from_params(p)?)?),
        issues: no_issues,
    }
}

/// The catalogue entry of `pam4_rx`.
pub fn rx_kind() -> BlockKind {
    BlockKind {
        name: "pam4_rx",
        doc: "PAM4 decoder: level to Gray pair, optional precoding",
        params: vec![PRECODE.spec()],
        build: |name, p| Ok(pam4_rx(name, &Pam4Config::from_params(p)?)?),
        issues: no_issues,
    }
}
