//! The card scenario: every component's own scenario on its prefixed ports
//! (the switch bench, the Ethernet line, the CXL controller bench, the
//! retimer link), one after the other, each followed by reads of all its
//! registers over the card's shared AXI4-Lite bus.
//!
//! - First the whole card is reset (`rst` and every component reset
//!   together). Each component scenario then resets its own component
//!   again; that is harmless for the bus crossings, whose FIFOs are empty
//!   and at pointer zero until the first bus read.
//! - Switches, PCSs and CXL controllers run first, with every clock at one
//!   period (their scenarios count edges of any clock as their cycles);
//!   retimers last, since the link model sets the retimer's two clocks
//!   apart. A retimer's link runs at least [`RETIMER_MIN_UI`] UI (link
//!   bring-up), with the other clocks parked (the other components idle),
//!   and must be locked by its end; then every clock is back at one period
//!   for the bus reads.
//! - After a component's traffic the bus reads each of its registers: the
//!   answer must be `OKAY` and equal the exposed output at one of the edges
//!   between the read being offered and answered (the register block
//!   samples it at one of them). A switch or a CXL controller, idle once
//!   its bench has drained it, must read exactly what its outputs were when
//!   the traffic ended (what its bench checked against its model). A
//!   switch's delivered packets on the bus (the sum of `out*_packets`) must
//!   equal what its scoreboard counted; a PCS's `rx_frames` on the bus must
//!   be at least the frames its scenario checked (frames still in the
//!   pipeline at the end may add to it); a retimer's `eb_overflows` on the
//!   bus must equal the link's count (zero: its scenario fails on an
//!   overflow). A read just past the first window's registers, and one past
//!   the last window when the address space has room, must answer
//!   `SLVERR`.
//!
//! Metrics: bus reads and mismatches (any mismatch fails the run), and per
//! component `NAME.METRIC` for its scenario's metrics, plus what the bus
//! read back (a retimer's `bus_header_errors_per_lane`). Component
//! pictures are not drawn.

use super::cxl::CxlScenario;
use super::ethernet::EthPcsScenario;
use super::retimer::RetimerScenario;
use super::switch::SwitchScenario;
use super::{Failure, Outcome, Scenario};
use linkforge_hdl::Bits;
use linkforge_rtl::card::{CardConfig, Component, ComponentKind};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::telemetry::interconnect::window_base;
use linkforge_rtl::telemetry::map::REG_BYTES;
use linkforge_rtl::telemetry::regblock::PREFIX;
use linkforge_rtl::telemetry::wiring::Exposed;
use linkforge_verif::models::link::UI_PERIOD_PS;
use linkforge_verif::{Sim, SimError};

/// The one clock period of the non-retimer phases (ps).
const PERIOD_PS: u64 = 10_000;
/// The period of a parked clock, in UI.
const PARKED_UI: u64 = 1 << 20;
/// UIs a retimer's link runs at least: link bring-up (CDR lock, block lock,
/// deskew on the training SKP ordered sets) takes 4,000 to 20,000 UI on the
/// scenario's random channels and at most 40,000 UI (the bound the
/// retimer's tests hold it to), so a card's retimers always get this long
/// and must be locked by the end, whatever the run's cycle count.
pub const RETIMER_MIN_UI: u64 = 40_000;
/// Edges the card's resets are held.
const RESET_EDGES: u64 = 8;
/// Edges a read may take before it counts as hung.
const READ_LIMIT: u64 = 2_000;
/// `SLVERR`.
const SLVERR: u64 = 2;

/// A component with its scenario and registers.
struct Part {
    component: Component,
    scenario: Box<dyn Scenario>,
    exposed: Vec<Exposed>,
    /// Registers in its window (the exposed outputs, then a history FIFO
    /// and the temperature registers, if it has them).
    registers: usize,
}

/// The card's scenario.
pub struct CardScenario {
    parts: Vec<Part>,
    /// UIs each retimer's link runs at least, and whether it must lock:
    /// [`RETIMER_MIN_UI`] and yes, except in short property cases.
    link_ui: Option<u64>,
}

impl CardScenario {
    /// The scenario, when the parameters describe a valid card whose
    /// components all have scenarios.
    pub fn new(params: &Params) -> Option<Self> {
        let card = CardConfig::from_params(params).ok()?;
        let mut parts = Vec::new();
        for component in card.components {
            let prefix = format!("{}_", component.name);
            let p = &component.params;
            let scenario: Box<dyn Scenario> = match component.kind {
                ComponentKind::Retimer => Box::new(RetimerScenario::prefixed(p, &prefix)?),
                ComponentKind::Switch => Box::new(SwitchScenario::prefixed(p, &prefix)?),
                ComponentKind::EthPcs => Box::new(EthPcsScenario::prefixed(p, &prefix)?),
                ComponentKind::CxlController => Box::new(CxlScenario::prefixed(p, &prefix)?),
            };
            let exposed = component.exposed().ok()?;
            let registers = component.register_map().ok()?.regs.len();
            parts.push(Part {
                component,
                scenario,
                exposed,
                registers,
            });
        }
        Some(CardScenario {
            parts,
            link_ui: Some(RETIMER_MIN_UI),
        })
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

/// The value of a metric of an outcome.
fn metric(outcome: &Outcome, name: &str) -> Option<u64> {
    outcome
        .metrics
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.parse().ok())
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

/// Whether a component of `kind` is idle after its scenario (it drains
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

impl Scenario for CardScenario {
    fn for_short_cases(&mut self) {
        self.link_ui = None;
    }

    fn words_per_cycle(&self) -> usize {
        self.parts
            .iter()
            .map(|p| p.scenario.words_per_cycle())
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
        // Retimers last: their link model sets their clocks apart.
        let mut order: Vec<usize> = (0..self.parts.len()).collect();
        order.sort_by_key(|&i| self.parts[i].component.kind == ComponentKind::Retimer);
        let mut done = 0;
        for i in order {
            let part = &self.parts[i];
            let name = &part.component.name;
            let mut report = |c: u64| progress(done + c);
            let retimer = part.component.kind == ComponentKind::Retimer;
            let run = if retimer {
                // The other components and the bus idle meanwhile.
                park_clocks_except(sim, &format!("{name}_"))?;
                cycles.max(self.link_ui.unwrap_or(0))
            } else {
                cycles
            };
            let o = part
                .scenario
                .run(sim, run, words, &mut report)
                .map_err(|f| Failure {
                    cycle: f.cycle,
                    message: format!("{name}: {}", f.message),
                })?;
            done += run;
            if retimer {
                unpark_clocks(sim)?;
            }
            let at_end = snapshot(sim, part)?;
            let back = read_window(sim, &mut bus, i, part)?;
            mismatches.extend(back.mismatches.iter().cloned());
            if drains(part.component.kind) {
                for ((e, got), want) in back.values.iter().zip(at_end) {
                    if *got != want {
                        mismatches.push(format!(
                            "{name}_{} word {}: {got:#x} on the bus, {want:#x} when the traffic ended",
                            e.port, e.word
                        ));
                    }
                }
            }
            let check = |what: &str, ok: bool, mismatches: &mut Vec<String>| {
                if !ok {
                    mismatches.push(format!("{name}: {what}"));
                }
            };
            match part.component.kind {
                ComponentKind::Switch => {
                    let on_bus = back.sum(|p| p.ends_with("_packets"));
                    let delivered = metric(&o, "delivered");
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
                    let checked = metric(&o, "rx_frames");
                    check(
                        &format!("rx_frames {on_bus} on the bus, the scenario checked {checked:?}"),
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
                    check(
                        &format!("the link did not lock in {run} UI"),
                        self.link_ui.is_none() || metric(&o, "lock_time_ui").is_some(),
                        &mut mismatches,
                    );
                    let overflows = back.sum(|p| p == "eb_overflows");
                    let checked = metric(&o, "eb_overflows");
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
        for addr in [past_registers, past_windows].into_iter().flatten() {
            let (_, resp) = bus.read(sim, addr, &mut |_| {})?;
            if resp != SLVERR {
                mismatches.push(format!("a read of {addr:#06x} (unmapped) answered {resp}"));
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
