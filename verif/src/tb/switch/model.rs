//! Rust reference models of the switch blocks: where `route_table` sends a
//! header word through a set of programmed windows, and the credit gate of
//! `credit_port`.

use linkforge_rtl::switch::route::{
    reg_addr, PortWindows, REG_BUS, REG_MEM_BASE, REG_MEM_LIMIT, REG_PREF_BASE, REG_PREF_LIMIT,
};

/// The TLP Type field (PCIe 2.2.1, Fmt/Type table): memory requests
/// (MRd, MWr) 00000b; completions (Cpl, CplD) 01010b.
const TYPE_MEM: u64 = 0b0_0000;
const TYPE_CPL: u64 = 0b0_1010;

/// The spec's credit gate on `bits`-bit counters: may a packet needing `need`
/// credits be sent?
pub fn credit_ok(limit: u64, consumed: u64, need: u64, bits: u32) -> bool {
    let modulus = 1u64 << bits;
    limit.wrapping_sub(consumed.wrapping_add(need)) & (modulus - 1) <= modulus / 2
}

/// The Rust reference model of the routing table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteModel {
    /// The windows of each port.
    pub ports: Vec<PortWindows>,
    /// Where unclaimed packets go; `None` drops them.
    pub default_port: Option<usize>,
}

impl RouteModel {
    /// The output of the packet with header word `w`, or `None` when it is
    /// unroutable.
    pub fn route(&self, w: u64) -> Option<usize> {
        let inside = |(lo, hi): (u64, u64), v: u64| lo <= v && v <= hi;
        let addr = w >> 20;
        let claimed = self.ports.iter().position(|p| match w & 0x1F {
            TYPE_MEM => (w >> 32 == 0 && inside(p.mem, addr & 0xFFF)) || inside(p.pref, addr),
            TYPE_CPL => inside((p.bus.0.into(), p.bus.1.into()), w >> 24 & 0xFF),
            _ => false,
        });
        claimed.or(self.default_port)
    }

    /// The register writes `(cfg_addr, cfg_wdata)` that program the table.
    pub fn writes(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        for (p, w) in self.ports.iter().enumerate() {
            out.push((reg_addr(p, REG_MEM_BASE), w.mem.0));
            out.push((reg_addr(p, REG_MEM_LIMIT), w.mem.1));
            out.push((reg_addr(p, REG_PREF_BASE), w.pref.0));
            out.push((reg_addr(p, REG_PREF_LIMIT), w.pref.1));
            out.push((
                reg_addr(p, REG_BUS),
                u64::from(w.bus.1) << 8 | u64::from(w.bus.0),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_rtl::switch::tlp;

    #[test]
    fn the_gate_wraps_modulo_the_counter() {
        assert!(credit_ok(10, 9, 1, 8));
        assert!(!credit_ok(10, 10, 1, 8));
        // Limit and consumed both wrapped past 255.
        assert!(credit_ok(3, 250, 5, 8));
        assert!(!credit_ok(3, 250, 10, 8));
        assert!(credit_ok(0, 0, 0, 12));
    }

    #[test]
    fn the_model_routes_by_window_and_bus() {
        let mut ports = vec![PortWindows::EMPTY; 3];
        ports[1].mem = (0x010, 0x01F);
        ports[2].pref = (0x1000, 0x1FFF);
        ports[0].bus = (3, 5);
        let mut model = RouteModel {
            ports,
            default_port: None,
        };
        assert_eq!(model.route(tlp::mem_write(0x0150_0000, 1)), Some(1));
        assert_eq!(model.route(tlp::mem_read(0x0250_0000)), None);
        assert_eq!(model.route(tlp::completion(0x0400, 0, 0)), Some(0));
        assert_eq!(model.route(tlp::mem_write(0x1_2345_6789, 0)), Some(2));
        assert_eq!(model.route(tlp::completion(0x0600, 0, 0)), None);
        model.default_port = Some(2);
        assert_eq!(model.route(tlp::completion(0x0600, 0, 0)), Some(2));
    }
}
