//! # linkforge-sim: the simulation engine
//!
//! The built-in cycle simulator, its waveform writers and readers, and the
//! atomic output files they share. It knows no IP block: it runs any checked
//! [`Design`].
//!
//! [`Sim::new`] flattens a [`Design`] (hierarchical names such as
//! `top.u0.q`, where `top` is the top module's name), levelizes its
//! combinational logic and compiles it into a linear instruction tape over a
//! flat `Vec<u64>` state: a value of up to 64 bits is one word, a wider value
//! several. Single-word operations have specialised instructions; wider ones
//! take a general multi-word path. The [`Engine`] either interprets the tape
//! (the reference) or, by default, runs it as machine code generated with
//! Cranelift; both have the same semantics. [`Compiled`] keeps one
//! compilation for any number of simulators ([`Sim::from_compiled`]).
//!
//! # Time and clocks
//!
//! Every top-level clock input is a clock domain with its own period and
//! phase in picoseconds ([`Sim::clock`]; by default 1000 ps, phase 0). Rising
//! edges fall at `phase + k * period` for k = 0, 1, ...; the scheduler jumps
//! to the next edge of whichever clock comes first, and edges at the same time
//! are handled together. Time starts at 0 before any edge, so with phase 0
//! the first [`Sim::step`] processes the edge at time 0.
//!
//! Cycle N of a clock is its rising edge with N edges before it (counted
//! from 0; [`Sim::cycles`] is N just before it): the number an
//! [`AssertionFailure`] and a [`Recording`] report, and the one
//! `linkforge-verif` uses for trace violations and testbench failures.
//!
//! # Semantics
//!
//! - Registers and memories start at zero.
//! - A poked value is visible at once to combinational logic; the logic is
//!   re-evaluated lazily, before a peek or an edge, and at an edge only the
//!   logic that edge reads.
//! - At a rising edge every register of the clock samples its next state
//!   (synchronous reset included) before any register changes; memory read
//!   ports see the contents from before the edge's writes.
//! - An asynchronous reset forces its registers to their reset value
//!   whenever it is asserted, not only at edges.
//! - Assertions are checked at every rising edge of their clock on the values
//!   before the edge. A failure is recorded in [`Sim::failures`] and the
//!   stepping call returns [`SimError::Assertion`] after finishing the edge,
//!   so a test can stop with `?` or inspect the failure and go on.
//!
//! ```
//! use linkforge_hdl::prelude::*;
//! use linkforge_sim::Sim;
//!
//! let mut m = ModuleBuilder::new("counter");
//! let _clk = m.clock("clk");
//! let _rst = m.reset("rst");
//! let count = m.output("count", 8);
//! let q = m.reg("q", 8).reset(0);
//! m.next(q, q + 1);
//! m.assign(count, q);
//! let design = Design::new(m.finish()?)?;
//!
//! let mut sim = Sim::new(&design)?;
//! sim.poke("rst", 1)?;
//! sim.step()?;
//! sim.poke("rst", 0)?;
//! sim.run_cycles("clk", 5)?;
//! assert_eq!(sim.peek("counter.count")?, 5);
//! assert_eq!(sim.time_ps(), 5000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod clock;
mod compile;
pub mod drive;
mod engine;
mod error;
pub mod files;
mod flatten;
mod in_place;
mod native;
mod record;
mod tape;
pub mod wave;
mod wide;

pub use engine::Engine;
pub use error::{AssertionFailure, SimError};
pub use native::NativeError;
pub use record::Recording;

use crate::wave::{Compare, Layout, Traced, Writer};
use clock::Clock;
use compile::{Fused, Program};
use flatten::{FlatKind, Netlist};
use linkforge_hdl::ir::{SignalId, SignalKind};
use linkforge_hdl::{suggest, words_for, AssertionKind, Bits, Design, SourceLoc};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tape::Tape;
use wide::Operand;

/// A resolved signal: poke and peek it without a name lookup. A handle
/// belongs to the [`Sim`] that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignalHandle {
    index: u32,
    off: u32,
    width: u32,
    pokeable: bool,
    /// An output of the top module: a peek settles only the outputs' logic.
    output: bool,
}

impl SignalHandle {
    /// Width of the signal in bits.
    pub fn width(&self) -> u32 {
        self.width
    }
}

/// How much of the combinational logic matches the current state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Settled {
    Nothing,
    /// The logic the top module's outputs read.
    Outputs,
    All,
}

/// Runs the tape of `logic` over `state` and applies asynchronous resets
/// until nothing changes.
fn settle(p: &Program, logic: Logic, state: &mut [u64], scratch: &mut [u64]) {
    let tape = match logic {
        Logic::All => &p.full,
        Logic::Outputs => &p.outputs,
        Logic::Domain(d) => &p.domains[d].cone,
    };
    loop {
        tape::run(tape, &p.wide, &p.tables, state, scratch);
        if !apply_async_resets(p, state) {
            break;
        }
    }
}

/// Forces registers whose asynchronous reset is asserted to their reset
/// value; true when one changed.
fn apply_async_resets(p: &Program, state: &mut [u64]) -> bool {
    let mut changed = false;
    for r in &p.async_resets {
        if state[r.cond as usize] & 1 == 0 {
            continue;
        }
        let (reg, value, n) = (r.reg as usize, r.value as usize, r.words as usize);
        if state[reg..reg + n] != state[value..value + n] {
            state.copy_within(value..value + n, reg);
            changed = true;
        }
    }
    changed
}

/// A part of the combinational logic, run by [`Sim::settle`].
#[derive(Clone, Copy, Debug)]
enum Logic {
    All,
    Outputs,
    /// What one clock domain's edge reads.
    Domain(usize),
}

/// What the simulator keeps of each signal.
struct SignalInfo {
    name: String,
    value: Operand,
    pokeable: bool,
    /// A data input of the top module (not a clock).
    input: bool,
    output: bool,
}

/// What the simulator keeps of each assertion for its failure reports.
struct AssertionInfo {
    kind: AssertionKind,
    message: String,
    path: String,
    loc: SourceLoc,
}

/// A design flattened and compiled for one [`Engine`], ready to be
/// simulated any number of times: [`Sim::from_compiled`] starts a fresh
/// simulator of it (registers and memories at zero, time 0) without
/// compiling again. Cloning shares the compiled code.
#[derive(Clone)]
pub struct Compiled(Arc<Model>);

/// What every simulator of one compiled design shares and none changes.
struct Model {
    engine: Engine,
    program: Program,
    signals: Vec<SignalInfo>,
    by_name: HashMap<String, u32>,
    top: String,
    assertions: Vec<AssertionInfo>,
    /// The clock domains' names, one per entry of `program.domains`.
    clock_names: Vec<String>,
    /// What waveform save files show of the design.
    layout: Layout,
}

impl Compiled {
    /// Flattens and compiles `design` for `engine`.
    pub fn new(design: &Design, engine: Engine) -> Result<Compiled, SimError> {
        let net = flatten::flatten(design)?;
        let clock_ids = clock_inputs(&net);
        let top = design.top().name.clone();
        let prefix_len = top.len() + 1;
        let output_names: HashSet<String> = design
            .top()
            .signals
            .iter()
            .filter(|s| s.kind == SignalKind::Output)
            .map(|s| format!("{top}.{}", s.name))
            .collect();
        let output_ids: Vec<SignalId> = (0..net.signals.len() as u32)
            .map(SignalId)
            .filter(|s| output_names.contains(&net.signals[s.0 as usize].name))
            .collect();
        let mut is_output = vec![false; net.signals.len()];
        for o in &output_ids {
            is_output[o.0 as usize] = true;
        }
        let mut program = compile::compile(&net, &clock_ids, &output_ids)?;
        engine.prepare(&mut program)?;
        let signals: Vec<SignalInfo> = net
            .signals
            .iter()
            .zip(&program.signals)
            .enumerate()
            .map(|(i, (s, value))| SignalInfo {
                name: s.name.clone(),
                value: *value,
                pokeable: !matches!(s.kind, FlatKind::Comb(_))
                    && !clock_ids.contains(&SignalId(i as u32)),
                input: s.kind == FlatKind::Input { clock: false }
                    && !clock_ids.contains(&SignalId(i as u32)),
                output: is_output[i],
            })
            .collect();
        let by_name = signals
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), i as u32))
            .collect();
        let clock_names = clock_ids
            .iter()
            .map(|c| net.signals[c.0 as usize].name[prefix_len..].to_string())
            .collect();
        let assertions = net
            .assertions
            .iter()
            .map(|a| AssertionInfo {
                kind: a.kind,
                message: a.message.clone(),
                path: a.path.clone(),
                loc: a.loc,
            })
            .collect();
        Ok(Compiled(Arc::new(Model {
            engine,
            program,
            signals,
            by_name,
            top,
            assertions,
            clock_names,
            layout: Layout::new(design),
        })))
    }

    /// The engine the design was compiled for.
    pub fn engine(&self) -> Engine {
        self.0.engine
    }

    /// How much work and memory one clock edge of the design takes.
    pub fn size(&self) -> Size {
        let p = &self.0.program;
        let edge = p
            .domains
            .iter()
            .map(|d| match &d.alone {
                Some(f) if f.ports => f.sample.insns().len() + f.finish.insns().len(),
                Some(f) => f.sample.insns().len(),
                None => d.cone.insns().len() + d.latch.insns().len() + d.commit.insns().len(),
            })
            .sum();
        Size {
            state_words: p.state.len(),
            edge_instructions: edge,
            settle_instructions: p.full.insns().len(),
        }
    }
}

/// The size of a compiled design ([`Compiled::size`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// 64-bit words of simulator state: signals, intermediate results and
    /// constants (memories not counted).
    pub state_words: usize,
    /// Instructions a rising edge of each clock runs on its own, summed over
    /// the clocks, when no logic is settled: the logic the edge reads, then
    /// the register updates.
    pub edge_instructions: usize,
    /// Instructions that settle every combinational value (what a peek of
    /// an internal signal or a waveform dump needs).
    pub settle_instructions: usize,
}

/// A compiled design being simulated. See the [module documentation](self).
pub struct Sim {
    model: Arc<Model>,
    state: Vec<u64>,
    scratch: Vec<u64>,
    memories: Vec<Vec<u64>>,
    /// One per entry of `model.program.domains`.
    clocks: Vec<Clock>,
    now: u64,
    /// How much of the combinational logic matches the current state.
    settled: Settled,
    failures: Vec<AssertionFailure>,
    trace: Option<Writer>,
    /// A poke since the last waveform dump.
    dump_pending: bool,
    /// Reused list of the domains rising at the current time.
    rising: Vec<usize>,
    /// Set from outside (a signal handler) to stop stepping.
    interrupt: Option<Arc<AtomicBool>>,
    /// A stepping call stopped because `interrupt` was set.
    interrupted: bool,
    /// Signals sampled at clocks' edges for live properties.
    recorders: Vec<record::Recorder>,
}

impl Sim {
    /// Flattens and compiles `design` for the default engine (native).
    pub fn new(design: &Design) -> Result<Sim, SimError> {
        Sim::with_engine(design, Engine::default())
    }

    /// Flattens and compiles `design` for `engine`.
    pub fn with_engine(design: &Design, engine: Engine) -> Result<Sim, SimError> {
        Ok(Sim::from_compiled(&Compiled::new(design, engine)?))
    }

    /// A fresh simulator of a design compiled before. Handles made by one
    /// simulator of `compiled` work on every other.
    pub fn from_compiled(compiled: &Compiled) -> Sim {
        let model = Arc::clone(&compiled.0);
        Sim {
            state: model.program.state.clone(),
            scratch: vec![0; model.program.scratch_words],
            memories: model
                .program
                .memories
                .iter()
                .map(|m| vec![0; m.depth as usize * m.words as usize])
                .collect(),
            clocks: (model.clock_names.iter().cloned())
                .zip(&model.program.domains)
                .map(|(name, d)| Clock::new(name, model.program.signals[d.clock.0 as usize].off))
                .collect(),
            now: 0,
            settled: Settled::Nothing,
            failures: Vec::new(),
            trace: None,
            dump_pending: false,
            rising: Vec::new(),
            interrupt: None,
            interrupted: false,
            recorders: Vec::new(),
            model,
        }
    }

    /// Sets the period and phase of clock `name` (a top-level clock input,
    /// with or without the top module's name) from now on.
    pub fn clock(&mut self, name: &str, period_ps: u64, phase_ps: u64) -> Result<(), SimError> {
        let i = self.clock_index(name)?;
        self.clocks[i].configure(period_ps, phase_ps, self.now)
    }

    /// The names of the clock domains (top-level clock inputs).
    pub fn clocks(&self) -> impl Iterator<Item = &str> {
        self.clocks.iter().map(|c| c.name.as_str())
    }

    /// Rising edges of clock `name` simulated so far.
    pub fn cycles(&self, name: &str) -> Result<u64, SimError> {
        Ok(self.clocks[self.clock_index(name)?].cycles)
    }

    /// Samples `signals` (paths as for [`Sim::signal`]) just before each
    /// rising edge of clock `clock`, what the design's flip-flops see, for
    /// the first `max_cycles` edges from now; values wider than 64 bits
    /// keep their low 64 bits. [`Sim::take_recordings`] hands the samples
    /// over as a [`Recording`] with the names as given, its first sample
    /// at the clock's current cycle. Several recordings (of several
    /// clocks) may run at once. An unknown name is an error suggesting the
    /// closest.
    pub fn record(
        &mut self,
        clock: &str,
        signals: &[impl AsRef<str>],
        max_cycles: usize,
    ) -> Result<(), SimError> {
        let domain = self.clock_index(clock)?;
        let signals = signals
            .iter()
            .map(|name| {
                let name = name.as_ref();
                let h = self.signal(name)?;
                Ok((name.to_string(), h.off, h.width))
            })
            .collect::<Result<Vec<_>, SimError>>()?;
        let first_cycle = self.clocks[domain].cycles;
        self.recorders.push(record::Recorder::new(
            domain,
            signals,
            first_cycle,
            max_cycles,
        ));
        Ok(())
    }

    /// The samples of each recording started by [`Sim::record`], in the
    /// order they were started, ending them.
    pub fn take_recordings(&mut self) -> Vec<Recording> {
        let recorders = std::mem::take(&mut self.recorders);
        recorders
            .into_iter()
            .map(record::Recorder::into_recording)
            .collect()
    }

    /// The engine running the logic.
    pub fn engine(&self) -> Engine {
        self.model.engine
    }

    /// The current simulated time in picoseconds.
    pub fn time_ps(&self) -> u64 {
        self.now
    }

    /// Every assertion failure so far, oldest first.
    pub fn failures(&self) -> &[AssertionFailure] {
        &self.failures
    }

    /// Hierarchical names and widths of every signal.
    pub fn signals(&self) -> impl Iterator<Item = (&str, u32)> {
        self.model
            .signals
            .iter()
            .map(|s| (s.name.as_str(), s.value.width))
    }

    /// A handle to signal `path`: a full hierarchical name (`top.u0.q`) or
    /// one below the top module (`u0.q`). An unknown name is an error
    /// suggesting the closest names, written the same way.
    pub fn signal(&self, path: &str) -> Result<SignalHandle, SimError> {
        let index = self
            .model
            .by_name
            .get(path)
            .or_else(|| {
                self.model
                    .by_name
                    .get(&format!("{}.{path}", self.model.top))
            })
            .copied()
            .ok_or_else(|| self.unknown_signal(path))?;
        let s = &self.model.signals[index as usize];
        Ok(SignalHandle {
            index,
            off: s.value.off,
            width: s.value.width,
            pokeable: s.pokeable,
            output: s.output,
        })
    }

    /// Sets input, register or memory read data `path` to `value`.
    pub fn poke(&mut self, path: &str, value: u64) -> Result<(), SimError> {
        let h = self.signal(path)?;
        self.poke_handle(h, value)
    }

    /// Sets `path` to a value of any width (extra high zero bits are fine).
    pub fn poke_bits(&mut self, path: &str, value: &Bits) -> Result<(), SimError> {
        let h = self.signal(path)?;
        self.poke_bits_handle(h, value)
    }

    /// The value of `path`, which must be at most 64 bits wide.
    pub fn peek(&mut self, path: &str) -> Result<u64, SimError> {
        let h = self.signal(path)?;
        if h.width > 64 {
            return Err(self.too_wide(h));
        }
        Ok(self.peek_handle(h))
    }

    /// The value of `path` at any width.
    pub fn peek_bits(&mut self, path: &str) -> Result<Bits, SimError> {
        let h = self.signal(path)?;
        Ok(self.peek_bits_handle(h))
    }

    /// Sets the signal of `h` to `value`.
    #[inline]
    pub fn poke_handle(&mut self, h: SignalHandle, value: u64) -> Result<(), SimError> {
        if h.pokeable && h.width <= 64 && u64::BITS - value.leading_zeros() <= h.width {
            self.state[h.off as usize] = value;
            self.settled = Settled::Nothing;
            self.dump_pending = true;
            return Ok(());
        }
        self.poke_words(h, &[value])
    }

    /// Sets the signal of `h` to a value of any width.
    pub fn poke_bits_handle(&mut self, h: SignalHandle, value: &Bits) -> Result<(), SimError> {
        self.poke_words(h, value.words())
    }

    /// The low 64 bits of the signal of `h`.
    #[inline]
    pub fn peek_handle(&mut self, h: SignalHandle) -> u64 {
        self.settle_for(h);
        self.state[h.off as usize]
    }

    /// The value of the signal of `h` at any width.
    pub fn peek_bits_handle(&mut self, h: SignalHandle) -> Bits {
        self.settle_for(h);
        let off = h.off as usize;
        Bits::from_words(&self.state[off..off + words_for(h.width)], h.width)
    }

    /// Advances to the next rising clock edge (of any clock) and simulates it.
    #[inline]
    pub fn step(&mut self) -> Result<(), SimError> {
        if self.trace.is_none() {
            return self.advance_to_rise();
        }
        let result = self.advance_to_rise();
        self.flush_trace(result)
    }

    /// Simulates `n` rising edges of clock `name` (and whatever edges of
    /// other clocks fall in between). Stops at the first assertion failure.
    pub fn run_cycles(&mut self, name: &str, n: u64) -> Result<(), SimError> {
        let i = self.clock_index(name)?;
        let target = self.clocks[i].cycles + n;
        let mut result = Ok(());
        while result.is_ok() && self.clocks[i].cycles < target {
            result = self.advance_to_rise();
        }
        self.flush_trace(result)
    }

    /// Steps until `cond` holds, at most `limit` steps; returns the number of
    /// steps taken, or [`SimError::Timeout`]. `cond` is checked before each step.
    pub fn run_until(
        &mut self,
        mut cond: impl FnMut(&mut Sim) -> bool,
        limit: u64,
    ) -> Result<u64, SimError> {
        let mut result = Err(SimError::Timeout(limit));
        for steps in 0..=limit {
            if cond(self) {
                result = Ok(steps);
                break;
            }
            if steps == limit {
                break;
            }
            if let Err(e) = self.advance_to_rise() {
                result = Err(e);
                break;
            }
        }
        self.flush_trace(result)
    }

    /// Starts writing every signal to a waveform file at `path` (replacing,
    /// and closing, an earlier trace): VCD when `path` ends in `.vcd`, FST
    /// when it ends in `.fst`. Values are written when they change, once per
    /// time: the values at an edge (with whatever is poked after it at the
    /// same time) when time moves on, when a stepping call stops early (an
    /// assertion failed, an interrupt), or when the trace is closed (the
    /// `Sim` dropped, also while a failing test unwinds,
    /// [`Sim::close_trace`], or a new trace started). A VCD file is flushed
    /// at the end of every stepping call, so it is valid if a run stops
    /// early; after a call that completed, it holds every time before the
    /// last edge. An FST file is complete once the trace is
    /// closed; before that it is written on a thread of its own and lags
    /// the run by about half a second (see `sim/src/wave/fst/mod.rs`).
    /// Also writes a GTKWave save file, `path` with
    /// extension `.gtkw`, grouping each block's ports, and a translate filter
    /// file per FSM that shows state names.
    pub fn trace(&mut self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.trace_scope(path, "")
    }

    /// Like [`Sim::trace`], tracing only the signals in scope `scope` and
    /// below it (such as `top.u0`).
    pub fn trace_scope(&mut self, path: impl AsRef<Path>, scope: &str) -> Result<(), SimError> {
        self.start_trace(path.as_ref(), scope, false)
    }

    /// Like [`Sim::trace`], but the waveform appears at `path` only when the
    /// trace is closed ([`Sim::close_trace`], a new trace, or the `Sim`
    /// dropped): until then it is written to a hidden temporary file beside
    /// `path` (see [`crate::files::Part`]). So `path` holds the previous
    /// file or a complete new one, whatever happens to the process; after a
    /// failed write the temporary file is removed instead.
    pub fn trace_whole(&mut self, path: impl AsRef<Path>) -> Result<(), SimError> {
        self.start_trace(path.as_ref(), "", true)
    }

    /// Closes the waveform, if one is being written: finishes the file (an
    /// FST's last block and header) and puts a [`Sim::trace_whole`] file in
    /// place, reporting what went wrong, which dropping the `Sim` cannot.
    pub fn close_trace(&mut self) -> Result<(), SimError> {
        if self.dump_pending {
            self.dump()?;
        }
        match self.trace.take() {
            Some(mut t) => t.close().map_err(|e| SimError::wave(t.path(), e)),
            None => Ok(()),
        }
    }

    /// From now on, a stepping call finds `flag` set before simulating an
    /// edge and returns [`SimError::Interrupted`] instead: the state (and a
    /// waveform) stays at the last completed edge. A signal handler sets
    /// the flag to stop a long run cleanly.
    pub fn interrupt_on(&mut self, flag: Arc<AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// Whether a stepping call returned [`SimError::Interrupted`].
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }

    fn start_trace(&mut self, path: &Path, scope: &str, whole: bool) -> Result<(), SimError> {
        // Close an earlier trace first: it may be writing the same file.
        self.close_trace()?;
        let traced: Vec<Traced<'_>> = self
            .model
            .signals
            .iter()
            .filter(|s| {
                scope.is_empty()
                    || s.name
                        .strip_prefix(scope)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
            .map(|s| Traced {
                name: &s.name,
                width: s.value.width,
                off: s.value.off,
            })
            .collect();
        let wave = |e| SimError::wave(path, e);
        let mut writer = Writer::create(path, &traced, &self.model.layout, whole).map_err(wave)?;
        writer.watch_falls(&self.model.program.fall_words());
        self.settle_all();
        writer
            .dump(self.now, &self.state, Compare::All)
            .map_err(wave)?;
        writer.flush().map_err(wave)?;
        self.trace = Some(writer);
        self.dump_pending = false;
        Ok(())
    }

    fn clock_index(&self, name: &str) -> Result<usize, SimError> {
        let local = name
            .strip_prefix(self.model.top.as_str())
            .and_then(|n| n.strip_prefix('.'))
            .unwrap_or(name);
        self.clocks
            .iter()
            .position(|c| c.name == local)
            .ok_or_else(|| SimError::UnknownClock {
                name: name.to_string(),
                help: suggest::hint(local, self.clocks.iter().map(|c| c.name.as_str())),
            })
    }

    /// The error for a signal name `path` that names no signal, with the
    /// closest names written the way `path` is (with or without the top
    /// module's name).
    fn unknown_signal(&self, path: &str) -> SimError {
        let full = path.starts_with(&format!("{}.", self.model.top));
        let prefix = self.model.top.len() + 1;
        let names = self.model.signals.iter().map(|s| match full {
            true => s.name.as_str(),
            false => s.name.get(prefix..).unwrap_or(&s.name),
        });
        SimError::UnknownSignal {
            name: path.to_string(),
            help: suggest::hint(path, names),
        }
    }

    fn too_wide(&self, h: SignalHandle) -> SimError {
        SimError::TooWide {
            name: self.model.signals[h.index as usize].name.clone(),
            width: h.width,
        }
    }

    fn poke_words(&mut self, h: SignalHandle, words: &[u64]) -> Result<(), SimError> {
        let name = || self.model.signals[h.index as usize].name.clone();
        if !h.pokeable {
            return Err(SimError::NotPokeable(name()));
        }
        let n = words_for(h.width);
        let value_width = significant_bits(words);
        if value_width > h.width {
            return Err(SimError::ValueTooWide {
                name: name(),
                width: h.width,
                value_width,
            });
        }
        let dst = &mut self.state[h.off as usize..h.off as usize + n];
        dst.fill(0);
        for (d, w) in dst.iter_mut().zip(words) {
            *d = *w;
        }
        self.settled = Settled::Nothing;
        self.dump_pending = true;
        Ok(())
    }

    /// Runs the tape of `logic` and applies asynchronous resets until
    /// nothing changes.
    fn settle(&mut self, logic: Logic) {
        settle(
            &self.model.program,
            logic,
            &mut self.state,
            &mut self.scratch,
        );
    }

    /// Brings every combinational value up to date.
    fn settle_all(&mut self) {
        if self.settled != Settled::All {
            self.settle(Logic::All);
            self.settled = Settled::All;
        }
    }

    /// Brings the value of `h` up to date: only the outputs' logic for an
    /// output of the top module, everything otherwise.
    #[inline]
    fn settle_for(&mut self, h: SignalHandle) {
        if !h.output {
            self.settle_all();
        } else if self.settled == Settled::Nothing {
            self.settle(Logic::Outputs);
            self.settled = Settled::Outputs;
        }
    }

    /// Processes edge times until one with a rising edge.
    #[inline]
    fn advance_to_rise(&mut self) -> Result<(), SimError> {
        if self
            .interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
        {
            return Err(self.interrupt_now());
        }
        if self.clocks.len() == 1 && self.trace.is_none() && self.recorders.is_empty() {
            return self.single_clock_cycle();
        }
        self.next_rise_of_any()
    }

    /// Stops stepping for [`Sim::interrupt`].
    #[cold]
    fn interrupt_now(&mut self) -> SimError {
        self.interrupted = true;
        SimError::Interrupted { time_ps: self.now }
    }

    /// [`Sim::advance_to_rise`] in general: any number of clocks, with
    /// waveform dumps and recordings.
    fn next_rise_of_any(&mut self) -> Result<(), SimError> {
        loop {
            if self.dump_pending {
                self.dump()?;
            }
            let t = self
                .clocks
                .iter()
                .map(Clock::next_event)
                .min()
                .ok_or(SimError::NoClock)?;
            self.now = t;
            let mut fell = false;
            for d in 0..self.clocks.len() {
                if self.clocks[d].next_fall == Some(t) {
                    self.clocks[d].next_fall = None;
                    self.set_clock(d, 0);
                    fell = true;
                }
            }
            if fell {
                self.after_clocks_fell();
            }
            self.rising.clear();
            self.rising
                .extend((0..self.clocks.len()).filter(|&d| self.clocks[d].next_rise == t));
            if self.rising.is_empty() {
                self.dump_fall()?;
                continue;
            }
            let failures_before = self.failures.len();
            self.edge();
            // Written when time moves on (pokes at this time included) or
            // the trace closes: one dump per time.
            self.dump_pending = true;
            return self.first_failure_since(failures_before);
        }
    }

    /// [`Sim::advance_to_rise`] for the common case of one clock and nothing
    /// watching the edges (no waveform, no recordings): the pending falling
    /// edge, if it comes first, then the next rising edge.
    #[inline]
    fn single_clock_cycle(&mut self) -> Result<(), SimError> {
        let clock = &mut self.clocks[0];
        let rise = clock.next_rise;
        if let Some(fall) = clock.next_fall.filter(|&f| f <= rise) {
            clock.next_fall = None;
            self.now = fall;
            self.set_clock(0, 0);
            self.after_clocks_fell();
        }
        self.now = rise;
        self.dump_pending = false;
        let failures_before = self.failures.len();
        if self.model.program.fused(Fused::Alone(0)).is_some() {
            self.edge_fused(Fused::Alone(0));
        } else {
            self.rising.clear();
            self.rising.push(0);
            self.edge();
        }
        self.first_failure_since(failures_before)
    }

    /// Drives the clock input of domain `d` to `level`.
    #[inline]
    fn set_clock(&mut self, d: usize, level: u64) {
        self.state[self.clocks[d].input as usize] = level;
    }

    /// Updates what is settled once clocks fell.
    fn after_clocks_fell(&mut self) {
        match self.settled {
            // An output may read a clock's level.
            Settled::Outputs => self.settled = Settled::Nothing,
            // Only the logic that reads a clock's level can change.
            Settled::All => self.run_tape(|p| &p.clock_fanout),
            Settled::Nothing => {}
        }
    }

    /// The first assertion failure recorded after the first `before`, as
    /// the error a stepping call returns.
    #[inline]
    fn first_failure_since(&self, before: usize) -> Result<(), SimError> {
        match self.failures.len() == before {
            true => Ok(()),
            false => Err(self.failure_error(before)),
        }
    }

    /// Failure `i` as the error a stepping call returns.
    #[cold]
    fn failure_error(&self, i: usize) -> SimError {
        SimError::Assertion(Box::new(self.failures[i].clone()))
    }

    /// Simulates the rising edges of the domains in `self.rising` at the
    /// current time: sample everything, then write memories, then commit.
    fn edge(&mut self) {
        let rising = &self.rising;
        if self.recorders.iter().any(|r| r.samples_at(rising)) {
            // Outputs outside the edge's own logic cone are sampled too.
            self.settle_all();
            for r in &mut self.recorders {
                if r.samples_at(&self.rising) {
                    r.sample(self.now, &self.state);
                }
            }
        }
        let fused = match self.rising[..] {
            [d] => Some(Fused::Alone(d)),
            ref all if all.len() == self.clocks.len() => Some(Fused::Together),
            _ => None,
        };
        if let Some(fused) = fused.filter(|&f| self.model.program.fused(f).is_some()) {
            self.edge_fused(fused);
            return;
        }
        if self.settled != Settled::All {
            match self.rising[..] {
                [d] => self.settle(Logic::Domain(d)),
                _ => self.settle_all(),
            }
        }
        for i in 0..self.rising.len() {
            let d = self.rising[i];
            self.run_tape(|p| &p.domains[d].latch);
            self.check_assertions(d);
            self.read_memories(d);
        }
        for i in 0..self.rising.len() {
            self.write_memories(self.rising[i]);
        }
        for i in 0..self.rising.len() {
            let d = self.rising[i];
            self.run_tape(|p| &p.domains[d].commit);
            self.commit_reads(d);
            self.set_clock(d, 1);
            self.clocks[d].rise(self.now);
        }
        self.settled = Settled::Nothing;
    }

    /// The rising edges of the domains of `which`, through their fused tapes.
    #[inline]
    fn edge_fused(&mut self, which: Fused) {
        let p = &self.model.program;
        let edge = p.fused(which).expect("only fused edges are run fused");
        // Settled logic (dumped to a waveform) holds what the cones compute.
        let tape = match self.settled {
            Settled::All => &edge.latched,
            _ => &edge.sample,
        };
        tape::run(tape, &p.wide, &p.tables, &mut self.state, &mut self.scratch);
        let (ports, settles_outputs) = (edge.ports, edge.settles_outputs);
        let domains = p.fused_domains(which);
        if ports {
            self.edge_ports(which);
        }
        self.settled = match settles_outputs {
            true => Settled::Outputs,
            false => Settled::Nothing,
        };
        for d in domains {
            self.clocks[d].rise(self.now);
        }
    }

    /// The part of a fused edge `which` after its sample tape when the
    /// design has memory ports or assertions: check, read, write, commit,
    /// then the finishing tape.
    fn edge_ports(&mut self, which: Fused) {
        let domains = self.model.program.fused_domains(which);
        for d in domains.clone() {
            self.check_assertions(d);
            self.read_memories(d);
        }
        for d in domains.clone() {
            self.write_memories(d);
        }
        for d in domains {
            self.commit_reads(d);
        }
        // Without ports, `sample` ran `finish` too.
        self.run_tape(|p| &p.fused(which).expect("a fused edge").finish);
    }

    /// Runs the tape `pick` chooses over the state.
    #[inline]
    fn run_tape(&mut self, pick: impl Fn(&Program) -> &Tape) {
        let p = &self.model.program;
        tape::run(
            pick(p),
            &p.wide,
            &p.tables,
            &mut self.state,
            &mut self.scratch,
        );
    }

    /// Records the assertions of domain `d` that fail at this edge.
    #[inline]
    fn check_assertions(&mut self, d: usize) {
        let p = &self.model.program;
        for &a in &p.domains[d].assertions {
            if self.state[p.assertions[a as usize].cond as usize] & 1 == 0 {
                let info = &self.model.assertions[a as usize];
                self.failures.push(AssertionFailure {
                    kind: info.kind,
                    time_ps: self.now,
                    clock: self.clocks[d].name.clone(),
                    cycle: self.clocks[d].cycles,
                    path: info.path.clone(),
                    message: info.message.clone(),
                    loc: info.loc,
                });
            }
        }
    }

    /// Samples the read ports of domain `d` into their shadows.
    #[inline]
    fn read_memories(&mut self, d: usize) {
        let p = &self.model.program;
        let s = &mut self.state;
        for r in &p.domains[d].reads {
            let shape = p.memories[r.memory as usize];
            let n = shape.words as usize;
            let shadow = r.shadow as usize;
            match address(s, r.addr, shape.depth) {
                Some(a) if s[r.enable as usize] & 1 == 1 => s[shadow..shadow + n]
                    .copy_from_slice(&self.memories[r.memory as usize][a * n..a * n + n]),
                _ => s.copy_within(r.data as usize..r.data as usize + n, shadow),
            }
        }
    }

    /// Carries out the enabled write ports of domain `d`.
    #[inline]
    fn write_memories(&mut self, d: usize) {
        let p = &self.model.program;
        let s = &self.state;
        for w in &p.domains[d].writes {
            let shape = p.memories[w.memory as usize];
            let n = shape.words as usize;
            if s[w.enable as usize] & 1 == 1 {
                if let Some(a) = address(s, w.addr, shape.depth) {
                    let data = w.data as usize;
                    self.memories[w.memory as usize][a * n..a * n + n]
                        .copy_from_slice(&s[data..data + n]);
                }
            }
        }
    }

    /// Commits the read data of domain `d`'s read ports from their shadows.
    #[inline]
    fn commit_reads(&mut self, d: usize) {
        let p = &self.model.program;
        for r in &p.domains[d].reads {
            copy_words(
                &mut self.state,
                r.shadow,
                r.data,
                p.memories[r.memory as usize].words,
            );
        }
    }

    fn dump(&mut self) -> Result<(), SimError> {
        self.dump_pending = false;
        if self.trace.is_some() {
            self.settle_all();
            if let Some(w) = &mut self.trace {
                w.dump(self.now, &self.state, Compare::All)
                    .map_err(|e| SimError::wave(w.path(), e))?;
            }
        }
        Ok(())
    }

    /// [`Sim::dump`] at a time with only falling edges: when everything was
    /// settled (and so dumped) before them, only the clocks and the logic
    /// reading their levels are compared.
    fn dump_fall(&mut self) -> Result<(), SimError> {
        if self.settled != Settled::All || self.dump_pending {
            return self.dump();
        }
        if let Some(w) = &mut self.trace {
            w.dump(self.now, &self.state, Compare::Falls)
                .map_err(|e| SimError::wave(w.path(), e))?;
        }
        Ok(())
    }

    /// Flushes the waveform after a stepping call, keeping the call's error first.
    /// A call that stopped early (an assertion failed, an interrupt) first
    /// writes the values of its last edge, so the file shows where it
    /// stopped.
    fn flush_trace<T>(&mut self, result: Result<T, SimError>) -> Result<T, SimError> {
        if self.trace.is_none() {
            return result;
        }
        let dumped = match result.is_err() && self.dump_pending {
            true => self.dump(),
            false => Ok(()),
        };
        let stopped = result.is_err();
        let flushed = match &mut self.trace {
            // A run stopped early leaves the file as complete as it can be
            // while open.
            Some(w) => w
                .flush()
                .and_then(|()| if stopped { w.sync() } else { Ok(()) })
                .map_err(|e| SimError::wave(w.path(), e)),
            None => Ok(()),
        };
        let value = result?;
        dumped?;
        flushed?;
        Ok(value)
    }
}

impl Drop for Sim {
    /// Writes the last edge's values to an open waveform, which is then
    /// finished. Nothing can report an error from a drop; a waveform whose
    /// write failed is not put in place.
    fn drop(&mut self) {
        if self.dump_pending && self.trace.is_some() {
            let _ = self.dump();
        }
    }
}

/// Copies `words` words of the state from `src` to `dst`.
#[inline]
fn copy_words(s: &mut [u64], src: u32, dst: u32, words: u32) {
    let (src, dst) = (src as usize, dst as usize);
    if words == 1 {
        s[dst] = s[src];
    } else {
        s.copy_within(src..src + words as usize, dst);
    }
}

/// Bits needed to write `words` (0 for zero).
fn significant_bits(words: &[u64]) -> u32 {
    words
        .iter()
        .rposition(|w| *w != 0)
        .map_or(0, |i| i as u32 * 64 + (64 - words[i].leading_zeros()))
}

/// The word address of an `addr` operand, when below `depth`.
fn address(s: &[u64], addr: Operand, depth: u64) -> Option<usize> {
    let off = addr.off as usize;
    let words = &s[off..off + words_for(addr.width)];
    if words[1..].iter().any(|w| *w != 0) || words[0] >= depth {
        None
    } else {
        Some(words[0] as usize)
    }
}

/// The top-level inputs that clock something, plus every declared clock input.
fn clock_inputs(net: &Netlist) -> Vec<SignalId> {
    let mut clocks: Vec<SignalId> = net
        .signals
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == FlatKind::Input { clock: true })
        .map(|(i, _)| SignalId(i as u32))
        .collect();
    let used = net
        .regs
        .iter()
        .map(|r| r.clock)
        .chain(net.memories.iter().flat_map(|m| {
            m.reads
                .iter()
                .map(|r| r.clock)
                .chain(m.writes.iter().map(|w| w.clock))
        }))
        .chain(net.assertions.iter().map(|a| a.clock));
    for c in used {
        if !clocks.contains(&c) {
            clocks.push(c);
        }
    }
    clocks.sort();
    clocks
}
