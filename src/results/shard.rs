//! `--shard I/N`: a deterministic split of a run's jobs over N machines.
//! Shard I (from 1) takes the jobs whose position in the unsharded list,
//! counted from 0, leaves I-1 when divided by N: every job lands in exactly
//! one shard, and neighbouring variants of a sweep (similar in size) spread
//! over all shards.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1 ≤ `index` ≤ `count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// True when job `job` (its position in the unsharded list) is this
    /// shard's.
    pub fn takes(self, job: usize) -> bool {
        job % self.count == self.index - 1
    }

    /// How many of `jobs` jobs this shard takes.
    pub fn size(self, jobs: usize) -> usize {
        (0..jobs).filter(|&j| self.takes(j)).count()
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N` with 1 ≤ I ≤ N.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write I/N with 1 <= I <= N, such as 2/3");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_lands_in_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for job in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.takes(job)).count(), 1);
        }
        assert_eq!(
            shards.iter().map(|s| s.size(10)).collect::<Vec<_>>(),
            [4, 3, 3]
        );
        assert_eq!(shards[1].to_string(), "2/3");
    }

    #[test]
    fn malformed_shards_are_refused() {
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("is not a shard"), "{bad}: {e}");
        }
    }
}
