//! Scoring: each feasible cluster becomes a [`Candidate`] with its score and capacity, ranked by
//! score desc, available replicas desc, name asc.

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::work::v1alpha2::ResourceBindingSpec;

use super::estimate::{Reservations, available_replicas};

/// The ClusterLocality score of a cluster already in the previous result.
pub const LOCALITY_SCORE: i64 = 100;

/// A feasible cluster with what selection and assignment need to know about it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub cluster: &'a Cluster,
    pub name: &'a str,
    /// The sum of the score plugins.
    pub score: i64,
    /// Free capacity for this binding's replicas (Karmada's `AllocatableReplicas`).
    pub allocatable: i64,
    /// Free capacity plus the replicas the previous result already put there.
    pub available: i64,
}

/// ClusterLocality: clusters already in the previous result score [`LOCALITY_SCORE`], others 0.
pub fn locality_score(spec: &ResourceBindingSpec, name: &str) -> i64 {
    if spec.clusters.iter().flatten().any(|t| t.name == name) {
        LOCALITY_SCORE
    } else {
        0
    }
}

/// The replicas the previous result assigned to `name`.
pub fn assigned_replicas(spec: &ResourceBindingSpec, name: &str) -> i64 {
    spec.clusters
        .iter()
        .flatten()
        .filter(|t| t.name == name)
        .map(|t| i64::from(t.replicas.unwrap_or(0)))
        .sum()
}

/// Scores and estimates every feasible cluster and ranks them. Non-workloads are not estimated
/// (their capacity is `i32::MAX`); an unknown capacity (`i32::MAX`) is clamped to the binding's
/// replicas, as Karmada does.
pub fn rank<'a>(
    spec: &ResourceBindingSpec,
    feasible: &[&'a Cluster],
    reserved: &Reservations,
) -> Vec<Candidate<'a>> {
    let unknown = i64::from(i32::MAX);
    let replicas = i64::from(spec.replicas.unwrap_or(0));
    let estimate = replicas != 0 || spec.components.as_ref().is_some_and(|c| !c.is_empty());
    let mut candidates: Vec<Candidate<'a>> = feasible
        .iter()
        .map(|cluster| {
            let name = cluster.metadata.name.as_deref().unwrap_or_default();
            let allocatable = if estimate {
                let free =
                    available_replicas(cluster, spec.replica_requirements.as_ref(), reserved)
                        .min(unknown);
                if free == unknown { replicas } else { free }
            } else {
                unknown
            };
            Candidate {
                cluster,
                name,
                score: locality_score(spec, name),
                allocatable,
                available: allocatable.saturating_add(assigned_replicas(spec, name)),
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::core::testing::{cluster, spec, with_pods};
    use serde_json::json;

    /// (name, clusters, previous result, replicas, expected (cluster, score, available)).
    type Case = (
        &'static str,
        Vec<Cluster>,
        Vec<(&'static str, i32)>,
        i32,
        Vec<(&'static str, i64, i64)>,
    );

    #[test]
    fn ranking_cases() {
        let cases: Vec<Case> = vec![
            (
                "more available replicas rank first",
                vec![with_pods("m1", 5), with_pods("m2", 9)],
                vec![],
                3,
                vec![("m2", 0, 9), ("m1", 0, 5)],
            ),
            (
                "locality beats capacity",
                vec![with_pods("m1", 5), with_pods("m2", 9)],
                vec![("m1", 2)],
                3,
                vec![("m1", 100, 7), ("m2", 0, 9)],
            ),
            (
                "equal clusters rank by name",
                vec![with_pods("b", 5), with_pods("a", 5)],
                vec![],
                3,
                vec![("a", 0, 5), ("b", 0, 5)],
            ),
            (
                "unknown capacity is clamped to the replicas",
                vec![cluster("m1", json!({}), json!({})), with_pods("m2", 4)],
                vec![],
                3,
                vec![("m2", 0, 4), ("m1", 0, 3)],
            ),
        ];
        for (name, clusters, previous, replicas, want) in cases {
            let spec = spec(replicas, "", &previous);
            let feasible: Vec<&Cluster> = clusters.iter().collect();
            let got: Vec<(&str, i64, i64)> = rank(&spec, &feasible, &Reservations::new())
                .iter()
                .map(|c| (c.name, c.score, c.available))
                .collect();
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn non_workloads_are_not_estimated() {
        let clusters = [with_pods("m1", 0)];
        let feasible: Vec<&Cluster> = clusters.iter().collect();
        let spec = spec(0, "", &[]);
        let ranked = rank(&spec, &feasible, &Reservations::new());
        assert_eq!(ranked[0].allocatable, i64::from(i32::MAX));
    }
}
