//! A traffic harness for the composed switch: a packet
//! generator and credit-obeying transmitter on every input, a sink with
//! random backpressure and its own credit limits on every output, and a
//! scoreboard against the Rust reference model of routing
//! ([`RouteModel`]). The switch testbench, a card's testbench and the
//! tests all drive a switch through it.
//!
//! What it checks, every cycle or at the end:
//! - every packet that enters leaves exactly once, unchanged, at the
//!   output the reference model routes it to (a broadcast from the root
//!   complex once at each downstream port); unroutable packets never
//!   leave and are counted by `rx{i}_drops`;
//! - per (input, output) pair, every TLP that leaves before one that
//!   entered earlier may pass it by the ordering rules ([`may_pass`]): no
//!   TLP passes a posted request, completions of one transaction stay in
//!   order;
//! - the switch never starts a packet on an output without the sink's
//!   credit (the sink's own count of what it received); the switch's
//!   assertion checks that no beat reaches a full input buffer;
//! - when draining: everything delivered within a bound (no deadlock), all
//!   credits returned, the per-port counters equal to what was seen;
//! - with the traffic's `completers` on: every non-posted request answered
//!   exactly once ([`Requesters`]).
//!
//! With `completers` on, the sink of each port is also the completer of
//! the non-posted requests delivered to it ([`completer`]): it takes a
//! request when it processes it (so a completer that owes too much holds
//! back NPH credit), and after a few cycles its completions (reads split at
//! [`HarnessOptions::rcb`] and at the switch's largest payload) join that
//! port's source, which sends them under the same credit and ordering
//! rules as its own traffic. A request's requester ID is on a bus the
//! switch routes back to its port ([`requester_bus`]), its tag unique among
//! that requester's outstanding requests, so the answers come home.
//!
//! Packets are PCIe TLPs built by the testbench's own encoder
//! ([`tlp`](super::tlp)): posted MWr (and, from a downstream port to the
//! upstream one, messages routed to the root complex; from the upstream
//! port, an eighth of the posted TLPs as messages broadcast from the root
//! complex; among the unroutable ones, local messages and broadcasts from
//! below), non-posted MRd
//! with 3-DW headers addressing the ports' 32-bit memory windows or 4-DW
//! headers addressing their prefetchable windows (a routable one with
//! random legal byte enables), non-posted CfgRd1 (and, with completers
//! to answer them, CfgWr1) to the
//! ports' buses (expected converted to Type 0 when the target is a port's
//! secondary bus), and CplD routed by their requester's bus, independent
//! traffic that answers nothing (their requester ID has
//! [`INDEPENDENT_DEVFN`] set). A packet is known by its key ([`key_of`]):
//! its class and requester ID and tag, and for a completion also its
//! completer ID and byte count; keys of packets in flight are unique, so
//! the scoreboard never has to guess which packet arrived. An unroutable
//! read (sent with full byte enables, as the switch's UR Byte Count is
//! Length x 4) is expected back at its own port as a completion with
//! status UR (completer ID the port's, the request's requester ID, tag
//! and lower address). A `poisoned` fraction is sent with EP
//! set; they must pass unchanged and `rx{i}_poisoned` count them. A
//! `malformed` fraction is sent with a DW more than their header says, or
//! with a reserved Type; they must never leave whole (with cut-through
//! one may leave once, ended with `tx{o}_nullify`, at the port its header
//! routes to), draw no UR completion, return their credits, and
//! `rx{i}_malformed` must count them. With [`HarnessOptions::nullify_one_in`]
//! the sources' link layers nullify some TLPs (store and forward only):
//! nothing of them may leave, be counted or be answered.

use crate::tb::dut::Dut;
use crate::tb::switch::completer::{self, Completer};
use crate::tb::switch::model::{class_of, credit_ok, may_pass, next_to_send, RouteModel, BACKLOG};
use crate::tb::switch::requester::{is_answer, Requesters, INDEPENDENT_DEVFN};
use crate::tb::switch::tlp::{self, status, Class, Kind};
use crate::tb::Failure;
use crate::{SignalHandle, SimError};
use linkforge_hdl::Bits;
use linkforge_rtl::switch::credit::{DATA_BITS, HDR_BITS, TYPE_NAMES};
use linkforge_rtl::switch::input_queue::Forwarding;
use linkforge_rtl::switch::route::PortWindows;
use linkforge_rtl::switch::switch::SwitchConfig;
use linkforge_rtl::switch::traffic::{Pattern, TrafficConfig};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Knobs of a run beyond the traffic group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HarnessOptions {
    /// Header credits each sink advertises per class (1..=127).
    pub sink_hdr_credits: u64,
    /// Data credits each sink advertises per class (1..=2047).
    pub sink_data_credits: u64,
    /// Sinks advertise 0 for CplH and CplD: infinite completion credit,
    /// as endpoints and root ports commonly do (PCIe 2.6.1).
    pub infinite_cpl: bool,
    /// After the traffic cycles, stop the sources and run until every
    /// packet has left, failing after this many cycles without progress;
    /// `None` stops right after the traffic cycles.
    pub drain: Option<u64>,
    /// Ports the harness leaves alone (bit `p` for port `p`): it neither
    /// drives their inputs nor takes from their outputs, and sends them
    /// nothing; something else (a card's Ethernet bridge) owns them. Their
    /// routing registers are still written.
    pub skip: u64,
    /// `(o, until)`: the sink of output `o` processes no non-posted
    /// request before cycle `until`, so it returns no NPH/NPD credit and
    /// non-posted requests to `o` stall for want of credit while posted
    /// requests and completions must keep flowing.
    pub starve_np: Option<(usize, u64)>,
    /// The completers' read completion boundary in bytes, 64 or 128
    /// (PCIe 2.3.1.1): a read is split into completions only at its
    /// multiples.
    pub rcb: u64,
    /// The sources' link layers nullify one TLP in this many (ending it
    /// with `rx{i}_nullify`, spending no credits on it): the switch must
    /// discard it as if never sent. Store and forward only (a cut-through
    /// switch asserts it gets none).
    pub nullify_one_in: Option<u64>,
}

impl Default for HarnessOptions {
    fn default() -> Self {
        HarnessOptions {
            sink_hdr_credits: 64,
            sink_data_credits: 1024,
            infinite_cpl: false,
            drain: None,
            skip: 0,
            starve_np: None,
            rcb: 64,
            nullify_one_in: None,
        }
    }
}

/// What a passing run measured (over the cycles after the warm-up).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HarnessReport {
    /// Cycles simulated, setup and drain included.
    pub cycles: u64,
    /// Scoreboard and credit checks that held.
    pub checks: u64,
    /// Packets delivered (all cycles).
    pub delivered: u64,
    /// Delivered packets per output per cycle, averaged over outputs.
    pub throughput: f64,
    /// Delivered beats per output per cycle (link utilisation).
    pub beat_throughput: f64,
    /// Mean cycles from a packet's start beat entering to its end beat leaving.
    pub mean_latency: f64,
    /// The longest such latency.
    pub max_latency: u64,
    /// Unroutable packets the switch counted (`rx*_drops`).
    pub drops: u64,
    /// Malformed packets the switch counted (`rx*_malformed`).
    pub malformed: u64,
    /// Malformed packets whose head had left (cut-through) and that the
    /// switch ended with `tx*_nullify`; the sinks discarded them.
    pub nullified: u64,
    /// UR completions delivered: the switch's for the requests it cannot
    /// route, and the completers' for poisoned configuration writes.
    pub ur_completions: u64,
    /// Copies of broadcast messages delivered (one per downstream port
    /// for each broadcast).
    pub broadcast_copies: u64,
    /// Delivered packets per output per cycle by class delivered: posted,
    /// non-posted, completions (UR completions among them).
    pub class_throughput: [f64; 3],
    /// Cycles outputs waited for credit (`out*_credit_stalls`, summed).
    pub credit_stalls: u64,
    /// Non-posted requests delivered that entered behind a posted request
    /// of their path still in the switch: each was checked to leave after it.
    pub reads_behind_writes: u64,
    /// With [`HarnessOptions::starve_np`]: packets per class (posted,
    /// non-posted, completions) the starved output delivered while starved.
    pub starved_delivered: [u64; 3],
    /// Successful completions the completers returned, delivered to and
    /// accepted by their requesters.
    pub completions: u64,
    /// Non-posted requests answered in full (by completers or by a UR).
    pub requests_answered: u64,
}

/// The ID the harness gives port `p`: bus C0h, device and function `p`.
pub fn port_id(p: usize) -> u16 {
    0xC000 | p as u16
}

/// The bus of port `p`'s requesters: its secondary bus (the first it
/// claims, [`harness_routes`]), so the switch routes their completions
/// back to `p`; for the upstream port FEh, a bus no downstream port claims,
/// so completions go up.
pub fn requester_bus(p: usize, upstream: Option<usize>) -> u8 {
    if Some(p) == upstream {
        0xFE
    } else {
        2 * p as u8 + 1
    }
}

/// The routing every harness programs: port `p` claims memory addresses
/// `p * 16 MB ..`, prefetchable addresses with bits 63:52 equal to `p + 1`
/// and buses `2p + 1 ..= 2p + 2`, and its ID is [`port_id`]; an upstream
/// port's windows stay empty (it claims nothing; what no downstream port
/// claims goes up).
pub fn harness_routes(
    ports: usize,
    default_port: Option<usize>,
    upstream: Option<usize>,
) -> RouteModel {
    RouteModel {
        ports: (0..ports as u64)
            .map(|p| {
                let id = port_id(p as usize);
                if Some(p as usize) == upstream {
                    return PortWindows {
                        id,
                        ..PortWindows::EMPTY
                    };
                }
                PortWindows {
                    mem: (p * 16, p * 16 + 15),
                    pref: ((p + 1) << 32, (p + 1) << 32 | 0xFFFF_FFFF),
                    bus: (2 * p as u8 + 1, 2 * p as u8 + 2),
                    id,
                }
            })
            .collect(),
        default_port,
        upstream,
    }
}

/// A packet in flight.
#[derive(Clone, Debug)]
struct Packet {
    /// Its key ([`key_of`]) as it arrives.
    id: u64,
    src: usize,
    class: Class,
    /// Requester ID and tag ([`transaction`]).
    transaction: u32,
    beats: Vec<Bits>,
    /// The keep flags of each beat.
    keeps: Vec<u64>,
    /// Where the reference model sends it.
    dest: Option<usize>,
    /// The other downstream ports a broadcast message also leaves by.
    also: Vec<usize>,
    /// Data credits it takes.
    credits: u64,
    /// The beats and keep flags expected instead of those sent: an
    /// unroutable non-posted request's UR completion (back at its port), or
    /// a Type 1 configuration request converted to Type 0.
    arrives: Option<(Vec<Bits>, Vec<u64>)>,
    /// Sent malformed: the switch must drop and count it.
    malformed: bool,
    /// Sent malformed after a well-formed start beat to a port that claims
    /// it: with cut-through its head may leave, nullified, at that port,
    /// starting with this beat.
    nullified_at: Option<(usize, Bits)>,
    /// The link partner nullifies it at its end beat.
    void: bool,
    /// Cycle its start beat entered the switch.
    entered: u64,
}

/// What is wrong with a TLP the generator sends.
#[derive(Clone, Copy, Debug, Default)]
struct Faults {
    /// It is malformed ...
    malformed: bool,
    /// ... after a well-formed start beat.
    starts_well: bool,
    /// Its link partner nullifies it.
    void: bool,
}

/// A packet in its path's entry order.
#[derive(Clone, Copy, Debug)]
struct Entered {
    id: u64,
    class: Class,
    /// Requester ID and tag.
    transaction: u32,
    /// A posted request of the path was still in the switch when it entered.
    behind_posted: bool,
}

/// Idle cycles after the last packet before the final checks.
const SETTLE_CYCLES: u64 = 4;

/// Ids of posted requests and independent completions wrap at this many.
const ID_MASK: u32 = (1 << 24) - 1;

/// Requester IDs and tags a port's requesters use: devices 0..15 of its
/// bus, 256 tags each; they wrap at this many.
const TAG_MASK: u32 = (1 << 15) - 1;

/// The key of a TLP: its class; a request's requester ID and tag; a
/// completion's completer ID, byte count, requester ID and tag. Posted
/// requests and independent completions take their IDs and tags from a
/// counter, non-posted requests are unique among their requester's
/// outstanding ones, and the completions of one request differ in byte
/// count, so no two packets in flight share a key.
fn key_of(t: &[u32]) -> Option<u64> {
    let f = tlp::decode(t);
    let class = f.class()?;
    let key = match f.kind? {
        Kind::Completion => {
            u64::from(f.id) << 36
                | u64::from(f.byte_count) << 24
                | u64::from(f.route_id) << 8
                | u64::from(f.cpl_tag)
        }
        _ => u64::from(f.id) << 8 | u64::from(f.tag),
    };
    Some((class as u64) << 56 | key)
}

/// The transaction a TLP belongs to: its requester ID and tag (a
/// completion's are those of its request).
fn transaction(t: &[u32]) -> u32 {
    let f = tlp::decode(t);
    match f.kind {
        Some(Kind::Completion) => u32::from(f.route_id) | u32::from(f.cpl_tag) << 16,
        _ => u32::from(f.id) | u32::from(f.tag) << 16,
    }
}

/// The UR completion port `p` returns for the request `t` (written here
/// from 2.2.9 and 2.3.1): no data; byte count Length x 4 for a memory read,
/// else 4; the lower address of a memory read's first enabled byte.
fn ur_completion(p: usize, t: &[u32]) -> Vec<u32> {
    let f = tlp::decode(t);
    let read = f.kind == Some(Kind::Memory) && !f.with_data;
    let first_be = t[1] & 0xF;
    let offset = if first_be == 0 {
        0
    } else {
        first_be.trailing_zeros()
    };
    let (byte_count, lower) = if read {
        (
            (f.length * 4) as u16 & 0xFFF,
            (f.address as u32 & 0x7C | offset) as u8,
        )
    } else {
        (4, 0)
    };
    tlp::completion(port_id(p), status::UR, byte_count, f.id, f.tag, lower, &[])
}

/// Last and first DW byte enables (DW1[7:0]) for a request of `length`
/// DW drawn from `word`, as 2.2.5 allows: for one DW any first BE and last
/// BE 0000b; for more, contiguous enables (first BE 1111b, 1110b, 1100b
/// or 1000b; last BE 0001b, 0011b, 0111b or 1111b).
fn legal_byte_enables(length: u32, word: u64) -> u32 {
    if length == 1 {
        return (word & 0xF) as u32;
    }
    let first = 0xF << (word & 3) & 0xF;
    let last = 0xF >> (word >> 2 & 3);
    (last << 4 | first) as u32
}

/// Credit counters of one direction of a link, per class: header and data.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    hdr: [u64; 3],
    data: [u64; 3],
}

impl Counts {
    fn add(&mut self, class: Class, data: u64) {
        self.hdr[class as usize] += 1;
        self.data[class as usize] += data;
    }
}

/// Port handles of one side of a port: the beat handshake and the six
/// credit limits.
struct Link<H> {
    valid: H,
    ready: H,
    sop: H,
    eop: H,
    data: H,
    keep: H,
    fc: [H; 6],
}

impl<H: Copy> Link<H> {
    /// The beat ports: valid, start, end, data.
    fn beat(&self) -> (H, H, H, H) {
        (self.valid, self.sop, self.eop, self.data)
    }

    /// The ports named `{prefix}valid` ... `{prefix}keep`, `{prefix}fc_*`.
    fn new<E>(prefix: &str, h: &mut impl FnMut(&str) -> Result<H, E>) -> Result<Self, E> {
        let mut at = |name: &str| h(&format!("{prefix}{name}"));
        let fc = fc_names("fc_").map(|n| at(&n));
        let [a, b, c, d, e, f] = fc;
        Ok(Link {
            valid: at("valid")?,
            ready: at("ready")?,
            sop: at("sop")?,
            eop: at("eop")?,
            data: at("data")?,
            keep: at("keep")?,
            fc: [a?, b?, c?, d?, e?, f?],
        })
    }
}

/// Port handles of one input.
struct InPorts<H> {
    link: Link<H>,
    nullify: H,
    drops: H,
    ur: H,
    poisoned: H,
    malformed: H,
    fill: H,
}

/// Port handles of one output.
struct OutPorts<H> {
    link: Link<H>,
    nullify: H,
    packets: H,
    bytes: H,
    stalls: H,
}

/// The six credit-type port names after `prefix`, header then data per class.
fn fc_names(prefix: &str) -> [String; 6] {
    let t = TYPE_NAMES;
    [t[0].0, t[0].1, t[1].0, t[1].1, t[2].0, t[2].1].map(|n| format!("{prefix}{n}"))
}

/// A transmitter: the input's backlog and the packet being sent.
#[derive(Default)]
struct Source {
    backlog: VecDeque<Packet>,
    /// The packet on the wire and the next beat to offer.
    sending: Option<(Packet, usize)>,
    consumed: Counts,
}

impl Source {
    /// Whether its backlog takes another packet of `class` ([`BACKLOG`]).
    fn has_room(&self, class: Class) -> bool {
        self.backlog.iter().filter(|q| q.class == class).count() < BACKLOG
    }
}

/// A packet a sink received and has not processed yet.
struct Held {
    class: Class,
    /// Data credits it takes.
    credits: u64,
    /// A non-posted request's DWs, for the completer.
    request: Option<Vec<u32>>,
}

/// A sink: the packet being received, and its receive buffer: credits of
/// packets received but not yet processed are not yet returned.
#[derive(Default)]
struct Sink {
    beats: Vec<Bits>,
    keeps: Vec<u64>,
    received: Counts,
    returned: Counts,
    pending: VecDeque<Held>,
    delivered: u64,
    delivered_beats: u64,
    /// Packets (and their beats) discarded as nullified.
    nullified: u64,
    nullified_beats: u64,
}

/// A harness for one switch configuration.
pub struct Harness {
    cfg: SwitchConfig,
    traffic: TrafficConfig,
    options: HarnessOptions,
    routes: RouteModel,
}

impl Harness {
    /// A harness; `routes` defaults to [`harness_routes`].
    pub fn new(cfg: SwitchConfig, traffic: TrafficConfig, options: HarnessOptions) -> Harness {
        let routes = harness_routes(cfg.ports, cfg.default_port, cfg.upstream_port);
        Harness {
            cfg,
            traffic,
            options,
            routes,
        }
    }

    /// Cycles before traffic starts: reset, then one per register write.
    pub fn setup_cycles(&self) -> u64 {
        2 + self.routes.writes().len() as u64
    }

    /// Runs the setup, then `cycles` cycles of traffic drawing random
    /// words from `words`, then drains if asked; reports each finished
    /// cycle to `progress`. Metrics cover the traffic cycles after a
    /// warm-up of a fifth of them.
    pub fn run(
        &self,
        io: &mut Dut<'_>,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<HarnessReport, Failure> {
        Run::new(self, io)?.go(cycles, words, progress)
    }
}

/// One run's state.
struct Run<'b, 'd> {
    harness: &'b Harness,
    io: &'b mut Dut<'d>,
    rst: SignalHandle,
    cfg_we: SignalHandle,
    cfg_addr: SignalHandle,
    cfg_wdata: SignalHandle,
    /// The ports the harness drives, in order; `ins` and `outs` follow it.
    ports: Vec<usize>,
    ins: Vec<InPorts<SignalHandle>>,
    outs: Vec<OutPorts<SignalHandle>>,
    sources: Vec<Source>,
    sinks: Vec<Sink>,
    /// The completer at each port.
    completers: Vec<Completer>,
    requesters: Requesters,
    /// Per port: the next requester ID and tag ([`TAG_MASK`]).
    next_tag: Vec<u32>,
    /// Per (input, output): the packets not yet delivered, in the order
    /// they entered.
    pairs: HashMap<(usize, usize), VecDeque<Entered>>,
    /// Packets on their way, by key and output.
    expected: HashMap<(u64, usize), Packet>,
    /// Malformed packets that may leave nullified, by key: the port and the
    /// start beat they leave with. (A nullified packet is told by its start
    /// beat: at 64 bits the rest of its header may be cut off.)
    nullifiable: BTreeMap<u64, (usize, Bits)>,
    permutation: Vec<usize>,
    next_id: u32,
    cycle: u64,
    expected_drops: u64,
    expected_urs: u64,
    expected_poisoned: u64,
    expected_malformed: u64,
    /// Delivered in the measurement window, per class.
    class_measured: [u64; 3],
    report: HarnessReport,
    latency_sum: u64,
    measured: u64,
    beats_measured: u64,
    measure_from: u64,
    measure_to: u64,
}

fn fail<T>(cycle: u64, message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        cycle,
        message: message.into(),
    })
}

impl<'b, 'd> Run<'b, 'd> {
    fn new(harness: &'b Harness, io: &'b mut Dut<'d>) -> Result<Self, Failure> {
        let sim_err = |e: SimError| Failure {
            cycle: 0,
            message: e.to_string(),
        };
        let mut h = |name: &str| io.handle(name).map_err(sim_err);
        let n = harness.cfg.ports;
        let ports: Vec<usize> = (0..n)
            .filter(|p| harness.options.skip >> p & 1 == 0)
            .collect();
        let mut ins = Vec::with_capacity(n);
        let mut outs = Vec::with_capacity(n);
        for &p in &ports {
            ins.push(InPorts {
                link: Link::new(&format!("rx{p}_"), &mut h)?,
                nullify: h(&format!("rx{p}_nullify"))?,
                drops: h(&format!("rx{p}_drops"))?,
                ur: h(&format!("rx{p}_ur"))?,
                poisoned: h(&format!("rx{p}_poisoned"))?,
                malformed: h(&format!("rx{p}_malformed"))?,
                fill: h(&format!("rx{p}_fill"))?,
            });
            outs.push(OutPorts {
                link: Link::new(&format!("tx{p}_"), &mut h)?,
                nullify: h(&format!("tx{p}_nullify"))?,
                packets: h(&format!("tx{p}_packets"))?,
                bytes: h(&format!("tx{p}_bytes"))?,
                stalls: h(&format!("tx{p}_credit_stalls"))?,
            });
        }
        let (rst, cfg_we, cfg_addr, cfg_wdata) =
            (h("rst")?, h("cfg_we")?, h("cfg_addr")?, h("cfg_wdata")?);
        Ok(Run {
            harness,
            io,
            rst,
            cfg_we,
            cfg_addr,
            cfg_wdata,
            ports,
            ins,
            outs,
            sources: (0..n).map(|_| Source::default()).collect(),
            sinks: (0..n).map(|_| Sink::default()).collect(),
            completers: (0..n).map(|_| Completer::default()).collect(),
            requesters: Requesters::new(harness.options.rcb),
            next_tag: vec![0; n],
            pairs: HashMap::new(),
            expected: HashMap::new(),
            nullifiable: BTreeMap::new(),
            permutation: (0..n).collect(),
            next_id: 0,
            cycle: 0,
            expected_drops: 0,
            expected_urs: 0,
            expected_poisoned: 0,
            expected_malformed: 0,
            class_measured: [0; 3],
            report: HarnessReport::default(),
            latency_sum: 0,
            measured: 0,
            beats_measured: 0,
            measure_from: 0,
            measure_to: 0,
        })
    }

    fn sim<T>(&self, r: Result<T, SimError>) -> Result<T, Failure> {
        r.map_err(|e| Failure {
            cycle: self.cycle,
            message: e.to_string(),
        })
    }

    fn go(
        mut self,
        cycles: u64,
        words: &mut dyn Iterator<Item = u64>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<HarnessReport, Failure> {
        let mut draw = move || words.next();
        // A random permutation of the harness's ports for the permutation
        // pattern; with an upstream port one without fixed points (each
        // port sends to the next in a random cycle), as no TLP goes back
        // out of its port.
        let mut order = self.ports.clone();
        for i in (1..order.len()).rev() {
            let j = (Self::word(&mut draw) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let shift = usize::from(self.harness.cfg.upstream_port.is_some() && order.len() > 1);
        for (k, &p) in order.iter().enumerate() {
            self.permutation[p] = order[(k + shift) % order.len()];
        }
        let setup = self.harness.setup_cycles();
        self.measure_from = setup + cycles / 5;
        self.measure_to = setup + cycles;
        self.idle_inputs()?;
        self.sink_credits()?;
        let writes = self.harness.routes.writes();
        for c in 0..setup {
            self.poke(self.rst, u64::from(c < 2))?;
            let write = c.checked_sub(2).and_then(|k| writes.get(k as usize));
            let (we, (addr, data)) = (write.is_some(), write.copied().unwrap_or((0, 0)));
            self.poke(self.cfg_we, we.into())?;
            self.poke(self.cfg_addr, addr)?;
            self.poke(self.cfg_wdata, data)?;
            self.step()?;
            progress(self.cycle);
        }
        self.poke(self.cfg_we, 0)?;
        while self.cycle < self.measure_to {
            self.cycle_once(true, &mut draw)?;
            progress(self.cycle);
        }
        if let Some(limit) = self.harness.options.drain {
            let mut quiet = 0;
            // A malformed packet that started through must still leave,
            // nullified.
            let busy = |r: &Self| {
                !r.expected.is_empty()
                    || !r.nullifiable.is_empty()
                    || r.requesters.busy()
                    || r.completers.iter().any(Completer::busy)
                    || r.sources
                        .iter()
                        .any(|s| s.sending.is_some() || !s.backlog.is_empty())
            };
            while busy(&self) {
                let left = |r: &Self| r.report.delivered + r.report.nullified;
                let before = left(&self);
                self.cycle_once(false, &mut draw)?;
                progress(self.cycle);
                quiet = if left(&self) == before { quiet + 1 } else { 0 };
                if quiet > limit {
                    return fail(
                        self.cycle,
                        format!(
                            "deadlock: {} packets undelivered and {} malformed ones not \
                             left nullified after {limit} cycles without progress{}{}",
                            self.expected.len(),
                            self.nullifiable.len(),
                            if self.requesters.busy() {
                                "; unanswered:\n"
                            } else {
                                ""
                            },
                            self.requesters.unanswered()
                        ),
                    );
                }
            }
            // The switch finishes what it took last (a 64-bit port holds a
            // beat for a cycle; a dropped TLP's credits return after its
            // end beat) before counters and credits are read.
            for _ in 0..SETTLE_CYCLES {
                self.cycle_once(false, &mut draw)?;
                progress(self.cycle);
            }
            self.final_checks()?;
        }
        self.finish()
    }

    fn poke(&mut self, h: SignalHandle, v: u64) -> Result<(), Failure> {
        let r = self.io.poke(h, v);
        self.sim(r)
    }

    fn step(&mut self) -> Result<(), Failure> {
        let r = self.io.step();
        self.sim(r)?;
        self.cycle += 1;
        Ok(())
    }

    fn idle_inputs(&mut self) -> Result<(), Failure> {
        for i in 0..self.ins.len() {
            self.poke(self.ins[i].link.valid, 0)?;
            self.poke(self.ins[i].link.sop, 0)?;
            self.poke(self.ins[i].link.eop, 0)?;
        }
        for o in 0..self.outs.len() {
            self.poke(self.outs[o].link.ready, 0)?;
        }
        Ok(())
    }

    /// Pokes every sink's limits: its initial credits plus what it returned.
    fn sink_credits(&mut self) -> Result<(), Failure> {
        let opt = self.harness.options;
        for k in 0..self.outs.len() {
            let r = self.sinks[self.ports[k]].returned;
            for c in 0..3 {
                let h = (opt.sink_hdr_credits + r.hdr[c]) & ((1 << HDR_BITS) - 1);
                let d = (opt.sink_data_credits + r.data[c]) & ((1 << DATA_BITS) - 1);
                let (h, d) = if opt.infinite_cpl && c == Class::Completion as usize {
                    (0, 0)
                } else {
                    (h, d)
                };
                self.poke(self.outs[k].link.fc[2 * c], h)?;
                self.poke(self.outs[k].link.fc[2 * c + 1], d)?;
            }
        }
        Ok(())
    }

    /// A random event of probability `p`; none once the words run out, so
    /// then sources stay quiet and sinks always take and process.
    fn chance(draw: &mut dyn FnMut() -> Option<u64>, p: f64) -> bool {
        draw().is_some_and(|w| ((w >> 11) as f64 / (1u64 << 53) as f64) < p)
    }

    /// A random word (zero once the words run out).
    fn word(draw: &mut dyn FnMut() -> Option<u64>) -> u64 {
        draw().unwrap_or(0)
    }

    /// A new packet from input `src`.
    fn make_packet(&mut self, src: usize, draw: &mut dyn FnMut() -> Option<u64>) -> Packet {
        let t = &self.harness.traffic;
        let upstream = self.harness.cfg.upstream_port;
        // With an upstream port a TLP never goes back out of its port, so
        // the destinations are the other ports.
        let choices: Vec<usize> = (self.ports.iter().copied())
            .filter(|&p| upstream.is_none() || p != src)
            .collect();
        let choices = if choices.is_empty() {
            vec![src]
        } else {
            choices
        };
        let any = |w: u64| choices[(w % choices.len() as u64) as usize] as u64;
        let hot = self.ports[0];
        let dest = match t.pattern {
            Pattern::Uniform => any(Self::word(draw)),
            Pattern::Hotspot if Self::word(draw) & 1 == 0 && choices.contains(&hot) => hot as u64,
            Pattern::Hotspot => any(Self::word(draw)),
            Pattern::Permutation => self.permutation[src] as u64,
        };
        let unroutable = Self::chance(draw, t.unroutable);
        // What no port routes: from a downstream port its own window and
        // buses (it would go back out), else 0xF00 MB and bus FFh, nobody's.
        let (nowhere_mb, nowhere_bus, nowhere_pref) = match upstream {
            Some(u) if src != u => (src as u64 * 16, 2 * src as u64 + 1, src as u64 + 1),
            _ => (0xF00, 0xFF, 0xFFF),
        };
        let id = self.next_id;
        self.next_id = (self.next_id + 1) & ID_MASK;
        let class = class_of(t.mix, Self::word(draw));
        let (lo, hi) = t.packet_beats;
        let beats = u64::from(lo) + Self::word(draw) % u64::from(hi - lo + 1);
        let w = self.harness.cfg.data_width;
        // Payload DWs filling `beats` beats after a 3-DW header.
        let room = (beats * u64::from(w / 32)).saturating_sub(3).clamp(1, 1024);
        let payload: Vec<u32> = (0..room).map(|_| Self::word(draw) as u32).collect();
        // A request's 32-bit address: the destination's 16 MB memory window
        // (an upstream port's is empty, so what targets it goes up) and a
        // random DW in it.
        let window = if unroutable { nowhere_mb } else { dest * 16 };
        let addr = window << 20 | (Self::word(draw) & 0x3F_FFFF) << 2;
        let (requester, tag) = if class == Class::NonPosted {
            self.request_id(src)
        } else {
            (id as u16, (id >> 16) as u8)
        };
        let up_from_below = upstream.is_some_and(|u| dest == u as u64 && src != u);
        let from_above = upstream == Some(src);
        let dws = match class {
            Class::Posted if from_above && !unroutable && Self::word(draw) % 8 == 0 => {
                // A broadcast from the root complex (routing 011b): a
                // PME_Turn_Off (code 19h, no data) or a vendor-defined
                // Type 1 message (code 7Fh) with data.
                if Self::word(draw) & 1 == 0 {
                    tlp::message(0b011, 0x19, requester, tag, 0, &[])
                } else {
                    tlp::message(
                        0b011,
                        0x7F,
                        requester,
                        tag,
                        0,
                        &payload[..payload.len() - 1],
                    )
                }
            }
            Class::Posted if unroutable && Self::word(draw) % 4 == 0 => {
                // A message no port forwards: local (routing 100b), or a
                // broadcast arriving anywhere but at the upstream port.
                let route = if !from_above && Self::word(draw) & 1 == 0 {
                    0b011
                } else {
                    0b100
                };
                tlp::message(
                    route,
                    0x7F,
                    requester,
                    tag,
                    0,
                    &payload[..payload.len() - 1],
                )
            }
            Class::Posted if up_from_below && !unroutable && Self::word(draw) & 1 == 0 => {
                // A message to the root complex (routing 000b or, gathered,
                // 101b; 4-DW header), with a DW less payload to keep its beats.
                let route = if Self::word(draw) & 1 == 0 {
                    0b000
                } else {
                    0b101
                };
                let data = &payload[..payload.len() - 1];
                tlp::message(route, 0x7F, requester, tag, 0, data)
            }
            Class::Posted => tlp::mem_write(addr, requester, tag, &payload),
            Class::NonPosted if Self::word(draw) & 1 == 0 => {
                let length = 1 + (Self::word(draw) % self.read_limit()) as u32;
                // Half to a prefetchable window (bits 63:52 the port's
                // number plus one) with a 4-DW header.
                let addr = if Self::word(draw) & 1 == 0 {
                    let window = if unroutable { nowhere_pref } else { dest + 1 };
                    window << 52 | addr & 0xFFFF_FFFC
                } else {
                    addr
                };
                tlp::mem_read(addr, requester, tag, length)
            }
            Class::NonPosted => {
                // A CfgRd1 to a bus of the destination's range: its
                // secondary bus (converted to Type 0) or the next. With
                // completers to answer them, half are CfgWr1 of one DW (a
                // non-posted request with data, taking an NPD credit).
                let bus = if unroutable {
                    nowhere_bus
                } else {
                    2 * dest + 1 + (Self::word(draw) & 1)
                };
                let target = (bus << 8 | (Self::word(draw) & 0xFF)) as u16;
                let register = (Self::word(draw) % 1024) as u16;
                let write = t.completers && Self::word(draw) & 1 == 0;
                let data = write.then(|| Self::word(draw) as u32);
                tlp::config(true, target, register, requester, tag, data)
            }
            Class::Completion => {
                let bus = if unroutable {
                    nowhere_bus
                } else {
                    2 * dest + 1 + (Self::word(draw) & 1)
                };
                let devfn = u64::from(INDEPENDENT_DEVFN) | Self::word(draw) & 0x7F;
                let requester = (bus << 8 | devfn) as u16;
                let byte_count = (payload.len() * 4) as u16 & 0xFFF;
                tlp::completion(
                    id as u16,
                    status::SC,
                    byte_count,
                    requester,
                    (id >> 16) as u8,
                    0,
                    &payload,
                )
            }
        };
        let mut dws = dws;
        if Self::chance(draw, t.poisoned) {
            // EP, DW0[14].
            dws[0] |= 1 << 14;
        }
        let mut faults = Faults {
            malformed: Self::chance(draw, t.malformed),
            starts_well: true,
            void: (self.harness.options.nullify_one_in).is_some_and(|n| Self::word(draw) % n == 0),
        };
        let mut class = class;
        if faults.malformed {
            if Self::word(draw) & 1 == 0 {
                // One DW more than its Fmt and Length promise; a TLP of one
                // beat that this makes two is malformed at its start beat.
                faults.starts_well = dws.len() != (w / 32) as usize;
                dws.push(Self::word(draw) as u32);
            } else {
                // Type 00011b is reserved (2.2.1); the switch returns the
                // credits of a TLP it cannot classify as posted ones.
                dws[0] = dws[0] & !(0x1F << 24) | 0b0_0011 << 24;
                class = Class::Posted;
                faults.starts_well = false;
            }
        }
        let read = tlp::decode(&dws).kind == Some(Kind::Memory) && class == Class::NonPosted;
        if read && !faults.malformed && self.harness.routes.route(&dws, src).is_some() {
            dws[1] = dws[1] & !0xFF | legal_byte_enables(dws[0] & 0x3FF, Self::word(draw));
        }
        self.packet(src, dws, class, faults, draw)
    }

    /// The longest read the generator makes, in DW: one whose completions
    /// the completers can cut at the RCB (every RCB block of it fits in
    /// the largest payload the switch carries), up to four RCBs; 16 DW
    /// with the completers off.
    fn read_limit(&self) -> u64 {
        if !self.harness.traffic.completers {
            return 16;
        }
        let rcb_dw = self.harness.options.rcb / 4;
        let largest = self.harness.cfg.max_payload_dw();
        if largest >= rcb_dw {
            (4 * rcb_dw).min(1024)
        } else {
            largest.max(1)
        }
    }

    /// A requester ID and tag for a non-posted request from port `src`:
    /// the bus [`requester_bus`], a device 0..15 and a tag, not
    /// outstanding (a port's 32768 pairs outlast any request's wait in its
    /// source; the scoreboard fails a reused one).
    fn request_id(&mut self, src: usize) -> (u16, u8) {
        let bus = u16::from(requester_bus(src, self.harness.cfg.upstream_port));
        loop {
            let n = self.next_tag[src];
            self.next_tag[src] = (n + 1) & TAG_MASK;
            let (id, tag) = (bus << 8 | (n >> 8) as u16, n as u8);
            if !self.requesters.waiting(id, tag) {
                return (id, tag);
            }
        }
    }

    /// The packet of the TLP `dws` (class `class`, with `faults`) from
    /// input `src`: where the reference model routes it and what arrives
    /// there.
    fn packet(
        &self,
        src: usize,
        dws: Vec<u32>,
        class: Class,
        faults: Faults,
        draw: &mut dyn FnMut() -> Option<u64>,
    ) -> Packet {
        let malformed = faults.malformed;
        let w = self.harness.cfg.data_width;
        let routes = &self.harness.routes;
        let mut dests = routes.destinations(&dws, src);
        let beats = tlp::to_beats(&dws, w, || Self::word(draw) as u32);
        let keeps = tlp::keeps(dws.len(), w);
        // The start beat as it leaves: a Type 1 configuration request for
        // a port's secondary bus leaves as Type 0 (00101b becomes 00100b,
        // DW0 bit 24).
        let to_type0 = routes.to_type0(&dws);
        let mut start = beats[0].clone();
        if to_type0 {
            start.set_bit(24, false);
        }
        let nullified_at = (faults.starts_well && malformed)
            .then(|| dests.first().map(|&o| (o, start.clone())))
            .flatten();
        if malformed {
            dests.clear();
        }
        let dest = dests.first().copied();
        let also = dests.split_off(dest.map_or(0, |_| 1));
        let ur = (!malformed && dest.is_none() && class == Class::NonPosted)
            .then(|| ur_completion(src, &dws));
        let arrives = if let Some(ur) = &ur {
            Some((tlp::to_beats(ur, w, || 0), tlp::keeps(ur.len(), w)))
        } else if !malformed && to_type0 {
            let mut converted = beats.clone();
            converted[0] = start;
            Some((converted, keeps.clone()))
        } else {
            None
        };
        Packet {
            id: key_of(ur.as_deref().unwrap_or(&dws)).unwrap_or(0),
            src,
            class,
            transaction: transaction(&dws),
            keeps,
            arrives,
            dest,
            also,
            credits: tlp::decode(&dws).data_credits(),
            beats,
            malformed,
            nullified_at,
            void: faults.void,
            entered: 0,
        }
    }

    /// One traffic cycle: read the switch's outputs, decide, drive every
    /// input (all reads before all writes, so the design settles once),
    /// step, account.
    fn cycle_once(
        &mut self,
        generate: bool,
        draw: &mut dyn FnMut() -> Option<u64>,
    ) -> Result<(), Failure> {
        // Locals are indexed like `self.ports` (k), ports are i and o.
        let n = self.ports.len();
        let t = self.harness.traffic;
        // Inputs: generate, start packets the credits allow.
        let mut offered = vec![false; n];
        for (k, offer) in offered.iter_mut().enumerate() {
            let i = self.ports[k];
            // The completer's ready answers first, as the backlog allows.
            while self.sources[i].has_room(Class::Completion) {
                let Some(c) = self.completers[i].ready(self.cycle) else {
                    break;
                };
                let p = self.packet(i, c, Class::Completion, Faults::default(), draw);
                self.sources[i].backlog.push_back(p);
            }
            if generate && Self::chance(draw, t.load) {
                let p = self.make_packet(i, draw);
                if self.sources[i].has_room(p.class) {
                    self.sources[i].backlog.push_back(p);
                }
            }
            if self.sources[i].sending.is_none() {
                // The oldest packet with credit that may pass every older
                // one still waiting (a transmitter keeps the ordering
                // rules too, so a read stalled for credit does not hold up
                // the writes and completions behind it).
                let fc = self.ins[k].link.fc;
                let limit = fc.map(|h| self.io.peek(h));
                let s = &self.sources[i];
                let next = next_to_send(
                    &s.backlog,
                    |p| (p.class, p.transaction),
                    |p| {
                        let c = p.class as usize;
                        credit_ok(limit[2 * c], s.consumed.hdr[c], 1, HDR_BITS)
                            && credit_ok(limit[2 * c + 1], s.consumed.data[c], p.credits, DATA_BITS)
                    },
                );
                if let Some(p) = next.and_then(|at| self.sources[i].backlog.remove(at)) {
                    // A nullified TLP spends no credits.
                    if !p.void {
                        self.sources[i].consumed.add(p.class, p.credits);
                    }
                    self.sources[i].sending = Some((p, 0));
                }
            }
            *offer = self.sources[i].sending.is_some() && self.io.peek(self.ins[k].link.ready) == 1;
        }
        // Outputs: random backpressure.
        let mut ready = vec![false; n];
        let mut taken = vec![None; n];
        for k in 0..n {
            ready[k] = !Self::chance(draw, t.backpressure);
            let (hv, hs, he, hd) = self.outs[k].link.beat();
            if ready[k] && self.io.peek(hv) == 1 {
                let (sop, eop) = (self.io.peek(hs) == 1, self.io.peek(he) == 1);
                let keep = self.io.peek(self.outs[k].link.keep);
                let nullify = self.io.peek(self.outs[k].nullify) == 1;
                taken[k] = Some((sop, eop, self.io.peek_bits(hd), keep, nullify));
            }
        }
        // Drive.
        for k in 0..n {
            let (hv, hs, he, hd) = self.ins[k].link.beat();
            let (valid, sop, eop, data, void) = match &self.sources[self.ports[k]].sending {
                Some((p, b)) => (
                    true,
                    *b == 0,
                    *b + 1 == p.beats.len(),
                    Some((&p.beats[*b], p.keeps[*b])),
                    p.void,
                ),
                None => (false, false, false, None, false),
            };
            if let Some((d, keep)) = data {
                let r = self.io.poke_bits(hd, d);
                self.sim(r)?;
                self.poke(self.ins[k].link.keep, keep)?;
            }
            self.poke(hv, valid.into())?;
            self.poke(hs, sop.into())?;
            self.poke(he, eop.into())?;
            self.poke(self.ins[k].nullify, (eop && void).into())?;
        }
        for (k, r) in ready.into_iter().enumerate() {
            self.poke(self.outs[k].link.ready, r.into())?;
        }
        self.sink_credits()?;
        self.step()?;
        for (k, offer) in offered.into_iter().enumerate() {
            if offer {
                self.accept_beat(self.ports[k])?;
            }
        }
        for (k, take) in taken.into_iter().enumerate() {
            let o = self.ports[k];
            if let Some((sop, eop, data, keep, nullify)) = take {
                self.receive_beat(o, sop, eop, data, keep, nullify)?;
            }
            // The sink processes received packets at the rate it is ready,
            // in order, but for non-posted requests while it starves them
            // or its completer owes too much; its completer takes each
            // request it processes.
            let starving = self.starving(o);
            while !Self::chance(draw, t.backpressure) {
                let room = !starving && self.completers[o].has_room();
                let pending = &mut self.sinks[o].pending;
                let next = pending
                    .iter()
                    .position(|h| room || h.class != Class::NonPosted);
                let Some(h) = next.and_then(|k| pending.remove(k)) else {
                    break;
                };
                self.sinks[o].returned.add(h.class, h.credits);
                if let Some(request) = h.request {
                    let harness = self.harness;
                    let (rcb, largest) = (harness.options.rcb, harness.cfg.max_payload_dw());
                    let answers = completer::answers(&request, port_id(o), rcb, largest, || {
                        Self::word(draw) as u32
                    });
                    self.completers[o].take(self.cycle, answers);
                }
            }
        }
        Ok(())
    }

    /// Output `o`'s sink is starving non-posted requests this cycle.
    fn starving(&self, o: usize) -> bool {
        self.harness
            .options
            .starve_np
            .is_some_and(|(s, until)| s == o && self.cycle < until)
    }

    /// The switch took input `i`'s offered beat. Fails when a request
    /// reuses an outstanding tag.
    fn accept_beat(&mut self, i: usize) -> Result<(), Failure> {
        let cycle = self.cycle;
        let Some((p, k)) = &mut self.sources[i].sending else {
            return Ok(());
        };
        if *k == 0 {
            p.entered = cycle;
            let cut_through = self.harness.cfg.forwarding == Forwarding::CutThrough;
            if let Some(at) = p.nullified_at.clone().filter(|_| cut_through) {
                self.nullifiable.insert(p.id, at);
            }
        }
        *k += 1;
        if *k < p.beats.len() {
            return Ok(());
        }
        let Some((p, _)) = self.sources[i].sending.take() else {
            return Ok(());
        };
        if p.void {
            return Ok(());
        }
        if p.malformed {
            self.expected_malformed += 1;
            return Ok(());
        }
        if self.harness.traffic.completers && p.class == Class::NonPosted {
            let dws = tlp::from_beats(&p.beats, self.harness.cfg.data_width);
            if let Err(e) = self.requesters.issue(i, &dws, p.entered) {
                return fail(cycle, e);
            }
        }
        if p.beats[0].bit(14) {
            self.expected_poisoned += 1;
        }
        let p = match (p.dest, p.arrives) {
            (None, None) => {
                self.expected_drops += 1;
                return Ok(());
            }
            // The switch answers in the request's place, back at port i.
            (None, Some((beats, keeps))) => {
                self.expected_urs += 1;
                Packet {
                    class: Class::Completion,
                    credits: 0,
                    dest: Some(i),
                    beats,
                    keeps,
                    arrives: None,
                    ..p
                }
            }
            (Some(_), Some((beats, keeps))) => Packet {
                beats,
                keeps,
                arrives: None,
                ..p
            },
            (Some(_), None) => Packet { arrives: None, ..p },
        };
        for o in p.dest.into_iter().chain(p.also.iter().copied()) {
            let pair = self.pairs.entry((i, o)).or_default();
            let behind_posted = pair.iter().any(|e| e.class == Class::Posted);
            pair.push_back(Entered {
                id: p.id,
                class: p.class,
                transaction: p.transaction,
                behind_posted,
            });
            let copy = Packet {
                dest: Some(o),
                also: Vec::new(),
                ..p.clone()
            };
            self.expected.insert((p.id, o), copy);
        }
        Ok(())
    }

    /// Output `o` delivered a beat to its sink.
    fn receive_beat(
        &mut self,
        o: usize,
        sop: bool,
        eop: bool,
        data: Bits,
        keep: u64,
        nullify: bool,
    ) -> Result<(), Failure> {
        let cycle = self.cycle;
        let sink = &mut self.sinks[o];
        if nullify && !eop {
            return fail(
                cycle,
                format!("tx{o}: nullify flag on a beat that is not an end beat"),
            );
        }
        if sop != sink.beats.is_empty() {
            return fail(
                cycle,
                format!(
                    "tx{o}: start flag {sop} with {} beats of a packet received",
                    sink.beats.len()
                ),
            );
        }
        sink.beats.push(data);
        sink.keeps.push(keep);
        if !eop {
            return Ok(());
        }
        let beats = std::mem::take(&mut sink.beats);
        let keeps = std::mem::take(&mut sink.keeps);
        if nullify {
            return self.discard_nullified(o, &beats);
        }
        let dws = tlp::from_beats(&beats, self.harness.cfg.data_width);
        let key = key_of(&dws);
        let Some(p) = key.and_then(|key| self.expected.remove(&(key, o))) else {
            let elsewhere = self.expected.values().find(|p| Some(p.id) == key);
            return fail(
                cycle,
                match elsewhere {
                    Some(p) => format!(
                        "packet {} from rx{} left at tx{o}, routed to {:?}",
                        p.id, p.src, p.dest
                    ),
                    None => format!("tx{o}: unexpected packet with header {:08x?}", &dws[..4]),
                },
            );
        };
        // The switch may start a packet only within the sink's limit, so
        // the packets received but not yet returned fit the sink's credits.
        let opt = self.harness.options;
        let (c, need) = (p.class as usize, p.credits);
        let sink = &self.sinks[o];
        let held_h = sink.received.hdr[c] - sink.returned.hdr[c] + 1;
        let held_d = sink.received.data[c] - sink.returned.data[c] + need;
        let limited = !(opt.infinite_cpl && p.class == Class::Completion);
        if limited && (held_h > opt.sink_hdr_credits || held_d > opt.sink_data_credits) {
            return fail(
                cycle,
                format!(
                    "tx{o}: packet {} sent without credit: the sink holds {held_h} headers \
                     and {held_d} data credits of class {c}, it advertised {} and {}",
                    p.id, opt.sink_hdr_credits, opt.sink_data_credits
                ),
            );
        }
        if beats != p.beats {
            return fail(
                cycle,
                format!("packet {} from rx{} changed in flight", p.id, p.src),
            );
        }
        if keeps != p.keeps {
            return fail(
                cycle,
                format!(
                    "packet {} from rx{}: keep flags {keeps:x?}, its DWs make {:x?}",
                    p.id, p.src, p.keeps
                ),
            );
        }
        let queue = self.pairs.entry((p.src, o)).or_default();
        let Some(at) = queue.iter().position(|e| e.id == p.id) else {
            return fail(cycle, format!("packet {} delivered twice", p.id));
        };
        let me = queue[at];
        if let Some(e) = queue
            .iter()
            .take(at)
            .find(|e| !may_pass(me.class, e.class, e.transaction == me.transaction))
        {
            return fail(
                cycle,
                format!(
                    "rx{} -> tx{o}: {:?} packet {} passed the earlier {:?} packet {}",
                    p.src, me.class, p.id, e.class, e.id
                ),
            );
        }
        queue.remove(at);
        if me.class == Class::NonPosted && me.behind_posted {
            self.report.reads_behind_writes += 1;
        }
        if self.starving(o) {
            self.report.starved_delivered[p.class as usize] += 1;
        }
        self.report.checks += 4;
        let f = tlp::decode(&dws);
        if f.kind == Some(Kind::Completion) && f.status == status::UR {
            self.report.ur_completions += 1;
        }
        if f.kind == Some(Kind::Message(0b011)) {
            self.report.broadcast_copies += 1;
        }
        let completers = self.harness.traffic.completers;
        if completers && f.kind == Some(Kind::Completion) && is_answer(&dws) {
            if let Err(e) = self.requesters.complete(o, &dws) {
                return fail(cycle, e);
            }
            self.report.checks += 1;
        }
        let sink = &mut self.sinks[o];
        sink.received.add(p.class, need);
        sink.pending.push_back(Held {
            class: p.class,
            credits: need,
            request: (completers && p.class == Class::NonPosted).then_some(dws),
        });
        sink.delivered += 1;
        sink.delivered_beats += p.beats.len() as u64;
        self.report.delivered += 1;
        if cycle > self.measure_from && cycle <= self.measure_to {
            let latency = cycle - p.entered;
            self.latency_sum += latency;
            self.measured += 1;
            self.class_measured[p.class as usize] += 1;
            self.report.max_latency = self.report.max_latency.max(latency);
            self.beats_measured += p.beats.len() as u64;
        }
        Ok(())
    }

    /// A packet output `o` ended with the nullify flag: the link partner
    /// discards it, and it must be one sent malformed (after a well-formed
    /// start beat) that `o` claims, nullified once.
    fn discard_nullified(&mut self, o: usize, beats: &[Bits]) -> Result<(), Failure> {
        let found = self
            .nullifiable
            .iter()
            .find(|(_, (at, start))| *at == o && *start == beats[0])
            .map(|(&key, _)| key);
        let Some(key) = found else {
            return fail(
                self.cycle,
                format!(
                    "tx{o}: nullified a packet not sent malformed to it (or twice), start beat {:x?}",
                    beats[0]
                ),
            );
        };
        self.nullifiable.remove(&key);
        self.sinks[o].nullified += 1;
        self.sinks[o].nullified_beats += beats.len() as u64;
        self.report.nullified += 1;
        self.report.checks += 1;
        Ok(())
    }

    /// After a drain: counters and credits agree with what was seen.
    fn final_checks(&mut self) -> Result<(), Failure> {
        let bpb = self.harness.cfg.bytes_per_beat();
        let credits = self.harness.cfg.rx_credits();
        let (mut drops, mut urs, mut poisoned, mut malformed) = (0, 0, 0, 0);
        for (k, &i) in self.ports.iter().enumerate() {
            drops += self.io.peek(self.ins[k].drops);
            urs += self.io.peek(self.ins[k].ur);
            poisoned += self.io.peek(self.ins[k].poisoned);
            malformed += self.io.peek(self.ins[k].malformed);
            let fill = self.io.peek(self.ins[k].fill);
            if fill != 0 {
                return fail(
                    self.cycle,
                    format!("rx{i}: {fill} beats left in the buffer"),
                );
            }
            for (c, &(hdr, data)) in credits.iter().enumerate() {
                let s = &self.sources[i].consumed;
                let lim_h = self.io.peek(self.ins[k].link.fc[2 * c]);
                let lim_d = self.io.peek(self.ins[k].link.fc[2 * c + 1]);
                let free_h = lim_h.wrapping_sub(s.hdr[c]) & ((1 << HDR_BITS) - 1);
                let free_d = lim_d.wrapping_sub(s.data[c]) & ((1 << DATA_BITS) - 1);
                if (free_h, free_d) != (hdr, data) {
                    return fail(
                        self.cycle,
                        format!(
                            "rx{i} class {c}: {free_h} header and {free_d} data credits free \
                             after draining, expected {hdr} and {data}"
                        ),
                    );
                }
            }
        }
        if malformed != self.expected_malformed {
            return fail(
                self.cycle,
                format!(
                    "malformed counters say {malformed}, {} malformed TLPs were sent",
                    self.expected_malformed
                ),
            );
        }
        if poisoned != self.expected_poisoned {
            return fail(
                self.cycle,
                format!(
                    "poisoned counters say {poisoned}, {} poisoned TLPs were sent",
                    self.expected_poisoned
                ),
            );
        }
        if urs != self.expected_urs {
            return fail(
                self.cycle,
                format!(
                    "UR counters say {urs}, {} unroutable reads were sent",
                    self.expected_urs
                ),
            );
        }
        if drops != self.expected_drops {
            return fail(
                self.cycle,
                format!(
                    "drop counters say {drops}, {} unroutable packets were sent",
                    self.expected_drops
                ),
            );
        }
        for (k, &o) in self.ports.iter().enumerate() {
            let packets = self.io.peek(self.outs[k].packets);
            let bytes = self.io.peek(self.outs[k].bytes);
            let s = &self.sinks[o];
            let seen = (
                s.delivered + s.nullified,
                (s.delivered_beats + s.nullified_beats) * bpb,
            );
            if (packets, bytes) != seen {
                return fail(
                    self.cycle,
                    format!(
                        "tx{o}: counters say {packets} packets, {bytes} bytes; \
                         the sink saw {} and {} (nullified ones included)",
                        seen.0, seen.1
                    ),
                );
            }
        }
        if let Some((key, (o, _))) = self.nullifiable.iter().next() {
            return fail(
                self.cycle,
                format!(
                    "malformed packet {key} for tx{o} started through but never left nullified"
                ),
            );
        }
        self.report.checks += 4 * self.ins.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> Result<HarnessReport, Failure> {
        let n = self.ports.len() as f64;
        let window = self.measure_to.saturating_sub(self.measure_from).max(1) as f64;
        let mut report = std::mem::take(&mut self.report);
        report.cycles = self.cycle;
        report.drops = (0..self.ins.len())
            .map(|i| self.io.peek(self.ins[i].drops))
            .sum();
        report.malformed = (0..self.ins.len())
            .map(|i| self.io.peek(self.ins[i].malformed))
            .sum();
        report.completions = self.requesters.completions;
        report.requests_answered = self.requesters.answered;
        report.credit_stalls = (0..self.outs.len())
            .map(|o| self.io.peek(self.outs[o].stalls))
            .sum();
        report.throughput = self.measured as f64 / (n * window);
        report.class_throughput = self.class_measured.map(|c| c as f64 / (n * window));
        report.mean_latency = if self.measured == 0 {
            0.0
        } else {
            self.latency_sum as f64 / self.measured as f64
        };
        report.beat_throughput = self.beats_measured as f64 / (n * window);
        Ok(report)
    }
}
