//! Writing results. Every file is written whole: to a temporary file in its
//! directory, then renamed into place ([`linkforge_verif::files`]), so a
//! failed or interrupted run leaves either the previous complete file or
//! none.
//!
//! An output directory (`-o DIR`) keeps a ledger, `DIR/.linkforge-files`,
//! of the files linkforge wrote there. A command first checks every file it
//! is about to write: one that exists but is not in the ledger was not
//! written by linkforge, and is only overwritten with `--force`. Nothing is
//! ever deleted.

use crate::commands::CliError;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A file that could not be written, with the reason.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The reason.
    pub source: std::io::Error,
}

/// Writes `contents` to `path` atomically (temporary file, then rename).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    linkforge_verif::files::write_atomic(path, contents).map_err(|source| WriteError {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates the output directory (and its parents) if needed.
pub fn ensure_dir(dir: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(|source| WriteError {
        path: dir.to_path_buf(),
        source,
    })
}

/// The ledger's file name inside an output directory.
pub const LEDGER: &str = ".linkforge-files";

/// An output directory and the files linkforge wrote in it.
pub struct OutDir {
    dir: PathBuf,
    force: bool,
    /// File names (relative to `dir`) in the ledger.
    owned: BTreeSet<String>,
}

impl OutDir {
    /// Reads the ledger of `dir` (created by the first [`OutDir::claim`]);
    /// with `force`, files linkforge did not write may be overwritten.
    pub fn open(dir: &Path, force: bool) -> Result<OutDir, CliError> {
        let ledger = dir.join(LEDGER);
        let owned = match std::fs::read(&ledger) {
            _ if !dir.is_dir() => BTreeSet::new(),
            Ok(bytes) => String::from_utf8_lossy(&bytes)
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeSet::new(),
            Err(e) => {
                return Err(CliError::Usage(format!(
                    "cannot read {}: {e}",
                    ledger.display()
                )))
            }
        };
        Ok(OutDir {
            dir: dir.to_path_buf(),
            force,
            owned,
        })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of file `name` in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Checks that writing the files `names` overwrites nothing linkforge
    /// did not write (unless forced).
    pub fn check<S: AsRef<str>>(&self, names: &[S]) -> Result<(), CliError> {
        if self.force {
            return Ok(());
        }
        for name in names {
            let name = name.as_ref();
            let path = self.path(name);
            if !self.owned.contains(name) && std::fs::symlink_metadata(&path).is_ok() {
                return Err(CliError::Usage(format!(
                    "{} exists and was not written by linkforge; refusing to overwrite it \
                     (use --force to overwrite files in {})",
                    path.display(),
                    self.dir.display()
                )));
            }
        }
        Ok(())
    }

    /// Checks the files `names` (see [`OutDir::check`]) and records them as
    /// linkforge's in the ledger, before they are written: a run stopped
    /// halfway leaves only files that are linkforge's or absent.
    pub fn claim<S: AsRef<str>>(&mut self, names: &[S]) -> Result<(), CliError> {
        self.check(names)?;
        let before = self.owned.len();
        self.owned
            .extend(names.iter().map(|n| n.as_ref().to_string()));
        if self.owned.len() == before && self.path(LEDGER).exists() {
            return Ok(());
        }
        ensure_dir(&self.dir)?;
        let mut text = String::new();
        for name in &self.owned {
            text.push_str(name);
            text.push('\n');
        }
        write_atomic(&self.path(LEDGER), text.as_bytes())?;
        Ok(())
    }

    /// The names of the files a waveform `name` of `design` in this
    /// directory consists of: the waveform, its save file and filters.
    pub fn wave_files(
        &self,
        name: &str,
        design: &linkforge_hdl::Design,
    ) -> Result<Vec<String>, CliError> {
        let dump = self.path(name);
        let beside = linkforge_verif::wave::save_files(design, &dump).map_err(|source| {
            CliError::Write(WriteError {
                path: dump.clone(),
                source,
            })
        })?;
        Ok(std::iter::once(name.to_string())
            .chain(
                beside
                    .iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned()),
            )
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unwritable_directory_is_an_error_naming_the_file() {
        let e = write_atomic(Path::new("/proc/linkforge/x.v"), b"x").unwrap_err();
        assert!(e
            .to_string()
            .starts_with("cannot write /proc/linkforge/x.v"));
    }

    #[test]
    fn foreign_files_are_refused_unless_forced_and_claimed_ones_are_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("mine.v"), "old").unwrap();
        let mut out = OutDir::open(dir.path(), false).unwrap();
        let e = out.claim(&["new.v", "mine.v"]).unwrap_err().to_string();
        assert!(
            e.contains("mine.v exists and was not written by linkforge"),
            "{e}"
        );
        assert!(e.contains("--force"), "{e}");
        assert!(
            !dir.path().join(LEDGER).exists(),
            "nothing claimed on a refusal"
        );

        OutDir::open(dir.path(), true)
            .unwrap()
            .claim(&["mine.v"])
            .unwrap();
        let mut out = OutDir::open(dir.path(), false).unwrap();
        out.claim(&["mine.v", "new.v"]).unwrap();
        let ledger = std::fs::read_to_string(dir.path().join(LEDGER)).unwrap();
        assert_eq!(ledger, "mine.v\nnew.v\n");
    }
}
