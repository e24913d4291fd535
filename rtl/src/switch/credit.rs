//! Credit-based flow control (PCIe 2.6.1): six credit types (PH, PD, NPH,
//! NPD, CplH, CplD), one header and one data counter per class.
//!
//! A receiver advertises CREDIT_LIMIT per type (header counters 8 bits,
//! data counters 12 bits, all modulo their width) and raises it as its
//! buffer frees. A transmitter counts CREDITS_CONSUMED per type and may
//! send a packet needing `need` credits only while
//! `(CREDIT_LIMIT - (CREDITS_CONSUMED + need)) mod 2^n <= 2^(n-1)`.
//! A limit of 0 in the first cycle after reset is an initial
//! advertisement of infinite credit (2.6.1): the gate always passes for
//! that type until the next reset.
//! A packet needs one header credit and `ceil(payload bytes / 16)` data
//! credits of its class.
//!
//! Block `credit_port`: both sides of one link end. Ports (`clk`, `rst`
//! synchronous, active high):
//! - transmitter: `tx_limit_{ph,pd,nph,npd,cplh,cpld}` (the partner's
//!   limits), `tx_class[1:0]`, `tx_data[11:0]` (the packet's class and data
//!   credits), `tx_ok` (the gate passes), `tx_send` (the packet is sent at
//!   this edge; consumes credits when `tx_ok`), `tx_consumed_*`.
//! - receiver: `rx_limit_*` (advertised limits, starting at the configured
//!   credits), `rx_release`, `rx_class[1:0]`, `rx_data[11:0]` (a packet of
//!   that class and data credits left the buffer at this edge).

use super::tlp::Class;
use crate::catalog::{no_issues, BlockKind, Params};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Width of header credit counters.
pub const HDR_BITS: u32 = 8;
/// Width of data credit counters.
pub const DATA_BITS: u32 = 12;
/// Bytes one data credit covers (4 DW).
pub const DATA_CREDIT_BYTES: u64 = 16;
/// Parameter `hdr_credits`.
pub const HDR_CREDITS: IntParam = IntParam::new(
    "hdr_credits",
    "h",
    1..=127,
    32,
    "receiver: header credits advertised per class",
);
/// Parameter `data_credits`.
pub const DATA_CREDITS: IntParam = IntParam::new(
    "data_credits",
    "d",
    1..=2047,
    256,
    "receiver: data credits (16 B) advertised per class",
);

/// The credit type names, as in port names: header then data per class.
pub const TYPE_NAMES: [(&str, &str); 3] = [("ph", "pd"), ("nph", "npd"), ("cplh", "cpld")];

/// Data credits for a payload of `dw` DWs.
pub fn data_credits(dw: u64) -> u64 {
    (dw * 4).div_ceil(DATA_CREDIT_BYTES)
}

/// The gate in hardware (all operands one counter's width).
pub(crate) fn gate(limit: impl Into<Expr>, consumed: Expr, need: Expr) -> Expr {
    let limit = limit.into();
    let n = limit.width();
    (limit - (consumed + need)).le(lit(1 << (n - 1), n))
}

/// One signal per credit type: `hdr[c]` and `data[c]` for each class code `c`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CreditSet {
    pub hdr: [Signal; 3],
    pub data: [Signal; 3],
}

impl CreditSet {
    /// Six signals named `{prefix}{type}`, made by `make(name, width)` in
    /// this order: the header types by class code, then the data types.
    pub fn new(prefix: &str, mut make: impl FnMut(String, u32) -> Signal) -> CreditSet {
        let hdr = TYPE_NAMES.map(|(h, _)| make(format!("{prefix}{h}"), HDR_BITS));
        let data = TYPE_NAMES.map(|(_, d)| make(format!("{prefix}{d}"), DATA_BITS));
        CreditSet { hdr, data }
    }

    /// Every signal, header then data per class.
    pub fn all(&self) -> [Signal; 6] {
        [
            self.hdr[0],
            self.data[0],
            self.hdr[1],
            self.data[1],
            self.hdr[2],
            self.data[2],
        ]
    }
}

/// The class's entry of `sigs` (class code 3 reads as class 2).
fn by_class(sigs: &[Signal; 3], class: &Expr) -> Expr {
    let s: Vec<Expr> = [sigs[0], sigs[1], sigs[2], sigs[2]]
        .into_iter()
        .map(Expr::from)
        .collect();
    select(class.clone(), &s)
}

/// A transmitter: CREDITS_CONSUMED registers against the partner's limits.
pub(crate) struct TxCredits {
    limits: CreditSet,
    consumed: CreditSet,
    /// Per type (header then data per class): the partner advertised 0,
    /// infinite credit.
    infinite: [Signal; 6],
}

impl TxCredits {
    /// Consumed counters named `{prefix}consumed_*`, gating against `limits`.
    /// A limit of 0 at the first edge after reset is the partner's initial
    /// advertisement of infinite credit for that type: the gate passes for
    /// it until the next reset (`{prefix}infinite_*`).
    pub fn build(m: &mut ModuleBuilder, prefix: &str, limits: CreditSet) -> TxCredits {
        let consumed = CreditSet::new(&format!("{prefix}consumed_"), |n, w| m.reg(n, w).reset(0));
        let started = m.reg(format!("{prefix}fc_started"), 1).reset(0);
        m.next(started, high());
        let types = TYPE_NAMES.iter().flat_map(|(h, d)| [*h, *d]);
        let mut infinite = limits.all();
        for ((slot, limit), name) in infinite.iter_mut().zip(limits.all()).zip(types) {
            let q = m.reg(format!("{prefix}infinite_{name}"), 1).reset(0);
            m.when(!started, |m| m.next(q, limit.eq(lit(0, limit.width()))));
            *slot = q;
        }
        TxCredits {
            limits,
            consumed,
            infinite,
        }
    }

    /// The consumed counters.
    pub fn consumed(&self) -> &CreditSet {
        &self.consumed
    }

    /// A packet of `class` needing `data` data credits passes the gate.
    pub fn ok(&self, class: &Expr, data: &Expr) -> Expr {
        let inf = &self.infinite;
        let inf_h = by_class(&[inf[0], inf[2], inf[4]], class);
        let inf_d = by_class(&[inf[1], inf[3], inf[5]], class);
        let h = inf_h
            | gate(
                by_class(&self.limits.hdr, class),
                by_class(&self.consumed.hdr, class),
                lit(1, HDR_BITS),
            );
        let d = inf_d
            | gate(
                by_class(&self.limits.data, class),
                by_class(&self.consumed.data, class),
                data.clone(),
            );
        h & d
    }

    /// Consumes the credits of `sent` and gives back those of `refund` (a
    /// packet sent earlier and nullified, which the partner discards
    /// without counting it).
    pub fn consume(
        &self,
        m: &mut ModuleBuilder,
        sent: &PacketCredits,
        refund: Option<&PacketCredits>,
    ) {
        for c in Class::ALL {
            let mine = |p: &PacketCredits| p.when.clone() & p.class.clone().eq(lit(c.code(), 2));
            let (h, d) = (
                self.consumed.hdr[c as usize],
                self.consumed.data[c as usize],
            );
            let (mut h_next, mut d_next) = (
                h + mine(sent).zext(HDR_BITS),
                d + mux(mine(sent), sent.data.clone(), lit(0, DATA_BITS)),
            );
            if let Some(r) = refund {
                h_next = h_next - mine(r).zext(HDR_BITS);
                d_next = d_next - mux(mine(r), r.data.clone(), lit(0, DATA_BITS));
            }
            m.next(h, h_next);
            m.next(d, d_next);
        }
    }
}

/// A packet's credits moving at an edge: a packet of `class` (2 bits) with
/// `data` data credits, when `when` is high. A receiver frees them
/// ([`rx_limits`]); a transmitter spends or gets them back
/// ([`TxCredits::consume`]).
pub(crate) struct PacketCredits {
    pub when: Expr,
    pub class: Expr,
    pub data: Expr,
}

/// A receiver's limits: registers named `{prefix}*` starting at `credits`
/// (header and data per class code), raised by every release of
/// `releases` and `at_once`. Returns the advertised limits, per type in
/// [`CreditSet::all`]'s order: the registers, plus this cycle's `at_once`
/// releases, for a receiver that advertises space in the cycle it frees.
pub(crate) fn rx_limits(
    m: &mut ModuleBuilder,
    prefix: &str,
    credits: [(u64, u64); 3],
    releases: &[PacketCredits],
    at_once: &[PacketCredits],
) -> [Expr; 6] {
    let hdr = credits.iter().map(|c| c.0);
    let mut init = hdr.chain(credits.iter().map(|c| c.1));
    let limits = CreditSet::new(prefix, |n, w| m.reg(n, w).reset(init.next().unwrap_or(0)));
    let mut advertised: [Expr; 6] = limits.all().map(Expr::from);
    for c in Class::ALL {
        let mine = |r: &PacketCredits| r.when.clone() & r.class.clone().eq(lit(c.code(), 2));
        let add = |base: Expr, rs: &[PacketCredits]| {
            rs.iter()
                .map(|r| mine(r).zext(HDR_BITS))
                .fold(base, |a, b| a + b)
        };
        let add_data = |base: Expr, rs: &[PacketCredits]| {
            rs.iter()
                .map(|r| mux(mine(r), r.data.clone(), lit(0, DATA_BITS)))
                .fold(base, |a, b| a + b)
        };
        let (h, d) = (limits.hdr[c as usize], limits.data[c as usize]);
        let (h_now, d_now) = (add(h.into(), at_once), add_data(d.into(), at_once));
        m.next(h, add(h_now.clone(), releases));
        m.next(d, add_data(d_now.clone(), releases));
        advertised[2 * c as usize] = h_now;
        advertised[2 * c as usize + 1] = d_now;
    }
    advertised
}

/// The receiver's initial advertisement of a `credit_port`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreditPortConfig {
    /// Header credits per class ([`HDR_CREDITS`]).
    pub hdr_credits: u64,
    /// Data credits per class ([`DATA_CREDITS`]).
    pub data_credits: u64,
}

impl CreditPortConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = CreditPortConfig {
            hdr_credits: HDR_CREDITS.read(p)?,
            data_credits: DATA_CREDITS.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks both ranges.
    pub fn validate(&self) -> Result<(), RtlError> {
        HDR_CREDITS.check(self.hdr_credits)?;
        DATA_CREDITS.check(self.data_credits)
    }
}

/// Builds the credit port as module `module_name`.
pub fn credit_port(module_name: &str, cfg: &CreditPortConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let tx_limits = CreditSet::new("tx_limit_", |n, w| m.input(n, w));
    let tx_class = m.input("tx_class", 2);
    let tx_data = m.input("tx_data", DATA_BITS);
    let tx_send = m.input("tx_send", 1);
    let tx_ok = m.output("tx_ok", 1);
    let tx = TxCredits::build(&mut m, "tx_q_", tx_limits);
    let (class, data) = (Expr::from(tx_class), Expr::from(tx_data));
    let ok = tx.ok(&class, &data);
    m.assign(tx_ok, ok.clone());
    let sent = PacketCredits {
        when: tx_send & ok,
        class,
        data,
    };
    tx.consume(&mut m, &sent, None);
    let consumed = CreditSet::new("tx_consumed_", |n, w| m.output(n, w));
    for (o, q) in consumed.all().into_iter().zip(tx.consumed().all()) {
        m.assign(o, q);
    }
    let release = PacketCredits {
        when: m.input("rx_release", 1).into(),
        class: m.input("rx_class", 2).into(),
        data: m.input("rx_data", DATA_BITS).into(),
    };
    let limits = rx_limits(
        &mut m,
        "rx_limit_q_",
        [(cfg.hdr_credits, cfg.data_credits); 3],
        &[release],
        &[],
    );
    let outs = CreditSet::new("rx_limit_", |n, w| m.output(n, w));
    for (o, q) in outs.all().into_iter().zip(limits) {
        m.assign(o, q);
    }
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "credit_port",
        doc: "PCIe credit flow control of one link end: PH/PD/NPH/NPD/CplH/CplD, modulo gate",
        params: vec![HDR_CREDITS.spec(), DATA_CREDITS.spec()],
        build: |name, p| Ok(credit_port(name, &CreditPortConfig::from_params(p)?)?),
        issues: no_issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_credits_round_up_to_16_bytes() {
        assert_eq!(data_credits(1), 1);
        assert_eq!(data_credits(4), 1);
        assert_eq!(data_credits(5), 2);
        assert_eq!(data_credits(1024), 256);
        assert_eq!(data_credits(0), 0);
    }
}
