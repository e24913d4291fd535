//! Testbenches of the common blocks, and their reference models
//! ([`model`]).

pub mod crc;
pub mod model;
