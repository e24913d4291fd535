//! Memories with synchronous write and read ports, in the shape FPGA tools
//! infer as block RAM.

use super::ModuleBuilder;
use crate::bits::bits_for;
use crate::error::ErrorKind;
use crate::expr::{lit, Expr, Operand, Signal};
use crate::ir::{SignalId, SignalKind};
use crate::loc::SourceLoc;

/// The largest memory depth, in words.
pub const MAX_DEPTH: u32 = 1 << 24;

#[derive(Debug)]
pub(crate) struct WritePortDecl {
    pub clock: Option<SignalId>,
    pub enable: Expr,
    pub addr: Expr,
    pub data: Expr,
    pub loc: SourceLoc,
}

#[derive(Debug)]
pub(crate) struct ReadPortDecl {
    pub clock: Option<SignalId>,
    pub enable: Expr,
    pub addr: Expr,
    pub data: Signal,
    pub loc: SourceLoc,
}

#[derive(Debug)]
pub(crate) struct MemoryDecl {
    pub name: String,
    pub width: u32,
    pub depth: u32,
    pub writes: Vec<WritePortDecl>,
    pub reads: Vec<ReadPortDecl>,
    pub loc: SourceLoc,
}

/// A memory of the module being built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryHandle {
    index: u32,
    width: u32,
    depth: u32,
}

impl MemoryHandle {
    /// Word width.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Number of words.
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Address width (enough bits for `depth` words).
    pub fn addr_width(&self) -> u32 {
        bits_for(self.depth as usize)
    }
}

impl ModuleBuilder {
    /// A memory of `depth` words of `width` bits (contents start at zero in simulation).
    #[track_caller]
    pub fn memory(&mut self, name: impl Into<String>, width: u32, depth: u32) -> MemoryHandle {
        let loc = SourceLoc::caller();
        let name = name.into();
        if depth == 0 || depth > MAX_DEPTH {
            self.error(
                ErrorKind::Invalid(format!(
                    "memory `{name}` has depth {depth}; depths must be 1..={MAX_DEPTH}"
                )),
                loc,
            );
        }
        if width == 0 || width > crate::MAX_WIDTH {
            self.error(
                ErrorKind::Width(format!(
                    "memory `{name}` is {width} bits wide; widths must be 1..={}",
                    crate::MAX_WIDTH
                )),
                loc,
            );
        }
        let index = self.memories.len() as u32;
        self.memories.push(MemoryDecl {
            name,
            width,
            depth,
            writes: Vec::new(),
            reads: Vec::new(),
            loc,
        });
        MemoryHandle {
            index,
            width,
            depth,
        }
    }

    /// A write port in the current clock domain: when the enclosing `when`
    /// conditions hold, `mem[addr] <= data` at the clock edge. An address at or
    /// past the depth writes nothing.
    #[track_caller]
    pub fn mem_write(
        &mut self,
        mem: MemoryHandle,
        addr: impl Into<Operand>,
        data: impl Into<Operand>,
    ) {
        let loc = SourceLoc::caller();
        let enable = self.path_condition().unwrap_or_else(|| lit(1, 1));
        let clock = self.current_domain().map(|d| d.clock.signal().id());
        self.memories[mem.index as usize]
            .writes
            .push(WritePortDecl {
                clock,
                enable,
                addr: addr.into().sized(mem.addr_width()),
                data: data.into().sized(mem.width),
                loc,
            });
    }

    /// A read port in the current clock domain: when `enable` (and the enclosing
    /// `when` conditions) hold and `addr` is below the depth, the returned
    /// register `name` loads `mem[addr]` at the clock edge; otherwise it keeps its value.
    #[track_caller]
    pub fn mem_read(
        &mut self,
        mem: MemoryHandle,
        name: impl Into<String>,
        addr: impl Into<Operand>,
        enable: impl Into<Expr>,
    ) -> Signal {
        let loc = SourceLoc::caller();
        let enable = match self.path_condition() {
            Some(p) => p & enable.into(),
            None => enable.into(),
        };
        let clock = self.current_domain().map(|d| d.clock.signal().id());
        let port = self.memories[mem.index as usize].reads.len() as u32;
        let data = self.declare(
            name.into(),
            mem.width,
            SignalKind::MemoryRead {
                memory: mem.index,
                port,
            },
            None,
            loc,
        );
        self.memories[mem.index as usize].reads.push(ReadPortDecl {
            clock,
            enable,
            addr: addr.into().sized(mem.addr_width()),
            data,
            loc,
        });
        data
    }
}
