//! Storage: the shared conformance suite instantiated per backend, plus backend-specific tests.

pub mod suite;

mod embedded;
pub mod etcd;
mod etcd_only;
