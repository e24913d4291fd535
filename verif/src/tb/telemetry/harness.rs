//! A bus harness for a register block: an AXI4-Lite master with random
//! timing (address before data, data before address or both together;
//! random delays before each valid; random `bready`/`rready`
//! backpressure), random hardware inputs (FIFO pushes one cycle in four),
//! a temperature sensor model on
//! every `ro` field an alert watches, and a scoreboard against the
//! [`Model`]. The register-map testbench, a card's testbench and the tests
//! all drive a register block through it.
//!
//! What it checks:
//! - every read response (`rdata`, `rresp`) equals the model's read at the
//!   edge the read was accepted; every write response equals the model's;
//! - a write takes effect at the edge where `bvalid` rises, and only after
//!   both its address and data were accepted;
//! - `bvalid`/`rvalid` and their payload hold until `bready`/`rready`;
//! - after every edge, `irq` and every `rw`/`wo` output equal the model's.

use crate::tb::dut::Dut;
use crate::tb::telemetry::model::{Inputs, Model, Write};
use crate::tb::Failure;
use crate::SimError;
use linkforge_rtl::telemetry::map::{field_mask, Access, FieldRef, RegMap, REG_BYTES};
use linkforge_rtl::telemetry::port_name;
use linkforge_rtl::telemetry::regblock::PREFIX;

/// What a run measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarnessReport {
    /// Cycles simulated (reset included).
    pub cycles: u64,
    /// Comparisons that held.
    pub checks: u64,
    /// Completed reads.
    pub reads: u64,
    /// Completed writes.
    pub writes: u64,
    /// Responses that were `SLVERR`.
    pub slverr: u64,
    /// Comparisons that failed (the run fails when this is not zero).
    pub mismatches: u64,
    /// Cycles with `irq` high.
    pub irq_cycles: u64,
    /// Highest temperature the sensor model wrote.
    pub max_temperature: u32,
}

/// A die temperature sensor: a random walk of one degree per step between
/// `min` and `max`, starting at `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TempSensor {
    /// The current reading.
    pub value: u32,
    /// Lowest reading.
    pub min: u32,
    /// Highest reading.
    pub max: u32,
}

impl TempSensor {
    /// A sensor reading `start`, kept in `min..=max`.
    pub fn new(start: u32, min: u32, max: u32) -> TempSensor {
        TempSensor {
            value: start.clamp(min, max),
            min,
            max,
        }
    }

    /// One step driven by random bits: up, down or unchanged.
    pub fn step(&mut self, random: u64) {
        self.value = match random & 3 {
            0 => self.value.saturating_sub(1).max(self.min),
            1 => (self.value + 1).min(self.max),
            _ => self.value,
        };
    }
}

/// Cycles `rst` is held at the start.
const RESET_CYCLES: u64 = 2;

/// The harness for one register map.
pub struct Harness<'m> {
    map: &'m RegMap,
}

/// One outstanding write: its address and data, and which halves the
/// slave accepted.
#[derive(Clone, Copy, Debug)]
struct PendingWrite {
    w: Write,
    aw_delay: u32,
    w_delay: u32,
    aw_done: bool,
    w_done: bool,
}

/// One outstanding read.
#[derive(Clone, Copy, Debug)]
struct PendingRead {
    addr: u32,
    delay: u32,
    /// The model's response, once accepted.
    expect: Option<(u32, u64)>,
}

/// A failed comparison.
fn mismatch(cycle: u64, message: String) -> Failure {
    Failure { cycle, message }
}

impl<'m> Harness<'m> {
    /// A harness for `map`.
    pub fn new(map: &'m RegMap) -> Harness<'m> {
        Harness { map }
    }

    /// Random words one cycle consumes.
    pub fn words_per_cycle(&self) -> usize {
        let fifos = self.map.regs.iter().filter(|r| r.is_fifo()).count();
        2 + fifos + self.map.regs.iter().map(|r| r.fields.len()).sum::<usize>()
    }

    /// The `ro` fields a sensor model drives: those an alert watches.
    fn sensor_fields(&self) -> Vec<FieldRef> {
        let mut out: Vec<FieldRef> = Vec::new();
        for a in &self.map.alerts {
            if self.map.field(a.source).access == Access::Ro && !out.contains(&a.source) {
                out.push(a.source);
            }
        }
        out
    }

    /// A random address: mostly a register's, sometimes a register's with
    /// low bits set (unaligned), sometimes anything in the address space.
    fn address(&self, r: u64) -> u32 {
        let space = field_mask(self.map.addr_width);
        if r & 7 == 0 || self.map.regs.is_empty() {
            (r >> 3) as u32 & space
        } else {
            let reg = &self.map.regs[(r >> 3) as usize % self.map.regs.len()];
            let unaligned = if r >> 20 & 7 == 0 {
                (r >> 16) as u32 & (REG_BYTES - 1)
            } else {
                0
            };
            reg.offset | unaligned
        }
    }

    /// Holds reset, then runs `cycles` cycles of random traffic drawing
    /// [`Harness::words_per_cycle`] words a cycle from `words`, reporting each
    /// finished cycle to `progress`. Fails at the end of the run if any
    /// comparison failed, with the count and the first one.
    pub fn run(
        &self,
        io: &mut Dut<'_>,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<HarnessReport, Failure> {
        let map = self.map;
        let fail = |cycle: u64| move |e: SimError| mismatch(cycle, e.to_string());
        let h = |io: &mut Dut<'_>, n: &str| io.handle(n).map_err(fail(0));
        let bus = |io: &mut Dut<'_>, n: &str| io.handle(&format!("{PREFIX}{n}")).map_err(fail(0));
        let rst = h(io, "rst")?;
        let [awaddr, awvalid, awready, wdata, wstrb, wvalid, wready, bresp, bvalid, bready] = [
            "awaddr", "awvalid", "awready", "wdata", "wstrb", "wvalid", "wready", "bresp",
            "bvalid", "bready",
        ]
        .map(|n| bus(io, n));
        let [araddr, arvalid, arready, rdata, rresp, rvalid, rready] = [
            "araddr", "arvalid", "arready", "rdata", "rresp", "rvalid", "rready",
        ]
        .map(|n| bus(io, n));
        let (awaddr, awvalid, awready, wdata, wstrb, wvalid, wready) = (
            awaddr?, awvalid?, awready?, wdata?, wstrb?, wvalid?, wready?,
        );
        let (bresp, bvalid, bready, araddr, arvalid, arready) =
            (bresp?, bvalid?, bready?, araddr?, arvalid?, arready?);
        let (rdata, rresp, rvalid, rready) = (rdata?, rresp?, rvalid?, rready?);
        let irq = if map.has_irq() {
            Some(h(io, "irq")?)
        } else {
            None
        };

        // Per field: its input port (ro, w1c, rc) or output port (rw, wo).
        let mut inputs_h = Vec::new();
        let mut outputs_h = Vec::new();
        for (reg, r) in map.regs.iter().enumerate() {
            for (field, f) in r.fields.iter().enumerate() {
                let at = FieldRef { reg, field };
                let name = port_name(map, at);
                match f.access {
                    Access::Ro => inputs_h.push((at, h(io, &name)?)),
                    Access::W1c => inputs_h.push((at, h(io, &format!("{name}_set"))?)),
                    Access::Rc => inputs_h.push((at, h(io, &format!("{name}_inc"))?)),
                    Access::Fifo => inputs_h.push((at, h(io, &name)?)),
                    Access::Rw | Access::Wo => outputs_h.push((at, h(io, &name)?)),
                    Access::FifoCount | Access::FifoOvf => {}
                }
            }
        }
        let push_h = map
            .regs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_fifo())
            .map(|(reg, r)| Ok((reg, h(io, &format!("{}_push", r.name))?)))
            .collect::<Result<Vec<_>, Failure>>()?;

        let mut report = HarnessReport::default();
        io.poke(rst, 1).map_err(fail(0))?;
        for _ in 0..RESET_CYCLES {
            io.step().map_err(fail(0))?;
            report.cycles += 1;
        }
        io.poke(rst, 0).map_err(fail(0))?;

        let sensors = self.sensor_fields();
        let mut sensor: Vec<TempSensor> = sensors
            .iter()
            .map(|&s| {
                let top = field_mask(map.field(s).width);
                TempSensor::new(top / 6, 0, top)
            })
            .collect();
        let mut model = Model::new(map);
        let mut inputs = Inputs::zero(map);
        let mut write: Option<PendingWrite> = None;
        let mut read: Option<PendingRead> = None;
        let mut first: Option<Failure> = None;
        let mut note =
            |report: &mut HarnessReport, ok: bool, cycle: u64, what: &dyn Fn() -> String| {
                if ok {
                    report.checks += 1;
                } else {
                    report.mismatches += 1;
                    if first.is_none() {
                        first = Some(mismatch(cycle, what()));
                    }
                }
            };

        for cycle in 0..cycles {
            let mut next = || words.next().unwrap_or(0);
            let (master, timing) = (next(), next());

            // Hardware inputs of this cycle.
            for (at, _) in &inputs_h {
                let f = map.field(*at);
                let r = next();
                let mask = field_mask(f.width);
                let v = &mut inputs.fields[at.reg][at.field];
                *v = match f.access {
                    Access::Ro => match sensors.iter().position(|s| s == at) {
                        Some(i) => {
                            sensor[i].step(r);
                            report.max_temperature = report.max_temperature.max(sensor[i].value);
                            sensor[i].value
                        }
                        None if r & 7 == 0 => (r >> 8) as u32 & mask,
                        None => *v,
                    },
                    Access::Fifo => (r >> 8) as u32 & mask,
                    Access::W1c if r & 15 == 0 => (r >> 8) as u32 & (r >> 40) as u32 & mask,
                    Access::W1c => 0,
                    _ => (r & 1) as u32,
                };
            }
            for (at, hd) in &inputs_h {
                io.poke(*hd, inputs.fields[at.reg][at.field].into())
                    .map_err(fail(cycle))?;
            }
            for (reg, hd) in &push_h {
                inputs.push[*reg] = next() & 3 == 0;
                io.poke(*hd, inputs.push[*reg].into())
                    .map_err(fail(cycle))?;
            }

            // The master: start transactions, count down delays, drive valids.
            if write.is_none() && master & 3 == 0 {
                write = Some(PendingWrite {
                    w: Write {
                        addr: self.address(master >> 2),
                        data: (master >> 32) as u32,
                        strb: (timing >> 8) as u8 & 0xF,
                    },
                    aw_delay: (timing & 3) as u32,
                    w_delay: (timing >> 2 & 3) as u32,
                    aw_done: false,
                    w_done: false,
                });
            }
            if read.is_none() && master >> 24 & 3 == 0 {
                read = Some(PendingRead {
                    addr: self.address(master >> 26),
                    delay: (timing >> 4 & 3) as u32,
                    expect: None,
                });
            }
            let aw_valid = write.is_some_and(|p| !p.aw_done && p.aw_delay == 0);
            let w_valid = write.is_some_and(|p| !p.w_done && p.w_delay == 0);
            let ar_valid = read.is_some_and(|p| p.expect.is_none() && p.delay == 0);
            let w = write.map_or(
                Write {
                    addr: 0,
                    data: 0,
                    strb: 0,
                },
                |p| p.w,
            );
            io.poke(awvalid, aw_valid.into()).map_err(fail(cycle))?;
            io.poke(awaddr, w.addr.into()).map_err(fail(cycle))?;
            io.poke(wvalid, w_valid.into()).map_err(fail(cycle))?;
            io.poke(wdata, w.data.into()).map_err(fail(cycle))?;
            io.poke(wstrb, w.strb.into()).map_err(fail(cycle))?;
            io.poke(arvalid, ar_valid.into()).map_err(fail(cycle))?;
            io.poke(araddr, read.map_or(0, |p| p.addr).into())
                .map_err(fail(cycle))?;
            let b_ready = timing >> 12 & 3 != 0;
            let r_ready = timing >> 14 & 3 != 0;
            io.poke(bready, b_ready.into()).map_err(fail(cycle))?;
            io.poke(rready, r_ready.into()).map_err(fail(cycle))?;

            // What the slave shows before the edge.
            let aw_fire = aw_valid && io.peek(awready) == 1;
            let w_fire = w_valid && io.peek(wready) == 1;
            let ar_fire = ar_valid && io.peek(arready) == 1;
            let b_before = (io.peek(bvalid) == 1, io.peek(bresp));
            let r_before = (io.peek(rvalid) == 1, io.peek(rdata), io.peek(rresp));

            // A response handshake at this edge completes a transaction.
            if b_before.0 && b_ready {
                match write.take() {
                    Some(p) if p.aw_done && p.w_done => {
                        let want = model.write_resp(p.w.addr).code();
                        report.writes += 1;
                        report.slverr += u64::from(want == 2);
                        note(&mut report, b_before.1 == want, cycle, &|| {
                            format!(
                                "write of {:#x}: bresp is {}, the model says {want}",
                                p.w.addr, b_before.1
                            )
                        });
                    }
                    other => {
                        write = other;
                        note(&mut report, false, cycle, &|| {
                            "bvalid without a write in flight".into()
                        });
                    }
                }
            }
            if r_before.0 && r_ready {
                match read.take() {
                    Some(PendingRead {
                        addr,
                        expect: Some((data, resp)),
                        ..
                    }) => {
                        report.reads += 1;
                        report.slverr += u64::from(resp == 2);
                        note(
                            &mut report,
                            (r_before.1, r_before.2) == (data.into(), resp),
                            cycle,
                            &|| {
                                format!(
                                "read of {addr:#x}: rdata {:#x} rresp {}, the model says {data:#x} {resp}",
                                r_before.1, r_before.2
                            )
                            },
                        );
                    }
                    other => {
                        read = other;
                        note(&mut report, false, cycle, &|| {
                            "rvalid without a read accepted".into()
                        });
                    }
                }
            }

            io.step().map_err(fail(cycle))?;
            report.cycles += 1;

            // What took effect at the edge.
            let b_after = (io.peek(bvalid) == 1, io.peek(bresp));
            let r_after = (io.peek(rvalid) == 1, io.peek(rdata), io.peek(rresp));
            let committed = !b_before.0 && b_after.0;
            let mut model_write = None;
            if let Some(p) = write.as_mut() {
                let held = p.aw_done && p.w_done;
                p.aw_done |= aw_fire;
                p.w_done |= w_fire;
                p.aw_delay = p.aw_delay.saturating_sub(1);
                p.w_delay = p.w_delay.saturating_sub(1);
                if committed {
                    note(&mut report, held, cycle, &|| {
                        "bvalid rose before the write's address and data were both held".into()
                    });
                    model_write = Some(p.w);
                }
            } else if committed {
                note(&mut report, false, cycle, &|| {
                    "bvalid rose with no write in flight".into()
                });
            }
            let model_read = ar_fire.then(|| read.map_or(0, |p| p.addr));
            let response = model.step(&inputs, model_read, model_write);
            if let Some(p) = read.as_mut() {
                p.delay = p.delay.saturating_sub(1);
                if let Some((data, resp)) = response {
                    p.expect = Some((data, resp.code()));
                }
            }

            // Responses hold while not taken; outputs follow the model.
            if b_before.0 && !b_ready {
                note(&mut report, b_after == b_before, cycle, &|| {
                    "bvalid or bresp changed before bready".into()
                });
            }
            if r_before.0 && !r_ready {
                note(&mut report, r_after == r_before, cycle, &|| {
                    "rvalid or rdata changed before rready".into()
                });
            }
            if let Some(irq) = irq {
                let (got, want) = (io.peek(irq) == 1, model.irq());
                report.irq_cycles += u64::from(got);
                note(&mut report, got == want, cycle, &|| {
                    format!("irq is {got}, the model says {want}")
                });
            }
            for (at, hd) in &outputs_h {
                let (got, want) = (io.peek(*hd), u64::from(model.value(*at)));
                note(&mut report, got == want, cycle, &|| {
                    format!(
                        "output {} is {got:#x}, the model says {want:#x}",
                        port_name(map, *at)
                    )
                });
            }
            progress(cycle + 1);
        }
        match first {
            Some(f) => Err(Failure {
                cycle: f.cycle,
                message: format!("{} mismatches; the first: {}", report.mismatches, f.message),
            }),
            None => Ok(report),
        }
    }
}
