//! The objects the benchmark creates, as pure builders: Deployment templates, the policies that
//! propagate them, ResourceBindings for the scheduler alone, and member Clusters with capacity
//! for the pure scheduler.

use serde_json::{Value, json};

/// The namespace every benchmark template lives in (it exists in every member from the start, so
/// no namespace propagation is measured).
pub const NAMESPACE: &str = "default";
/// Label on every template, valued by role (`background`, `latency`).
pub const ROLE_LABEL: &str = "bench.karmada-rs.io/role";

/// A Deployment template with one small replica.
pub fn deployment(name: &str, role: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NAMESPACE, "labels": {ROLE_LABEL: role, "app": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{
                    "name": "app",
                    "image": "registry.k8s.io/pause:3.10",
                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                }]},
            },
        },
    })
}

/// The placement the background workloads use: replicas divided by dynamic weight
/// (available replicas) over every cluster.
pub fn dynamic_weight_placement() -> Value {
    json!({"replicaScheduling": {
        "replicaSchedulingType": "Divided",
        "replicaDivisionPreference": "Weighted",
        "weightPreference": {"dynamicWeight": "AvailableReplicas"},
    }})
}

/// The one policy propagating every template labelled with `role`, placed by `placement`.
pub fn role_policy(name: &str, role: &str, placement: Value) -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "PropagationPolicy",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "resourceSelectors": [{
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "labelSelector": {"matchLabels": {ROLE_LABEL: role}},
            }],
            "placement": placement,
        },
    })
}

/// A policy propagating the Deployment `name` (only) to `cluster`.
pub fn single_policy(name: &str, cluster: &str) -> Value {
    json!({
        "apiVersion": "policy.karmada.io/v1alpha1",
        "kind": "PropagationPolicy",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name}],
            "placement": {
                "clusterAffinity": {"clusterNames": [cluster]},
                "replicaScheduling": {"replicaSchedulingType": "Duplicated"},
            },
        },
    })
}

/// A ResourceBinding (no template behind it) for the scheduler alone: `replicas` of 100m / 128Mi
/// divided by dynamic weight.
pub fn binding(name: &str, replicas: i32) -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha2",
        "kind": "ResourceBinding",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "resource": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "namespace": NAMESPACE,
                "name": name,
                "uid": format!("bench-uid-{name}"),
            },
            "replicas": replicas,
            "replicaRequirements": {"resourceRequest": {"cpu": "100m", "memory": "128Mi"}},
            "placement": dynamic_weight_placement(),
        },
    })
}

/// A ready push Cluster `name` with `nodes` nodes of 8 CPU / 32Gi / 110 pods, of which
/// `used_percent` is allocated.
pub fn cluster(name: &str, nodes: u32, used_percent: u32) -> Value {
    let nodes = u64::from(nodes);
    let used = u64::from(used_percent.min(100));
    json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": name},
        "spec": {"syncMode": "Push", "apiEndpoint": format!("https://{name}.invalid")},
        "status": {
            "conditions": [{
                "type": "Ready", "status": "True", "reason": "ClusterReady",
                "message": "cluster is healthy and ready to accept workloads",
                "lastTransitionTime": "2026-11-22T00:00:00Z",
            }],
            "apiEnablements": [{"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": "Deployment"}]}],
            "resourceSummary": {
                "allocatable": {
                    "cpu": (8 * nodes).to_string(),
                    "memory": format!("{}Gi", 32 * nodes),
                    "pods": (110 * nodes).to_string(),
                },
                "allocated": {
                    "cpu": format!("{}m", 80 * nodes * used),
                    "memory": format!("{}Mi", 32 * 1024 * nodes * used / 100),
                    "pods": (110 * nodes * used / 100).to_string(),
                },
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_api::cluster::v1alpha1::Cluster;
    use karmada_api::policy::v1alpha1::PropagationPolicy;
    use karmada_api::work::v1alpha2::ResourceBinding;

    #[test]
    fn every_builder_yields_a_valid_typed_object() {
        let policy: PropagationPolicy =
            serde_json::from_value(role_policy("bg", "background", dynamic_weight_placement()))
                .expect("a policy");
        assert_eq!(policy.spec.resource_selectors.len(), 1);
        let single: PropagationPolicy =
            serde_json::from_value(single_policy("lat-1", "member2")).expect("a policy");
        assert_eq!(
            single.spec.resource_selectors[0].name.as_deref(),
            Some("lat-1")
        );
        let binding: ResourceBinding = serde_json::from_value(binding("b-1", 7)).expect("binding");
        assert_eq!(binding.spec.replicas, Some(7));
        assert!(binding.spec.placement.is_some());
        let cluster: Cluster = serde_json::from_value(cluster("m1", 3, 50)).expect("cluster");
        assert_eq!(cluster.ready_status(), Some("True"));
    }

    #[test]
    fn cluster_capacity_scales_with_nodes_and_usage() {
        let value = cluster("m1", 2, 25);
        let summary = &value["status"]["resourceSummary"];
        assert_eq!(summary["allocatable"]["cpu"], "16");
        assert_eq!(summary["allocatable"]["pods"], "220");
        assert_eq!(summary["allocated"]["cpu"], "4000m");
        assert_eq!(summary["allocated"]["pods"], "55");
        assert_eq!(summary["allocated"]["memory"], "16384Mi");
    }

    #[test]
    fn templates_carry_their_role_label() {
        let value = deployment("bg-1", "background");
        assert_eq!(value["metadata"]["labels"][ROLE_LABEL], "background");
        assert_eq!(value["spec"]["replicas"], 1);
    }
}
