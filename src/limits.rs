//! The command line's limits, checked before any work starts so that one
//! typo cannot take the machine down: cycles and cases per run, the
//! waveform size, and the estimated memory of a design against a budget
//! (`--memory-budget`). Parameter ranges (ports, lanes, widths, depths) are
//! the catalogue's, checked by the config language; the language's own
//! limits (nesting, sweep and variant counts, file size) are in
//! `linkforge_dsl`. All are listed in the README's "Limits" section.

use crate::commands::CliError;
use linkforge_hdl::ir::Module;
use linkforge_hdl::{words_for, Design};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// The most cycles one simulation runs (`--cycles`, `--max-cycles`).
pub const MAX_CYCLES: u64 = 1_000_000_000;

/// The most random cases per variant (`--cases`).
pub const MAX_CASES: u32 = 1_000_000;

/// The largest waveform: traced bits times cycles (2^33, a VCD of about
/// 8 GiB if every bit changed every cycle: a VCD spends about a byte per
/// changed bit).
pub const MAX_WAVE_BIT_CYCLES: u64 = 1 << 33;

/// The default memory budget of one design: 4 GiB.
pub const DEFAULT_MEMORY_BUDGET: u64 = 4 << 30;

// The estimate's weights, calibrated against the peak resident memory of
// `linkforge sim` on large catalogue designs (a 64-port 1024-bit crossbar:
// about 5 MiB above the process's own, estimated 4.5 MiB). Memory
// contents count whole although the system maps untouched pages lazily.

/// Bytes the simulator needs per word of signal state: the state, its
/// initial copy, scratch space and the compiled instructions reading it.
const BYTES_PER_STATE_WORD: u64 = 64;
/// Bytes per word of memory contents (stored once).
const BYTES_PER_MEMORY_WORD: u64 = 8;
/// Bytes per signal: its hierarchical name, lookup entries and metadata.
const BYTES_PER_SIGNAL: u64 = 1024;
/// Bytes per expression node: the flattened copy and its instructions.
const BYTES_PER_NODE: u64 = 512;

static MEMORY_BUDGET: AtomicU64 = AtomicU64::new(DEFAULT_MEMORY_BUDGET);

/// Sets the memory budget of every design this process builds.
pub fn set_memory_budget(bytes: u64) {
    MEMORY_BUDGET.store(bytes, Ordering::Relaxed);
}

/// The memory budget of one design, in bytes.
pub fn memory_budget() -> u64 {
    MEMORY_BUDGET.load(Ordering::Relaxed)
}

/// What a design's flattened copy holds, summed over every instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Signals.
    pub signals: u64,
    /// Bits of all signals (what a full waveform traces).
    pub signal_bits: u64,
    /// 64-bit words of all signals.
    pub state_words: u64,
    /// 64-bit words of all memories.
    pub memory_words: u64,
    /// Expression nodes.
    pub nodes: u64,
}

impl Footprint {
    fn add(&mut self, other: &Footprint) {
        self.signals += other.signals;
        self.signal_bits += other.signal_bits;
        self.state_words += other.state_words;
        self.memory_words += other.memory_words;
        self.nodes += other.nodes;
    }

    /// The estimated memory, in bytes, of simulating the design.
    pub fn estimated_bytes(&self) -> u64 {
        self.state_words * BYTES_PER_STATE_WORD
            + self.memory_words * BYTES_PER_MEMORY_WORD
            + self.signals * BYTES_PER_SIGNAL
            + self.nodes * BYTES_PER_NODE
    }
}

/// The footprint of `design` flattened (each instance counted).
pub fn footprint(design: &Design) -> Footprint {
    fn walk(m: &Module, memo: &mut HashMap<*const Module, Footprint>) -> Footprint {
        let key = m as *const Module;
        if let Some(f) = memo.get(&key) {
            return *f;
        }
        let mut f = Footprint {
            signals: m.signals.len() as u64,
            signal_bits: m.signals.iter().map(|s| u64::from(s.width)).sum(),
            state_words: m.signals.iter().map(|s| words_for(s.width) as u64).sum(),
            memory_words: m
                .memories
                .iter()
                .map(|mem| u64::from(mem.depth) * words_for(mem.width) as u64)
                .sum(),
            nodes: m.nodes.len() as u64,
        };
        for inst in &m.instances {
            let child = walk(&inst.module, memo);
            f.add(&child);
        }
        memo.insert(key, f);
        f
    }
    walk(design.top(), &mut HashMap::new())
}

/// About what simulating `design` for `cycles` cycles costs, to start the
/// costliest jobs first: its flattened nodes times the cycles.
pub fn cost(design: &Design, cycles: u64) -> u64 {
    footprint(design).nodes.saturating_mul(cycles)
}

/// Checks `design` (variant `name`) against the memory budget.
pub fn check_memory(name: &str, design: &Design) -> Result<(), CliError> {
    let need = footprint(design).estimated_bytes();
    let budget = memory_budget();
    if need > budget {
        return Err(CliError::Usage(format!(
            "variant `{name}` needs an estimated {} to simulate, more than the memory budget of {} \
             (raise it with --memory-budget, or choose smaller parameters)",
            format_size(need),
            format_size(budget)
        )));
    }
    Ok(())
}

/// Checks that a waveform of every signal of `design` (variant `name`)
/// over `cycles` cycles stays within [`MAX_WAVE_BIT_CYCLES`].
pub fn check_wave(name: &str, design: &Design, cycles: u64) -> Result<(), CliError> {
    let bits = footprint(design).signal_bits;
    let size = bits.saturating_mul(cycles);
    if size > MAX_WAVE_BIT_CYCLES {
        let most = MAX_WAVE_BIT_CYCLES / bits.max(1);
        return Err(CliError::Usage(format!(
            "a waveform of variant `{name}` over {cycles} cycles would hold {bits} bits x {cycles} cycles, \
             more than the limit of {MAX_WAVE_BIT_CYCLES} bit-cycles (at most {most} cycles of this design \
             with a waveform)"
        )));
    }
    Ok(())
}

/// A byte count as written on the command line: a number with an optional
/// unit `B`, `KiB`, `MiB`, `GiB`, `TiB` (or `K`, `M`, `G`, `T`, all powers
/// of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 512MiB or 4GiB"))?;
    let shift = match unit.trim() {
        "" | "B" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        "T" | "TiB" => 40,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`: use B, KiB, MiB, GiB or TiB"
            ))
        }
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// A byte count for people: `1.5 GiB`, `12.0 MiB`, `512 B`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_hdl::prelude::*;

    #[test]
    fn sizes_parse_with_binary_units_and_print_back() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("3 M"), Ok(3 << 20));
        assert!(parse_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_size("4 GB")
            .unwrap_err()
            .contains("unknown unit `GB`"));
        assert!(parse_size("99999999999T")
            .unwrap_err()
            .contains("too large"));
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(3 << 29), "1.5 GiB");
    }

    #[test]
    fn the_footprint_counts_every_instance_and_memory() {
        let mut c = ModuleBuilder::new("leaf");
        c.clock("clk");
        let a = c.input("a", 100);
        let y = c.output("y", 100);
        let mem = c.memory("ram", 70, 1000);
        c.mem_write(mem, a.slice(9, 0), a.slice(69, 0));
        let q = c.reg("q", 100).no_reset();
        c.next(q, a);
        c.assign(y, q);
        let leaf = c.finish().unwrap();
        let mut m = ModuleBuilder::new("top");
        let clk = m.clock("clk");
        let a = m.input("a", 100);
        for i in 0..2 {
            let u = m.instance(format!("u{i}"), leaf.clone());
            m.assign(u.io("clk").unwrap(), clk);
            m.assign(u.io("a").unwrap(), a);
        }
        let design = Design::new(m.finish().unwrap()).unwrap();
        let f = footprint(&design);
        assert_eq!(
            f.memory_words,
            2 * 1000 * 2,
            "two instances of 1000 two-word words"
        );
        assert!(f.signal_bits >= 2 * 300 + 100, "{f:?}");
        assert!(f.estimated_bytes() > f.memory_words * 8);
    }
}
