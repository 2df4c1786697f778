use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use super::*;
use crate::scheduler::core::testing::{cluster, pairs, placement, spec, with_pods};

fn run_schedule(
    spec: &ResourceBindingSpec,
    placement_json: Value,
    observed: Option<&str>,
    fresh: bool,
    clusters: &[Cluster],
    reserved: &Reservations,
) -> Result<ScheduleResult, ScheduleError> {
    let placement = placement(placement_json);
    let req = ScheduleRequest {
        spec,
        placement: &placement,
        observed_affinity_name: observed,
        fresh,
    };
    schedule(&req, clusters, reserved)
}

fn names_of(result: &ScheduleResult) -> Vec<(String, i32)> {
    pairs(&result.clusters)
}

fn expect(pairs: &[(&str, i32)]) -> Vec<(String, i32)> {
    pairs.iter().map(|(n, r)| (n.to_string(), *r)).collect()
}

fn dynamic() -> Value {
    json!({"replicaScheduling": {
        "replicaSchedulingType": "Divided",
        "replicaDivisionPreference": "Weighted",
        "weightPreference": {"dynamicWeight": "AvailableReplicas"},
    }})
}

fn affinities(terms: &[(&str, &[&str])]) -> Value {
    let terms: Vec<Value> = terms
        .iter()
        .map(|(name, clusters)| json!({"affinityName": name, "clusterNames": clusters}))
        .collect();
    json!({"clusterAffinities": terms})
}

#[test]
fn duplicated_binding_goes_everywhere_with_all_replicas() {
    let clusters = [with_pods("m2", 10), with_pods("m1", 10)];
    let got = run_schedule(
        &spec(2, "", &[]),
        json!({}),
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(names_of(&got), expect(&[("m1", 2), ("m2", 2)]));
    assert_eq!(got.affinity_name, None);
}

#[test]
fn no_cluster_fit_explains_every_rejection() {
    let clusters = [
        cluster(
            "m1",
            json!({"taints": [{"key": "k", "effect": "NoSchedule"}]}),
            json!({}),
        ),
        cluster("m2", json!({}), json!({})),
        cluster("m3", json!({}), json!({})),
    ];
    let err = run_schedule(
        &spec(1, "", &[]),
        json!({"clusterAffinity": {"clusterNames": ["m1"]}}),
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect_err("nothing fits");
    assert_eq!(err.reason(), "NoClusterFit");
    assert_eq!(
        err.to_string(),
        "0/3 clusters are available: 1 cluster(s) had untolerated taint {k:NoSchedule}, \
         2 cluster(s) did not match the placement cluster affinity constraint."
    );
}

#[test]
fn deleting_clusters_count_in_the_total_but_are_never_candidates() {
    let mut deleting = with_pods("m1", 10);
    deleting.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
    let err = run_schedule(
        &spec(1, "", &[]),
        json!({}),
        None,
        false,
        &[deleting],
        &Reservations::new(),
    )
    .expect_err("nothing fits");
    assert_eq!(
        err,
        ScheduleError::NoClusterFit("0/1 clusters are available: no cluster exists.".into())
    );
}

#[test]
fn cluster_affinities_fall_back_to_the_next_term() {
    let clusters = [with_pods("m1", 10), with_pods("m2", 10)];
    let got = run_schedule(
        &spec(2, "", &[]),
        affinities(&[("primary", &["gone"]), ("backup", &["m2"])]),
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(names_of(&got), expect(&[("m2", 2)]));
    assert_eq!(got.affinity_name.as_deref(), Some("backup"));
}

#[test]
fn cluster_affinities_stick_to_the_observed_term_until_a_fresh_reschedule() {
    let clusters = [with_pods("m1", 10), with_pods("m2", 10)];
    let placement = affinities(&[("primary", &["m1"]), ("backup", &["m2"])]);
    let previous = spec(2, "", &[("m2", 2)]);
    let sticky = run_schedule(
        &previous,
        placement.clone(),
        Some("backup"),
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(sticky.affinity_name.as_deref(), Some("backup"));
    assert_eq!(names_of(&sticky), expect(&[("m2", 2)]));

    let fresh = run_schedule(
        &previous,
        placement.clone(),
        Some("backup"),
        true,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(fresh.affinity_name.as_deref(), Some("primary"));
    assert_eq!(names_of(&fresh), expect(&[("m1", 2)]));

    let unknown = run_schedule(
        &previous,
        placement,
        Some("removed"),
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(
        unknown.affinity_name.as_deref(),
        Some("primary"),
        "an unknown observed term restarts at the first"
    );
}

#[test]
fn cluster_affinities_report_the_first_failure_when_every_term_fails() {
    let clusters = [with_pods("m1", 1), with_pods("m2", 1)];
    let mut placement = affinities(&[("primary", &["m1"]), ("backup", &["gone"])]);
    placement["replicaScheduling"] = dynamic()["replicaScheduling"].clone();
    let err = run_schedule(
        &spec(5, "", &[]),
        placement,
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect_err("unschedulable");
    assert_eq!(
        err,
        ScheduleError::Unschedulable(
            "Clusters available replicas 1 are not enough to schedule.".into()
        )
    );
    assert_eq!(err.reason(), "Unschedulable");
}

#[test]
fn reservations_keep_two_bindings_from_over_committing_a_cluster() {
    let clusters = [with_pods("m1", 8), with_pods("m2", 8)];
    let mut reserved = Reservations::new();
    let first = spec(10, "", &[]);
    let got =
        run_schedule(&first, dynamic(), None, false, &clusters, &reserved).expect("first fits");
    assert_eq!(names_of(&got), expect(&[("m1", 5), ("m2", 5)]));
    reserved.reserve_result(&got.clusters, first.replica_requirements.as_ref());

    let second = spec(10, "", &[]);
    let without = run_schedule(
        &second,
        dynamic(),
        None,
        false,
        &clusters,
        &Reservations::new(),
    );
    assert!(
        without.is_ok(),
        "without reservations the second binding would over-commit"
    );
    let err =
        run_schedule(&second, dynamic(), None, false, &clusters, &reserved).expect_err("full");
    assert_eq!(
        err,
        ScheduleError::Unschedulable(
            "Clusters available replicas 6 are not enough to schedule.".into()
        )
    );
}

#[test]
fn clusters_with_unknown_capacity_weigh_as_the_replicas() {
    let clusters = [
        cluster("m1", json!({}), json!({})),
        cluster("m2", json!({}), json!({})),
    ];
    let got = run_schedule(
        &spec(4, "", &[]),
        dynamic(),
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(names_of(&got), expect(&[("m1", 2), ("m2", 2)]));
}

#[test]
fn a_service_goes_to_every_cluster_without_replicas() {
    let clusters = [with_pods("m1", 0), with_pods("m2", 0)];
    let mut service = spec(0, "", &[]);
    service.replicas = None;
    service.resource.api_version = "v1".into();
    service.resource.kind = "Service".into();
    let got = run_schedule(
        &service,
        dynamic(),
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    let replicas: Vec<Option<i32>> = got.clusters.iter().map(|t| t.replicas).collect();
    assert_eq!(replicas, [None, None]);
}

#[test]
fn spread_by_region_picks_one_cluster_per_region_first() {
    let in_region = |name: &str, region: &str, pods: i64| {
        cluster(
            name,
            json!({"region": region}),
            json!({"resourceSummary": {"allocatable": {"pods": pods.to_string()}}}),
        )
    };
    let clusters = [
        in_region("a", "r1", 10),
        in_region("b", "r1", 9),
        in_region("c", "r2", 4),
        cluster("no-region", json!({}), json!({})),
    ];
    let mut placement = dynamic();
    placement["spreadConstraints"] = json!([
        {"spreadByField": "region", "minGroups": 2, "maxGroups": 2},
        {"spreadByField": "cluster", "minGroups": 2, "maxGroups": 2},
    ]);
    let got = run_schedule(
        &spec(7, "", &[]),
        placement,
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(names_of(&got), expect(&[("a", 5), ("c", 2)]));
}

#[test]
fn a_cluster_being_evicted_from_loses_its_replicas_to_the_others() {
    let clusters = [with_pods("m1", 10), with_pods("m2", 10)];
    let mut spec = spec(4, "", &[("m1", 2), ("m2", 2)]);
    spec.graceful_eviction_tasks = Some(vec![
        serde_json::from_value(
            json!({"fromCluster": "m1", "reason": "TaintUntolerated", "producer": "taint-manager"}),
        )
        .expect("task"),
    ]);
    let got = run_schedule(
        &spec,
        dynamic(),
        None,
        false,
        &clusters,
        &Reservations::new(),
    )
    .expect("scheduled");
    assert_eq!(names_of(&got), expect(&[("m2", 4)]));
}
