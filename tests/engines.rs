//! The native engine against the interpreter, its reference: random designs
//! over every operator and width (two clock domains, a memory, a
//! synchronizer), the benchmark's random netlists, and every block of the
//! IP catalogue under random stimulus. Every signal must have the same value
//! after every edge, and assertions must fail at the same edges.
//!
//! `PROPTEST_CASES=N` runs more cases than the 32 CI runs.

mod designs;

use designs::random::{comb_module, shape, two_domain_designs};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::{Bits, Design};
use linkforge_rtl::catalog::{catalog, Params};
use linkforge_verif::bench::designs::{random_netlist, RandomNetlist};
use linkforge_verif::{Engine, Sim};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32)
}

/// A simulator of `design` per engine, with the same clocks: clock `i`
/// gets a period of `1000 + 370 * i` ps so several domains interleave.
fn sims(design: &Design) -> Vec<Sim> {
    Engine::ALL
        .iter()
        .map(|&e| {
            let mut sim = Sim::with_engine(design, e).expect("the design simulates");
            let clocks: Vec<String> = sim.clocks().map(str::to_string).collect();
            for (i, c) in clocks.iter().enumerate() {
                sim.clock(c, 1000 + 370 * i as u64, 0).expect("clock");
            }
            sim
        })
        .collect()
}

/// The top module's data inputs (clocks excluded) with their widths.
fn data_inputs(design: &Design) -> Vec<(String, u32)> {
    let top = design.top();
    top.signals
        .iter()
        .filter(|s| s.kind == SignalKind::Input { clock: false })
        .map(|s| (format!("{}.{}", top.name, s.name), s.width))
        .collect()
}

/// The top module's outputs.
fn outputs(design: &Design) -> Vec<String> {
    let top = design.top();
    top.signals
        .iter()
        .filter(|s| s.kind == SignalKind::Output)
        .map(|s| format!("{}.{}", top.name, s.name))
        .collect()
}

/// A random value of `width` bits from `rng`.
fn random_bits(rng: &mut u64, width: u32) -> Bits {
    let words: Vec<u64> = (0..width.div_ceil(64))
        .map(|_| {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            *rng
        })
        .collect();
    Bits::from_words(&words, width)
}

/// Runs both engines on `design` for `cycles` edges with the same random
/// stimulus (inputs named like a reset are held high for the first two
/// edges), comparing after each edge: on odd edges only the outputs (the
/// outputs-only settling path), on even ones every signal.
fn compare_engines(design: &Design, cycles: u64, seed: u64) -> Result<(), String> {
    let mut sims = sims(design);
    let inputs = data_inputs(design);
    let outputs = outputs(design);
    let all: Vec<String> = sims[0].signals().map(|(n, _)| n.to_string()).collect();
    let mut rng = seed | 1;
    for cycle in 0..cycles {
        for (name, width) in &inputs {
            let is_reset = name.rsplit('.').next().is_some_and(|n| n.contains("rst"));
            let value = if is_reset {
                Bits::from_u64_wrapping(u64::from(cycle < 2), *width)
            } else {
                random_bits(&mut rng, *width)
            };
            for sim in &mut sims {
                sim.poke_bits(name, &value).map_err(|e| e.to_string())?;
            }
        }
        let results: Vec<String> = sims
            .iter_mut()
            .map(|s| match s.step() {
                Ok(()) => "ok".to_string(),
                Err(e) => e.to_string(),
            })
            .collect();
        if results[0] != results[1] {
            return Err(format!("edge {cycle}: {results:?}"));
        }
        let names = if cycle % 2 == 1 { &outputs } else { &all };
        for name in names {
            let values: Vec<Bits> = sims
                .iter_mut()
                .map(|s| s.peek_bits(name).expect("signal"))
                .collect();
            if values[0] != values[1] {
                return Err(format!(
                    "edge {cycle}: `{name}` is {:?} interpreted but {:?} native",
                    values[0], values[1]
                ));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn engines_agree_on_random_expressions(
        widths in prop::collection::vec(1u32..=200, 1..=4),
        s in shape(),
        seed in any::<u64>(),
    ) {
        let module = comb_module(&widths, &s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let design = Design::new(module).map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare_engines(&design, 4, seed).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn engines_agree_on_random_two_domain_designs(
        design in two_domain_designs(),
        seed in any::<u64>(),
    ) {
        compare_engines(&design, 40, seed).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn engines_agree_on_random_netlists(seed in any::<u64>(), depth in 1u32..=5) {
        let shape = RandomNetlist { seed, registers: 200, depth, ..RandomNetlist::default() };
        let design = random_netlist(&shape).map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare_engines(&design, 30, seed).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn engines_agree_on_every_catalogue_block() {
    let mut failures = Vec::new();
    for kind in catalog() {
        let module = match (kind.build)(kind.name, &Params::defaults(&kind.params)) {
            Ok(m) => m,
            Err(e) => panic!("{}: {e}", kind.name),
        };
        let design = Design::new(module).expect("catalogue blocks are legal");
        if let Err(e) = compare_engines(&design, 60, 0x5eed) {
            failures.push(format!("{}: {e}", kind.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_engine_variable_picks_the_engine_and_rejects_unknown_names() {
    assert_eq!(Engine::parse("interpreter").unwrap(), Engine::Interpreter);
    assert_eq!(Engine::parse("native").unwrap(), Engine::Native);
    let e = Engine::parse("verilator").unwrap_err().to_string();
    assert!(
        e.contains("`verilator`") && e.contains("interpreter, native"),
        "{e}"
    );
}
