//! `linkforge bench --scaling`: how the composed switch scales from 4 to 64
//! ports. For each size: elaboration (generators, lowering and every HDL
//! check) and Verilog emission time and the process's peak resident memory
//! for a 512-bit datapath, and the built-in simulator's cycles per second
//! on a 64-bit datapath under the benchmark's random stimulus.

use super::CliError;
use linkforge_hdl::{verilog, Design};
use linkforge_rtl::catalog::Value;
use linkforge_verif::bench::{run_linkforge, Workload};
use linkforge_verif::{Engine, Sim};
use std::time::{Duration, Instant};

/// The port counts measured.
pub const PORTS: [i64; 5] = [4, 8, 16, 32, 64];

/// One size's measurements.
pub struct Row {
    /// Ports.
    pub ports: i64,
    /// Elaboration and checks of the 512-bit switch.
    pub elaborate: Duration,
    /// Emitting its Verilog.
    pub verilog: Duration,
    /// Bytes of Verilog.
    pub verilog_bytes: usize,
    /// Peak resident memory of the process while building it (`None` where
    /// the kernel does not report it).
    pub peak_bytes: Option<u64>,
    /// Simulated cycles per second of the 64-bit switch.
    pub cycles_per_second: f64,
}

/// The composed switch with `ports` ports and `data_width`-bit data, its
/// other parameters at their defaults.
fn switch(ports: i64, data_width: i64) -> Result<Design, CliError> {
    super::bench::catalog_design(
        "switch",
        &format!("switch_p{ports}_w{data_width}"),
        &[
            ("ports", Value::Int(ports)),
            ("data_width", Value::Int(data_width)),
        ],
    )
}

/// Resets the kernel's record of this process's peak resident memory.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// This process's peak resident memory since the last [`reset_peak`].
fn peak() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Measures one size, simulating on `engine`.
fn measure(ports: i64, engine: Engine) -> Result<Row, CliError> {
    let tracked = reset_peak();
    let start = Instant::now();
    let design = switch(ports, 512)?;
    let elaborate = start.elapsed();
    let start = Instant::now();
    let text = verilog::emit(&design);
    let verilog = start.elapsed();
    let peak_bytes = if tracked { peak() } else { None };
    drop(design);

    let design = switch(ports, 64)?;
    let name = format!("switch_p{ports}");
    let workload = Workload::new(&name, &name, design, &["rst"])
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let sim = |w: &Workload| {
        Sim::with_engine(&w.design, engine).map_err(|e| CliError::Failed(e.to_string()))
    };
    let failed = |e: linkforge_verif::bench::BenchError| CliError::Failed(e.to_string());
    // A short run sizes a timed run of about half a second.
    let probe = run_linkforge(sim(&workload)?, &workload, 200).map_err(failed)?;
    let cycles = ((probe.rate() * 0.5) as u64).clamp(200, 10_000_000);
    let timed = run_linkforge(sim(&workload)?, &workload, cycles).map_err(failed)?;
    Ok(Row {
        ports,
        elaborate,
        verilog,
        verilog_bytes: text.len(),
        peak_bytes,
        cycles_per_second: timed.rate(),
    })
}

/// Measures every size in [`PORTS`], smallest first, reporting each start.
pub fn measure_all(engine: Engine, progress: &mut dyn FnMut(i64)) -> Result<Vec<Row>, CliError> {
    PORTS
        .iter()
        .map(|&p| {
            progress(p);
            measure(p, engine)
        })
        .collect()
}

/// The rows as a Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut t = String::from(
        "| ports | elaborate + check (512-bit) | Verilog emit | Verilog size | peak memory | simulated cycles/s (64-bit) |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in rows {
        let peak = r.peak_bytes.map_or_else(
            || "n/a".into(),
            |b| format!("{:.0} MiB", b as f64 / 1048576.0),
        );
        t.push_str(&format!(
            "| {} | {:.3} s | {:.3} s | {:.1} MB | {peak} | {} |\n",
            r.ports,
            r.elaborate.as_secs_f64(),
            r.verilog.as_secs_f64(),
            r.verilog_bytes as f64 / 1e6,
            linkforge_verif::bench::si(r.cycles_per_second),
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_switch_is_measured_and_tabled() {
        let row = measure(4, Engine::default()).expect("the 4-port switch builds and simulates");
        assert!(row.verilog_bytes > 10_000, "{} bytes", row.verilog_bytes);
        assert!(row.cycles_per_second > 0.0);
        // Linux reports the peak and lets it be reset.
        assert!(row.peak_bytes.is_some_and(|b| b > 1 << 20));
        let t = table(&[row]);
        assert!(
            t.lines().nth(2).is_some_and(|l| l.starts_with("| 4 | ")),
            "{t}"
        );
    }
}
