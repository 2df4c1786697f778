//! The policy.karmada.io API group: types ([`v1alpha1`]), defaulting and validation as Karmada's
//! webhooks do them ([`admit`]), and the CRDs ([`crds`]).
//!
//! Admission works on the JSON the API server holds: it reads `metadata.namespace` (which the
//! server has set from the request path) and `metadata.labels`, decodes `spec` (and a quota's
//! `status`) into the Rust types, defaults and validates them, and writes back only `spec` and the
//! metadata the webhooks own (the permanent-id label and the policy finalizer); everything else in
//! the object is left as it was.

mod admission;
mod defaults;
mod field_path;
mod override_validation;
mod propagation_validation;
mod quantity;
mod quota_validation;
mod selector_validation;
mod syntax;
mod taint_validation;
pub mod v1alpha1;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::Value;

use crate::names;
use crate::validation::FieldError;
use admission::{Scope, add_finalizer, decode_field, encode_field, permanent_id};
pub use defaults::{DEFAULT_GRACE_PERIOD_SECONDS, DEFAULT_TOLERATION_SECONDS};
use v1alpha1::schema::karmada_shape;
use v1alpha1::{ClusterTaintPolicySpec, FederatedResourceQuotaSpec, OverrideSpec, PropagationSpec};

/// Choices Karmada's webhook leaves to the administrator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdmissionOptions {
    /// Admit ClusterTaintPolicies whose taints have the NoExecute effect (Karmada's
    /// `--allow-no-execute-taint-policy`, off by default).
    pub allow_no_execute_taint_policy: bool,
}

/// Defaults and validates one of this group's kinds with Karmada's default options; `None` for
/// kinds (and versions) this group does not have.
///
/// `old` is the stored object on update, `None` on create.
///
/// # Errors
///
/// Every problem found, as field errors in kube-apiserver's wording. On error `object` may have been
/// partly defaulted; the caller discards it.
pub fn admit(
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    admit_with(&AdmissionOptions::default(), version, kind, object, old)
}

/// [`admit`] with explicit options.
pub fn admit_with(
    options: &AdmissionOptions,
    version: &str,
    kind: &str,
    object: &mut Value,
    old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    if version != v1alpha1::VERSION {
        return None;
    }
    let namespace = admission::namespace(object).to_string();
    let result = match kind {
        "PropagationPolicy" => admit_propagation_policy(
            object,
            old,
            Scope::Namespaced(&namespace),
            names::PROPAGATION_POLICY_PERMANENT_ID_LABEL,
            names::PROPAGATION_POLICY_CONTROLLER_FINALIZER,
        ),
        "ClusterPropagationPolicy" => admit_propagation_policy(
            object,
            old,
            Scope::Cluster,
            names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
            names::CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER,
        ),
        "OverridePolicy" => admit_override_policy(object, Scope::Namespaced(&namespace)),
        "ClusterOverridePolicy" => admit_override_policy(object, Scope::Cluster),
        "ClusterTaintPolicy" => admit_taint_policy(object, options),
        "FederatedResourceQuota" => admit_quota(object),
        _ => return None,
    };
    Some(result)
}

/// PropagationPolicy and ClusterPropagationPolicy: the CRD defaults and the mutating webhook's,
/// the permanent id, the finalizer on create, then the validating webhook.
fn admit_propagation_policy(
    object: &mut Value,
    old: Option<&Value>,
    scope: Scope<'_>,
    id_label: &str,
    finalizer: &str,
) -> Result<(), Vec<FieldError>> {
    let mut spec: PropagationSpec = decode_field(object, "spec").map_err(|e| vec![e])?;
    defaults::default_propagation_spec(&mut spec, scope);
    let mut errors = propagation_validation::validate_propagation_spec(&spec, scope);
    if let Some(old_spec) = old.and_then(|old| decode_field::<PropagationSpec>(old, "spec").ok()) {
        errors.extend(propagation_validation::validate_propagation_update(&spec, &old_spec));
    }
    if let Err(error) = permanent_id(object, old, id_label) {
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if old.is_none() {
        add_finalizer(object, finalizer);
    }
    encode_field(object, "spec", &spec);
    Ok(())
}

/// OverridePolicy and ClusterOverridePolicy: selector namespaces, then the validating webhook.
fn admit_override_policy(object: &mut Value, scope: Scope<'_>) -> Result<(), Vec<FieldError>> {
    let mut spec: OverrideSpec = decode_field(object, "spec").map_err(|e| vec![e])?;
    let before = spec.clone();
    defaults::default_override_spec(&mut spec, scope);
    let errors = override_validation::validate_override_spec(&spec, scope);
    if !errors.is_empty() {
        return Err(errors);
    }
    if spec != before {
        encode_field(object, "spec", &spec);
    }
    Ok(())
}

/// ClusterTaintPolicy: validation only (Karmada has no mutating webhook for it).
fn admit_taint_policy(object: &Value, options: &AdmissionOptions) -> Result<(), Vec<FieldError>> {
    let spec: ClusterTaintPolicySpec = decode_field(object, "spec").map_err(|e| vec![e])?;
    let errors =
        taint_validation::validate_taint_policy_spec(&spec, options.allow_no_execute_taint_policy);
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// FederatedResourceQuota: validation only, of the spec and (when present) the status.
fn admit_quota(object: &Value) -> Result<(), Vec<FieldError>> {
    let spec: FederatedResourceQuotaSpec = decode_field(object, "spec").map_err(|e| vec![e])?;
    let status = match object.get("status") {
        Some(Value::Null) | None => None,
        Some(_) => Some(decode_field(object, "status").map_err(|e| vec![e])?),
    };
    let errors = quota_validation::validate_quota(admission::name(object), &spec, status.as_ref());
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// This group's CustomResourceDefinitions, ordered by name, reshaped to match Karmada's own CRDs
/// (root `apiVersion`/`kind`/`metadata` properties, no `nullable`, atomic selector lists, ...).
/// These, not the bare `crd()` of each type, are what the API server installs.
pub fn crds() -> Vec<CustomResourceDefinition> {
    use v1alpha1::{
        ClusterOverridePolicy, ClusterPropagationPolicy, ClusterTaintPolicy,
        FederatedResourceQuota, OverridePolicy, PropagationPolicy,
    };
    let spec_of = |kind: &str| format!("Spec represents the desired behavior of {kind}.");
    vec![
        karmada_shape(
            ClusterOverridePolicy::crd(),
            &spec_of("ClusterOverridePolicy"),
            None,
            false,
        ),
        karmada_shape(
            ClusterPropagationPolicy::crd(),
            &spec_of("ClusterPropagationPolicy"),
            None,
            true,
        ),
        karmada_shape(
            ClusterTaintPolicy::crd(),
            &spec_of("ClusterTaintPolicy"),
            None,
            false,
        ),
        karmada_shape(
            FederatedResourceQuota::crd(),
            "Spec defines the desired quota.",
            Some("Status defines the actual enforced quota and its current usage."),
            false,
        ),
        karmada_shape(OverridePolicy::crd(), &spec_of("OverridePolicy"), None, false),
        karmada_shape(
            PropagationPolicy::crd(),
            &spec_of("PropagationPolicy"),
            None,
            true,
        ),
    ]
}

