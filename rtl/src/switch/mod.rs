//! Fabric switch blocks: crossbar, queues, schedulers, credit flow control,
//! routing and the composed switch.

pub mod crossbar;
