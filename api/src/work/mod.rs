//! The work.karmada.io API group: [`v1alpha1::Work`] and the bindings
//! [`v1alpha2::ResourceBinding`] / [`v1alpha2::ClusterResourceBinding`], with the defaulting and
//! validation Karmada's webhooks apply to them ([`binding_admission`], [`work_admission`]).
//!
//! Only the storage version of the bindings (v1alpha2) is served; v1alpha1 bindings and the
//! conversion webhook are not.

pub mod binding_admission;
pub(crate) mod schema;
pub(crate) mod typed;
pub mod v1alpha1;
pub mod v1alpha2;
pub mod work_admission;

use std::sync::OnceLock;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::Value;

use crate::policy::v1alpha1::schema::karmada_shape;
use crate::validation::FieldError;
use v1alpha1::Work;
use v1alpha2::{Binding, ClusterResourceBinding, ResourceBinding};

/// Defaults and validates one of this group's kinds (a create when `old` is `None`, else an
/// update); `None` for other kinds and versions. New permanent ids are random UUIDs.
///
/// Meant for writes to the main resource; Karmada's webhooks do not see `/status` writes.
pub fn admit(
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    admit_with(version, kind, object, old, &|| {
        uuid::Uuid::new_v4().to_string()
    })
}

/// [`admit`] with the source of new permanent ids as a parameter.
pub fn admit_with(
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
    new_id: &dyn Fn() -> String,
) -> Option<Result<(), Vec<FieldError>>> {
    let creating = old.is_none();
    match (version, kind) {
        ("v1alpha2", "ResourceBinding") => {
            static SCHEMA: OnceLock<Value> = OnceLock::new();
            let schema = SCHEMA.get_or_init(|| typed::root_schema(&ResourceBinding::crd()));
            Some(admit_binding::<ResourceBinding>(
                object, schema, creating, new_id,
            ))
        }
        ("v1alpha2", "ClusterResourceBinding") => {
            static SCHEMA: OnceLock<Value> = OnceLock::new();
            let schema = SCHEMA.get_or_init(|| typed::root_schema(&ClusterResourceBinding::crd()));
            Some(admit_binding::<ClusterResourceBinding>(
                object, schema, creating, new_id,
            ))
        }
        ("v1alpha1", "Work") => Some(admit_work(object, new_id)),
        _ => None,
    }
}

fn admit_binding<B: Binding>(
    object: &mut Value,
    schema: &Value,
    creating: bool,
    new_id: &dyn Fn() -> String,
) -> Result<(), Vec<FieldError>> {
    let mut defaulted = object.clone();
    typed::apply_defaults(schema, &mut defaulted);
    let mut binding: B = typed::decode(&defaulted)?;
    binding_admission::default_binding(&mut binding, creating, new_id);
    let errs = binding_admission::validate_binding(&binding);
    if !errs.is_empty() {
        return Err(errs);
    }
    typed::encode(&binding, object)
}

fn admit_work(object: &mut Value, new_id: &dyn Fn() -> String) -> Result<(), Vec<FieldError>> {
    let mut work: Work = typed::decode(object)?;
    let errs = work_admission::validate_work(&work);
    if !errs.is_empty() {
        return Err(errs);
    }
    work_admission::mutate_work(&mut work, new_id);
    typed::encode(&work, object)
}

/// This group's CustomResourceDefinitions, ordered by name, shaped like Karmada's.
pub fn crds() -> Vec<CustomResourceDefinition> {
    const BINDING_STATUS: &str =
        "Status represents the most recently observed status of the ResourceBinding.";
    vec![
        karmada_shape(
            ClusterResourceBinding::crd(),
            "Spec represents the desired behavior.",
            Some(BINDING_STATUS),
            false,
        ),
        karmada_shape(
            ResourceBinding::crd(),
            "Spec represents the desired behavior.",
            Some(BINDING_STATUS),
            false,
        ),
        karmada_shape(
            Work::crd(),
            "Spec represents the desired behavior of Work.",
            Some("Status represents the status of PropagationStatus."),
            false,
        ),
    ]
}
