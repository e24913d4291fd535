//! Testbenches of the common blocks.

pub mod crc;
