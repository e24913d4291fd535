//! The CXL.mem channels and `cxl_channel`, a valid/ready buffer of one.
//!
//! Host to device: M2S Req (requests without data) and M2S RwD (requests
//! with data); device to host: S2M NDR (completions without data) and S2M
//! DRS (data responses). Every channel has `valid`/`ready`: a beat
//! transfers at a rising edge where both are high; a sender keeps `valid`
//! high and the payload stable until then. Fields: 16-bit `tag`, `addr` =
//! `Addr[51:6]` (64-byte lines), 4-bit `ld_id` (the logical device, i.e. the
//! host of a pooled device), 2-bit `devload`, `poison`.
//!
//! `cxl_channel` ports (`clk`, `rst` synchronous, active high):
//! `in_valid`, `in_ready`, `in_<field>` and `out_valid`, `out_ready`,
//! `out_<field>` for the fields of [`Channel::fields`]; a first-in
//! first-out buffer of `depth` beats (a `sync_fifo`) between them.

use crate::catalog::{no_issues, BlockKind, Params};
use crate::common::sync_fifo::{sync_fifo, SyncFifoConfig};
use crate::params::{checked, param_error, ChoiceParam, IntParam};
use crate::RtlError;
use linkforge_hdl::bundle::Field;
use linkforge_hdl::prelude::*;

/// M2S Req opcodes (4 bits).
pub mod req {
    /// Invalidate (completes with NDR Cmp).
    pub const MEM_INV: u64 = 0b0000;
    /// Read (data on DRS).
    pub const MEM_RD: u64 = 0b0001;
    /// Read returning data (data on DRS).
    pub const MEM_RD_DATA: u64 = 0b0010;
    /// Speculative read: no completion, may be dropped.
    pub const MEM_SPEC_RD: u64 = 0b1000;
}

/// M2S RwD opcodes (4 bits).
pub mod rwd {
    /// Full-line write.
    pub const MEM_WR: u64 = 0b0001;
    /// Partial write: only the bytes with `byte_en` set.
    pub const MEM_WR_PTL: u64 = 0b0010;
}

/// S2M NDR opcodes (3 bits).
pub mod ndr {
    /// Completion.
    pub const CMP: u64 = 0b000;
    /// Completion, line may be kept shared.
    pub const CMP_S: u64 = 0b001;
    /// Completion, line may be kept exclusive.
    pub const CMP_E: u64 = 0b010;
    /// Error completion: the request hit no decoder or capacity the host
    /// owns, and was not served. A reserved encoding this IP uses.
    pub const ERR: u64 = 0b111;
}

/// S2M DRS opcodes (3 bits).
pub mod drs {
    /// Data.
    pub const MEM_DATA: u64 = 0b000;
    /// Error data (all zero, with poison set): the read hit no decoder or
    /// capacity the host owns. A reserved encoding this IP uses.
    pub const ERR: u64 = 0b111;
}

/// Width of a tag.
pub const TAG_BITS: u32 = 16;
/// Width of `addr` (`Addr[51:6]`).
pub const ADDR_BITS: u32 = 46;
/// Width of an LD-ID.
pub const LD_BITS: u32 = 4;
/// Width of DevLoad.
pub const DEVLOAD_BITS: u32 = 2;
/// Bytes in a line (the unit of `addr`).
pub const LINE_BYTES: u64 = 64;

/// Parameter `channel`.
pub const CHANNEL: ChoiceParam = ChoiceParam::new(
    "channel",
    "",
    &CHANNELS,
    "m2s_rwd",
    "which CXL.mem channel's fields it carries",
);
/// Parameter `data_width`.
pub const DATA_WIDTH: IntParam = IntParam::new(
    "data_width",
    "w",
    8..=512,
    512,
    "bits of line data per beat (512 = a whole 64-byte line; less for fast simulation)",
);
/// Parameter `depth`.
pub const DEPTH: IntParam = IntParam::new("depth", "d", 1..=64, 2, "beats buffered");

/// One of the four channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Host to device requests without data.
    M2sReq,
    /// Host to device requests with data.
    M2sRwd,
    /// Device to host completions without data.
    S2mNdr,
    /// Device to host data responses.
    S2mDrs,
}

/// Names of the channels as the `channel` parameter spells them.
const CHANNELS: [&str; 4] = ["m2s_req", "m2s_rwd", "s2m_ndr", "s2m_drs"];

impl Channel {
    /// The port prefix (`m2s_req`, ...).
    pub fn name(self) -> &'static str {
        CHANNELS[self as usize]
    }

    /// The payload fields and their widths, for lines of `data_width` bits.
    pub fn fields(self, data_width: u32) -> Vec<(&'static str, u32)> {
        let head = |op| vec![("opcode", op), ("tag", TAG_BITS)];
        let mut f = match self {
            Channel::M2sReq | Channel::M2sRwd => {
                let mut f = head(4);
                f.extend([("addr", ADDR_BITS), ("ld_id", LD_BITS)]);
                f
            }
            Channel::S2mNdr | Channel::S2mDrs => {
                let mut f = head(3);
                f.push(("ld_id", LD_BITS));
                f
            }
        };
        match self {
            Channel::M2sReq => {}
            Channel::M2sRwd => f.extend([
                ("data", data_width),
                ("byte_en", data_width / 8),
                ("poison", 1),
            ]),
            Channel::S2mNdr => f.push(("devload", DEVLOAD_BITS)),
            Channel::S2mDrs => f.extend([("data", data_width), ("poison", 1), ("devload", 2)]),
        }
        f
    }

    /// Bits of one beat's payload.
    pub fn payload_width(self, data_width: u32) -> u32 {
        self.fields(data_width).iter().map(|f| f.1).sum()
    }
}

/// A channel's ports as a bundle: `valid`, `ready` and the payload fields
/// of [`Channel::fields`], driven by the channel's sender (the host for
/// M2S, the device for S2M). Its rules come from the device's one
/// `cxl_mem` interface over all four channels, so the bundle registers no
/// protocol of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelPorts {
    /// The channel.
    pub channel: Channel,
    /// Line width in bits.
    pub data_width: u32,
}

impl Bundle for ChannelPorts {
    fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::forward("valid", 1), Field::backward("ready", 1)];
        fields.extend(
            self.channel
                .fields(self.data_width)
                .into_iter()
                .map(|(name, width)| Field::forward(name, width)),
        );
        fields
    }
}

/// Checks a line data width: in [`DATA_WIDTH`]'s range and whole bytes.
pub(crate) fn check_data_width(w: u32) -> Result<(), RtlError> {
    DATA_WIDTH.check(w)?;
    if w % 8 == 0 {
        Ok(())
    } else {
        Err(param_error("data_width", format!("{w} is not whole bytes")))
    }
}

/// A buffer of one channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelConfig {
    /// Which channel.
    pub channel: Channel,
    /// Line data width in bits ([`DATA_WIDTH`], whole bytes).
    pub data_width: u32,
    /// Beats held ([`DEPTH`]).
    pub depth: u32,
}

impl ChannelConfig {
    /// Reads and checks the config from catalogue parameters.
    pub fn from_params(p: &Params) -> Result<Self, RtlError> {
        let name = CHANNEL.read(p)?;
        let channel = match name {
            "m2s_req" => Channel::M2sReq,
            "m2s_rwd" => Channel::M2sRwd,
            "s2m_ndr" => Channel::S2mNdr,
            _ => Channel::S2mDrs,
        };
        let cfg = ChannelConfig {
            channel,
            data_width: DATA_WIDTH.read(p)?,
            depth: DEPTH.read(p)?,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every field's range.
    pub fn validate(&self) -> Result<(), RtlError> {
        check_data_width(self.data_width)?;
        DEPTH.check(self.depth)
    }
}

/// Builds the channel buffer as module `module_name`.
pub fn cxl_channel(module_name: &str, cfg: &ChannelConfig) -> Result<Module, HdlError> {
    checked(module_name, cfg.validate())?;
    let fields = cfg.channel.fields(cfg.data_width);
    let width = cfg.channel.payload_width(cfg.data_width);
    let fifo = sync_fifo(
        &format!("{module_name}_fifo"),
        &SyncFifoConfig {
            width,
            depth: cfg.depth,
        },
    )?;
    let mut m = ModuleBuilder::new(module_name);
    let clk = m.clock("clk");
    let rst = m.reset("rst");
    let in_valid = m.input("in_valid", 1);
    let in_ready = m.output("in_ready", 1);
    let ins: Vec<Expr> = fields
        .iter()
        .map(|&(f, w)| m.input(format!("in_{f}"), w).into())
        .collect();
    let out_valid = m.output("out_valid", 1);
    let out_ready = m.input("out_ready", 1);
    let outs: Vec<Signal> = fields
        .iter()
        .map(|&(f, w)| m.output(format!("out_{f}"), w))
        .collect();
    let u = m.instance("u_fifo", fifo);
    m.assign(u.io("clk")?, clk);
    m.assign(u.io("rst")?, rst);
    let full = u.io("wr_full")?;
    let empty = u.io("rd_empty")?;
    m.assign(u.io("wr_en")?, in_valid & !full);
    m.assign(u.io("wr_data")?, concat(ins));
    m.assign(u.io("rd_en")?, out_ready & !empty);
    m.assign(in_ready, !full);
    m.assign(out_valid, !empty);
    let data = u.io("rd_data")?;
    let mut lo = width;
    for (&(_, w), &o) in fields.iter().zip(&outs) {
        lo -= w;
        m.assign(o, data.slice(lo + w - 1, lo));
    }
    m.finish()
}

/// The catalogue entry.
pub fn kind() -> BlockKind {
    BlockKind {
        name: "cxl_channel",
        doc: "CXL.mem channel (M2S Req/RwD, S2M NDR/DRS) valid/ready buffer",
        params: vec![CHANNEL.spec(), DATA_WIDTH.spec(), DEPTH.spec()],
        build: |name, p| Ok(cxl_channel(name, &ChannelConfig::from_params(p)?)?),
        issues: no_issues,
    }
}
