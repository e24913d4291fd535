//! # linkforge-verif: verification of linkforge designs
//!
//! This crate holds everything that runs or checks a design rather than
//! describes it: the built-in cycle simulator ([`sim`]), waveforms (VCD files
//! whose scopes mirror the hierarchy), the testbench API (handles to poke and
//! peek, step and run, assertions checked every cycle), co-simulation of the
//! generated Verilog against Icarus and Verilator, and behavioural models
//! (channels, traffic, memories) used as stimulus and scoreboards.

pub mod cosim;
pub mod sim;
mod wave;

pub use sim::{AssertionFailure, SignalHandle, Sim, SimError};
