//! HDM decoders (CXL 2.0 8.2.5.12 / 3.x 8.2.4.19; Linux `drivers/cxl`): a
//! host physical address (HPA) range interleaved across devices, and the
//! device physical address (DPA) one device uses for its share.
//!
//! Address math, with `offset = hpa - base`, granularity `g = 256 << ig`
//! bytes and `ways` from `iw` (0..=4: 1, 2, 4, 8, 16; 8, 9, 10: 3, 6, 12):
//! `chunk = offset / g`, `way = chunk % ways` and
//! `dpa = (chunk / ways) * g + offset % g`. For power-of-two ways this
//! removes the way-selection bits `offset[8+ig+k-1 : 8+ig]`; for 3, 6 and
//! 12 ways it divides by 3 at that position (CXL: `HPA[..] MOD 3`).
//!
//! `hdm_decoder` (combinational) ports: `hpa[51:0]`, `cfg_base[51:0]`,
//! `cfg_size[51:0]`, `cfg_ig[3:0]`, `cfg_iw[3:0]`; `hit` (base <= hpa <
//! base + size), `way[3:0]`, `dpa[51:0]`. Reserved `cfg_iw` encodings
//! decode as one way and `cfg_ig` above 6 as its shift; the register block
//! never commits either.
//!
//! `hdm_decoder_regs`: one decoder's registers. Ports `clk`, `rst`
//! (synchronous, active high), `cfg_we`, `cfg_addr[1:0]`,
//! `cfg_wdata[51:0]`, `cfg_rdata[51:0]` (the addressed register,
//! combinational) and the decoder's settings `base`, `size`, `ig`, `iw`,
//! `position[3:0]`, `dpa_base[51:0]`, `committed`. Registers: 0 base, 1
//! size, 2 control, 3 DPA base (where the decoder's DPA range starts in
//! the device's memory). Control: `[3:0]` IG, `[7:4]` IW, `[8]` LOCK
//! (lock on commit), `[9]` COMMIT, `[10]` COMMITTED and `[11]`
//! COMMIT_ERROR (read only), `[19:16]` the device's position in the
//! interleave set (the way it serves). Behaviour:
//! - a control write with COMMIT set on an uncommitted decoder commits
//!   the settings written with it: COMMITTED when they are valid (IG
//!   0..=6, IW a defined encoding, position below the ways, base and
//!   size multiples of 256 MiB, size non-zero and a multiple of
//!   ways x 256 MiB, base + size within 52 bits), else COMMIT_ERROR;
//! - while COMMITTED, writes to base, size and DPA base are ignored and a
//!   control write can only clear COMMIT (which clears COMMITTED);
//! - once committed with LOCK set, every write is ignored until reset;
//! - a control write with COMMIT clear clears COMMITTED and COMMIT_ERROR.

use crate::catalog::{no_issues, BlockKind};
use linkforge_hdl::prelude::*;

/// Width of addresses and of the size.
pub const ADDR_BITS: u32 = 52;
/// Register index of the base.
pub const REG_BASE: u64 = 0;
/// Register index of the size.
pub const REG_SIZE: u64 = 1;
/// Register index of the control register.
pub const REG_CTRL: u64 = 2;
/// Register index of the DPA base.
pub const REG_DPA_BASE: u64 = 3;
/// Control: LOCK (lock on commit).
pub const CTRL_LOCK: u64 = 1 << 8;
/// Control: COMMIT.
pub const CTRL_COMMIT: u64 = 1 << 9;
/// Control: COMMITTED (read only).
pub const CTRL_COMMITTED: u64 = 1 << 10;
/// Control: COMMIT_ERROR (read only).
pub const CTRL_COMMIT_ERROR: u64 = 1 << 11;
/// Bits of the alignment of bases and sizes (256 MiB).
pub const ALIGN_BITS: u32 = 28;

/// A control register value: `ig`, `iw`, `position` and flag bits `flags`.
pub fn ctrl_value(ig: u64, iw: u64, position: u64, flags: u64) -> u64 {
    (ig & 0xF) | (iw & 0xF) << 4 | (position & 0xF) << 16 | flags
}

/// The interleave ways of encoding `iw`, or `None` for a reserved one.
pub fn ways(iw: u64) -> Option<u64> {
    match iw {
        0..=4 => Some(1 << iw),
        8..=10 => Some(3 << (iw - 8)),
        _ => None,
    }
}

/// `x / 3` and `x % 3` for an expression of any width, as a chain of
/// wires `name_r{i}` (one remainder per bit, most significant first).
fn divmod3(m: &mut ModuleBuilder, name: &str, x: Expr) -> (Expr, Expr) {
    let w = x.width();
    let mut r: Expr = lit(0, 2);
    let mut q = Vec::with_capacity(w as usize);
    for i in (0..w).rev() {
        let t = cat![r.clone(), x.clone().bit(i)];
        let ge = t.clone().ge(lit(3, 3));
        q.push(ge.clone());
        let wire = m.wire(format!("{name}_r{i}"), 2);
        m.assign(wire, mux(ge, (t.clone() - lit(3, 3)).trunc(2), t.trunc(2)));
        r = wire.into();
    }
    (concat(q), r)
}

/// The power-of-two factor `k` (3 bits) and the factor-of-three flag of
/// the ways of `iw` (reserved encodings: one way).
fn ways_factors(iw: &Expr) -> (Expr, Expr) {
    let pow2 = iw.clone().le(lit(4, 4));
    let three = iw.clone().ge(lit(8, 4)) & iw.clone().le(lit(10, 4));
    let k = mux(
        pow2,
        iw.clone().trunc(3),
        mux(three.clone(), (iw.clone() - lit(8, 4)).trunc(3), lit(0, 3)),
    );
    (k, three)
}

/// The decoder's combinational logic: `(hit, way, dpa)`.
fn translate(
    m: &mut ModuleBuilder,
    hpa: Expr,
    base: Expr,
    size: Expr,
    ig: Expr,
    iw: Expr,
) -> (Expr, Expr, Expr) {
    let aw = ADDR_BITS;
    let end = base.clone().add_carry(size);
    let hit = base.clone().le(hpa.clone()) & hpa.clone().zext(aw + 1).lt(end);
    let offset = m.wire("offset", aw);
    m.assign(offset, hpa - base);
    let shift = ig.zext(5) + lit(8, 5);
    let chunk = m.wire("chunk", aw);
    m.assign(chunk, offset.shr(shift.clone()));
    let low = offset & !lit(u64::MAX >> (64 - aw), aw).shl(shift.clone());
    let (k, three) = ways_factors(&iw);
    // The bits below `k` select within a power of two; above, `upper`
    // is divided by 3 when the ways have a factor of three.
    let below = chunk & !lit(u64::MAX >> (64 - aw), aw).shl(k.clone());
    let upper = m.wire("upper", aw);
    m.assign(upper, chunk.shr(k.clone()));
    let (q3, r3) = divmod3(m, "div3", upper.into());
    let way = mux(three.clone(), r3.zext(aw).shl(k) | below.clone(), below);
    let quotient = mux(three, q3, upper);
    let dpa = quotient.shl(shift) | low;
    (hit, way.trunc(4), dpa)
}

/// Builds the combinational HDM decoder as module `module_name`.
pub fn hdm_decoder(module_name: &str) -> Result<Module, HdlError> {
    let aw = ADDR_BITS;
    let mut m = ModuleBuilder::new(module_name);
    let hpa = m.input("hpa", aw);
    let base = m.input("cfg_base", aw);
    let size = m.input("cfg_size", aw);
    let ig = m.input("cfg_ig", 4);
    let iw = m.input("cfg_iw", 4);
    let hit = m.output("hit", 1);
    let way = m.output("way", 4);
    let dpa = m.output("dpa", aw);
    let (h, w, d) = translate(
        &mut m,
        hpa.into(),
        base.into(),
        size.into(),
        ig.into(),
        iw.into(),
    );
    m.assign(hit, h);
    m.assign(way, w);
    m.assign(dpa, d);
    m.finish()
}

/// Whether a decoder may commit these settings (see the module
/// documentation), in hardware.
fn commit_ok(
    m: &mut ModuleBuilder,
    base: &Expr,
    size: &Expr,
    ig: &Expr,
    iw: &Expr,
    pos: &Expr,
) -> Expr {
    let aw = ADDR_BITS;
    let (k, three) = ways_factors(iw);
    let defined = iw.clone().le(lit(4, 4)) | three.clone();
    let aligned = |e: &Expr| !e.clone().slice(ALIGN_BITS - 1, 0).any();
    let units = m.wire("size_units", aw - ALIGN_BITS);
    m.assign(units, size.clone().slice(aw - 1, ALIGN_BITS));
    // size / 256 MiB must be a multiple of 2^k, and of 3 for 3/6/12 ways.
    let pow2_part =
        !(units & !lit(u64::MAX >> (64 - (aw - ALIGN_BITS)), aw - ALIGN_BITS).shl(k.clone())).any();
    let upper = m.wire("size_upper", aw - ALIGN_BITS);
    m.assign(upper, units.shr(k.clone()));
    let (_, r3) = divmod3(m, "size_div3", upper.into());
    let multiple = pow2_part & (!three.clone() | r3.eq(lit(0, 2)));
    let ways = mux(three, lit(3, 5).shl(k.clone()), lit(1, 5).shl(k));
    let in_range = !base.clone().add_carry(size.clone()).bit(aw)
        | !base.clone().add_carry(size.clone()).slice(aw - 1, 0).any();
    ig.clone().le(lit(6, 4))
        & defined
        & pos.clone().zext(5).lt(ways)
        & aligned(base)
        & aligned(size)
        & size.clone().any()
        & multiple
        & in_range
}

/// Builds one decoder's register block as module `module_name`.
pub fn hdm_decoder_regs(module_name: &str) -> Result<Module, HdlError> {
    let aw = ADDR_BITS;
    let mut m = ModuleBuilder::new(module_name);
    m.clock("clk");
    m.reset("rst");
    let we = m.input("cfg_we", 1);
    let addr = m.input("cfg_addr", 2);
    let wdata = m.input("cfg_wdata", aw);
    let rdata = m.output("cfg_rdata", aw);
    let outs = [
        ("base", aw),
        ("size", aw),
        ("ig", 4),
        ("iw", 4),
        ("position", 4),
        ("dpa_base", aw),
        ("committed", 1),
    ];
    let [o_base, o_size, o_ig, o_iw, o_pos, o_dpa, o_committed] = outs.map(|(n, w)| m.output(n, w));
    let [base, size, ig, iw, pos, dpa_base, lock, commit, committed, error] = [
        ("base_q", aw),
        ("size_q", aw),
        ("ig_q", 4),
        ("iw_q", 4),
        ("position_q", 4),
        ("dpa_base_q", aw),
        ("lock_q", 1),
        ("commit_q", 1),
        ("committed_q", 1),
        ("commit_error_q", 1),
    ]
    .map(|(n, w)| m.reg(n, w).reset(0));

    let locked = lock & committed;
    let write = |r: u64| we & addr.eq(lit(r, 2)) & !locked.clone();
    let w_ig: Expr = wdata.slice(3, 0);
    let w_iw: Expr = wdata.slice(7, 4);
    let w_pos: Expr = wdata.slice(19, 16);
    let w_commit = wdata.bit(9);
    let ok = commit_ok(&mut m, &base.into(), &size.into(), &w_ig, &w_iw, &w_pos);
    for (r, q) in [(REG_BASE, base), (REG_SIZE, size), (REG_DPA_BASE, dpa_base)] {
        m.when(write(r) & !committed, |m| m.next(q, wdata));
    }
    m.when(write(REG_CTRL), |m| {
        m.when(!w_commit.clone(), |m| {
            m.next(commit, low());
            m.next(committed, low());
            m.next(error, low());
        })
        .elsewhen(!committed, |m| {
            m.next(ig, w_ig);
            m.next(iw, w_iw);
            m.next(pos, w_pos);
            m.next(lock, wdata.bit(8));
            m.next(commit, high());
            m.next(committed, ok.clone());
            m.next(error, !ok);
        });
    });

    let ctrl = cat![
        lit(0, aw - 20),
        pos,
        lit(0, 4),
        error,
        committed,
        commit,
        lock,
        iw,
        ig
    ];
    let regs: Vec<Expr> = vec![base.into(), size.into(), ctrl, dpa_base.into()];
    m.assign(rdata, select(addr, &regs));
    m.assert_always(
        !(committed & error),
        "a decoder is never both committed and in commit error",
    );
    for (o, q) in [
        (o_base, base),
        (o_size, size),
        (o_ig, ig),
        (o_iw, iw),
        (o_pos, pos),
        (o_dpa, dpa_base),
        (o_committed, committed),
    ] {
        m.assign(o, q);
    }
    m.finish()
}

/// The catalogue entry of the decoder.
pub fn decoder_kind() -> BlockKind {
    BlockKind {
        name: "hdm_decoder",
        doc: "CXL HDM decoder: HPA to DPA with 1/2/4/8/16/3/6/12-way interleave (combinational)",
        params: Vec::new(),
        build: |name, _| Ok(hdm_decoder(name)?),
        issues: no_issues,
    }
}

/// The catalogue entry of the register block.
pub fn regs_kind() -> BlockKind {
    BlockKind {
        name: "hdm_decoder_regs",
        doc: "CXL HDM decoder registers with LOCK/COMMIT/COMMITTED/COMMIT_ERROR",
        params: Vec::new(),
        build: |name, _| Ok(hdm_decoder_regs(name)?),
        issues: no_issues,
    }
}
