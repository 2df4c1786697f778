//! Test support shared by the integration tests.

pub mod etcd_process;
pub mod https;
pub mod server;
