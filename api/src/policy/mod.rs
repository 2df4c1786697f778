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
pub mod quantity;
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
        errors.extend(propagation_validation::validate_propagation_update(
            &spec, &old_spec,
        ));
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
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// FederatedResourceQuota: validation only, of the spec and (when present) the status.
fn admit_quota(object: &Value) -> Result<(), Vec<FieldError>> {
    let spec: FederatedResourceQuotaSpec = decode_field(object, "spec").map_err(|e| vec![e])?;
    let status = match object.get("status") {
        Some(Value::Null) | None => None,
        Some(_) => Some(decode_field(object, "status").map_err(|e| vec![e])?),
    };
    let errors = quota_validation::validate_quota(admission::name(object), &spec, status.as_ref());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
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
        karmada_shape(
            OverridePolicy::crd(),
            &spec_of("OverridePolicy"),
            None,
            false,
        ),
        karmada_shape(
            PropagationPolicy::crd(),
            &spec_of("PropagationPolicy"),
            None,
            true,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PP_ID: &str = "propagationpolicy.karmada.io/permanent-id";
    const CPP_ID: &str = "clusterpropagationpolicy.karmada.io/permanent-id";

    fn pp() -> Value {
        json!({
            "apiVersion": "policy.karmada.io/v1alpha1",
            "kind": "PropagationPolicy",
            "metadata": {"name": "nginx", "namespace": "default", "uid": "u1",
                         "labels": {"app": "nginx"}, "annotations": {"note": "kept"},
                         "managedFields": [{"manager": "kubectl", "operation": "Apply"}]},
            "spec": {
                "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}],
                "placement": {"clusterAffinity": {"clusterNames": ["member1", "member2"]},
                              "replicaScheduling": {"replicaSchedulingType": "Divided"}},
            },
        })
    }

    fn fields(result: Option<Result<(), Vec<FieldError>>>) -> Vec<(String, String)> {
        match result {
            Some(Err(errors)) => errors.into_iter().map(|e| (e.field, e.detail)).collect(),
            other => panic!("expected errors, got {other:?}"),
        }
    }

    #[test]
    fn other_kinds_and_versions_are_not_ours() {
        let mut object = pp();
        assert!(admit("v1alpha1", "ResourceBinding", &mut object, None).is_none());
        assert!(admit("v1beta1", "PropagationPolicy", &mut object, None).is_none());
        assert_eq!(object, pp());
    }

    #[test]
    fn created_propagation_policy_is_defaulted_labelled_and_finalized() {
        let mut object = pp();
        assert_eq!(
            admit("v1alpha1", "PropagationPolicy", &mut object, None),
            Some(Ok(()))
        );
        let meta = &object["metadata"];
        assert!(uuid::Uuid::parse_str(meta["labels"][PP_ID].as_str().unwrap()).is_ok());
        assert_eq!(meta["labels"]["app"], "nginx");
        assert_eq!(
            meta["finalizers"],
            json!(["karmada.io/propagation-policy-controller"])
        );
        // Metadata the webhook does not own is untouched.
        assert_eq!(meta["annotations"], json!({"note": "kept"}));
        assert_eq!(meta["managedFields"], pp()["metadata"]["managedFields"]);
        assert_eq!(meta["uid"], "u1");
        let spec = &object["spec"];
        assert_eq!(spec["resourceSelectors"][0]["namespace"], "default");
        assert_eq!(
            spec["placement"]["replicaScheduling"]["replicaDivisionPreference"],
            "Weighted"
        );
        assert_eq!(spec["schedulerName"], "default-scheduler");
        assert_eq!(spec["conflictResolution"], "Abort");
        assert_eq!(spec["preemption"], "Never");
        assert_eq!(spec["priority"], 0);
        assert_eq!(object["kind"], "PropagationPolicy");
    }

    #[test]
    fn cluster_propagation_policy_gets_its_own_label_and_finalizer() {
        let mut object = json!({
            "metadata": {"name": "crds"},
            "spec": {"resourceSelectors": [{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"}]},
        });
        assert_eq!(
            admit("v1alpha1", "ClusterPropagationPolicy", &mut object, None),
            Some(Ok(()))
        );
        assert!(object["metadata"]["labels"][CPP_ID].is_string());
        assert_eq!(
            object["metadata"]["finalizers"],
            json!(["karmada.io/cluster-propagation-policy-controller"])
        );
        assert_eq!(
            object["spec"]["resourceSelectors"][0].get("namespace"),
            None
        );
    }

    #[test]
    fn update_keeps_identity_and_adds_no_finalizer() {
        let mut stored = pp();
        admit("v1alpha1", "PropagationPolicy", &mut stored, None)
            .unwrap()
            .unwrap();
        let id = stored["metadata"]["labels"][PP_ID].clone();

        // A replace that sends the original YAML (no id, no finalizer).
        let mut update = pp();
        assert_eq!(
            admit("v1alpha1", "PropagationPolicy", &mut update, Some(&stored)),
            Some(Ok(()))
        );
        assert_eq!(update["metadata"]["labels"][PP_ID], id);
        assert_eq!(update["metadata"].get("finalizers"), None);

        let mut changed = stored.clone();
        changed["metadata"]["labels"][PP_ID] = json!("forged");
        assert_eq!(
            fields(admit(
                "v1alpha1",
                "PropagationPolicy",
                &mut changed,
                Some(&stored)
            )),
            [(
                format!("metadata.labels[{PP_ID}]"),
                format!(
                    "Forbidden: label {PP_ID} is immutable, it can only be set by the system during creation"
                )
            )]
        );

        let mut rescheduled = stored.clone();
        rescheduled["spec"]["schedulerName"] = json!("other-scheduler");
        assert_eq!(
            fields(admit(
                "v1alpha1",
                "PropagationPolicy",
                &mut rescheduled,
                Some(&stored)
            )),
            [(
                "spec.schedulerName".to_string(),
                "Invalid value: \"other-scheduler\": the schedulerName should not be updated"
                    .to_string()
            )]
        );
    }

    #[test]
    fn invalid_policy_reports_every_error_and_is_not_labelled() {
        let mut object = pp();
        object["spec"]["placement"]["clusterAffinities"] =
            json!([{"affinityName": "a"}, {"affinityName": "a"}]);
        object["spec"]["resourceSelectors"][0]["namespace"] = json!("other");
        let errors = fields(admit("v1alpha1", "PropagationPolicy", &mut object, None));
        let paths: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.resourceSelectors[0].namespace",
                "spec.placement.clusterAffinities",
                "spec.placement.clusterAffinities[1].affinityName",
            ]
        );
    }

    #[test]
    fn undecodable_spec_is_a_field_error() {
        let mut object = pp();
        object["spec"]["placement"]["spreadConstraints"] = json!([{"spreadByField": "city"}]);
        assert_eq!(
            fields(admit("v1alpha1", "PropagationPolicy", &mut object, None)),
            [(
                "spec.placement.spreadConstraints[0].spreadByField".to_string(),
                "Unsupported value: \"city\": supported values: \"cluster\", \"region\", \"zone\", \"provider\"".to_string()
            )]
        );
        let mut no_spec = json!({"metadata": {"name": "x", "namespace": "default"}});
        assert_eq!(
            fields(admit("v1alpha1", "PropagationPolicy", &mut no_spec, None)),
            [("spec".to_string(), "Required value".to_string())]
        );
    }

    #[test]
    fn override_policy_selectors_get_the_namespace() {
        let mut object = json!({
            "metadata": {"name": "op", "namespace": "apps"},
            "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap"}],
                     "overrideRules": [{"overriders": {"plaintext": [
                         {"path": "/data/k", "operator": "replace", "value": "v"}]}}]},
        });
        assert_eq!(
            admit("v1alpha1", "OverridePolicy", &mut object, None),
            Some(Ok(()))
        );
        assert_eq!(object["spec"]["resourceSelectors"][0]["namespace"], "apps");
        assert_eq!(object["metadata"].get("finalizers"), None);
        assert_eq!(object["metadata"].get("labels"), None);

        let mut cluster = json!({
            "metadata": {"name": "cop"},
            "spec": {"overriders": {"plaintext": [{"path": "data", "operator": "remove"}]}},
        });
        assert_eq!(
            fields(admit(
                "v1alpha1",
                "ClusterOverridePolicy",
                &mut cluster,
                None
            )),
            [(
                "spec.overriders.plaintext[0].path".to_string(),
                "Invalid value: \"data\": must be a JSON pointer starting with \"/\"".to_string()
            )]
        );
    }

    #[test]
    fn overrider_enums_reject_unknown_values() {
        // (overriders, field, supported values)
        let cases = [
            (
                json!({"imageOverrider": [{"component": "Digest", "operator": "replace", "value": "x"}]}),
                "spec.overrideRules[0].overriders.imageOverrider[0].component",
                r#""Registry", "Repository", "Tag""#,
            ),
            (
                json!({"imageOverrider": [{"component": "Tag", "operator": "append", "value": "x"}]}),
                "spec.overrideRules[0].overriders.imageOverrider[0].operator",
                r#""add", "remove", "replace""#,
            ),
            (
                json!({"plaintext": [{"path": "/a", "operator": "move", "value": 1}]}),
                "spec.overrideRules[0].overriders.plaintext[0].operator",
                r#""add", "remove", "replace""#,
            ),
            (
                json!({"commandOverrider": [{"containerName": "c", "operator": "replace", "value": ["x"]}]}),
                "spec.overrideRules[0].overriders.commandOverrider[0].operator",
                r#""add", "remove""#,
            ),
            (
                json!({"argsOverrider": [{"containerName": "c", "operator": "replace"}]}),
                "spec.overrideRules[0].overriders.argsOverrider[0].operator",
                r#""add", "remove""#,
            ),
            (
                json!({"labelsOverrider": [{"operator": "merge", "value": {"a": "b"}}]}),
                "spec.overrideRules[0].overriders.labelsOverrider[0].operator",
                r#""add", "remove", "replace""#,
            ),
            (
                json!({"annotationsOverrider": [{"operator": "merge", "value": {"a": "b"}}]}),
                "spec.overrideRules[0].overriders.annotationsOverrider[0].operator",
                r#""add", "remove", "replace""#,
            ),
            (
                json!({"fieldOverrider": [{"fieldPath": "/data/x", "json": [{"subPath": "/a", "operator": "test", "value": 1}]}]}),
                "spec.overrideRules[0].overriders.fieldOverrider[0].json[0].operator",
                r#""add", "remove", "replace""#,
            ),
        ];
        for (overriders, field, supported) in cases {
            let mut object = json!({
                "metadata": {"name": "op", "namespace": "apps"},
                "spec": {"overrideRules": [{"overriders": overriders}]},
            });
            let errors = fields(admit("v1alpha1", "OverridePolicy", &mut object, None));
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].0, field);
            assert!(
                errors[0].1.starts_with("Unsupported value: ")
                    && errors[0]
                        .1
                        .ends_with(&format!("supported values: {supported}")),
                "{}",
                errors[0].1
            );
        }
    }

    #[test]
    fn untouched_override_policy_is_not_rewritten() {
        // Nothing to default: the object keeps its exact JSON (including an explicit null value).
        let original = json!({
            "metadata": {"name": "cop"},
            "spec": {"overrideRules": [{"overriders": {"plaintext": [
                {"path": "/spec/x", "operator": "add", "value": null}]}}]},
        });
        let mut object = original.clone();
        assert_eq!(
            admit("v1alpha1", "ClusterOverridePolicy", &mut object, None),
            Some(Ok(()))
        );
        assert_eq!(object, original);
    }

    #[test]
    fn no_execute_taint_policies_need_the_option() {
        let policy = json!({
            "metadata": {"name": "not-ready"},
            "spec": {"taints": [{"key": "cluster.karmada.io/not-ready", "effect": "NoExecute"}],
                     "addOnConditions": [{"conditionType": "Ready", "operator": "NotIn", "statusValues": ["True"]}]},
        });
        let mut object = policy.clone();
        assert_eq!(
            fields(admit("v1alpha1", "ClusterTaintPolicy", &mut object, None))[0].0,
            "spec.taints[0]"
        );
        let options = AdmissionOptions {
            allow_no_execute_taint_policy: true,
        };
        let mut object = policy.clone();
        assert_eq!(
            admit_with(
                &options,
                "v1alpha1",
                "ClusterTaintPolicy",
                &mut object,
                None
            ),
            Some(Ok(()))
        );
        assert_eq!(object, policy);

        let mut bad_operator = policy;
        bad_operator["spec"]["addOnConditions"][0]["operator"] = json!("Exists");
        assert_eq!(
            fields(admit_with(
                &options,
                "v1alpha1",
                "ClusterTaintPolicy",
                &mut bad_operator,
                None
            )),
            [(
                "spec.addOnConditions[0].operator".to_string(),
                "Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\"".to_string()
            )]
        );
    }

    #[test]
    fn quotas_are_validated_with_their_status() {
        let mut object = json!({
            "metadata": {"name": "team", "namespace": "apps"},
            "spec": {"overall": {"cpu": 8, "memory": "16Gi"},
                     "staticAssignments": [{"clusterName": "member1", "hard": {"cpu": "4"}}]},
            "status": {"overallUsed": {"cpu": "-1"}},
        });
        let original = object.clone();
        assert_eq!(
            fields(admit(
                "v1alpha1",
                "FederatedResourceQuota",
                &mut object,
                None
            )),
            [(
                "status.overallUsed[cpu]".to_string(),
                "Invalid value: \"-1\": must be greater than or equal to 0".to_string()
            )]
        );
        object["status"] = json!(null);
        assert_eq!(
            admit("v1alpha1", "FederatedResourceQuota", &mut object, None),
            Some(Ok(()))
        );
        assert_eq!(
            object["spec"], original["spec"],
            "an integer quantity stays an integer"
        );
    }

    #[test]
    fn crds_are_ordered_and_complete() {
        let names: Vec<String> = crds().into_iter().filter_map(|c| c.metadata.name).collect();
        assert_eq!(
            names,
            [
                "clusteroverridepolicies.policy.karmada.io",
                "clusterpropagationpolicies.policy.karmada.io",
                "clustertaintpolicies.policy.karmada.io",
                "federatedresourcequotas.policy.karmada.io",
                "overridepolicies.policy.karmada.io",
                "propagationpolicies.policy.karmada.io",
            ]
        );
    }
}
