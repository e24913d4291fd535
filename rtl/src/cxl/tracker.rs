//! `cxl_tracker`: the table of outstanding CXL.mem requests. Each of its
//! `depth` entries holds one request (its tag, LD-ID, whether it answers
//! with data, whether it failed) and runs a state machine: `free` ->
//! `mem` (waiting for the memory back-end) -> `resp` (waiting for its
//! response channel) -> `free`. Requests that need no memory access
//! (errors, MemInv) go straight to `resp`.
//!
//! Ports (`clk`, `rst` synchronous, active high; S = bits for `depth`):
//! - allocate: `alloc_valid`, `alloc_ready` (an entry is free: the
//!   controller's backpressure), `alloc_slot[S-1:0]` (the entry taken, the
//!   lowest free one), `alloc_tag[15:0]`, `alloc_ld[3:0]`, `alloc_read`
//!   (answers on DRS, else on NDR), `alloc_error` (an error response),
//!   `alloc_mem` (needs the memory back-end). An entry is taken at an edge
//!   with `alloc_valid` and `alloc_ready` high.
//! - memory done, two ports: `rd_done_valid`, `rd_done_slot[S-1:0]`,
//!   `rd_done_poison` (a read's data has arrived, poisoned or not) and
//!   `wr_done_valid`, `wr_done_slot[S-1:0]` (a write has gone to the
//!   back-end): the access of that entry, which must be in `mem`, is
//!   finished. The two never name the same entry at one edge.
//! - responses, one register stage per channel, valid/ready: `drs_valid`,
//!   `drs_ready`, `drs_tag`, `drs_ld`, `drs_error`, `drs_poison`,
//!   `drs_devload` and `ndr_valid`, `ndr_ready`, `ndr_tag`, `ndr_ld`,
//!   `ndr_error`, `ndr_devload`. `drs_load` and `drs_slot` say that the
//!   DRS stage takes entry `drs_slot` at this edge (so the controller can
//!   read that entry's data into its own stage alongside). Entries in
//!   `resp` are chosen round robin; an entry is freed when it is loaded.
//! - `outstanding[C-1:0]`: entries in use; `devload[1:0]`: DevLoad from
//!   occupancy, with n = outstanding and D = depth: Light (00) when
//!   4n < D, Optimal (01) when 4n < 3D, Moderate overload (10) when
//!   n < D, Severe overload (11) when the table is full.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::arbiter::{arbiter, lowest_set, ArbiterConfig, Policy};
use crate::cxl::channel::{DEVLOAD_BITS, LD_BITS, TAG_BITS};
use crate::params::{checked, IntParam};
use crate::switch::{onehot_index, regs};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `depth`.
pub const DEPTH: IntParam = IntParam::new("depth", "d", 2..=64, 8, "requests outstanding at once");

/// DevLoad: Light load.
pub const DEVLOAD_LIGHT: u64 = 0;
/// DevLoad: Optimal load.
pub const DEVLOAD_OPTIMAL: u64 = 1;
/// DevLoad: Moderate overload.
pub const DEVLOAD_MODERATE: u64 = 2;
/// DevLoad: Severe overload.
pub const DEVLOAD_SEVERE: u64 = 3;

/// Size of the request table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrackerConfig {
    /// Entries ([`DEPTH`]): requests outstanding at once.
    pub depth: usize,
}

impl TrackerConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = TrackerConfig {
            depth: DEPTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks the depth.
    pub fn validate(&self) -> Result<(), RtlError> {
        DEPTH.check(self.depth)
    }

    /// Width of an entry index.
    pub fn slot_width(&self) -> u32 {
        bits_for(self.depth)
    }

    /// Width of `outstanding`.
    pub fn count_width(&self) -> u32 {
        bits_for(self.depth + 1)
    }
}

/// One response channel's register stage.
struct Stage {
    /// The stage loads an entry at this edge.
    load: Signal,
    /// The entry it loads.
    slot: Signal,
}

/// Builds the response stage `name` (`drs` or `ndr`): it takes, round
/// robin, one of the entries whose bit is set in `waiting`, copying the
/// per-entry `fields` (`(port, one value per entry)`) and `devload` into
/// its registers.
fn stage(
    m: &mut ModuleBuilder,
    name: &str,
    (clk, rst): (Clock, Reset),
    waiting: Expr,
    fields: &[(&str, Vec<Expr>)],
    devload: &Expr,
) -> Result<Stage, HdlError> {
    let d = waiting.width();
    let sw = bits_for(d as usize);
    let valid_o = m.output(format!("{name}_valid"), 1);
    let ready = m.input(format!("{name}_ready"), 1);
    let valid = m.reg(format!("{name}_valid_q"), 1).reset(0);
    let arb = arbiter(
        &format!("{}_{name}_arb", m.name()),
        &ArbiterConfig {
            requesters: d as usize,
            policy: Policy::RoundRobin,
        },
    )?;
    let u = m.instance(format!("u_{name}_arb"), arb);
    m.assign(u.io("clk")?, clk);
    m.assign(u.io("rst")?, rst);
    let can_load = !valid | ready;
    m.assign(u.io("req")?, waiting.clone() & can_load.repeat(d));
    let grant = u.io("grant")?;
    let load = m.wire(format!("{name}_take"), 1);
    m.assign(load, u.io("grant_valid")?);
    let slot = m.wire(format!("{name}_take_slot"), sw);
    m.assign(slot, onehot_index(grant, sw));
    let all = fields
        .iter()
        .cloned()
        .chain([("devload", vec![devload.clone()])]);
    for (field, values) in all {
        let w = values[0].width();
        let q = m.reg(format!("{name}_{field}_q"), w).reset(0);
        let o = m.output(format!("{name}_{field}"), w);
        m.when(load, |m| m.next(q, select(slot, &values)));
        m.assign(o, q);
    }
    m.when(load, |m| m.next(valid, high()))
        .elsewhen(ready, |m| m.next(valid, low()));
    m.assign(valid_o, valid);
    m.assert_always(
        (grant & !waiting).eq(lit(0, d)),
        "a response is only issued for an entry waiting to respond",
    );
    Ok(Stage { load, slot })
}

/// Builds the tracker as module `module_name`.
pub fn cxl_tracker(module_name: &str, cfg: &TrackerConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let d = cfg.depth;
    let sw = cfg.slot_width();
    let cw = cfg.count_width();
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let alloc_valid = m.input("alloc_valid", 1);
    let alloc_ready = m.output("alloc_ready", 1);
    let alloc_slot = m.output("alloc_slot", sw);
    let alloc_tag = m.input("alloc_tag", TAG_BITS);
    let alloc_ld = m.input("alloc_ld", LD_BITS);
    let alloc_read = m.input("alloc_read", 1);
    let alloc_error = m.input("alloc_error", 1);
    let alloc_mem = m.input("alloc_mem", 1);
    let rd_done = m.input("rd_done_valid", 1);
    let rd_slot = m.input("rd_done_slot", sw);
    let rd_poison = m.input("rd_done_poison", 1);
    let wr_done = m.input("wr_done_valid", 1);
    let wr_slot = m.input("wr_done_slot", sw);
    let drs_load_o = m.output("drs_load", 1);
    let drs_slot_o = m.output("drs_slot", sw);
    let outstanding = m.output("outstanding", cw);
    let devload_o = m.output("devload", DEVLOAD_BITS);

    let entries: Vec<_> = (0..d)
        .map(|i| m.fsm(format!("entry{i}"), &["free", "mem", "resp"]))
        .collect();
    let state = |name: &str| -> Result<Vec<_>, HdlError> {
        entries.iter().map(|e| e.state(name)).collect()
    };
    let (free, mem, resp) = (state("free")?, state("mem")?, state("resp")?);
    let tags = regs(&mut m, d, TAG_BITS, |i| format!("tag{i}"));
    let lds = regs(&mut m, d, LD_BITS, |i| format!("ld{i}"));
    let reads = regs(&mut m, d, 1, |i| format!("read{i}"));
    let errors = regs(&mut m, d, 1, |i| format!("error{i}"));
    let poisons = regs(&mut m, d, 1, |i| format!("poison{i}"));
    let bits = |f: &dyn Fn(usize) -> Expr| concat((0..d).rev().map(f).collect());
    let is_free = m.wire("is_free", d as u32);
    m.assign(is_free, bits(&|i| entries[i].is(free[i])));
    let waiting_drs = bits(&|i| entries[i].is(resp[i]) & reads[i]);
    let waiting_ndr = bits(&|i| entries[i].is(resp[i]) & !reads[i]);

    let count = m.reg("count", cw).reset(0);
    let dl = m.wire("devload_now", DEVLOAD_BITS);
    let (n4, dd) = (count.zext(cw + 2) << 2, |k: u64| lit(k * d as u64, cw + 2));
    m.assign(
        dl,
        mux(
            n4.clone().lt(dd(1)),
            lit(DEVLOAD_LIGHT, 2),
            mux(
                n4.lt(dd(3)),
                lit(DEVLOAD_OPTIMAL, 2),
                mux(
                    count.lt(lit(d as u64, cw)),
                    lit(DEVLOAD_MODERATE, 2),
                    lit(DEVLOAD_SEVERE, 2),
                ),
            ),
        ),
    );
    let devload: Expr = dl.into();
    let per = |v: &[Signal]| v.iter().map(|&s| Expr::from(s)).collect::<Vec<_>>();
    let domain = (clk, rst);
    let drs = stage(
        &mut m,
        "drs",
        domain,
        waiting_drs,
        &[
            ("tag", per(&tags)),
            ("ld", per(&lds)),
            ("error", per(&errors)),
            ("poison", per(&poisons)),
        ],
        &devload,
    )?;
    let ndr = stage(
        &mut m,
        "ndr",
        domain,
        waiting_ndr,
        &[
            ("tag", per(&tags)),
            ("ld", per(&lds)),
            ("error", per(&errors)),
        ],
        &devload,
    )?;

    // Allocation: the lowest free entry.
    let take = m.wire("take", d as u32);
    m.assign(take, lowest_set(is_free));
    let fire = m.wire("alloc_fire", 1);
    m.assign(fire, alloc_valid & is_free.any());
    for (i, e) in entries.iter().enumerate() {
        let me = lit(i as u64, sw);
        let taken = fire & take.bit(i as u32);
        let by_read = rd_done & rd_slot.eq(me.clone());
        let done = by_read.clone() | (wr_done & wr_slot.eq(me.clone()));
        let loaded = (drs.load & drs.slot.eq(me.clone())) | (ndr.load & ndr.slot.eq(me));
        let (tag, ld, read, error, poison) = (tags[i], lds[i], reads[i], errors[i], poisons[i]);
        m.when(taken, |m| {
            m.next(e.register(), mux(alloc_mem, mem[i], resp[i]));
            m.next(tag, alloc_tag);
            m.next(ld, alloc_ld);
            m.next(read, alloc_read);
            m.next(error, alloc_error);
            m.next(poison, alloc_error);
        })
        .elsewhen(done & e.is(mem[i]), |m| {
            m.goto(e, resp[i]);
            m.next(poison, by_read & rd_poison);
        })
        .elsewhen(loaded, |m| m.goto(e, free[i]));
    }
    let freed = drs.load.zext(cw) + ndr.load.zext(cw);
    m.next(count, count + fire.zext(cw) - freed);

    let in_mem = bits_vec(&entries, &mem);
    for (valid, slot) in [(rd_done, rd_slot), (wr_done, wr_slot)] {
        m.assume_always(
            !valid | select(slot, &in_mem),
            "the memory back-end only finishes accesses of entries waiting for it",
        );
    }
    m.assume_always(
        !(rd_done & wr_done & rd_slot.eq(wr_slot)),
        "a read and a write never finish for the same entry at once",
    );
    m.assert_always(
        count.le(lit(d as u64, cw)),
        "never more requests outstanding than entries",
    );
    let busy = (0..d)
        .map(|i| (!is_free.bit(i as u32)).zext(cw))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0, cw));
    m.assert_always(
        count.eq(busy),
        "the outstanding count equals the entries in use",
    );
    m.assign(alloc_ready, is_free.any());
    m.assign(alloc_slot, onehot_index(take, sw));
    m.assign(drs_load_o, drs.load);
    m.assign(drs_slot_o, drs.slot);
    m.assign(outstanding, count);
    m.assign(devload_o, devload);
    m.finish()
}

/// Per entry, whether it is in its state `states[i]`.
fn bits_vec(entries: &[linkforge_hdl::FsmHandle], states: &[linkforge_hdl::State]) -> Vec<Expr> {
    entries.iter().zip(states).map(|(e, &s)| e.is(s)).collect()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "cxl_tracker",
        doc: "CXL.mem outstanding-request table: per-entry state machines, backpressure, DevLoad",
        params: vec![DEPTH.spec()],
        build: |name, p| Ok(cxl_tracker(name, &TrackerConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
