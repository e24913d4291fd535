//! `pam4_tx` and `pam4_rx` judged by the coding rules of PCIe 4.2.3.1 and
//! IEEE 802.3 120.5.7: Gray pair `G` to `P1 = G1`, `P0 = G1 ^ G0`;
//! precoding sends `T = (P - T_prev) mod 4` and receives
//! `P = (R + R_prev) mod 4`. The model feeds random symbols with random
//! gaps and compares `out_valid` and the registered symbol each cycle.

use crate::tb::cycle::{bits, expect_eq, flag, CycleModel};
use crate::tb::RESET_CYCLES;
use linkforge_hdl::Bits;
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::pam4::Pam4Config;
use linkforge_rtl::RtlError;

/// The level (0..3) sent for Gray pair `gray` after level `prev`.
pub fn tx_level(gray: u64, prev: u64, precode: bool) -> u64 {
    let p = (gray & 2) | ((gray >> 1 ^ gray) & 1);
    if precode {
        (p + 4 - prev) % 4
    } else {
        p
    }
}

/// The Gray pair received as level `sym` after level `prev`.
pub fn rx_gray(sym: u64, prev: u64, precode: bool) -> u64 {
    let p = if precode { (sym + prev) % 4 } else { sym };
    (p & 2) | ((p >> 1 ^ p) & 1)
}

/// The levels sent for the Gray pairs `gray` from reset.
pub fn levels(gray: &[u64], precode: bool) -> Vec<u64> {
    let mut prev = 0;
    gray.iter()
        .map(|&g| {
            prev = tx_level(g, prev, precode);
            prev
        })
        .collect()
}

/// The model of `pam4_tx` (`transmit`) or `pam4_rx`.
#[derive(Clone, Debug)]
pub struct Pam4Model {
    precode: bool,
    transmit: bool,
    /// The last level sent or received (0 after reset).
    prev: u64,
    /// `out_valid` and the registered output once a reset defined them
    /// (the output is unknown until the first valid symbol).
    shown: Option<(bool, Option<u64>)>,
}

impl Pam4Model {
    /// The model of the transmitter (`transmit`) or receiver `cfg`
    /// describes.
    pub fn new(cfg: &Pam4Config, transmit: bool) -> Self {
        Pam4Model {
            precode: cfg.precode,
            transmit,
            prev: 0,
            shown: None,
        }
    }

    /// The model of the `pam4_tx` `params` describe.
    pub fn tx_from_params(params: &Params) -> Result<Self, RtlError> {
        Ok(Self::new(&Pam4Config::from_params(params)?, true))
    }

    /// The model of the `pam4_rx` `params` describe.
    pub fn rx_from_params(params: &Params) -> Result<Self, RtlError> {
        Ok(Self::new(&Pam4Config::from_params(params)?, false))
    }

    fn ports(&self) -> (&'static str, &'static str) {
        if self.transmit {
            ("in_gray", "out_sym")
        } else {
            ("in_sym", "out_gray")
        }
    }
}

impl CycleModel for Pam4Model {
    fn inputs(&self) -> Vec<(String, u32)> {
        vec![
            ("rst".into(), 1),
            ("in_valid".into(), 1),
            (self.ports().0.into(), 2),
        ]
    }
    fn outputs(&self) -> Vec<String> {
        vec!["out_valid".into(), self.ports().1.into()]
    }
    fn words_per_cycle(&self) -> usize {
        1
    }
    fn drive(&mut self, cycle: u64, words: &mut dyn Iterator<Item = u64>, _: &[Bits]) -> Vec<Bits> {
        let w = words.next().unwrap_or(0);
        vec![
            flag(cycle < RESET_CYCLES),
            flag(w & 3 != 0),
            bits(w >> 2, 2),
        ]
    }
    fn judge(&mut self, _: u64, _: &[Bits], outputs: &[Bits]) -> Result<u64, String> {
        let Some((valid, value)) = self.shown else {
            return Ok(0);
        };
        let mut checks = expect_eq("out_valid", outputs[0].low_u64(), u64::from(valid))?;
        if let Some(v) = value {
            checks += expect_eq(self.ports().1, outputs[1].low_u64(), v)?;
        }
        Ok(checks)
    }
    fn advance(&mut self, inputs: &[Bits], _: &[bool]) {
        if inputs[0].bit(0) {
            self.prev = 0;
            self.shown = Some((false, None));
            return;
        }
        let Some((valid, value)) = &mut self.shown else {
            return;
        };
        *valid = inputs[1].bit(0);
        if *valid {
            let x = inputs[2].low_u64();
            let out = if self.transmit {
                let t = tx_level(x, self.prev, self.precode);
                self.prev = t;
                t
            } else {
                let g = rx_gray(x, self.prev, self.precode);
                self.prev = x;
                g
            };
            *value = Some(out);
        }
    }
    fn unit(&self) -> &'static str {
        "outputs"
    }
}
