//! The memory back-end port and `cxl_mem_backend`, its synchronous RAM
//! model for simulation.
//!
//! The port is what an FPGA memory controller (a DDR or HBM controller
//! behind an adapter) must offer to replace the model; the controller
//! only relies on what is written here:
//! - request, valid/ready: `req_valid`, `req_ready`, `req_we`,
//!   `req_addr[A-1:0]` (a line index), `req_wdata[W-1:0]`,
//!   `req_be[W/8-1:0]` (bytes written), `req_poison_we`, `req_poison`
//!   (written into the line's poison bit when `req_poison_we`),
//!   `req_id[I-1:0]` (the controller's tag for a read). A request
//!   transfers at an edge with `req_valid` and `req_ready` high.
//! - read data: `rsp_valid`, `rsp_id[I-1:0]` (the read's `req_id`),
//!   `rsp_data[W-1:0]`, `rsp_poison`: one beat per read request, any
//!   number of cycles later, in any order (no backpressure: the
//!   controller always takes it). A read returns every write requested
//!   before it and none requested after it.
//!
//! The model: `lines` lines of W bits, one memory per byte lane (the
//! shape FPGA tools infer as byte-enable block RAM) and one for the poison
//! bits; always ready; read data on the edge after the request. Contents
//! start at zero. Writes at or past `lines` change nothing and reads there
//! return unspecified data (the controller never makes them).

use crate::catalog::{no_issues, BlockKind, Params};
use crate::cxl::channel::{check_data_width, DATA_WIDTH};
use crate::params::{checked, IntParam};
use crate::RtlError;
use linkforge_hdl::prelude::*;

/// Parameter `lines`.
pub const LINES: IntParam = IntParam::new(
    "lines",
    "l",
    2..=1 << 20,
    64,
    "lines of device memory (small by default: a simulation model)",
);
/// Parameter `id_width`.
pub const ID_WIDTH: IntParam = IntParam::new("id_width", "i", 1..=16, 4, "bits of a read's id");

/// Shape of the memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackendConfig {
    /// Line data width in bits ([`DATA_WIDTH`], whole bytes).
    pub data_width: u32,
    /// Lines of memory ([`LINES`]).
    pub lines: u32,
    /// Width of a read's id ([`ID_WIDTH`]).
    pub id_width: u32,
}

impl BackendConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let cfg = BackendConfig {
            data_width: DATA_WIDTH.read(p)?,
            lines: LINES.read(p)?,
            id_width: ID_WIDTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        check_data_width(self.data_width)?;
        LINES.check(self.lines)?;
        ID_WIDTH.check(self.id_width)
    }

    /// Width of a line index.
    pub fn addr_width(&self) -> u32 {
        bits_for(self.lines as usize)
    }
}

/// Builds the RAM model as module `module_name`.
pub fn cxl_mem_backend(module_name: &str, cfg: &BackendConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let w = cfg.data_width;
    let aw = cfg.addr_width();
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let req_valid = m.input("req_valid", 1);
    let req_ready = m.output("req_ready", 1);
    let req_we = m.input("req_we", 1);
    let req_addr = m.input("req_addr", aw);
    let req_wdata = m.input("req_wdata", w);
    let req_be = m.input("req_be", w / 8);
    let req_poison_we = m.input("req_poison_we", 1);
    let req_poison = m.input("req_poison", 1);
    let req_id = m.input("req_id", cfg.id_width);
    let rsp_valid = m.output("rsp_valid", 1);
    let rsp_id = m.output("rsp_id", cfg.id_width);
    let rsp_data = m.output("rsp_data", w);
    let rsp_poison = m.output("rsp_poison", 1);

    let write = req_valid & req_we;
    let read = m.wire("read", 1);
    m.assign(read, req_valid & !req_we);
    let mut lanes = Vec::new();
    for b in (0..w / 8).rev() {
        let mem = m.memory(format!("lane{b}"), 8, cfg.lines);
        m.when(write.clone() & req_be.bit(b), |m| {
            m.mem_write(mem, req_addr, req_wdata.slice(8 * b + 7, 8 * b))
        });
        lanes.push(Expr::from(m.mem_read(
            mem,
            format!("lane{b}_q"),
            req_addr,
            read,
        )));
    }
    let poison = m.memory("poison", 1, cfg.lines);
    m.when(write & req_poison_we, |m| {
        m.mem_write(poison, req_addr, req_poison)
    });
    let poison_q = m.mem_read(poison, "poison_q", req_addr, read);
    let valid = m.reg("rsp_valid_q", 1).reset(0);
    m.next(valid, read);
    let id = m.reg("rsp_id_q", cfg.id_width).reset(0);
    m.when(read, |m| m.next(id, req_id));
    m.assign(rsp_id, id);
    m.assign(req_ready, high());
    m.assign(rsp_valid, valid);
    m.assign(rsp_data, concat(lanes));
    m.assign(rsp_poison, poison_q);
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "cxl_mem_backend",
        doc: "CXL device memory: back-end port and synchronous RAM model with byte enables and poison",
        params: vec![
            DATA_WIDTH.spec(),
            LINES.spec(),
            ID_WIDTH.spec(),
        ],
        build: |name, p| Ok(cxl_mem_backend(name, &BackendConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
