//! The 1688 Open Platform protocol as Pifa speaks it (see `shared/docs/1688-protocol.md`).

pub mod client;
mod error;
pub mod loopback;
pub mod sign;
pub mod tokens;

pub use client::{ClientConfig, GatewayClient, RetryPolicy, LIVE_GATEWAY};
pub use error::{business_failure, classify_failure, ApiError};
pub use tokens::{AppCredentials, TokenSet};
