//! # linkforge-verif: verification of linkforge designs
//!
//! Everything that judges a design rather than describes or runs it:
//! - [`tb`]: a testbench per block kind, mirroring the families of
//!   `linkforge-rtl` (stimulus, reference models, scoreboards, metrics),
//!   behind one [`tb::Testbench`] contract and one kind-to-testbench table;
//! - [`check`]: a testbench as a property over random stimuli, with
//!   shrinking and a waveform of the minimal failing case;
//! - [`props`]: temporal properties over a waveform sampled on a clock, the
//!   interface rule sets, and the same rules on a live run;
//! - [`models`]: behavioural models (channels, serial links, random
//!   sources) used as stimulus and reference;
//! - [`cosim`]: the same stimulus on the built-in simulator, Icarus and
//!   Verilator; [`formal`] and [`synth`]: the proof and synthesis flows;
//! - [`mod@bench`]: the simulator's speed against its peers;
//! - [`tools`] and [`testenv`]: the external Verilog tools, and how `CI`
//!   and `LINKFORGE_BLESS` steer the tests.
//!
//! The simulation engine is the `linkforge-sim` crate, re-exported here so
//! one dependency gives a testbench everything it needs.

pub mod bench;
pub mod check;
pub mod cosim;
pub mod formal;
pub mod models;
pub mod props;
pub mod synth;
pub mod tb;
pub mod testenv;
pub mod tools;

pub use linkforge_sim::{
    self as sim, files, wave, AssertionFailure, Compiled, Engine, SignalHandle, Sim, SimError, Size,
};
