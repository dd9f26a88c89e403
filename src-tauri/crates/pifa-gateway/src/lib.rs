//! Pifa's 1688-compatible gateway double. So far: the deterministic generated catalog that the
//! double serves, which tests and benchmarks also use as realistic raw answers.

pub mod catalog;
