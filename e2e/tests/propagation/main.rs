//! Propagation in push mode end to end: one federation (real etcd, the API server and
//! controller-manager binaries, three simulated members) and Karmada's scenario families run
//! against it concurrently, each in its own namespace; scenarios that change clusters run after.

mod common;
mod objects;
mod placement;
mod workloads;

use common::*;
use objects::*;
use placement::*;
use workloads::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn propagation_scenarios() {
    let options = FederationOptions {
        member_nodes: vec![1, 2, 3],
        member_regions: vec!["eu".into(), "eu".into(), "us".into()],
        ..FederationOptions::default()
    };
    let f = Federation::start(options).await;
    run_all(vec![
        (
            "divided static weights, overrides, status, scale, deletion",
            Box::pin(divided_static_weights_overrides_and_status(&f)),
        ),
        (
            "duplicated ConfigMap, drift, hand edits",
            Box::pin(duplicated_configmap_drift_and_hand_edits(&f)),
        ),
        (
            "ClusterPropagationPolicy for a cluster-scoped kind, policy deletion",
            Box::pin(cluster_policy_for_cluster_scoped_kind_and_policy_deletion(
                &f,
            )),
        ),
        ("conflict resolution", Box::pin(conflict_resolution(&f))),
        (
            "priorities and preemption",
            Box::pin(priorities_and_preemption(&f)),
        ),
        (
            "namespace propagation",
            Box::pin(namespaces_are_propagated_unless_skipped(&f)),
        ),
        (
            "field overrider on embedded YAML and JSON",
            Box::pin(field_overrider_rewrites_embedded_yaml_and_json(&f)),
        ),
        (
            "CRD and custom resource",
            Box::pin(crd_and_custom_resource(&f)),
        ),
        (
            "dynamic weight and aggregated",
            Box::pin(dynamic_weight_and_aggregated(&f)),
        ),
        (
            "spread constraints and cluster affinities",
            Box::pin(spread_constraints_and_cluster_affinities(&f)),
        ),
        (
            "Service and Job status",
            Box::pin(service_and_job_status(&f)),
        ),
    ])
    .await;
    // Changes to clusters affect every placement: after the rest.
    run_all(vec![(
        "taints and tolerations",
        Box::pin(taints_and_tolerations(&f)),
    )])
    .await;
    run_all(vec![(
        "cluster health, condition taints, workload health",
        Box::pin(cluster_health_condition_taints_and_workload_health(&f)),
    )])
    .await;
}
