//! Behavioural models used as stimulus and reference: analog channels that
//! turn symbol streams into ADC samples, traffic sources and memories. They
//! are test models, not RTL.
pub mod channel;
pub mod params;
pub mod serial;
pub mod xorshift;
