use serde_json::{Value, json};

use super::*;
use crate::scheduler::core::testing::{cluster, placement, spec};

const AFFINITY: &str = "cluster(s) did not match the placement cluster affinity constraint";

struct Case {
    name: &'static str,
    cluster: Cluster,
    placement: Value,
    previous: &'static [(&'static str, i32)],
    evicting: &'static [&'static str],
    want: Result<(), &'static str>,
}

fn case(name: &'static str, cluster: Cluster, placement: Value) -> Case {
    Case {
        name,
        cluster,
        placement,
        previous: &[],
        evicting: &[],
        want: Ok(()),
    }
}

impl Case {
    fn rejects(mut self, reason: &'static str) -> Case {
        self.want = Err(reason);
        self
    }
    fn previously_on(mut self, previous: &'static [(&'static str, i32)]) -> Case {
        self.previous = previous;
        self
    }
    fn evicting_from(mut self, clusters: &'static [&'static str]) -> Case {
        self.evicting = clusters;
        self
    }
}

fn tainted(taints: Value) -> Cluster {
    cluster("m1", json!({"taints": taints}), json!({}))
}

fn with_apis(apis: Value) -> Cluster {
    cluster("m1", json!({}), json!({"apiEnablements": apis}))
}

#[test]
fn filter_plugin_cases() {
    let no_schedule = json!([{"key": "k", "value": "v", "effect": "NoSchedule"}]);
    let cases = vec![
        case("an empty placement accepts any cluster", cluster("m1", json!({}), json!({})), json!({})),
        case(
            "cluster affinity by name accepts the named cluster",
            cluster("m1", json!({}), json!({})),
            json!({"clusterAffinity": {"clusterNames": ["m1"]}}),
        ),
        case(
            "cluster affinity by name rejects other clusters",
            cluster("m2", json!({}), json!({})),
            json!({"clusterAffinity": {"clusterNames": ["m1"]}}),
        )
        .rejects(AFFINITY),
        case(
            "an excluded cluster is rejected even if named",
            cluster("m1", json!({}), json!({})),
            json!({"clusterAffinity": {"clusterNames": ["m1"], "exclude": ["m1"]}}),
        )
        .rejects(AFFINITY),
        case(
            "an untolerated NoSchedule taint rejects",
            tainted(no_schedule.clone()),
            json!({}),
        )
        .rejects("cluster(s) had untolerated taint {k=v:NoSchedule}"),
        case(
            "an untolerated NoExecute taint without value rejects",
            tainted(json!([{"key": "cluster.karmada.io/not-ready", "effect": "NoExecute"}])),
            json!({}),
        )
        .rejects("cluster(s) had untolerated taint {cluster.karmada.io/not-ready:NoExecute}"),
        case(
            "a PreferNoSchedule taint does not reject",
            tainted(json!([{"key": "k", "effect": "PreferNoSchedule"}])),
            json!({}),
        ),
        case(
            "an Equal toleration with the same value tolerates",
            tainted(no_schedule.clone()),
            json!({"clusterTolerations": [{"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}]}),
        ),
        case(
            "a toleration without operator compares values",
            tainted(no_schedule.clone()),
            json!({"clusterTolerations": [{"key": "k", "value": "other"}]}),
        )
        .rejects("cluster(s) had untolerated taint {k=v:NoSchedule}"),
        case(
            "an Exists toleration ignores the value",
            tainted(no_schedule.clone()),
            json!({"clusterTolerations": [{"key": "k", "operator": "Exists"}]}),
        ),
        case(
            "an empty key with Exists tolerates every taint",
            tainted(json!([{"key": "a", "effect": "NoSchedule"}, {"key": "b", "effect": "NoExecute"}])),
            json!({"clusterTolerations": [{"operator": "Exists"}]}),
        ),
        case(
            "a toleration for another effect does not tolerate",
            tainted(no_schedule.clone()),
            json!({"clusterTolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute"}]}),
        )
        .rejects("cluster(s) had untolerated taint {k=v:NoSchedule}"),
        case(
            "a toleration for another key does not tolerate",
            tainted(no_schedule.clone()),
            json!({"clusterTolerations": [{"key": "other", "operator": "Exists"}]}),
        )
        .rejects("cluster(s) had untolerated taint {k=v:NoSchedule}"),
        case(
            "a tainted cluster already in the result stays",
            tainted(no_schedule.clone()),
            json!({}),
        )
        .previously_on(&[("m1", 1)]),
        case(
            "a cluster serving the kind passes api enablement",
            with_apis(json!([{"groupVersion": "apps/v1", "resources": [{"name": "deployments", "kind": "Deployment"}]}])),
            json!({}),
        ),
        case(
            "a cluster missing the kind fails api enablement",
            with_apis(json!([{"groupVersion": "apps/v1", "resources": [{"name": "statefulsets", "kind": "StatefulSet"}]}])),
            json!({}),
        )
        .rejects("cluster(s) did not have the API resource"),
        case(
            "the kind under another group version does not count",
            with_apis(json!([{"groupVersion": "apps/v1beta1", "resources": [{"name": "deployments", "kind": "Deployment"}]}])),
            json!({}),
        )
        .rejects("cluster(s) did not have the API resource"),
        case(
            "a cluster missing the kind but already in the result stays",
            with_apis(json!([{"groupVersion": "v1", "resources": [{"name": "pods", "kind": "Pod"}]}])),
            json!({}),
        )
        .previously_on(&[("m1", 1)]),
        case(
            "a cluster that reported no apis yet passes",
            with_apis(json!([])),
            json!({}),
        ),
        case(
            "spreading by region rejects a cluster without region",
            cluster("m1", json!({}), json!({})),
            json!({"spreadConstraints": [{"spreadByField": "region", "maxGroups": 2}, {"spreadByField": "cluster"}]}),
        )
        .rejects("cluster(s) did not have region property"),
        case(
            "spreading by provider rejects a cluster without provider",
            cluster("m1", json!({"region": "r1"}), json!({})),
            json!({"spreadConstraints": [{"spreadByField": "provider"}]}),
        )
        .rejects("cluster(s) did not have provider property"),
        case(
            "spreading by zone accepts the deprecated single zone",
            cluster("m1", json!({"zone": "z1"}), json!({})),
            json!({"spreadConstraints": [{"spreadByField": "zone"}]}),
        ),
        case(
            "spreading by zone rejects a cluster without zones",
            cluster("m1", json!({}), json!({})),
            json!({"spreadConstraints": [{"spreadByField": "zone"}]}),
        )
        .rejects("cluster(s) did not have zones property"),
        case(
            "a cluster being evicted from is rejected",
            cluster("m1", json!({}), json!({})),
            json!({}),
        )
        .evicting_from(&["m1"])
        .rejects("cluster(s) is in the process of eviction"),
        case(
            "an eviction from another cluster does not matter",
            cluster("m1", json!({}), json!({})),
            json!({}),
        )
        .evicting_from(&["m2"]),
    ];
    for case in cases {
        let placement = placement(case.placement);
        let mut spec = spec(1, "", case.previous);
        if !case.evicting.is_empty() {
            spec.graceful_eviction_tasks = Some(
                case.evicting
                    .iter()
                    .map(|c| {
                        serde_json::from_value(
                            json!({"fromCluster": c, "reason": "TaintUntolerated", "producer": "test"}),
                        )
                        .expect("task")
                    })
                    .collect(),
            );
        }
        let input = FilterInput {
            spec: &spec,
            placement: &placement,
            affinity: placement.cluster_affinity.as_ref(),
        };
        let clusters = [case.cluster];
        let filtered = filter(&input, &clusters);
        let got = match filtered.rejected.values().next() {
            Some(reason) => Err(reason.as_str()),
            None => Ok(()),
        };
        assert_eq!(got, case.want, "{}", case.name);
        assert_eq!(
            filtered.feasible.len(),
            usize::from(got.is_ok()),
            "{}",
            case.name
        );
    }
}

#[test]
fn clusters_being_deleted_are_skipped_without_a_reason() {
    let mut deleting = cluster("m1", json!({}), json!({}));
    deleting.metadata.deletion_timestamp = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::UNIX_EPOCH),
    );
    let clusters = [deleting, cluster("m2", json!({}), json!({}))];
    let placement = placement(json!({}));
    let spec = spec(1, "", &[]);
    let input = FilterInput {
        spec: &spec,
        placement: &placement,
        affinity: None,
    };
    let filtered = filter(&input, &clusters);
    let names: Vec<_> = filtered
        .feasible
        .iter()
        .map(|c| c.metadata.name.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(names, ["m2"]);
    assert!(filtered.rejected.is_empty());
}

#[test]
fn fit_error_message_counts_reasons_like_karmada() {
    let rejected: BTreeMap<String, String> = [
        ("m1", "cluster(s) had untolerated taint {k:NoSchedule}"),
        ("m2", AFFINITY),
        ("m3", AFFINITY),
    ]
    .into_iter()
    .map(|(c, r)| (c.to_string(), r.to_string()))
    .collect();
    assert_eq!(
        fit_error_message(3, &rejected),
        "0/3 clusters are available: 1 cluster(s) had untolerated taint {k:NoSchedule}, \
         2 cluster(s) did not match the placement cluster affinity constraint."
    );
    assert_eq!(
        fit_error_message(0, &BTreeMap::new()),
        "0/0 clusters are available: no cluster exists."
    );
}
