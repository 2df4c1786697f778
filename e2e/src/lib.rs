//! End-to-end test support: a private etcd, the federation API server and controller-manager as
//! real processes (so a test can SIGKILL and restart them), simulated members in-process, and
//! helpers to wait on conditions.

pub mod bench;
pub mod etcd;
pub mod federation;
pub mod scenario;
pub mod wait;

pub use federation::{Federation, FederationOptions};
pub use wait::wait_for;
