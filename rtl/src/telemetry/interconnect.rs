//! An AXI4-Lite interconnect: one slave port `s_axil_*` (clock `clk`,
//! synchronous reset `rst`) routed to the register blocks of several
//! windows, each in its own clock domain.
//!
//! Address decoding: window `i` occupies the [`WINDOW_BYTES`] (4 KiB) from
//! `i * WINDOW_BYTES`; its register block sees the offset inside the
//! window. The interconnect answers two cases itself (read data zero,
//! write dropped), as AXI assigns them: an address past the last window,
//! which no window claims, answers `DECERR` (`0b11`); an address inside a
//! window whose offset does not fit the window's register-block address
//! width answers `SLVERR` (`0b10`), as an unmapped offset the register block
//! decodes does. The register block answers for the offsets it decodes
//! (its own `SLVERR` for an unmapped one included).
//!
//! One transaction at a time: a write is taken when `awvalid` and `wvalid`
//! are both high (`awready` and `wready` rise together), a read when
//! `arvalid` is high and no write is offered (writes first). The
//! interconnect then accepts nothing until the response (`bvalid` or
//! `rvalid`, held until `bready` or `rready`) is taken.
//!
//! Clock crossing: the request goes to window `i`'s domain (clock
//! `W_clk`, reset `W_rst`, `W` the window's name) through an
//! [`async_fifo`] and comes back through another; in that domain a small
//! master drives the window's `W_axil_*` ports (valid held until ready) and
//! takes the response. Hold `rst` and every `W_rst` together for at least
//! three edges of the slowest clock (the FIFOs' rule).

use super::map::REG_BITS;
use crate::common::async_fifo::{async_fifo, AsyncFifoConfig};
use linkforge_hdl::prelude::*;
use linkforge_hdl::{ErrorKind, SourceLoc};
use std::sync::Arc;

/// Bytes of address space per window (4 KiB).
pub const WINDOW_BYTES: u32 = 1 << WINDOW_BITS;
/// Address bits of the offset inside a window.
pub const WINDOW_BITS: u32 = 12;

/// `SLVERR` on 2 bits: the addressed window has no register there.
pub const SLVERR: u64 = 0b10;
/// `DECERR` on 2 bits: no window claims the address.
pub const DECERR: u64 = 0b11;
/// Depth of each crossing FIFO (one transaction is in flight at a time).
const FIFO_DEPTH: u32 = 2;

/// One window: its name (the prefix of its ports) and the address width of
/// the register block behind it (1..=[`WINDOW_BITS`]; wider is an error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    /// The window's name: ports `NAME_clk`, `NAME_rst`, `NAME_axil_*`.
    pub name: String,
    /// The register block's `awaddr`/`araddr` width.
    pub addr_width: u32,
}

/// The width of the shared bus address for `windows` windows.
pub fn bus_addr_width(windows: usize) -> u32 {
    WINDOW_BITS + bits_for(windows)
}

/// The base address of window `i`.
pub fn window_base(i: usize) -> u64 {
    i as u64 * u64::from(WINDOW_BYTES)
}

/// The slave port's inputs in declaration order, with their width (`None`:
/// the bus address width).
const BUS_INPUTS: [(&str, Option<u32>); 9] = [
    ("awaddr", None),
    ("awvalid", Some(1)),
    ("wdata", Some(REG_BITS)),
    ("wstrb", Some(REG_BITS / 8)),
    ("wvalid", Some(1)),
    ("bready", Some(1)),
    ("araddr", None),
    ("arvalid", Some(1)),
    ("rready", Some(1)),
];

/// An error of module `module_name`.
#[track_caller]
fn invalid(module_name: &str, message: String) -> HdlError {
    HdlError::single(
        ErrorKind::Invalid(message),
        module_name,
        SourceLoc::caller(),
    )
}

/// The bus-side state of the one transaction in flight.
const IDLE: u64 = 0;
const SEND: u64 = 1;
const WAIT: u64 = 2;
const RESP: u64 = 3;

/// Builds the interconnect for `windows` as module `module_name`.
pub fn interconnect(module_name: &str, windows: &[Window]) -> Result<Module, HdlError> {
    if let Some(w) = windows
        .iter()
        .find(|w| w.addr_width == 0 || w.addr_width > WINDOW_BITS)
    {
        return Err(invalid(
            module_name,
            format!(
                "window `{}` needs {} address bits, a window has 1..={WINDOW_BITS}",
                w.name, w.addr_width
            ),
        ));
    }
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let aw = bus_addr_width(windows.len());
    let mut ports = Vec::new();
    m.in_domain(
        Domain {
            clock: clk,
            reset: Some(rst),
        },
        |m| {
            for (n, w) in BUS_INPUTS {
                let w = w.unwrap_or(aw);
                ports.push(m.input(format!("s_axil_{n}"), w));
            }
            m.interface(Protocol::Axi4Lite, "s_axil_");
        },
    );
    let [awaddr, awvalid, wdata, wstrb, wvalid, bready, araddr, arvalid, rready] =
        <[Signal; 9]>::try_from(ports)
            .map_err(|_| invalid(module_name, "slave port inputs missing".into()))?;
    let o = |m: &mut ModuleBuilder, n: &str, w: u32| m.output(format!("s_axil_{n}"), w);
    let (awready, wready) = (o(&mut m, "awready", 1), o(&mut m, "wready", 1));
    let (bresp, bvalid) = (o(&mut m, "bresp", 2), o(&mut m, "bvalid", 1));
    let (arready, rdata) = (o(&mut m, "arready", 1), o(&mut m, "rdata", REG_BITS));
    let (rresp, rvalid) = (o(&mut m, "rresp", 2), o(&mut m, "rvalid", 1));

    let mut bus_reg = |name: &str, width: u32| m.reg(name, width).clock(clk).reset_by(rst).reset(0);
    let state = bus_reg("state", 2);
    let is_write = bus_reg("is_write", 1);
    let addr = bus_reg("addr", aw);
    let data = bus_reg("data", REG_BITS);
    let strb = bus_reg("strb", REG_BITS / 8);
    let resp = bus_reg("resp", 2);
    let idle = state.eq(lit(IDLE, 2));
    let write_offered = awvalid & wvalid;
    let take_w = idle.clone() & write_offered.clone();
    let take_r = idle & arvalid & !write_offered;
    let next_addr = mux(take_w.clone(), awaddr, araddr);

    // Which window an address selects, and whether its offset fits.
    let index = |a: Expr| a.slice(aw - 1, WINDOW_BITS);
    let offset_fits = |a: Expr, w: &Window| {
        if w.addr_width == WINDOW_BITS {
            high()
        } else {
            a.slice(WINDOW_BITS - 1, w.addr_width)
                .eq(lit(0, WINDOW_BITS - w.addr_width))
        }
    };
    let hits = |a: Expr| -> Vec<Expr> {
        windows
            .iter()
            .enumerate()
            .map(|(i, w)| {
                index(a.clone()).eq(lit(i as u64, aw - WINDOW_BITS)) & offset_fits(a.clone(), w)
            })
            .collect()
    };
    let mapped = hits(next_addr.clone())
        .into_iter()
        .reduce(|a, b| a | b)
        .unwrap_or_else(low);
    // Whether some window claims the address (its index names a window).
    let claimed = if windows.len() as u64 >= 1 << (aw - WINDOW_BITS) {
        high()
    } else {
        index(next_addr.clone()).lt(lit(windows.len() as u64, aw - WINDOW_BITS))
    };
    let selected = hits(addr.into());

    let fifo_req_width = |w: &Window| 1 + REG_BITS / 8 + REG_BITS + w.addr_width;
    let rsp_fifo = Arc::new(async_fifo(
        &format!("{module_name}_rsp_fifo"),
        &AsyncFifoConfig {
            width: 2 + REG_BITS,
            depth: FIFO_DEPTH,
        },
    )?);
    let mut pushed = Vec::new();
    let mut arrived: Vec<(Expr, Signal)> = Vec::new();
    for (i, w) in windows.iter().enumerate() {
        let wclk = m.clock(format!("{}_clk", w.name));
        let wrst = m.reset(format!("{}_rst", w.name));
        let req = m.instance(
            format!("u_{}_req", w.name),
            async_fifo(
                &format!("{module_name}_req_fifo_a{}", w.addr_width),
                &AsyncFifoConfig {
                    width: fifo_req_width(w),
                    depth: FIFO_DEPTH,
                },
            )?,
        );
        let rsp = m.instance(format!("u_{}_rsp", w.name), rsp_fifo.clone());
        for (f, wr, rd) in [
            (&req, (clk, rst), (wclk, wrst)),
            (&rsp, (wclk, wrst), (clk, rst)),
        ] {
            m.assign(f.io("wr_clk")?, wr.0);
            m.assign(f.io("wr_rst")?, wr.1);
            m.assign(f.io("rd_clk")?, rd.0);
            m.assign(f.io("rd_rst")?, rd.1);
        }
        // Bus side: push the request, take the response.
        let push = state.eq(lit(SEND, 2)) & selected[i].clone() & !req.io("wr_full")?;
        m.assign(req.io("wr_en")?, push.clone());
        m.assign(
            req.io("wr_data")?,
            cat![is_write, strb, data, addr.slice(w.addr_width - 1, 0)],
        );
        pushed.push(push);
        let got = state.eq(lit(WAIT, 2)) & selected[i].clone() & !rsp.io("rd_empty")?;
        m.assign(rsp.io("rd_en")?, got.clone());
        let word = rsp.io("rd_data")?;
        arrived.push((got, word));
        // Window side: a master for one transaction at a time.
        let window = Domain {
            clock: wclk,
            reset: Some(wrst),
        };
        let (req_data, req_empty) = (req.io("rd_data")?, req.io("rd_empty")?);
        let rsp_full = rsp.io("wr_full")?;
        let mut result = Ok(());
        m.in_domain(window, |m| {
            result = window_master(m, w, &req, &rsp, req_data, req_empty, rsp_full);
        });
        result?;
    }

    let pushed_any = pushed.into_iter().reduce(|a, b| a | b).unwrap_or_else(low);
    let mut got_any = low();
    let mut got_word = lit(0, 2 + REG_BITS);
    for (got, word) in arrived {
        got_any = got_any | got.clone();
        got_word = got_word | mux(got, word, lit(0, 2 + REG_BITS));
    }
    m.when(take_w.clone() | take_r.clone(), |m| {
        m.next(addr, next_addr.clone());
        m.next(is_write, take_w.clone());
        m.next(resp, mux(claimed, lit(SLVERR, 2), lit(DECERR, 2)));
        m.next(data, mux(take_w.clone(), wdata, lit(0, REG_BITS)));
        m.next(strb, wstrb);
        m.next(state, mux(mapped, lit(SEND, 2), lit(RESP, 2)));
    })
    .elsewhen(pushed_any, |m| m.next(state, lit(WAIT, 2)))
    .elsewhen(got_any, |m| {
        m.next(resp, got_word.clone().slice(REG_BITS + 1, REG_BITS));
        m.next(data, got_word.clone().slice(REG_BITS - 1, 0));
        m.next(state, lit(RESP, 2));
    })
    .elsewhen(
        state.eq(lit(RESP, 2)) & mux(is_write, bready, rready),
        |m| m.next(state, lit(IDLE, 2)),
    );
    let responding = state.eq(lit(RESP, 2));
    m.assign(awready, take_w.clone());
    m.assign(wready, take_w);
    m.assign(arready, take_r);
    m.assign(bvalid, responding.clone() & is_write);
    m.assign(rvalid, responding & !is_write);
    m.assign(bresp, resp);
    m.assign(rresp, resp);
    m.assign(rdata, mux(is_write, lit(0, REG_BITS), data));
    m.finish()
}

/// The window side of window `w`: takes a request from `req`, drives the
/// `W_axil_*` master ports until the response, and pushes `{resp, rdata}`
/// into `rsp`.
fn window_master(
    m: &mut ModuleBuilder,
    w: &Window,
    req: &linkforge_hdl::InstanceHandle,
    rsp: &linkforge_hdl::InstanceHandle,
    req_data: Signal,
    req_empty: Signal,
    rsp_full: Signal,
) -> Result<(), HdlError> {
    let p = |n: &str| format!("{}_axil_{n}", w.name);
    let awready = m.input(p("awready"), 1);
    let wready = m.input(p("wready"), 1);
    let bresp = m.input(p("bresp"), 2);
    let bvalid = m.input(p("bvalid"), 1);
    let arready = m.input(p("arready"), 1);
    let rdata = m.input(p("rdata"), REG_BITS);
    let rresp = m.input(p("rresp"), 2);
    let rvalid = m.input(p("rvalid"), 1);
    let busy = m.reg(format!("{}_busy", w.name), 1).reset(0);
    let write = m.reg(format!("{}_write", w.name), 1).reset(0);
    let word_w = req_data.width();
    let word = m.reg(format!("{}_word", w.name), word_w).reset(0);
    let aw_pend = m.reg(format!("{}_aw_pend", w.name), 1).reset(0);
    let w_pend = m.reg(format!("{}_w_pend", w.name), 1).reset(0);
    let ar_pend = m.reg(format!("{}_ar_pend", w.name), 1).reset(0);
    let start = !busy & !req_empty;
    let req_write = req_data.bit(word_w - 1);
    let b_done = busy & write & !rsp_full & bvalid;
    let r_done = busy & !write & !rsp_full & rvalid;
    m.assign(req.io("rd_en")?, start.clone());
    m.when(start.clone(), |m| {
        m.next(busy, high());
        m.next(write, req_write.clone());
        m.next(word, req_data);
        m.next(aw_pend, req_write.clone());
        m.next(w_pend, req_write.clone());
        m.next(ar_pend, !req_write.clone());
    })
    .elsewhen(b_done.clone() | r_done.clone(), |m| m.next(busy, low()));
    m.when(aw_pend & awready, |m| m.next(aw_pend, low()));
    m.when(w_pend & wready, |m| m.next(w_pend, low()));
    m.when(ar_pend & arready, |m| m.next(ar_pend, low()));
    m.assign(rsp.io("wr_en")?, b_done.clone() | r_done);
    m.assign(
        rsp.io("wr_data")?,
        mux(b_done, cat![bresp, lit(0, REG_BITS)], cat![rresp, rdata]),
    );
    let offset = word.slice(w.addr_width - 1, 0);
    let data_lo = w.addr_width;
    let outputs: [(&str, Expr); 9] = [
        ("awaddr", offset.clone()),
        ("awvalid", aw_pend.into()),
        ("wdata", word.slice(data_lo + REG_BITS - 1, data_lo)),
        ("wstrb", word.slice(word_w - 2, data_lo + REG_BITS)),
        ("wvalid", w_pend.into()),
        ("bready", busy & write & !rsp_full),
        ("araddr", offset),
        ("arvalid", ar_pend.into()),
        ("rready", busy & !write & !rsp_full),
    ];
    for (n, value) in outputs {
        let out = m.output(p(n), value.width());
        m.assign(out, value);
    }
    Ok(())
}
