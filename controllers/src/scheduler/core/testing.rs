//! Test fixtures for the scheduler core: clusters, bindings and placements from JSON.

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::Placement;
use karmada_api::work::v1alpha2::{ReplicaRequirements, ResourceBindingSpec, TargetCluster};
use serde_json::{Value, json};

/// A Push cluster named `name`; `spec` fields are merged into the spec, `status` is the status.
pub fn cluster(name: &str, spec: Value, status: Value) -> Cluster {
    let mut full_spec = json!({"syncMode": "Push"});
    if let (Some(target), Some(extra)) = (full_spec.as_object_mut(), spec.as_object()) {
        target.extend(extra.clone());
    }
    serde_json::from_value(json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": name},
        "spec": full_spec,
        "status": status,
    }))
    .expect("valid cluster")
}

/// A cluster with `pods` free pods and nothing else known.
pub fn with_pods(name: &str, pods: i64) -> Cluster {
    cluster(
        name,
        json!({}),
        json!({"resourceSummary": {"allocatable": {"pods": pods.to_string()}}}),
    )
}

/// Replica requirements requesting `resources` per replica.
pub fn requirements(resources: Value) -> ReplicaRequirements {
    serde_json::from_value(json!({"resourceRequest": resources})).expect("valid requirements")
}

/// A placement from JSON.
pub fn placement(value: Value) -> Placement {
    serde_json::from_value(value).expect("valid placement")
}

/// A Deployment binding spec with `replicas`, its template UID and the previous result.
pub fn spec(replicas: i32, uid: &str, previous: &[(&str, i32)]) -> ResourceBindingSpec {
    let mut spec: ResourceBindingSpec = serde_json::from_value(json!({
        "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "default", "name": "web"},
    }))
    .expect("valid spec");
    if !uid.is_empty() {
        spec.resource.uid = Some(uid.to_string());
    }
    spec.replicas = Some(replicas);
    if !previous.is_empty() {
        spec.clusters = Some(targets(previous));
    }
    spec
}

/// Target clusters from `(name, replicas)` pairs.
pub fn targets(pairs: &[(&str, i32)]) -> Vec<TargetCluster> {
    pairs
        .iter()
        .map(|(name, replicas)| TargetCluster {
            name: name.to_string(),
            replicas: Some(*replicas),
            components: None,
        })
        .collect()
}

/// `(name, replicas)` pairs of a result, for compact assertions.
pub fn pairs(result: &[TargetCluster]) -> Vec<(String, i32)> {
    result
        .iter()
        .map(|t| (t.name.clone(), t.replicas.unwrap_or(0)))
        .collect()
}

/// A UID whose FNV-32a hash is odd (names tie-break descending) or even (ascending).
pub fn uid_with_parity(odd: bool) -> String {
    (0..)
        .map(|i| format!("uid-{i}"))
        .find(|uid| (crate::naming::fnv32a(uid.as_bytes()) & 1 == 1) == odd)
        .expect("some uid has each parity")
}
