//! # linkforge-hdl: the embedded HDL
//!
//! Hardware is described by ordinary Rust run at elaboration time: widths,
//! lane and port counts are plain integers from a config. A
//! [`ModuleBuilder`] declares ports, wires, registers, memories and instances;
//! [`Expr`] values are built with operators (`a + b`, `a & b`, `a.eq(b)`,
//! `x.slice(7, 0)`, [`cat!`], [`mux`]); structured control (`when`, `switch`,
//! FSMs) lowers to one multiplexer tree per signal, so latches cannot be
//! written. [`ModuleBuilder::finish`] runs the checks in [`check`] and returns
//! typed errors that name the generator's file and line. A [`Design`] gathers
//! a top module and its sub-modules for the back-ends: [`verilog`] writes
//! Verilog-2005 that Icarus, Verilator and Yosys accept without a warning.
//!
//! ```
//! use linkforge_hdl::prelude::*;
//!
//! let mut m = ModuleBuilder::new("counter").param("w", 8);
//! let _clk = m.clock("clk");
//! let _rst = m.reset("rst");
//! let en = m.input("en", 1);
//! let count = m.output("count", 8);
//! let q = m.reg("q", 8).reset(0);
//! m.when(en, |m| m.next(q, q + 1));
//! m.assign(count, q);
//! let design = Design::new(m.finish()?)?;
//! let verilog = linkforge_hdl::verilog::emit(&design);
//! assert!(verilog.contains("module counter_w8"));
//! # Ok::<(), linkforge_hdl::HdlError>(())
//! ```

mod bits;
mod builder;
pub mod bundle;
pub mod check;
mod design;
mod error;
mod expr;
pub mod ir;
mod loc;
mod lower;
pub mod suggest;
pub mod verilog;

pub use bits::{bits_for, words_for, Bits, MAX_WIDTH};
pub use builder::{
    high, low, CaseLabel, Clock, Domain, FsmHandle, InstanceHandle, MemoryHandle, ModuleBuilder,
    RegBuilder, Reset, State, SwitchBuilder, WhenChain,
};
pub use design::Design;
pub use error::{Diagnostic, ErrorKind, HdlError, LoopStep};
pub use expr::{concat, constant, lit, mux, select, Expr, Operand, Signal, Value};
pub use ir::{AssertionKind, Interface, Module, Protocol};
pub use loc::SourceLoc;

/// Everything a generator usually needs: `use linkforge_hdl::prelude::*;`.
pub mod prelude {
    pub use crate::bundle::{Axi4Lite, Bundle, Stream, TlpStream};
    pub use crate::{
        bits_for, cat, concat, constant, high, lit, low, mux, select, Bits, Clock, Design, Domain,
        Expr, HdlError, Module, ModuleBuilder, Protocol, Reset, Signal, Value,
    };
}
