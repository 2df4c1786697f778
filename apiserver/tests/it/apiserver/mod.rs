//! The API server end to end: real kubectl binaries and kube-rs clients against an in-process server
//! on both storage backends.

mod smoke;
mod kube_client;
