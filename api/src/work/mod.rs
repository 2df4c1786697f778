//! The work.karmada.io API group (being written).

pub(crate) mod typed;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

use crate::validation::FieldError;

/// Defaults and validates one of this group's kinds; `None` for kinds of other groups.
pub fn admit(
    _version: &str,
    _kind: &str,
    _object: &mut Value,
    _old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    None
}

/// This group's CustomResourceDefinitions.
pub fn crds() -> Vec<CustomResourceDefinition> {
    Vec::new()
}
