//! The jobs of `run` and `check` and `--shard I/N`, their deterministic
//! split over N machines. A job is one variant of the config with one
//! stimulus seed (`--seeds K` sweeps K seeds per variant); the unsharded
//! list takes the variants in config order and each variant's seeds in
//! turn. Shard I (from 1) takes the jobs whose position in that list,
//! counted from 0, leaves I-1 when divided by N: every job lands in exactly
//! one shard, and neighbouring jobs of a sweep (similar in size) spread
//! over all shards.

use std::fmt;
use std::str::FromStr;

/// One job: variant `variant` (its position in the config's list) with
/// stimulus `seed`, at position `index` of the unsharded list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    pub index: usize,
    pub variant: usize,
    pub seed: u64,
}

/// The jobs of `variants` variants with `seeds` seeds each, from `first`
/// up, in unsharded order.
pub fn jobs(variants: usize, first: u64, seeds: u64) -> Vec<Job> {
    (0..variants)
        .flat_map(|variant| (0..seeds).map(move |k| (variant, first.wrapping_add(k))))
        .enumerate()
        .map(|(index, (variant, seed))| Job {
            index,
            variant,
            seed,
        })
        .collect()
}

/// The name of a job's row, test cases and files: the variant's, with
/// `.seed<S>` after it when the run sweeps more than one seed.
pub fn job_name(variant: &str, seed: u64, seeds: u64) -> String {
    if seeds > 1 {
        format!("{variant}.seed{seed}")
    } else {
        variant.to_string()
    }
}

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
    fn jobs_take_each_variants_seeds_in_turn() {
        let pairs: Vec<(usize, usize, u64)> = jobs(2, 7, 3)
            .iter()
            .map(|j| (j.index, j.variant, j.seed))
            .collect();
        assert_eq!(
            pairs,
            [
                (0, 0, 7),
                (1, 0, 8),
                (2, 0, 9),
                (3, 1, 7),
                (4, 1, 8),
                (5, 1, 9)
            ]
        );
        assert_eq!(job_name("xbar", 8, 3), "xbar.seed8");
        assert_eq!(job_name("xbar", 8, 1), "xbar");
    }

    #[test]
    fn every_job_lands_in_exactly_one_shard() {
        let shards: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for job in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.takes(job)).count(), 1);
        }
        assert_eq!(
            shards
                .iter()
                .map(|s| (0..10).filter(|&j| s.takes(j)).count())
                .collect::<Vec<_>>(),
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
