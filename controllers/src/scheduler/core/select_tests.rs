use karmada_api::cluster::v1alpha1::Cluster;
use serde_json::{Value, json};

use super::*;
use crate::scheduler::core::testing::{cluster, placement};

/// Candidates with `(score, available)` per cluster, ranked as the scorer would.
fn ranked<'a>(clusters: &'a [Cluster], info: &[(i64, i64)]) -> Vec<Candidate<'a>> {
    let mut candidates: Vec<Candidate<'a>> = clusters
        .iter()
        .zip(info)
        .map(|(cluster, (score, available))| Candidate {
            cluster,
            name: cluster.metadata.name.as_deref().unwrap_or_default(),
            score: *score,
            allocatable: *available,
            available: *available,
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.available.cmp(&a.available))
            .then(a.name.cmp(b.name))
    });
    candidates
}

fn in_region(name: &str, region: &str) -> Cluster {
    cluster(name, json!({"region": region}), json!({}))
}

const DIVIDED: &str = "Divided";

fn divided_dynamic(spread: Value) -> Value {
    json!({
        "spreadConstraints": spread,
        "replicaScheduling": {
            "replicaSchedulingType": DIVIDED,
            "replicaDivisionPreference": "Weighted",
            "weightPreference": {"dynamicWeight": "AvailableReplicas"},
        },
    })
}

fn by_cluster_spread(min: i64, max: i64) -> Value {
    json!([{"spreadByField": "cluster", "minGroups": min, "maxGroups": max}])
}

#[test]
fn selection_cases() {
    let three = [
        in_region("m1", "r1"),
        in_region("m2", "r1"),
        in_region("m3", "r1"),
    ];
    let four_regions = [
        in_region("a", "r1"),
        in_region("b", "r1"),
        in_region("c", "r2"),
        in_region("d", "r3"),
    ];
    type Case<'a> = (
        &'static str,
        Vec<Candidate<'a>>,
        Value,
        i64,
        Result<Vec<&'static str>, &'static str>,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "without spread constraints every candidate is selected",
            ranked(&three, &[(0, 1), (0, 2), (0, 3)]),
            json!({}),
            10,
            Ok(vec!["m3", "m2", "m1"]),
        ),
        (
            "duplicated takes the best maxGroups clusters whatever their capacity",
            ranked(&three, &[(60, 1), (50, 1), (40, 100)]),
            json!({"spreadConstraints": by_cluster_spread(1, 2)}),
            80,
            Ok(vec!["m1", "m2"]),
        ),
        (
            "divided swaps the lowest-ranked cluster for the one with most capacity",
            ranked(&three, &[(60, 40), (50, 30), (40, 60)]),
            divided_dynamic(by_cluster_spread(1, 2)),
            80,
            Ok(vec!["m1", "m3"]),
        ),
        (
            "divided keeps the best clusters when they have enough capacity",
            ranked(&three, &[(60, 40), (50, 30), (40, 60)]),
            divided_dynamic(by_cluster_spread(1, 2)),
            70,
            Ok(vec!["m1", "m2"]),
        ),
        (
            "divided fails when no swap gives enough capacity",
            ranked(&three, &[(60, 40), (50, 30), (40, 60)]),
            divided_dynamic(by_cluster_spread(1, 2)),
            101,
            Err("no enough resource when selecting 2 clusters"),
        ),
        (
            "fewer candidates than minGroups fails",
            ranked(&three, &[(0, 1), (0, 1), (0, 1)]),
            json!({"spreadConstraints": by_cluster_spread(4, 4)}),
            1,
            Err("the number of feasible clusters is less than spreadConstraint.MinGroups"),
        ),
        (
            "static weight ignores spread constraints",
            ranked(&three, &[(0, 1), (0, 2), (0, 3)]),
            json!({
                "spreadConstraints": by_cluster_spread(1, 1),
                "replicaScheduling": {"replicaSchedulingType": DIVIDED, "replicaDivisionPreference": "Weighted"},
            }),
            10,
            Ok(vec!["m3", "m2", "m1"]),
        ),
        (
            "by region the best cluster of each chosen region comes first, then the best rest",
            ranked(&four_regions, &[(0, 10), (0, 5), (0, 8), (0, 3)]),
            divided_dynamic(json!([
                {"spreadByField": "region", "minGroups": 2, "maxGroups": 2},
                {"spreadByField": "cluster", "minGroups": 2, "maxGroups": 3},
            ])),
            10,
            Ok(vec!["a", "c", "b"]),
        ),
        (
            "by region the cluster maxGroups caps the selection",
            ranked(&four_regions, &[(0, 10), (0, 5), (0, 8), (0, 3)]),
            divided_dynamic(json!([
                {"spreadByField": "region", "minGroups": 2, "maxGroups": 2},
                {"spreadByField": "cluster", "minGroups": 2, "maxGroups": 2},
            ])),
            10,
            Ok(vec!["a", "c"]),
        ),
        (
            "by region a single region is chosen when one is enough",
            ranked(&four_regions, &[(0, 10), (0, 5), (0, 8), (0, 3)]),
            divided_dynamic(json!([
                {"spreadByField": "region", "minGroups": 1, "maxGroups": 1},
                {"spreadByField": "cluster", "minGroups": 1, "maxGroups": 1},
            ])),
            10,
            Ok(vec!["a"]),
        ),
        (
            "by region fewer regions than minGroups fails",
            ranked(&four_regions, &[(0, 10), (0, 5), (0, 8), (0, 3)]),
            divided_dynamic(json!([
                {"spreadByField": "region", "minGroups": 4, "maxGroups": 4},
                {"spreadByField": "cluster", "minGroups": 1, "maxGroups": 4},
            ])),
            10,
            Err("the number of feasible region is less than spreadConstraint.MinGroups"),
        ),
        (
            "spreading only by zone is not supported",
            ranked(&three, &[(0, 1), (0, 1), (0, 1)]),
            divided_dynamic(json!([{"spreadByField": "zone", "minGroups": 1, "maxGroups": 1}])),
            1,
            Err("just support cluster and region spread constraint"),
        ),
    ];
    for (name, candidates, placement_json, replicas, want) in cases {
        let placement = placement(placement_json);
        let got = select(&placement, candidates, replicas)
            .map(|selected| selected.iter().map(|c| c.name).collect::<Vec<_>>());
        assert_eq!(got, want.map_err(str::to_string), "{name}");
    }
}

#[test]
fn region_groups_score_by_capacity_then_average_score() {
    let clusters = [in_region("a", "r1"), in_region("b", "r1")];
    let candidates = ranked(&clusters, &[(100, 4), (0, 6)]);
    let divided = placement(divided_dynamic(json!([])));
    // Target 10 needs both clusters: 10 fit → 10·1000 + (100 + 0) / 2.
    assert_eq!(group_score(&divided, &candidates, 10, 1, None), 10_050);
    // Not enough: 10 available of 20 → 10·1000 + 100 / 2.
    assert_eq!(group_score(&divided, &candidates, 20, 1, None), 10_050);
    // Target 4 is met by the first cluster alone.
    assert_eq!(group_score(&divided, &candidates, 4, 1, None), 4_100);
    let duplicated = placement(json!({}));
    // One cluster holds 5 replicas: 1·1000 + its score.
    assert_eq!(group_score(&duplicated, &candidates, 5, 1, None), 1_000);
}
