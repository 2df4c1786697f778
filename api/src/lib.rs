//! Karmada API types, defaulting, validation and well-known names.
//!
//! This crate performs no I/O: it depends on serde and friends only, never on tokio or a client, so
//! that every other crate (and tools such as CRD generators) can use it freely.

pub mod names;
