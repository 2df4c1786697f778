//! The policy.karmada.io API group: types ([`v1alpha1`]), defaulting and validation as Karmada's
//! webhooks do them ([`admit`]), and the CRDs ([`crds`]).

pub mod v1alpha1;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::Value;

use crate::validation::FieldError;
use v1alpha1::schema::karmada_shape;

/// Defaults and validates one of this group's kinds; `None` for kinds of other groups.
pub fn admit(
    _version: &str,
    _kind: &str,
    _object: &mut Value,
    _old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    None
}

/// This group's CustomResourceDefinitions, ordered by name, shaped like Karmada's.
pub fn crds() -> Vec<CustomResourceDefinition> {
    use v1alpha1::*;
    vec![
        karmada_shape(
            ClusterOverridePolicy::crd(),
            "Spec represents the desired behavior of ClusterOverridePolicy.",
            None,
            false,
        ),
        karmada_shape(
            ClusterPropagationPolicy::crd(),
            "Spec represents the desired behavior of ClusterPropagationPolicy.",
            None,
            true,
        ),
        karmada_shape(
            ClusterTaintPolicy::crd(),
            "Spec represents the desired behavior of ClusterTaintPolicy.",
            None,
            false,
        ),
        karmada_shape(
            FederatedResourceQuota::crd(),
            "Spec defines the desired quota.",
            Some("Status defines the actual enforced quota and its current usage."),
            false,
        ),
        karmada_shape(
            OverridePolicy::crd(),
            "Spec represents the desired behavior of OverridePolicy.",
            None,
            false,
        ),
        karmada_shape(
            PropagationPolicy::crd(),
            "Spec represents the desired behavior of PropagationPolicy.",
            None,
            true,
        ),
    ]
}
