//! The API server end to end: real kubectl binaries and kube-rs clients against an in-process server
//! on both storage backends.

mod bad_input;
mod front_proxy;
mod karmada_api;
mod karmada_roundtrip;
mod kube_client;
mod kubectl_matrix;
mod lifecycle;
mod replicas;
mod smoke;
