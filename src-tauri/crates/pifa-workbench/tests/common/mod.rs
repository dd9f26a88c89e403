//! What the workbench's test binaries share.

use std::path::Path;

use pifa_workbench::{ConnectOptions, ModeChoice, Workbench};

/// The CLI's with `--demo`: the in-process double, no keyring.
pub fn demo(dir: &Path) -> Workbench {
    Workbench::open(
        Some(dir),
        ConnectOptions {
            mode: ModeChoice::Demo,
            gateway: None,
            rate: Some(200),
            environment_credentials: true,
        },
    )
}
