//! The Rust reference model of a register block: what each clock edge does
//! to the fields, given the bus operation that takes effect at it and the
//! hardware inputs, and what a read returns.

use linkforge_rtl::telemetry::map::{Access, FieldRef, RegMap};

/// Entries of a register's history FIFO, as the register block's contract
/// states it (docs/ip/telemetry.md).
const FIFO_DEPTH: u32 = 16;

/// The low `width` bits of a 32-bit register (1..=32).
fn field_mask(width: u32) -> u32 {
    if width >= 32 {
        u32::MAX
    } else {
        (1 << width.max(1)) - 1
    }
}
use std::collections::VecDeque;

/// An AXI4-Lite response code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resp {
    /// `OKAY` (2'b00): a mapped register.
    Okay,
    /// `SLVERR` (2'b10): no register at the address.
    SlvErr,
}

impl Resp {
    /// The 2-bit code on `bresp`/`rresp`.
    pub fn code(self) -> u64 {
        match self {
            Resp::Okay => 0,
            Resp::SlvErr => 2,
        }
    }
}

/// The hardware inputs during one cycle: per field (`fields[reg][field]`)
/// the value of an `ro` or `fifo` field, the set bits of a `w1c` field,
/// the increment (0 or 1) of an `rc` field (ignored for the others); per
/// register (`push[reg]`) whether a FIFO register's `REG_push` is high.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    /// Per field.
    pub fields: Vec<Vec<u32>>,
    /// Per register.
    pub push: Vec<bool>,
}

impl Inputs {
    /// All inputs zero.
    pub fn zero(map: &RegMap) -> Inputs {
        Inputs {
            fields: map.regs.iter().map(|r| vec![0; r.fields.len()]).collect(),
            push: vec![false; map.regs.len()],
        }
    }
}

/// A register's history FIFO: its entries (each the `fifo` fields'
/// values, by field index), oldest first, and the overflow flag.
#[derive(Clone, Debug, Default)]
struct Fifo {
    entries: VecDeque<Vec<u32>>,
    overflow: bool,
}

impl Fifo {
    /// The value of field `field` (of access `access`) of the FIFO now.
    fn read(&self, field: usize, access: Access) -> u32 {
        match access {
            Access::FifoCount => self.entries.len() as u32,
            Access::FifoOvf => self.overflow.into(),
            _ => self.entries.front().map_or(0, |e| e[field]),
        }
    }

    /// One edge: `pop` removes the oldest entry, then `push` appends
    /// `entry` (dropped, setting the overflow flag, if still full); `pop`
    /// clears the flag first.
    fn step(&mut self, pop: bool, push: Option<Vec<u32>>) {
        if pop {
            self.entries.pop_front();
            self.overflow = false;
        }
        if let Some(entry) = push {
            if self.entries.len() < FIFO_DEPTH as usize {
                self.entries.push_back(entry);
            } else {
                self.overflow = true;
            }
        }
    }
}

/// A write that takes effect at an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Byte address.
    pub addr: u32,
    /// Data.
    pub data: u32,
    /// Byte enables, bit `k` for bits `8k..8k+7`.
    pub strb: u8,
}

/// The model of one register block.
#[derive(Clone, Debug)]
pub struct Model<'m> {
    map: &'m RegMap,
    /// The stored value of each field, `[reg][field]` (zero for `ro` and
    /// the `fifo` kinds).
    values: Vec<Vec<u32>>,
    /// Each FIFO register's FIFO, by register.
    fifos: Vec<Option<Fifo>>,
}

impl<'m> Model<'m> {
    /// The block just after reset.
    pub fn new(map: &'m RegMap) -> Model<'m> {
        let values = map
            .regs
            .iter()
            .map(|r| r.fields.iter().map(|f| f.reset).collect())
            .collect();
        let fifos = map
            .regs
            .iter()
            .map(|r| r.is_fifo().then(Fifo::default))
            .collect();
        Model { map, values, fifos }
    }

    /// The stored value of field `r` (what an `rw` or `wo` output shows).
    pub fn value(&self, r: FieldRef) -> u32 {
        self.values[r.reg][r.field]
    }

    /// The value field `r` has in the current cycle: its input for `ro`.
    fn current(&self, r: FieldRef, inputs: &Inputs) -> u32 {
        let access = self.map.field(r).access;
        match (access, &self.fifos[r.reg]) {
            (Access::Ro, _) => inputs.fields[r.reg][r.field] & field_mask(self.map.field(r).width),
            (_, Some(fifo)) if access.in_fifo() => fifo.read(r.field, access),
            _ => self.value(r),
        }
    }

    /// Whether `irq` is high.
    pub fn irq(&self) -> bool {
        self.map.regs.iter().enumerate().any(|(i, r)| {
            r.fields
                .iter()
                .enumerate()
                .any(|(j, f)| f.irq && self.values[i][j] != 0)
        })
    }

    /// What a read of `addr` returns in the current cycle (no side effect).
    pub fn peek(&self, addr: u32, inputs: &Inputs) -> (u32, Resp) {
        let Some(reg) = self.map.decode(addr) else {
            return (0, Resp::SlvErr);
        };
        let mut data = 0;
        for (field, f) in self.map.regs[reg].fields.iter().enumerate() {
            if f.access != Access::Wo {
                data |= self.current(FieldRef { reg, field }, inputs) << f.lsb;
            }
        }
        (data, Resp::Okay)
    }

    /// The response a write of `addr` gets.
    pub fn write_resp(&self, addr: u32) -> Resp {
        match self.map.decode(addr) {
            Some(_) => Resp::Okay,
            None => Resp::SlvErr,
        }
    }

    /// One clock edge: the read accepted at it (its response is returned),
    /// the write that takes effect at it, and the hardware inputs of the
    /// cycle before it. Alerts compare the values of that cycle.
    pub fn step(
        &mut self,
        inputs: &Inputs,
        read: Option<u32>,
        write: Option<Write>,
    ) -> Option<(u32, Resp)> {
        let response = read.map(|a| self.peek(a, inputs));
        let read_reg = read.and_then(|a| self.map.decode(a));
        let write_reg = write.and_then(|w| self.map.decode(w.addr).map(|r| (r, w)));
        let mut alert_set: Vec<Vec<u32>> = self
            .map
            .regs
            .iter()
            .map(|r| vec![0; r.fields.len()])
            .collect();
        for a in &self.map.alerts {
            if self.current(a.source, inputs) >= self.current(a.threshold, inputs) {
                alert_set[a.status.reg][a.status.field] = 1;
            }
        }
        for (reg, r) in self.map.regs.iter().enumerate() {
            let written = match write_reg {
                Some((wr, w)) if wr == reg => Some(w),
                _ => None,
            };
            for (field, f) in r.fields.iter().enumerate() {
                let mask = field_mask(f.width);
                let (bits, data) = written.map_or((0, 0), |w| {
                    let bytes = (0..4)
                        .filter(|k| w.strb >> k & 1 == 1)
                        .fold(0u32, |m, k| m | 0xFF << (8 * k));
                    ((bytes >> f.lsb) & mask, (w.data >> f.lsb) & mask)
                });
                let cur = self.values[reg][field];
                let input = inputs.fields[reg][field];
                self.values[reg][field] = match f.access {
                    Access::Ro | Access::Fifo | Access::FifoCount | Access::FifoOvf => 0,
                    Access::Rw | Access::Wo => (cur & !bits) | (data & bits),
                    Access::W1c => {
                        (cur & !(data & bits)) | ((input | alert_set[reg][field]) & mask)
                    }
                    Access::Rc => {
                        let base = if read_reg == Some(reg) { 0 } else { cur };
                        if input & 1 == 1 && base != mask {
                            base + 1
                        } else {
                            base
                        }
                    }
                };
            }
            if let Some(fifo) = self.fifos[reg].as_mut() {
                let entry = inputs.push[reg].then(|| {
                    r.fields
                        .iter()
                        .zip(&inputs.fields[reg])
                        .map(|(f, v)| v & field_mask(f.width))
                        .collect()
                });
                fifo.step(read_reg == Some(reg), entry);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_rtl::telemetry::default_map;

    const SCRATCH: u32 = 0x00;
    const TEMP: u32 = 0x04;
    const HIGH: u32 = 0x08;
    const STATUS: u32 = 0x10;
    const ERRORS: u32 = 0x18;
    const CONTROL: u32 = 0x1C;

    fn write(addr: u32, data: u32, strb: u8) -> Option<Write> {
        Some(Write { addr, data, strb })
    }

    #[test]
    fn resets_reads_and_unmapped_addresses() {
        let map = default_map();
        let m = Model::new(&map);
        let none = Inputs::zero(&map);
        assert_eq!(m.peek(HIGH, &none), (85, Resp::Okay));
        // `kick` (wo, bits 15:8) reads as zero; `enable` resets to 1.
        assert_eq!(m.peek(CONTROL, &none), (1, Resp::Okay));
        assert_eq!(m.peek(0x20, &none), (0, Resp::SlvErr));
        assert_eq!(m.peek(HIGH + 1, &none), (0, Resp::SlvErr), "unaligned");
        assert_eq!(m.write_resp(0xFC), Resp::SlvErr);
    }

    #[test]
    fn byte_strobes_select_the_bytes_written() {
        let map = default_map();
        let mut m = Model::new(&map);
        let none = Inputs::zero(&map);
        m.step(&none, None, write(SCRATCH, 0xAABB_CCDD, 0b0101));
        assert_eq!(m.peek(SCRATCH, &none).0, 0x00BB_00DD);
        m.step(&none, None, write(CONTROL, 0x0000_5A00, 0b0010));
        let kick = FieldRef { reg: 7, field: 1 };
        assert_eq!(m.value(kick), 0x5A, "wo keeps what was written");
        assert_eq!(m.peek(CONTROL, &none).0, 1, "and reads as zero");
    }

    #[test]
    fn w1c_sets_win_over_clears_and_raise_irq() {
        let map = default_map();
        let mut m = Model::new(&map);
        let mut inputs = Inputs::zero(&map);
        inputs.fields[4][1] = 1; // alert_status.crit set by hardware
        m.step(&inputs, None, None);
        assert_eq!(m.peek(STATUS, &inputs).0, 0b10);
        assert!(m.irq());
        // Clear and set in one cycle: the set wins.
        m.step(&inputs, None, write(STATUS, 0b10, 0xF));
        assert_eq!(m.peek(STATUS, &inputs).0, 0b10);
        inputs.fields[4][1] = 0;
        // Writing 0 clears nothing; writing 1 clears.
        m.step(&inputs, None, write(STATUS, 0b01, 0xF));
        assert_eq!(m.peek(STATUS, &inputs).0, 0b10);
        m.step(&inputs, None, write(STATUS, 0b10, 0xF));
        assert_eq!(m.peek(STATUS, &inputs).0, 0);
        assert!(!m.irq());
    }

    #[test]
    fn alerts_set_their_status_while_the_temperature_is_at_the_level() {
        let map = default_map();
        let mut m = Model::new(&map);
        let mut inputs = Inputs::zero(&map);
        inputs.fields[1][0] = 84;
        m.step(&inputs, None, None);
        assert_eq!(m.peek(STATUS, &inputs).0, 0);
        inputs.fields[1][0] = 85;
        assert_eq!(m.peek(TEMP, &inputs).0, 85, "ro reads its input");
        m.step(&inputs, None, None);
        assert_eq!(m.peek(STATUS, &inputs).0, 0b01, "high, not critical");
        inputs.fields[1][0] = 20;
        m.step(&inputs, None, write(STATUS, 0b01, 0xF));
        assert_eq!(m.peek(STATUS, &inputs).0, 0, "cleared once below");
    }

    /// A map with one history register: `state` and `stamp` entries, the
    /// count and the overflow flag.
    fn history_map() -> RegMap {
        let field = |name, lsb, width, access| {
            linkforge_rtl::telemetry::field(name, lsb, width, access, 0, "")
        };
        RegMap {
            addr_width: 4,
            regs: vec![linkforge_rtl::telemetry::reg(
                "hist",
                0,
                "",
                vec![
                    field("state", 0, 4, Access::Fifo),
                    field("stamp", 4, 16, Access::Fifo),
                    field("count", 24, 5, Access::FifoCount),
                    field("ovf", 31, 1, Access::FifoOvf),
                ],
            )],
            alerts: Vec::new(),
        }
    }

    #[test]
    fn a_history_fifo_pops_in_order_and_flags_drops() {
        let map = history_map();
        let mut m = Model::new(&map);
        let mut inputs = Inputs::zero(&map);
        assert_eq!(m.peek(0, &inputs).0, 0, "empty");
        for k in 0..FIFO_DEPTH + 2 {
            inputs.fields[0] = vec![k % 16, 100 + k, 0, 0];
            inputs.push[0] = true;
            m.step(&inputs, None, None);
        }
        inputs.push[0] = false;
        let full = (FIFO_DEPTH << 24) | 1 << 31;
        assert_eq!(
            m.peek(0, &inputs).0,
            full | 100 << 4,
            "oldest, full, dropped"
        );
        // A read returns the oldest and pops it, clearing the flag.
        assert_eq!(
            m.step(&inputs, Some(0), None),
            Some((full | 100 << 4, Resp::Okay))
        );
        let next = (FIFO_DEPTH - 1) << 24 | 101 << 4 | 1;
        assert_eq!(m.peek(0, &inputs).0, next);
        // A push and a read at one edge: both happen.
        inputs.push[0] = true;
        inputs.fields[0] = vec![7, 999, 0, 0];
        m.step(&inputs, Some(0), None);
        inputs.push[0] = false;
        for k in 2..FIFO_DEPTH {
            assert_eq!(
                m.step(&inputs, Some(0), None).map(|r| r.0 >> 4 & 0xFFFF),
                Some(100 + k)
            );
        }
        assert_eq!(
            m.step(&inputs, Some(0), None),
            Some((1 << 24 | 999 << 4 | 7, Resp::Okay))
        );
        assert_eq!(m.peek(0, &inputs).0, 0, "empty again");
    }

    #[test]
    fn rc_counters_saturate_and_restart_on_read_without_losing_a_count() {
        let map = default_map();
        let mut m = Model::new(&map);
        let mut inputs = Inputs::zero(&map);
        inputs.fields[6][0] = 1;
        for _ in 0..3 {
            m.step(&inputs, None, None);
        }
        // A read in a cycle with an increment returns 3 and leaves 1.
        assert_eq!(m.step(&inputs, Some(ERRORS), None), Some((3, Resp::Okay)));
        assert_eq!(m.peek(ERRORS, &inputs).0, 1);
        m.step(&inputs, None, write(ERRORS, 0, 0xF));
        assert_eq!(m.peek(ERRORS, &inputs).0, 2, "writes do not touch it");
        for _ in 0..70_000 {
            m.step(&inputs, None, None);
        }
        assert_eq!(m.peek(ERRORS, &inputs).0, 0xFFFF, "saturated");
    }
}
