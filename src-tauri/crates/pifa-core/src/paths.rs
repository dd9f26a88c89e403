//! Where Pifa keeps its files.
//!
//! The data directory follows the platform convention (`~/.local/share/pifa` on Linux,
//! `~/Library/Application Support/Pifa` on macOS, `%APPDATA%\Pifa\data` on Windows) unless the
//! user chooses another with `--data-dir` or `PIFA_DATA_DIR`.

use std::fs;
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

    /// Opens (creating if needed) the given directory as the data directory.
    pub fn open(root: impl Into<PathBuf>) -> Result<DataDir> {
        let root = root.into();
        let unusable = |source| Error::DataDirUnusable {
            path: root.clone(),
            source,
        };
        fs::create_dir_all(&root).map_err(unusable)?;
        let root = fs::canonicalize(&root).map_err(unusable)?;
        // A probe write: a read-only directory must fail here, naming itself.
        let probe = root.join(".pifa-write-probe");
        fs::write(&probe, b"ok").map_err(unusable)?;
        fs::remove_file(&probe).map_err(unusable)?;
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
}
