//! `cxl_controller`: a CXL.mem type-3 memory controller for up to 16
//! hosts (a multi-logical device: one LD-ID per host).
//!
//! Ports (`clk`, `rst` synchronous, active high):
//! - the four channels ([`super::channel`]): `m2s_req_{valid, ready,
//!   opcode, tag, addr, ld_id}`, `m2s_rwd_{valid, ready, opcode, tag,
//!   addr, ld_id, data, byte_en, poison}`, `s2m_ndr_{valid, ready, opcode,
//!   tag, ld_id, devload}`, `s2m_drs_{valid, ready, opcode, tag, ld_id,
//!   data, poison, devload}`;
//! - registers: `cfg_we`, `cfg_addr[6:0]`, `cfg_wdata[51:0]`,
//!   `cfg_rdata[51:0]` (the addressed register, combinational). Host `h`'s
//!   HDM decoder is at `4h + r` ([`super::hdm`] registers `r`); extent
//!   `e` at `64 + 4e + r`: r = 0 first line, 1 line count, 2 owner
//!   (`[3:0]` LD-ID, `[8]` valid, `[9]` being zeroed, read only);
//! - telemetry: `outstanding`, `devload`, `host{h}_reads`,
//!   `host{h}_writes`, `host{h}_errors` (32-bit, saturating), `errors`
//!   (all hosts and unknown LD-IDs), `spec_reads` (MemSpecRd dropped),
//!   `poison_count[15:0]` (poisoned writes), `poison_rd_index` (only with
//!   a log of more than one entry),
//!   `poison_rd_line` (the poison log, below), `scrub_busy`.
//!
//! Flow. A request is accepted (one per cycle, M2S Req and RwD taking
//! turns) when the tracker has a free entry. It is decoded at once: the
//! host's decoder (by LD-ID) must be committed and hit, the address's way
//! must be the position this device serves, and the resulting line
//! (`dpa + dpa_base`) must lie in an extent the host owns. Otherwise it
//! is an error: a read answers on DRS with opcode ERR, zero data and
//! poison; anything else on NDR with opcode ERR; it is counted and never
//! touches memory. MemSpecRd is accepted and dropped. MemInv completes
//! with NDR Cmp. Reads (MemRd, MemRdData) answer with DRS MemData and
//! writes (MemWr, MemWrPtl) with NDR Cmp once sent to the back-end.
//! Memory accesses go to the back-end in acceptance order through a
//! queue, so a read returns exactly the writes accepted before it;
//! responses leave as soon as their channel is free, in any order.
//!
//! Poison: a full write stores its poison bit with the line; a partial
//! write that carries poison poisons the line, a clean one leaves the
//! line's poison as it was. Reads of a poisoned line return its data with
//! poison set. Each poisoned write also records its line in a log of the
//! last `poison_log` lines (entry `(poison_count - 1) % poison_log` is
//! the newest).
//!
//! Dynamic capacity: writing an extent's owner register with valid set
//! adds it (ignored while it is valid), valid clear releases it at once;
//! its first line and count can only change while it is not valid. Before an added extent
//! becomes valid, its lines are zeroed (data and poison) so no host reads
//! what the previous owner left: while `scrub_busy` is high, new requests
//! wait and extent writes are ignored; zeroing starts once earlier
//! accesses have gone to the back-end. Extents of different hosts must
//! not overlap (software's duty).

use super::backend::{cxl_mem_backend, BackendConfig, LINES};
use super::channel::{self, check_data_width, Channel, ChannelPorts, DATA_WIDTH, LD_BITS};
use super::hdm::{hdm_decoder, hdm_decoder_regs, ADDR_BITS};
use super::tracker::{cxl_tracker, TrackerConfig, DEPTH};
use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::saturating_count;
use crate::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use crate::params::{checked, IntParam};
use crate::telemetry::map::RegMap;
use crate::telemetry::wiring::{build_with_telemetry, telemetry_map, telemetry_spec, Exposure};
use crate::telemetry::CLK_RST;
use crate::RtlError;
use linkforge_hdl::bundle::Ports;
use linkforge_hdl::prelude::*;
use std::sync::Arc;

/// Parameter `hosts`.
pub const HOSTS: IntParam = IntParam::new(
    "hosts",
    "h",
    1..=16,
    2,
    "hosts (LD-IDs) of the pooled device",
);
/// Parameter `extents`.
pub const EXTENTS: IntParam = IntParam::new("extents", "e", 1..=8, 8, "dynamic capacity extents");
/// Parameter `poison_log`.
pub const POISON_LOG: IntParam =
    IntParam::new("poison_log", "pl", 1..=16, 8, "lines the poison log keeps");

/// Width of `cfg_addr`.
pub const CFG_ADDR_BITS: u32 = 7;
/// First register address of the extents.
pub const EXTENT_REGS: u64 = 64;
/// Extent register: first line.
pub const EXT_START: u64 = 0;
/// Extent register: line count.
pub const EXT_COUNT: u64 = 1;
/// Extent register: owner and flags.
pub const EXT_OWNER: u64 = 2;
/// Extent owner register: valid.
pub const EXT_VALID: u64 = 1 << 8;
/// Extent owner register: being zeroed.
pub const EXT_SCRUBBING: u64 = 1 << 9;
/// Width of the per-host and error counters.
pub const COUNTER_BITS: u32 = 32;

/// Register address of decoder register `reg` of host `host`.
pub fn decoder_reg(host: usize, reg: u64) -> u64 {
    (host as u64) << 2 | reg
}

/// Register address of extent register `reg` of extent `e`.
pub fn extent_reg(e: usize, reg: u64) -> u64 {
    EXTENT_REGS + ((e as u64) << 2 | reg)
}

/// A controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControllerConfig {
    /// Hosts (LD-IDs 0..hosts), [`HOSTS`].
    pub hosts: usize,
    /// Line data width in bits ([`DATA_WIDTH`], whole bytes).
    pub data_width: u32,
    /// Lines of device memory ([`LINES`]).
    pub lines: u32,
    /// Requests outstanding at once ([`DEPTH`]).
    pub depth: usize,
    /// Dynamic capacity extents ([`EXTENTS`]).
    pub extents: usize,
    /// Entries of the poison log ([`POISON_LOG`]).
    pub poison_log: usize,
}

impl ControllerConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = ControllerConfig {
            hosts: HOSTS.read(p)?,
            data_width: DATA_WIDTH.read(p)?,
            lines: LINES.read(p)?,
            depth: DEPTH.read(p)?,
            extents: EXTENTS.read(p)?,
            poison_log: POISON_LOG.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        HOSTS.check(self.hosts)?;
        check_data_width(self.data_width)?;
        self.backend().validate()?;
        self.tracker().validate()?;
        EXTENTS.check(self.extents)?;
        POISON_LOG.check(self.poison_log)
    }

    /// The tracker's config.
    pub fn tracker(&self) -> TrackerConfig {
        TrackerConfig { depth: self.depth }
    }

    /// The back-end's config.
    pub fn backend(&self) -> BackendConfig {
        BackendConfig {
            data_width: self.data_width,
            lines: self.lines,
            id_width: self.tracker().slot_width(),
        }
    }

    /// Width of a line index.
    pub fn line_width(&self) -> u32 {
        self.backend().addr_width()
    }
}

/// The ports of channel `ch` on the device: host-to-device channels are
/// sinks, device-to-host channels sources.
fn channel_ports(m: &mut ModuleBuilder, ch: Channel, data_width: u32) -> Ports<ChannelPorts> {
    let bundle = ChannelPorts {
        channel: ch,
        data_width,
    };
    let prefix = format!("{}_", ch.name());
    match ch {
        Channel::M2sReq | Channel::M2sRwd => m.sink(prefix, bundle),
        Channel::S2mNdr | Channel::S2mDrs => m.source(prefix, bundle),
    }
}

/// The registers of one extent.
struct Extent {
    start: Signal,
    count: Signal,
    owner: Signal,
    valid: Signal,
}

/// Builds the controller as module `module_name`.
pub fn cxl_controller(module_name: &str, cfg: &ControllerConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = cfg.data_width;
    let be_w = w / 8;
    let la = cfg.line_width();
    let sw = cfg.tracker().slot_width();
    let aw = ADDR_BITS;
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let req = channel_ports(&mut m, Channel::M2sReq, w);
    let rwd = channel_ports(&mut m, Channel::M2sRwd, w);
    let ndr = channel_ports(&mut m, Channel::S2mNdr, w);
    let drs = channel_ports(&mut m, Channel::S2mDrs, w);
    let (req_valid, req_ready) = (req.field("valid")?, req.field("ready")?);
    let (rwd_valid, rwd_ready) = (rwd.field("valid")?, rwd.field("ready")?);
    let (ndr_valid, ndr_ready) = (ndr.field("valid")?, ndr.field("ready")?);
    let (drs_valid, drs_ready) = (drs.field("valid")?, drs.field("ready")?);
    m.interface(Protocol::CxlMem, "");
    let cfg_we = m.input("cfg_we", 1);
    let cfg_addr = m.input("cfg_addr", CFG_ADDR_BITS);
    let cfg_wdata = m.input("cfg_wdata", aw);
    let cfg_rdata = m.output("cfg_rdata", aw);
    let clocked =
        |m: &mut ModuleBuilder, u: &linkforge_hdl::InstanceHandle| -> Result<(), HdlError> {
            m.assign(u.io("clk")?, clk);
            m.assign(u.io("rst")?, rst);
            Ok(())
        };

    // Decoder registers, one block per host.
    let regs_module = Arc::new(hdm_decoder_regs(&format!("{module_name}_hdm_regs"))?);
    let in_decoders = !cfg_addr.bit(6);
    let mut host_regs = Vec::new();
    for h in 0..cfg.hosts {
        let u = m.instance(format!("u_hdm_regs{h}"), Arc::clone(&regs_module));
        clocked(&mut m, &u)?;
        let mine = in_decoders.clone() & cfg_addr.slice(5, 2).eq(lit(h as u64, 4));
        m.assign(u.io("cfg_we")?, cfg_we & mine);
        m.assign(u.io("cfg_addr")?, cfg_addr.slice(1, 0));
        m.assign(u.io("cfg_wdata")?, cfg_wdata);
        host_regs.push(u);
    }

    // Extents and the zeroing engine.
    let scrub_busy = m.reg("scrub_busy_q", 1).reset(0);
    let scrub_line = m.reg("scrub_line", la + 1).reset(0);
    let scrub_end = m.reg("scrub_end", la + 1).reset(0);
    let scrub_ext = m.reg("scrub_ext", 3).reset(0);
    let extents: Vec<Extent> = (0..cfg.extents)
        .map(|e| Extent {
            start: m.reg(format!("ext{e}_start"), la).reset(0),
            count: m.reg(format!("ext{e}_count"), la + 1).reset(0),
            owner: m.reg(format!("ext{e}_owner"), LD_BITS).reset(0),
            valid: m.reg(format!("ext{e}_valid"), 1).reset(0),
        })
        .collect();
    for (e, x) in extents.iter().enumerate() {
        let at = |r: u64| cfg_we & cfg_addr.eq(lit(extent_reg(e, r), CFG_ADDR_BITS)) & !scrub_busy;
        let idle = !x.valid;
        m.when(at(EXT_START) & idle.clone(), |m| {
            m.next(x.start, cfg_wdata.slice(la - 1, 0))
        });
        m.when(at(EXT_COUNT) & idle, |m| {
            m.next(x.count, cfg_wdata.slice(la, 0))
        });
        m.when(at(EXT_OWNER), |m| {
            m.when(!cfg_wdata.bit(8), |m| m.next(x.valid, low()))
                .elsewhen(!x.valid, |m| {
                    m.next(x.owner, cfg_wdata.slice(3, 0));
                    m.next(scrub_busy, high());
                    m.next(scrub_line, x.start.zext(la + 1));
                    m.next(scrub_end, x.start.zext(la + 1) + x.count);
                    m.next(scrub_ext, lit(e as u64, 3));
                });
        });
    }

    // Acceptance: one request per cycle, the two channels taking turns.
    let tracker = m.instance(
        "u_tracker",
        cxl_tracker(&format!("{module_name}_tracker"), &cfg.tracker())?,
    );
    clocked(&mut m, &tracker)?;
    let space = tracker.io("alloc_ready")?;
    let prefer_rwd = m.reg("prefer_rwd", 1).reset(0);
    let pick_rwd = m.wire("pick_rwd", 1);
    m.assign(pick_rwd, rwd_valid & (!req_valid | prefer_rwd));
    let req_op = req.field("opcode")?;
    let spec = m.wire("spec_read", 1);
    m.assign(spec, req_op.eq(lit(channel::req::MEM_SPEC_RD, 4)));
    let open = !scrub_busy;
    m.assign(req_ready, !pick_rwd & open.clone() & (space | spec));
    m.assign(rwd_ready, pick_rwd & open & space);
    let take_req = req_valid & req_ready;
    let take_rwd = rwd_valid & rwd_ready;
    m.when(take_rwd.clone(), |m| m.next(prefer_rwd, low()))
        .elsewhen(take_req.clone(), |m| m.next(prefer_rwd, high()));
    let pick =
        |f: &str| -> Result<Expr, HdlError> { Ok(mux(pick_rwd, rwd.field(f)?, req.field(f)?)) };
    let op = m.wire("op", 4);
    m.assign(op, pick("opcode")?);
    let ld = m.wire("ld", LD_BITS);
    m.assign(ld, pick("ld_id")?);
    let addr = m.wire("line_addr", channel::ADDR_BITS);
    m.assign(addr, pick("addr")?);

    // Decode: the host's decoder, its position, the host's extents.
    let per_host = |name: &str| -> Result<Vec<Expr>, HdlError> {
        host_regs
            .iter()
            .map(|u| u.io(name).map(Expr::from))
            .collect()
    };
    let known = ld.zext(LD_BITS + 1).lt(lit(cfg.hosts as u64, LD_BITS + 1));
    let sel = |name: &str| -> Result<Expr, HdlError> { Ok(select(ld, &per_host(name)?)) };
    let hdm = m.instance("u_hdm", hdm_decoder(&format!("{module_name}_hdm"))?);
    m.assign(hdm.io("hpa")?, cat![addr, lit(0, 6)]);
    for (port, reg) in [
        ("cfg_base", "base"),
        ("cfg_size", "size"),
        ("cfg_ig", "ig"),
        ("cfg_iw", "iw"),
    ] {
        m.assign(hdm.io(port)?, sel(reg)?);
    }
    // The device line: (dpa + dpa_base) / 64.
    let media_line = m.wire("media_line", aw - 6);
    m.assign(
        media_line,
        (hdm.io("dpa")? + sel("dpa_base")?).slice(aw - 1, 6),
    );
    let line_hi = media_line;
    let in_memory = line_hi.lt(lit(u64::from(cfg.lines), aw - 6));
    let line = m.wire("line", la);
    m.assign(line, line_hi.trunc(la));
    let owned = extents
        .iter()
        .map(|x| {
            let l = line.zext(la + 1);
            x.valid
                & x.owner.eq(ld)
                & x.start.zext(la + 1).le(l.clone())
                & l.lt(x.start.zext(la + 1) + x.count)
        })
        .reduce(|a, b| a | b)
        .unwrap_or_else(low);
    let decoded = m.wire("decoded", 1);
    m.assign(
        decoded,
        known
            & sel("committed")?
            & hdm.io("hit")?
            & hdm.io("way")?.eq(sel("position")?)
            & in_memory
            & owned,
    );
    let is_read = m.wire("is_read", 1);
    let rd_op = |c| req_op.eq(lit(c, 4));
    m.assign(
        is_read,
        !pick_rwd & (rd_op(channel::req::MEM_RD) | rd_op(channel::req::MEM_RD_DATA)),
    );
    let full_write = op.eq(lit(channel::rwd::MEM_WR, 4));
    let is_write = m.wire("is_write", 1);
    m.assign(
        is_write,
        pick_rwd & (full_write.clone() | op.eq(lit(channel::rwd::MEM_WR_PTL, 4))),
    );
    let is_inv = !pick_rwd & rd_op(channel::req::MEM_INV);
    let error = m.wire("error", 1);
    m.assign(error, !((is_read | is_write | is_inv) & decoded));
    let alloc = m.wire("alloc", 1);
    m.assign(alloc, take_rwd | (take_req.clone() & !spec));
    let needs_mem = !error & (is_read | is_write);
    m.assign(tracker.io("alloc_valid")?, alloc);
    m.assign(tracker.io("alloc_tag")?, pick("tag")?);
    m.assign(tracker.io("alloc_ld")?, ld);
    m.assign(tracker.io("alloc_read")?, is_read);
    m.assign(tracker.io("alloc_error")?, error);
    m.assign(tracker.io("alloc_mem")?, needs_mem.clone());
    let slot = tracker.io("alloc_slot")?;

    // The queue of memory accesses, in acceptance order.
    let poisoned = rwd.field("poison")?;
    let byte_en = mux(full_write.clone(), !lit(0, be_w), rwd.field("byte_en")?);
    let cmd = cat![
        slot,
        is_write,
        line,
        rwd.field("data")?,
        byte_en,
        full_write.clone() | poisoned,
        poisoned
    ];
    let cmd_w = cmd.width();
    let queue = m.instance(
        "u_queue",
        sync_fifo(
            &format!("{module_name}_queue"),
            &SyncFifoConfig {
                width: cmd_w,
                depth: cfg.depth as u32,
            },
        )?,
    );
    clocked(&mut m, &queue)?;
    m.assign(queue.io("wr_en")?, alloc & needs_mem);
    m.assign(queue.io("wr_data")?, cmd);
    let head = queue.io("rd_data")?;
    let queued = !queue.io("rd_empty")?;
    let mut at = cmd_w;
    let mut part = |width: u32| {
        at -= width;
        head.slice(at + width - 1, at)
    };
    let (q_slot, q_we, q_line, q_data, q_be, q_pwe, q_poison) = (
        part(sw),
        part(1),
        part(la),
        part(w),
        part(be_w),
        part(1),
        part(1),
    );

    // The back-end: queued accesses, or zeroing when the queue is empty.
    let mem = m.instance(
        "u_mem",
        cxl_mem_backend(&format!("{module_name}_mem"), &cfg.backend())?,
    );
    clocked(&mut m, &mem)?;
    let mem_ready = mem.io("req_ready")?;
    let zeroing = m.wire("zeroing", 1);
    m.assign(
        zeroing,
        scrub_busy & !queued.clone() & scrub_line.lt(scrub_end),
    );
    m.assign(queue.io("rd_en")?, queued.clone() & mem_ready);
    m.assign(mem.io("req_valid")?, queued.clone() | zeroing);
    m.assign(mem.io("req_we")?, q_we.clone() | zeroing);
    m.assign(
        mem.io("req_addr")?,
        mux(zeroing, scrub_line.trunc(la), q_line),
    );
    m.assign(mem.io("req_wdata")?, mux(zeroing, lit(0, w), q_data));
    m.assign(mem.io("req_be")?, mux(zeroing, !lit(0, be_w), q_be));
    m.assign(mem.io("req_poison_we")?, zeroing | q_pwe);
    m.assign(mem.io("req_poison")?, !zeroing & q_poison);
    m.assign(mem.io("req_id")?, q_slot.clone());
    m.when(zeroing & mem_ready, |m| m.next(scrub_line, scrub_line + 1));
    m.when(
        scrub_busy & !queued.clone() & !scrub_line.lt(scrub_end),
        |m| {
            m.next(scrub_busy, low());
            for (e, x) in extents.iter().enumerate() {
                m.when(scrub_ext.eq(lit(e as u64, 3)), |m| m.next(x.valid, high()));
            }
        },
    );
    let issued = queued & mem_ready;
    m.assign(tracker.io("wr_done_valid")?, issued & q_we);
    m.assign(tracker.io("wr_done_slot")?, q_slot);
    let rsp_valid = mem.io("rsp_valid")?;
    let rsp_id = mem.io("rsp_id")?;
    m.assign(tracker.io("rd_done_valid")?, rsp_valid);
    m.assign(tracker.io("rd_done_slot")?, rsp_id);
    m.assign(tracker.io("rd_done_poison")?, mem.io("rsp_poison")?);

    // Read data waits per entry until its DRS beat leaves.
    let buffer = m.memory("read_data", w, cfg.depth as u32);
    let rsp_data = mem.io("rsp_data")?;
    m.when(rsp_valid, |m| m.mem_write(buffer, rsp_id, rsp_data));
    let data_q = m.mem_read(
        buffer,
        "drs_data_q",
        tracker.io("drs_slot")?,
        tracker.io("drs_load")?,
    );

    // Responses.
    let t = |name: &str| tracker.io(name);
    m.assign(drs_valid, t("drs_valid")?);
    m.assign(t("drs_ready")?, drs_ready);
    let drs_error = t("drs_error")?;
    m.assign(
        drs.field("opcode")?,
        mux(
            drs_error,
            lit(channel::drs::ERR, 3),
            lit(channel::drs::MEM_DATA, 3),
        ),
    );
    m.assign(drs.field("tag")?, t("drs_tag")?);
    m.assign(drs.field("ld_id")?, t("drs_ld")?);
    m.assign(drs.field("data")?, mux(drs_error, lit(0, w), data_q));
    m.assign(drs.field("poison")?, t("drs_poison")?);
    m.assign(drs.field("devload")?, t("drs_devload")?);
    m.assign(ndr_valid, t("ndr_valid")?);
    m.assign(t("ndr_ready")?, ndr_ready);
    m.assign(
        ndr.field("opcode")?,
        mux(
            t("ndr_error")?,
            lit(channel::ndr::ERR, 3),
            lit(channel::ndr::CMP, 3),
        ),
    );
    m.assign(ndr.field("tag")?, t("ndr_tag")?);
    m.assign(ndr.field("ld_id")?, t("ndr_ld")?);
    m.assign(ndr.field("devload")?, t("ndr_devload")?);

    // Telemetry.
    let outstanding = m.output("outstanding", cfg.tracker().count_width());
    m.assign(outstanding, t("outstanding")?);
    let devload = m.output("devload", 2);
    m.assign(devload, t("devload")?);
    for h in 0..cfg.hosts {
        let mine = alloc & ld.eq(lit(h as u64, LD_BITS));
        for (name, event) in [
            ("reads", mine.clone() & is_read & !error),
            ("writes", mine.clone() & is_write & !error),
            ("errors", mine & error),
        ] {
            let q = saturating_count(&mut m, &format!("host{h}_{name}_q"), event, COUNTER_BITS);
            let o = m.output(format!("host{h}_{name}"), COUNTER_BITS);
            m.assign(o, q);
        }
    }
    for (name, event) in [("errors", alloc & error), ("spec_reads", take_req & spec)] {
        let q = saturating_count(&mut m, &format!("{name}_q"), event, COUNTER_BITS);
        let o = m.output(name, COUNTER_BITS);
        m.assign(o, q);
    }
    let pw = bits_for(cfg.poison_log);
    let logged = alloc & is_write & !error & poisoned;
    let poison_count = saturating_count(&mut m, "poison_count_q", logged.clone(), 16);
    let log_at = m.reg("poison_at", pw).reset(0);
    let log: Vec<Signal> = (0..cfg.poison_log)
        .map(|i| m.reg(format!("poison_log{i}"), la).reset(0))
        .collect();
    m.when(logged, |m| {
        for (i, &q) in log.iter().enumerate() {
            m.when(log_at.eq(lit(i as u64, pw)), |m| m.next(q, line));
        }
        let last = log_at.eq(lit(cfg.poison_log as u64 - 1, pw));
        m.next(log_at, mux(last, lit(0, pw), log_at + 1));
    });
    let count_o = m.output("poison_count", 16);
    m.assign(count_o, poison_count);
    // The log index exists only with more than one entry.
    let index: Expr = if cfg.poison_log > 1 {
        m.input("poison_rd_index", pw).into()
    } else {
        lit(0, pw)
    };
    let log_line = m.output("poison_rd_line", la);
    let log_exprs: Vec<Expr> = log.iter().map(|&s| s.into()).collect();
    m.assign(log_line, select(index, &log_exprs));
    let busy_o = m.output("scrub_busy", 1);
    m.assign(busy_o, scrub_busy);

    // Register read-back.
    let decoder_rdata = per_host("cfg_rdata")?;
    let ext_rdata: Vec<Expr> = extents
        .iter()
        .enumerate()
        .flat_map(|(e, x)| {
            let scrubbing = scrub_busy & scrub_ext.eq(lit(e as u64, 3));
            [
                x.start.zext(aw),
                x.count.zext(aw),
                cat![scrubbing, x.valid, lit(0, 4), x.owner].zext(aw),
                lit(0, aw),
            ]
        })
        .collect();
    m.assign(
        cfg_rdata,
        mux(
            cfg_addr.bit(6),
            select(cfg_addr.slice(4, 0), &ext_rdata),
            select(cfg_addr.slice(5, 2), &decoder_rdata),
        ),
    );
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "cxl_controller",
        doc: "CXL.mem memory controller: HDM decode, pooling by LD-ID, dynamic capacity, poison, DevLoad",
        params: vec![
            HOSTS.spec(),
            DATA_WIDTH.spec(),
            LINES.spec(),
            DEPTH.spec(),
            EXTENTS.spec(),
            POISON_LOG.spec(),
            telemetry_spec(
                "expose occupancy, DevLoad, per-host and error counters and the poison count read-only on an AXI4-Lite register block (s_axil_*)",
            ),
        ],
        build: |name, p| {
            let cfg = ControllerConfig::from_params(p)?;
            build_with_telemetry(name, p, CLK_RST, &telemetry(&cfg), |n| {
                cxl_controller(n, &cfg)
            })
        },
        issues: no_issues,
    }
}

/// What a controller with `telemetry` exposes: its [`telemetry_ports`],
/// then the die temperature with its alerts (input `temperature`, output
/// `irq`).
pub fn telemetry(cfg: &ControllerConfig) -> Exposure {
    Exposure {
        sensor: true,
        ..telemetry_ports(cfg).into()
    }
}

/// The outputs a controller with `telemetry` exposes, one register each,
/// in this order: `outstanding`, `devload`, per host `host{h}_reads`,
/// `host{h}_writes`, `host{h}_errors`, then `errors`, `spec_reads` and
/// `poison_count`.
pub fn telemetry_ports(cfg: &ControllerConfig) -> Vec<String> {
    let hosts =
        (0..cfg.hosts).flat_map(|h| ["reads", "writes", "errors"].map(|c| format!("host{h}_{c}")));
    ["outstanding", "devload"]
        .map(String::from)
        .into_iter()
        .chain(hosts)
        .chain(["errors", "spec_reads", "poison_count"].map(String::from))
        .collect()
}

/// The register map of a controller variant with `telemetry` set, `None`
/// without.
pub fn register_map(p: &Params) -> Result<Option<RegMap>, RtlError> {
    let cfg = ControllerConfig::from_params(p)?;
    telemetry_map(p, &telemetry(&cfg), |n| cxl_controller(n, &cfg))
}
