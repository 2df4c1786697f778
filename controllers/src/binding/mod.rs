//! The binding controller: one Work per target cluster, with overrides applied.

pub mod overrides;
