//! The desktop app's few command-line options.

use std::path::PathBuf;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// `--data-dir DIR` (or `--data-dir=DIR`): where Pifa keeps its files.
    pub data_dir: Option<PathBuf>,
    /// `--save-to DIR`: exports go into DIR without the save dialog (automation, E2E tests).
    pub save_to: Option<PathBuf>,
}

impl Args {
    /// Reads the options Pifa knows and ignores the rest, since desktop launchers and WebDriver
    /// may pass their own.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Args {
        let mut parsed = Args::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            if arg == "--data-dir" {
                parsed.data_dir = args.next().map(PathBuf::from);
            } else if let Some(value) = arg.strip_prefix("--data-dir=") {
                parsed.data_dir = Some(PathBuf::from(value));
            } else if arg == "--save-to" {
                parsed.save_to = args.next().map(PathBuf::from);
            } else if let Some(value) = arg.strip_prefix("--save-to=") {
                parsed.save_to = Some(PathBuf::from(value));
            }
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn reads_the_data_dir_in_both_forms() {
        assert_eq!(
            parse(&["--data-dir", "/tmp/数据"]).data_dir,
            Some("/tmp/数据".into())
        );
        assert_eq!(parse(&["--data-dir=/x"]).data_dir, Some("/x".into()));
    }

    #[test]
    fn reads_the_export_folder_in_both_forms() {
        assert_eq!(
            parse(&["--save-to", "/tmp/导出"]).save_to,
            Some("/tmp/导出".into())
        );
        assert_eq!(parse(&["--save-to=/y"]).save_to, Some("/y".into()));
        assert_eq!(parse(&["--data-dir", "/x"]).save_to, None);
    }

    #[test]
    fn ignores_what_it_does_not_know() {
        assert_eq!(parse(&["--something", "-v"]), Args::default());
        assert_eq!(parse(&["--data-dir"]).data_dir, None);
    }
}
