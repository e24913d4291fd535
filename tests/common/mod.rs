//! The external tools, for the end-to-end tests.

#![allow(unused_imports)]

pub use linkforge_verif::tools::*;
