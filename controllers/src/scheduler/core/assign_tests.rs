use karmada_api::cluster::v1alpha1::Cluster;
use serde_json::{Value, json};

use super::*;
use crate::scheduler::core::testing::{
    cluster, pairs, placement, requirements, spec, uid_with_parity,
};

fn clusters(names: &[&str]) -> Vec<Cluster> {
    names
        .iter()
        .map(|n| cluster(n, json!({}), json!({})))
        .collect()
}

/// Candidates in the given order with their free capacity.
fn candidates<'a>(clusters: &'a [Cluster], free: &[i64]) -> Vec<Candidate<'a>> {
    clusters
        .iter()
        .zip(free)
        .map(|(cluster, free)| Candidate {
            cluster,
            name: cluster.metadata.name.as_deref().unwrap_or_default(),
            score: 0,
            allocatable: *free,
            available: *free,
        })
        .collect()
}

fn divided(preference: &str, weight: Value) -> Value {
    json!({"replicaScheduling": {
        "replicaSchedulingType": "Divided",
        "replicaDivisionPreference": preference,
        "weightPreference": weight,
    }})
}

fn static_weights(weights: &[(&str, i64)]) -> Value {
    let list: Vec<Value> = weights
        .iter()
        .map(|(name, weight)| json!({"targetCluster": {"clusterNames": [name]}, "weight": weight}))
        .collect();
    divided("Weighted", json!({"staticWeightList": list}))
}

fn dynamic() -> Value {
    divided("Weighted", json!({"dynamicWeight": "AvailableReplicas"}))
}

fn aggregated() -> Value {
    json!({"replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Aggregated"}})
}

struct Case {
    name: &'static str,
    placement: Value,
    replicas: i32,
    uid: String,
    previous: Vec<(&'static str, i32)>,
    free: Vec<(&'static str, i64)>,
    fresh: bool,
    want: Result<Vec<(&'static str, i32)>, &'static str>,
}

fn case(name: &'static str, placement: Value, replicas: i32, free: &[(&'static str, i64)]) -> Case {
    Case {
        name,
        placement,
        replicas,
        uid: String::new(),
        previous: Vec::new(),
        free: free.to_vec(),
        fresh: false,
        want: Ok(Vec::new()),
    }
}

impl Case {
    fn previous(mut self, previous: &[(&'static str, i32)]) -> Case {
        self.previous = previous.to_vec();
        self
    }
    fn uid(mut self, uid: String) -> Case {
        self.uid = uid;
        self
    }
    fn fresh(mut self) -> Case {
        self.fresh = true;
        self
    }
    fn gives(mut self, want: &[(&'static str, i32)]) -> Case {
        self.want = Ok(want.to_vec());
        self
    }
    fn fails(mut self, message: &'static str) -> Case {
        self.want = Err(message);
        self
    }
}

#[test]
fn assignment_cases() {
    let odd = uid_with_parity(true);
    let even = uid_with_parity(false);
    let cases = vec![
        case("duplicated gives every cluster all replicas", json!({}), 2, &[("m1", 0), ("m2", 0)])
            .gives(&[("m1", 2), ("m2", 2)]),
        case(
            "static weights 1:2:3 split twelve as 2/4/6",
            static_weights(&[("A", 1), ("B", 2), ("C", 3)]),
            12,
            &[("A", 0), ("B", 0), ("C", 0)],
        )
        .gives(&[("A", 2), ("B", 4), ("C", 6)]),
        case(
            "static weights 2:1 split five as 3/2 (webster)",
            static_weights(&[("A", 2), ("B", 1)]),
            5,
            &[("A", 0), ("B", 0)],
        )
        .gives(&[("A", 3), ("B", 2)]),
        case(
            "static weights drop clusters matching no rule",
            static_weights(&[("A", 1), ("B", 1)]),
            4,
            &[("A", 0), ("B", 0), ("C", 0)],
        )
        .gives(&[("A", 2), ("B", 2)]),
        case(
            "a cluster matching several rules takes the highest weight",
            divided("Weighted", json!({"staticWeightList": [
                {"targetCluster": {"clusterNames": ["A", "B"]}, "weight": 1},
                {"targetCluster": {"clusterNames": ["B"]}, "weight": 3},
            ]})),
            8,
            &[("A", 0), ("B", 0)],
        )
        .gives(&[("A", 2), ("B", 6)]),
        case(
            "static weights ignore the previous result",
            static_weights(&[("A", 1), ("B", 1)]),
            4,
            &[("A", 0), ("B", 0)],
        )
        .previous(&[("A", 4)])
        .gives(&[("A", 2), ("B", 2)]),
        case(
            "without a weight preference clusters weigh equally, ties ascending for even uids",
            json!({"replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"}}),
            3,
            &[("a", 0), ("b", 0)],
        )
        .uid(even.clone())
        .gives(&[("a", 2), ("b", 1)]),
        case(
            "without a weight preference ties go descending for odd uids",
            json!({"replicaScheduling": {"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted"}}),
            3,
            &[("a", 0), ("b", 0)],
        )
        .uid(odd.clone())
        .gives(&[("a", 1), ("b", 2)]),
        case("dynamic weight splits twelve by free capacity 6/8/10", dynamic(), 12, &[("m3", 10), ("m2", 8), ("m1", 6)])
            .gives(&[("m1", 3), ("m2", 4), ("m3", 5)]),
        case("dynamic ties break descending for odd uids", dynamic(), 3, &[("a", 5), ("b", 5)])
            .uid(odd.clone())
            .gives(&[("a", 1), ("b", 2)]),
        case("dynamic ties break ascending for even uids", dynamic(), 3, &[("a", 5), ("b", 5)])
            .uid(even.clone())
            .gives(&[("a", 2), ("b", 1)]),
        case("dynamic scale down follows the current replicas", dynamic(), 6, &[("m1", 0), ("m2", 0), ("m3", 0)])
            .previous(&[("m1", 2), ("m2", 4), ("m3", 6)])
            .gives(&[("m1", 1), ("m2", 2), ("m3", 3)]),
        case("dynamic scale up adds the difference by free capacity", dynamic(), 10, &[("m2", 4), ("m1", 2)])
            .previous(&[("m1", 2), ("m2", 2)])
            .gives(&[("m1", 4), ("m2", 6)]),
        case("dynamic scale up fails when the free capacity is short", dynamic(), 12, &[("m2", 4), ("m1", 3)])
            .fails("Clusters available replicas 7 are not enough to schedule."),
        case("dynamic scale up counts only the difference against capacity", dynamic(), 10, &[("m1", 3)])
            .previous(&[("m1", 8)])
            .gives(&[("m1", 10)]),
        case("unchanged replicas keep the previous result", dynamic(), 4, &[("m1", 100), ("m2", 100)])
            .previous(&[("m1", 1), ("m2", 3)])
            .gives(&[("m1", 1), ("m2", 3)]),
        case(
            "replicas on clusters no longer selected are redistributed",
            dynamic(),
            8,
            &[("m1", 10), ("m2", 10)],
        )
        .uid(even.clone())
        .previous(&[("m1", 4), ("gone", 4)])
        .gives(&[("m1", 6), ("m2", 2)]),
        case(
            "fresh mode divides everything by free plus current replicas",
            dynamic(),
            12,
            &[("m3", 12), ("m1", 0), ("m2", 0)],
        )
        .previous(&[("m1", 6), ("m2", 6)])
        .fresh()
        .gives(&[("m1", 3), ("m2", 3), ("m3", 6)]),
        case("aggregated fills the biggest cluster first", aggregated(), 12, &[("m1", 12), ("m3", 10), ("m2", 8)])
            .gives(&[("m1", 12)]),
        case(
            "aggregated keeps the shortest prefix covering the replicas",
            aggregated(),
            15,
            &[("m1", 12), ("m3", 10), ("m2", 8)],
        )
        .gives(&[("m1", 8), ("m3", 7)]),
        case(
            "aggregated scale up prefers clusters already used",
            aggregated(),
            6,
            &[("m1", 12), ("m3", 10), ("m2", 8)],
        )
        .previous(&[("m2", 2)])
        .gives(&[("m2", 6)]),
        case(
            "aggregated scale down drops the smallest clusters",
            aggregated(),
            6,
            &[("m1", 0), ("m2", 0), ("m3", 0)],
        )
        .previous(&[("m1", 2), ("m2", 4), ("m3", 6)])
        .gives(&[("m3", 6)]),
        case("aggregated fails when capacity is short", aggregated(), 31, &[("m1", 12), ("m3", 10), ("m2", 8)])
            .fails("Clusters available replicas 30 are not enough to schedule."),
    ];
    for case in cases {
        let placement = placement(case.placement);
        let spec = spec(case.replicas, &case.uid, &case.previous);
        let names: Vec<&str> = case.free.iter().map(|(n, _)| *n).collect();
        let free: Vec<i64> = case.free.iter().map(|(_, f)| *f).collect();
        let clusters = clusters(&names);
        let selected = candidates(&clusters, &free);
        let got = assign(&spec, &placement, &selected, case.fresh).map(|r| pairs(&r));
        let want = case
            .want
            .map(|w| {
                w.iter()
                    .map(|(n, r)| (n.to_string(), *r))
                    .collect::<Vec<_>>()
            })
            .map_err(str::to_string);
        assert_eq!(got, want, "{}", case.name);
    }
}

#[test]
fn non_workloads_go_to_every_selected_cluster_without_replicas() {
    let clusters = clusters(&["m2", "m1"]);
    let selected = candidates(&clusters, &[0, 0]);
    let spec = spec(0, "", &[]);
    let got = assign(&spec, &placement(dynamic()), &selected, false).expect("assigned");
    assert_eq!(
        got.iter()
            .map(|t| (t.name.as_str(), t.replicas))
            .collect::<Vec<_>>(),
        [("m1", None), ("m2", None)]
    );
}

#[test]
fn a_workload_with_requirements_but_no_replicas_is_divided_to_nothing() {
    let clusters = clusters(&["m1"]);
    let selected = candidates(&clusters, &[5]);
    let mut spec = spec(0, "", &[]);
    spec.replica_requirements = Some(requirements(json!({"cpu": "1"})));
    let got = assign(&spec, &placement(json!({})), &selected, false).expect("assigned");
    assert!(
        got.is_empty(),
        "clusters with 0 replicas are removed: {got:?}"
    );
}

#[test]
fn strategy_follows_the_placement() {
    let cases = [
        (json!({}), Strategy::Duplicated),
        (
            json!({"replicaScheduling": {"replicaSchedulingType": "Duplicated"}}),
            Strategy::Duplicated,
        ),
        (json!({"replicaScheduling": {}}), Strategy::StaticWeight),
        (static_weights(&[("A", 1)]), Strategy::StaticWeight),
        (dynamic(), Strategy::DynamicWeight),
        (aggregated(), Strategy::Aggregated),
    ];
    for (placement_json, want) in cases {
        assert_eq!(
            Strategy::of(&placement(placement_json.clone())),
            want,
            "{placement_json}"
        );
    }
}
