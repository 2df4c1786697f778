//! The karmadactl library: each subcommand is a function here; `main.rs` only parses arguments.

pub mod member;
