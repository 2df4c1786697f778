//! The general replica estimator (how many more replicas a cluster can hold, from its
//! `status.resourceSummary`) and [`Reservations`], the capacity promised by decisions the summary
//! does not show yet. Pure: no I/O, no clock.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::quantity::Quantity;
use karmada_api::work::v1alpha2::{ReplicaRequirements, TargetCluster};

const PODS: &str = "pods";
const CPU: &str = "cpu";
const NANOS_PER_MILLI: i128 = 1_000_000;
const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// Capacity reserved on one cluster: pods plus every requested resource, in nano-units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reserved {
    /// Pods promised to the cluster.
    pub pods: i64,
    /// Resource name → nano-units promised (CPU cores, memory bytes, extended resources).
    pub resources: BTreeMap<String, i128>,
}

impl Reserved {
    fn is_empty(&self) -> bool {
        self.pods == 0 && self.resources.values().all(|v| *v == 0)
    }
}

/// Capacity already promised to clusters by scheduling decisions that their
/// `status.resourceSummary` does not reflect yet, so that bindings scheduled close together never
/// over-commit a cluster. The estimator treats it as one more `allocating` term:
/// `free = allocatable - allocated - allocating - reserved`.
///
/// The owner reserves a binding's decision when it is made and releases it (or clears the
/// cluster) once the cluster's summary has caught up. A binding's own reservation should be
/// released before that binding is rescheduled, or its replicas count twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reservations {
    clusters: BTreeMap<String, Reserved>,
}

impl Reservations {
    /// No reservations.
    pub fn new() -> Reservations {
        Reservations::default()
    }

    /// Promises `replicas` replicas with `requirements` (per replica) to `cluster`.
    pub fn reserve(
        &mut self,
        cluster: &str,
        replicas: i32,
        requirements: Option<&ReplicaRequirements>,
    ) {
        self.apply(cluster, i64::from(replicas), requirements);
    }

    /// Takes back what [`Reservations::reserve`] promised; amounts never drop below zero.
    pub fn release(
        &mut self,
        cluster: &str,
        replicas: i32,
        requirements: Option<&ReplicaRequirements>,
    ) {
        self.apply(cluster, -i64::from(replicas), requirements);
    }

    /// Reserves every cluster of a scheduling result.
    pub fn reserve_result(
        &mut self,
        result: &[TargetCluster],
        requirements: Option<&ReplicaRequirements>,
    ) {
        for target in result {
            self.reserve(&target.name, target.replicas.unwrap_or(0), requirements);
        }
    }

    /// Releases every cluster of a scheduling result.
    pub fn release_result(
        &mut self,
        result: &[TargetCluster],
        requirements: Option<&ReplicaRequirements>,
    ) {
        for target in result {
            self.release(&target.name, target.replicas.unwrap_or(0), requirements);
        }
    }

    /// Forgets everything reserved on `cluster` (its summary now includes it, or it is gone).
    pub fn clear_cluster(&mut self, cluster: &str) {
        self.clusters.remove(cluster);
    }

    /// What is reserved on `cluster`, if anything.
    pub fn get(&self, cluster: &str) -> Option<&Reserved> {
        self.clusters.get(cluster)
    }

    /// Whether nothing is reserved anywhere.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    fn apply(&mut self, cluster: &str, replicas: i64, requirements: Option<&ReplicaRequirements>) {
        if replicas == 0 {
            return;
        }
        let entry = self.clusters.entry(cluster.to_string()).or_default();
        entry.pods = entry.pods.saturating_add(replicas).max(0);
        let requests = requirements.and_then(|r| r.resource_request.as_ref());
        for (name, quantity) in requests.into_iter().flatten() {
            let Some(per_replica) = parse(quantity) else {
                continue;
            };
            let amount = entry.resources.entry(name.clone()).or_default();
            *amount = amount
                .saturating_add(per_replica.saturating_mul(i128::from(replicas)))
                .max(0);
        }
        if entry.is_empty() {
            self.clusters.remove(cluster);
        }
    }
}

/// How many more replicas with `requirements` `cluster` can hold, as Karmada's general estimator
/// computes it: the pods left (`allocatable - allocated - allocating - reserved`, never below 0),
/// lowered by every requested resource to `free / request` (CPU in millis, other resources in
/// whole units rounded up; a requested resource the cluster does not list as allocatable gives 0).
///
/// A cluster without `status.resourceSummary` has not reported yet: its capacity is unknown and
/// the result is `i32::MAX`, which the scheduler clamps to the binding's replicas (Karmada does
/// the same when no estimator answers). Karmada's general estimator itself would say 0 here; we
/// prefer not to starve clusters whose status collection is off or late.
pub fn available_replicas(
    cluster: &Cluster,
    requirements: Option<&ReplicaRequirements>,
    reserved: &Reservations,
) -> i64 {
    let unknown = i64::from(i32::MAX);
    let Some(summary) = cluster
        .status
        .as_ref()
        .and_then(|s| s.resource_summary.as_ref())
    else {
        return unknown;
    };
    let name = cluster.metadata.name.as_deref().unwrap_or_default();
    let reserved = reserved.get(name);
    let amount = |list: &Option<BTreeMap<String, ApiQuantity>>, resource: &str| -> Option<i128> {
        list.as_ref()?.get(resource).and_then(parse)
    };
    let free_nanos = |resource: &str| -> Option<i128> {
        let allocatable = amount(&summary.allocatable, resource)?;
        let used = amount(&summary.allocated, resource).unwrap_or(0)
            + amount(&summary.allocating, resource).unwrap_or(0);
        let promised = reserved
            .and_then(|r| r.resources.get(resource))
            .copied()
            .unwrap_or(0);
        Some(allocatable.saturating_sub(used).saturating_sub(promised))
    };

    let pods_reserved = i128::from(reserved.map_or(0, |r| r.pods));
    let pods_left = ceil_div(free_nanos(PODS).unwrap_or(0), NANOS_PER_UNIT) - pods_reserved;
    if pods_left <= 0 {
        return 0;
    }
    let mut maximum = pods_left;
    let requests = requirements.and_then(|r| r.resource_request.as_ref());
    for (resource, quantity) in requests.into_iter().flatten() {
        // An unparseable request cannot be estimated; admission rejects those.
        let Some(request) = parse(quantity) else {
            continue;
        };
        if ceil_div(request, NANOS_PER_UNIT) <= 0 {
            continue;
        }
        let Some(free) = free_nanos(resource) else {
            return 0;
        };
        if ceil_div(free, NANOS_PER_UNIT) <= 0 {
            return 0;
        }
        let unit = if resource == CPU {
            NANOS_PER_MILLI
        } else {
            NANOS_PER_UNIT
        };
        maximum = maximum.min(ceil_div(free, unit) / ceil_div(request, unit));
    }
    i64::try_from(maximum).unwrap_or(i64::MAX)
}

/// A quantity in nano-units.
fn parse(quantity: &ApiQuantity) -> Option<i128> {
    Quantity::parse(&quantity.0).map(Quantity::nanos)
}

/// Division rounding up, as Kubernetes' `Value`/`MilliValue` round.
fn ceil_div(nanos: i128, unit: i128) -> i128 {
    let whole = nanos.div_euclid(unit);
    if nanos.rem_euclid(unit) > 0 {
        whole + 1
    } else {
        whole
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::core::testing::{cluster, requirements};
    use serde_json::json;

    fn summary_cluster(allocatable: serde_json::Value, used: serde_json::Value) -> Cluster {
        cluster(
            "m1",
            json!({}),
            json!({"resourceSummary": {"allocatable": allocatable, "allocated": used}}),
        )
    }

    #[test]
    fn estimator_cases() {
        let none = Reservations::new();
        let cases: Vec<(&str, Cluster, Option<ReplicaRequirements>, i64)> = vec![
            (
                "no resource summary is unknown capacity",
                cluster("m1", json!({}), json!({})),
                Some(requirements(json!({"cpu": "1"}))),
                i64::from(i32::MAX),
            ),
            (
                "without requirements the pods left decide",
                summary_cluster(json!({"pods": "110"}), json!({"pods": "10"})),
                None,
                100,
            ),
            (
                "pods exhausted gives zero",
                summary_cluster(json!({"pods": "10", "cpu": "8"}), json!({"pods": "12"})),
                None,
                0,
            ),
            (
                "cpu is compared in millis",
                summary_cluster(
                    json!({"pods": "110", "cpu": "2"}),
                    json!({"pods": "0", "cpu": "500m"}),
                ),
                Some(requirements(json!({"cpu": "250m"}))),
                6,
            ),
            (
                "the scarcest resource wins",
                summary_cluster(
                    json!({"pods": "110", "cpu": "8", "memory": "4Gi"}),
                    json!({}),
                ),
                Some(requirements(json!({"cpu": "1", "memory": "1Gi"}))),
                4,
            ),
            (
                "pods cap the resource estimate",
                summary_cluster(json!({"pods": "3", "cpu": "8"}), json!({})),
                Some(requirements(json!({"cpu": "1"}))),
                3,
            ),
            (
                "a requested resource the cluster lacks gives zero",
                summary_cluster(json!({"pods": "110", "cpu": "8"}), json!({})),
                Some(requirements(json!({"nvidia.com/gpu": "1"}))),
                0,
            ),
            (
                "a resource used up gives zero",
                summary_cluster(json!({"pods": "110", "cpu": "2"}), json!({"cpu": "2"})),
                Some(requirements(json!({"cpu": "100m"}))),
                0,
            ),
            (
                "zero requests are ignored",
                summary_cluster(json!({"pods": "5"}), json!({})),
                Some(requirements(json!({"cpu": "0"}))),
                5,
            ),
        ];
        for (name, cluster, requirements, want) in cases {
            assert_eq!(
                available_replicas(&cluster, requirements.as_ref(), &none),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn allocating_pods_and_resources_count_as_used() {
        let cluster = cluster(
            "m1",
            json!({}),
            json!({"resourceSummary": {
                "allocatable": {"pods": "10", "cpu": "4"},
                "allocating": {"pods": "4", "cpu": "1"},
            }}),
        );
        assert_eq!(available_replicas(&cluster, None, &Reservations::new()), 6);
        let req = requirements(json!({"cpu": "1"}));
        assert_eq!(
            available_replicas(&cluster, Some(&req), &Reservations::new()),
            3
        );
    }

    #[test]
    fn reservations_lower_the_estimate_and_release_restores_it() {
        let cluster = summary_cluster(json!({"pods": "110", "cpu": "10"}), json!({}));
        let req = requirements(json!({"cpu": "2"}));
        let mut reserved = Reservations::new();
        assert_eq!(available_replicas(&cluster, Some(&req), &reserved), 5);

        reserved.reserve("m1", 3, Some(&req));
        assert_eq!(available_replicas(&cluster, Some(&req), &reserved), 2);
        // Pods are reserved too.
        assert_eq!(available_replicas(&cluster, None, &reserved), 107);
        // Other clusters are unaffected.
        reserved.reserve("m2", 5, Some(&req));
        assert_eq!(reserved.get("m2").map(|r| r.pods), Some(5));

        reserved.release("m1", 3, Some(&req));
        assert_eq!(available_replicas(&cluster, Some(&req), &reserved), 5);
        assert!(
            reserved.get("m1").is_none(),
            "an emptied cluster is forgotten"
        );

        reserved.release("m2", 9, Some(&req));
        assert!(
            reserved.is_empty(),
            "releasing more than reserved floors at zero"
        );
    }

    #[test]
    fn results_reserve_and_clear_per_cluster() {
        let req = requirements(json!({"memory": "1Gi"}));
        let result = vec![
            TargetCluster {
                name: "m1".into(),
                replicas: Some(2),
                components: None,
            },
            TargetCluster {
                name: "m2".into(),
                replicas: Some(1),
                components: None,
            },
        ];
        let mut reserved = Reservations::new();
        reserved.reserve_result(&result, Some(&req));
        assert_eq!(
            reserved.get("m1").and_then(|r| r.resources.get("memory")),
            Some(&(2 * 1024 * 1024 * 1024 * NANOS_PER_UNIT))
        );
        reserved.clear_cluster("m1");
        assert!(reserved.get("m1").is_none());
        reserved.release_result(&result, Some(&req));
        assert!(reserved.is_empty());
    }
}
