//! Every block kind of the catalogue is complete: judged by its own
//! testbench (which builds from the kind's defaults and, on every
//! `examples/catalog.lf` variant, compares something in a default run),
//! exercised by the block tests of its family
//! (`rtl/tests/<family>/`), and shown in `examples/catalog.lf`. The contributor's guide
//! (`docs/contributing.md`, "Adding a block kind") lists the same steps.

use linkforge_hdl::Design;
use linkforge_rtl::catalog::{catalog, Params};
use linkforge_verif::props::live::LiveRules;
use linkforge_verif::tb::{self, DEDICATED};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
}

fn kinds() -> Vec<&'static str> {
    catalog().iter().map(|k| k.name).collect()
}

#[test]
fn every_kind_has_exactly_one_testbench_entry() {
    let dedicated: Vec<&str> = DEDICATED.iter().map(|(k, _)| *k).collect();
    let mut seen = BTreeSet::new();
    for k in &dedicated {
        assert!(seen.insert(*k), "`{k}` is in the testbench table twice");
        assert!(
            kinds().contains(k),
            "the testbench table names `{k}`, which is not in the catalogue"
        );
    }
    let missing: Vec<&str> = kinds().into_iter().filter(|k| !seen.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "no testbench entry for {missing:?}: add its testbench to `tb::DEDICATED` \
         (verif/src/tb/mod.rs)"
    );
}

#[test]
fn every_testbench_builds_from_its_kinds_defaults() {
    for kind in catalog() {
        let params = Params::defaults(&kind.params);
        if let Err(e) = tb::for_kind(kind.name, &params) {
            panic!("`{}`: {e}", kind.name);
        }
    }
}

#[test]
fn an_unknown_kind_has_no_testbench() {
    let err = tb::for_kind("no_such_kind", &Params::default()).err();
    assert!(matches!(err, Some(tb::TbError::UnknownKind(_))), "{err:?}");
}

#[test]
fn a_dedicated_testbench_that_cannot_be_built_is_an_error() {
    // No parameters at all: the crossbar testbench cannot know its ports.
    let err = tb::for_kind("crossbar", &Params::default()).err();
    assert!(matches!(err, Some(tb::TbError::Params { .. })), "{err:?}");
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `text` has `word` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let before = text[..i].chars().next_back().is_none_or(|c| !ident(c));
        let after = text[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !ident(c));
        before && after
    })
}

#[test]
fn every_kind_has_block_tests_in_its_family() {
    let mut untested = Vec::new();
    for kind in kinds() {
        let family = linkforge_rtl::catalog::family(kind).expect("every kind has a family");
        let mut files = Vec::new();
        sources(&root().join("rtl/tests").join(family), &mut files);
        // `main.rs` only lists the modules: a test must name the kind itself.
        let named = files
            .iter()
            .filter(|p| p.file_name().is_some_and(|n| n != "main.rs"))
            .any(|p| {
                let text = std::fs::read_to_string(p).expect("a readable test");
                has_word(&text, kind)
            });
        if !named {
            untested.push(format!("{kind} (rtl/tests/{family}/)"));
        }
    }
    assert!(
        untested.is_empty(),
        "no block test in its family's folder names {untested:?}"
    );
}

#[test]
fn every_kind_has_a_variant_in_the_example_catalogue() {
    let path = root().join("examples/catalog.lf");
    let src = std::fs::read_to_string(&path).expect("examples/catalog.lf");
    let variants = linkforge_dsl::load("catalog.lf", &src, &catalog())
        .unwrap_or_else(|e| panic!("examples/catalog.lf loads: {e:?}"));
    let shown: BTreeSet<&str> = variants.iter().map(|v| v.kind.as_str()).collect();
    let missing: Vec<&str> = kinds().into_iter().filter(|k| !shown.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "examples/catalog.lf has no variant of {missing:?}"
    );
}

/// Cycles of the default-length run below: `linkforge run`'s default.
const RUN_CYCLES: u64 = 2_000;

/// No vacuous verdicts: every variant of `examples/catalog.lf` (one or
/// more per kind), for a default run's cycles (or the cycles its
/// testbench needs) with its protocol rules checked live, as `linkforge
/// run` does, passes with at least one comparison against its reference.
#[test]
fn every_testbench_compares_something_in_a_default_run() {
    let path = root().join("examples/catalog.lf");
    let src = std::fs::read_to_string(&path).expect("examples/catalog.lf");
    let variants = linkforge_dsl::load("catalog.lf", &src, &catalog()).expect("it loads");
    let mut failed = Vec::new();
    for v in &variants {
        let kind = linkforge_rtl::catalog::kind(&v.kind).expect("a catalogue kind");
        let module = (kind.build)(&v.name, &v.params).expect("the variant builds");
        let design = Design::new(module).expect("a checked design");
        let testbench = tb::for_kind(&v.kind, &v.params).expect("a testbench");
        let rules = LiveRules::of(&v.params, &design).expect("the variant's protocol rules");
        let mut sim = linkforge_verif::Sim::new(&design).expect("a simulator");
        let mut words = linkforge_verif::models::xorshift::XorShift::new(7);
        let cycles = RUN_CYCLES.max(testbench.cycles_needed());
        match rules.run(&*testbench, &mut sim, cycles, &mut words, &mut |_| {}) {
            Ok(o) => println!(
                "{:<20} {:>9} compared in {} cycles",
                v.name, o.checks_passed, o.cycles
            ),
            Err(f) => failed.push(format!("{}: {f}", v.name)),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
