//! # linkforge-verif: verification of linkforge designs
//!
//! This crate holds everything that runs or checks a design rather than
//! describes it: the built-in cycle simulator ([`sim`]), waveforms (VCD or FST
//! files whose scopes mirror the hierarchy, with a GTKWave `.gtkw` save file
//! and FSM state-name filters), the testbench API (handles to poke and peek,
//! step and run, assertions checked every cycle), co-simulation of the
//! generated Verilog against Icarus and Verilator ([`cosim`]), the simulator
//! benchmark against those peers ([`mod@bench`]), and behavioural models
//! (channels, traffic, memories) used as stimulus and scoreboards.

pub mod bench;
pub mod cosim;
pub mod files;
pub mod formal;
pub mod models;
pub mod sim;
pub mod synth;
pub mod tools;
pub mod trace;
pub mod wave;

pub use sim::{AssertionFailure, Engine, SignalHandle, Sim, SimError};
