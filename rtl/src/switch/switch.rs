//! `switch`: the composed fabric switch. N ports, each a receive side with
//! a credit-advertising receiver and an input buffer ([`input_queue`]),
//! and a transmit side with a credit-gated transmitter; a routing table
//! ([`route`]), a scheduler ([`scheduler`]), the [`crossbar`] and per-port
//! counters.
//!
//! A packet is a PCIe TLP streamed from its start beat to its end beat
//! (see [`tlp`]: DW `k` at `data[32k+31:32k]` from the start beat, header
//! DWs as the specification's figures show them). It is routed on its
//! header (the start beat, or at 64 bits the start beat and the next, the
//! start beat waiting one beat in a holding register), checked beat by
//! beat against the shape its header promises, stored whole (`forwarding
//! = store_and_forward`) or from its start beat on (`cut_through`),
//! matched to its output when that output is free, has room and the link
//! partner has credit for it, then streamed to the output without
//! interleaving (with cut-through the output waits, mid-packet, for beats
//! still arriving). A Type 1 configuration request whose target bus is its
//! port's secondary bus is converted to Type 0 on the way. An unroutable,
//! well-formed non-posted request is answered with a completion with
//! status UR (see [`tlp`]), written into the input's queue once the
//! request's end beat is in and sent back out of the request's port through
//! the normal credit gate; its request's non-posted credits return when
//! the completion leaves. Other unroutable packets are counted and dropped
//! (or sent to `default_port`, in which case nothing is unroutable), and
//! malformed ones counted and discarded; their credits come back at their
//! end beat. With cut-through a TLP found malformed after its start beat
//! may have started leaving: no more of it is written until its end beat,
//! which leaves with `tx{p}_nullify`, and its input credits come back when
//! it has left.
//!
//! Ports (`clk`, `rst` synchronous, active high; widths: W data, S = bits
//! to index N, A = S + 3):
//! - `cfg_we`, `cfg_addr[A-1:0]`, `cfg_wdata[43:0]`: the routing registers
//!   and each port's ID, the completer ID of its UR completions (see
//!   [`route`]).
//! - receive side of port `p` (from the link partner): the TLP stream
//!   `rx{p}_valid`, `rx{p}_ready`, `rx{p}_sop`, `rx{p}_eop`,
//!   `rx{p}_data[W-1:0]`, `rx{p}_keep[W/32-1:0]` (a [`TlpStream`]: one keep
//!   bit per DW of the TLP in the beat; a packet's data credits come from
//!   its Length, `ceil(Length / 4)` for a TLP with data); `rx{p}_nullify`
//!   (with an end beat: the link layer nullified the TLP; with store and
//!   forward it is discarded as if never sent, its credits not returned
//!   and nothing counting it; a cut-through switch asserts it stays low);
//!   `rx{p}_fc_{ph,pd,nph,npd,cplh,cpld}` (the credit limits this port
//!   advertises, which the partner must obey: [`SwitchConfig::rx_credits`]
//!   at reset, space a departing packet frees advertised in the cycle it
//!   leaves); counters `rx{p}_fill` (beats buffered), `rx{p}_drops`
//!   (unroutable packets dropped), `rx{p}_ur` (UR completions returned),
//!   `rx{p}_poisoned` (TLPs arrived with EP set, forwarded unchanged),
//!   `rx{p}_malformed` (TLPs dropped as malformed: a reserved Fmt/Type, a
//!   TLP prefix, more beats than `max_packet_beats`, or beats and keep
//!   flags that disagree with the header's Length, Fmt and TD).
//! - transmit side of port `p` (to the link partner): the TLP stream
//!   `tx{p}_valid`, `tx{p}_ready`, `tx{p}_sop`, `tx{p}_eop`,
//!   `tx{p}_data[W-1:0]`, `tx{p}_keep[W/32-1:0]`; `tx{p}_nullify` (with an
//!   end beat: the TLP is bad, the link layer nullifies it (EDB, inverted LCRC)
//!   and the partner discards it uncounted, so its credits are not
//!   consumed; always low with store and forward); `tx{p}_fc_*` (the
//!   partner's limits, inputs; 0 at the first cycle after reset is
//!   infinite credit for that type); counters `tx{p}_packets`,
//!   `tx{p}_bytes` (nullified TLPs included), `tx{p}_credit_stalls` (cycles the port was idle
//!   because every packet waiting for it lacked credit).
//!
//! Counters are 32 bits and saturate.
//!
//! Ordering (PCIe 2.4.1, relaxed ordering off): each input keeps two
//! lanes per group (per output with `voq`, one group with `fifo`). The
//! ordered lane holds posted requests and completions in arrival order;
//! the non-posted lane holds non-posted requests. An arriving non-posted
//! request marks the newest packet of its group's ordered lane and may
//! not leave before that packet has, so it never passes a posted request
//! or a completion; posted requests and completions pass non-posted
//! requests stalled for credit. When both lanes of a group can send, they
//! take turns.
//!
//! [`input_queue`]: super::input_queue
//! [`route`]: super::route
//! [`scheduler`]: super::scheduler
//! [`crossbar`]: super::crossbar
//! [`tlp`]: super::tlp

use super::broadcast::{Broadcast, BroadcastIn};
use super::credit::{self, rx_limits, CreditSet, PacketCredits, TxCredits, DATA_BITS, TYPE_NAMES};
use super::crossbar::{crossbar, CrossbarConfig};
use super::input_queue::{
    input_queue, Forwarding, InputQueueConfig, Queueing, FORWARDING, QUEUEING,
};
use super::route::{self, default_port_param, Ingress, RouteTable, RouteTableConfig, DEFAULT_PORT};
use super::scheduler::{scheduler, SchedPolicy, SchedulerConfig};
use super::tlp::{Class, HEADER_BITS};
use super::traffic::TrafficConfig;
use super::{column, onehot_index, regs, saturating_sum};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::saturating_count;
use crate::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use crate::params::{checked, param_error, FloatParam, IntListParam, IntParam};
use crate::telemetry::map::RegMap;
use crate::telemetry::wiring::{build_with_telemetry, telemetry_map, telemetry_spec, Exposure};
use crate::telemetry::CLK_RST;
use crate::RtlError;
use linkforge_hdl::prelude::*;
use std::sync::Arc;

/// Parameter `ports`.
pub const PORTS: IntParam = IntParam::new(
    "ports",
    "p",
    2..=64,
    4,
    "ports (each an input and an output)",
);
/// Parameter `data_width`.
pub const DATA_WIDTH: IntParam = IntParam::new(
    "data_width",
    "w",
    64..=512,
    64,
    "data width in bits: 64, 128, 256 or 512",
);
/// Parameter `queue_depth`.
pub const QUEUE_DEPTH: IntParam = IntParam::new(
    "queue_depth",
    "qd",
    8..=1024,
    64,
    "input buffer size in beats",
);
/// Parameter `upstream_port`.
pub const UPSTREAM_PORT: IntParam = IntParam::new(
    "upstream_port",
    "up",
    -1..=63,
    0,
    "the port towards the root complex; -1: none, every port's windows route (a symmetric fabric)",
);
/// Parameter `rx_credits`.
pub const RX_CREDITS: IntListParam = IntListParam::new(
    "rx_credits",
    "rxc",
    1..=2047,
    6,
    "credits each input advertises: [ph, pd, nph, npd, cplh, cpld]; empty: a third of the buffer per class",
);
/// Parameter `max_packet_beats`.
pub const MAX_PACKET_BEATS: IntParam = IntParam::new(
    "max_packet_beats",
    "mpb",
    1..=256,
    8,
    "longest packet in beats, header included",
);

/// Parameter `clock_mhz`: testbench only, the hardware ignores it.
pub const CLOCK_MHZ: FloatParam = FloatParam::new(
    "clock_mhz",
    "mhz",
    1.0..=5000.0,
    1000.0,
    "the switch's clock, for times the testbench reports in ns (the hardware ignores it)",
);

const WIDTHS: [u32; 4] = [64, 128, 256, 512];
/// Beats each output buffers towards its link.
pub const OUT_DEPTH: u32 = 8;
/// Width of the per-port counters.
pub const COUNTER_BITS: u32 = 32;

/// A switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchConfig {
    /// Ports ([`PORTS`]).
    pub ports: usize,
    /// Data width in bits: 64, 128, 256 or 512.
    pub data_width: u32,
    /// Input buffer size in beats ([`QUEUE_DEPTH`]), shared by an input's queues.
    pub queue_depth: u32,
    /// One FIFO or virtual output queues per input.
    pub queueing: Queueing,
    /// The scheduler.
    pub policy: SchedPolicy,
    /// Whether a packet waits for its end beat before it leaves.
    pub forwarding: Forwarding,
    /// The longest packet accepted, in beats with the header ([`MAX_PACKET_BEATS`]).
    pub max_packet_beats: u32,
    /// Where unroutable packets go; `None` drops them.
    pub default_port: Option<usize>,
    /// The port towards the root complex ([`UPSTREAM_PORT`]; see
    /// [`route::Ingress`] for what it changes); `None`: every port's
    /// windows route, as in a symmetric fabric.
    pub upstream_port: Option<usize>,
    /// The credits each input advertises, header then data per class
    /// (PH, PD, NPH, NPD, CplH, CplD); `None` splits the buffer evenly
    /// (see [`SwitchConfig::rx_credits`]).
    pub credits: Option<[u64; 6]>,
}

impl SwitchConfig {
    /// Reads and checks the config from catalogue parameters (and checks
    /// the testbench's `traffic` group).
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = SwitchConfig {
            ports: PORTS.read(p)?,
            data_width: DATA_WIDTH.read(p)?,
            queue_depth: QUEUE_DEPTH.read(p)?,
            queueing: Queueing::from_params(p)?,
            policy: SchedPolicy::from_params(p)?,
            forwarding: Forwarding::from_params(p)?,
            max_packet_beats: MAX_PACKET_BEATS.read(p)?,
            default_port: default_port_param(p)?,
            upstream_port: usize::try_from(UPSTREAM_PORT.read::<i64>(p)?).ok(),
            credits: match RX_CREDITS.read(p)?[..] {
                [] => None,
                [ph, pd, nph, npd, cplh, cpld] => Some([ph, pd, nph, npd, cplh, cpld]),
                ref v => {
                    return Err(param_error(
                        "rx_credits",
                        format!(
                            "{} entries; it takes six: ph, pd, nph, npd, cplh, cpld",
                            v.len()
                        ),
                    ))
                }
            },
        };
        cfg.validate()?;
        TrafficConfig::from_params(p.group("traffic")?, cfg.max_packet_beats)?;
        Ok(cfg)
    }

    /// Checks every field and that the buffer can hold credits for a
    /// longest packet of each class.
    pub fn validate(&self) -> Result<(), RtlError> {
        PORTS.check(self.ports)?;
        if !WIDTHS.contains(&self.data_width) {
            return Err(param_error(
                "data_width",
                format!("{} is not one of 64, 128, 256, 512", self.data_width),
            ));
        }
        QUEUE_DEPTH.check(self.queue_depth)?;
        MAX_PACKET_BEATS.check(self.max_packet_beats)?;
        self.scheduler().validate()?;
        self.route().validate()?;
        if let Some(u) = self.upstream_port {
            if u >= self.ports {
                return Err(param_error(
                    "upstream_port",
                    format!("port {u} does not exist: the switch has {}", self.ports),
                ));
            }
            if self.default_port == Some(u) {
                return Err(param_error(
                    "default_port",
                    format!("{u} is the upstream port, which claims nothing"),
                ));
            }
        }
        if u64::from(self.max_packet_beats) * u64::from(self.data_width) < u64::from(HEADER_BITS) {
            return Err(param_error(
                "max_packet_beats",
                format!(
                    "{} beats of {} bits cannot hold a 4-DW TLP header",
                    self.max_packet_beats, self.data_width
                ),
            ));
        }
        self.check_credits()
    }

    /// Checks the advertised credits: each type within the counters'
    /// range, enough data credits for a longest packet of each class (one
    /// for non-posted requests), and a buffer that holds them all.
    fn check_credits(&self) -> Result<(), RtlError> {
        let param = if self.credits.is_some() {
            "rx_credits"
        } else {
            "queue_depth"
        };
        let credits = self.rx_credits();
        let need = credit::data_credits(self.max_payload_dw()).max(1);
        for (c, (&(hdr, data), (h_name, d_name))) in credits.iter().zip(TYPE_NAMES).enumerate() {
            if !(1..=credit::HDR_CREDITS.max as u64).contains(&hdr) {
                return Err(param_error(
                    param,
                    format!("{h_name}: {hdr} header credits, outside 1..=127"),
                ));
            }
            let need = if c == Class::NonPosted as usize {
                1
            } else {
                need
            };
            if !(need..=credit::DATA_CREDITS.max as u64).contains(&data) {
                return Err(param_error(
                    param,
                    format!(
                        "{d_name}: {data} data credits, outside {need}..=2047 \
                         (a {}-beat packet needs {need})",
                        self.max_packet_beats
                    ),
                ));
            }
        }
        let beats = self.credit_beats(&credits);
        if beats > self.credit_room() {
            return Err(param_error(
                param,
                format!(
                    "the credits {credits:?} can fill {beats} beats; a buffer of {} beats \
                     backs {}",
                    self.queue_depth,
                    self.credit_room()
                ),
            ));
        }
        Ok(())
    }

    /// The beats credits may fill: the buffer less one, which the beat a
    /// link partner sends on a credit freed in the same cycle may need
    /// before the departing beat's slot is free, and less the space
    /// broadcast copies use (see `broadcast`); zero when the reserve
    /// takes it all (the credit check then refuses the config).
    fn credit_room(&self) -> u64 {
        (u64::from(self.queue_depth) - 1).saturating_sub(Broadcast::reserve(self).into())
    }

    /// The most beats packets within `credits` (header and data per class)
    /// can occupy: a TLP with `d` data credits spans at most
    /// `ceil((4 + 4d) / b)` beats of `b` DWs, which is at most
    /// `max(1, 4 / b) + 4d / b`.
    fn credit_beats(&self, credits: &[(u64, u64); 3]) -> u64 {
        let w = u64::from(self.data_width);
        let per_header = (128 / w).max(1) * w;
        let units: u64 = credits.iter().map(|&(h, d)| h * per_header + d * 128).sum();
        units.div_ceil(w)
    }

    /// The longest payload in DW a packet of `max_packet_beats` beats
    /// carries: its DWs less a 3-DW header, at most 1024.
    pub fn max_payload_dw(&self) -> u64 {
        (u64::from(self.max_packet_beats) * u64::from(self.data_width / 32))
            .saturating_sub(3)
            .min(1024)
    }

    /// Bytes in one beat.
    pub fn bytes_per_beat(&self) -> u64 {
        u64::from(self.data_width / 8)
    }

    /// The header and data credits each input advertises per class
    /// (posted, non-posted, completions): [`SwitchConfig::credits`], or by
    /// default a third of the buffer per class, half of it for payload
    /// (data credits) and the rest for headers. Either way a buffer full
    /// of credited packets leaves one beat free ([`Self::credit_room`]).
    pub fn rx_credits(&self) -> [(u64, u64); 3] {
        if let Some(c) = self.credits {
            return [(c[0], c[1]), (c[2], c[3]), (c[4], c[5])];
        }
        let w = u64::from(self.data_width);
        let share = self.credit_room() / 3;
        let payload = share / 2;
        let data = (payload * w / 128).min(credit::DATA_CREDITS.max as u64);
        let hdr = ((share - payload) / (128 / w).max(1)).min(credit::HDR_CREDITS.max as u64);
        [(hdr, data); 3]
    }

    /// The scheduler's config.
    pub fn scheduler(&self) -> SchedulerConfig {
        SchedulerConfig {
            ports: self.ports,
            policy: self.policy.clone(),
        }
    }

    /// The routing table's config.
    pub fn route(&self) -> RouteTableConfig {
        RouteTableConfig {
            ports: self.ports,
            default_port: self.default_port,
        }
    }

    /// Bits of a stored beat: its data, above it its keep flags (one per
    /// DW), and with cut-through above them its nullify flag.
    fn word_width(&self) -> u32 {
        self.data_width + self.data_width / 32 + u32::from(self.cut_through())
    }

    fn cut_through(&self) -> bool {
        self.forwarding == Forwarding::CutThrough
    }

    fn queue(&self) -> InputQueueConfig {
        InputQueueConfig {
            queues: LANES * self.groups(),
            width: self.word_width(),
            depth: self.queue_depth,
            tag_width: TAG_DEST + self.dest_tag_width(),
            forwarding: self.forwarding,
        }
    }

    /// Lane groups per input: one per output with `voq`, one with `fifo`.
    fn groups(&self) -> usize {
        self.queueing.queues(self.ports)
    }

    /// Bits of destination a packet's tag carries (only a FIFO needs them).
    fn dest_tag_width(&self) -> u32 {
        match self.queueing {
            Queueing::Fifo => bits_for(self.ports),
            Queueing::Voq => 0,
        }
    }
}

/// Lanes per group of an input's queues: [`ORDERED`] holds posted requests
/// and completions in arrival order, [`NON_POSTED`] the non-posted
/// requests, so that both may pass a blocked non-posted request.
const LANES: usize = 2;
/// The lane of posted requests and completions.
const ORDERED: u64 = 0;
/// The lane of non-posted requests.
const NON_POSTED: u64 = 1;

/// A packet's tag in its queue: class (bits 1:0), data credits, then
/// [`TAG_UR`], [`TAG_FENCED`], [`TAG_COPY`], and with `fifo` the
/// destination from [`TAG_DEST`].
const TAG_UR: u32 = 2 + DATA_BITS;
/// Tag bit: a non-posted request that waits for a marked ordered packet.
const TAG_FENCED: u32 = TAG_UR + 1;
/// Tag bit: a broadcast's copy beyond the first, which returns no credits.
const TAG_COPY: u32 = TAG_FENCED + 1;
/// Tag bits from here: the destination (`fifo` only).
const TAG_DEST: u32 = TAG_COPY + 1;

/// A packet's tag (see [`TAG_UR`]): `dest` is kept only with `fifo`.
fn packet_tag(cfg: &SwitchConfig, class: Expr, data: Expr, flags: [Expr; 3], dest: Expr) -> Expr {
    let [ur, fenced, copy] = flags;
    let tag = cat![copy, fenced, ur, data, class];
    match cfg.queueing {
        Queueing::Fifo => cat![dest, tag],
        Queueing::Voq => tag,
    }
}

/// One source of beats for an input's queue.
struct QueueWrite {
    en: Expr,
    queue: Expr,
    sop: Expr,
    eop: Expr,
    data: Expr,
    tag: Expr,
}

/// Drives the queue's write port from `writes`, the first enabled one
/// winning (the input's logic never enables two at once).
fn drive_writes(
    m: &mut ModuleBuilder,
    q: &linkforge_hdl::InstanceHandle,
    writes: Vec<QueueWrite>,
) -> Result<(), HdlError> {
    let mut rest = writes.into_iter().rev();
    let last = rest.next().expect("at least one writer");
    let mut en = last.en.clone();
    let mut w = last;
    for x in rest {
        let pick = |a: Expr, b: Expr| mux(x.en.clone(), a, b);
        en = x.en.clone() | en;
        w = QueueWrite {
            en: en.clone(),
            queue: pick(x.queue.clone(), w.queue),
            sop: pick(x.sop.clone(), w.sop),
            eop: pick(x.eop.clone(), w.eop),
            data: pick(x.data.clone(), w.data),
            tag: pick(x.tag.clone(), w.tag),
        };
    }
    m.assign(q.io("wr_en")?, en);
    m.assign(q.io("wr_queue")?, w.queue);
    m.assign(q.io("wr_sop")?, w.sop);
    m.assign(q.io("wr_eop")?, w.eop);
    m.assign(q.io("wr_data")?, w.data);
    m.assign(q.io("wr_tag")?, w.tag);
    Ok(())
}

/// The packet a queue head holds, from its tag: the class and data
/// credits it takes at its output, and those its input returns when it
/// leaves (a UR completion returns its request's non-posted credits).
#[derive(Clone)]
struct Head {
    ready: Expr,
    class: Expr,
    data: Expr,
    rel_class: Expr,
    rel_data: Expr,
    /// A non-posted request that may not leave before a marked ordered
    /// packet of its group has.
    fenced: Expr,
    /// A broadcast's copy beyond the first ([`TAG_COPY`]): it returns no
    /// credits when it leaves.
    copy: Expr,
}

impl Head {
    /// `a` where `pick` is low, `b` where high.
    fn pick(pick: &Expr, a: &Head, b: &Head) -> Head {
        let m = |x: &Expr, y: &Expr| mux(pick.clone(), y.clone(), x.clone());
        Head {
            ready: m(&a.ready, &b.ready),
            class: m(&a.class, &b.class),
            data: m(&a.data, &b.data),
            rel_class: m(&a.rel_class, &b.rel_class),
            rel_data: m(&a.rel_data, &b.rel_data),
            fenced: m(&a.fenced, &b.fenced),
            copy: m(&a.copy, &b.copy),
        }
    }
}

/// The parent-side signals of input `i`.
struct InputPort {
    queue: linkforge_hdl::InstanceHandle,
    /// Per output, per lane: the packet waiting for it (`ready` low when none).
    lanes: Vec<[Head; LANES]>,
    /// The upstream input's: to be driven high when a broadcast's copy
    /// leaves the queue (its end beat is read).
    copy_left: Option<Signal>,
}

/// The queue of `lane` in the group of output `group` (ignored with one
/// group).
fn queue_index(cfg: &SwitchConfig, group: Expr, lane: Expr) -> Expr {
    if cfg.groups() > 1 {
        cat![group, lane]
    } else {
        lane
    }
}

/// The group of output `o`'s packets.
fn group_of(cfg: &SwitchConfig, o: usize) -> usize {
    if cfg.groups() > 1 {
        o
    } else {
        0
    }
}

/// Builds the switch as module `module_name`.
pub fn switch(module_name: &str, cfg: &SwitchConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let n = cfg.ports;
    let nw = n as u32;
    let sw = bits_for(n);
    let w = cfg.data_width;
    let qcfg = cfg.queue();
    let iq = Arc::new(input_queue(&format!("{module_name}_iq"), &qcfg)?);
    let ww = cfg.word_width();
    let ofifo_cfg = SyncFifoConfig {
        width: ww + 2,
        depth: OUT_DEPTH,
    };
    let ofifo = Arc::new(sync_fifo(&format!("{module_name}_ofifo"), &ofifo_cfg)?);
    let sched = scheduler(&format!("{module_name}_sched"), &cfg.scheduler())?;
    let xbar_cfg = CrossbarConfig {
        ports: n,
        width: ww + 3,
    };
    let xbar = crossbar(&format!("{module_name}_xbar"), &xbar_cfg)?;

    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let cfg_we = m.input("cfg_we", 1);
    let cfg_addr = m.input("cfg_addr", route::addr_width(n));
    let cfg_wdata = m.input("cfg_wdata", route::WDATA_BITS);
    let table = RouteTable::build(&mut m, &cfg.route(), cfg_we, cfg_addr, cfg_wdata);
    let ids = route::port_ids(&mut m, n, cfg_we, cfg_addr, cfg_wdata);
    let clocked = |m: &mut ModuleBuilder, u: &linkforge_hdl::InstanceHandle| {
        m.assign(u.io("clk")?, clk);
        m.assign(u.io("rst")?, rst);
        Ok::<(), HdlError>(())
    };

    // Connections: which output each input sends to, and the reverse.
    let in_busy = regs(&mut m, n, 1, |i| format!("rx{i}_busy"));
    let in_conn = regs(&mut m, n, sw, |i| format!("rx{i}_conn"));
    let out_busy = regs(&mut m, n, 1, |o| format!("tx{o}_busy"));
    let out_conn = regs(&mut m, n, sw, |o| format!("tx{o}_conn"));
    // Room in each output's buffer for one more beat.
    let space = m.wire("tx_space", nw);

    // Inputs: arrival, routing, buffering.
    let mut inputs = Vec::with_capacity(n);
    let mut releases = Vec::with_capacity(n);
    for (i, &id) in ids.iter().enumerate() {
        let (port, drop_release) = input_side(&mut m, cfg, i, &table, id, &iq)?;
        clocked(&mut m, &port.queue)?;
        inputs.push(port);
        releases.push(drop_release);
    }

    // Outputs: transmit credits and requests.
    let mut tx = Vec::with_capacity(n);
    for o in 0..n {
        let limits = CreditSet::new(&format!("tx{o}_fc_"), |name, width| m.input(name, width));
        tx.push(TxCredits::build(&mut m, &format!("tx{o}_"), limits));
    }
    let out_avail: Vec<Expr> = (0..n).map(|o| !out_busy[o] & space.bit(o as u32)).collect();
    let groups = cfg.groups();
    let cw = qcfg.count_width();
    let mut waiting = vec![lit(0, 1); n];
    let mut chosen: Vec<Vec<Head>> = Vec::with_capacity(n);
    let mut pick_np: Vec<Vec<Expr>> = Vec::with_capacity(n);
    let mut released: Vec<Vec<Signal>> = Vec::with_capacity(n);
    let mut prefer_np: Vec<Vec<Signal>> = Vec::with_capacity(n);
    let reqs: Vec<Expr> = (0..n)
        .map(|i| {
            // Per group: marked ordered packets gone minus fenced requests
            // sent; a fenced request at the head may go while it is not 0.
            let rel = regs(&mut m, groups, cw, |g| format!("rx{i}_released{g}"));
            let pref = regs(&mut m, groups, 1, |g| format!("rx{i}_prefer_np{g}"));
            let mut bits = Vec::with_capacity(n);
            let (mut heads, mut picks) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for o in 0..n {
                let g = group_of(cfg, o);
                let [ord, np] = &inputs[i].lanes[o];
                let np_free = np.ready.clone() & (!np.fenced.clone() | rel[g].ne(lit(0, cw)));
                let ord_ok = ord.ready.clone() & tx[o].ok(&ord.class, &ord.data);
                let np_ok = np_free.clone() & tx[o].ok(&np.class, &np.data);
                let pick = m.wire(format!("rx{i}_pick_np{o}"), 1);
                m.assign(pick, np_ok.clone() & (!ord_ok.clone() | pref[g]));
                let idle = !in_busy[i];
                waiting[o] = waiting[o].clone() | ((ord.ready.clone() | np_free) & idle.clone());
                bits.push((ord_ok | np_ok) & idle & out_avail[o].clone());
                heads.push(Head::pick(&pick.into(), ord, np));
                picks.push(Expr::from(pick));
            }
            chosen.push(heads);
            pick_np.push(picks);
            released.push(rel);
            prefer_np.push(pref);
            let r = m.wire(format!("req{i}"), nw);
            m.assign(r, concat(bits.into_iter().rev().collect()));
            r.into()
        })
        .collect();

    // The scheduler.
    let u_sched = m.instance("u_sched", sched);
    if cfg.policy.clocked() {
        clocked(&mut m, &u_sched)?;
    }
    let mut matches = Vec::with_capacity(n);
    for (i, r) in reqs.iter().enumerate() {
        m.assign(u_sched.io(&format!("req{i}"))?, r.clone());
        matches.push(Expr::from(u_sched.io(&format!("match{i}"))?));
    }

    // Input side of the transfer: dequeue, connection state, ordering
    // state, credit return.
    let mut lasts = Vec::with_capacity(n);
    let mut xbar_ins = Vec::with_capacity(n);
    for ((i, port), drop_release) in inputs.iter().enumerate().zip(releases) {
        let q = &port.queue;
        let matched = matches[i].clone().any();
        let to = onehot_index(matches[i].clone(), sw);
        let lane_new = select(to.clone(), &pick_np[i]);
        let in_lane = m.reg(format!("rx{i}_lane"), 1).reset(0);
        let target = mux(in_busy[i], in_conn[i], to.clone());
        let lane = mux(in_busy[i], in_lane, lane_new.clone());
        let go = m.wire(format!("rx{i}_go"), 1);
        m.assign(
            go,
            (in_busy[i] & Expr::from(space).bit_at(in_conn[i])) | matched.clone(),
        );
        m.assign(q.io("rd_en")?, go);
        m.assign(
            q.io("rd_queue")?,
            queue_index(cfg, target.clone(), lane.clone()),
        );
        let last = q.io("rd_last")?;
        lasts.push(Expr::from(last));
        let pick = |f: fn(&Head) -> &Expr| {
            let v: Vec<Expr> = chosen[i].iter().map(|h| f(h).clone()).collect();
            select(to.clone(), &v)
        };
        let (new_class, new_data) = (pick(|h| &h.rel_class), pick(|h| &h.rel_data));
        let new_fenced = pick(|h| &h.fenced) & lane_new.clone();
        let new_copy = pick(|h| &h.copy);
        let conn_class = m.reg(format!("rx{i}_conn_class"), 2).reset(0);
        let conn_data = m.reg(format!("rx{i}_conn_data"), DATA_BITS).reset(0);
        let conn_copy = m.reg(format!("rx{i}_conn_copy"), 1).reset(0);
        let (busy, conn) = (in_busy[i], in_conn[i]);
        m.when(go & last, |m| m.next(busy, low()))
            .elsewhen(matched.clone(), |m| {
                m.next(busy, high());
                m.next(conn, to.clone());
                m.next(in_lane, lane_new.clone());
            });
        m.when(matched.clone(), |m| {
            m.next(conn_class, new_class.clone());
            m.next(conn_data, new_data.clone());
            m.next(conn_copy, new_copy.clone());
        });
        let copy = mux(busy, conn_copy, new_copy);
        if let Some(left) = port.copy_left {
            m.assign(left, Expr::from(go) & last & copy.clone());
        }
        // Ordering state per group: a marked ordered beat leaving frees one
        // fenced request; a fenced request sent takes one; the lane not
        // just served is preferred next.
        let marked_out = Expr::from(go) & !lane.clone() & Expr::from(q.io("rd_marked")?);
        for g in 0..groups {
            let here = |o: &Expr| {
                if groups == 1 {
                    high()
                } else {
                    o.clone().eq(lit(g as u64, sw))
                }
            };
            let (rel, pref) = (released[i][g], prefer_np[i][g]);
            let up = marked_out.clone() & here(&target);
            let sent_here = matched.clone() & here(&to);
            let down = sent_here.clone() & new_fenced.clone();
            m.next(rel, rel + up.zext(cw) - down.zext(cw));
            m.when(sent_here, |m| m.next(pref, !lane_new.clone()));
        }
        let deq_release = PacketCredits {
            when: go & last & !copy,
            class: mux(busy, conn_class, new_class),
            data: mux(busy, conn_data, new_data),
        };
        // Space a departing packet frees is advertised in the cycle it
        // leaves, so a credit-bound link partner can refill it at once; a
        // dropped packet's credits come back after the edge (they depend
        // on the arriving beat).
        let freed = rx_limits(
            &mut m,
            &format!("rx{i}_fc_q_"),
            cfg.rx_credits(),
            &[drop_release],
            &[deq_release],
        );
        let outs = CreditSet::new(&format!("rx{i}_fc_"), |name, width| m.output(name, width));
        for (o, l) in outs.all().into_iter().zip(freed) {
            m.assign(o, l);
        }
        xbar_ins.push(cat![
            q.io("rd_valid")?,
            q.io("rd_sop")?,
            q.io("rd_eop")?,
            q.io("rd_data")?
        ]);
    }
    let lasts = concat(lasts.into_iter().rev().collect());

    // The crossbar.
    let u_xbar = m.instance("u_xbar", xbar);
    clocked(&mut m, &u_xbar)?;
    for (i, e) in xbar_ins.into_iter().enumerate() {
        m.assign(u_xbar.io(&format!("in{i}"))?, e);
    }

    // Output side: connection state, credits, the output buffer, counters.
    let mut spaces = Vec::with_capacity(n);
    for o in 0..n {
        let col = column(&matches, o as u32);
        let new = col.clone().any();
        let from = onehot_index(col, sw);
        let (busy, conn) = (out_busy[o], out_conn[o]);
        let beat = m.wire(format!("tx{o}_beat"), 1);
        m.assign(beat, (busy & space.bit(o as u32)) | new.clone());
        let src = mux(busy, conn, from.clone());
        let last = lasts.clone().bit_at(src.clone());
        m.when(beat & last.clone(), |m| m.next(busy, low()))
            .elsewhen(new.clone(), |m| {
                m.next(busy, high());
                m.next(conn, from.clone());
            });
        let heads_for_o = |f: fn(&Head) -> &Expr| {
            let v: Vec<Expr> = chosen.iter().map(|c| f(&c[o]).clone()).collect();
            select(from.clone(), &v)
        };
        let sent = PacketCredits {
            when: new.clone(),
            class: heads_for_o(|h| &h.class),
            data: heads_for_o(|h| &h.data),
        };
        let xsel = m.reg(format!("tx{o}_xsel"), sw).reset(0);
        let v1 = m.reg(format!("tx{o}_v1"), 1).reset(0);
        let v2 = m.reg(format!("tx{o}_v2"), 1).reset(0);
        m.when(beat, |m| m.next(xsel, src));
        m.next(v1, beat);
        m.next(v2, v1);
        m.assign(u_xbar.io(&format!("sel{o}"))?, xsel);
        let xout = u_xbar.io(&format!("out{o}"))?;
        let written = m.wire(format!("tx{o}_written"), 1);
        m.assign(written, v2 & xout.bit(ww + 2));
        if cfg.cut_through() {
            // A nullified end beat gives its packet's credits back when it
            // reaches the output buffer: the packet's class and data
            // credits travel beside its beats through the crossbar's two
            // stages.
            let cw = 2 + DATA_BITS;
            let pkt = m.reg(format!("tx{o}_pkt_credits"), cw).reset(0);
            let now = mux(
                new.clone(),
                cat![sent.class.clone(), sent.data.clone()],
                pkt,
            );
            m.when(new.clone(), |m| m.next(pkt, now.clone()));
            let p1 = m.reg(format!("tx{o}_pkt_credits1"), cw).reset(0);
            let p2 = m.reg(format!("tx{o}_pkt_credits2"), cw).reset(0);
            m.next(p1, now);
            m.next(p2, p1);
            let refund = PacketCredits {
                when: written & xout.bit(ww) & xout.bit(ww - 1),
                class: p2.slice(cw - 1, DATA_BITS),
                data: p2.slice(DATA_BITS - 1, 0),
            };
            tx[o].consume(&mut m, &sent, Some(&refund));
        } else {
            tx[o].consume(&mut m, &sent, None);
        }

        let f = m.instance(format!("u_txq{o}"), Arc::clone(&ofifo));
        clocked(&mut m, &f)?;
        m.assign(f.io("wr_en")?, written);
        m.assign(f.io("wr_data")?, xout.slice(ww + 1, 0));
        let port = m.source(format!("tx{o}_"), TlpStream::new(w));
        m.assign(f.io("rd_en")?, port.ready());
        let cw = ofifo_cfg.count_width() + 1;
        let inflight = f.io("count")?.zext(cw) + v1.zext(cw) + v2.zext(cw);
        spaces.push(!f.io("wr_full")? & inflight.lt(lit(OUT_DEPTH.into(), cw)));
        let rd = f.io("rd_data")?;
        m.assign(port.valid(), !f.io("rd_empty")?);
        m.assign(port.sop(), rd.bit(ww + 1));
        m.assign(port.eop(), rd.bit(ww));
        m.assign(port.data(), rd.slice(w - 1, 0));
        m.assign(port.keep(), rd.slice(w + w / 32 - 1, w));
        let nullify = m.output(format!("tx{o}_nullify"), 1);
        if cfg.cut_through() {
            m.assign(nullify, rd.bit(ww - 1));
        } else {
            m.assign(nullify, low());
        }

        let packets = saturating_count(
            &mut m,
            &format!("tx{o}_packets_q"),
            beat & last,
            COUNTER_BITS,
        );
        let bytes = saturating_sum(
            &mut m,
            &format!("tx{o}_bytes_q"),
            written.into(),
            lit(cfg.bytes_per_beat(), COUNTER_BITS),
            COUNTER_BITS,
        );
        let requested = column(&reqs, o as u32).any();
        let blocked = !busy & space.bit(o as u32) & waiting[o].clone() & !requested;
        let stalls = saturating_count(
            &mut m,
            &format!("tx{o}_credit_stalls_q"),
            blocked,
            COUNTER_BITS,
        );
        for (name, q) in [
            ("packets", packets),
            ("bytes", bytes),
            ("credit_stalls", stalls),
        ] {
            let out = m.output(format!("tx{o}_{name}"), COUNTER_BITS);
            m.assign(out, q);
        }
    }
    m.assign(space, concat(spaces.into_iter().rev().collect()));
    m.finish()
}

/// The beat an input writes to its queue in a cycle.
struct Write {
    go: Expr,
    sop: Expr,
    eop: Expr,
    data: Expr,
    /// An end beat whose TLP the link partner nullified.
    void: Expr,
}

/// Input `i`'s beat handshake: the beat written to the queue this cycle
/// and the header window ([`HEADER_BITS`]) of the packet a start beat
/// begins. A beat of 128 bits or more holds the window; a 64-bit start
/// beat waits in a holding register until the next beat (the window's
/// second half) arrives. No beat is taken while `hold` is high (at 128
/// bits and more `hold` may not depend on this cycle's beat).
fn arrival(
    m: &mut ModuleBuilder,
    cfg: &SwitchConfig,
    i: usize,
    full: Signal,
    hold: Signal,
) -> (Write, Expr) {
    let w = cfg.data_width;
    let rx = m.sink(format!("rx{i}_"), TlpStream::new(w));
    let (valid, ready, sop, eop) = (rx.valid(), rx.ready(), rx.sop(), rx.eop());
    let data = rx.data();
    let nullify = m.input(format!("rx{i}_nullify"), 1);
    // The word a beat stores: its keep flags above its data.
    let word = cat![rx.keep(), data];
    let overrun = format!("rx{i}: a beat arrived with the buffer full (credits exceeded)");
    if w >= HEADER_BITS {
        m.assign(ready, !full & !hold);
        m.assert_always(!(valid & full), overrun);
        let write = Write {
            go: valid & ready,
            sop: sop.into(),
            eop: eop.into(),
            data: word,
            void: eop & nullify,
        };
        return (write, data.slice(HEADER_BITS - 1, 0));
    }
    let held = m.reg(format!("rx{i}_held"), 1).reset(0);
    let held_sop = m.reg(format!("rx{i}_held_sop"), 1).reset(0);
    let held_eop = m.reg(format!("rx{i}_held_eop"), 1).reset(0);
    let held_word = m.reg(format!("rx{i}_held_word"), word.width()).reset(0);
    let held_void = m.reg(format!("rx{i}_held_void"), 1).reset(0);
    let taking = !held | !full;
    m.assign(ready, taking.clone() & !hold);
    m.assert_always(!(valid & held & full), overrun);
    // The held beat goes once the next beat is in view, or at once unless
    // it is a start beat still waiting for the rest of its header.
    let go = held & !full & (valid | !held_sop | held_eop);
    m.when(valid & ready, |m| {
        m.next(held, high());
        m.next(held_sop, sop);
        m.next(held_eop, eop);
        m.next(held_word, word.clone());
        m.next(held_void, eop & nullify);
    })
    .elsewhen(go.clone(), |m| m.next(held, low()));
    let write = Write {
        go,
        sop: held_sop.into(),
        eop: held_eop.into(),
        data: held_word.into(),
        void: held_void.into(),
    };
    (write, cat![data, held_word.slice(w - 1, 0)])
}

/// Input `i`: its ports, routing on the header window, the shape checks,
/// UR completions, drops and the queue. Returns the port and the credits a
/// packet that never reaches the queue returns.
fn input_side(
    m: &mut ModuleBuilder,
    cfg: &SwitchConfig,
    i: usize,
    table: &RouteTable,
    id: Signal,
    iq: &Arc<Module>,
) -> Result<(InputPort, PacketCredits), HdlError> {
    let sw = bits_for(cfg.ports);
    let w = cfg.data_width;
    let k = w / 32;
    let wide = w >= HEADER_BITS;
    let q = m.instance(format!("u_rxq{i}"), Arc::clone(iq));
    let full = q.io("wr_full")?;
    let hold = m.wire(format!("rx{i}_hold"), 1);
    let (wr, window) = arrival(m, cfg, i, full, hold);
    let hdr = super::tlp::decode(window.clone());
    let from = cfg
        .upstream_port
        .map(|upstream| Ingress { port: i, upstream });
    let route = table.lookup(&hdr, from);
    let (dest, routed, to_type0) = (route.dest, route.valid, route.to_type0);
    let class = hdr.class.clone();
    let credits = hdr.data_credits.clone();
    let mut named = |name: &str, e: Expr| {
        let s = m.wire(format!("rx{i}_wr_{name}"), e.width());
        m.assign(s, e);
        s
    };
    let (beat, sop, eop, data) = (
        Expr::from(named("go", wr.go)),
        named("sop", wr.sop),
        named("eop", wr.eop),
        named("data", wr.data),
    );
    let start = beat.clone() & sop;
    // The end beat of a TLP the link partner nullified: it is discarded as
    // if never sent (its credits were never spent, nothing counts it).
    // Cut-through takes none: what had left of it would hold buffer space
    // its partner no longer counts.
    let void = if cfg.cut_through() {
        m.assert_always(
            !(beat.clone() & wr.void),
            format!("rx{i}: a nullified TLP; cut-through forwarding takes only TLPs that passed the link layer's checks"),
        );
        low()
    } else {
        beat.clone() & named("void", wr.void)
    };

    // The shape the header promises: the beats the TLP spans, the keep
    // flags of its end beat; a reserved Fmt/Type or a TLP longer than
    // `max_packet_beats` is malformed at once, a beat that disagrees with
    // the promise (an end beat early or late, wrong keep flags) makes it
    // malformed there.
    let shift = k.trailing_zeros();
    let dws = hdr.dws.clone();
    let iw = dws.width();
    let spans = (dws.clone() + lit(u64::from(k - 1), iw)) >> shift;
    let tail_dws = ((dws - lit(1, iw)) & lit(u64::from(k - 1), iw)) + lit(1, iw);
    let tail_keep = concat(
        (0..k)
            .rev()
            .map(|j| tail_dws.clone().gt(lit(j.into(), iw)))
            .collect(),
    );
    let too_long = spans.clone().gt(lit(cfg.max_packet_beats.into(), iw));
    let too_long_now = m.wire(format!("rx{i}_too_long"), 1);
    m.assign(too_long_now, too_long);
    let cur_seen = m.reg(format!("rx{i}_seen"), iw).reset(0);
    let cur_spans = m.reg(format!("rx{i}_spans"), iw).reset(0);
    let cur_tail_keep = m.reg(format!("rx{i}_tail_keep"), k).reset(0);
    let cur_bad = m.reg(format!("rx{i}_malformed_now"), 1).reset(0);
    let seen = mux(sop, lit(0, iw), cur_seen);
    let at_end = (seen.clone() + lit(1, iw)).eq(mux(sop, spans.clone(), cur_spans));
    let want_keep = mux(
        at_end.clone(),
        mux(sop, tail_keep.clone(), cur_tail_keep),
        lit(u64::MAX >> (64 - k), k),
    );
    let keep = data.slice(w + k - 1, w);
    let bad_here = m.wire(format!("rx{i}_bad_beat"), 1);
    m.assign(
        bad_here,
        Expr::from(eop).ne(at_end)
            | keep.ne(want_keep)
            | (Expr::from(sop) & (hdr.reserved.clone() | too_long_now)),
    );
    let bad_before = !sop & cur_bad;
    let bad = bad_before.clone() | bad_here;
    m.when(beat.clone(), |m| {
        m.next(cur_seen, seen.clone() + lit(1, iw));
        m.next(cur_bad, bad.clone());
    });
    m.when(start.clone(), |m| {
        m.next(cur_spans, spans);
        m.next(cur_tail_keep, tail_keep);
    });

    // What happens to the packet, decided at its start beat: forwarded,
    // answered with a UR completion (an unroutable non-posted request), or
    // dropped.
    let defined = !hdr.reserved.clone();
    let is_np = class.clone().eq(lit(Class::NonPosted.code(), 2));
    let ur = m.wire(format!("rx{i}_ur_now"), 1);
    m.assign(ur, !routed.clone() & is_np.clone() & defined.clone());
    let cur_dest = m.reg(format!("rx{i}_dest"), sw).reset(0);
    let cur_drop = m.reg(format!("rx{i}_dropping"), 1).reset(0);
    let cur_ur = m.reg(format!("rx{i}_answering"), 1).reset(0);
    let cur_class = m.reg(format!("rx{i}_class"), 2).reset(0);
    let cur_data = m.reg(format!("rx{i}_data_credits"), DATA_BITS).reset(0);
    let cur_poisoned = m.reg(format!("rx{i}_poisoned_now"), 1).reset(0);
    // A TLP malformed at its start beat (a reserved Fmt/Type, too long, or
    // a start beat that is not its end beat but should be or has wrong keep
    // flags) is not forwarded at all.
    let forward = routed.clone() & defined & !too_long_now & !(Expr::from(bad_here) & !eop);
    let ur_now = mux(sop, ur, cur_ur);
    let drop_now = mux(sop, !forward.clone(), cur_drop);
    let dest_now = mux(sop, dest.clone(), cur_dest);
    let class_now = mux(sop, class.clone(), cur_class);
    let data_now = mux(sop, credits.clone(), cur_data);
    // EP, DW0[14]: a poisoned TLP passes unchanged and is counted.
    let poisoned_now = mux(sop, window.clone().bit(14), cur_poisoned);
    let np_now = class_now.clone().eq(lit(Class::NonPosted.code(), 2));
    let fenced = q.io("mark_placed")?;
    m.when(start.clone(), |m| {
        m.next(cur_dest, dest.clone());
        m.next(cur_drop, !forward.clone());
        m.next(cur_ur, ur);
        m.next(cur_class, class.clone());
        m.next(cur_data, credits);
        m.next(cur_poisoned, window.clone().bit(14));
    });
    let end = beat.clone() & eop;

    // A forwarded packet is written beat by beat to its lane: a
    // non-posted request to its group's non-posted lane, anything else to
    // the ordered lane. If it turns out malformed, or its link partner
    // nullifies it, what it wrote is discarded (store and forward) or, as
    // its head may be leaving already, no more of it is written until its
    // end beat, which is written with the nullify flag (cut-through). A
    // non-posted request,
    // once its tag is taken (at its end beat, well formed; at its start
    // beat with cut-through), marks the newest packet of its group's
    // ordered lane, which it may not pass (its tag says so).
    let cut_through = cfg.cut_through();
    let (write_fwd, tagged) = if cut_through {
        m.assign(q.io("wr_drop")?, low());
        (
            beat.clone() & !drop_now.clone() & (!bad.clone() | eop),
            start.clone(),
        )
    } else {
        let first = bad_here | void.clone();
        let discard = beat.clone() & !drop_now.clone() & !bad_before & first;
        m.assign(q.io("wr_drop")?, discard & !sop);
        (
            beat.clone() & !drop_now.clone() & !bad.clone() & !void.clone(),
            end.clone() & !void.clone(),
        )
    };
    m.assign(
        q.io("mark_en")?,
        tagged & !drop_now.clone() & np_now.clone() & !bad.clone(),
    );
    m.assign(
        q.io("mark_queue")?,
        queue_index(cfg, dest_now.clone(), lit(ORDERED, 1)),
    );

    // An unroutable, well-formed non-posted request is answered once its
    // end beat is in: the UR completion (one beat, two at 64 bits) goes to
    // this port's ordered lane; at 64 bits its second beat takes the next
    // cycle's write, so no beat enters then.
    let ur_dws = super::tlp::ur_completion(&window, id.into());
    let held_dws = m.reg(format!("rx{i}_ur_dws"), 96).reset(0);
    m.when(start.clone(), |m| m.next(held_dws, ur_dws.clone()));
    let ur_src = mux(sop, ur_dws, held_dws);
    let answer = end.clone() & ur_now.clone() & !bad.clone() & !void.clone();
    let mut holds = Vec::new();
    let (ur_write, ur_sop, ur_eop, ur_data) = if wide {
        (
            answer.clone(),
            high(),
            high(),
            cat![lit(0b111, k), ur_src.zext(w)],
        )
    } else {
        let second = m.reg(format!("rx{i}_ur_second"), 1).reset(0);
        let dw2 = m.reg(format!("rx{i}_ur_dw2"), 32).reset(0);
        m.next(second, answer.clone());
        m.when(answer.clone(), |m| {
            m.next(dw2, ur_src.clone().slice(95, 64))
        });
        holds.push(answer.clone());
        (
            answer.clone() | second,
            !second,
            Expr::from(second),
            mux(
                second,
                cat![lit(0b01, k), lit(0, 32), dw2],
                cat![lit(0b11, k), ur_src.slice(63, 0)],
            ),
        )
    };
    let fwd_nullify = bad.clone() | void.clone();
    // A Type 1 configuration request for the port's secondary bus leaves
    // as Type 0: Type bit 0 (DW0[24]) cleared in its start beat.
    let converted = cat![data.slice(w + k - 1, 25), low(), data.slice(23, 0)];
    let forwarded = mux(Expr::from(sop) & to_type0, converted, data);
    // Stored words carry the nullify flag on top with cut-through.
    let stored = |word: Expr, nullify: Expr| {
        if cut_through {
            cat![nullify, word]
        } else {
            word
        }
    };
    let mut writes = Vec::new();
    let mut copy_left = None;
    if let Some(b) = Broadcast::of(cfg, i) {
        let bcast_now = m.reg(format!("rx{i}_broadcast"), 1).reset(0);
        m.when(start.clone(), |m| {
            m.next(bcast_now, route.broadcast.clone())
        });
        let bcast_now = mux(sop, route.broadcast.clone(), bcast_now);
        let arriving = beat.clone() & !drop_now.clone() & !bad.clone() & bcast_now.clone();
        let done = arriving.clone() & eop & !void.clone();
        let left = m.wire(format!("rx{i}_copy_left"), 1);
        let copies = b.build(
            m,
            BroadcastIn {
                record: arriving.clone(),
                beat: seen.clone(),
                word: data.into(),
                done,
                data_credits: data_now.clone(),
                copy_left: left.into(),
            },
        );
        holds.push(copies.busy);
        writes.push(QueueWrite {
            en: copies.write,
            queue: queue_index(cfg, copies.port.clone(), lit(ORDERED, 1)),
            sop: copies.sop,
            eop: copies.eop,
            data: stored(copies.word, low()),
            tag: packet_tag(
                cfg,
                lit(Class::Posted.code(), 2),
                copies.data_credits,
                [low(), low(), high()],
                copies.port,
            ),
        });
        copy_left = Some(left);
    }
    m.assign(
        hold,
        holds.into_iter().reduce(|a, b| a | b).unwrap_or_else(low),
    );
    writes.push(QueueWrite {
        en: ur_write,
        queue: queue_index(cfg, lit(i as u64, sw), lit(ORDERED, 1)),
        sop: ur_sop,
        eop: ur_eop,
        data: stored(ur_data, low()),
        tag: packet_tag(
            cfg,
            lit(Class::Completion.code(), 2),
            data_now.clone(),
            [high(), low(), low()],
            lit(i as u64, sw),
        ),
    });
    writes.push(QueueWrite {
        en: write_fwd,
        queue: queue_index(cfg, dest_now.clone(), np_now.clone()),
        sop: sop.into(),
        eop: eop.into(),
        data: stored(forwarded, fwd_nullify),
        tag: packet_tag(
            cfg,
            class_now.clone(),
            data_now.clone(),
            [low(), fenced.into(), low()],
            dest_now.clone(),
        ),
    });
    drive_writes(m, &q, writes)?;
    let counted = end.clone() & !void.clone();
    let good_end = counted.clone() & !bad.clone();
    for (name, event) in [
        (
            "drops",
            good_end.clone() & drop_now.clone() & !ur_now.clone(),
        ),
        ("ur", answer),
        ("poisoned", good_end & poisoned_now),
        ("malformed", counted & bad.clone()),
    ] {
        let q = saturating_count(m, &format!("rx{i}_{name}_q"), event, COUNTER_BITS);
        let out = m.output(format!("rx{i}_{name}"), COUNTER_BITS);
        m.assign(out, q);
    }
    let fill = q.io("count")?;
    let fill_out = m.output(format!("rx{i}_fill"), fill.width());
    m.assign(fill_out, fill);

    let head_of = |tag: Signal, ready: Expr| {
        let (class, data) = (tag.slice(1, 0), tag.slice(DATA_BITS + 1, 2));
        let local = tag.bit(TAG_UR);
        Head {
            ready,
            class: class.clone(),
            data: mux(local.clone(), lit(0, DATA_BITS), data.clone()),
            rel_class: mux(local, lit(Class::NonPosted.code(), 2), class),
            rel_data: data,
            fenced: tag.bit(TAG_FENCED),
            copy: tag.bit(TAG_COPY),
        }
    };
    let lane_head = |o: usize, lane: u64| -> Result<Head, HdlError> {
        let k = LANES * group_of(cfg, o) + lane as usize;
        let tag = q.io(&format!("q{k}_tag"))?;
        let ready = Expr::from(q.io(&format!("q{k}_ready"))?);
        Ok(match cfg.queueing {
            Queueing::Voq => head_of(tag, ready),
            Queueing::Fifo => {
                let dest = tag.slice(TAG_DEST + sw - 1, TAG_DEST);
                head_of(tag, ready & dest.eq(lit(o as u64, sw)))
            }
        })
    };
    let lanes = (0..cfg.ports)
        .map(|o| Ok([lane_head(o, ORDERED)?, lane_head(o, NON_POSTED)?]))
        .collect::<Result<Vec<_>, HdlError>>()?;
    // Credits come back at the end beat of a packet no queue keeps: a
    // dropped or malformed one, or a request whose answer was not written.
    // (A cut-through packet found malformed after its start beat stays,
    // nullified, and returns its credits when it leaves.)
    let kept = !drop_now.clone() | ur_now.clone();
    let kept_bad = if cut_through { !drop_now } else { low() };
    let release = PacketCredits {
        when: end & ((bad & !kept_bad) | !kept) & !void,
        class: class_now,
        data: data_now,
    };
    Ok((
        InputPort {
            queue: q,
            lanes,
            copy_left,
        },
        release,
    ))
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    let mut params = vec![
        PORTS.spec(),
        DATA_WIDTH.spec(),
        QUEUE_DEPTH.spec(),
        QUEUEING.spec(),
        FORWARDING.spec(),
        CLOCK_MHZ.spec(),
        MAX_PACKET_BEATS.spec(),
        DEFAULT_PORT.spec(),
        UPSTREAM_PORT.spec(),
        RX_CREDITS.spec(),
    ];
    params.extend(SchedPolicy::specs());
    params.push(TrafficConfig::spec());
    params.push(telemetry_spec(
        "expose the per-port counters read-only on an AXI4-Lite register block (s_axil_*)",
    ));
    BlockKind {
        name: "switch",
        doc: "fabric switch: credit-flow-controlled ports, fifo/voq queues, scheduler, crossbar, routing, counters",
        params,
        build: |name, p| {
            let cfg = SwitchConfig::from_params(p)?;
            build_with_telemetry(name, p, CLK_RST, &telemetry(&cfg), |n| switch(n, &cfg))
        },
        issues: no_issues,
    }
}

/// What a switch with `telemetry` exposes: its [`telemetry_ports`], then
/// the die temperature with its alerts (input `temperature`, output `irq`).
pub fn telemetry(cfg: &SwitchConfig) -> Exposure {
    Exposure {
        sensor: true,
        ..telemetry_ports(cfg).into()
    }
}

/// The outputs a switch with `telemetry` exposes, one register each, in
/// this order: per port `rx{p}_drops`, `rx{p}_ur`, `rx{p}_poisoned`,
/// `rx{p}_malformed`, `rx{p}_fill`, then per port `tx{p}_packets`, `tx{p}_bytes`,
/// `tx{p}_credit_stalls`.
pub fn telemetry_ports(cfg: &SwitchConfig) -> Vec<String> {
    let ins = (0..cfg.ports).flat_map(|i| {
        ["drops", "ur", "poisoned", "malformed", "fill"].map(|c| format!("rx{i}_{c}"))
    });
    let outs = (0..cfg.ports)
        .flat_map(|o| ["packets", "bytes", "credit_stalls"].map(|c| format!("tx{o}_{c}")));
    ins.chain(outs).collect()
}

/// The register map of a switch variant with `telemetry` set, `None`
/// without.
pub fn register_map(p: &Params) -> Result<Option<RegMap>, RtlError> {
    let cfg = SwitchConfig::from_params(p)?;
    telemetry_map(p, &telemetry(&cfg), |n| switch(n, &cfg))
}
