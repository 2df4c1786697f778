//! The apps.karmada.io API group: [`v1alpha1::WorkloadRebalancer`] and its validation.
//!
//! Karmada has no webhook for this group; the rules here are the CRD's (`workloads` has at least
//! one item, each naming its apiVersion, kind and name), checked with kube-apiserver's messages.

pub mod v1alpha1;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::Value;

use crate::policy::v1alpha1::schema::karmada_shape;
use crate::validation::FieldError;
use crate::work::typed;
use v1alpha1::WorkloadRebalancer;

/// Validates a WorkloadRebalancer; `None` for other kinds and versions.
pub fn admit(
    version: &str,
    kind: &str,
    object: &mut Value,
    _old: Option<&Value>,
) -> Option<Result<(), Vec<FieldError>>> {
    if (version, kind) != ("v1alpha1", "WorkloadRebalancer") {
        return None;
    }
    Some(admit_rebalancer(object))
}

fn admit_rebalancer(object: &mut Value) -> Result<(), Vec<FieldError>> {
    let rebalancer: WorkloadRebalancer = typed::decode(object)?;
    let errs = validate(&rebalancer);
    if !errs.is_empty() {
        return Err(errs);
    }
    typed::encode(&rebalancer, object)
}

/// The workloads list is non-empty and each workload names its apiVersion, kind and name.
pub fn validate(rebalancer: &WorkloadRebalancer) -> Vec<FieldError> {
    let workloads = &rebalancer.spec.workloads;
    if workloads.is_empty() {
        return vec![FieldError::invalid(
            "spec.workloads",
            0,
            "spec.workloads in body should have at least 1 items",
        )];
    }
    let mut errs = Vec::new();
    for (i, workload) in workloads.iter().enumerate() {
        for (field, value) in [
            ("apiVersion", &workload.api_version),
            ("kind", &workload.kind),
            ("name", &workload.name),
        ] {
            if value.is_empty() {
                errs.push(FieldError::required(
                    format!("spec.workloads[{i}].{field}"),
                    "",
                ));
            }
        }
    }
    errs
}

/// This group's CustomResourceDefinitions.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![karmada_shape(
        WorkloadRebalancer::crd(),
        "Spec represents the specification of the desired behavior of WorkloadRebalancer.",
        Some("Status represents the status of WorkloadRebalancer."),
        false,
    )]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rebalancer(workloads: Value) -> Value {
        json!({
            "apiVersion": "apps.karmada.io/v1alpha1",
            "kind": "WorkloadRebalancer",
            "metadata": {"name": "demo"},
            "spec": {"workloads": workloads},
        })
    }

    fn errors(workloads: Value) -> Vec<(String, String)> {
        let mut object = rebalancer(workloads);
        match admit("v1alpha1", "WorkloadRebalancer", &mut object, None).expect("ours") {
            Ok(()) => vec![],
            Err(errs) => errs.into_iter().map(|e| (e.field, e.detail)).collect(),
        }
    }

    #[test]
    fn other_kinds_are_not_ours() {
        assert!(admit("v1alpha1", "Rebalancer", &mut json!({}), None).is_none());
        assert!(admit("v1beta1", "WorkloadRebalancer", &mut json!({}), None).is_none());
    }

    #[test]
    fn workload_rules() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "default"});
        type Case = (&'static str, Value, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            ("one complete workload", json!([deployment]), vec![]),
            (
                "cluster-scoped workload needs no namespace",
                json!([{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "name": "r"}]),
                vec![],
            ),
            (
                "empty list",
                json!([]),
                vec![(
                    "spec.workloads",
                    "Invalid value: 0: spec.workloads in body should have at least 1 items",
                )],
            ),
            (
                "empty fields",
                json!([deployment, {"apiVersion": "", "kind": "", "name": ""}]),
                vec![
                    ("spec.workloads[1].apiVersion", "Required value"),
                    ("spec.workloads[1].kind", "Required value"),
                    ("spec.workloads[1].name", "Required value"),
                ],
            ),
            (
                "missing field",
                json!([{"apiVersion": "apps/v1", "kind": "Deployment"}]),
                vec![("spec.workloads[0].name", "Required value")],
            ),
        ];
        for (name, workloads, want) in cases {
            let want: Vec<(String, String)> = want
                .into_iter()
                .map(|(f, d)| (f.to_string(), d.to_string()))
                .collect();
            assert_eq!(errors(workloads), want, "{name}");
        }
    }

    #[test]
    fn valid_rebalancer_is_stored_unchanged() {
        let mut object = rebalancer(
            json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "default"}]),
        );
        object["spec"]["ttlSecondsAfterFinished"] = json!(60);
        let before = object.clone();
        admit("v1alpha1", "WorkloadRebalancer", &mut object, None)
            .unwrap()
            .unwrap();
        assert_eq!(object, before);
    }
}
