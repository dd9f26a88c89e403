//! Pifa's core: the parts of the app that need neither Tauri nor a display.
//!
//! The application layer (`pifa-workbench`) builds every user action from it, and the desktop
//! shell (`src-tauri/src`) and `pifa-cli` are thin front ends over that layer, so everything
//! here is tested with plain `cargo test`.

pub mod batch;
pub mod compare;
pub mod error;
pub mod export;
mod files;
pub mod health;
pub mod history;
pub mod images;
pub mod language;
pub mod metrics;
pub mod mode;
pub mod money;
pub mod notice;
pub mod notification;
pub mod offer;
pub mod paths;
pub mod pick;
pub mod protocol;
pub mod secrets;
pub mod settings;
pub mod sourcing;
pub mod store;
pub mod suppliers;
pub mod team;
pub mod watch;
pub mod words;

pub use error::{Error, Result};
pub use language::Language;
pub use mode::{DemoFaults, Mode};
pub use money::Money;
pub use notice::Notice;
pub use offer::{Offer, OfferId};
pub use paths::DataDir;
pub use settings::{Settings, SettingsStore};

/// Pifa's version, as written in the workspace `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
