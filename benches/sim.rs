//! Criterion benchmarks of the built-in simulator, each engine: cycles per
//! second (criterion's elements per second) on small versions of
//! `linkforge bench`'s reference designs, under the bench's stimulus protocol
//! ([`run_linkforge`]). The peers and the full sizes are `linkforge bench`'s
//! job; these track the simulator between runs of it.
//!
//! ```sh
//! cargo bench --bench sim
//! ```

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{self, Params, Value};
use linkforge_verif::bench::designs::{random_netlist, RandomNetlist};
use linkforge_verif::bench::{run_linkforge, Workload};
use linkforge_verif::{Engine, Sim};

/// Cycles of one measured run.
const CYCLES: u64 = 1_000;

/// The catalogue block `kind` with its defaults except `overrides`.
fn block(kind: &str, overrides: &[(&str, i64)]) -> Design {
    let k = catalog::kind(kind).expect("a catalogue kind");
    let mut params = Params::defaults(&k.params);
    for (p, v) in overrides {
        params.0.insert(p.to_string(), Value::Int(*v));
    }
    Design::new((k.build)(kind, &params).expect("builds")).expect("checks")
}

/// The small reference designs, named as in `linkforge bench`, with their
/// reset inputs.
fn designs() -> Vec<(&'static str, Design, &'static [&'static str])> {
    let random = RandomNetlist {
        registers: 1_000,
        ..RandomNetlist::default()
    };
    vec![
        ("counter", block("counter", &[("width", 32)]), &["rst"]),
        (
            "crossbar",
            block("crossbar", &[("ports", 8), ("width", 64)]),
            &["rst"],
        ),
        (
            "random1k",
            random_netlist(&random).expect("netlist"),
            &["rst"],
        ),
        (
            "retimer4",
            block("retimer", &[("lanes", 4)]),
            &["rx_rst", "rst"],
        ),
        (
            "switch4",
            block("switch", &[("ports", 4), ("data_width", 64)]),
            &["rst"],
        ),
        (
            "cxl2",
            block("cxl_controller", &[("hosts", 2), ("data_width", 64)]),
            &["rst"],
        ),
    ]
}

fn simulate(c: &mut Criterion) {
    let mut group = c.benchmark_group("sim");
    group.throughput(Throughput::Elements(CYCLES));
    group.sample_size(10);
    for (name, design, resets) in designs() {
        let w = Workload::new(name, name, design, resets).expect("a workload");
        for engine in Engine::ALL {
            group.bench_function(format!("{name}/{engine}"), |b| {
                b.iter_batched(
                    || Sim::with_engine(&w.design, engine).expect("compiles"),
                    |sim| run_linkforge(sim, &w, CYCLES).expect("runs"),
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(benches, simulate);
criterion_main!(benches);
