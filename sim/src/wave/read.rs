//! Reading a waveform back into the changes of each variable: VCD (through
//! the `vcd` crate's parser) and FST (through the `fst-reader` crate), for
//! tests and for `linkforge wave check` on files any tool wrote.
//!
//! The reader is strict where GTKWave's converters are lenient: an
//! undeclared identifier, time going backwards, a value wider than its
//! variable or a header that never ends is an error naming the line,
//! never a silently dropped change. Malformed input is an error, never a
//! panic; a fuzz target (`fuzz/`) and a property test feed it arbitrary
//! bytes.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// A waveform read back: for each hierarchical name (as written, without a
/// bit range), its width and its changes as `(time, bits MSB first)`, one
/// per time (the last change at that time). Values narrower than their
/// variable are extended to its width as VCD defines (with `0`, or with
/// `x`/`z` when that is the leftmost bit).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Waves {
    /// Width and changes of every declared variable.
    pub signals: BTreeMap<String, (u32, Vec<(u64, String)>)>,
}

/// Why a waveform file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// What went wrong reading the file at `path` ([`Waves::open`],
    /// [`Waves::from_vcd`], [`Waves::from_fst`]).
    #[error("{}: {source}", path.display())]
    File {
        /// The waveform file.
        path: PathBuf,
        /// What went wrong.
        source: Box<ReadError>,
    },
    /// The file could not be opened or read.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// The text does not follow the VCD syntax (or ends inside a command).
    #[error("line {line}: {message}")]
    Syntax {
        /// The line (1-based) where reading stopped.
        line: u64,
        /// What the parser expected.
        message: String,
    },
    /// A value change of an identifier code the header does not declare.
    #[error("line {line}: a value change of `{code}`, which the header does not declare")]
    Undeclared {
        /// The line of the change.
        line: u64,
        /// The identifier code.
        code: String,
    },
    /// The header is malformed: an `$upscope` without a scope, a variable
    /// of width 0, a value change before `$enddefinitions`, or no
    /// `$enddefinitions` at all.
    #[error("line {line}: {what}")]
    Header {
        /// The line where it shows.
        line: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// A timestamp earlier than the one before it.
    #[error("line {line}: timestamp #{time} comes after #{previous}")]
    Backwards {
        /// The line of the later timestamp.
        line: u64,
        /// The later timestamp in the file.
        time: u64,
        /// The one before it.
        previous: u64,
    },
    /// A value with more bits than its variable declares.
    #[error("line {line}: a {bits}-bit value for `{name}`, declared {width} bits wide")]
    TooWide {
        /// The line of the change.
        line: u64,
        /// The variable (its first name when several share the code).
        name: String,
        /// Bits in the value.
        bits: usize,
        /// The declared width.
        width: u32,
    },
    /// An FST file the `fst-reader` crate rejects, or one whose values do
    /// not match their declarations.
    #[error("FST: {0}")]
    Fst(String),
}

impl Waves {
    /// Reads the waveform file at `path`: FST when it is named `*.fst`,
    /// VCD when named `*.vcd`, otherwise by its content.
    /// An error is a [`ReadError::File`] naming `path`.
    pub fn open(path: &Path) -> Result<Waves, ReadError> {
        in_file(path, |mut file| {
            let fst = match path.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("fst") => true,
                Some(e) if e.eq_ignore_ascii_case("vcd") => false,
                _ => fst_reader::is_fst_file(&mut file),
            };
            if fst {
                Waves::read_fst(file)
            } else {
                Waves::read_vcd(file)
            }
        })
    }

    /// Reads the VCD file at `path`; an error is a [`ReadError::File`]
    /// naming `path`.
    pub fn from_vcd(path: &Path) -> Result<Waves, ReadError> {
        in_file(path, Waves::read_vcd)
    }

    /// Reads the FST file at `path`; an error is a [`ReadError::File`]
    /// naming `path`.
    pub fn from_fst(path: &Path) -> Result<Waves, ReadError> {
        in_file(path, Waves::read_fst)
    }

    /// Reads a VCD file from `input`. Changes before the first timestamp
    /// (as `fst2vcd` writes the start) count at time 0. Several variables
    /// may share an identifier code. Scopes may nest to any depth: the
    /// header is read command by command with an explicit scope stack
    /// (the `vcd` crate's own header parser recurses once per scope).
    pub fn read_vcd(input: impl BufRead) -> Result<Waves, ReadError> {
        let mut parser = vcd::Parser::new(input);
        let mut vars = Declared::default();
        // The prefix of the current scope (`top.u0.`) and where each open
        // scope's part of it starts.
        let (mut prefix, mut scopes) = (String::new(), Vec::<usize>::new());
        let header = |line, what| ReadError::Header { line, what };
        loop {
            let Some(cmd) = parser.next() else {
                let line = parser.line();
                return Err(header(line, "the file ends before `$enddefinitions`"));
            };
            let line = parser.line();
            match cmd.map_err(|e| syntax(e, line))? {
                vcd::Command::ScopeDef(_, name) => {
                    scopes.push(prefix.len());
                    prefix.push_str(&name);
                    prefix.push('.');
                }
                vcd::Command::Upscope => {
                    let start = scopes
                        .pop()
                        .ok_or_else(|| header(line, "`$upscope` without an open scope"))?;
                    prefix.truncate(start);
                }
                vcd::Command::VarDef(_, 0, ..) => {
                    return Err(header(line, "a variable declared 0 bits wide"))
                }
                vcd::Command::VarDef(_, width, code, reference, _) => {
                    vars.declare(code, format!("{prefix}{reference}"), width)
                }
                vcd::Command::Enddefinitions => return vars.read_vcd_changes(parser),
                vcd::Command::Timestamp(_)
                | vcd::Command::ChangeScalar(..)
                | vcd::Command::ChangeVector(..)
                | vcd::Command::ChangeReal(..)
                | vcd::Command::ChangeString(..) => {
                    return Err(header(line, "a value change before `$enddefinitions`"))
                }
                _ => {}
            }
        }
    }

    /// Reads an FST file from `input`. Aliases (several names for one
    /// signal) each get the signal's changes.
    ///
    /// The `fst-reader` crate asserts on some malformed files instead of
    /// returning an error; such a failure is contained here and reported
    /// as [`ReadError::Fst`] like any other.
    pub fn read_fst(input: impl BufRead + io::Seek) -> Result<Waves, ReadError> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Waves::read_fst_unguarded(input)
        }))
        .unwrap_or_else(|_| {
            Err(ReadError::Fst(
                "malformed file (the FST reader stopped on an inconsistent block)".into(),
            ))
        })
    }

    fn read_fst_unguarded(mut input: impl BufRead + io::Seek) -> Result<Waves, ReadError> {
        check_fst_blocks(&mut input)?;
        let fst = |e: fst_reader::ReaderError| ReadError::Fst(e.to_string());
        let mut reader = fst_reader::FstReader::open(input).map_err(fst)?;
        let mut vars = Declared::default();
        let mut scopes: Vec<String> = Vec::new();
        reader
            .read_hierarchy(|entry| match entry {
                fst_reader::FstHierarchyEntry::Scope { name, .. } => scopes.push(name),
                fst_reader::FstHierarchyEntry::UpScope => {
                    scopes.pop();
                }
                fst_reader::FstHierarchyEntry::Var {
                    name,
                    length,
                    handle,
                    ..
                } => {
                    let mut full = scopes.join(".");
                    full.push('.');
                    full.push_str(&name);
                    vars.declare(handle.get_index(), full, length);
                }
                _ => {}
            })
            .map_err(fst)?;
        let mut changes = Vec::new();
        reader
            .read_signals(&fst_reader::FstFilter::all(), |time, handle, value| {
                if let fst_reader::FstSignalValue::String(bits) = value {
                    let bits = String::from_utf8_lossy(bits).into_owned();
                    changes.push((time, handle.get_index(), bits));
                }
                Ok::<(), ()>(())
            })
            .map_err(|e| match e {
                fst_reader::ReadSignalsError::ReadError(e) => fst(e),
                fst_reader::ReadSignalsError::CallbackError(()) => {
                    ReadError::Fst("reading the value changes failed".into())
                }
            })?;
        // Blocks deliver each signal's changes in turn; order them by time,
        // keeping the order of changes at one time.
        changes.sort_by_key(|c| c.0);
        let mut waves = Waves::default();
        vars.start(&mut waves);
        for (time, handle, bits) in changes {
            vars.change(&mut waves, &handle, time, bits)
                .map_err(|e| ReadError::Fst(e.describe(&handle)))?;
        }
        Ok(waves)
    }

    /// Records a change of `name` (declared or not) at `time`, no earlier
    /// than its last one; a second change at one time replaces the first.
    pub fn push(&mut self, name: &str, time: u64, bits: String) {
        let width = bits.len() as u32;
        let changes = &mut self
            .signals
            .entry(name.to_string())
            .or_insert((width, Vec::new()))
            .1;
        if changes.last().is_some_and(|c| c.0 == time) {
            changes.pop();
        }
        changes.push((time, bits));
    }

    /// The value of `name` at `time` (low 64 bits), or `None` before its
    /// first change or when it has unknown bits.
    pub fn at(&self, time: u64, name: &str) -> Option<u64> {
        let bits = self.bits_at(time, name)?;
        let low = &bits[bits.len().saturating_sub(64)..];
        u64::from_str_radix(low, 2).ok()
    }

    /// The value of `name` at `time`, MSB first.
    pub fn bits_at(&self, time: u64, name: &str) -> Option<&str> {
        let (_, changes) = self.signals.get(name)?;
        let (_, bits) = changes.iter().rev().find(|c| c.0 <= time)?;
        Some(bits)
    }

    /// The last time any value changed.
    pub fn end(&self) -> u64 {
        let last = self.signals.values().filter_map(|(_, c)| c.last());
        last.map(|c| c.0).max().unwrap_or(0)
    }
}

/// The variables a header declared, by the file's key for them (a VCD
/// identifier code, an FST handle): their width and every name sharing it.
struct Declared<K> {
    vars: HashMap<K, (u32, Vec<String>)>,
}

impl<K> Default for Declared<K> {
    fn default() -> Self {
        Declared {
            vars: HashMap::new(),
        }
    }
}

/// Why one value change does not fit its declarations.
enum Misfit {
    Undeclared,
    TooWide {
        name: String,
        bits: usize,
        width: u32,
    },
}

impl Misfit {
    /// The message for a change of variable `key`.
    fn describe(&self, key: &impl std::fmt::Display) -> String {
        match self {
            Misfit::Undeclared => format!("a value change of `{key}`, which is not declared"),
            Misfit::TooWide { name, bits, width } => {
                format!("a {bits}-bit value for `{name}`, declared {width} bits wide")
            }
        }
    }
}

impl<K: std::hash::Hash + Eq> Declared<K> {
    fn declare(&mut self, key: K, name: String, width: u32) {
        let var = self.vars.entry(key).or_insert((width, Vec::new()));
        var.1.push(name);
    }

    /// Lists every declared name in `waves`, with no changes yet.
    fn start(&self, waves: &mut Waves) {
        for (width, names) in self.vars.values() {
            for name in names {
                waves.signals.insert(name.clone(), (*width, Vec::new()));
            }
        }
    }

    /// Records a change of variable `key` in every name it has.
    fn change(&self, waves: &mut Waves, key: &K, time: u64, bits: String) -> Result<(), Misfit> {
        let (width, names) = self.vars.get(key).ok_or(Misfit::Undeclared)?;
        if bits.len() > *width as usize {
            return Err(Misfit::TooWide {
                name: names[0].clone(),
                bits: bits.len(),
                width: *width,
            });
        }
        let bits = extend(bits, *width);
        for name in names {
            waves.push(name, time, bits.clone());
        }
        Ok(())
    }
}

impl Declared<vcd::IdCode> {
    /// Reads the value changes after the header.
    fn read_vcd_changes(self, mut parser: vcd::Parser<impl BufRead>) -> Result<Waves, ReadError> {
        let mut waves = Waves::default();
        self.start(&mut waves);
        let mut time = 0;
        while let Some(cmd) = parser.next() {
            let line = parser.line();
            let (id, bits) = match cmd.map_err(|e| syntax(e, line))? {
                vcd::Command::Timestamp(t) if t < time => {
                    return Err(ReadError::Backwards {
                        line,
                        time: t,
                        previous: time,
                    })
                }
                vcd::Command::Timestamp(t) => {
                    time = t;
                    continue;
                }
                vcd::Command::ChangeScalar(id, v) => (id, v.to_string()),
                vcd::Command::ChangeVector(id, v) => (id, v.to_string()),
                _ => continue,
            };
            self.change(&mut waves, &id, time, bits)
                .map_err(|misfit| match misfit {
                    Misfit::Undeclared => ReadError::Undeclared {
                        line,
                        code: id.to_string(),
                    },
                    Misfit::TooWide { name, bits, width } => ReadError::TooWide {
                        line,
                        name,
                        bits,
                        width,
                    },
                })?;
        }
        Ok(waves)
    }
}

/// Walks the blocks of an FST file (a type byte, then a big-endian length
/// that counts itself and the block's contents) and checks that each one
/// ends inside the file, so a file cut short is reported as such before
/// `fst-reader` reads lengths from it. A file compressed whole (block type
/// 254) is left to `fst-reader`. Rewinds `input` when done.
fn check_fst_blocks(input: &mut (impl io::Read + io::Seek)) -> Result<(), ReadError> {
    const GZIP_WRAPPER: u8 = 254;
    let size = input.seek(io::SeekFrom::End(0))?;
    let mut at = 0u64;
    while at < size {
        input.seek(io::SeekFrom::Start(at))?;
        let mut head = [0u8; 9];
        let got = read_up_to(input, &mut head)?;
        if head[0] == GZIP_WRAPPER {
            break;
        }
        if got < head.len() {
            return Err(ReadError::Fst(format!(
                "the file is truncated: it ends inside the header of the block at byte {at}"
            )));
        }
        let length = u64::from_be_bytes(head[1..].try_into().expect("8 bytes"));
        let end = (at + 1).checked_add(length).filter(|_| length >= 8);
        match end {
            Some(end) if end <= size => at = end,
            _ => {
                return Err(ReadError::Fst(format!(
                    "the file is truncated or corrupt: the block of type {} at byte {at} \
                     claims {length} bytes, {} remain",
                    head[0],
                    size - at - 1
                )))
            }
        }
    }
    input.seek(io::SeekFrom::Start(0))?;
    Ok(())
}

/// Fills as much of `buf` as `input` has left; the number of bytes read.
fn read_up_to(input: &mut impl io::Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// `bits` (MSB first) extended on the left to `width`: with its leftmost
/// bit when that is `x` or `z`, else with `0`.
fn extend(bits: String, width: u32) -> String {
    let missing = (width as usize).saturating_sub(bits.len());
    if missing == 0 {
        return bits;
    }
    let fill = bits
        .chars()
        .next()
        .filter(|c| matches!(c, 'x' | 'X' | 'z' | 'Z'))
        .unwrap_or('0');
    let mut out: String = std::iter::repeat_n(fill, missing).collect();
    out.push_str(&bits);
    out
}

/// Opens `path` and reads it with `read`, any error naming the file.
fn in_file(
    path: &Path,
    read: impl FnOnce(BufReader<File>) -> Result<Waves, ReadError>,
) -> Result<Waves, ReadError> {
    File::open(path)
        .map_err(ReadError::from)
        .and_then(|f| read(BufReader::new(f)))
        .map_err(|e| ReadError::File {
            path: path.to_path_buf(),
            source: Box::new(e),
        })
}

/// The error for what the `vcd` parser reported while reading line `line`.
fn syntax(e: io::Error, line: u64) -> ReadError {
    if let Some(parse) = e
        .get_ref()
        .and_then(|r| r.downcast_ref::<vcd::ParseError>())
    {
        return ReadError::Syntax {
            line: parse.line(),
            message: parse.kind().to_string(),
        };
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => ReadError::Syntax {
            line,
            message: "the file ends inside a command".into(),
        },
        _ => ReadError::Io(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "$timescale 1ps $end\n$scope module top $end\n\
        $var wire 1 ! clk $end\n$var wire 4 \" q $end\n$var wire 4 \" q_alias $end\n\
        $upscope $end\n$enddefinitions $end\n#0\n0!\nb0 \"\n#5\n1!\nb101 \"\n#10\n0!\n";

    #[test]
    fn reads_scopes_changes_and_shared_codes() {
        let w = Waves::read_vcd(SMALL.as_bytes()).unwrap();
        assert_eq!(w.signals["top.q"].0, 4);
        assert_eq!(w.at(7, "top.q"), Some(5));
        assert_eq!(w.at(7, "top.q_alias"), Some(5));
        assert_eq!(w.at(10, "top.clk"), Some(0));
        assert_eq!(w.end(), 10);
    }

    #[test]
    fn undeclared_codes_and_time_going_back_are_errors() {
        let undeclared = SMALL.replace("#10\n0!", "#10\n0%");
        let e = Waves::read_vcd(undeclared.as_bytes()).unwrap_err();
        assert!(
            matches!(e, ReadError::Undeclared { line: 15, ref code } if code == "%"),
            "{e}"
        );
        let back = SMALL.replace("#10", "#3");
        let e = Waves::read_vcd(back.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "line 14: timestamp #3 comes after #5");
    }

    #[test]
    fn a_malformed_header_is_an_error() {
        for (text, why) in [
            (
                "$upscope $end\n$enddefinitions $end\n",
                "`$upscope` without",
            ),
            ("#0\n$enddefinitions $end\n", "a value change before"),
            ("$scope module top $end\n", "ends before `$enddefinitions`"),
        ] {
            let e = Waves::read_vcd(text.as_bytes()).unwrap_err();
            assert!(e.to_string().contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn values_wider_than_declared_are_errors_and_narrower_ones_are_extended() {
        let wide = SMALL.replace("b101 \"", "b10101 \"");
        let e = Waves::read_vcd(wide.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 13: a 5-bit value for `top.q`, declared 4 bits wide"
        );
        let narrow = SMALL.replace("b101 \"", "bx1 \"");
        let w = Waves::read_vcd(narrow.as_bytes()).unwrap();
        assert_eq!(w.bits_at(5, "top.q"), Some("xxx1"));
        assert_eq!(w.bits_at(0, "top.q"), Some("0000"));
    }

    #[test]
    fn syntax_errors_and_truncation_name_the_line() {
        let e = Waves::read_vcd(SMALL.replace("#10", "#1x0").as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("line 14: "), "{e}");
        let cut = &SMALL[..SMALL.find("$enddefinitions").unwrap() + 4];
        let e = Waves::read_vcd(cut.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("line 7: "), "{e}");
    }

    /// Found by feeding the fuzz target's binary a deeply nested file: the
    /// `vcd` crate's header parser overflowed the stack.
    #[test]
    fn scopes_nested_two_hundred_thousand_deep_are_read() {
        let n = 200_000;
        let text = format!(
            "{}$var wire 1 ! q $end\n{}$enddefinitions $end\n#0\n1!\n",
            "$scope module a $end\n".repeat(n),
            "$upscope $end\n".repeat(n)
        );
        let w = Waves::read_vcd(text.as_bytes()).unwrap();
        let (name, (_, changes)) = w.signals.iter().next().unwrap();
        assert_eq!(name.len(), 2 * n + 1);
        assert_eq!(changes, &[(0, "1".to_string())]);
    }
}
