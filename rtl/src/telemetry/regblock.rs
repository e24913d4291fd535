//! The register block: the fields of a [`RegMap`] behind an AXI4-Lite
//! slave.
//!
//! Bus ports (prefix `s_axil_`, 32-bit data, clock `clk`, synchronous reset
//! `rst`): `awaddr awvalid awready wdata wstrb wvalid wready bresp bvalid
//! bready araddr arvalid arready rdata rresp rvalid rready`.
//!
//! - Writes: the address and the data are accepted independently (either
//!   first, or both in one cycle) into one holding register each
//!   (`awready`/`wready` are high while it is empty). The cycle after both
//!   are held and no response is pending, the write takes effect and
//!   `bvalid` rises with it; `bvalid` stays until `bready`. Byte lanes with
//!   `wstrb` low are not written.
//! - Reads: `arready` is high while no read response is pending; the read
//!   is sampled at the accepting edge (side effects of `rc` fields happen
//!   there) and `rvalid` holds it until `rready`.
//! - An address with no register, or one that is not a multiple of 4,
//!   answers `SLVERR` (2'b10) with read data zero, and the write is
//!   dropped; mapped ones answer `OKAY`.
//!
//! Hardware ports per field `F` of register `R`: `ro` input `R_F`; `rw` and
//! `wo` output `R_F`; `w1c` input `R_F_set` (sticky set, one bit per bit);
//! `rc` input `R_F_inc` (count one); `fifo` input `R_F` (the field of the
//! entry input `R_push` appends to the register's [`fifo`](super::fifo)),
//! `fifo_count` and `fifo_ovf` none (they read the FIFO). `irq` (level) is the OR of the set bits
//! of the `w1c` fields marked `irq`, present when there is one.

use super::fifo::{history_fifo, HistoryFifo};
use super::map::{Access, FieldRef, RegMap, REG_BITS};
use super::port_name;
use linkforge_hdl::prelude::*;

/// The AXI4-Lite port prefix.
pub const PREFIX: &str = "s_axil_";

/// `OKAY` and `SLVERR` on 2 bits.
const OKAY: u64 = 0;
const SLVERR: u64 = 2;

/// The hardware side of one field: its storage (if any) and its value.
struct FieldHw {
    /// The stored value (`None` for `ro`).
    q: Option<Signal>,
    /// Its value now: the input of an `ro` field, else the stored value.
    value: Expr,
    /// The input (`ro` value, `w1c` set bits, `rc` increment).
    input: Option<Signal>,
}

/// The history FIFO of register `reg` (one with `fifo` fields): its input
/// `REG_push`, one input per `fifo` field (by field index, in the entry's
/// order, the first in the low bits) and the FIFO, popped and its
/// overflow cleared by `read`.
fn register_fifo(
    m: &mut ModuleBuilder,
    map: &RegMap,
    reg: usize,
    read: Expr,
) -> (HistoryFifo, Vec<(usize, Signal)>) {
    let r = &map.regs[reg];
    let push = m.input(format!("{}_push", r.name), 1);
    let inputs: Vec<(usize, Signal)> = r
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.access == Access::Fifo)
        .map(|(field, f)| {
            (
                field,
                m.input(port_name(map, FieldRef { reg, field }), f.width),
            )
        })
        .collect();
    let entry = concat(inputs.iter().rev().map(|(_, s)| Expr::from(*s)).collect());
    let hist = history_fifo(
        m,
        &format!("{}_fifo", r.name),
        entry,
        push.into(),
        read.clone(),
        read,
    );
    (hist, inputs)
}

/// Builds the register block of `map` as module `module_name`.
pub fn regblock(module_name: &str, map: &RegMap) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let aw = map.addr_width;
    let bus = m.sink(PREFIX, Axi4Lite::new(aw, REG_BITS));

    // Write channel: one holding register each for the address and the data.
    let aw_held = m.reg("aw_held", 1).reset(0);
    let aw_addr = m.reg("aw_addr", aw).reset(0);
    let w_held = m.reg("w_held", 1).reset(0);
    let w_data = m.reg("w_data", REG_BITS).reset(0);
    let w_strb = m.reg("w_strb", REG_BITS / 8).reset(0);
    let b_valid = m.reg("b_valid", 1).reset(0);
    let b_resp = m.reg("b_resp", 2).reset(0);
    let aw_fire = bus.awvalid() & !aw_held;
    let w_fire = bus.wvalid() & !w_held;
    let do_write = aw_held & w_held & !b_valid;
    m.when(do_write.clone(), |m| m.next(aw_held, lit(0, 1)))
        .elsewhen(aw_fire.clone(), |m| m.next(aw_held, lit(1, 1)));
    m.when(aw_fire, |m| m.next(aw_addr, bus.awaddr()));
    m.when(do_write.clone(), |m| m.next(w_held, lit(0, 1)))
        .elsewhen(w_fire.clone(), |m| m.next(w_held, lit(1, 1)));
    m.when(w_fire, |m| {
        m.next(w_data, bus.wdata());
        m.next(w_strb, bus.wstrb());
    });

    // Read channel: one response register.
    let r_valid = m.reg("r_valid", 1).reset(0);
    let r_data = m.reg("r_data", REG_BITS).reset(0);
    let r_resp = m.reg("r_resp", 2).reset(0);
    let ar_fire = bus.arvalid() & !r_valid;

    let hit = |a: Signal, offset: u32| a.eq(lit(u64::from(offset), aw));
    let write_hits: Vec<Expr> = map.regs.iter().map(|r| hit(aw_addr, r.offset)).collect();
    let read_hits: Vec<Expr> = map
        .regs
        .iter()
        .map(|r| hit(bus.araddr(), r.offset))
        .collect();
    let byte_mask = concat(
        (0..REG_BITS / 8)
            .rev()
            .map(|k| w_strb.bit(k).repeat(8))
            .collect(),
    );

    // Fields: storage and inputs first, so alerts can compare any two.
    let mut hw: Vec<Vec<FieldHw>> = Vec::new();
    for (reg, r) in map.regs.iter().enumerate() {
        let popped = ar_fire.clone() & read_hits[reg].clone();
        let fifo = r.is_fifo().then(|| register_fifo(&mut m, map, reg, popped));
        let mut fields = Vec::new();
        for (field, f) in r.fields.iter().enumerate() {
            let name = port_name(map, FieldRef { reg, field });
            let q = f
                .access
                .stored()
                .then(|| m.reg(format!("{name}_q"), f.width).reset(f.reset.into()));
            let input = match f.access {
                Access::Ro => Some(m.input(name.clone(), f.width)),
                Access::W1c => Some(m.input(format!("{name}_set"), f.width)),
                Access::Rc => Some(m.input(format!("{name}_inc"), 1)),
                Access::Fifo => fifo.as_ref().and_then(|(_, inputs)| {
                    inputs.iter().find(|(i, _)| *i == field).map(|(_, s)| *s)
                }),
                Access::Rw | Access::Wo | Access::FifoCount | Access::FifoOvf => None,
            };
            if let (Access::Rw | Access::Wo, Some(q)) = (f.access, q) {
                let o = m.output(name, f.width);
                m.assign(o, q);
            }
            let from_fifo = fifo.as_ref().map(|(hist, inputs)| match f.access {
                Access::Fifo => {
                    let lo: u32 = inputs
                        .iter()
                        .take_while(|(i, _)| *i != field)
                        .map(|(_, s)| s.width())
                        .sum();
                    hist.head.clone().slice(lo + f.width - 1, lo)
                }
                Access::FifoCount => hist.count.zext(f.width),
                _ => hist.overflow.zext(f.width),
            });
            let value = match (q, f.access.in_fifo(), from_fifo, input) {
                (Some(q), _, _, _) => Expr::from(q),
                (None, true, Some(v), _) => v,
                (None, false, _, Some(i)) => Expr::from(i),
                _ => lit(0, f.width),
            };
            fields.push(FieldHw { q, value, input });
        }
        hw.push(fields);
    }

    // Alerts: a status bit set while source >= threshold.
    let mut alert_sets: Vec<Vec<Option<Expr>>> = map
        .regs
        .iter()
        .map(|r| vec![None; r.fields.len()])
        .collect();
    for a in &map.alerts {
        let (s, t) = (
            &hw[a.source.reg][a.source.field],
            &hw[a.threshold.reg][a.threshold.field],
        );
        let w = s.value.width().max(t.value.width());
        let cond = s.value.clone().zext(w).ge(t.value.clone().zext(w));
        let slot = &mut alert_sets[a.status.reg][a.status.field];
        *slot = Some(match slot.take() {
            Some(e) => e | cond,
            None => cond,
        });
    }

    // Next state of every stored field.
    let mut irq_bits = Vec::new();
    for (reg, r) in map.regs.iter().enumerate() {
        let written = do_write.clone() & write_hits[reg].clone();
        let read = ar_fire.clone() & read_hits[reg].clone();
        for (field, f) in r.fields.iter().enumerate() {
            let h = &hw[reg][field];
            let Some(q) = h.q else { continue };
            let (hi, lo) = (f.msb(), f.lsb);
            let bits = mux(
                written.clone(),
                byte_mask.clone().slice(hi, lo),
                lit(0, f.width),
            );
            let data = w_data.slice(hi, lo);
            match f.access {
                Access::Rw | Access::Wo => m.next(q, (q & !bits.clone()) | (data & bits)),
                Access::W1c => {
                    let set = match (&h.input, alert_sets[reg][field].take()) {
                        (Some(i), Some(a)) => Expr::from(*i) | a.zext(f.width),
                        (Some(i), None) => Expr::from(*i),
                        (None, Some(a)) => a.zext(f.width),
                        (None, None) => lit(0, f.width),
                    };
                    m.next(q, (q & !(data & bits)) | set);
                    if f.irq {
                        irq_bits.push(q.any());
                    }
                }
                Access::Rc => {
                    let base = mux(read.clone(), lit(0, f.width), q);
                    let inc = h.input.map_or_else(|| lit(0, 1), Expr::from);
                    let step = inc & !base.clone().all();
                    m.next(q, mux(step, base.clone() + 1, base));
                }
                Access::Ro | Access::Fifo | Access::FifoCount | Access::FifoOvf => {}
            }
        }
    }
    if let Some(any) = irq_bits.into_iter().reduce(|a, b| a | b) {
        let irq = m.output("irq", 1);
        m.assign(irq, any);
    }

    // Read data: each register's readable fields at their bits, OR-ed by
    // address (`wo` fields read as zero).
    let mut read_value = lit(0, REG_BITS);
    for (reg, r) in map.regs.iter().enumerate() {
        let mut value = lit(0, REG_BITS);
        for (field, f) in r.fields.iter().enumerate() {
            if f.access != Access::Wo {
                value = value | (hw[reg][field].value.clone().zext(REG_BITS) << f.lsb);
            }
        }
        read_value = read_value | mux(read_hits[reg].clone(), value, lit(0, REG_BITS));
    }
    let read_mapped = read_hits
        .into_iter()
        .reduce(|a, b| a | b)
        .unwrap_or_else(low);
    let write_mapped = write_hits
        .into_iter()
        .reduce(|a, b| a | b)
        .unwrap_or_else(low);

    m.when(ar_fire.clone(), |m| {
        m.next(r_valid, lit(1, 1));
        m.next(r_data, read_value);
        m.next(r_resp, mux(read_mapped, lit(OKAY, 2), lit(SLVERR, 2)));
    })
    .elsewhen(bus.rready(), |m| m.next(r_valid, lit(0, 1)));
    m.when(do_write, |m| {
        m.next(b_valid, lit(1, 1));
        m.next(b_resp, mux(write_mapped, lit(OKAY, 2), lit(SLVERR, 2)));
    })
    .elsewhen(bus.bready(), |m| m.next(b_valid, lit(0, 1)));

    m.assign(bus.awready(), !aw_held);
    m.assign(bus.wready(), !w_held);
    m.assign(bus.bvalid(), b_valid);
    m.assign(bus.bresp(), b_resp);
    m.assign(bus.arready(), !r_valid);
    m.assign(bus.rvalid(), r_valid);
    m.assign(bus.rdata(), r_data);
    m.assign(bus.rresp(), r_resp);
    m.finish()
}
