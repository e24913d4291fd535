//! Waveforms read back with the `vcd` crate's parser agree with the values
//! peeked during the run.

mod wave_support;

use linkforge_sim::{Sim, SimError};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use vcd::{Command, IdCode, Value as Level};

type Res = Result<(), Box<dyn std::error::Error>>;

/// Replays a VCD file: the value of every variable (by hierarchical name)
/// after the last change at or before each timestamp.
struct Replay {
    /// The names of each identifier code (several when signals share it).
    names: HashMap<IdCode, Vec<String>>,
    /// (time, name -> value) after each timestamp.
    frames: Vec<(u64, HashMap<String, Vec<bool>>)>,
}

fn replay(path: &Path) -> Result<Replay, Box<dyn std::error::Error>> {
    let mut parser = vcd::Parser::new(BufReader::new(File::open(path)?));
    let header = parser.parse_header()?;
    let mut names = HashMap::new();
    fn walk(items: &[vcd::ScopeItem], prefix: &str, names: &mut HashMap<IdCode, Vec<String>>) {
        for item in items {
            match item {
                vcd::ScopeItem::Scope(s) => {
                    walk(&s.items, &format!("{prefix}{}.", s.identifier), names)
                }
                vcd::ScopeItem::Var(v) => {
                    let name = format!("{prefix}{}", v.reference);
                    names.entry(v.code).or_default().push(name);
                }
                _ => {}
            }
        }
    }
    walk(&header.items, "", &mut names);
    let mut current: HashMap<String, Vec<bool>> = HashMap::new();
    let mut frames: Vec<(u64, HashMap<String, Vec<bool>>)> = Vec::new();
    let bits = |vs: &mut dyn Iterator<Item = Level>| -> Vec<bool> {
        let mut v: Vec<bool> = vs.map(|x| x == Level::V1).collect();
        v.reverse();
        v
    };
    for cmd in parser {
        match cmd? {
            Command::Timestamp(t) => frames.push((t, current.clone())),
            Command::ChangeScalar(id, v) => {
                for name in &names[&id] {
                    current.insert(name.clone(), vec![v == Level::V1]);
                }
            }
            Command::ChangeVector(id, v) => {
                let value = bits(&mut v.iter());
                for name in &names[&id] {
                    current.insert(name.clone(), value.clone());
                }
            }
            _ => {}
        }
        if let Some(last) = frames.last_mut() {
            last.1.clone_from(&current);
        }
    }
    Ok(Replay { names, frames })
}

impl Replay {
    /// The value of `name` at `time`, as a number (low 64 bits).
    fn at(&self, time: u64, name: &str) -> Option<u64> {
        let (_, frame) = self.frames.iter().rev().find(|(t, _)| *t <= time)?;
        let bits = frame.get(name)?;
        Some(
            bits.iter()
                .enumerate()
                .take(64)
                .map(|(i, b)| u64::from(*b) << i)
                .sum(),
        )
    }

    /// Bit `i` of `name` at `time`.
    fn bit(&self, time: u64, name: &str, i: usize) -> Option<bool> {
        let (_, frame) = self.frames.iter().rev().find(|(t, _)| *t <= time)?;
        frame.get(name)?.get(i).copied()
    }
}

#[test]
fn waveform_matches_peeked_values_and_mirrors_the_hierarchy() -> Res {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("run.vcd");
    let mut sim = Sim::new(&wave_support::counter(255)?)?;
    sim.trace(&path)?;
    let mut seen = Vec::new();
    let mut poked = Vec::new();
    for cycle in 0..20u64 {
        let en = u64::from(cycle % 3 != 0);
        sim.poke("en", en)?;
        // With phase 0 the first edge is at time 0, so two pokes share time 0:
        // the file keeps the later one.
        poked.retain(|(t, _)| *t != sim.time_ps());
        poked.push((sim.time_ps(), en));
        sim.step()?;
        let wide = sim.peek_bits("wide")?;
        seen.push((sim.time_ps(), sim.peek("u0.q")?, wide));
    }
    drop(sim);
    let r = replay(&path)?;
    let declared = |name: &str| r.names.values().flatten().any(|n| n == name);
    assert!(declared("top.u0.q"), "{:?}", r.names);
    assert!(declared("top.u0_y"));
    let last = seen.last().map_or(0, |s| s.0);
    for (t, en) in &poked {
        assert_eq!(r.at(*t, "top.en"), Some(*en), "en at {t}");
    }
    for (t, q, wide) in &seen {
        assert_eq!(r.at(*t, "top.u0.q"), Some(*q), "q at {t}");
        assert_eq!(r.at(*t, "top.u0.y"), Some(*q), "y at {t}");
        assert_eq!(
            r.at(*t, "top.clk"),
            Some(1),
            "clock high after the edge at {t}"
        );
        if *t < last {
            assert_eq!(
                r.at(t + 500, "top.clk"),
                Some(0),
                "clock low half a period later"
            );
        }
        for i in 0..100 {
            assert_eq!(
                r.bit(*t, "top.wide", i as usize),
                Some(wide.bit(i)),
                "wide[{i}] at {t}"
            );
        }
    }
    // Values are written only when they change: q changes at most once per edge.
    let lines = std::fs::read_to_string(&path)?;
    let en_id = r
        .names
        .iter()
        .find(|(_, n)| n.iter().any(|n| n == "top.en"))
        .map(|(id, _)| id.to_string());
    let en_changes = lines
        .lines()
        .filter(|l| Some(&l[1..]) == en_id.as_deref() && (l.starts_with('0') || l.starts_with('1')))
        .count();
    assert!(
        en_changes <= 14,
        "{en_changes} writes of en for 13 changes and the first dump"
    );
    Ok(())
}

#[test]
fn a_run_stopped_by_an_assertion_leaves_a_valid_file() -> Res {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("fail.vcd");
    let mut sim = Sim::new(&wave_support::counter(5)?)?;
    sim.trace_scope(&path, "top.u0")?;
    sim.poke("en", 1)?;
    let err = sim.run_cycles("clk", 100).unwrap_err();
    assert!(matches!(err, SimError::Assertion(_)));
    // Read while the simulator is still alive: the stepping call flushed.
    let r = replay(&path)?;
    assert!(
        r.names.values().flatten().all(|n| n.starts_with("top.u0.")),
        "{:?}",
        r.names
    );
    let t = sim.time_ps();
    assert_eq!(r.frames.last().map(|f| f.0), Some(t));
    assert_eq!(r.at(t, "top.u0.q"), Some(sim.peek("u0.q")?));
    Ok(())
}
