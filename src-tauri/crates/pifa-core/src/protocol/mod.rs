//! The 1688 Open Platform protocol as Pifa speaks it (see `shared/docs/1688-protocol.md`).

pub mod sign;
