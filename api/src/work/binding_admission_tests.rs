use serde_json::{Value, json};

use crate::validation::{ErrorKind, FieldError};
use crate::work::admit_with;

fn new_id() -> String {
    "11111111-2222-4333-8444-555555555555".to_string()
}

fn binding(kind: &str, spec: Value) -> Value {
    let mut metadata = json!({"name": "web-deployment"});
    if kind == "ResourceBinding" {
        metadata["namespace"] = json!("default");
    }
    json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": kind,
        "metadata": metadata,
        "spec": spec,
    })
}

fn resource() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "web"})
}

fn admit(object: &mut Value, old: Option<&Value>) -> Result<(), Vec<FieldError>> {
    let kind = object["kind"].as_str().unwrap().to_string();
    admit_with("v1alpha2", &kind, object, old, &new_id).expect("a binding kind")
}

/// The errors of `spec` admitted as a ResourceBinding update, as `(field, detail)`.
fn errors_of(spec: Value) -> Vec<(String, String)> {
    let mut object = binding("ResourceBinding", spec);
    match admit(&mut object, Some(&json!({}))) {
        Ok(()) => vec![],
        Err(errs) => errs.into_iter().map(|e| (e.field, e.detail)).collect(),
    }
}

fn pairs(want: &[(&str, &str)]) -> Vec<(String, String)> {
    want.iter()
        .map(|(f, d)| (f.to_string(), d.to_string()))
        .collect()
}

#[test]
fn other_versions_and_kinds_are_not_ours() {
    let mut object = json!({});
    assert!(admit_with("v1alpha1", "ResourceBinding", &mut object, None, &new_id).is_none());
    assert!(admit_with("v1alpha2", "Binding", &mut object, None, &new_id).is_none());
}

#[test]
fn binding_created_without_permanent_id_gets_one() {
    for (kind, label) in [
        ("ResourceBinding", "resourcebinding.karmada.io/permanent-id"),
        (
            "ClusterResourceBinding",
            "clusterresourcebinding.karmada.io/permanent-id",
        ),
    ] {
        let mut object = binding(kind, json!({"resource": resource()}));
        object["metadata"]["labels"] = json!({"app": "web", label: ""});
        admit(&mut object, None).unwrap();
        assert_eq!(
            object["metadata"]["labels"],
            json!({"app": "web", label: new_id()}),
            "{kind}"
        );
    }
}

#[test]
fn binding_keeps_its_permanent_id() {
    let label = "resourcebinding.karmada.io/permanent-id";
    let mut object = binding("ResourceBinding", json!({"resource": resource()}));
    object["metadata"]["labels"] = json!({label: "existing"});
    admit(&mut object, None).unwrap();
    assert_eq!(object["metadata"]["labels"][label], "existing");
}

#[test]
fn binding_update_gets_no_permanent_id() {
    let mut object = binding("ResourceBinding", json!({"resource": resource()}));
    admit(&mut object, Some(&json!({}))).unwrap();
    assert_eq!(object["metadata"].get("labels"), None);
}

#[test]
fn schema_defaults_are_applied() {
    let mut object = binding(
        "ClusterResourceBinding",
        json!({
            "resource": resource(),
            "schedulePriority": {},
            "placement": {"replicaScheduling": {}},
            "failover": {"application": {"decisionConditions": {}}, "cluster": {}},
        }),
    );
    admit(&mut object, Some(&json!({}))).unwrap();
    let spec = &object["spec"];
    assert_eq!(spec["conflictResolution"], "Abort");
    assert_eq!(spec["schedulePriority"], json!({"priority": 0}));
    assert_eq!(
        spec["placement"]["replicaScheduling"]["replicaSchedulingType"],
        "Divided"
    );
    assert_eq!(spec["failover"]["application"]["purgeMode"], "Gracefully");
    assert_eq!(
        spec["failover"]["application"]["decisionConditions"]["tolerationSeconds"],
        300
    );
    assert_eq!(spec["failover"]["cluster"]["purgeMode"], "Gracefully");
}

#[test]
fn given_conflict_resolution_is_kept() {
    let mut object = binding(
        "ResourceBinding",
        json!({"resource": resource(), "conflictResolution": "Overwrite"}),
    );
    admit(&mut object, None).unwrap();
    assert_eq!(object["spec"]["conflictResolution"], "Overwrite");
}

#[test]
fn resource_reference_needs_api_version_kind_and_name() {
    assert_eq!(
        errors_of(json!({"resource": {"apiVersion": "", "kind": "", "name": ""}})),
        pairs(&[
            ("spec.resource.apiVersion", "Required value"),
            ("spec.resource.kind", "Required value"),
            ("spec.resource.name", "Required value"),
        ])
    );
    assert_eq!(
        errors_of(json!({"resource": {"apiVersion": "v1", "kind": "ConfigMap"}})),
        pairs(&[("spec.resource.name", "Required value")])
    );
    assert_eq!(
        errors_of(json!({})),
        pairs(&[("spec.resource", "Required value")])
    );
}

#[test]
fn replica_counts_are_not_negative() {
    assert_eq!(
        errors_of(json!({
            "resource": resource(),
            "replicas": -1,
            "clusters": [{"name": "member1", "replicas": -2}],
            "components": [{"name": "a", "replicas": -3}],
        })),
        pairs(&[
            (
                "spec.replicas",
                "Invalid value: -1: must be greater than or equal to 0"
            ),
            (
                "spec.components[0].replicas",
                "Invalid value: -3: must be greater than or equal to 0"
            ),
            (
                "spec.clusters[0].replicas",
                "Invalid value: -2: must be greater than or equal to 0"
            ),
        ])
    );
}

#[test]
fn target_clusters_are_named_and_unique() {
    let errs = {
        let mut object = binding(
            "ResourceBinding",
            json!({"resource": resource(), "clusters": [
                {"name": "member1", "replicas": 1},
                {"name": ""},
                {"name": "member1", "replicas": 2},
            ]}),
        );
        admit(&mut object, None).unwrap_err()
    };
    let got: Vec<(&str, ErrorKind, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.kind, e.detail.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "spec.clusters[1].name",
                ErrorKind::Required,
                "Required value"
            ),
            (
                "spec.clusters[2].name",
                ErrorKind::Duplicate,
                "Duplicate value: \"member1\""
            ),
        ]
    );
}

#[test]
fn component_names_are_non_empty_and_unique() {
    assert_eq!(
        errors_of(json!({"resource": resource(), "components": [
            {"name": "leader", "replicas": 1},
            {"name": "", "replicas": 1},
            {"name": "leader", "replicas": 2},
        ]})),
        pairs(&[
            (
                "spec.components[1].name",
                "Invalid value: \"\": component names must be non-empty"
            ),
            (
                "spec.components[2].name",
                "Invalid value: \"leader\": component names must be unique"
            ),
        ])
    );
}

#[test]
fn dependencies_annotation_must_be_a_json_list() {
    let cases = [
        ("[]", true),
        ("null", true),
        (
            r#"[{"apiVersion":"v1","kind":"ConfigMap","namespace":"default","name":"cm"}]"#,
            true,
        ),
        (
            r#"[{"apiVersion":"v1","kind":"Secret","labelSelector":{"matchLabels":{"a":"b"}}}]"#,
            true,
        ),
        ("not json", false),
        (r#"{"apiVersion":"v1"}"#, false),
        (r#"[{"name": 1}]"#, false),
        ("[1]", false),
    ];
    let key = "resourcebinding.karmada.io/dependencies";
    for (value, ok) in cases {
        let mut object = binding("ResourceBinding", json!({"resource": resource()}));
        object["metadata"]["annotations"] = json!({key: value});
        match (admit(&mut object, Some(&json!({}))), ok) {
            (Ok(()), true) => {}
            (Err(errs), false) => {
                assert_eq!(errs.len(), 1, "{value}");
                assert_eq!(errs[0].field, format!("metadata.annotations.{key}"));
                assert_eq!(
                    errs[0].detail,
                    format!(
                        "Invalid value: {}: annotation value must be a valid JSON",
                        serde_json::to_string(value).unwrap()
                    )
                );
            }
            (result, _) => panic!("{value}: {result:?}"),
        }
    }
}

#[test]
fn decode_errors_name_the_field() {
    assert_eq!(
        errors_of(
            json!({"resource": resource(), "gracefulEvictionTasks": [{"fromCluster": "m", "reason": "R", "producer": "p", "purgeMode": "Sometimes"}]})
        ),
        pairs(&[(
            "spec.gracefulEvictionTasks[0].purgeMode",
            "Unsupported value: \"Sometimes\": supported values: \"Directly\", \"Gracefully\", \"Never\""
        )])
    );
}

#[test]
fn invalid_binding_is_left_untouched() {
    let mut object = binding(
        "ResourceBinding",
        json!({"resource": resource(), "replicas": -1}),
    );
    let before = object.clone();
    assert!(admit(&mut object, None).is_err());
    assert_eq!(object, before);
}
