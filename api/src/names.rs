//! Well-known names shared by every karmada-rs process.

/// The version string every binary reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The storage key prefix under which the federation API server keeps its objects, as kube-apiserver
/// keeps its own under `/registry`.
pub const DEFAULT_STORAGE_PREFIX: &str = "/registry";
