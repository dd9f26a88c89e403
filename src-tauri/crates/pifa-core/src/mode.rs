//! Which 1688 gateway the app talks to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Mode {
    /// Pifa's own 1688-compatible gateway with a generated catalog: no 1688 account needed, and
    /// every figure shown is generated, which the UI says plainly.
    Demo,
    /// The real 1688 Open Platform with the user's own app key.
    Live,
}
