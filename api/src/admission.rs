//! Defaulting and validation of Karmada objects, as Karmada's mutating and validating webhooks do
//! them, on the JSON the API server holds.
//!
//! Each API group module offers `admit(kind, version, object, old) -> Option<Result<(), Vec<FieldError>>>`
//! (`None`: not one of its kinds); this module chains them.

use serde_json::Value;

use crate::validation::FieldError;

/// Defaults and validates `object` (a create when `old` is `None`, else an update).
///
/// Returns `None` when `group`/`version`/`kind` is not a Karmada kind this crate knows, so the
/// caller stores the object as it is.
pub fn admit(
    group: &str,
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    match group {
        "policy.karmada.io" => crate::policy::admit(version, kind, object, old),
        "work.karmada.io" => crate::work::admit(version, kind, object, old),
        "cluster.karmada.io" => crate::cluster::admit(version, kind, object, old),
        "apps.karmada.io" => crate::apps::admit(version, kind, object, old),
        _ => None,
    }
}
