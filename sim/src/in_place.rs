//! Next states computed in place. A fused edge's sample tape computes each
//! register's next state into a slot of its own, and a commit copies it into
//! the register once everything has read the old value: a load and a store
//! per word, for every register, every edge. Where nothing after the next state's first
//! write reads the register's old value, and the next state's slot is read
//! only by single-word operands, [`commit_in_place`] renames the slot to
//! the register and drops the commit.

use super::tape::Insn;
use super::wide::WideInsn;
use linkforge_hdl::words_for;
use std::collections::{HashMap, HashSet};

/// What [`commit_in_place`] left of an edge's commits.
pub(crate) struct InPlace {
    /// The commits still needed, reading a renamed slot's register instead.
    pub commits: Vec<Insn>,
    /// The commits the renamed tape no longer needs, as they were: an edge
    /// run over settled logic (which does not run the renamed cones) still
    /// needs them, and may run them before the memory ports.
    pub moved: Vec<Insn>,
}

/// How a tape touches one state word.
#[derive(Clone, Copy, Debug, Default)]
struct Touches {
    /// The first instruction writing the word.
    first_write: Option<usize>,
    /// The last instruction reading it.
    last_read: Option<usize>,
    /// Read or written where [`Insn::renamed`] cannot rename it.
    fixed: bool,
}

/// Rewrites `body`, the cones and latches of a fused edge, so that it
/// computes next states straight into their registers where that is safe,
/// and returns the commits (`Mov { dst: register, a: next }`, one per word,
/// as `commits` lists them) that remain and those it made unnecessary.
///
/// `pinned` are the words the memory ports and assertions read between
/// `body` and the commits. A commit is dropped when its source is written
/// in `body` by single-word instructions only, is read only through
/// renameable operands, and is not pinned; and the register is not read
/// after the source's first write (that instruction itself reads before it
/// writes) and not pinned. The caller guarantees that only the commits
/// write registers, and that `body` and what runs after the commits read
/// no computed value before they compute it (as levelized tapes do).
pub(crate) fn commit_in_place(
    body: &mut [Insn],
    commits: &[Insn],
    pinned: &[u32],
    wide: &[WideInsn],
    tables: &[u32],
) -> InPlace {
    let mut touches: HashMap<u32, Touches> = commits
        .iter()
        .filter_map(|c| match *c {
            Insn::Mov { dst, a } => Some([dst, a]),
            _ => None,
        })
        .flatten()
        .map(|w| (w, Touches::default()))
        .collect();
    for (i, insn) in body.iter().enumerate() {
        visit(insn, wide, tables, |word, access| {
            let Some(t) = touches.get_mut(&word) else {
                return;
            };
            match access {
                Access::Read | Access::FixedRead => t.last_read = Some(i),
                Access::Write | Access::FixedWrite => {
                    t.first_write.get_or_insert(i);
                }
            }
            t.fixed |= matches!(access, Access::FixedRead | Access::FixedWrite);
        });
    }
    let pinned: HashSet<u32> = pinned.iter().copied().collect();
    let eligible = |r: u32, x: u32| {
        let (tr, tx) = (touches[&r], touches[&x]);
        let Some(first) = tx.first_write else {
            return false;
        };
        !tx.fixed
            && tr.last_read.is_none_or(|i| i <= first)
            && !pinned.contains(&r)
            && !pinned.contains(&x)
    };
    let mut renamed: HashMap<u32, u32> = HashMap::new();
    let mut kept = Vec::new();
    let mut moved = Vec::new();
    for commit in commits {
        let Insn::Mov { dst: r, a: x } = *commit else {
            kept.push(*commit);
            continue;
        };
        if let Some(&earlier) = renamed.get(&x) {
            // Another register took the same next state in place.
            kept.push(Insn::Mov { dst: r, a: earlier });
        } else if eligible(r, x) {
            renamed.insert(x, r);
            moved.push(*commit);
        } else {
            kept.push(*commit);
        }
    }
    for insn in body.iter_mut() {
        *insn = insn.renamed(|w| renamed.get(&w).copied().unwrap_or(w));
    }
    InPlace {
        commits: kept,
        moved,
    }
}

/// How an instruction touches a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Read through an operand [`Insn::renamed`] renames.
    Read,
    /// Read through a lookup table, a pair read or a multi-word instruction.
    FixedRead,
    /// Written as the destination [`Insn::renamed`] renames.
    Write,
    /// Written by a multi-word instruction.
    FixedWrite,
}

/// Calls `f` with every word `insn` reads or writes and how.
fn visit(insn: &Insn, wide: &[WideInsn], tables: &[u32], mut f: impl FnMut(u32, Access)) {
    match *insn {
        Insn::Wide(k) => {
            let w = &wide[k as usize];
            for a in &w.args {
                (a.off..a.off + words_for(a.width) as u32).for_each(|r| f(r, Access::FixedRead));
            }
            (w.dst..w.dst + words_for(w.width) as u32).for_each(|d| f(d, Access::FixedWrite));
        }
        Insn::ShrPair { dst, a, .. } => {
            f(a, Access::FixedRead);
            f(a + 1, Access::FixedRead);
            f(dst, Access::Write);
        }
        Insn::Lookup {
            dst,
            c,
            bits,
            table,
            ..
        } => {
            f(c, Access::Read);
            let entries = &tables[table as usize..table as usize + (1usize << bits)];
            entries.iter().for_each(|&e| f(e, Access::FixedRead));
            f(dst, Access::Write);
        }
        _ => {
            let (dst, reads) = insn.operands();
            reads.into_iter().flatten().for_each(|r| f(r, Access::Read));
            dst.into_iter().for_each(|d| f(d, Access::Write));
        }
    }
}
