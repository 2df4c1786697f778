//! Patching stored objects: strategic merge patch for the built-in kinds and the strategic-merge /
//! list metadata it needs ([`schema_for`], generated from the Kubernetes v1.27.0 OpenAPI document).
//!
//! JSON patch and JSON merge patch come from the `json-patch` crate and are applied by the HTTP
//! layer; server-side apply is not here.

pub mod schema;
pub mod strategic;

pub use schema::{FieldMeta, KindSchema, ListType, MapType, PatchStrategy, schema_for};
pub use strategic::{PatchError, strategic_merge};
