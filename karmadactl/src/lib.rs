//! The karmadactl library: each subcommand is a function here; `main.rs` only parses arguments.
//! [`member`] is the simulated member cluster that local-up, the tests and the benchmarks use.

pub mod cmd;
pub mod member;
pub mod register;
