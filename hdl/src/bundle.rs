//! Port bundles: a group of ports declared once (a valid/ready stream, an
//! AXI4-Lite port, a TLP stream), created on a module with one call and
//! connected to another with one call.
//!
//! A [`Bundle`] lists its [`Field`]s, each flowing forward (driven by the
//! bundle's source: the manager, the transmitter) or backward (driven by
//! its sink). [`ModuleBuilder::source`] and [`ModuleBuilder::sink`] declare
//! the fields as ports named `<prefix><field>`, the same flat ports the
//! Verilog shows, and register the bundle's protocol as an interface so its
//! rules are checked in simulation. [`InstanceHandle::bundle`] finds a
//! sub-module's bundle by prefix, checking every field's presence and
//! width, and [`ModuleBuilder::connect`] drives every field of one side
//! from the other. A direction mistake (connecting two sources, driving an
//! input of the module) is the drivers check's error at the `connect` line.
//!
//! ```
//! use linkforge_hdl::prelude::*;
//! use linkforge_hdl::bundle::Stream;
//!
//! // A register slice: a stream in, the same stream out one cycle later.
//! let mut m = ModuleBuilder::new("slice");
//! m.clock("clk");
//! m.reset("rst");
//! let input = m.sink("in_", Stream::new(32));
//! let output = m.source("out_", Stream::new(32));
//! let full = m.reg("full", 1).reset(0);
//! let data = m.reg("data", 32).reset(0);
//! let take = input.valid() & (!full | output.ready());
//! m.when(take.clone(), |m| m.next(data, input.data()));
//! m.when(take | output.ready(), |m| m.next(full, input.valid()));
//! m.assign(input.ready(), !full | output.ready());
//! m.assign(output.valid(), full);
//! m.assign(output.data(), data);
//! let slice = m.finish()?;
//!
//! // Two slices in a row, wired with one call per link.
//! let mut top = ModuleBuilder::new("pipe");
//! let clk = top.clock("clk");
//! let rst = top.reset("rst");
//! let input = top.sink("in_", Stream::new(32));
//! let output = top.source("out_", Stream::new(32));
//! let a = top.instance("u_a", slice.clone());
//! let b = top.instance("u_b", slice);
//! for u in [&a, &b] {
//!     top.assign(u.io("clk")?, clk);
//!     top.assign(u.io("rst")?, rst);
//! }
//! top.connect(&input, &a.bundle("in_", Stream::new(32))?);
//! top.connect(&a.bundle("out_", Stream::new(32))?, &b.bundle("in_", Stream::new(32))?);
//! top.connect(&b.bundle("out_", Stream::new(32))?, &output);
//! top.finish()?;
//! # Ok::<(), linkforge_hdl::HdlError>(())
//! ```

use crate::builder::{InstanceHandle, ModuleBuilder};
use crate::error::{ErrorKind, HdlError};
use crate::expr::{Expr, Signal};
use crate::ir::Protocol;
use crate::loc::SourceLoc;
use crate::suggest::hint;

/// Which side of a bundle drives a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Driven by the source (manager, transmitter): `valid`, `data`, `awaddr`.
    Forward,
    /// Driven by the sink (subordinate, receiver): `ready`, `rdata`, `bresp`.
    Backward,
}

/// One port of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The port's name after the bundle's prefix.
    pub name: String,
    /// Width in bits.
    pub width: u32,
    /// Which side drives it.
    pub flow: Flow,
}

impl Field {
    /// A field driven by the source.
    pub fn forward(name: impl Into<String>, width: u32) -> Field {
        Field {
            name: name.into(),
            width,
            flow: Flow::Forward,
        }
    }

    /// A field driven by the sink.
    pub fn backward(name: impl Into<String>, width: u32) -> Field {
        Field {
            name: name.into(),
            width,
            flow: Flow::Backward,
        }
    }
}

/// A kind of port bundle with its widths: the fields it consists of, in
/// port order, and the protocol whose rules check it.
pub trait Bundle: Clone {
    /// The fields, in the order their ports are declared.
    fn fields(&self) -> Vec<Field>;

    /// The protocol registered for the bundle's ports, if any.
    fn protocol(&self) -> Option<Protocol> {
        None
    }
}

/// The signals of one bundle on a module: its own ports, or the parent-side
/// signals of an instance's ports.
#[derive(Clone, Debug)]
pub struct Ports<B> {
    bundle: B,
    prefix: String,
    /// The instance whose ports these are, if they are an instance's.
    instance: Option<String>,
    /// The module whose ports these are.
    module: String,
    /// The module being built, where an error is reported.
    parent: String,
    fields: Vec<(Field, Signal)>,
}

impl<B: Bundle> Ports<B> {
    /// The bundle kind and widths.
    pub fn bundle(&self) -> &B {
        &self.bundle
    }

    /// The common start of the ports' names.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The fields and their signals, in port order.
    pub fn fields(&self) -> impl Iterator<Item = (&Field, Signal)> {
        self.fields.iter().map(|(f, s)| (f, *s))
    }

    /// The signal of field `name` (without the prefix).
    #[track_caller]
    pub fn field(&self, name: &str) -> Result<Signal, HdlError> {
        let loc = SourceLoc::caller();
        match self.fields.iter().find(|(f, _)| f.name == name) {
            Some((_, s)) => Ok(*s),
            None => {
                let port = format!("{}{name}", self.prefix);
                let ports: Vec<String> = self
                    .fields
                    .iter()
                    .map(|(f, _)| format!("{}{}", self.prefix, f.name))
                    .collect();
                let help = hint(&port, ports.iter().map(String::as_str));
                let kind = ErrorKind::UnknownPort {
                    instance: self.instance.clone(),
                    module: self.module.clone(),
                    port,
                    help,
                };
                Err(HdlError::single(kind, self.parent.clone(), loc))
            }
        }
    }

    /// The signal of the field at `index` of [`Bundle::fields`].
    fn at(&self, index: usize) -> Signal {
        self.fields[index].1
    }
}

impl ModuleBuilder {
    /// Declares `bundle` as this module's source side: forward fields are
    /// outputs, backward fields inputs, named `<prefix><field>`, in the
    /// current clock domain. Registers the bundle's protocol as an
    /// interface ([`ModuleBuilder::interface`]).
    #[track_caller]
    pub fn source<B: Bundle>(&mut self, prefix: impl Into<String>, bundle: B) -> Ports<B> {
        self.bundle_ports(prefix.into(), bundle, Flow::Forward)
    }

    /// Declares `bundle` as this module's sink side: forward fields are
    /// inputs, backward fields outputs (see [`ModuleBuilder::source`]).
    #[track_caller]
    pub fn sink<B: Bundle>(&mut self, prefix: impl Into<String>, bundle: B) -> Ports<B> {
        self.bundle_ports(prefix.into(), bundle, Flow::Backward)
    }

    #[track_caller]
    fn bundle_ports<B: Bundle>(&mut self, prefix: String, bundle: B, outputs: Flow) -> Ports<B> {
        let mut fields = Vec::new();
        for f in bundle.fields() {
            let name = format!("{prefix}{}", f.name);
            let s = if f.flow == outputs {
                self.output(name, f.width)
            } else {
                self.input(name, f.width)
            };
            fields.push((f, s));
        }
        if let Some(protocol) = bundle.protocol() {
            let payload = fields
                .iter()
                .filter(|(f, _)| f.flow == Flow::Forward && f.name != "valid")
                .map(|(f, _)| format!("{prefix}{}", f.name))
                .collect();
            self.declare_interface(protocol, prefix.clone(), payload, SourceLoc::caller());
        }
        Ports {
            bundle,
            prefix,
            instance: None,
            module: self.name().to_string(),
            parent: self.name().to_string(),
            fields,
        }
    }

    /// Drives `to` from `from`: every forward field of `to` from `from`'s,
    /// every backward field of `from` from `to`'s. The two sides must have
    /// the same fields with the same widths.
    #[track_caller]
    pub fn connect<B: Bundle>(&mut self, from: &Ports<B>, to: &Ports<B>) {
        let loc = SourceLoc::caller();
        for ((f, a), (g, b)) in from.fields.iter().zip(&to.fields) {
            if f.name != g.name || f.width != g.width {
                self.error(
                    ErrorKind::Width(format!(
                        "connect: `{}{}` is {} bits but `{}{}` is {} bits",
                        from.prefix, f.name, f.width, to.prefix, g.name, g.width
                    )),
                    loc,
                );
                continue;
            }
            match f.flow {
                Flow::Forward => self.push_assign(*b, Expr::from(*a), false, loc),
                Flow::Backward => self.push_assign(*a, Expr::from(*b), false, loc),
            }
        }
        if from.fields.len() != to.fields.len() {
            self.error(
                ErrorKind::Invalid(format!(
                    "connect: `{}` has {} fields but `{}` has {}",
                    from.prefix,
                    from.fields.len(),
                    to.prefix,
                    to.fields.len()
                )),
                loc,
            );
        }
    }
}

impl InstanceHandle {
    /// The parent-side signals of the sub-module's bundle at `prefix`:
    /// every field must be a port of the expected width.
    #[track_caller]
    pub fn bundle<B: Bundle>(&self, prefix: &str, bundle: B) -> Result<Ports<B>, HdlError> {
        let loc = SourceLoc::caller();
        let mut fields = Vec::new();
        for f in bundle.fields() {
            let s = self.io(&format!("{prefix}{}", f.name))?;
            if s.width() != f.width {
                return Err(HdlError::single(
                    ErrorKind::Width(format!(
                        "port `{prefix}{}` of instance `{}` is {} bits; the bundle's `{}` is {}",
                        f.name,
                        self.name(),
                        s.width(),
                        f.name,
                        f.width
                    )),
                    self.parent_name().to_string(),
                    loc,
                ));
            }
            fields.push((f, s));
        }
        Ok(Ports {
            bundle,
            prefix: prefix.to_string(),
            instance: Some(self.name().to_string()),
            module: self.module_name().to_string(),
            parent: self.parent_name().to_string(),
            fields,
        })
    }
}

/// Typed accessors of a bundle's fields, by their index in `fields()`.
macro_rules! accessors {
    ($bundle:ty { $($(#[$doc:meta])* $name:ident = $index:expr),* $(,)? }) => {
        impl Ports<$bundle> {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Signal {
                    self.at($index)
                }
            )*
        }
    };
}

/// A valid/ready stream carrying `data`: `valid`, `ready`, `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    /// Width of `data`.
    pub data_width: u32,
}

impl Stream {
    /// A stream of `data_width`-bit words.
    pub fn new(data_width: u32) -> Stream {
        Stream { data_width }
    }
}

impl Bundle for Stream {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::forward("valid", 1),
            Field::backward("ready", 1),
            Field::forward("data", self.data_width),
        ]
    }

    fn protocol(&self) -> Option<Protocol> {
        Some(Protocol::ValidReady)
    }
}

accessors!(Stream {
    /// The source has a word.
    valid = 0,
    /// The sink takes it.
    ready = 1,
    /// The word.
    data = 2,
});

/// The TLP stream of a switch port: `valid`, `ready`, `sop`, `eop`,
/// `data` and `keep` (one bit per valid 32-bit DW of `data`). DW k of a
/// packet sits at `data[32k+31:32k]` counting from the start beat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlpStream {
    /// Width of `data`: a multiple of 32.
    pub data_width: u32,
}

impl TlpStream {
    /// A TLP stream `data_width` bits wide.
    pub fn new(data_width: u32) -> TlpStream {
        TlpStream { data_width }
    }
}

impl Bundle for TlpStream {
    fn fields(&self) -> Vec<Field> {
        vec![
            Field::forward("valid", 1),
            Field::backward("ready", 1),
            Field::forward("sop", 1),
            Field::forward("eop", 1),
            Field::forward("data", self.data_width),
            Field::forward("keep", (self.data_width / 32).max(1)),
        ]
    }

    fn protocol(&self) -> Option<Protocol> {
        Some(Protocol::ValidReady)
    }
}

accessors!(TlpStream {
    /// The source has a beat.
    valid = 0,
    /// The sink takes it.
    ready = 1,
    /// The beat starts a packet.
    sop = 2,
    /// The beat ends a packet.
    eop = 3,
    /// The beat's DWs, DW0 in bits 31:0.
    data = 4,
    /// Which DWs of the beat are valid.
    keep = 5,
});

/// An AXI4-Lite port, from the manager's side: the write address, write
/// data, write response, read address and read data channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Axi4Lite {
    /// Width of `awaddr` and `araddr`.
    pub addr_width: u32,
    /// Width of `wdata` and `rdata` (32 or 64).
    pub data_width: u32,
}

impl Axi4Lite {
    /// An AXI4-Lite port with `addr_width`-bit addresses and
    /// `data_width`-bit data.
    pub fn new(addr_width: u32, data_width: u32) -> Axi4Lite {
        Axi4Lite {
            addr_width,
            data_width,
        }
    }
}

impl Bundle for Axi4Lite {
    fn fields(&self) -> Vec<Field> {
        let (aw, dw) = (self.addr_width, self.data_width);
        vec![
            Field::forward("awaddr", aw),
            Field::forward("awvalid", 1),
            Field::backward("awready", 1),
            Field::forward("wdata", dw),
            Field::forward("wstrb", (dw / 8).max(1)),
            Field::forward("wvalid", 1),
            Field::backward("wready", 1),
            Field::backward("bresp", 2),
            Field::backward("bvalid", 1),
            Field::forward("bready", 1),
            Field::forward("araddr", aw),
            Field::forward("arvalid", 1),
            Field::backward("arready", 1),
            Field::backward("rdata", dw),
            Field::backward("rresp", 2),
            Field::backward("rvalid", 1),
            Field::forward("rready", 1),
        ]
    }

    fn protocol(&self) -> Option<Protocol> {
        Some(Protocol::Axi4Lite)
    }
}

accessors!(Axi4Lite {
    /// Write address.
    awaddr = 0,
    /// Write address valid.
    awvalid = 1,
    /// Write address ready.
    awready = 2,
    /// Write data.
    wdata = 3,
    /// Write byte strobes.
    wstrb = 4,
    /// Write data valid.
    wvalid = 5,
    /// Write data ready.
    wready = 6,
    /// Write response (OKAY 0, SLVERR 2, DECERR 3).
    bresp = 7,
    /// Write response valid.
    bvalid = 8,
    /// Write response ready.
    bready = 9,
    /// Read address.
    araddr = 10,
    /// Read address valid.
    arvalid = 11,
    /// Read address ready.
    arready = 12,
    /// Read data.
    rdata = 13,
    /// Read response.
    rresp = 14,
    /// Read data valid.
    rvalid = 15,
    /// Read data ready.
    rready = 16,
});
