//! Validation of the selectors every policy kind uses: cluster affinities (label and field
//! selectors over clusters) and Kubernetes label selectors.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::field_path::FieldPath;
use super::syntax::{label_value_errors, validate_label_key, validate_labels};
use super::v1alpha1::ClusterAffinity;
use crate::validation::{FieldError, quoted};

/// The cluster fields a field selector may match.
const FIELD_SELECTOR_KEYS: [&str; 3] = ["provider", "region", "zone"];
/// The operators a field selector may use.
const FIELD_SELECTOR_OPERATORS: [&str; 2] = ["In", "NotIn"];

/// Validates a cluster affinity: its field selector matches only `provider`, `region` or `zone`
/// with `In` or `NotIn`, and its label selector is a valid label selector.
pub(crate) fn validate_cluster_affinity(
    affinity: &ClusterAffinity,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(selector) = &affinity.label_selector {
        errors.extend(validate_label_selector(
            selector,
            &path.child("labelSelector"),
        ));
    }
    let expressions = affinity
        .field_selector
        .as_ref()
        .and_then(|f| f.match_expressions.as_ref());
    let base = path.child("fieldSelector").child("matchExpressions");
    for (i, expression) in expressions.into_iter().flatten().enumerate() {
        if !FIELD_SELECTOR_KEYS.contains(&expression.key.as_str()) {
            errors.push(FieldError::not_supported(
                base.index(i).child("key"),
                quoted(&expression.key),
                &FIELD_SELECTOR_KEYS,
            ));
        }
        if !FIELD_SELECTOR_OPERATORS.contains(&expression.operator.as_str()) {
            errors.push(FieldError::not_supported(
                base.index(i).child("operator"),
                quoted(&expression.operator),
                &FIELD_SELECTOR_OPERATORS,
            ));
        }
    }
    errors
}

/// Validates a label selector as apimachinery's `ValidateLabelSelector` does.
pub(crate) fn validate_label_selector(
    selector: &LabelSelector,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let expressions = path.child("matchExpressions");
    for (i, requirement) in selector.match_expressions.iter().flatten().enumerate() {
        let at = expressions.index(i);
        let values = requirement.values.as_deref().unwrap_or_default();
        match requirement.operator.as_str() {
            "In" | "NotIn" if values.is_empty() => errors.push(FieldError::required(
                at.child("values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if !values.is_empty() => errors.push(FieldError::forbidden(
                at.child("values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errors.push(FieldError::invalid(
                at.child("operator"),
                quoted(other),
                "not a valid selector operator",
            )),
        }
        errors.extend(validate_label_key(&requirement.key, &at.child("key")));
        for (j, value) in values.iter().enumerate() {
            errors.extend(
                label_value_errors(value)
                    .into_iter()
                    .map(|e| FieldError::invalid(at.child("values").index(j), quoted(value), &e)),
            );
        }
    }
    if let Some(labels) = &selector.match_labels {
        errors.extend(validate_labels(labels, &path.child("matchLabels")));
    }
    errors
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn affinity_errors(affinity: serde_json::Value) -> Vec<(String, String)> {
        let affinity: ClusterAffinity = serde_json::from_value(affinity).unwrap();
        validate_cluster_affinity(&affinity, &FieldPath::new("spec").child("targetCluster"))
            .into_iter()
            .map(|e| (e.field, e.detail))
            .collect()
    }

    #[test]
    fn field_selector_keys_and_operators() {
        assert!(
            affinity_errors(json!({"fieldSelector": {"matchExpressions": [
                {"key": "region", "operator": "In", "values": ["eu"]},
                {"key": "zone", "operator": "NotIn", "values": ["z1"]},
                {"key": "provider", "operator": "In", "values": ["aws"]},
            ]}}))
            .is_empty()
        );
        assert_eq!(
            affinity_errors(json!({"fieldSelector": {"matchExpressions": [
                {"key": "name", "operator": "Exists"},
            ]}})),
            [
                (
                    "spec.targetCluster.fieldSelector.matchExpressions[0].key".to_string(),
                    "Unsupported value: \"name\": supported values: \"provider\", \"region\", \"zone\"".to_string()
                ),
                (
                    "spec.targetCluster.fieldSelector.matchExpressions[0].operator".to_string(),
                    "Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\"".to_string()
                ),
            ]
        );
    }

    #[test]
    fn label_selectors() {
        let cases = [
            (
                json!({"matchExpressions": [{"key": "env", "operator": "In"}]}),
                "spec.targetCluster.labelSelector.matchExpressions[0].values",
                "Required value: must be specified when `operator` is 'In' or 'NotIn'",
            ),
            (
                json!({"matchExpressions": [{"key": "env", "operator": "Exists", "values": ["x"]}]}),
                "spec.targetCluster.labelSelector.matchExpressions[0].values",
                "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
            (
                json!({"matchExpressions": [{"key": "env", "operator": "Gt", "values": ["1"]}]}),
                "spec.targetCluster.labelSelector.matchExpressions[0].operator",
                "Invalid value: \"Gt\": not a valid selector operator",
            ),
            (
                json!({"matchLabels": {"/x": "y"}}),
                "spec.targetCluster.labelSelector.matchLabels",
                "Invalid value: \"/x\": prefix part must be non-empty",
            ),
        ];
        for (selector, field, detail) in cases {
            let errors = affinity_errors(json!({"labelSelector": selector}));
            assert_eq!(
                errors,
                [(field.to_string(), detail.to_string())],
                "{selector}"
            );
        }
        assert!(
            affinity_errors(json!({"labelSelector": {
                "matchLabels": {"karmada.io/env": "prod"},
                "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}],
            }}))
            .is_empty()
        );
    }
}
