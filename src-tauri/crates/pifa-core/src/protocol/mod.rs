//! The 1688 Open Platform protocol as Pifa speaks it (see `shared/docs/1688-protocol.md`).

pub mod client;
mod error;
#[cfg(test)]
pub(crate) mod fake;
pub mod gate;
pub mod gateway_url;
mod head;
pub mod keyword_query;
pub mod loopback;
pub mod sign;
pub mod tokens;

pub use client::{ClientConfig, GatewayClient, RetryPolicy, LIVE_GATEWAY};
pub use error::{business_failure_in, classify_failure, ApiError};
pub use gate::{CallGate, GateFuture, LocalGate};
pub use gateway_url::{check_gateway, GatewayUrl};
pub use keyword_query::{KeywordSearch, SearchFilter, SearchSort};
pub use tokens::{AppCredentials, TokenKeeper, TokenSet};
