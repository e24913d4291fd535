//! Files that appear whole or not at all: each is written to a hidden
//! temporary file in its own directory and renamed into place, so a failed
//! or interrupted write leaves the previous file (or none), never a
//! truncated one that looks complete.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The directory `path` lives in (`.` for a bare file name).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// A hidden temporary file beside `dest`, named `.<prefix>XXXXXX<suffix>`,
/// created with the permissions of an ordinary new file (read and write for
/// all, less the umask) rather than a temporary file's owner-only ones.
fn temporary(dest: &Path, prefix: &str, suffix: &str) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir_of(dest))
}

/// Writes `contents` to `path` atomically: a temporary file beside it,
/// synced, then renamed over it.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut tmp = temporary(path, ".linkforge-", "")?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file being streamed: it is written at a hidden temporary path beside
/// its destination and appears there only through [`Part::publish`].
/// Dropped unpublished, the temporary file is removed.
pub struct Part {
    tmp: tempfile::TempPath,
    dest: PathBuf,
}

impl Part {
    /// A new empty temporary file beside `dest`.
    pub fn new(dest: &Path) -> io::Result<Part> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = temporary(dest, &format!(".{name}."), ".part")?.into_temp_path();
        Ok(Part {
            tmp,
            dest: dest.to_path_buf(),
        })
    }

    /// Where to write the contents meanwhile.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The file's final name.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Syncs the written file and renames it to its destination.
    pub fn publish(self) -> io::Result<()> {
        std::fs::File::open(&self.tmp)?.sync_all()?;
        self.tmp.persist(&self.dest).map_err(|e| e.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    }

    #[test]
    fn writes_whole_files_and_replaces_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.v");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_part_appears_only_when_published_and_vanishes_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("run.vcd");
        std::fs::write(&dest, "old").unwrap();
        let part = Part::new(&dest).unwrap();
        std::fs::write(part.path(), "new").unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        drop(part);
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
        assert!(leftovers(dir.path()).is_empty());

        let part = Part::new(&dest).unwrap();
        assert!(part
            .path()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".run.vcd."));
        std::fs::write(part.path(), "new").unwrap();
        part.publish().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn files_get_the_permissions_of_ordinary_new_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.v");
        write_atomic(&p, b"x").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o644,
            0o644,
            "{mode:o}: readable by all under a usual umask"
        );
    }

    #[test]
    fn an_unwritable_directory_is_an_error() {
        assert!(write_atomic(Path::new("/proc/linkforge/x.v"), b"x").is_err());
        assert!(Part::new(Path::new("/proc/linkforge/x.vcd")).is_err());
    }
}
