//! Shared by the switch tests: the simulator behind the switch bench.

#![allow(dead_code)]

use linkforge_hdl::{Bits, Design};
use linkforge_rtl::switch::bench::{Bench, BenchFailure, BenchOptions, BenchReport, SwitchIo};
use linkforge_rtl::switch::switch::{switch, SwitchConfig};
use linkforge_rtl::switch::traffic::TrafficConfig;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::{SignalHandle, Sim, SimError};

/// The simulator as the bench sees it.
pub struct SimIo(pub Sim);

impl SwitchIo for SimIo {
    type Handle = SignalHandle;
    type Error = SimError;

    fn handle(&mut self, name: &str) -> Result<SignalHandle, SimError> {
        self.0.signal(name)
    }

    fn poke(&mut self, h: SignalHandle, value: u64) -> Result<(), SimError> {
        self.0.poke_handle(h, value)
    }

    fn poke_bits(&mut self, h: SignalHandle, value: &Bits) -> Result<(), SimError> {
        self.0.poke_bits_handle(h, value)
    }

    fn peek(&mut self, h: SignalHandle) -> u64 {
        self.0.peek_handle(h)
    }

    fn peek_bits(&mut self, h: SignalHandle) -> Bits {
        self.0.peek_bits_handle(h)
    }

    fn step(&mut self) -> Result<(), SimError> {
        self.0.step()
    }
}

/// Builds `cfg`, runs the bench for `cycles` with words from `seed`.
pub fn run_bench(
    cfg: &SwitchConfig,
    traffic: TrafficConfig,
    options: BenchOptions,
    cycles: u64,
    seed: u64,
) -> Result<BenchReport, BenchFailure> {
    let design = Design::new(switch("sw", cfg).expect("the switch builds")).expect("valid design");
    let mut io = SimIo(Sim::new(&design).expect("the simulator compiles the switch"));
    let mut rng = XorShift::new(seed);
    let mut words = std::iter::from_fn(move || Some(rng.word()));
    Bench::new(cfg.clone(), traffic, options).run(&mut io, cycles, &mut words, &mut |_| {})
}
