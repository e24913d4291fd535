//! Waveforms. A writer puts the simulator's signals in a Value Change
//! Dump (`.vcd`, through the `vcd` crate) or a Fast Signal Trace (`.fst`,
//! written by this crate), chosen by the file's extension; the simulator
//! drives it from [`crate::Sim::trace`]. Both formats share the walk that
//! turns hierarchical names into scopes and the change detection: one
//! scope per level of the hierarchy, a 1 ps
//! timescale, signals held in the same simulator words with the same width
//! declared as one variable with several names, and a value written only
//! when it changed since the last dump. The simulating thread only finds
//! the changed state words; an FST file is written from them on a thread
//! of its own, a VCD file on the simulating thread at every flush.
//!
//! Next to every waveform goes a GTKWave save file that groups
//! each block's ports, with translate filters showing FSM state names (each
//! written whole, through [`crate::files::write_atomic`]).
//!
//! A trace started with [`crate::Sim::trace_whole`] streams into a hidden
//! temporary file ([`crate::files::Part`]) that is renamed to its name only
//! when the trace is closed, so a killed run never leaves a waveform that
//! looks complete and is not.
//!
//! [`Waves`] reads a VCD file back.

mod fst;
mod gtkw;
mod read;
mod vcd;

pub use gtkw::marker_save_file;
pub(crate) use gtkw::Layout;
pub use read::{ReadError, Waves};

use crate::files::Part;

use linkforge_hdl::words_for;
use std::collections::hash_map::{Entry, HashMap};
use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::Instant;

/// The files a trace of every signal of `design` to waveform `dump` writes
/// beside it: the GTKWave save file, then the FSM filter files.
pub fn save_files(design: &linkforge_hdl::Design, dump: &Path) -> io::Result<Vec<PathBuf>> {
    gtkw::files(dump, &Layout::new(design))
}

/// A signal to trace: hierarchical name, width and word offset in the state.
pub(crate) struct Traced<'a> {
    pub name: &'a str,
    pub width: u32,
    pub off: u32,
}

/// The header of a waveform file: scopes and variables.
trait Declare {
    /// How the file refers to a variable once declared.
    type Id: Copy;
    /// Opens scope `name` inside the current one.
    fn scope(&mut self, name: &str) -> io::Result<()>;
    /// Closes the current scope.
    fn upscope(&mut self) -> io::Result<()>;
    /// Declares variable `name` in the current scope, holding `signal`.
    fn var(&mut self, name: &str, signal: &Traced<'_>) -> io::Result<Self::Id>;
    /// Declares `name` in the current scope as another name of variable
    /// `of`, which is `width` bits wide.
    fn alias(&mut self, name: &str, width: u32, of: Self::Id) -> io::Result<()>;
}

/// The body of a waveform file: timestamps and value changes.
trait Changes {
    /// How the file refers to a variable.
    type Id: Copy;
    /// Starts time `time`, later than every earlier one. `last` holds the
    /// values written so far, at their offsets in the simulator's state.
    fn time(&mut self, time: u64, last: &[u64]) -> io::Result<()>;
    /// Writes the new value of `id`, `width` bits in state words.
    fn change(&mut self, id: Self::Id, width: u32, value: &[u64]) -> io::Result<()>;
    /// Makes what was written so far readable from the file.
    fn flush(&mut self) -> io::Result<()>;
    /// Finishes the file; later changes are ignored.
    fn finish(&mut self) -> io::Result<()>;
}

/// Scopes by name, and the signals (indices into the traced list) they hold.
#[derive(Default)]
struct Scope<'a> {
    vars: Vec<(usize, &'a str)>,
    children: BTreeMap<&'a str, Scope<'a>>,
}

impl<'a> Scope<'a> {
    fn insert(&mut self, index: usize, name: &'a str) {
        match name.split_once('.') {
            Some((scope, rest)) => self.children.entry(scope).or_default().insert(index, rest),
            None => self.vars.push((index, name)),
        }
    }

    /// Declares this scope's variables and children, pushing `(index, id)`
    /// for every traced signal. A signal at the offset and of the width of
    /// one declared before (in `declared`) is declared as its alias.
    fn declare<D: Declare>(
        &self,
        out: &mut D,
        signals: &[Traced<'_>],
        declared: &mut HashMap<(u32, u32), D::Id>,
        ids: &mut Vec<(usize, D::Id)>,
    ) -> io::Result<()> {
        for &(i, name) in &self.vars {
            let s = &signals[i];
            let id = match declared.entry((s.off, s.width)) {
                Entry::Occupied(e) => {
                    out.alias(&legal(name), s.width, *e.get())?;
                    *e.get()
                }
                Entry::Vacant(e) => *e.insert(out.var(&legal(name), s)?),
            };
            ids.push((i, id));
        }
        for (name, child) in &self.children {
            out.scope(&legal(name))?;
            child.declare(out, signals, declared, ids)?;
            out.upscope()?;
        }
        Ok(())
    }
}

/// Declares `signals` with one scope per level of their hierarchical names;
/// returns the id of each, in the order of `signals`.
fn declare<D: Declare>(out: &mut D, signals: &[Traced<'_>]) -> io::Result<Vec<D::Id>> {
    let mut root = Scope::default();
    for (i, s) in signals.iter().enumerate() {
        root.insert(i, s.name);
    }
    let mut ids = Vec::with_capacity(signals.len());
    root.declare(out, signals, &mut HashMap::new(), &mut ids)?;
    ids.sort_by_key(|&(i, _)| i);
    Ok(ids.into_iter().map(|(_, id)| id).collect())
}

/// A name as the waveform files spell it: no whitespace.
fn legal(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// A variable of the file: the simulator words it is read from.
struct Var<Id> {
    id: Id,
    off: u32,
    width: u32,
}

/// State words compared at once: a cache line.
const CHUNK: usize = 8;

/// Eight state words holding at least one traced value.
#[derive(Clone, Copy)]
struct Chunk {
    /// Its first word is word `CHUNK * index` of the state.
    index: u32,
    /// Bit `j` set: word `j` of the chunk holds a traced value.
    traced: u8,
    /// Words of the chunk inside the traced state (the last may be short).
    len: u8,
}

impl Chunk {
    /// The chunk's words in the state.
    fn words(self) -> Range<usize> {
        let start = self.index as usize * CHUNK;
        start..start + self.len as usize
    }
}

/// A record of [`Waveform`]'s stream: a dump, `DUMP, time, n`, then `n`
/// changed chunks, each `k << 8 | changed` (chunk `k`, bit `j` set when
/// its word `j` changed) followed by the chunk's words.
const DUMP: u64 = 0;
/// A record of [`Waveform`]'s stream: [`Changes::flush`].
const FLUSH: u64 = 1;

/// Words of records gathered before they are handed to the writer.
const BATCH_WORDS: usize = 1 << 15;

/// Batches handed to a writer thread and not yet written, at most.
const QUEUE: usize = 4;

/// An open waveform file of either format and the values last written to it.
///
/// A dump compares the state's chunks holding traced words with their copy
/// from the last dump, eight words at a time without branches, and records
/// only the chunks that differ, which the [`Emitter`] (on a thread of its
/// own for FST) turns into the changes of the variables they hold: a
/// design where little changes costs little per dump, and formatting,
/// compression and file writes leave the simulating thread.
struct Waveform<C: Changes> {
    chunks: Vec<Chunk>,
    /// The values last recorded, at their offsets in the state (up to the
    /// last traced word).
    last: Vec<u64>,
    /// The first dump, which records every traced word, is done.
    started: bool,
    /// The chunks (indices into `chunks`) and words within them that
    /// [`Compare::Falls`] compares.
    some: Vec<(u32, u8)>,
    /// Records not yet handed to the emitter.
    batch: Vec<u64>,
    /// Hand the batch over after the next dump (a flush was requested).
    send_due: bool,
    /// `None`: every stepping call flushes the file (VCD).
    pacer: Option<Pacer>,
    sink: Sink<C>,
}

/// Where a [`Waveform`]'s records are turned into the file.
enum Sink<C: Changes> {
    /// On the simulating thread, at every flush.
    Here(Box<Emitter<C>>),
    /// On a thread of its own.
    Thread(Worker),
}

/// A writer thread: batches of records in, used batches back.
struct Worker {
    to: SyncSender<Job>,
    spare: Receiver<Vec<u64>>,
    thread: JoinHandle<io::Result<()>>,
}

/// What a [`Worker`] is asked to do.
enum Job {
    Records(Vec<u64>),
    /// Report, once every earlier record is written, the first write error
    /// not reported yet.
    Sync(SyncSender<io::Result<()>>),
}

impl<C: Changes + Send + 'static> Waveform<C>
where
    C::Id: Send,
{
    /// Wraps `out`, whose header declared `signals` as `ids` (one id for
    /// the signals of one offset and width). `threaded`: `out` is written
    /// on a thread of its own, and a flush request reaches it at most every
    /// [`fst::FLUSH_INTERVAL`]; otherwise at every flush.
    fn new(out: C, signals: &[Traced<'_>], ids: Vec<C::Id>, threaded: bool) -> io::Result<Self> {
        let emitter = Emitter::new(out, signals, ids);
        let (chunks, last) = (emitter.chunks.clone(), emitter.last.clone());
        let sink = match threaded {
            false => Sink::Here(Box::new(emitter)),
            true => {
                let (to, jobs) = sync_channel(QUEUE);
                let (back, spare) = channel();
                let thread = std::thread::Builder::new()
                    .name("linkforge waveform".into())
                    .spawn(move || emitter.serve(jobs, back))?;
                Sink::Thread(Worker { to, spare, thread })
            }
        };
        Ok(Waveform {
            chunks,
            last,
            started: false,
            some: Vec::new(),
            batch: Vec::with_capacity(BATCH_WORDS),
            send_due: false,
            pacer: threaded.then(Pacer::default),
            sink,
        })
    }
}

impl<C: Changes> Waveform<C> {
    /// Sets the state words [`Compare::Falls`] compares.
    fn watch(&mut self, words: &[u32]) {
        let slot: HashMap<u32, usize> =
            (0..).zip(&self.chunks).map(|(k, c)| (c.index, k)).collect();
        let mut some: BTreeMap<u32, u8> = BTreeMap::new();
        for &w in words {
            if let Some(&k) = slot.get(&(w / CHUNK as u32)) {
                let bit = 1 << (w % CHUNK as u32);
                if self.chunks[k].traced & bit != 0 {
                    *some.entry(k as u32).or_default() |= bit;
                }
            }
        }
        self.some = some.into_iter().collect();
    }

    /// Records, at `time`, every traced word that changed since the last
    /// dump (all of them on the first dump), comparing the words `compare`
    /// says.
    fn dump(&mut self, time: u64, state: &[u64], compare: Compare) -> io::Result<()> {
        let head = self.batch.len();
        self.batch.extend_from_slice(&[DUMP, time, 0]);
        let mut n = 0;
        if !self.started {
            self.started = true;
            for k in 0..self.chunks.len() {
                self.record(k, self.chunks[k].traced, state);
            }
            n = self.chunks.len();
        } else {
            let count = match compare {
                Compare::All => self.chunks.len(),
                Compare::Falls => self.some.len(),
            };
            for i in 0..count {
                let (k, words) = match compare {
                    Compare::All => (i, self.chunks[i].traced),
                    Compare::Falls => (self.some[i].0 as usize, self.some[i].1),
                };
                let start = self.chunks[k].index as usize * CHUNK;
                let changed = differing(&state[..self.last.len()], &self.last, start) & words;
                if changed != 0 {
                    self.record(k, changed, state);
                    n += 1;
                }
            }
            if n == 0 {
                self.batch.truncate(head);
                return Ok(());
            }
        }
        self.batch[head + 2] = n as u64;
        if self.send_due || self.batch.len() >= BATCH_WORDS {
            self.send()?;
        }
        Ok(())
    }

    /// Records the words `changed` of chunk `k` and remembers them.
    #[inline]
    fn record(&mut self, k: usize, changed: u8, state: &[u64]) {
        let words = self.chunks[k].words();
        self.batch.push((k as u64) << 8 | u64::from(changed));
        copy_chunk(&mut self.batch, &state[words.clone()]);
        let mut bits = changed;
        while bits != 0 {
            let w = words.start + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            self.last[w] = state[w];
        }
    }

    /// Hands the records gathered so far to the emitter.
    fn send(&mut self) -> io::Result<()> {
        self.send_due = false;
        match &mut self.sink {
            Sink::Here(emitter) => {
                let result = emitter.apply(&self.batch);
                self.batch.clear();
                result
            }
            Sink::Thread(worker) => {
                if self.batch.is_empty() {
                    return Ok(());
                }
                let fresh = worker
                    .spare
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH_WORDS));
                let full = std::mem::replace(&mut self.batch, fresh);
                worker.to.send(Job::Records(full)).map_err(|_| stopped())
            }
        }
    }

    /// Requests that what was recorded so far becomes readable from the
    /// file: at once without a pacer (VCD), else at most every
    /// [`fst::FLUSH_INTERVAL`], carried out when the next time starts.
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.pacer {
            None => {
                self.batch.push(FLUSH);
                self.send()
            }
            Some(pacer) => {
                if pacer.due() {
                    self.batch.push(FLUSH);
                    self.send_due = true;
                }
                Ok(())
            }
        }
    }

    /// Waits until everything recorded so far reached the emitter and was
    /// written, returning the first write error not reported before.
    fn sync(&mut self) -> io::Result<()> {
        self.send()?;
        let Sink::Thread(worker) = &self.sink else {
            return Ok(());
        };
        let (reply, answer) = sync_channel(1);
        worker.to.send(Job::Sync(reply)).map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }

    /// Writes everything recorded and finishes the file.
    fn close(mut self) -> io::Result<()> {
        let sent = self.send();
        let finished = match self.sink {
            Sink::Here(mut emitter) => emitter.out.finish(),
            Sink::Thread(worker) => {
                drop(worker.to);
                worker.thread.join().unwrap_or_else(|_| Err(stopped()))
            }
        };
        sent.and(finished)
    }
}

/// The error when the writer thread is gone.
fn stopped() -> io::Error {
    io::Error::other("the waveform writer thread stopped")
}

/// When a stepping call's flush request is passed on: at most every
/// [`fst::FLUSH_INTERVAL`], reading the clock at a fraction of the calls
/// (paced by how fast they came so far, at least every [`MAX_UNCHECKED`]th),
/// since reading it at every call would cost a testbench that steps one
/// edge at a time more than the dump itself.
#[derive(Default)]
struct Pacer {
    /// When a request was last passed on (`None` before the first).
    last: Option<Instant>,
    /// Requests since then, and the count at which the clock is read next.
    requests: u64,
    next_check: u64,
}

/// Most flush requests between two readings of the clock.
const MAX_UNCHECKED: u64 = 64;

impl Pacer {
    /// Whether this request is passed on.
    fn due(&mut self) -> bool {
        self.requests += 1;
        if self.requests < self.next_check {
            return false;
        }
        let elapsed = self.last.map(|at| at.elapsed());
        match elapsed {
            Some(elapsed) if elapsed < fst::FLUSH_INTERVAL => {
                // Read the clock again about halfway to when the interval
                // ends, at the rate requests came so far.
                let per_request = elapsed.as_secs_f64() / self.requests as f64;
                let left = (fst::FLUSH_INTERVAL - elapsed).as_secs_f64();
                let wait = (left / 2.0 / per_request.max(1e-9)) as u64;
                self.next_check = self.requests + wait.clamp(1, MAX_UNCHECKED);
                false
            }
            _ => {
                self.last = Some(Instant::now());
                self.requests = 0;
                self.next_check = 1;
                true
            }
        }
    }
}

/// Turns a [`Waveform`]'s records into the file's changes: the variables
/// of every changed word, each written once per dump.
struct Emitter<C: Changes> {
    out: C,
    vars: Vec<Var<C::Id>>,
    chunks: Vec<Chunk>,
    /// The variables held in each word of the chunks: those of word `j` of
    /// chunk `k` are `cover[cover_start[8k + j]..cover_start[8k + j + 1]]`.
    cover_start: Vec<u32>,
    cover: Vec<u32>,
    /// The dump that last wrote each variable, so one spanning several
    /// changed words is written once.
    stamp: Vec<u64>,
    dumps: u64,
    /// The values last written, at their offsets in the state (up to the
    /// last traced word).
    last: Vec<u64>,
    /// The values of the dump being written, laid out as `last`.
    current: Vec<u64>,
    /// The last timestamp written, `None` before the first dump.
    time: Option<u64>,
    /// The first write error; nothing is written after it.
    error: Option<io::Error>,
}

impl<C: Changes> Emitter<C> {
    fn new(out: C, signals: &[Traced<'_>], ids: Vec<C::Id>) -> Emitter<C> {
        let mut seen = HashMap::new();
        let mut vars: Vec<Var<C::Id>> = Vec::new();
        for (s, id) in signals.iter().zip(ids) {
            if seen.insert((s.off, s.width), ()).is_none() {
                vars.push(Var {
                    id,
                    off: s.off,
                    width: s.width,
                });
            }
        }
        let words = |v: &Var<C::Id>| v.off as usize..v.off as usize + words_for(v.width);
        let state = vars.iter().map(|v| words(v).end).max().unwrap_or(0);
        // The chunks holding traced words, in state order, and where each
        // state chunk is in that list.
        let mut traced: BTreeMap<usize, u8> = BTreeMap::new();
        for word in vars.iter().flat_map(words) {
            *traced.entry(word / CHUNK).or_default() |= 1 << (word % CHUNK);
        }
        let chunks: Vec<Chunk> = traced
            .iter()
            .map(|(&index, &traced)| Chunk {
                index: index as u32,
                traced,
                len: (state - index * CHUNK).min(CHUNK) as u8,
            })
            .collect();
        let slot: HashMap<usize, usize> = traced.keys().enumerate().map(|(k, &c)| (c, k)).collect();
        let position = |word: usize| slot[&(word / CHUNK)] * CHUNK + word % CHUNK;

        let mut count = vec![0u32; chunks.len() * CHUNK + 1];
        for word in vars.iter().flat_map(words) {
            count[position(word)] += 1;
        }
        let mut cover_start = Vec::with_capacity(count.len());
        let mut total = 0;
        for c in &count {
            cover_start.push(total);
            total += c;
        }
        let mut fill = cover_start.clone();
        let mut cover = vec![0; total as usize];
        for (i, v) in vars.iter().enumerate() {
            for word in words(v) {
                let f = &mut fill[position(word)];
                cover[*f as usize] = i as u32;
                *f += 1;
            }
        }
        Emitter {
            out,
            stamp: vec![0; vars.len()],
            vars,
            chunks,
            cover_start,
            cover,
            dumps: 0,
            last: vec![0; state],
            current: vec![0; state],
            time: None,
            error: None,
        }
    }

    /// Writes the records of `jobs` until the channel closes, handing each
    /// batch back through `spare`, then finishes the file.
    fn serve(mut self, jobs: Receiver<Job>, spare: Sender<Vec<u64>>) -> io::Result<()> {
        for job in jobs {
            match job {
                Job::Records(mut batch) => {
                    if self.error.is_none() {
                        self.error = self.apply(&batch).err();
                    }
                    batch.clear();
                    // The simulator may be gone; the batch is then dropped.
                    let _ = spare.send(batch);
                }
                Job::Sync(reply) => {
                    let _ = reply.send(self.error.take().map_or(Ok(()), Err));
                }
            }
        }
        let finished = self.out.finish();
        self.error.map_or(finished, Err)
    }

    /// Writes the changes of `records`.
    fn apply(&mut self, records: &[u64]) -> io::Result<()> {
        let mut at = 0;
        while at < records.len() {
            if records[at] == FLUSH {
                self.out.flush()?;
                at += 1;
                continue;
            }
            let (time, n) = (records[at + 1], records[at + 2] as usize);
            at += 3;
            let first = at;
            // The dump's values first: a variable may span changed chunks.
            for _ in 0..n {
                let words = self.chunks[(records[at] >> 8) as usize].words();
                let len = words.len();
                let from = &records[at + 1..at + 1 + len];
                match <&[u64; CHUNK]>::try_from(from) {
                    Ok(whole) => {
                        *<&mut [u64; CHUNK]>::try_from(&mut self.current[words])
                            .expect("as long as `from`") = *whole
                    }
                    Err(_) => self.current[words].copy_from_slice(from),
                }
                at += 1 + len;
            }
            if self.time.is_none() {
                self.dump_all(time)?;
                continue;
            }
            self.dumps += 1;
            let mut entry = first;
            for _ in 0..n {
                let (k, changed) = ((records[entry] >> 8) as usize, records[entry] as u8);
                self.emit(k, changed, time)?;
                entry += 1 + self.chunks[k].len as usize;
            }
        }
        Ok(())
    }

    /// Writes the variables of the words `changed` of chunk `k` (each once
    /// per dump) and remembers those words.
    fn emit(&mut self, k: usize, changed: u8, time: u64) -> io::Result<()> {
        let start = self.chunks[k].index as usize * CHUNK;
        let mut bits = changed;
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let i = k * CHUNK + j;
            let holders = self.cover_start[i] as usize..self.cover_start[i + 1] as usize;
            for &v in &self.cover[holders] {
                if self.stamp[v as usize] == self.dumps {
                    continue;
                }
                self.stamp[v as usize] = self.dumps;
                if self.time != Some(time) {
                    // Nothing of this dump is in `last` yet.
                    self.out.time(time, &self.last)?;
                    self.time = Some(time);
                }
                let v = &self.vars[v as usize];
                let off = v.off as usize;
                self.out
                    .change(v.id, v.width, &self.current[off..off + words_for(v.width)])?;
            }
        }
        for j in 0..CHUNK {
            if changed & (1 << j) != 0 {
                self.last[start + j] = self.current[start + j];
            }
        }
        Ok(())
    }

    /// Writes every traced value at `time`.
    fn dump_all(&mut self, time: u64) -> io::Result<()> {
        self.out.time(time, &self.last)?;
        self.time = Some(time);
        for v in &self.vars {
            let words = v.off as usize..v.off as usize + words_for(v.width);
            self.out
                .change(v.id, v.width, &self.current[words.clone()])?;
            self.last[words.clone()].copy_from_slice(&self.current[words]);
        }
        Ok(())
    }
}

/// Appends `words` (a chunk's) to `batch`; a whole chunk as one fixed-size
/// copy.
#[inline(always)]
fn copy_chunk(batch: &mut Vec<u64>, words: &[u64]) {
    match <&[u64; CHUNK]>::try_from(words) {
        Ok(whole) => batch.extend_from_slice(whole),
        Err(_) => batch.extend_from_slice(words),
    }
}

/// Bit `j` set when word `start + j` (of the eight from `start`) differs
/// between `state` and `last` (as long as `state`); words past the end of
/// `state` never do.
#[inline(always)]
fn differing(state: &[u64], last: &[u64], start: usize) -> u8 {
    let end = state.len().min(start + CHUNK);
    let (s, l) = (&state[start..end], &last[start..end]);
    match (<&[u64; CHUNK]>::try_from(s), <&[u64; CHUNK]>::try_from(l)) {
        // A whole chunk: the length is known, the loops unrolled.
        (Ok(s), Ok(l)) => mask(s, l),
        _ => mask(s, l),
    }
}

/// Bit `j` set when `s[j]` and `l[j]` differ.
#[inline(always)]
fn mask(s: &[u64], l: &[u64]) -> u8 {
    // Most chunks are unchanged: one OR of XORs (vector instructions)
    // tells, before the per-word mask.
    if s.iter().zip(l).fold(0, |acc, (a, b)| acc | (a ^ b)) == 0 {
        return 0;
    }
    s.iter()
        .zip(l)
        .enumerate()
        .fold(0, |mask, (j, (a, b))| mask | u8::from(a != b) << j)
}

/// Which state words a dump compares with the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compare {
    /// Every traced word.
    All,
    /// Only those set by [`Writer::watch_falls`]: at a time with only
    /// falling clock edges, when nothing else changed since the last dump.
    Falls,
}

/// A waveform being written, in the format its file name asks for.
pub(crate) struct Writer {
    /// The waveform file's path (where it appears once closed).
    path: PathBuf,
    /// `None` once closed.
    format: Option<Format>,
    /// For a trace written whole: the temporary file, renamed when closed.
    part: Option<Part>,
    /// A write failed: the file is incomplete and is not put in place.
    failed: bool,
}

/// Boxed: a waveform's state is hundreds of bytes, the FST one's twice
/// the VCD one's.
enum Format {
    Vcd(Box<Waveform<vcd::Body>>),
    Fst(Box<Waveform<fst::Body>>),
}

impl Writer {
    /// Creates the waveform file `path` (`.vcd` or `.fst`) declaring
    /// `signals`, and the GTKWave save file and filters next to it. When
    /// `whole`, the waveform is written to a temporary file beside `path`
    /// and renamed to `path` by [`Writer::close`] (or when dropped).
    pub fn create(
        path: &Path,
        signals: &[Traced<'_>],
        layout: &Layout,
        whole: bool,
    ) -> io::Result<Writer> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let (vcd, fst) = (
            ext.eq_ignore_ascii_case("vcd"),
            ext.eq_ignore_ascii_case("fst"),
        );
        if !vcd && !fst {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a waveform file name ends in .vcd or .fst",
            ));
        }
        let part = if whole { Some(Part::new(path)?) } else { None };
        let target = part.as_ref().map_or(path, Part::path);
        let format = if vcd {
            Format::Vcd(Box::new(vcd::create(target, signals)?))
        } else {
            Format::Fst(Box::new(fst::create(target, signals)?))
        };
        gtkw::write(path, signals, layout)?;
        Ok(Writer {
            path: path.to_path_buf(),
            format: Some(format),
            part,
            failed: false,
        })
    }

    /// The waveform file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes, at `time`, every traced value that changed since the last dump
    /// (all of them on the first dump), comparing the words `compare` says.
    /// A write error may show only at a later call.
    pub fn dump(&mut self, time: u64, state: &[u64], compare: Compare) -> io::Result<()> {
        let result = match &mut self.format {
            Some(Format::Vcd(w)) => w.dump(time, state, compare),
            Some(Format::Fst(w)) => w.dump(time, state, compare),
            None => Ok(()),
        };
        self.failed |= result.is_err();
        result
    }

    /// Sets the state words that can change at a time with only falling
    /// clock edges (the clocks and the logic reading their levels), which
    /// [`Compare::Falls`] compares.
    pub fn watch_falls(&mut self, words: &[u32]) {
        match &mut self.format {
            Some(Format::Vcd(w)) => w.watch(words),
            Some(Format::Fst(w)) => w.watch(words),
            None => {}
        }
    }

    /// Makes what was written so far readable from the file (for FST, up to
    /// the previous flush: see [`fst`]).
    pub fn flush(&mut self) -> io::Result<()> {
        let result = match &mut self.format {
            Some(Format::Vcd(w)) => w.flush(),
            Some(Format::Fst(w)) => w.flush(),
            None => Ok(()),
        };
        self.failed |= result.is_err();
        result
    }

    /// Waits until everything dumped so far is written (for FST, up to the
    /// last flush: see [`fst`]), reporting a write error.
    pub fn sync(&mut self) -> io::Result<()> {
        let result = match &mut self.format {
            Some(Format::Vcd(w)) => w.sync(),
            Some(Format::Fst(w)) => w.sync(),
            None => Ok(()),
        };
        self.failed |= result.is_err();
        result
    }

    /// Finishes the file and, for a trace written whole, renames it into
    /// place; after a failed write the temporary file is removed instead.
    pub fn close(&mut self) -> io::Result<()> {
        let finished = match self.format.take() {
            Some(Format::Vcd(w)) => w.close(),
            Some(Format::Fst(w)) => w.close(),
            None => Ok(()),
        };
        let part = self.part.take();
        match (finished, part) {
            (Ok(()), Some(part)) if !self.failed => part.publish(),
            (Ok(()), Some(part)) => Err(io::Error::other(format!(
                "{} is incomplete after a failed write and was not written",
                part.dest().display()
            ))),
            (result, _) => result,
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Nothing can report an error from a drop; `Sim::close_trace` does.
        let _ = self.close();
    }
}
