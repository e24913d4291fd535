//! Testbenches of the common blocks, and their reference models.

pub mod blocks;
pub mod crc;
pub mod fifo;
pub mod model;
