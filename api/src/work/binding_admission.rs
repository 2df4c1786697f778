//! Defaulting and validation of ResourceBinding and ClusterResourceBinding, written once for both
//! scopes against [`Binding`].
//!
//! Defaulting follows Karmada's mutating webhooks (on create, a missing permanent-id label gets a
//! UUID); validation follows Karmada's ResourceBinding validating webhook (the dependencies
//! annotation, component names) plus the structural rules a binding needs to be usable (the
//! resource reference, replica counts, unique target clusters). The FederatedResourceQuota check
//! of that webhook needs other objects and is not done here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::v1alpha2::{Binding, ResourceBindingSpec};
use crate::names;
use crate::validation::{FieldError, quoted};

/// Sets the binding's permanent-id label to `new_id()` when it is missing or empty (Karmada's
/// mutating webhook does this on create only).
pub fn default_binding<B: Binding>(
    binding: &mut B,
    creating: bool,
    new_id: impl FnOnce() -> String,
) {
    if !creating {
        return;
    }
    let labels = binding.meta_mut().labels.get_or_insert_with(BTreeMap::new);
    let label = labels.entry(B::PERMANENT_ID_LABEL.to_string()).or_default();
    if label.is_empty() {
        *label = new_id();
    }
}

/// Validates a binding on create and update.
pub fn validate_binding<B: Binding>(binding: &B) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(annotations) = &binding.meta().annotations {
        validate_dependencies_annotation(annotations, &mut errs);
    }
    validate_spec(binding.binding_spec(), &mut errs);
    errs
}

/// The dependencies annotation must be a JSON list of dependent-object references.
fn validate_dependencies_annotation(
    annotations: &BTreeMap<String, String>,
    errs: &mut Vec<FieldError>,
) {
    let Some(raw) = annotations.get(names::BINDING_DEPENDENCIES_ANNOTATION) else {
        return;
    };
    if !is_dependency_list(raw) {
        errs.push(FieldError::invalid(
            format!(
                "metadata.annotations.{}",
                names::BINDING_DEPENDENCIES_ANNOTATION
            ),
            quoted(raw),
            "annotation value must be a valid JSON",
        ));
    }
}

/// Whether `raw` decodes as Karmada's `[]DependentObjectReference` (null, or a list of null or of
/// objects whose string fields are strings and whose `labelSelector` is an object).
fn is_dependency_list(raw: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(raw) else {
        return false;
    };
    let reference_ok = |item: &Value| match item {
        Value::Null => true,
        Value::Object(fields) => fields.iter().all(|(key, value)| match key.as_str() {
            "apiVersion" | "kind" | "namespace" | "name" => value.is_string() || value.is_null(),
            "labelSelector" => value.is_object() || value.is_null(),
            _ => true,
        }),
        _ => false,
    };
    match &value {
        Value::Null => true,
        Value::Array(items) => items.iter().all(reference_ok),
        _ => false,
    }
}

fn validate_spec(spec: &ResourceBindingSpec, errs: &mut Vec<FieldError>) {
    let resource = &spec.resource;
    for (field, value) in [
        ("apiVersion", &resource.api_version),
        ("kind", &resource.kind),
        ("name", &resource.name),
    ] {
        if value.is_empty() {
            errs.push(FieldError::required(format!("spec.resource.{field}"), ""));
        }
    }
    non_negative("spec.replicas", spec.replicas, errs);

    let mut component_names = BTreeSet::new();
    for (i, component) in spec.components.iter().flatten().enumerate() {
        let field = format!("spec.components[{i}].name");
        if component.name.is_empty() {
            errs.push(FieldError::invalid(
                field,
                quoted(""),
                "component names must be non-empty",
            ));
        } else if !component_names.insert(component.name.as_str()) {
            let why = "component names must be unique";
            errs.push(FieldError::invalid(field, quoted(&component.name), why));
        }
        non_negative(
            &format!("spec.components[{i}].replicas"),
            Some(component.replicas),
            errs,
        );
    }

    let mut cluster_names = BTreeSet::new();
    for (i, cluster) in spec.clusters.iter().flatten().enumerate() {
        let field = format!("spec.clusters[{i}].name");
        if cluster.name.is_empty() {
            errs.push(FieldError::required(field, ""));
        } else if !cluster_names.insert(cluster.name.as_str()) {
            errs.push(FieldError::duplicate(field, quoted(&cluster.name)));
        }
        non_negative(
            &format!("spec.clusters[{i}].replicas"),
            cluster.replicas,
            errs,
        );
    }
}

fn non_negative(field: &str, value: Option<i32>, errs: &mut Vec<FieldError>) {
    if let Some(value) = value.filter(|v| *v < 0) {
        errs.push(FieldError::invalid(
            field,
            value,
            "must be greater than or equal to 0",
        ));
    }
}

#[cfg(test)]
#[path = "binding_admission_tests.rs"]
mod tests;
