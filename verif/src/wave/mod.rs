//! Waveforms. A [`Trace`] writes the simulator's signals to a Value Change
//! Dump ([`vcd`], through the `vcd` crate) or a Fast Signal Trace ([`fst`],
//! through the `fst-writer` crate), chosen by the file's extension; the
//! simulator drives it from [`crate::Sim::trace`]. Both formats share the walk
//! that turns hierarchical names into scopes ([`declare`]) and the change
//! detection ([`Waveform`]): one scope per level of the hierarchy, a 1 ps
//! timescale, and a value written only when it changed since the last dump.
//!
//! Next to every waveform, [`gtkw`] writes a GTKWave save file that groups
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
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

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
    /// Declares variable `name` of `width` bits in the current scope.
    fn var(&mut self, name: &str, width: u32) -> io::Result<Self::Id>;
}

/// The body of a waveform file: timestamps and value changes.
trait Changes {
    /// How the file refers to a variable.
    type Id: Copy;
    /// Starts time `time`, later than every earlier one.
    fn time(&mut self, time: u64) -> io::Result<()>;
    /// Writes the new value of `id`, `width` bits in state words.
    fn change(&mut self, id: Self::Id, width: u32, value: &[u64]) -> io::Result<()>;
    /// Makes what was written so far readable from the file.
    fn flush(&mut self) -> io::Result<()>;
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
    /// for every traced signal.
    fn declare<D: Declare>(
        &self,
        out: &mut D,
        signals: &[Traced<'_>],
        ids: &mut Vec<(usize, D::Id)>,
    ) -> io::Result<()> {
        for &(i, name) in &self.vars {
            ids.push((i, out.var(&legal(name), signals[i].width)?));
        }
        for (name, child) in &self.children {
            out.scope(&legal(name))?;
            child.declare(out, signals, ids)?;
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
    root.declare(out, signals, &mut ids)?;
    ids.sort_by_key(|&(i, _)| i);
    Ok(ids.into_iter().map(|(_, id)| id).collect())
}

/// A name as the waveform files spell it: no whitespace.
fn legal(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

struct Var<Id> {
    id: Id,
    off: usize,
    width: u32,
    /// Offset of the last written value in `Waveform::last`.
    last: usize,
}

/// An open waveform file of either format and the values last written to it.
struct Waveform<C: Changes> {
    out: C,
    vars: Vec<Var<C::Id>>,
    last: Vec<u64>,
    /// The last timestamp written, `None` before the first dump.
    time: Option<u64>,
}

impl<C: Changes> Waveform<C> {
    /// Wraps `out`, whose header declared `signals` as `ids`.
    fn new(out: C, signals: &[Traced<'_>], ids: Vec<C::Id>) -> Waveform<C> {
        let mut last = 0;
        let vars = signals
            .iter()
            .zip(ids)
            .map(|(s, id)| {
                let var = Var {
                    id,
                    off: s.off as usize,
                    width: s.width,
                    last,
                };
                last += words_for(s.width);
                var
            })
            .collect();
        Waveform {
            out,
            vars,
            last: vec![0; last],
            time: None,
        }
    }

    /// Writes, at `time`, every traced value that changed since the last dump
    /// (all of them on the first dump).
    fn dump(&mut self, time: u64, state: &[u64]) -> io::Result<()> {
        let first = self.time.is_none();
        let mut stamped = self.time == Some(time);
        for v in &self.vars {
            let n = words_for(v.width);
            // Most values are one word: compare it without a slice compare.
            if !first && n == 1 && state[v.off] == self.last[v.last] {
                continue;
            }
            let now = &state[v.off..v.off + n];
            let last = &mut self.last[v.last..v.last + n];
            if !first && now == last {
                continue;
            }
            if !stamped {
                self.out.time(time)?;
                self.time = Some(time);
                stamped = true;
            }
            self.out.change(v.id, v.width, now)?;
            last.copy_from_slice(now);
        }
        Ok(())
    }
}

/// A waveform being written, in the format its file name asks for.
pub(crate) struct Trace {
    /// `None` once closed.
    format: Option<Format>,
    /// For a trace written whole: the temporary file, renamed when closed.
    part: Option<Part>,
    /// A write failed: the file is incomplete and is not put in place.
    failed: bool,
}

enum Format {
    Vcd(Waveform<vcd::Body>),
    /// Boxed: `fst-writer`'s state is large.
    Fst(Box<Waveform<fst::Body>>),
}

impl Trace {
    /// Creates the waveform file `path` (`.vcd` or `.fst`) declaring
    /// `signals`, and the GTKWave save file and filters next to it. When
    /// `whole`, the waveform is written to a temporary file beside `path`
    /// and renamed to `path` by [`Trace::close`] (or when dropped).
    pub fn create(
        path: &Path,
        signals: &[Traced<'_>],
        layout: &Layout,
        whole: bool,
    ) -> io::Result<Trace> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let (vcd, fst) = (
            ext.eq_ignore_ascii_case("vcd"),
            ext.eq_ignore_ascii_case("fst"),
        );
        if !vcd && !fst {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{}`: a waveform file name ends in .vcd or .fst",
                    path.display()
                ),
            ));
        }
        let part = if whole { Some(Part::new(path)?) } else { None };
        let target = part.as_ref().map_or(path, Part::path);
        let format = if vcd {
            Format::Vcd(vcd::create(target, signals)?)
        } else {
            Format::Fst(Box::new(fst::create(target, signals)?))
        };
        gtkw::write(path, signals, layout)?;
        Ok(Trace {
            format: Some(format),
            part,
            failed: false,
        })
    }

    /// Writes, at `time`, every traced value that changed since the last dump
    /// (all of them on the first dump).
    pub fn dump(&mut self, time: u64, state: &[u64]) -> io::Result<()> {
        let result = match &mut self.format {
            Some(Format::Vcd(w)) => w.dump(time, state),
            Some(Format::Fst(w)) => w.dump(time, state),
            None => Ok(()),
        };
        self.failed |= result.is_err();
        result
    }

    /// Makes what was written so far readable from the file (for FST, up to
    /// the previous flush: see [`fst`]).
    pub fn flush(&mut self) -> io::Result<()> {
        let result = match &mut self.format {
            Some(Format::Vcd(w)) => w.out.flush(),
            Some(Format::Fst(w)) => w.out.flush(),
            None => Ok(()),
        };
        self.failed |= result.is_err();
        result
    }

    /// Finishes the file and, for a trace written whole, renames it into
    /// place; after a failed write the temporary file is removed instead.
    pub fn close(&mut self) -> io::Result<()> {
        let finished = match self.format.take() {
            Some(Format::Vcd(mut w)) => w.out.flush(),
            Some(Format::Fst(mut w)) => w.out.finish(),
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

impl Drop for Trace {
    fn drop(&mut self) {
        // Nothing can report an error from a drop; `Sim::close_trace` does.
        let _ = self.close();
    }
}
