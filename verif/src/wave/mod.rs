//! Waveforms. [`vcd`] writes Value Change Dump files (through the `vcd`
//! crate) whose scopes mirror the design hierarchy; the simulator drives it
//! from [`crate::Sim::trace_vcd`].

pub(crate) mod vcd;
