//! `Sim::drive` against poke, step and peek, on both engines: random
//! two-domain designs (a memory, a synchronizer, an asynchronous reset)
//! and the benchmark's random netlists under random stimulus. Each cycle
//! the outputs read in the closure before and after setting the inputs
//! equal what peeks show at the same points; after inputs set once more
//! every signal agrees, and the two runs write byte-identical waveforms.
//!
//! `PROPTEST_CASES=N` runs more cases than the 16 CI runs.

mod designs;

use designs::random::two_domain_designs;
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::{Bits, Design};
use linkforge_verif::bench::designs::{random_netlist, RandomNetlist};
use linkforge_verif::{Engine, Sim};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

/// The top module's ports of `kind`, with their widths.
fn ports(design: &Design, kind: SignalKind) -> Vec<(String, u32)> {
    let top = design.top();
    top.signals
        .iter()
        .filter(|s| s.kind == kind)
        .map(|s| (s.name.clone(), s.width))
        .collect()
}

/// The stimulus of one cycle: a value per data input (inputs named like a
/// reset high in the first two cycles).
fn stimulus(inputs: &[(String, u32)], cycle: u64, rng: &mut u64) -> Vec<Bits> {
    inputs
        .iter()
        .map(|(name, width)| {
            if name.contains("rst") {
                return Bits::from_u64_wrapping(u64::from(cycle < 2), *width);
            }
            let words: Vec<u64> = (0..width.div_ceil(64))
                .map(|_| {
                    *rng = linkforge_verif::models::xorshift::xorshift64(*rng);
                    *rng
                })
                .collect();
            Bits::from_words(&words, *width)
        })
        .collect()
}

/// A simulator of `design` on `engine`, its clocks interleaving, tracing
/// to `wave`.
fn sim(design: &Design, engine: Engine, wave: &std::path::Path) -> Sim {
    let mut sim = Sim::with_engine(design, engine).expect("the design simulates");
    let clocks: Vec<String> = sim.clocks().map(str::to_string).collect();
    for (i, c) in clocks.iter().enumerate() {
        sim.clock(c, 1000 + 370 * i as u64, 0).expect("clock");
    }
    sim.trace(wave).expect("trace");
    sim
}

/// Runs `design` for `cycles` through `drive` and through pokes and peeks,
/// and compares what each saw.
fn compare(design: &Design, cycles: u64, seed: u64) -> Result<(), String> {
    let inputs = ports(design, SignalKind::Input { clock: false });
    let outputs = ports(design, SignalKind::Output);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for engine in Engine::ALL {
        let (driven_wave, poked_wave) = (dir.path().join("d.vcd"), dir.path().join("p.vcd"));
        let mut driven = sim(design, engine, &driven_wave);
        let mut poked = sim(design, engine, &poked_wave);
        let err = |e: linkforge_verif::SimError| e.to_string();

        // Through pokes and peeks: the outputs before and after setting the
        // inputs, each cycle.
        let mut expected = Vec::new();
        let mut rng = seed | 1;
        for cycle in 0..cycles {
            let values = stimulus(&inputs, cycle, &mut rng);
            for (name, _) in &outputs {
                expected.push(poked.peek_bits(name).map_err(err)?);
            }
            for ((name, _), v) in inputs.iter().zip(&values) {
                poked.poke_bits(name, v).map_err(err)?;
            }
            for (name, _) in &outputs {
                expected.push(poked.peek_bits(name).map_err(err)?);
            }
            poked.step().map_err(err)?;
        }

        // Through a drive closure.
        let ins = inputs
            .iter()
            .map(|(n, _)| driven.input_port(n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let outs = outputs
            .iter()
            .map(|(n, w)| Ok((driven.output_port(n)?, *w)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let mut seen = Vec::new();
        let (mut rng, mut cycle) = (seed | 1, 0);
        driven
            .drive(cycles, |io| {
                let values = stimulus(&inputs, cycle, &mut rng);
                for &(o, w) in &outs {
                    seen.push(Bits::from_words(io.get_words(o), w));
                }
                for (&i, v) in ins.iter().zip(&values) {
                    match v.words() {
                        [w] => io.set(i, *w),
                        words => {
                            for (k, &w) in words.iter().enumerate() {
                                io.set_word(i, k, w);
                            }
                        }
                    }
                }
                for &(o, w) in &outs {
                    seen.push(Bits::from_words(io.get_words(o), w));
                }
                cycle += 1;
            })
            .map_err(err)?;

        if let Some(k) = (0..expected.len()).find(|&k| expected[k] != seen[k]) {
            let n = 2 * outputs.len();
            return Err(format!(
                "{engine}: cycle {}, `{}` ({} setting the inputs): peeked {:?}, drive read {:?}",
                k / n,
                outputs[k % n % outputs.len()].0,
                if k % n < outputs.len() {
                    "before"
                } else {
                    "after"
                },
                expected[k],
                seen[k]
            ));
        }
        // Inputs set after the last edge reach the signals and the waveform.
        let values = stimulus(&inputs, cycles, &mut rng);
        let mut io = driven.ports();
        for (((name, _), &i), v) in inputs.iter().zip(&ins).zip(&values) {
            poked.poke_bits(name, v).map_err(err)?;
            for (k, &w) in v.words().iter().enumerate() {
                io.set_word(i, k, w);
            }
        }
        drop(io);
        let names: Vec<String> = poked.signals().map(|(n, _)| n.to_string()).collect();
        for name in &names {
            let (a, b) = (poked.peek_bits(name), driven.peek_bits(name));
            if a.as_ref().ok() != b.as_ref().ok() {
                return Err(format!("{engine}: `{name}` ends {a:?} poked, {b:?} driven"));
            }
        }
        poked.close_trace().map_err(err)?;
        driven.close_trace().map_err(err)?;
        let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| e.to_string());
        if read(&poked_wave)? != read(&driven_wave)? {
            return Err(format!("{engine}: the waveforms differ"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn drive_sees_and_sets_what_pokes_and_peeks_do_on_two_domain_designs(
        design in two_domain_designs(),
        seed in any::<u64>(),
    ) {
        compare(&design, 40, seed).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn drive_sees_and_sets_what_pokes_and_peeks_do_on_random_netlists(
        seed in any::<u64>(),
        depth in 1u32..=5,
    ) {
        let shape = RandomNetlist { seed, registers: 100, depth, ..RandomNetlist::default() };
        let design = random_netlist(&shape).map_err(|e| TestCaseError::fail(e.to_string()))?;
        compare(&design, 30, seed).map_err(TestCaseError::fail)?;
    }
}
