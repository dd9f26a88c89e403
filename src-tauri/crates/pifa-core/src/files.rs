//! Writing whole files: settings and CSV exports.
//!
//! The bytes go to a temporary file in the target directory that is created new (so never
//! through a link someone planted under a predictable name), private to the user (0600 on Unix)
//! and synced; only then does it get its name, and the directory is synced so the name survives
//! a crash. A full disk or a crash therefore never leaves half a file under the final name.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// How many numbered names [`create_new`] tries before giving up.
const NAME_TRIES: u32 = 10_000;

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The bytes `write` produces, in a synced temporary file in `dir` that is deleted if dropped.
fn written(
    dir: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<NamedTempFile> {
    // O_CREAT|O_EXCL under a random name, mode 0600; the name says whose a file left by a
    // crash is.
    let mut tmp = tempfile::Builder::new()
        .prefix(".pifa-")
        .suffix(".part")
        .tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    // Windows cannot open a directory as a file; NTFS journals the rename itself.
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes `path` whole, replacing the file there if any.
pub(crate) fn replace(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = parent(path);
    written(dir, write)?.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Writes a new file in `dir` under `name(1)`, else `name(2)`, … and returns its path. A name
/// taken when the file is placed, even by another process a moment before, is never replaced:
/// the next number is tried instead.
pub(crate) fn create_new(
    dir: &Path,
    name: impl Fn(u32) -> String,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let mut tmp = written(dir, write)?;
    for n in 1..=NAME_TRIES {
        let path = dir.join(name(n));
        match tmp.persist_noclobber(&path) {
            Ok(_) => {
                sync_dir(dir)?;
                return Ok(path);
            }
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => return Err(e.error),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "every file name tried is taken",
    ))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Write;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary_one() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("settings.json");
        replace(&path, |f| f.write_all(b"old")).unwrap();
        let failed = replace(&path, |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "disk full");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(tmp.path()), ["settings.json"]);
    }

    #[test]
    fn new_files_take_the_next_free_number() {
        let tmp = tempfile::tempdir().unwrap();
        let name = |n: u32| match n {
            1 => "a.csv".to_owned(),
            n => format!("a ({n}).csv"),
        };
        fs::write(tmp.path().join("a.csv"), "someone else's").unwrap();
        let path = create_new(tmp.path(), name, |f| f.write_all(b"mine")).unwrap();
        assert_eq!(path, tmp.path().join("a (2).csv"));
        assert_eq!(
            fs::read_to_string(tmp.path().join("a.csv")).unwrap(),
            "someone else's"
        );
        assert_eq!(fs::read_to_string(path).unwrap(), "mine");
        assert_eq!(names(tmp.path()), ["a (2).csv", "a.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_and_a_planted_link_is_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        // Every name the old code used for its temporary file points at the victim.
        for planted in ["a.csv.part", "a.json.tmp"] {
            std::os::unix::fs::symlink(&victim, tmp.path().join(planted)).unwrap();
        }
        let path = create_new(tmp.path(), |_| "a.csv".into(), |f| f.write_all(b"x")).unwrap();
        replace(&tmp.path().join("a.json"), |f| f.write_all(b"{}")).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        for file in [path, tmp.path().join("a.json")] {
            let mode = fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
}
