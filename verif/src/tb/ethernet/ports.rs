//! An `eth_pcs`'s ports as a testbench drives them each cycle: both
//! resets, the transmit XGMII, the SERDES ports through a serial line, and
//! the receive XGMII.

use crate::models::serial::SerialChannel;
use crate::sim::SignalHandle;
use crate::{Sim, SimError};
use linkforge_rtl::ethernet::pcs::COUNTERS;

/// Bits always on a PCS testbench's line ahead of the data, besides its
/// random offset, so that slips that drop bits never empty it.
pub const LINE_DELAY: usize = 200;

/// Handles to the ports of one `eth_pcs`.
pub struct PcsPorts {
    /// `tx_rst`.
    pub tx_rst: SignalHandle,
    /// `rx_rst`.
    pub rx_rst: SignalHandle,
    /// `xgmii_txd`.
    pub txd: SignalHandle,
    /// `xgmii_txc`.
    pub txc: SignalHandle,
    /// `xgmii_tx_ready`.
    pub tx_ready: SignalHandle,
    /// `serdes_tx_data`.
    pub tx_data: SignalHandle,
    /// `serdes_tx_hdr`, when the SERDES carries the headers (no PCS gearbox).
    pub tx_hdr: Option<SignalHandle>,
    /// `serdes_rx_data`.
    pub rx_data: SignalHandle,
    /// `serdes_rx_hdr`, when the SERDES carries the headers.
    pub rx_hdr: Option<SignalHandle>,
    /// `serdes_rx_bitslip`.
    pub bitslip: SignalHandle,
    /// `xgmii_rx_valid`.
    pub rx_valid: SignalHandle,
    /// `xgmii_rxd`.
    pub rxd: SignalHandle,
    /// `xgmii_rxc`.
    pub rxc: SignalHandle,
    /// `rx_block_lock`.
    pub lock: SignalHandle,
    /// `rx_hi_ber`.
    pub hi_ber: SignalHandle,
    /// The counters, in [`COUNTERS`] order.
    pub counters: Vec<SignalHandle>,
}

impl PcsPorts {
    /// The ports named `prefix` + port in `sim`'s design, of a PCS with its
    /// own gearbox when `gearbox`.
    pub fn new(sim: &Sim, prefix: &str, gearbox: bool) -> Result<PcsPorts, SimError> {
        let s = |n: &str| sim.signal(&format!("{prefix}{n}"));
        // The header ports exist only without the PCS's own gearbox.
        let hdr = |n: &str| if gearbox { Ok(None) } else { s(n).map(Some) };
        Ok(PcsPorts {
            tx_rst: s("tx_rst")?,
            rx_rst: s("rx_rst")?,
            txd: s("xgmii_txd")?,
            txc: s("xgmii_txc")?,
            tx_ready: s("xgmii_tx_ready")?,
            tx_data: s("serdes_tx_data")?,
            tx_hdr: hdr("serdes_tx_hdr")?,
            rx_data: s("serdes_rx_data")?,
            rx_hdr: hdr("serdes_rx_hdr")?,
            bitslip: s("serdes_rx_bitslip")?,
            rx_valid: s("xgmii_rx_valid")?,
            rxd: s("xgmii_rxd")?,
            rxc: s("xgmii_rxc")?,
            lock: s("rx_block_lock")?,
            hi_ber: s("rx_hi_ber")?,
            counters: COUNTERS.iter().map(|n| s(n)).collect::<Result<_, _>>()?,
        })
    }

    /// Holds both resets at `on`.
    pub fn reset(&self, sim: &mut Sim, on: bool) -> Result<(), SimError> {
        sim.poke_handle(self.tx_rst, u64::from(on))?;
        sim.poke_handle(self.rx_rst, u64::from(on))
    }

    /// One cycle of `line`: what the transmit SERDES ports put out now goes
    /// in, and the receive SERDES ports take as much out. When the SERDES
    /// carries the headers, `flip_header` inverts bit 0 of the header sent
    /// and a high `serdes_rx_bitslip` first drops one line bit; with the
    /// PCS's own gearbox `flip_header` is ignored.
    pub fn carry(
        &self,
        sim: &mut Sim,
        line: &mut SerialChannel,
        flip_header: bool,
    ) -> Result<(), SimError> {
        let tx_data = sim.peek_handle(self.tx_data);
        match (self.tx_hdr, self.rx_hdr) {
            (Some(tx_hdr), Some(rx_hdr)) => {
                line.send(sim.peek_handle(tx_hdr) ^ u64::from(flip_header), 2);
                line.send(tx_data, 64);
                if sim.peek_handle(self.bitslip) == 1 {
                    line.receive(1);
                }
                let hdr = line.receive(2);
                sim.poke_handle(rx_hdr, hdr)?;
                let data = line.receive(64);
                sim.poke_handle(self.rx_data, data)
            }
            _ => {
                let w = self.tx_data.width();
                line.send(tx_data, w);
                let data = line.receive(w);
                sim.poke_handle(self.rx_data, data)
            }
        }
    }

    /// Puts XGMII word `(d, c)` on the transmit port.
    pub fn send(&self, sim: &mut Sim, (d, c): (u64, u8)) -> Result<(), SimError> {
        sim.poke_handle(self.txd, d)?;
        sim.poke_handle(self.txc, c.into())
    }

    /// The word on the receive XGMII after an edge, when `xgmii_rx_valid`
    /// says it is one.
    pub fn received(&self, sim: &mut Sim) -> Option<(u64, u8)> {
        (sim.peek_handle(self.rx_valid) == 1)
            .then(|| (sim.peek_handle(self.rxd), sim.peek_handle(self.rxc) as u8))
    }
}
