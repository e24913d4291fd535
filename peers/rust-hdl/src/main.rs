//! linkforge bench's rust-hdl peer: the reference designs that are small
//! enough to write in rust-hdl, driven by the bench's stimulus protocol (see
//! `linkforge_verif::bench`) with rust-hdl's own settle loop
//! ([`simulate`]) and no testbench threads.
//!
//! `linkforge-rust-hdl-peer --list` prints the designs, one a line;
//! `linkforge-rust-hdl-peer NAME CYCLES` runs one and prints
//! `LINKFORGE_BENCH <cycles> <checksum, 16 hex digits> <seconds>`.
//!
//! Each model keeps the port order of linkforge's design of the same name,
//! so the stimulus lands on the same ports and the checksums compare.

mod counter;
mod crossbar;

use linkforge_verif::bench::{xorshift64, SEED};
use rust_hdl::prelude::*;
use std::time::Instant;

/// A design under the stimulus protocol: reset, inputs and outputs as 64-bit
/// words in linkforge's port order.
trait Model: Block {
    /// Sets the synchronous reset input.
    fn set_reset(&mut self, high: bool);
    /// Sets the clock input.
    fn set_clock(&mut self, high: bool);
    /// Sets every data input, drawing one word per input from `draw`.
    fn set_inputs(&mut self, draw: &mut dyn FnMut(u64) -> u64);
    /// Folds every output into `checksum`.
    fn fold_outputs(&self, checksum: u64) -> u64;
}

/// Settles `uut` after a change of its inputs.
fn settle(uut: &mut impl Block) {
    assert!(simulate(uut, 100), "the model did not settle");
}

/// Runs `cycles` cycles of the stimulus protocol (reset in cycle 0) and
/// returns the checksum and the seconds of the loop.
fn run(mut uut: impl Model, cycles: u64) -> (u64, f64) {
    uut.connect_all();
    settle(&mut uut);
    let (mut x, mut checksum) = (SEED, 0u64);
    let start = Instant::now();
    for cycle in 0..cycles {
        uut.set_clock(false);
        uut.set_reset(cycle == 0);
        uut.set_inputs(&mut |mask| {
            x = xorshift64(x);
            x & mask
        });
        settle(&mut uut);
        uut.set_clock(true);
        settle(&mut uut);
        checksum = uut.fold_outputs(checksum);
    }
    (checksum, start.elapsed().as_secs_f64())
}

/// The designs this peer models, as linkforge bench names them.
const DESIGNS: [&str; 2] = ["counter", "crossbar"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--list") {
        DESIGNS.iter().for_each(|d| println!("{d}"));
        return;
    }
    let (Some(name), Some(Ok(cycles))) = (args.first(), args.get(1).map(|c| c.parse::<u64>()))
    else {
        eprintln!("usage: linkforge-rust-hdl-peer --list | NAME CYCLES");
        std::process::exit(2);
    };
    let (checksum, seconds) = match name.as_str() {
        "counter" => run(counter::Counter::default(), cycles),
        "crossbar" => run(crossbar::Crossbar::default(), cycles),
        _ => {
            eprintln!("no model of `{name}` (known: {})", DESIGNS.join(", "));
            std::process::exit(2);
        }
    };
    println!("LINKFORGE_BENCH {cycles} {checksum:016x} {seconds:.9}");
}
