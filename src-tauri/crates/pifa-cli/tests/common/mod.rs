//! What the CLI test binaries that run against `--demo` share.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub const CLI: &str = env!("CARGO_BIN_EXE_pifa-cli");

/// `pifa-cli --demo` (the in-process double), with no app settings from the environment.
pub fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--demo", "--rate", "200"])
        .args(args)
        .env_remove("PIFA_APP_KEY")
        .env_remove("PIFA_APP_SECRET")
        .env_remove("PIFA_GATEWAY")
        .output()
        .unwrap()
}

/// The JSON a successful run printed; a failed run fails the test with what it said.
pub fn ok_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
