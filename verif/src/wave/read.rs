//! Reading a VCD file back (through the `vcd` crate's parser) into the
//! changes of each variable, for tests and tools that check what a run
//! wrote. Malformed input is an error, never a panic; a fuzz target
//! (`fuzz/`) and a property test feed it arbitrary bytes.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

/// A waveform read back: for each hierarchical name (as written, without a
/// bit range), its width and its changes as `(time, bits MSB first)`, one
/// per time (the last change at that time).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Waves {
    /// Width and changes of every declared variable.
    pub signals: BTreeMap<String, (u32, Vec<(u64, String)>)>,
}

/// Why a VCD file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read or does not follow the VCD syntax.
    #[error("{0}")]
    Io(#[from] io::Error),
    /// A value change of an identifier code the header does not declare.
    #[error("a value change of `{0}`, which the header does not declare")]
    Undeclared(String),
    /// The header is malformed: an `$upscope` without a scope, a value
    /// change before `$enddefinitions`, or no `$enddefinitions` at all.
    #[error("{0}")]
    Header(&'static str),
    /// A timestamp earlier than the one before it.
    #[error("timestamp #{time} comes after #{previous}")]
    Backwards {
        /// The later timestamp in the file.
        time: u64,
        /// The one before it.
        previous: u64,
    },
}

impl Waves {
    /// Reads the VCD file at `path`.
    pub fn from_vcd(path: &Path) -> Result<Waves, ReadError> {
        Waves::read_vcd(BufReader::new(File::open(path)?))
    }

    /// Reads a VCD file from `input`. Changes before the first timestamp
    /// (as `fst2vcd` writes the start) count at time 0. Several variables
    /// may share an identifier code. Scopes may nest to any depth: the
    /// header is read command by command with an explicit scope stack
    /// (the `vcd` crate's own header parser recurses once per scope).
    pub fn read_vcd(input: impl BufRead) -> Result<Waves, ReadError> {
        let mut parser = vcd::Parser::new(input);
        let mut names: HashMap<vcd::IdCode, Vec<String>> = HashMap::new();
        let mut waves = Waves::default();
        // The prefix of the current scope (`top.u0.`) and where each open
        // scope's part of it starts.
        let (mut prefix, mut scopes) = (String::new(), Vec::<usize>::new());
        for cmd in parser.by_ref() {
            match cmd? {
                vcd::Command::ScopeDef(_, name) => {
                    scopes.push(prefix.len());
                    prefix.push_str(&name);
                    prefix.push('.');
                }
                vcd::Command::Upscope => {
                    let start = scopes
                        .pop()
                        .ok_or(ReadError::Header("`$upscope` without an open scope"))?;
                    prefix.truncate(start);
                }
                vcd::Command::VarDef(_, size, code, reference, _) => {
                    let name = format!("{prefix}{reference}");
                    waves.signals.insert(name.clone(), (size, Vec::new()));
                    names.entry(code).or_default().push(name);
                }
                vcd::Command::Enddefinitions => return waves.read_changes(parser, &names),
                vcd::Command::Timestamp(_)
                | vcd::Command::ChangeScalar(..)
                | vcd::Command::ChangeVector(..)
                | vcd::Command::ChangeReal(..)
                | vcd::Command::ChangeString(..) => {
                    return Err(ReadError::Header("a value change before `$enddefinitions`"))
                }
                _ => {}
            }
        }
        Err(ReadError::Header("the file ends before `$enddefinitions`"))
    }

    /// Reads the value changes after the header, which declared `names`.
    fn read_changes(
        mut self,
        parser: impl Iterator<Item = io::Result<vcd::Command>>,
        names: &HashMap<vcd::IdCode, Vec<String>>,
    ) -> Result<Waves, ReadError> {
        let mut time = 0;
        for cmd in parser {
            let (id, bits) = match cmd? {
                vcd::Command::Timestamp(t) if t < time => {
                    return Err(ReadError::Backwards {
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
            let targets = names
                .get(&id)
                .ok_or_else(|| ReadError::Undeclared(id.to_string()))?;
            for name in targets {
                self.push(name, time, bits.clone());
            }
        }
        Ok(self)
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
        assert!(matches!(e, ReadError::Undeclared(ref c) if c == "%"), "{e}");
        let back = SMALL.replace("#10", "#3");
        let e = Waves::read_vcd(back.as_bytes()).unwrap_err();
        assert_eq!(e.to_string(), "timestamp #3 comes after #5");
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
