//! Waveforms. A [`Trace`] writes the simulator's signals to a Value Change
//! Dump ([`vcd`], through the `vcd` crate) or a Fast Signal Trace ([`fst`],
//! through the `fst-writer` crate), chosen by the file's extension; the
//! simulator drives it from [`crate::Sim::trace`]. Both formats share the walk
//! that turns hierarchical names into scopes ([`declare`]) and the change
//! detection ([`Waveform`]): one scope per level of the hierarchy, a 1 ps
//! timescale, and a value written only when it changed since the last dump.
//!
//! Next to every waveform, [`gtkw`] writes a GTKWave save file that groups
//! each block's ports, with translate filters showing FSM state names.

mod fst;
mod gtkw;
mod vcd;

pub(crate) use gtkw::Layout;

use linkforge_hdl::words_for;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

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
pub(crate) struct Trace(Format);

enum Format {
    Vcd(Waveform<vcd::Body>),
    /// Boxed: `fst-writer`'s state is large.
    Fst(Box<Waveform<fst::Body>>),
}

impl Trace {
    /// Creates the waveform file `path` (`.vcd` or `.fst`) declaring
    /// `signals`, and the GTKWave save file and filters next to it.
    pub fn create(path: &Path, signals: &[Traced<'_>], layout: &Layout) -> io::Result<Trace> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let trace = if ext.eq_ignore_ascii_case("vcd") {
            Format::Vcd(vcd::create(path, signals)?)
        } else if ext.eq_ignore_ascii_case("fst") {
            Format::Fst(Box::new(fst::create(path, signals)?))
        } else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{}`: a waveform file name ends in .vcd or .fst",
                    path.display()
                ),
            ));
        };
        gtkw::write(path, signals, layout)?;
        Ok(Trace(trace))
    }

    /// Writes, at `time`, every traced value that changed since the last dump
    /// (all of them on the first dump).
    pub fn dump(&mut self, time: u64, state: &[u64]) -> io::Result<()> {
        match &mut self.0 {
            Format::Vcd(w) => w.dump(time, state),
            Format::Fst(w) => w.dump(time, state),
        }
    }

    /// Makes what was written so far readable from the file (for FST, up to
    /// the previous flush: see [`fst`]).
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.0 {
            Format::Vcd(w) => w.out.flush(),
            Format::Fst(w) => w.out.flush(),
        }
    }
}
