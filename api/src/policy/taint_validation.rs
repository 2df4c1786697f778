//! Validation of ClusterTaintPolicy specs, as Karmada's validating webhook (and the constraints of
//! its CRD schema) do it, plus the syntax Cluster taints must have anyway.

use super::field_path::FieldPath;
use super::selector_validation::validate_cluster_affinity;
use super::syntax::{label_value_errors, validate_label_key};
use super::v1alpha1::{ClusterTaintPolicySpec, MatchCondition, TaintEffect};
use crate::validation::{FieldError, quoted};

/// Validates a ClusterTaintPolicy spec. NoExecute taints evict workloads, so Karmada refuses them
/// unless its webhook runs with `--allow-no-execute-taint-policy`.
pub(crate) fn validate_taint_policy_spec(
    spec: &ClusterTaintPolicySpec,
    allow_no_execute: bool,
) -> Vec<FieldError> {
    let root = FieldPath::new("spec");
    let mut errors = Vec::new();
    if let Some(target) = &spec.target_clusters {
        errors.extend(validate_cluster_affinity(
            target,
            &root.child("targetClusters"),
        ));
    }
    for (name, conditions) in [
        ("addOnConditions", &spec.add_on_conditions),
        ("removeOnConditions", &spec.remove_on_conditions),
    ] {
        for (i, condition) in conditions.iter().flatten().enumerate() {
            errors.extend(validate_condition(condition, &root.child(name).index(i)));
        }
    }
    let path = root.child("taints");
    if spec.taints.is_empty() {
        errors.push(FieldError::required(
            &path,
            "at least one taint is required",
        ));
    }
    for (i, taint) in spec.taints.iter().enumerate() {
        let at = path.index(i);
        errors.extend(validate_label_key(&taint.key, &at.child("key")));
        let value = taint.value.as_deref().unwrap_or_default();
        errors.extend(
            label_value_errors(value)
                .into_iter()
                .map(|e| FieldError::invalid(at.child("value"), quoted(value), &e)),
        );
        if !allow_no_execute && taint.effect == TaintEffect::NoExecute {
            errors.push(FieldError::forbidden(
                &at,
                "Configuring taint with NoExecute effect is not allowed, this capability must be explicitly enabled by administrators through command-line flags",
            ));
        }
        let earlier = &spec.taints[..i];
        if earlier
            .iter()
            .any(|t| t.key == taint.key && t.effect == taint.effect)
        {
            errors.push(FieldError::duplicate(
                &at,
                quoted(&format!("{}:{}", taint.key, taint.effect.as_str())),
            ));
        }
    }
    errors
}

fn validate_condition(condition: &MatchCondition, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if condition.condition_type.is_empty() {
        errors.push(FieldError::required(path.child("conditionType"), ""));
    }
    if condition.status_values.is_empty() {
        errors.push(FieldError::required(path.child("statusValues"), ""));
    }
    errors
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn errors(spec: Value, allow_no_execute: bool) -> Vec<(String, String)> {
        let spec: ClusterTaintPolicySpec = serde_json::from_value(spec).expect("a spec");
        validate_taint_policy_spec(&spec, allow_no_execute)
            .into_iter()
            .map(|e| (e.field, e.detail))
            .collect()
    }

    #[test]
    fn a_complete_policy_passes() {
        let spec = json!({
            "targetClusters": {"clusterNames": ["m1"]},
            "addOnConditions": [{"conditionType": "Ready", "operator": "NotIn", "statusValues": ["True"]}],
            "removeOnConditions": [{"conditionType": "Ready", "operator": "In", "statusValues": ["True"]}],
            "taints": [{"key": "cluster.karmada.io/not-ready", "effect": "NoSchedule"},
                       {"key": "cluster.karmada.io/not-ready", "effect": "PreferNoSchedule", "value": "x"}],
        });
        assert_eq!(errors(spec, false), []);
    }

    #[test]
    fn table_of_taint_policy_rules() {
        let taint = |key: &str, effect: &str| json!({"key": key, "effect": effect});
        // (rule, spec, allow NoExecute, field, detail)
        let cases: Vec<(&str, Value, bool, &str, &str)> = vec![
            (
                "at least one taint",
                json!({"taints": []}),
                false,
                "spec.taints",
                "Required value: at least one taint is required",
            ),
            (
                "NoExecute needs the administrator's consent",
                json!({"taints": [taint("k", "NoExecute")]}),
                false,
                "spec.taints[0]",
                "Forbidden: Configuring taint with NoExecute effect is not allowed, this capability must be explicitly enabled by administrators through command-line flags",
            ),
            (
                "one taint per key and effect",
                json!({"taints": [taint("k", "NoExecute"), taint("k", "NoExecute")]}),
                true,
                "spec.taints[1]",
                "Duplicate value: \"k:NoExecute\"",
            ),
            (
                "taint keys are label keys",
                json!({"taints": [taint("a/b/c", "NoSchedule")]}),
                false,
                "spec.taints[0].key",
                "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
            ),
            (
                "taint values are label values",
                json!({"taints": [{"key": "k", "effect": "NoSchedule", "value": "a b"}]}),
                false,
                "spec.taints[0].value",
                "Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
            (
                "condition type required",
                json!({"taints": [taint("k", "NoSchedule")],
                       "addOnConditions": [{"conditionType": "", "operator": "In", "statusValues": ["False"]}]}),
                false,
                "spec.addOnConditions[0].conditionType",
                "Required value",
            ),
            (
                "status values required",
                json!({"taints": [taint("k", "NoSchedule")],
                       "removeOnConditions": [{"conditionType": "Ready", "operator": "In", "statusValues": []}]}),
                false,
                "spec.removeOnConditions[0].statusValues",
                "Required value",
            ),
            (
                "target clusters are a valid affinity",
                json!({"taints": [taint("k", "NoSchedule")],
                       "targetClusters": {"fieldSelector": {"matchExpressions": [{"key": "name", "operator": "In", "values": ["m"]}]}}}),
                false,
                "spec.targetClusters.fieldSelector.matchExpressions[0].key",
                "Unsupported value: \"name\": supported values: \"provider\", \"region\", \"zone\"",
            ),
        ];
        for (rule, spec, allow, field, detail) in cases {
            assert_eq!(
                errors(spec, allow),
                [(field.to_string(), detail.to_string())],
                "{rule}"
            );
        }
    }
}
