//! Where Pifa keeps its files.
//!
//! The data directory follows the platform convention (`~/.local/share/pifa` on Linux,
//! `~/Library/Application Support/Pifa` on macOS, `%APPDATA%\Pifa\data` on Windows) unless the
//! user chooses another with `--data-dir` or `PIFA_DATA_DIR`.

use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "PIFA_DATA_DIR";

/// A data directory that exists and accepts writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Resolves the data directory: an explicit choice first, then `PIFA_DATA_DIR`, then the
    /// platform default. Creates it when missing and checks it accepts writes, so a read-only
    /// or unreachable directory is reported at start-up with its path rather than on first save.
    pub fn resolve(explicit: Option<&Path>) -> Result<DataDir> {
        let root = match explicit {
            Some(path) => path.to_path_buf(),
            None => match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
                Some(path) => PathBuf::from(path),
                None => Self::platform_default().ok_or(Error::NoDataDir)?,
            },
        };
        Self::open(root)
    }

    /// Opens (creating if needed) the given directory as the data directory. A directory Pifa
    /// creates is private to the user (0700 on Unix); one owned by another user is refused,
    /// since they could read or replace what Pifa keeps there.
    pub fn open(root: impl Into<PathBuf>) -> Result<DataDir> {
        let root = root.into();
        let unusable = |source| Error::DataDirUnusable {
            path: root.clone(),
            source,
        };
        create_private_dir(&root).map_err(unusable)?;
        let root = fs::canonicalize(&root).map_err(unusable)?;
        // A probe write: a read-only directory must fail here, naming itself.
        let probe_owner = probe(&root).map_err(unusable)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let owner = fs::metadata(&root).map_err(unusable)?.uid();
            if Some(owner) != probe_owner {
                return Err(unusable(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    format!(
                        "it belongs to another user (uid {owner}); choose a directory of your own"
                    ),
                )));
            }
        }
        #[cfg(not(unix))]
        let _ = probe_owner;
        Ok(DataDir { root })
    }

    pub fn platform_default() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "Pifa").map(|dirs| dirs.data_dir().to_path_buf())
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    pub fn settings_file(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// The picture cache (see `crate::images`): disposable, apart from the databases.
    pub fn image_cache_dir(&self) -> PathBuf {
        self.root.join("image-cache")
    }

    /// This desktop's copy of a team's shared data (team mode), apart from its own `pifa.db`.
    pub fn team_store_file(&self, team_id: &crate::team::TeamId) -> PathBuf {
        self.root.join(format!("team-{team_id}.db"))
    }

    /// The folder of the log files (see `pifa_workbench::logs`).
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("logs")
    }
}

/// Shows a folder of Pifa's in the desktop's file manager (created first if missing); returns
/// at once. Only ever called with a path Pifa chose, never one from the window.
pub fn show_folder(path: &Path) -> Result<()> {
    let unopenable = |reason: String| Error::LogFolderUnopenable {
        path: path.to_path_buf(),
        reason,
    };
    create_private_dir(path).map_err(|e| unopenable(e.to_string()))?;
    open::that_detached(path).map_err(|e| unopenable(e.to_string()))
}

pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// Creates and removes a file in `dir`, returning the file's owner: the user this process
/// writes as (Unix only). The probe is created new, so a link planted under its name is never
/// followed; a stale probe or planted link is removed (the link, not its target) and the probe
/// retried once.
fn probe(dir: &Path) -> io::Result<Option<u32>> {
    const NAME: &str = ".pifa-write-probe";
    let path = dir.join(NAME);
    let mut open = OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let file = match open.open(&path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(&path)?;
            open.open(&path)?
        }
        opened => opened?,
    };
    #[cfg(unix)]
    let owner = Some(std::os::unix::fs::MetadataExt::uid(&file.metadata()?));
    #[cfg(not(unix))]
    let owner = None;
    drop(file);
    fs::remove_file(&path)?;
    Ok(owner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_a_missing_directory_including_chinese_names() {
        let tmp = tempfile::tempdir().unwrap();
        let wanted = tmp.path().join("采购").join("数据");
        let dir = DataDir::open(&wanted).unwrap();
        assert!(dir.path().is_dir());
        assert!(dir.path().ends_with("采购/数据"));
        assert_eq!(dir.settings_file(), dir.path().join("settings.json"));
    }

    #[test]
    fn a_file_in_the_way_is_reported_with_its_path() {
        let tmp = tempfile::tempdir().unwrap();
        let blocker = tmp.path().join("not-a-dir");
        fs::write(&blocker, "x").unwrap();
        let err = DataDir::open(blocker.join("inner")).unwrap_err();
        assert_eq!(err.code(), "data_dir.unusable");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_directory_is_private_and_a_planted_probe_link_is_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path().join("pifa")).unwrap();
        let mode = fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        let victim = tmp.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join(".pifa-write-probe")).unwrap();
        DataDir::open(dir.path()).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert!(fs::symlink_metadata(dir.path().join(".pifa-write-probe")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_of_another_user_is_refused() {
        use std::os::unix::fs::{chown, PermissionsExt};
        let tmp = tempfile::tempdir().unwrap();
        let shared = tmp.path().join("shared");
        fs::create_dir(&shared).unwrap();
        // World-writable, as in /tmp: only the owner check stops Pifa using it.
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();
        if chown(&shared, Some(65534), None).is_err() {
            eprintln!("skipped: giving a directory to another user needs root (CI runs as root)");
            return;
        }
        let err = DataDir::open(&shared).unwrap_err();
        assert_eq!(err.code(), "data_dir.unusable");
        assert!(err.to_string().contains("another user"), "{err}");
        assert!(err.to_string().contains("shared"), "{err}");
    }
}
