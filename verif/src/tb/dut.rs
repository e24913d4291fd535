//! The design under test as a testbench drives it: its top-level ports by
//! name, each name with a prefix in front (empty for a block on its own;
//! `NAME_` for a block inside a card, whose ports the card renames).

use crate::{SignalHandle, Sim, SimError};
use linkforge_hdl::Bits;

/// A simulated design's ports, named with a prefix.
pub struct Dut<'a> {
    sim: &'a mut Sim,
    prefix: &'a str,
}

impl<'a> Dut<'a> {
    /// The ports of `sim`'s top module as they are named.
    pub fn new(sim: &'a mut Sim) -> Dut<'a> {
        Dut { sim, prefix: "" }
    }

    /// The ports named `prefix` + port in `sim`'s top module.
    pub fn prefixed(sim: &'a mut Sim, prefix: &'a str) -> Dut<'a> {
        Dut { sim, prefix }
    }

    /// The handle of port `name` (the prefix is added).
    pub fn handle(&mut self, name: &str) -> Result<SignalHandle, SimError> {
        self.sim.signal(&format!("{}{name}", self.prefix))
    }

    /// Sets an input of up to 64 bits.
    pub fn poke(&mut self, h: SignalHandle, value: u64) -> Result<(), SimError> {
        self.sim.poke_handle(h, value)
    }

    /// Sets an input of any width.
    pub fn poke_bits(&mut self, h: SignalHandle, value: &Bits) -> Result<(), SimError> {
        self.sim.poke_bits_handle(h, value)
    }

    /// Reads a port of up to 64 bits.
    pub fn peek(&mut self, h: SignalHandle) -> u64 {
        self.sim.peek_handle(h)
    }

    /// Reads a port of any width.
    pub fn peek_bits(&mut self, h: SignalHandle) -> Bits {
        self.sim.peek_bits_handle(h)
    }

    /// Simulates one rising clock edge.
    pub fn step(&mut self) -> Result<(), SimError> {
        self.sim.step()
    }
}
