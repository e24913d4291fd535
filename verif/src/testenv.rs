//! How the environment steers the tests of every crate: whether this is a
//! CI run (`CI`), whether expected files are rewritten (`LINKFORGE_BLESS`),
//! and the report of a test that skipped for want of a tool.
//!
//! - `CI` counts as set when it is non-empty and neither `0` nor `false`
//!   (any case). In a CI run a missing tool fails its test.
//! - `LINKFORGE_BLESS=1`, and only that value, rewrites expected files. A
//!   blessing test writes its files and then fails ([`blessed`]), so a run
//!   with it set can never pass, in CI or anywhere else.
//! - A skip ([`skip`]) writes one line to the process's standard error,
//!   past the test harness's output capture, so it shows in every
//!   `cargo test` run: the marker [`SKIP_MARKER`], the number of skips so
//!   far in this test binary, the test's name and the reason.
//!   `cargo test 2>&1 | grep -c 'linkforge-skip'` counts a run's skips.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The start of every skip line.
pub const SKIP_MARKER: &str = "linkforge-skip";

/// Skips reported so far in this process.
static SKIPS: AtomicUsize = AtomicUsize::new(0);

/// Whether the value of `CI` asks for a CI run: non-empty and neither `0`
/// nor `false`.
pub fn ci_value(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.trim();
        !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false")
    })
}

/// Whether this is a CI run (see [`ci_value`]).
pub fn ci() -> bool {
    ci_value(std::env::var("CI").ok().as_deref())
}

/// Reports that the calling test skips for `reason` (a missing tool or
/// font). Panics instead in a CI run, where nothing may be skipped.
pub fn skip(reason: &str) {
    if ci() {
        panic!("{reason}, and CI must run every test that needs it");
    }
    let n = SKIPS.fetch_add(1, Ordering::Relaxed) + 1;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("?");
    // Straight to the process's stderr, in one write: the harness captures
    // only the print macros, and a skip must show in a passing run.
    let line = format!("{SKIP_MARKER} (skip {n} of this test binary): {test}: {reason}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Skips reported so far in this process.
pub fn skips() -> usize {
    SKIPS.load(Ordering::Relaxed)
}

/// Whether the value of `LINKFORGE_BLESS` asks to rewrite expected files:
/// exactly `1`.
pub fn bless_value(value: Option<&str>) -> bool {
    value == Some("1")
}

/// Whether this run rewrites expected files (see [`bless_value`]).
pub fn bless() -> bool {
    bless_value(std::env::var("LINKFORGE_BLESS").ok().as_deref())
}

/// Ends a blessing test after it wrote `files`: panics naming them, so a
/// run with `LINKFORGE_BLESS=1` never passes.
pub fn blessed(files: &[PathBuf]) -> ! {
    let list: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    panic!(
        "LINKFORGE_BLESS=1 rewrote {} file(s): {}; review the diff, then run the tests again without it",
        files.len(),
        list.join(", ")
    )
}

/// The seed of a test that draws new random cases each run:
/// `LINKFORGE_SEED` when set (to repeat a run), else one from the clock.
/// The test names it when it fails.
pub fn seed() -> u64 {
    std::env::var("LINKFORGE_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_counts_only_a_value_that_says_yes() {
        for yes in ["1", "true", "yes", "TRUE"] {
            assert!(ci_value(Some(yes)), "{yes}");
        }
        for no in [
            None,
            Some(""),
            Some(" "),
            Some("0"),
            Some("false"),
            Some("False"),
        ] {
            assert!(!ci_value(no), "{no:?}");
        }
    }

    #[test]
    fn only_one_blesses() {
        assert!(bless_value(Some("1")));
        for no in [None, Some(""), Some("0"), Some("true"), Some("yes")] {
            assert!(!bless_value(no), "{no:?}");
        }
    }

    #[test]
    #[should_panic(expected = "rewrote 1 file(s): a.v")]
    fn a_blessing_run_fails() {
        blessed(&[PathBuf::from("a.v")]);
    }
}
