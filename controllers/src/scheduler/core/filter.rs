//! Filter plugins: which clusters may take a binding at all. Each plugin is a pure function of
//! the binding, the active cluster affinity and one cluster, returning the reason it rejects.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Taint, Toleration};
use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{ClusterAffinity, Placement, SpreadFieldValue};
use karmada_api::work::v1alpha2::ResourceBindingSpec;

use crate::selectors::{cluster_matches, cluster_zones};

/// What the filters look at besides the cluster.
#[derive(Debug, Clone, Copy)]
pub struct FilterInput<'a> {
    pub spec: &'a ResourceBindingSpec,
    pub placement: &'a Placement,
    /// The active affinity: `clusterAffinity`, or the term of `clusterAffinities` being tried.
    pub affinity: Option<&'a ClusterAffinity>,
}

/// A filter plugin: `Err(reason)` rejects the cluster.
type Plugin = fn(&FilterInput<'_>, &Cluster, &str) -> Result<(), String>;

/// The plugins in the order they run; a cluster reports the first rejection. (Karmada runs them
/// in Go map order, so its reported reason is not deterministic; this order reports the most
/// fundamental mismatch first.)
const PLUGINS: [Plugin; 5] = [
    cluster_affinity,
    spread_constraint,
    taint_toleration,
    api_enablement,
    cluster_eviction,
];

/// The result of filtering: the clusters that fit, in input order, and why the others do not.
#[derive(Debug)]
pub struct Filtered<'a> {
    pub feasible: Vec<&'a Cluster>,
    /// Cluster name → reason, for clusters that are not being deleted.
    pub rejected: BTreeMap<String, String>,
}

/// Runs every plugin over `clusters`. Clusters being deleted are skipped without a reason.
pub fn filter<'a>(input: &FilterInput<'_>, clusters: &'a [Cluster]) -> Filtered<'a> {
    let mut feasible = Vec::new();
    let mut rejected = BTreeMap::new();
    for cluster in clusters {
        if cluster.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let name = cluster.metadata.name.as_deref().unwrap_or_default();
        match PLUGINS
            .iter()
            .try_for_each(|plugin| plugin(input, cluster, name))
        {
            Ok(()) => feasible.push(cluster),
            Err(reason) => {
                rejected.insert(name.to_string(), reason);
            }
        }
    }
    Filtered { feasible, rejected }
}

/// Karmada's FitError message: `0/3 clusters are available: 1 cluster(s) had untolerated taint
/// {k:NoSchedule}, 2 cluster(s) did not match the placement cluster affinity constraint.`
pub fn fit_error_message(total: usize, rejected: &BTreeMap<String, String>) -> String {
    if total == 0 || rejected.is_empty() {
        return format!("0/{total} clusters are available: no cluster exists.");
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for reason in rejected.values() {
        *counts.entry(reason).or_default() += 1;
    }
    let mut histogram: Vec<String> = counts
        .into_iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    histogram.sort();
    format!(
        "0/{total} clusters are available: {}.",
        histogram.join(", ")
    )
}

fn in_previous_result(spec: &ResourceBindingSpec, name: &str) -> bool {
    spec.clusters.iter().flatten().any(|t| t.name == name)
}

/// ClusterAffinity: the cluster must match the active affinity (none matches everything).
fn cluster_affinity(input: &FilterInput<'_>, cluster: &Cluster, _: &str) -> Result<(), String> {
    match input.affinity {
        Some(affinity) if !cluster_matches(affinity, cluster) => {
            Err("cluster(s) did not match the placement cluster affinity constraint".into())
        }
        _ => Ok(()),
    }
}

/// SpreadConstraint: spreading by provider, region or zone needs the cluster to have one.
fn spread_constraint(input: &FilterInput<'_>, cluster: &Cluster, _: &str) -> Result<(), String> {
    for constraint in input.placement.spread_constraints.iter().flatten() {
        let missing = match constraint.spread_by_field {
            Some(SpreadFieldValue::Provider) => cluster
                .spec
                .provider
                .as_deref()
                .unwrap_or_default()
                .is_empty()
                .then_some("provider"),
            Some(SpreadFieldValue::Region) => cluster
                .spec
                .region
                .as_deref()
                .unwrap_or_default()
                .is_empty()
                .then_some("region"),
            Some(SpreadFieldValue::Zone) => cluster_zones(cluster).is_empty().then_some("zones"),
            Some(SpreadFieldValue::Cluster) | None => None,
        };
        if let Some(property) = missing {
            return Err(format!("cluster(s) did not have {property} property"));
        }
    }
    Ok(())
}

/// TaintToleration: an untolerated NoSchedule or NoExecute taint rejects a new cluster; clusters
/// already in the result stay (evicting them is the taint manager's job).
fn taint_toleration(input: &FilterInput<'_>, cluster: &Cluster, name: &str) -> Result<(), String> {
    if in_previous_result(input.spec, name) {
        return Ok(());
    }
    let tolerations = input
        .placement
        .cluster_tolerations
        .as_deref()
        .unwrap_or_default();
    let untolerated = cluster.spec.taints.iter().flatten().find(|taint| {
        matches!(taint.effect.as_str(), "NoSchedule" | "NoExecute")
            && !tolerations.iter().any(|t| tolerates(t, taint))
    });
    match untolerated {
        Some(taint) => Err(format!(
            "cluster(s) had untolerated taint {{{}}}",
            taint_string(taint)
        )),
        None => Ok(()),
    }
}

/// Kubernetes' `Toleration.ToleratesTaint`: an empty effect matches every effect, an empty key
/// (with `Exists`) every key; `Equal` (or no operator) compares values, `Exists` does not.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect = toleration.effect.as_deref().unwrap_or_default();
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or_default();
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match toleration.operator.as_deref().unwrap_or_default() {
        "" | "Equal" => {
            toleration.value.as_deref().unwrap_or_default()
                == taint.value.as_deref().unwrap_or_default()
        }
        "Exists" => true,
        _ => false,
    }
}

/// Kubernetes' `Taint.ToString`: `key=value:Effect`, or `key:Effect` without a value.
fn taint_string(taint: &Taint) -> String {
    match taint.value.as_deref() {
        Some(value) if !value.is_empty() => format!("{}={}:{}", taint.key, value, taint.effect),
        _ => format!("{}:{}", taint.key, taint.effect),
    }
}

/// APIEnablement: the cluster must serve the resource's group/version and kind. Clusters already
/// in the result pass (a lost CRD must not unschedule workloads). A cluster that has reported no
/// API enablements at all has not been collected yet: it passes rather than being excluded by
/// missing data (Karmada rejects it; a cluster that is not ready carries a not-ready taint,
/// which TaintToleration already handles). Once a cluster reports any API, the check is strict.
fn api_enablement(input: &FilterInput<'_>, cluster: &Cluster, name: &str) -> Result<(), String> {
    if in_previous_result(input.spec, name) {
        return Ok(());
    }
    let enablements = cluster
        .status
        .as_ref()
        .and_then(|s| s.api_enablements.as_deref())
        .unwrap_or_default();
    if enablements.is_empty() {
        return Ok(());
    }
    let resource = &input.spec.resource;
    let served = enablements
        .iter()
        .filter(|e| e.group_version == resource.api_version)
        .flat_map(|e| e.resources.iter().flatten())
        .any(|r| r.kind == resource.kind);
    if served {
        Ok(())
    } else {
        Err("cluster(s) did not have the API resource".into())
    }
}

/// ClusterEviction: clusters the binding is being gracefully evicted from are not candidates.
fn cluster_eviction(input: &FilterInput<'_>, _: &Cluster, name: &str) -> Result<(), String> {
    let evicting = input
        .spec
        .graceful_eviction_tasks
        .iter()
        .flatten()
        .any(|task| task.from_cluster == name);
    if evicting {
        Err("cluster(s) is in the process of eviction".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[path = "filter_tests.rs"]
mod tests;
