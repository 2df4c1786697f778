//! karmada-apiserver: the federation's Kubernetes-compatible API server and its revisioned storage.
//!
//! * [`storage`] — the storage contract and its etcd and embedded backends;
//! * [`server`] — options, certificates, the TLS listener and shutdown;
//! * [`http`] — the HTTP service (`router`), authentication and limits;
//! * [`patch`] — strategic merge patch and the built-in kinds' patch metadata;
//! * [`openapi`] — the OpenAPI v3 documents `kubectl explain` reads;
//! * [`status`] — the one mapping from errors to Kubernetes `Status` responses.

pub mod apply;
pub mod auth;
pub mod crd;
pub mod gc;
pub mod http;
pub mod jsonpath;
pub mod lifecycle;
pub mod openapi;
pub mod patch;
pub mod pki;
pub mod registry;
pub mod schema;
pub mod server;
pub mod status;
pub mod storage;
