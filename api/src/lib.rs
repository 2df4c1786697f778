//! Karmada API types, defaulting, validation and well-known names.
//!
//! This crate performs no I/O: it depends on serde, schemars, k8s-openapi and kube's derive/core
//! types only, never on tokio or a client, so every other crate (and tools such as CRD generators)
//! can use it freely.
//!
//! * [`policy`], [`work`], [`cluster`], [`apps`] — the Karmada API groups, with Karmada's exact group,
//!   version, kind, field names, short names and printer columns;
//! * [`admission`] — defaulting and validation as Karmada's webhooks do them, on JSON objects, for the
//!   API server;
//! * [`crds`] — every CustomResourceDefinition, generated from the types;
//! * [`names`] — well-known labels, annotations, finalizers and namespaces.

pub mod admission;
pub mod apps;
pub mod cluster;
pub mod crds;
pub mod names;
pub mod policy;
pub mod validation;
pub mod work;
