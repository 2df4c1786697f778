//! Karmada-shaped objects of every kind with every field set, and the checks the round-trip tests
//! run on them: the JSON survives decoding and encoding unchanged, and it covers every property of
//! the kind's CRD schema (so a field added to the types without a fixture fails the test).

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A label selector using both matchLabels and matchExpressions.
pub fn label_selector() -> Value {
    json!({
        "matchLabels": {"env": "prod"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}],
    })
}

/// A cluster affinity with every filter.
pub fn cluster_affinity() -> Value {
    json!({
        "labelSelector": label_selector(),
        "fieldSelector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["eu-west-1"]}]},
        "clusterNames": ["member1", "member2"],
        "exclude": ["member3"],
    })
}

/// `affinity` with `extra` fields merged in (Karmada inlines ClusterAffinity in affinity terms).
fn with_affinity(extra: Value) -> Value {
    let mut object = cluster_affinity();
    for (key, value) in extra.as_object().expect("an object") {
        object[key] = value.clone();
    }
    object
}

fn state_preservation() -> Value {
    json!({"rules": [{"aliasLabelName": "failover.karmada.io/replicas", "jsonPath": "{.replicas}"}]})
}

/// A PropagationSpec with every field set.
pub fn propagation_spec() -> Value {
    json!({
        "resourceSelectors": [{
            "apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "nginx",
            "labelSelector": label_selector(),
        }],
        "association": false,
        "propagateDeps": true,
        "placement": {
            "clusterAffinity": cluster_affinity(),
            "clusterAffinities": [with_affinity(json!({
                "affinityName": "primary",
                "overflowAffinities": [with_affinity(json!({"affinityName": "burst"}))],
            }))],
            "clusterTolerations": [{
                "key": "cluster.karmada.io/not-ready", "operator": "Equal", "value": "true",
                "effect": "NoExecute", "tolerationSeconds": 300,
            }],
            "spreadConstraints": [
                {"spreadByField": "cluster", "maxGroups": 3, "minGroups": 1},
                {"spreadByLabel": "topology.example.com/rack", "maxGroups": 2, "minGroups": 0},
            ],
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {
                    "staticWeightList": [{"targetCluster": cluster_affinity(), "weight": 2}],
                    "dynamicWeight": "AvailableReplicas",
                },
            },
            "workloadAffinity": {
                "affinity": {"groupByLabelKey": "app.example.com/group"},
                "antiAffinity": {"groupByLabelKey": "app.example.com/replica-set"},
            },
        },
        "priority": 10,
        "preemption": "Always",
        "dependentOverrides": ["nginx-images"],
        "schedulerName": "default-scheduler",
        "failover": {
            "application": {
                "decisionConditions": {"tolerationSeconds": 120},
                "purgeMode": "Gracefully",
                "gracePeriodSeconds": 600,
                "statePreservation": state_preservation(),
            },
            "cluster": {"purgeMode": "Directly", "statePreservation": state_preservation()},
        },
        "conflictResolution": "Overwrite",
        "activationPreference": "Lazy",
        "suspension": {"dispatching": false, "dispatchingOnClusters": {"clusterNames": ["member2"]}},
        "preserveResourcesOnDeletion": true,
        "schedulePriority": {"priorityClassSource": "KubePriorityClass", "priorityClassName": "high"},
    })
}

/// Overriders of every kind, each operation represented.
pub fn overriders() -> Value {
    json!({
        "plaintext": [
            {"path": "/spec/replicas", "operator": "replace", "value": 3},
            {"path": "/metadata/annotations/example.com~1note", "operator": "add", "value": {"nested": [1, "two"]}},
            {"path": "/spec/paused", "operator": "remove"},
        ],
        "imageOverrider": [
            {"component": "Registry", "operator": "replace", "value": "registry.example"},
            {"predicate": {"path": "/spec/template/spec/containers/0/image"}, "component": "Tag", "operator": "add", "value": "-debug"},
            {"component": "Repository", "operator": "remove"},
        ],
        "commandOverrider": [{"containerName": "nginx", "operator": "add", "value": ["--verbose"]}],
        "argsOverrider": [{"containerName": "nginx", "operator": "remove", "value": ["--quiet"]}],
        "labelsOverrider": [{"operator": "add", "value": {"cluster": "member1"}}],
        "annotationsOverrider": [{"operator": "replace", "value": {"owner": "team-a"}}],
        "fieldOverrider": [
            {"fieldPath": "/data/config.json", "json": [{"subPath": "/db/host", "operator": "replace", "value": "db.member1"}]},
            {"fieldPath": "/data/config.yaml", "yaml": [{"subPath": "/db/port", "operator": "add", "value": 5432},
                                                        {"subPath": "/db/debug", "operator": "remove"}]},
        ],
    })
}

/// An OverrideSpec with every field set (the deprecated fields too, though validation refuses
/// them next to `overrideRules`).
pub fn override_spec() -> Value {
    json!({
        "resourceSelectors": [{
            "apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "nginx",
            "labelSelector": label_selector(),
        }],
        "overrideRules": [{"targetCluster": cluster_affinity(), "overriders": overriders()}],
        "targetCluster": cluster_affinity(),
        "overriders": overriders(),
    })
}

/// A whole object of `kind`.
pub fn object(kind: &str, namespace: Option<&str>, spec: Value) -> Value {
    let mut metadata = json!({
        "name": "sample",
        "labels": {"app": "nginx"},
        "annotations": {"note": "kept"},
        "uid": "3c0f0a4e-0000-4000-8000-000000000000",
        "resourceVersion": "7",
        "creationTimestamp": "2026-01-02T03:04:05Z",
    });
    if let Some(namespace) = namespace {
        metadata["namespace"] = json!(namespace);
    }
    json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": kind, "metadata": metadata, "spec": spec})
}

/// Decodes `object` as `K`, encodes it again and asserts nothing changed; returns the decoded value.
pub fn assert_round_trip<K: DeserializeOwned + Serialize>(object: &Value) -> K {
    let typed: K = serde_json::from_value(object.clone()).expect("the object decodes");
    let encoded = serde_json::to_value(&typed).expect("the object encodes");
    assert_eq!(&encoded, object, "the round trip changed the object");
    typed
}

/// Asserts `object` sets every property of the schema of CRD `crd_name` (as generated by
/// [`crate::policy::crds`]); maps and preserved values count as leaves.
pub fn assert_covers_schema(crd_name: &str, object: &Value) {
    let crd = crate::policy::crds()
        .into_iter()
        .find(|c| c.metadata.name.as_deref() == Some(crd_name))
        .expect("a CRD of this group");
    let schema = serde_json::to_value(&crd.spec.versions[0].schema).expect("JSON");
    let mut wanted = BTreeSet::new();
    schema_paths(&schema["openAPIV3Schema"], "", &mut wanted);
    let mut present = BTreeSet::new();
    value_paths(object, "", &mut present);
    let missing: Vec<&String> = wanted.difference(&present).collect();
    assert!(
        missing.is_empty(),
        "{crd_name}: the fixture lacks {missing:?}"
    );
}

fn schema_paths(schema: &Value, path: &str, out: &mut BTreeSet<String>) {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, child) in properties {
            let child_path = format!("{path}.{name}");
            out.insert(child_path.clone());
            schema_paths(child, &child_path, out);
        }
    }
    if let Some(items) = schema.get("items") {
        schema_paths(items, &format!("{path}[]"), out);
    }
}

fn value_paths(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (name, child) in map {
                let child_path = format!("{path}.{name}");
                out.insert(child_path.clone());
                value_paths(child, &child_path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                value_paths(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}
