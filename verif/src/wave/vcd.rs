//! A VCD writer over the simulator's state vector: one `$scope module` per
//! level of the hierarchical names, a 1 ps timescale, and a value written
//! only when it changed since the last dump.

use ::vcd::{IdCode, TimescaleUnit, Value, Writer};
use linkforge_hdl::words_for;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

/// A signal to trace: hierarchical name, width and word offset in the state.
pub(crate) struct Traced<'a> {
    pub name: &'a str,
    pub width: u32,
    pub off: u32,
}

struct Var {
    id: IdCode,
    off: usize,
    width: u32,
    /// Offset of the last written value in `VcdWriter::last`.
    last: usize,
}

/// An open VCD file.
pub(crate) struct VcdWriter {
    out: Writer<BufWriter<File>>,
    vars: Vec<Var>,
    last: Vec<u64>,
    /// The last timestamp written, `None` before the first dump.
    time: Option<u64>,
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

    /// Declares this scope's children and variables; `ids[i]` receives the
    /// code of traced signal `i`.
    fn declare(
        &self,
        out: &mut Writer<BufWriter<File>>,
        signals: &[Traced<'_>],
        ids: &mut [Option<IdCode>],
    ) -> io::Result<()> {
        for &(i, name) in &self.vars {
            ids[i] = Some(out.add_wire(signals[i].width, &legal(name))?);
        }
        for (name, child) in &self.children {
            out.add_module(&legal(name))?;
            child.declare(out, signals, ids)?;
            out.upscope()?;
        }
        Ok(())
    }
}

/// A VCD identifier: no whitespace.
fn legal(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

impl VcdWriter {
    /// Creates `path` and writes the header declaring `signals`.
    pub fn create(path: &Path, signals: &[Traced<'_>]) -> io::Result<VcdWriter> {
        let mut out = Writer::new(BufWriter::new(File::create(path)?));
        out.version("linkforge simulator")?;
        out.timescale(1, TimescaleUnit::PS)?;
        let mut root = Scope::default();
        for (i, s) in signals.iter().enumerate() {
            root.insert(i, s.name);
        }
        let mut ids = vec![None; signals.len()];
        root.declare(&mut out, signals, &mut ids)?;
        out.enddefinitions()?;
        let mut vars = Vec::with_capacity(signals.len());
        let mut last = 0;
        for (s, id) in signals.iter().zip(ids) {
            // Every signal sits in at least the top scope, so it was declared.
            let Some(id) = id else { continue };
            vars.push(Var {
                id,
                off: s.off as usize,
                width: s.width,
                last,
            });
            last += words_for(s.width);
        }
        Ok(VcdWriter {
            out,
            vars,
            last: vec![0; last],
            time: None,
        })
    }

    /// Writes, at `time`, every traced value that changed since the last dump
    /// (all of them on the first dump).
    pub fn dump(&mut self, time: u64, state: &[u64]) -> io::Result<()> {
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
                self.out.timestamp(time)?;
                self.time = Some(time);
                stamped = true;
            }
            if v.width == 1 {
                self.out.change_scalar(v.id, now[0] == 1)?;
            } else {
                let bit = |i: u32| Value::from((now[(i / 64) as usize] >> (i % 64)) & 1 == 1);
                self.out.change_vector(v.id, (0..v.width).rev().map(bit))?;
            }
            last.copy_from_slice(now);
        }
        Ok(())
    }

    /// Pushes everything written so far to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
