//! karmada-apiserver: the federation's Kubernetes-compatible API server and its storage.
pub mod storage;
