//! Pifa's 1688-compatible gateway double: the live gateway's URL scheme, signature check, OAuth
//! endpoints, error codes and rate limits, over a deterministic generated catalog whose prices
//! drift over (optionally accelerated) time, with fault injection for tests.
//!
//! It runs as its own binary (`pifa-gateway`), inside the app and `pifa-cli --demo`, and inside
//! tests, always on loopback.

pub mod catalog;
mod clock;
mod config;
pub mod demo;
mod faults;
mod oauth;
mod offers;
mod server;

pub use clock::Clock;
pub use config::{GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};
pub use server::{spawn, Gateway, GatewayHandle};
