//! Pifa's 1688-compatible gateway double: the live gateway's URL scheme, signature check, OAuth
//! endpoints, error codes and their check order, and rate limits, over a deterministic generated
//! catalog whose prices drift over (optionally accelerated) time, with fault injection for tests.
//!
//! What it answers follows `shared/docs/1688-answers.md`, never Pifa's own parser: the documented
//! keys and types, and 1688's irregularities (§1) at a seeded share of answers.
//!
//! It runs as its own binary (`pifa-gateway`), inside the app and `pifa-cli --demo`, and inside
//! tests, always on loopback.

mod alarm;
pub mod catalog;
mod clock;
mod config;
pub mod demo;
mod faults;
mod oauth;
mod offers;
mod per_second;
mod pictures;
mod server;

pub use catalog::{categories, subcategories};
pub use clock::Clock;
pub use config::{GatewayConfig, DEMO_APP_KEY, DEMO_APP_SECRET};
pub use server::{spawn, Gateway, GatewayHandle};
