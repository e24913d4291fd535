//! Differential co-simulation: the built-in simulator and Icarus, running the
//! emitted Verilog, agree on every output at every cycle for the golden
//! designs and for random designs.
//!
//! `PROPTEST_CASES=N` runs more random designs than the 200 CI runs.

mod common;
mod designs;

use designs::random::{random_module, shape};
use linkforge_hdl::{Bits, Design};
use linkforge_verif::cosim::{self, icarus};
use proptest::prelude::*;

/// xorshift64: the stimulus generator (seeded, deterministic).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bits(&mut self, width: u32) -> Bits {
        let words: Vec<u64> = (0..linkforge_hdl::words_for(width))
            .map(|_| self.next())
            .collect();
        Bits::from_words(&words, width)
    }
}

/// Random inputs for `cycles` cycles; an input named `rst` is high for the
/// first two cycles and then rarely, `rst_n` the opposite.
fn stimulus(design: &Design, clock: &str, cycles: usize, seed: u64) -> Vec<Vec<Bits>> {
    let mut rng = XorShift(seed | 1);
    let ins = icarus::data_inputs(design.top(), clock);
    (0..cycles)
        .map(|c| {
            ins.iter()
                .map(|(name, w)| {
                    let reset = c < 2 || rng.next() % 32 == 0;
                    match *name {
                        "rst" => Bits::from_u64(reset as u64, 1).expect("1 bit"),
                        "rst_n" => Bits::from_u64(!reset as u64, 1).expect("1 bit"),
                        _ => rng.bits(*w),
                    }
                })
                .collect()
        })
        .collect()
}

fn agree(design: &Design, cycles: usize, seed: u64) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let stim = stimulus(design, "clk", cycles, seed);
    match cosim::against_icarus(design, "clk", &stim, dir.path()) {
        Ok(None) => Ok(()),
        Ok(Some(m)) => Err(format!("{}: {m}", design.top_name())),
        Err(e) => Err(format!("{}: {e}", design.top_name())),
    }
}

#[test]
fn golden_designs_agree_with_icarus() {
    if !common::have("iverilog") {
        return;
    }
    let mut errors = Vec::new();
    for (name, module) in designs::golden() {
        let design = Design::new(module).expect("golden designs are valid");
        if design.top().port("clk").is_none() {
            // Designs with other clocking are checked by the simulator's own tests.
            eprintln!("{name}: no `clk` port, not co-simulated here");
            continue;
        }
        errors.extend(agree(&design, 300, 0x5eed).err());
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn random_designs_agree_with_icarus(
        widths in prop::collection::vec(1u32..=200, 1..=4),
        s in shape(),
        seed in any::<u64>(),
    ) {
        if !common::have("iverilog") {
            return Ok(());
        }
        let module = random_module(&widths, &s, true).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let design = Design::new(module).map_err(|e| TestCaseError::fail(e.to_string()))?;
        agree(&design, 20, seed).map_err(TestCaseError::fail)?;
    }
}
