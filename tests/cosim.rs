//! Differential co-simulation: the built-in simulator, Icarus and Verilator,
//! running the emitted Verilog, agree on every output at every step for the
//! golden designs, for every variant of `examples/catalog.lf` and one random
//! legal variant of every block kind, and for random designs with two clock domains, a memory and a
//! synchronizer; at least 95% of the samples after settling are compared.
//!
//! `PROPTEST_CASES=N` runs more random designs on Icarus than the 200 CI
//! runs; `LINKFORGE_VERILATOR_CASES=N` more on Verilator than the 50 CI runs
//! (each is a C++ build; with ccache installed, a few seconds).

mod common;
mod designs;

use designs::random::{shape, two_domain_module, Shape};
use linkforge_hdl::{Bits, Design};
use linkforge_verif::cosim::{self, ClockSpec, Peer, Stimulus};
use linkforge_verif::models::params;
use linkforge_verif::models::xorshift::XorShift;
use linkforge_verif::tb::{self, InputRole};
use proptest::prelude::*;

/// Steps every reset is held at the start: each of two clocks rises at
/// least three times, so that a synchronizer samples the other domain's
/// registers after their reset (before it, a four-state simulator holds
/// them unknown while the others hold zero).
const RESET_STEPS: usize = 8;

/// Random data inputs for `steps` steps. Resets ([`tb::input_role`]) are
/// asserted in the first [`RESET_STEPS`] steps and then rarely.
fn stimulus(design: &Design, clocks: Vec<ClockSpec>, steps: usize, seed: u64) -> Stimulus {
    let mut rng = XorShift::new(seed);
    let ins = cosim::data_inputs(design.top());
    let values = (0..steps)
        .map(|s| {
            ins.iter()
                .map(|(name, w)| match tb::input_role(name) {
                    InputRole::Reset { active_low } => {
                        let asserted = s < RESET_STEPS || rng.word() % 32 == 0;
                        Bits::from_u64((asserted != active_low) as u64, 1).expect("1 bit")
                    }
                    InputRole::Data => rng.bits(*w),
                })
                .collect()
        })
        .collect();
    Stimulus::new(clocks, values)
}

/// The design's clocks: the first at 1000 ps, the others at `other_period`
/// with `other_phase`.
fn clocks(design: &Design, other_period: u64, other_phase: u64) -> Vec<ClockSpec> {
    cosim::clock_inputs(design.top())
        .iter()
        .enumerate()
        .map(|(i, (name, _))| ClockSpec {
            name: name.to_string(),
            period_ps: if i == 0 { 1000 } else { other_period },
            phase_ps: if i == 0 { 0 } else { other_phase },
        })
        .collect()
}

/// Compares `design` under `stim` on `peer`; a failure keeps the Verilog,
/// harness and stimulus and names their folder.
fn agree(design: &Design, stim: &Stimulus, peer: Peer) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let verdict = cosim::compare(design, stim, peer, dir.path())
        .map_err(|e| e.to_string())
        .and_then(|c| c.verdict());
    verdict.map_err(|why| {
        let kept = dir.keep();
        format!(
            "{} on {peer:?}: {why} (files in {})",
            design.top_name(),
            kept.display()
        )
    })
}

fn golden_on(peer: Peer) {
    let mut errors = Vec::new();
    for (_, module) in designs::golden() {
        let design = Design::new(module).expect("golden designs are valid");
        let stim = stimulus(&design, clocks(&design, 1003, 500), 300, 0x5eed);
        errors.extend(agree(&design, &stim, peer).err());
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn golden_designs_agree_with_icarus() {
    if common::have("iverilog") {
        golden_on(Peer::Icarus);
    }
}

#[test]
fn golden_designs_agree_with_verilator() {
    if common::have("verilator") {
        golden_on(Peer::Verilator);
    }
}

/// Every variant of `examples/catalog.lf` and one random legal variant of
/// every kind (`models::params`, seed `LINKFORGE_SEED` or one per run,
/// printed) on `peer`, 200 steps of random stimulus each; skipped without
/// the tool outside CI.
fn catalogue_on(peer: Peer, tool: &str) {
    if !common::have(tool) {
        return;
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let src =
        std::fs::read_to_string(root.join("examples/catalog.lf")).expect("the example catalogue");
    let kinds = linkforge_rtl::catalog::catalog();
    let variants = linkforge_dsl::load("catalog.lf", &src, &kinds).expect("it loads");
    let mut designs: Vec<Design> = variants
        .iter()
        .map(|v| {
            let kind = linkforge_rtl::catalog::kind(&v.kind).expect("a catalogue kind");
            Design::new((kind.build)(&v.name, &v.params).expect("the variant builds"))
                .expect("a checked design")
        })
        .collect();
    let seed = linkforge_verif::testenv::seed();
    println!("random variants from LINKFORGE_SEED={seed}");
    let mut rng = XorShift::new(seed);
    for kind in &kinds {
        let (_, design) = params::legal(&mut rng, kind, 1000)
            .unwrap_or_else(|| panic!("no legal `{}` in 1000 draws", kind.name));
        designs.push(design);
    }
    let mut errors = Vec::new();
    for (i, design) in designs.iter().enumerate() {
        // Edges of the two periods never coincide (gcd 10 does not divide
        // 333): which of two domains' simultaneous edges goes first is
        // left open by Verilog.
        let stim = stimulus(design, clocks(design, 1370, 333), 200, 0xca7 + i as u64);
        errors.extend(agree(design, &stim, peer).err());
    }
    assert!(
        errors.is_empty(),
        "LINKFORGE_SEED={seed}:\n{}",
        errors.join("\n")
    );
}

#[test]
fn every_catalogue_variant_agrees_with_icarus() {
    catalogue_on(Peer::Icarus, "iverilog");
}

#[test]
fn every_catalogue_variant_agrees_with_verilator() {
    catalogue_on(Peer::Verilator, "verilator");
}

#[test]
fn a_wrong_output_is_reported_with_signal_step_and_values() {
    let design = Design::new(designs::counter(8).unwrap()).unwrap();
    let stim = stimulus(&design, clocks(&design, 1000, 0), 10, 1);
    let ours = cosim::run_builtin(&design, &stim).unwrap();
    let mut theirs = ours.clone();
    theirs.steps[7][0] = Some(Bits::from_u64(0xee, 8).unwrap());
    let outputs = ours.outputs.len();
    let compared = cosim::compare_traces(&ours, &theirs, &vec![false; outputs], 0);
    let m = compared.mismatch.expect("mismatch found");
    assert_eq!((m.signal.as_str(), m.step), ("count", 7));
    assert!(m
        .to_string()
        .starts_with("`count` differs at step 7: linkforge 8'h"));
}

/// A mutant of the emitted Verilog (the counter adds 2, not 1) fails the
/// co-simulation against Icarus: the comparison can fail.
#[test]
fn a_mutated_verilog_fails_the_cosimulation() {
    if !common::have("iverilog") {
        return;
    }
    let design = Design::new(designs::counter(8).unwrap()).unwrap();
    let stim = stimulus(&design, clocks(&design, 1000, 0), 40, 3);
    let verilog = linkforge_hdl::verilog::emit(&design);
    let mutant = verilog.replacen("8'd1", "8'd2", 1);
    assert_ne!(mutant, verilog, "no `8'd1` to mutate in:\n{verilog}");
    let dir = tempfile::tempdir().unwrap();
    let ours = cosim::run_builtin(&design, &stim).unwrap();
    let theirs = cosim::icarus::run_verilog(&design, &verilog, &stim, dir.path()).unwrap();
    let outputs = ours.outputs.len();
    let same = cosim::compare_traces(&ours, &theirs, &vec![false; outputs], stim.settled());
    assert_eq!(same.verdict(), Ok(()), "the unmutated Verilog agrees");
    assert!(same.compared > 0);
    let theirs = cosim::icarus::run_verilog(&design, &mutant, &stim, dir.path()).unwrap();
    let mutated = cosim::compare_traces(&ours, &theirs, &vec![false; outputs], stim.settled());
    let why = mutated.verdict().expect_err("the mutant disagrees");
    assert!(why.contains("`count` differs"), "{why}");
}

fn cases(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A random two-domain design (input widths and expression shape of each
/// domain), the period of the second clock, and the stimulus seed.
type RandomCase = (Vec<u32>, Shape, Vec<u32>, Shape, u64, u64);

fn random_case() -> impl Strategy<Value = RandomCase> {
    (
        prop::collection::vec(1u32..=200, 1..=3),
        shape(),
        prop::collection::vec(1u32..=200, 1..=3),
        shape(),
        600u64..1500,
        any::<u64>(),
    )
}

/// Builds the case's design and stimulus and runs it on `peer` (`tool`
/// being its executable), when installed.
fn random_agrees(case: RandomCase, peer: Peer, tool: &str) -> Result<(), TestCaseError> {
    if !common::have(tool) {
        return Ok(());
    }
    let (widths_a, sa, widths_b, sb, period_b, seed) = case;
    let module = two_domain_module(&widths_a, &sa, &widths_b, &sb)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let design = Design::new(module).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let stim = stimulus(
        &design,
        clocks(&design, period_b, seed % period_b),
        40,
        seed,
    );
    agree(&design, &stim, peer).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases("PROPTEST_CASES", 200), ..ProptestConfig::default() })]

    #[test]
    fn random_designs_agree_with_icarus(case in random_case()) {
        random_agrees(case, Peer::Icarus, "iverilog")?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases("LINKFORGE_VERILATOR_CASES", 50), ..ProptestConfig::default() })]

    #[test]
    fn random_designs_agree_with_verilator(case in random_case()) {
        random_agrees(case, Peer::Verilator, "verilator")?;
    }
}
