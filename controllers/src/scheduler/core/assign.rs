//! Replica assignment over the selected clusters (Karmada's `assignment.go` and
//! `division_algorithm.go`): Duplicated, static weights, dynamic weights (AvailableReplicas) and
//! Aggregated, with the incremental scale-up / scale-down of Steady mode and the from-scratch
//! Fresh mode.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use karmada_api::policy::v1alpha1::{Placement, ReplicaDivisionPreference, ReplicaSchedulingType};
use karmada_api::work::v1alpha2::{ResourceBindingSpec, TargetCluster};

use super::score::Candidate;
use super::webster::{NameOrder, allocate};
use crate::selectors::cluster_matches;

/// How replicas are divided, from the placement's `replicaScheduling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every cluster gets all replicas.
    Duplicated,
    /// Divided by the static weight list (equal weights without one).
    StaticWeight,
    /// Divided by each cluster's free capacity.
    DynamicWeight,
    /// Divided over as few clusters as possible, by free capacity.
    Aggregated,
}

impl Strategy {
    /// The strategy of `placement`. A Divided placement without a division preference is treated
    /// as Weighted, the webhook's default.
    pub fn of(placement: &Placement) -> Strategy {
        if placement.replica_scheduling_type() == ReplicaSchedulingType::Duplicated {
            return Strategy::Duplicated;
        }
        let Some(scheduling) = &placement.replica_scheduling else {
            return Strategy::Duplicated;
        };
        match scheduling.replica_division_preference {
            Some(ReplicaDivisionPreference::Aggregated) => Strategy::Aggregated,
            Some(ReplicaDivisionPreference::Weighted) | None => {
                let dynamic = scheduling
                    .weight_preference
                    .as_ref()
                    .is_some_and(|w| w.dynamic_weight.is_some());
                if dynamic {
                    Strategy::DynamicWeight
                } else {
                    Strategy::StaticWeight
                }
            }
        }
    }
}

/// Whether the binding's replicas are divided at all: a single-template workload with replicas
/// or replica requirements. Everything else goes to every selected cluster without replicas.
pub fn is_workload(spec: &ResourceBindingSpec) -> bool {
    (spec.replicas.unwrap_or(0) > 0 || spec.replica_requirements.is_some())
        && spec.components.as_ref().is_none_or(|c| c.len() <= 1)
}

/// Assigns replicas to the `selected` clusters. `fresh` ignores the previous result (a manual
/// reschedule). The result is sorted by name and holds no cluster with 0 replicas, except for
/// non-workloads, which get every selected cluster with replicas unset. `Err` is the
/// Unschedulable message.
pub fn assign(
    spec: &ResourceBindingSpec,
    placement: &Placement,
    selected: &[Candidate<'_>],
    fresh: bool,
) -> Result<Vec<TargetCluster>, String> {
    if selected.is_empty() {
        return Err("no clusters available to schedule".into());
    }
    if !is_workload(spec) {
        let mut all: Vec<TargetCluster> = selected
            .iter()
            .map(|c| TargetCluster {
                name: c.name.to_string(),
                replicas: None,
                components: None,
            })
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        return Ok(all);
    }
    let replicas = i64::from(spec.replicas.unwrap_or(0));
    let order = NameOrder::for_uid(spec.resource.uid.as_deref().unwrap_or_default());
    let result = match Strategy::of(placement) {
        Strategy::Duplicated => selected
            .iter()
            .map(|c| (c.name.to_string(), replicas))
            .collect(),
        Strategy::StaticWeight => static_weight(placement, selected, replicas, order),
        strategy @ (Strategy::DynamicWeight | Strategy::Aggregated) => {
            let aggregated = strategy == Strategy::Aggregated;
            dynamic(spec, selected, replicas, fresh, aggregated, order)?
        }
    };
    Ok(into_targets(result))
}

/// Static weights: a cluster's weight is the highest weight among the rules it matches; clusters
/// matching none are dropped; with no positive weight at all, every cluster weighs 1.
fn static_weight(
    placement: &Placement,
    selected: &[Candidate<'_>],
    replicas: i64,
    order: NameOrder,
) -> Vec<(String, i64)> {
    let rules = placement
        .replica_scheduling
        .as_ref()
        .and_then(|s| s.weight_preference.as_ref())
        .and_then(|w| w.static_weight_list.as_deref())
        .unwrap_or_default();
    let mut votes: Vec<(&str, i64)> = selected
        .iter()
        .filter_map(|c| {
            let weight = rules
                .iter()
                .filter(|rule| cluster_matches(&rule.target_cluster, c.cluster))
                .map(|rule| rule.weight)
                .max()
                .unwrap_or(0);
            (weight > 0).then_some((c.name, weight))
        })
        .collect();
    if votes.is_empty() {
        votes = selected.iter().map(|c| (c.name, 1)).collect();
    }
    allocate(replicas, &votes, &[], order)
}

/// Dynamic weights and Aggregated. Steady mode keeps the previous result on clusters that are
/// still selected and divides only the difference: scale-up spreads `N - assigned` by free
/// capacity and adds it; scale-down divides `N` over the previous clusters, weighted by their
/// current replicas. Fresh mode divides `N` by free capacity plus current replicas.
fn dynamic(
    spec: &ResourceBindingSpec,
    selected: &[Candidate<'_>],
    replicas: i64,
    fresh: bool,
    aggregated: bool,
    order: NameOrder,
) -> Result<Vec<(String, i64)>, String> {
    // The previous result on clusters that are still selected; replicas elsewhere count as
    // unassigned and get redistributed.
    let scheduled: Vec<(&str, i64)> = spec
        .clusters
        .iter()
        .flatten()
        .filter(|t| selected.iter().any(|c| c.name == t.name))
        .map(|t| (t.name.as_str(), i64::from(t.replicas.unwrap_or(0))))
        .collect();
    let assigned: i64 = scheduled.iter().map(|(_, r)| r).sum();
    let by_capacity = |extra: &dyn Fn(&str) -> i64| -> Vec<(&str, i64)> {
        let mut list: Vec<(&str, i64)> = selected
            .iter()
            .map(|c| (c.name, c.allocatable.saturating_add(extra(c.name))))
            .collect();
        list.sort_by_key(|&(_, weight)| Reverse(weight));
        list
    };

    if fresh {
        let current = |name: &str| {
            scheduled
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, r)| r)
                .sum()
        };
        return divide(replicas, by_capacity(&current), &[], aggregated, order);
    }
    if assigned > replicas {
        let mut previous = scheduled.clone();
        previous.sort_by_key(|&(_, replicas)| Reverse(replicas));
        return divide(replicas, previous, &[], aggregated, order);
    }
    if assigned < replicas {
        return divide(
            replicas - assigned,
            by_capacity(&|_| 0),
            &scheduled,
            aggregated,
            order,
        );
    }
    Ok(scheduled.iter().map(|(n, r)| (n.to_string(), *r)).collect())
}

/// Divides `target` replicas by the weights in `available` (sorted by weight desc) and adds the
/// `previous` result. Aggregated puts previously used clusters first and keeps the shortest
/// prefix whose capacity covers the target.
fn divide(
    target: i64,
    mut available: Vec<(&str, i64)>,
    previous: &[(&str, i64)],
    aggregated: bool,
    order: NameOrder,
) -> Result<Vec<(String, i64)>, String> {
    let total: i64 = available.iter().map(|(_, w)| *w).sum();
    if total < target {
        return Err(format!(
            "Clusters available replicas {total} are not enough to schedule."
        ));
    }
    if aggregated {
        let used = |name: &str| previous.iter().any(|(n, r)| *n == name && *r > 0);
        // A stable sort on "not previously used" keeps the capacity order within each part.
        available.sort_by_key(|(name, _)| !used(name));
        let mut sum = 0;
        if let Some(end) = available.iter().position(|(_, w)| {
            sum += w;
            sum >= target
        }) {
            available.truncate(end + 1);
        }
    }
    let mut merged: BTreeMap<String, i64> = BTreeMap::new();
    for (name, seats) in allocate(target, &available, &[], order) {
        *merged.entry(name).or_default() += seats;
    }
    for (name, replicas) in previous {
        *merged.entry(name.to_string()).or_default() += replicas;
    }
    Ok(merged.into_iter().collect())
}

/// The result as target clusters sorted by name, without clusters that got no replicas.
fn into_targets(result: Vec<(String, i64)>) -> Vec<TargetCluster> {
    let mut targets: Vec<TargetCluster> = result
        .into_iter()
        .filter(|(_, replicas)| *replicas > 0)
        .map(|(name, replicas)| TargetCluster {
            name,
            replicas: Some(i32::try_from(replicas).unwrap_or(i32::MAX)),
            components: None,
        })
        .collect();
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    targets
}

#[cfg(test)]
#[path = "assign_tests.rs"]
mod tests;
