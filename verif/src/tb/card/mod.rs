//! The card testbench: every component's own testbench on its prefixed ports
//! (the switch harness, the Ethernet line, the CXL controller harness, the
//! retimer link), one after the other, each followed by reads of all its
//! registers over the card's shared AXI4-Lite bus.
//!
//! - First the whole card is reset (`rst` and every component reset
//!   together). Each component testbench then resets its own component
//!   again; that is harmless for the bus crossings, whose FIFOs are empty
//!   and at pointer zero until the first bus read.
//! - Switches, PCSs and CXL controllers run first, with every clock at one
//!   period (their testbenches count edges of any clock as their cycles);
//!   retimers last, since the link model sets the retimer's two clocks
//!   apart. A retimer's link runs at least the UI its testbench needs
//!   (lock and the bits it compares, [`Testbench::cycles_needed`]), with
//!   the other clocks parked (the other components idle); then every clock
//!   is back at one period for the bus reads.
//! - After a component's traffic the bus reads each of its registers: the
//!   answer must be `OKAY` and equal the exposed output at one of the edges
//!   between the read being offered and answered (the register block
//!   samples it at one of them). A switch or a CXL controller, idle once
//!   its harness has drained it, must read exactly what its outputs were when
//!   the traffic ended (what its harness checked against its model). A
//!   switch's delivered packets on the bus (the sum of `out*_packets`) must
//!   equal what its scoreboard counted; a PCS's `rx_frames` on the bus must
//!   be at least the frames its testbench checked (frames still in the
//!   pipeline at the end may add to it); a retimer's `eb_overflows` on the
//!   bus must equal the link's count (zero: its testbench fails on an
//!   overflow). A read just past the first window's registers must answer
//!   `SLVERR` (`0b10`, an unmapped offset inside a window), and one past
//!   the last window, when the address space has room, `DECERR` (`0b11`,
//!   no window claims it).
//!
//! - With PCSs attached to switch ports, the switch harness leaves those
//!   ports alone and the attached PCSs run no testbench of their own; after
//!   the other components' testbenches (and before the retimers) comes the
//!   end-to-end Ethernet traffic (its `traffic` module): frames into the attached
//!   PCSs, across the switch, out of the destination PCSs, checked by a
//!   scoreboard, then the bridges' counters and the attached PCSs' and
//!   switches' registers over the bus against what crossed.
//!
//! Metrics: bus reads and mismatches (any mismatch fails the run), and per
//! component `NAME.METRIC` for its testharness's metrics, plus what the bus
//! read back (a retimer's `bus_header_errors_per_lane`), and the
//! end-to-end traffic's `e2e.*` (frames in and out, latency). Component
//! pictures are not drawn.
//!
//! The bridges' Rust reference (framing, MAC address windows) is [`model`].

pub mod bridges;
pub mod model;
mod traffic;

#[cfg(test)]
use traffic::Fault;
use traffic::Traffic;

use crate::tb::cxl::CxlTb;
use crate::tb::ethernet::EthPcsTb;
use crate::tb::retimer::link::UI_PERIOD_PS;
use crate::tb::retimer::RetimerTb;
use crate::tb::switch::SwitchTb;
use crate::tb::{Failure, Outcome, Testbench};
use crate::{Sim, SimError};
use linkforge_hdl::Bits;
use linkforge_rtl::card::{CardConfig, Component, ComponentKind};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::telemetry::interconnect::window_base;
use linkforge_rtl::telemetry::map::REG_BYTES;
use linkforge_rtl::telemetry::regblock::PREFIX;
use linkforge_rtl::telemetry::wiring::Exposed;
use linkforge_rtl::RtlError;

/// The one clock period of the non-retimer phases (ps).
const PERIOD_PS: u64 = 10_000;
/// The period of a parked clock, in UI.
const PARKED_UI: u64 = 1 << 20;
/// Edges the card's resets are held.
const RESET_EDGES: u64 = 8;
/// Edges a read may take before it counts as hung.
const READ_LIMIT: u64 = 2_000;
/// AXI's `SLVERR`: the addressed slave has nothing at the offset.
const SLVERR: u64 = 0b10;
/// AXI's `DECERR`: no slave claims the address.
const DECERR: u64 = 0b11;

/// A component with its testbench and registers.
struct Part {
    component: Component,
    /// Its own testbench; `None` for a PCS attached to a switch and a
    /// switch whose ports are all attached (the end-to-end traffic drives
    /// them).
    testbench: Option<Box<dyn Testbench>>,
    exposed: Vec<Exposed>,
    /// Registers in its window (the exposed outputs, then a history FIFO
    /// and the temperature registers, if it has them).
    registers: usize,
}

/// The card's testbench.
pub struct CardTb {
    parts: Vec<Part>,
    /// The end-to-end traffic through the attached PCSs, if any.
    traffic: Option<Traffic>,
}

/// What a run does, in order.
#[derive(Clone, Copy)]
enum Step {
    /// A component's own testbench and its bus reads.
    Part(usize),
    /// The end-to-end traffic and the bus reads of what it crossed.
    Traffic,
}

impl CardTb {
    /// The testbench of the card `params` describe.
    pub fn new(params: &Params) -> Result<Self, RtlError> {
        let card = CardConfig::from_params(params)?;
        let traffic = Traffic::new(&card)?;
        let attached = |kind, name: &str| traffic.as_ref().is_some_and(|t| t.attaches(kind, name));
        let mut parts = Vec::new();
        for component in card.components {
            let prefix = format!("{}_", component.name);
            let p = &component.params;
            let name = component.name.as_str();
            let testbench: Option<Box<dyn Testbench>> = match component.kind {
                ComponentKind::Retimer => Some(Box::new(RetimerTb::prefixed(p, &prefix)?)),
                ComponentKind::Switch => {
                    let skip = traffic.as_ref().map_or(0, |t| t.attached_ports(name));
                    SwitchTb::prefixed(p, &prefix)?
                        .skipping(skip)
                        .map(|s| Box::new(s) as Box<dyn Testbench>)
                }
                ComponentKind::EthPcs if attached(ComponentKind::EthPcs, name) => None,
                ComponentKind::EthPcs => Some(Box::new(EthPcsTb::prefixed(p, &prefix)?)),
                ComponentKind::CxlController => Some(Box::new(CxlTb::prefixed(p, &prefix)?)),
            };
            let exposed = component.exposed()?;
            let registers = component.register_map()?.regs.len();
            parts.push(Part {
                component,
                testbench,
                exposed,
                registers,
            });
        }
        Ok(CardTb { parts, traffic })
    }

    /// The same testbench with `fault` made between the attached PCSs'
    /// transmit sides and the scoreboard (for tests that it is caught).
    #[cfg(test)]
    pub fn with_fault(mut self, fault: Fault) -> Self {
        if let Some(t) = self.traffic.as_mut() {
            t.fault = Some(fault);
        }
        self
    }
}

/// A failure at the bus clock's current cycle.
fn failure(sim: &Sim, message: String) -> Failure {
    Failure {
        cycle: sim.cycles("clk").unwrap_or(0),
        message,
    }
}

/// The bus master: reads over `s_axil_*`, one at a time.
struct Bus {
    reads: u64,
}

impl Bus {
    /// Steps until the bus clock has risen once more, calling `watch`
    /// after every step (every edge of any clock).
    fn edge(sim: &mut Sim, watch: &mut dyn FnMut(&mut Sim)) -> Result<(), SimError> {
        let n = sim.cycles("clk")?;
        while sim.cycles("clk")? == n {
            sim.step()?;
            watch(sim);
        }
        Ok(())
    }

    /// Reads `addr`: (rdata, rresp), with `watch` called after every step
    /// from the read being offered to it being answered.
    fn read(
        &mut self,
        sim: &mut Sim,
        addr: u64,
        watch: &mut dyn FnMut(&mut Sim),
    ) -> Result<(u64, u64), Failure> {
        let port = |n: &str| format!("{PREFIX}{n}");
        sim.poke(&port("araddr"), addr)?;
        sim.poke(&port("arvalid"), 1)?;
        sim.poke(&port("rready"), 1)?;
        watch(sim);
        let mut offered = true;
        for _ in 0..READ_LIMIT {
            let accepted = offered && sim.peek(&port("arready"))? == 1;
            let answered = sim.peek(&port("rvalid"))? == 1;
            let got = (sim.peek(&port("rdata"))?, sim.peek(&port("rresp"))?);
            Self::edge(sim, watch)?;
            if accepted {
                offered = false;
                sim.poke(&port("arvalid"), 0)?;
            }
            if answered {
                sim.poke(&port("rready"), 0)?;
                self.reads += 1;
                return Ok(got);
            }
        }
        Err(failure(sim, format!("no answer to a read of {addr:#06x}")))
    }
}

/// Word `word` (32 bits) of `bits`.
fn word_of(bits: &Bits, word: u32, width: u32) -> u64 {
    bits.field(word * 32, width)
}

/// What the bus read of one component.
struct Readback {
    /// Register values by exposed output and word.
    values: Vec<(Exposed, u64)>,
    /// Reads whose value was never on the output during the read.
    mismatches: Vec<String>,
}

impl Readback {
    /// The sum of the registers reading outputs `port` matches.
    fn sum(&self, matches: impl Fn(&str) -> bool) -> u64 {
        self.values
            .iter()
            .filter(|(e, _)| matches(&e.port))
            .map(|(_, v)| v)
            .sum()
    }

    /// Output `port` read back as `bits`-bit fields, field 0 first (a
    /// packed per-lane port).
    fn fields(&self, port: &str, bits: u32) -> Vec<u64> {
        let words: Vec<(u32, u64, u32)> = self
            .values
            .iter()
            .filter(|(e, _)| e.port == port)
            .map(|(e, v)| (e.word, *v, e.width))
            .collect();
        let width = words.first().map_or(0, |w| w.2);
        (0..width / bits)
            .map(|f| {
                let lo = f * bits;
                words
                    .iter()
                    .find(|(w, _, _)| *w == lo / 32)
                    .map_or(0, |(_, v, _)| (v >> (lo % 32)) & ((1 << bits) - 1))
            })
            .collect()
    }
}

/// Reads every register of window `i` (component `part`) over the bus.
fn read_window(sim: &mut Sim, bus: &mut Bus, i: usize, part: &Part) -> Result<Readback, Failure> {
    let mut back = Readback {
        values: Vec::new(),
        mismatches: Vec::new(),
    };
    for (k, e) in part.exposed.iter().enumerate() {
        let name = format!("{}_{}", part.component.name, e.port);
        let h = sim.signal(&name)?;
        let mut seen: Vec<u64> = Vec::new();
        let mut watch = |sim: &mut Sim| {
            let v = word_of(&sim.peek_bits_handle(h), e.word, e.bits);
            if !seen.contains(&v) {
                seen.push(v);
            }
        };
        let addr = window_base(i) + (k as u64) * u64::from(REG_BYTES);
        let (data, resp) = bus.read(sim, addr, &mut watch)?;
        if resp != 0 || !seen.contains(&data) {
            back.mismatches.push(format!(
                "{name} word {} at {addr:#06x}: bus read {data:#x} (resp {resp}), the output was {seen:x?}",
                e.word
            ));
        }
        back.values.push((e.clone(), data));
    }
    // The registers after the exposed outputs (a history FIFO, the
    // temperature and its alerts): mapped.
    for k in part.exposed.len()..part.registers {
        let addr = window_base(i) + (k as u64) * u64::from(REG_BYTES);
        let (data, resp) = bus.read(sim, addr, &mut |_| {})?;
        if resp != 0 {
            back.mismatches.push(format!(
                "{} register {k} at {addr:#06x}: bus read {data:#x} with resp {resp}",
                part.component.name
            ));
        }
    }
    Ok(back)
}

/// Reads window `i` (component `part`) after its traffic: every read
/// must match the output, and a component that drains must read what it
/// held when the traffic ended; mismatches go to `mismatches`.
fn read_back(
    sim: &mut Sim,
    bus: &mut Bus,
    i: usize,
    part: &Part,
    mismatches: &mut Vec<String>,
) -> Result<Readback, Failure> {
    let at_end = snapshot(sim, part)?;
    let back = read_window(sim, bus, i, part)?;
    mismatches.extend(back.mismatches.iter().cloned());
    if drains(part.component.kind) {
        for ((e, got), want) in back.values.iter().zip(at_end) {
            if *got != want {
                mismatches.push(format!(
                    "{}_{} word {}: {got:#x} on the bus, {want:#x} when the traffic ended",
                    part.component.name, e.port, e.word
                ));
            }
        }
    }
    Ok(back)
}

/// Whether a component of `kind` is idle after its testbench (it drains
/// its traffic), so its registers must still read what they were then.
fn drains(kind: ComponentKind) -> bool {
    matches!(kind, ComponentKind::Switch | ComponentKind::CxlController)
}

/// The value of every register of `part`'s window now.
fn snapshot(sim: &mut Sim, part: &Part) -> Result<Vec<u64>, Failure> {
    part.exposed
        .iter()
        .map(|e| {
            let h = sim.signal(&format!("{}_{}", part.component.name, e.port))?;
            Ok(word_of(&sim.peek_bits_handle(h), e.word, e.bits))
        })
        .collect()
}

/// Parks every clock whose name does not start with `prefix`: a period
/// of [`PARKED_UI`] UI, so the idle components cost (almost) no edges
/// while a retimer's link runs.
fn park_clocks_except(sim: &mut Sim, prefix: &str) -> Result<(), SimError> {
    let clocks: Vec<String> = sim
        .clocks()
        .filter(|c| !c.starts_with(prefix))
        .map(String::from)
        .collect();
    for c in &clocks {
        sim.clock(c, PARKED_UI * UI_PERIOD_PS, 0)?;
    }
    Ok(())
}

/// Sets every clock to [`PERIOD_PS`].
fn unpark_clocks(sim: &mut Sim) -> Result<(), SimError> {
    let clocks: Vec<String> = sim.clocks().map(String::from).collect();
    for c in &clocks {
        sim.clock(c, PERIOD_PS, 0)?;
    }
    Ok(())
}

/// Poke every clock to one period and hold every reset of the card.
fn reset_card(sim: &mut Sim, parts: &[Part]) -> Result<(), SimError> {
    let clocks: Vec<String> = sim.clocks().map(String::from).collect();
    for c in &clocks {
        sim.clock(c, PERIOD_PS, 0)?;
    }
    let resets: Vec<String> = std::iter::once("rst".to_string())
        .chain(parts.iter().flat_map(|p| {
            p.component
                .kind
                .resets()
                .iter()
                .map(move |r| format!("{}_{r}", p.component.name))
        }))
        .collect();
    for r in &resets {
        sim.poke(r, 1)?;
    }
    for _ in 0..RESET_EDGES {
        sim.step()?;
    }
    for r in &resets {
        sim.poke(r, 0)?;
    }
    Ok(())
}

impl CardTb {
    /// The end-to-end traffic: the card reset, the attached PCSs' and
    /// switches' clocks running (the others parked), frames through, then
    /// the counters: the bridges' outputs and the attached components'
    /// registers over the bus against what crossed.
    #[allow(clippy::too_many_arguments)]
    fn end_to_end(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
        bus: &mut Bus,
        outcome: &mut Outcome,
        mismatches: &mut Vec<String>,
    ) -> Result<(), Failure> {
        let Some(t) = self.traffic.as_ref() else {
            return Ok(());
        };
        reset_card(sim, &self.parts)?;
        let running = t.clocks();
        let parked: Vec<String> = sim
            .clocks()
            .filter(|c| *c != "clk" && !running.iter().any(|r| r == c))
            .map(String::from)
            .collect();
        for c in &parked {
            sim.clock(c, PARKED_UI * UI_PERIOD_PS, 0)?;
        }
        let seed = words.next().unwrap_or(1);
        let d = t.run(sim, cycles, seed, progress).map_err(|f| Failure {
            cycle: f.cycle,
            message: format!("end-to-end traffic: {}", f.message),
        })?;
        unpark_clocks(sim)?;
        let mut expect = |what: String, got: u64, want: u64| {
            if got != want {
                mismatches.push(format!("{what} is {got}, expected {want}"));
            }
        };
        // The bridges' counters.
        for (pcs, switch, port) in t.links() {
            let (sent, bad) = d.received.get(pcs).copied().unwrap_or_default();
            let out = d
                .out_packets
                .get(&(switch.to_string(), port))
                .copied()
                .unwrap_or_default();
            for (counter, want) in [
                ("rx_frames", sent),
                ("rx_dropped", bad),
                ("rx_oversize", 0),
                ("rx_overflow", 0),
                ("rx_packets", sent - bad),
                ("tx_packets", out),
                ("tx_drops", 0),
                ("tx_frames", out),
                ("tx_underruns", 0),
            ] {
                let name = format!("{pcs}_link_{counter}");
                expect(name.clone(), sim.peek(&name)?, want);
            }
        }
        // The attached components' registers over the bus.
        for (i, part) in self.parts.iter().enumerate() {
            let (kind, name) = (part.component.kind, part.component.name.as_str());
            if !t.attaches(kind, name) {
                continue;
            }
            let back = read_back(sim, bus, i, part, mismatches)?;
            let mut expect = |what: &str, got: u64, want: u64| {
                if got != want {
                    mismatches.push(format!(
                        "{name}_{what} on the bus is {got}, the traffic says {want}"
                    ));
                }
            };
            if kind == ComponentKind::EthPcs {
                let (sent, bad) = d.received.get(name).copied().unwrap_or_default();
                expect("rx_frames", back.sum(|p| p == "rx_frames"), sent);
                expect("rx_fcs_errors", back.sum(|p| p == "rx_fcs_errors"), bad);
                continue;
            }
            for (_, _, port) in t.links().filter(|l| l.1 == name) {
                let out = format!("tx{port}_packets");
                let want = d.out_packets.get(&(name.to_string(), port)).copied();
                expect(&out, back.sum(|p| p == out), want.unwrap_or_default());
                let drops = format!("rx{port}_drops");
                expect(&drops, back.sum(|p| p == drops), 0);
            }
        }
        outcome.cycles += d.cycles;
        outcome.checks_passed += d.checks;
        outcome.metrics.extend(d.metrics);
        Ok(())
    }
}

impl Testbench for CardTb {
    fn words_per_cycle(&self) -> usize {
        self.parts
            .iter()
            .filter_map(|p| p.testbench.as_ref())
            .map(|s| s.words_per_cycle())
            .max()
            .unwrap_or(1)
    }

    fn run(
        &self,
        sim: &mut Sim,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Outcome, Failure> {
        reset_card(sim, &self.parts)?;
        let mut bus = Bus { reads: 0 };
        let mut outcome = Outcome::default();
        let mut mismatches = Vec::new();
        // The components' own testbenches, then the end-to-end traffic (its
        // reset must not be followed by a lone reset of a bridge's side),
        // retimers last: their link model sets their clocks apart.
        let retimer = |i: &usize| self.parts[*i].component.kind == ComponentKind::Retimer;
        let own = |i: &usize| self.parts[*i].testbench.is_some();
        let mut steps: Vec<Step> = (0..self.parts.len())
            .filter(|i| own(i) && !retimer(i))
            .map(Step::Part)
            .collect();
        if self.traffic.is_some() {
            steps.push(Step::Traffic);
        }
        steps.extend(
            (0..self.parts.len())
                .filter(|i| own(i) && retimer(i))
                .map(Step::Part),
        );
        let mut done = 0;
        for step in steps {
            let i = match step {
                Step::Part(i) => i,
                Step::Traffic => {
                    let mut report = |c: u64| progress(done + c);
                    self.end_to_end(
                        sim,
                        cycles,
                        words,
                        &mut report,
                        &mut bus,
                        &mut outcome,
                        &mut mismatches,
                    )?;
                    done += cycles;
                    continue;
                }
            };
            let Some(testbench) = self.parts[i].testbench.as_ref() else {
                continue;
            };
            let part = &self.parts[i];
            let name = &part.component.name;
            let mut report = |c: u64| progress(done + c);
            let retimer = part.component.kind == ComponentKind::Retimer;
            let run = if retimer {
                // The other components and the bus idle meanwhile.
                park_clocks_except(sim, &format!("{name}_"))?;
                cycles.max(testbench.cycles_needed())
            } else {
                cycles
            };
            let o = testbench
                .run(sim, run, words, &mut report)
                .map_err(|f| Failure {
                    cycle: f.cycle,
                    message: format!("{name}: {}", f.message),
                })?;
            done += run;
            if retimer {
                unpark_clocks(sim)?;
            }
            let back = read_back(sim, &mut bus, i, part, &mut mismatches)?;
            let check = |what: &str, ok: bool, mismatches: &mut Vec<String>| {
                if !ok {
                    mismatches.push(format!("{name}: {what}"));
                }
            };
            match part.component.kind {
                ComponentKind::Switch => {
                    let on_bus = back.sum(|p| p.ends_with("_packets"));
                    let delivered = o.metric("delivered");
                    check(
                        &format!("{on_bus} packets on the bus, the scoreboard saw {delivered:?}"),
                        delivered == Some(on_bus),
                        &mut mismatches,
                    );
                    outcome
                        .metrics
                        .push((format!("{name}.bus_packets"), on_bus.to_string()));
                }
                ComponentKind::EthPcs => {
                    let on_bus = back.sum(|p| p == "rx_frames");
                    let checked = o.metric("rx_frames");
                    check(
                        &format!(
                            "rx_frames {on_bus} on the bus, the testbench checked {checked:?}"
                        ),
                        checked.is_some_and(|c| on_bus >= c),
                        &mut mismatches,
                    );
                    outcome
                        .metrics
                        .push((format!("{name}.bus_rx_frames"), on_bus.to_string()));
                }
                ComponentKind::CxlController => {
                    let served = back.sum(|p| p.ends_with("_reads") || p.ends_with("_writes"));
                    outcome
                        .metrics
                        .push((format!("{name}.bus_host_reads_writes"), served.to_string()));
                }
                ComponentKind::Retimer => {
                    let overflows = back.sum(|p| p == "eb_overflows");
                    let checked = o.metric("eb_overflows");
                    check(
                        &format!("eb_overflows {overflows} on the bus, the link saw {checked:?}"),
                        checked == Some(overflows),
                        &mut mismatches,
                    );
                    let errors = back.fields("hdr_errors", linkforge_rtl::retimer::COUNT_WIDTH);
                    let text: Vec<String> = errors.iter().map(u64::to_string).collect();
                    outcome
                        .metrics
                        .push((format!("{name}.bus_header_errors_per_lane"), text.join(" ")));
                }
            }
            outcome.cycles += o.cycles;
            outcome.checks_passed += o.checks_passed + back.values.len() as u64;
            outcome.metrics.extend(
                o.metrics
                    .into_iter()
                    .map(|(k, v)| (format!("{name}.{k}"), v)),
            );
        }
        // Unmapped: just past the first window's registers, and past the
        // last window when the address space has room for one.
        let space = 1 << linkforge_rtl::telemetry::interconnect::bus_addr_width(self.parts.len());
        let past_registers = self
            .parts
            .first()
            .map(|p| p.registers as u64 * u64::from(REG_BYTES));
        let past_windows = Some(window_base(self.parts.len())).filter(|&a| a < space);
        let unmapped = [(past_registers, SLVERR), (past_windows, DECERR)];
        for (addr, want) in unmapped.into_iter().filter_map(|(a, w)| Some((a?, w))) {
            let (_, resp) = bus.read(sim, addr, &mut |_| {})?;
            if resp != want {
                mismatches.push(format!(
                    "a read of {addr:#06x} (unmapped) answered {resp:#04b}, not {want:#04b}"
                ));
            }
        }
        outcome
            .metrics
            .insert(0, ("bus_reads".into(), bus.reads.to_string()));
        outcome
            .metrics
            .insert(1, ("mismatches".into(), mismatches.len().to_string()));
        if let Some(first) = mismatches.first() {
            return Err(failure(
                sim,
                format!("{} bus mismatches; first: {first}", mismatches.len()),
            ));
        }
        if let Some(a) = sim.failures().first() {
            return Err(failure(sim, a.to_string()));
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_hdl::Design;
    use linkforge_rtl::catalog;

    /// A card with a 2-port switch, an uplink PCS on port 0 and a second
    /// PCS left on the card's ports (its own testbench runs).
    const CARD: &str =
        "card c {\n    switch sw { ports = 2; max_packet_beats = 16; queue_depth = 128; upstream_port = -1; }\n    \
        eth_pcs up { switch = \"sw\"; port = 0; }\n    eth_pcs spare { }\n}\n";

    /// Two attached PCSs, one with its own 32-bit gearbox, on ports 0 and
    /// 2 of a 3-port switch; the harness on port 1.
    const TWO: &str =
        "card c {\n    switch sw { ports = 3; max_packet_beats = 12; queue_depth = 96; upstream_port = -1; }\n    \
        eth_pcs a { switch = \"sw\"; port = 0; gearbox = true; width = 32; }\n    \
        eth_pcs b { switch = \"sw\"; port = 2; }\n}\n";

    fn params(src: &str) -> Params {
        let variants = linkforge_dsl::load("card.lf", src, &catalog::catalog()).expect("loads");
        variants[0].params.clone()
    }

    /// Runs the card testbench (with `fault`) for `cycles` cycles.
    fn run(fault: Option<Fault>, cycles: u64) -> Result<Outcome, Failure> {
        run_card(CARD, fault, cycles)
    }

    fn run_card(src: &str, fault: Option<Fault>, cycles: u64) -> Result<Outcome, Failure> {
        let p = params(src);
        let module = (catalog::kind("card").expect("card").build)("c", &p).expect("builds");
        let design = Design::new(module).expect("valid");
        let mut sim = Sim::new(&design).expect("compiles");
        let mut s = CardTb::new(&p).expect("a testbench");
        if let Some(f) = fault {
            s = s.with_fault(f);
        }
        let mut rng = crate::models::xorshift::XorShift::new(3);
        let mut words = std::iter::from_fn(move || Some(rng.word()));
        s.run(&mut sim, cycles, &mut words, &mut |_| {})
    }

    fn metric_of(o: &Outcome, name: &str) -> u64 {
        o.metric(name)
            .unwrap_or_else(|| panic!("no metric {name} in {:?}", o.metrics))
    }

    #[test]
    fn frames_cross_the_card_and_the_counters_agree() {
        let o = run(None, 1500).unwrap_or_else(|f| panic!("cycle {}: {}", f.cycle, f.message));
        let sent = metric_of(&o, "e2e.frames_in");
        let bad = metric_of(&o, "e2e.frames_bad_fcs_in");
        let out = metric_of(&o, "e2e.frames_out");
        assert!(out >= 10, "only {out} frames crossed");
        assert_eq!(out, sent - bad, "{:?}", o.metrics);
        // The switch's other port ran its harness; the spare PCS its own line.
        assert!(metric_of(&o, "sw.delivered") > 0, "{:?}", o.metrics);
        assert!(metric_of(&o, "spare.frames_good") > 0, "{:?}", o.metrics);
    }

    #[test]
    fn frames_cross_between_two_pcss_one_with_its_own_gearbox() {
        let o = run_card(TWO, None, 3000)
            .unwrap_or_else(|f| panic!("cycle {}: {}", f.cycle, f.message));
        let sent = metric_of(&o, "e2e.frames_in");
        let bad = metric_of(&o, "e2e.frames_bad_fcs_in");
        assert!(metric_of(&o, "e2e.frames_out") >= 20, "{:?}", o.metrics);
        assert_eq!(metric_of(&o, "e2e.frames_out"), sent - bad);
        assert!(metric_of(&o, "sw.delivered") > 0, "{:?}", o.metrics);
    }

    #[test]
    fn a_lost_duplicated_reordered_or_corrupted_frame_fails_the_run() {
        for (fault, says) in [
            (Fault::Lose, "missing (lost or reordered)"),
            (
                Fault::Duplicate,
                "a frame arrived a second time (duplicated)",
            ),
            (Fault::Reorder, "missing (lost or reordered)"),
            (Fault::Corrupt, "corrupted"),
        ] {
            match run(Some(fault), 1500) {
                Ok(o) => panic!("{fault:?} passed: {:?}", o.metrics),
                Err(f) => assert!(
                    f.message.contains("end-to-end traffic") && f.message.contains(says),
                    "{fault:?}: {}",
                    f.message
                ),
            }
        }
    }
}
