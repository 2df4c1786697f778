//! Validation of OverridePolicy and ClusterOverridePolicy specs, as Karmada's validating webhooks
//! (and the constraints of its CRD schema) do it.

use serde_json::Value;

use super::admission::Scope;
use super::field_path::FieldPath;
use super::selector_validation::validate_cluster_affinity;
use super::syntax::{json_pointer_error, validate_annotations, validate_labels};
use super::v1alpha1::{
    CommandArgsOverrider, FieldOverrider, FieldPatchOperation, ImageOverrider, OverrideSpec,
    OverriderOperator, Overriders, PlaintextOverrider, ResourceSelector,
};
use crate::validation::{FieldError, quoted};

/// Validates a (defaulted) OverridePolicy or ClusterOverridePolicy spec.
pub(crate) fn validate_override_spec(spec: &OverrideSpec, scope: Scope<'_>) -> Vec<FieldError> {
    let root = FieldPath::new("spec");
    let mut errors = Vec::new();
    if let Some(selectors) = &spec.resource_selectors {
        errors.extend(validate_selectors(
            selectors,
            scope,
            &root.child("resourceSelectors"),
        ));
    }
    if let Some(target) = &spec.target_cluster {
        let path = root.child("targetCluster");
        if spec.override_rules.is_some() {
            errors.push(FieldError::forbidden(
                &path,
                "overrideRules and targetCluster can't co-exist",
            ));
        }
        errors.extend(validate_cluster_affinity(target, &path));
    }
    if let Some(overriders) = &spec.overriders {
        let path = root.child("overriders");
        if spec.override_rules.is_some() && !overriders.is_empty() {
            errors.push(FieldError::forbidden(
                &path,
                "overrideRules and overriders can't co-exist",
            ));
        }
        errors.extend(validate_overriders(overriders, &path));
    }
    for (i, rule) in spec.override_rules.iter().flatten().enumerate() {
        let path = root.child("overrideRules").index(i);
        if let Some(target) = &rule.target_cluster {
            errors.extend(validate_cluster_affinity(
                target,
                &path.child("targetCluster"),
            ));
        }
        errors.extend(validate_overriders(
            &rule.overriders,
            &path.child("overriders"),
        ));
    }
    errors
}

fn validate_selectors(
    selectors: &[ResourceSelector],
    scope: Scope<'_>,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, selector) in selectors.iter().enumerate() {
        let at = path.index(i);
        if selector.api_version.is_empty() {
            errors.push(FieldError::required(at.child("apiVersion"), ""));
        }
        if selector.kind.is_empty() {
            errors.push(FieldError::required(at.child("kind"), ""));
        }
        if let Scope::Namespaced(namespace) = scope
            && !namespace.is_empty()
            && selector.namespace() != namespace
        {
            errors.push(FieldError::invalid(
                at.child("namespace"),
                quoted(selector.namespace()),
                "namespace of resource selector must be the same as the namespace of the policy",
            ));
        }
    }
    errors
}

/// Validates every overrider of a rule (or of the deprecated top-level `overriders`).
fn validate_overriders(overriders: &Overriders, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, plaintext) in overriders.plaintext.iter().flatten().enumerate() {
        errors.extend(validate_plaintext(
            plaintext,
            &path.child("plaintext").index(i),
        ));
    }
    for (i, image) in overriders.image_overrider.iter().flatten().enumerate() {
        errors.extend(validate_image(
            image,
            &path.child("imageOverrider").index(i),
        ));
    }
    for (name, list) in [
        ("commandOverrider", &overriders.command_overrider),
        ("argsOverrider", &overriders.args_overrider),
    ] {
        for (i, overrider) in list.iter().flatten().enumerate() {
            errors.extend(validate_command_args(overrider, &path.child(name).index(i)));
        }
    }
    for (i, labels) in overriders.labels_overrider.iter().flatten().enumerate() {
        let at = path.child("labelsOverrider").index(i).child("value");
        errors.extend(validate_labels(&labels.value, &at));
    }
    for (i, annotations) in overriders
        .annotations_overrider
        .iter()
        .flatten()
        .enumerate()
    {
        let at = path.child("annotationsOverrider").index(i).child("value");
        errors.extend(validate_annotations(&annotations.value, &at));
    }
    for (i, field) in overriders.field_overrider.iter().flatten().enumerate() {
        errors.extend(validate_field_overrider(
            field,
            &path.child("fieldOverrider").index(i),
        ));
    }
    errors
}

/// A JSON patch on the object: a pointer into it, and a value for `add` and `replace`.
fn validate_plaintext(plaintext: &PlaintextOverrider, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(why) = json_pointer_error(&plaintext.path, false) {
        errors.push(FieldError::invalid(
            path.child("path"),
            quoted(&plaintext.path),
            &why,
        ));
    }
    let needs_value = plaintext.operator != OverriderOperator::Remove;
    if needs_value && plaintext.value.is_none() {
        errors.push(FieldError::required(
            path.child("value"),
            "value is required for add or replace operation",
        ));
    }
    errors
}

fn validate_image(image: &ImageOverrider, path: &FieldPath) -> Vec<FieldError> {
    let Some(predicate) = &image.predicate else {
        return Vec::new();
    };
    json_pointer_error(&predicate.path, true)
        .map(|why| {
            FieldError::invalid(
                path.child("predicate").child("path"),
                quoted(&predicate.path),
                &why,
            )
        })
        .into_iter()
        .collect()
}

fn validate_command_args(overrider: &CommandArgsOverrider, path: &FieldPath) -> Vec<FieldError> {
    if overrider.container_name.is_empty() {
        return vec![FieldError::required(path.child("containerName"), "")];
    }
    Vec::new()
}

fn validate_field_overrider(overrider: &FieldOverrider, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let json = overrider.json.as_deref().unwrap_or_default();
    let yaml = overrider.yaml.as_deref().unwrap_or_default();
    match (json.is_empty(), yaml.is_empty()) {
        (false, false) => errors.push(FieldError::forbidden(
            path.child("yaml"),
            "FieldOverrider has both YAML and JSON set. Only one is allowed",
        )),
        (true, true) => errors.push(FieldError::required(
            path,
            "FieldOverrider must have either JSON or YAML set",
        )),
        _ => {}
    }
    if let Some(why) = json_pointer_error(&overrider.field_path, false) {
        errors.push(FieldError::invalid(
            path.child("fieldPath"),
            quoted(&overrider.field_path),
            &why,
        ));
    }
    for (name, operations) in [("json", json), ("yaml", yaml)] {
        for (i, operation) in operations.iter().enumerate() {
            errors.extend(validate_patch_operation(
                operation,
                &path.child(name).index(i),
            ));
        }
    }
    errors
}

/// A sub-path inside the embedded document, and a value exactly when the operator needs one.
fn validate_patch_operation(operation: &FieldPatchOperation, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(why) = json_pointer_error(&operation.sub_path, true) {
        errors.push(FieldError::invalid(
            path.child("subPath"),
            quoted(&operation.sub_path),
            &why,
        ));
    }
    match (operation.operator, &operation.value) {
        (OverriderOperator::Add | OverriderOperator::Replace, None) => {
            errors.push(FieldError::required(
                path.child("value"),
                "value is required for add or replace operation",
            ))
        }
        (OverriderOperator::Remove, Some(value)) => errors.push(FieldError::invalid(
            path.child("value"),
            render(value),
            "value is not allowed for remove operation",
        )),
        _ => {}
    }
    errors
}

fn render(value: &Value) -> String {
    match value {
        Value::String(s) => quoted(s),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::policy::defaults::default_override_spec;

    fn errors(spec: Value, scope: Scope<'_>) -> Vec<(String, String)> {
        let mut typed: OverrideSpec = serde_json::from_value(spec).expect("a spec");
        default_override_spec(&mut typed, scope);
        validate_override_spec(&typed, scope)
            .into_iter()
            .map(|e| (e.field, e.detail))
            .collect()
    }

    const NS: Scope<'static> = Scope::Namespaced("ns1");

    fn rule(overriders: Value) -> Value {
        json!({"overrideRules": [{"targetCluster": {"clusterNames": ["m1"]}, "overriders": overriders}]})
    }

    #[test]
    fn every_overrider_kind_passes_when_valid() {
        let spec = json!({
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "overrideRules": [{"targetCluster": {"clusterNames": ["m1"]}, "overriders": {
                "plaintext": [{"path": "/spec/replicas", "operator": "replace", "value": 3},
                              {"path": "/metadata/annotations/a~1b", "operator": "remove"},
                              {"path": "/spec/paused", "operator": "add", "value": null}],
                "imageOverrider": [{"component": "Registry", "operator": "replace", "value": "r.example"},
                                   {"predicate": {"path": "/spec/template/spec/containers/0/image"},
                                    "component": "Tag", "operator": "remove"}],
                "commandOverrider": [{"containerName": "c", "operator": "add", "value": ["--v=2"]}],
                "argsOverrider": [{"containerName": "c", "operator": "remove", "value": ["--x"]}],
                "labelsOverrider": [{"operator": "add", "value": {"karmada.io/cluster": "m1"}}],
                "annotationsOverrider": [{"operator": "remove", "value": {"note": ""}}],
                "fieldOverrider": [
                    {"fieldPath": "/data/config.json", "json": [{"subPath": "/a", "operator": "add", "value": {"b": 1}}]},
                    {"fieldPath": "/data/config.yaml", "yaml": [{"subPath": "/a", "operator": "remove"}]}],
            }}],
        });
        assert_eq!(errors(spec.clone(), NS), []);
        assert_eq!(errors(spec, Scope::Cluster), []);
        assert_eq!(
            errors(json!({}), NS),
            [],
            "an empty policy overrides nothing"
        );
    }

    #[test]
    fn table_of_override_rules() {
        // (rule, spec, field, detail)
        let cases: Vec<(&str, Value, &str, &str)> = vec![
            (
                "selector namespace is the policy's",
                json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "other"}]}),
                "spec.resourceSelectors[0].namespace",
                "Invalid value: \"other\": namespace of resource selector must be the same as the namespace of the policy",
            ),
            (
                "selector kind required",
                json!({"resourceSelectors": [{"apiVersion": "v1", "kind": ""}]}),
                "spec.resourceSelectors[0].kind",
                "Required value",
            ),
            (
                "deprecated target cluster and rules",
                json!({"targetCluster": {"clusterNames": ["m1"]}, "overrideRules": []}),
                "spec.targetCluster",
                "Forbidden: overrideRules and targetCluster can't co-exist",
            ),
            (
                "deprecated overriders and rules",
                json!({"overriders": {"labelsOverrider": [{"operator": "add", "value": {"a": "b"}}]}, "overrideRules": []}),
                "spec.overriders",
                "Forbidden: overrideRules and overriders can't co-exist",
            ),
            (
                "deprecated target cluster is a valid affinity",
                json!({"targetCluster": {"fieldSelector": {"matchExpressions": [{"key": "zone", "operator": "Gt", "values": ["1"]}]}}}),
                "spec.targetCluster.fieldSelector.matchExpressions[0].operator",
                "Unsupported value: \"Gt\": supported values: \"In\", \"NotIn\"",
            ),
            (
                "rule target cluster is a valid affinity",
                json!({"overrideRules": [{"targetCluster": {"fieldSelector": {"matchExpressions": [{"key": "name", "operator": "In", "values": ["m"]}]}}, "overriders": {}}]}),
                "spec.overrideRules[0].targetCluster.fieldSelector.matchExpressions[0].key",
                "Unsupported value: \"name\": supported values: \"provider\", \"region\", \"zone\"",
            ),
            (
                "plaintext path is a pointer",
                rule(
                    json!({"plaintext": [{"path": "spec/replicas", "operator": "replace", "value": 1}]}),
                ),
                "spec.overrideRules[0].overriders.plaintext[0].path",
                "Invalid value: \"spec/replicas\": must be a JSON pointer starting with \"/\"",
            ),
            (
                "plaintext path is not empty",
                rule(json!({"plaintext": [{"path": "", "operator": "remove"}]})),
                "spec.overrideRules[0].overriders.plaintext[0].path",
                "Invalid value: \"\": must be a JSON pointer starting with \"/\"",
            ),
            (
                "plaintext add needs a value",
                rule(json!({"plaintext": [{"path": "/spec/x", "operator": "add"}]})),
                "spec.overrideRules[0].overriders.plaintext[0].value",
                "Required value: value is required for add or replace operation",
            ),
            (
                "plaintext replace needs a value",
                json!({"overriders": {"plaintext": [{"path": "/spec/x", "operator": "replace"}]}}),
                "spec.overriders.plaintext[0].value",
                "Required value: value is required for add or replace operation",
            ),
            (
                "image predicate path is a pointer",
                rule(
                    json!({"imageOverrider": [{"predicate": {"path": "spec"}, "component": "Tag", "operator": "replace", "value": "v1"}]}),
                ),
                "spec.overrideRules[0].overriders.imageOverrider[0].predicate.path",
                "Invalid value: \"spec\": JSON pointer must be empty or start with a \"/\"",
            ),
            (
                "command container name required",
                rule(
                    json!({"commandOverrider": [{"containerName": "", "operator": "add", "value": ["a"]}]}),
                ),
                "spec.overrideRules[0].overriders.commandOverrider[0].containerName",
                "Required value",
            ),
            (
                "args container name required",
                rule(json!({"argsOverrider": [{"containerName": "", "operator": "remove"}]})),
                "spec.overrideRules[0].overriders.argsOverrider[0].containerName",
                "Required value",
            ),
            (
                "labels are valid labels",
                rule(json!({"labelsOverrider": [{"operator": "replace", "value": {"app": "-x"}}]})),
                "spec.overrideRules[0].overriders.labelsOverrider[0].value",
                "Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ),
            (
                "annotation keys are qualified names",
                rule(json!({"annotationsOverrider": [{"operator": "add", "value": {"a b": "x"}}]})),
                "spec.overrideRules[0].overriders.annotationsOverrider[0].value",
                "Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ),
            (
                "field overrider json or yaml",
                rule(json!({"fieldOverrider": [{"fieldPath": "/data/x",
                    "json": [{"subPath": "/a", "operator": "remove"}], "yaml": [{"subPath": "/a", "operator": "remove"}]}]})),
                "spec.overrideRules[0].overriders.fieldOverrider[0].yaml",
                "Forbidden: FieldOverrider has both YAML and JSON set. Only one is allowed",
            ),
            (
                "field overrider needs operations",
                rule(json!({"fieldOverrider": [{"fieldPath": "/data/x"}]})),
                "spec.overrideRules[0].overriders.fieldOverrider[0]",
                "Required value: FieldOverrider must have either JSON or YAML set",
            ),
            (
                "field path is a pointer",
                rule(
                    json!({"fieldOverrider": [{"fieldPath": "data", "json": [{"subPath": "/a", "operator": "remove"}]}]}),
                ),
                "spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath",
                "Invalid value: \"data\": must be a JSON pointer starting with \"/\"",
            ),
            (
                "sub path is a pointer",
                rule(
                    json!({"fieldOverrider": [{"fieldPath": "/data/x", "yaml": [{"subPath": "a", "operator": "remove"}]}]}),
                ),
                "spec.overrideRules[0].overriders.fieldOverrider[0].yaml[0].subPath",
                "Invalid value: \"a\": JSON pointer must be empty or start with a \"/\"",
            ),
            (
                "field add needs a value",
                rule(
                    json!({"fieldOverrider": [{"fieldPath": "/data/x", "json": [{"subPath": "/a", "operator": "add"}]}]}),
                ),
                "spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value",
                "Required value: value is required for add or replace operation",
            ),
            (
                "field remove takes no value",
                rule(
                    json!({"fieldOverrider": [{"fieldPath": "/data/x", "json": [{"subPath": "/a", "operator": "remove", "value": "v"}]}]}),
                ),
                "spec.overrideRules[0].overriders.fieldOverrider[0].json[0].value",
                "Invalid value: \"v\": value is not allowed for remove operation",
            ),
        ];
        for (rule, spec, field, detail) in cases {
            assert_eq!(
                errors(spec, NS),
                [(field.to_string(), detail.to_string())],
                "{rule}"
            );
        }
    }

    #[test]
    fn cluster_override_policies_select_any_namespace() {
        let spec = json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "other"}]});
        assert_eq!(errors(spec, Scope::Cluster), []);
    }
}
