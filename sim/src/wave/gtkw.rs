//! GTKWave save files. Next to a waveform `run.vcd` (or `run.fst`),
//! [`write`] puts `run.gtkw`, which names the dump file and shows one
//! collapsible group per block instance, top first then depth first in
//! instance order. A group lists the block's input ports, then its output
//! ports, then its FSM state registers; single bits in binary, vectors in hex
//! (named as GTKWave names them, `top.u0.q[7:0]`).
//!
//! Each FSM state register gets a translate filter file,
//! `run.<state register path>.filter`, with one `value name` line per state
//! (the value as GTKWave displays it: hex digits, or a binary digit for a
//! one-bit register), so the waveform shows state names. Identical FSMs (same
//! width and states, as in repeated instances of a block) share one file.
//!
//! Paths in the save file are absolute, so it opens from any directory.

use super::{legal, Traced};
use crate::files::write_atomic;
use linkforge_hdl::ir::{Module, SignalId};
use linkforge_hdl::Design;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// Trace flags of the save file (GTKWave's `TR_*` bits).
const HEX: u32 = 0x02;
const BIN: u32 = 0x08;
const RJUSTIFY: u32 = 0x20;
const BLANK: u32 = 0x200;
const FILTERED: u32 = 0x2000;
const GROUP_BEGIN: u32 = 0x80_0000;
const GROUP_END: u32 = 0x100_0000;

/// GTKWave holds at most this many translate filter files; FSMs beyond it
/// show plain values.
const MAX_FILTERS: usize = 128;

/// A signal shown in a group.
struct Wave {
    /// Hierarchical name.
    name: String,
    width: u32,
}

/// One block instance: its group in the save file.
struct Block {
    /// Hierarchical path, `top.u0`.
    path: String,
    /// Inputs, then outputs.
    ports: Vec<Wave>,
    /// State registers and their state names, in encoding order.
    fsms: Vec<(Wave, Vec<String>)>,
}

/// What the save file needs of the design: every block instance's ports and
/// FSMs, top first then depth first.
pub(crate) struct Layout {
    blocks: Vec<Block>,
}

impl Layout {
    /// The layout of `design`.
    pub fn new(design: &Design) -> Layout {
        let mut blocks = Vec::new();
        let top = design.top();
        collect(top, &top.name, &mut blocks);
        Layout { blocks }
    }
}

fn collect(m: &Module, path: &str, blocks: &mut Vec<Block>) {
    let wave = |id: SignalId| {
        let s = m.signal(id);
        Wave {
            name: format!("{path}.{}", s.name),
            width: s.width,
        }
    };
    let inputs = m.ports.iter().filter(|p| m.is_input(**p));
    let outputs = m.ports.iter().filter(|p| !m.is_input(**p));
    blocks.push(Block {
        path: path.to_string(),
        ports: inputs.chain(outputs).map(|p| wave(*p)).collect(),
        fsms: m
            .fsms
            .iter()
            .map(|f| (wave(f.state), f.states.clone()))
            .collect(),
    });
    for inst in &m.instances {
        collect(&inst.module, &format!("{path}.{}", inst.name), blocks);
    }
}

/// A translate filter file to write.
struct Filter {
    path: PathBuf,
    text: String,
}

/// Writes the save file (and filter files) for waveform `dump`, which holds
/// `signals`; shows only the ports and FSMs among them.
pub(crate) fn write(dump: &Path, signals: &[Traced<'_>], layout: &Layout) -> io::Result<()> {
    let names: HashSet<&str> = signals.iter().map(|s| s.name).collect();
    let (save, text, filters) = plan(dump, &|n| names.contains(n), layout)?;
    for f in &filters {
        write_atomic(&f.path, f.text.as_bytes())?;
    }
    write_atomic(&save, text.as_bytes())
}

/// The files [`write`] writes for waveform `dump` holding every signal:
/// the save file, then the filter files.
pub(crate) fn files(dump: &Path, layout: &Layout) -> io::Result<Vec<PathBuf>> {
    let (save, _, filters) = plan(dump, &|_| true, layout)?;
    Ok(std::iter::once(save)
        .chain(filters.into_iter().map(|f| f.path))
        .collect())
}

/// The save file's path and text, and the filter files, for waveform
/// `dump` holding the signals `traced` accepts.
fn plan(
    dump: &Path,
    traced: &dyn Fn(&str) -> bool,
    layout: &Layout,
) -> io::Result<(PathBuf, String, Vec<Filter>)> {
    let dump = std::path::absolute(dump)?;
    let save = dump.with_extension("gtkw");
    let mut filters: Vec<Filter> = Vec::new();
    let mut text = String::new();
    // Writing to a `String` cannot fail.
    let _ = writeln!(
        text,
        "[*] linkforge simulator: one group per block (inputs, outputs, FSM states)\n\
         [dumpfile] \"{}\"\n[savefile] \"{}\"\n[timestart] 0",
        dump.display(),
        save.display()
    );
    let mut flags = 0;
    let mut set_flags = |text: &mut String, f: u32| {
        if f != flags {
            let _ = writeln!(text, "@{f:x}");
            flags = f;
        }
    };
    for block in &layout.blocks {
        let ports = block.ports.iter().map(|w| (w, None));
        let fsms = block.fsms.iter().map(|(w, states)| (w, Some(states)));
        let waves: Vec<_> = ports
            .chain(fsms)
            .filter(|(w, _)| traced(w.name.as_str()))
            .collect();
        if waves.is_empty() {
            continue;
        }
        set_flags(&mut text, GROUP_BEGIN | BLANK);
        let _ = writeln!(text, "-{}", legal(&block.path));
        for (wave, states) in waves {
            let radix = if wave.width == 1 { BIN } else { HEX };
            let filter = states.and_then(|s| filter_index(&mut filters, &dump, wave, s));
            match filter {
                Some(i) => {
                    set_flags(&mut text, radix | RJUSTIFY | FILTERED);
                    let _ = writeln!(text, "^{} {}", i + 1, filters[i].path.display());
                }
                None => set_flags(&mut text, radix | RJUSTIFY),
            }
            let _ = writeln!(text, "{}", gtkwave_name(wave));
        }
        set_flags(&mut text, GROUP_END | BLANK);
        let _ = writeln!(text, "-{}", legal(&block.path));
    }
    Ok((save, text, filters))
}

/// The index in `filters` of the filter showing the state names of FSM
/// register `wave`, added unless an identical one exists; `None` when
/// GTKWave could hold no more filters.
fn filter_index(
    filters: &mut Vec<Filter>,
    dump: &Path,
    wave: &Wave,
    states: &[String],
) -> Option<usize> {
    let digits = wave.width.div_ceil(4) as usize;
    let mut text = String::new();
    for (value, name) in states.iter().enumerate() {
        let _ = if wave.width == 1 {
            writeln!(text, "{value} {name}")
        } else {
            writeln!(text, "{value:0digits$X} {name}")
        };
    }
    if let Some(i) = filters.iter().position(|f| f.text == text) {
        return Some(i);
    }
    if filters.len() == MAX_FILTERS {
        return None;
    }
    let mut name = dump.with_extension("").into_os_string();
    name.push(format!(".{}.filter", legal(&wave.name)));
    filters.push(Filter {
        path: name.into(),
        text,
    });
    Some(filters.len() - 1)
}

/// The name GTKWave gives a dumped signal: vectors carry their range.
fn gtkwave_name(wave: &Wave) -> String {
    let name = legal(&wave.name);
    if wave.width == 1 {
        name
    } else {
        format!("{name}[{}:0]", wave.width - 1)
    }
}

/// A save file that opens `dump` with a marker at `marker` and shows
/// `signals` (hierarchical names and widths) in order, bits in binary and
/// vectors in hex: what a counterexample or a protocol violation needs.
/// `title` is the comment on its first line.
pub fn marker_save_file(
    title: &str,
    dump: &Path,
    marker: u64,
    signals: &[(String, u32)],
) -> String {
    let dump = std::path::absolute(dump).unwrap_or_else(|_| dump.to_path_buf());
    let mut text = String::new();
    let _ = writeln!(
        text,
        "[*] {title}\n[dumpfile] \"{}\"\n[timestart] 0\n[markertime] {marker}",
        dump.display()
    );
    for (name, width) in signals {
        let wave = Wave {
            name: name.clone(),
            width: *width,
        };
        let radix = if *width == 1 { BIN } else { HEX };
        let _ = writeln!(text, "@{:x}\n{}", radix | RJUSTIFY, gtkwave_name(&wave));
    }
    text
}
