//! The objects of the round trip: valid PropagationPolicy / OverridePolicy specs written by hand so
//! that, together, they set every field of Karmada's schemas, and the every-field ResourceBinding,
//! Work and Cluster fixtures of the api crate.

use serde_json::{Value, json};

/// A PP/CPP spec setting every field except `clusterAffinities` (which cannot co-exist with
/// `clusterAffinity`). `namespace` is the namespace its selectors select: the policy's own for a
/// PropagationPolicy.
pub fn propagation_every_field(namespace: &str) -> Value {
    json!({
        "resourceSelectors": [{
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "namespace": namespace,
            // Preemption Always needs named selectors.
            "name": "nginx",
            "labelSelector": {
                "matchLabels": {"app": "nginx"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]
            }
        }],
        "propagateDeps": true,
        "placement": {
            "clusterAffinity": affinity("member1", "zone"),
            "clusterTolerations": [{
                "key": "cluster.karmada.io/not-ready",
                "operator": "Equal",
                "value": "yes",
                "effect": "NoExecute",
                "tolerationSeconds": 300
            }],
            "spreadConstraints": [
                {"spreadByField": "cluster", "maxGroups": 3, "minGroups": 1},
                {"spreadByLabel": "topology.example.io/rack", "maxGroups": 2, "minGroups": 1}
            ],
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {
                    "staticWeightList": [
                        {"targetCluster": affinity("member1", "region"), "weight": 2},
                        {"targetCluster": {"clusterNames": ["member2"]}, "weight": 1}
                    ]
                }
            },
            "workloadAffinity": {
                "affinity": {"groupByLabelKey": "app.example.io/group"},
                "antiAffinity": {"groupByLabelKey": "app.example.io/anti-group"}
            }
        },
        "priority": 7,
        "preemption": "Always",
        "dependentOverrides": ["nginx-override", "nginx-cluster-override"],
        "schedulerName": "custom-scheduler",
        "failover": {
            "application": {
                "decisionConditions": {"tolerationSeconds": 120},
                "purgeMode": "Gracefully",
                "gracePeriodSeconds": 900,
                "statePreservation": {"rules": [
                    {"aliasLabelName": "failover.example.io/replicas", "jsonPath": "{ .replicas }"}
                ]}
            },
            "cluster": {
                "purgeMode": "Directly",
                "statePreservation": {"rules": [
                    {"aliasLabelName": "failover.example.io/ready", "jsonPath": "{ .readyReplicas }"}
                ]}
            }
        },
        "conflictResolution": "Overwrite",
        "activationPreference": "Lazy",
        "suspension": {
            // `dispatching: true` cannot co-exist with cluster names; false can.
            "dispatching": false,
            "dispatchingOnClusters": {"clusterNames": ["member2"]}
        },
        "preserveResourcesOnDeletion": true,
        "schedulePriority": {
            "priorityClassSource": "KubePriorityClass",
            "priorityClassName": "high-priority"
        },
        "association": true
    })
}

/// A PP/CPP spec with `clusterAffinities` (and their overflow tiers, which need dynamic weights),
/// leaving the rest to the server's defaults (see `propagation_defaults`).
pub fn propagation_affinities() -> Value {
    let mut primary = affinity("member1", "provider");
    primary["affinityName"] = json!("primary");
    let mut burst = affinity("member3", "region");
    burst["affinityName"] = json!("burst");
    primary["overflowAffinities"] = json!([burst]);
    let mut backup = affinity("member2", "zone");
    backup["affinityName"] = json!("backup");
    json!({
        "resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap"}],
        "placement": {
            "clusterAffinities": [primary, backup],
            "spreadConstraints": [{"maxGroups": 2}],
            "replicaScheduling": {
                "replicaSchedulingType": "Divided",
                "replicaDivisionPreference": "Weighted",
                "weightPreference": {"dynamicWeight": "AvailableReplicas"}
            }
        }
    })
}

/// What the server adds to [`propagation_affinities`]: the schema defaults and Karmada's mutating
/// webhook (spread by cluster with at least one group; a namespaced policy's selectors select in
/// its namespace).
pub fn propagation_defaults(namespace: Option<&str>) -> Vec<(&'static str, Option<Value>)> {
    let mut added = vec![
        ("/priority", Some(json!(0))),
        ("/preemption", Some(json!("Never"))),
        ("/conflictResolution", Some(json!("Abort"))),
        ("/schedulerName", Some(json!("default-scheduler"))),
        (
            "/placement/spreadConstraints/0/spreadByField",
            Some(json!("cluster")),
        ),
        ("/placement/spreadConstraints/0/minGroups", Some(json!(1))),
    ];
    if let Some(namespace) = namespace {
        added.push(("/resourceSelectors/0/namespace", Some(json!(namespace))));
    }
    added
}

/// Every overrider, valid (JSON pointers start with '/', `remove` has no value, one of json/yaml).
fn overriders() -> Value {
    json!({
        "plaintext": [
            {"path": "/spec/replicas", "operator": "replace", "value": 3},
            {
                "path": "/spec/template/metadata/annotations",
                "operator": "add",
                "value": {"example.io/a": "b", "nested": [1, {"deep": true, "none": null}]}
            },
            {"path": "/metadata/labels/obsolete", "operator": "remove"}
        ],
        "imageOverrider": [{
            "predicate": {"path": "/spec/template/spec/containers/0/image"},
            "component": "Registry",
            "operator": "replace",
            "value": "registry.example.com"
        }],
        "commandOverrider": [{"containerName": "nginx", "operator": "add", "value": ["--verbose"]}],
        "argsOverrider": [{"containerName": "nginx", "operator": "remove", "value": ["--debug"]}],
        "labelsOverrider": [{"operator": "add", "value": {"env": "prod"}}],
        "annotationsOverrider": [{"operator": "replace", "value": {"example.io/note": "overridden"}}],
        "fieldOverrider": [
            {
                "fieldPath": "/data/config.json",
                "json": [
                    {"subPath": "/db/host", "operator": "replace", "value": "db.member1"},
                    {"subPath": "/db/options", "operator": "add", "value": {"tls": true, "pool": [1, 2]}}
                ]
            },
            {
                "fieldPath": "/data/config.yaml",
                "yaml": [
                    {"subPath": "/db/port", "operator": "add", "value": 5432},
                    {"subPath": "/db/debug", "operator": "remove"}
                ]
            }
        ]
    })
}

/// An OP/COP spec with the deprecated top-level `targetCluster` and `overriders`.
pub fn override_top_level(namespace: &str) -> Value {
    json!({
        "resourceSelectors": [{
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "namespace": namespace,
            "name": "nginx",
            "labelSelector": {
                "matchLabels": {"app": "nginx"},
                "matchExpressions": [{"key": "tier", "operator": "Exists"}]
            }
        }],
        "targetCluster": affinity("member1", "provider"),
        "overriders": overriders()
    })
}

/// An OP/COP spec with `overrideRules` (which cannot co-exist with the top-level fields).
pub fn override_rules(namespace: &str) -> Value {
    json!({
        "resourceSelectors": [{
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "namespace": namespace,
            "labelSelector": {
                "matchLabels": {"app": "nginx"},
                "matchExpressions": [{"key": "track", "operator": "NotIn", "values": ["canary"]}]
            }
        }],
        "overrideRules": [
            {"targetCluster": affinity("member2", "zone"), "overriders": overriders()},
            {"overriders": {"labelsOverrider": [{"operator": "remove", "value": {"stale": ""}}]}}
        ]
    })
}

/// A cluster affinity setting all its fields; `field` is the field selector's key.
fn affinity(cluster: &str, field: &str) -> Value {
    json!({
        "labelSelector": {
            "matchLabels": {"env": "prod"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["bronze"]}]
        },
        "fieldSelector": {
            "matchExpressions": [{"key": field, "operator": "In", "values": ["a", "b"]}]
        },
        "clusterNames": [cluster],
        "exclude": ["member9"]
    })
}

/// A fixture of `api/tests/fixtures/objects/`, without the metadata the server owns or that would
/// get it deleted (an owner that does not exist), and without its status (written through /status).
/// Returns the object and the status.
pub fn fixture(yaml: &str) -> (Value, Value) {
    let mut object: Value = serde_saphyr::from_str(yaml).expect("the fixture parses");
    let metadata = object["metadata"].as_object_mut().expect("metadata");
    for field in [
        "ownerReferences",
        "finalizers",
        "generation",
        "resourceVersion",
        "uid",
        "creationTimestamp",
        "managedFields",
    ] {
        metadata.remove(field);
    }
    let status = object
        .as_object_mut()
        .and_then(|o| o.remove("status"))
        .expect("the fixture has a status");
    (object, status)
}

pub const RESOURCE_BINDING: &str =
    include_str!("../../../../../api/tests/fixtures/objects/resourcebinding.yaml");
pub const WORK: &str = include_str!("../../../../../api/tests/fixtures/objects/work.yaml");
pub const CLUSTER: &str = include_str!("../../../../../api/tests/fixtures/objects/cluster.yaml");
