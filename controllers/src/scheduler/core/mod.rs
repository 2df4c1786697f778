//! The scheduler's pure core: where a binding goes. filter → score → select (spread constraints)
//! → assign (replica division), tried per `clusterAffinities` term. No I/O, no async, no clock:
//! the caller passes a snapshot of clusters and the capacity already promised to them.

pub mod assign;
pub mod estimate;
pub mod filter;
pub mod score;
pub mod select;
pub mod webster;

#[cfg(test)]
mod testing;

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{ClusterAffinity, Placement};
use karmada_api::work::v1alpha2::{
    REASON_NO_CLUSTER_FIT, REASON_UNSCHEDULABLE, ResourceBindingSpec, TargetCluster,
};

pub use estimate::{Reservations, Reserved, available_replicas};

/// One scheduling decision to make.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleRequest<'a> {
    /// The binding: replicas, requirements, the previous result (`clusters`), eviction tasks and
    /// the resource (its apiVersion/kind for API enablement, its UID for tie-breaks).
    pub spec: &'a ResourceBindingSpec,
    /// The placement to apply.
    pub placement: &'a Placement,
    /// `status.schedulerObservingAffinityName`: the `clusterAffinities` term used last time.
    pub observed_affinity_name: Option<&'a str>,
    /// A manual reschedule (`rescheduleTriggeredAt` later than `lastScheduledTime`): divide from
    /// scratch and retry the affinity terms from the first.
    pub fresh: bool,
}

/// Where the binding goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleResult {
    /// The new `spec.clusters`, sorted by name.
    pub clusters: Vec<TargetCluster>,
    /// The `clusterAffinities` term used (`status.schedulerObservingAffinityName`); `None` when
    /// the placement has no `clusterAffinities`.
    pub affinity_name: Option<String>,
}

/// Why a binding cannot be scheduled; the message is Karmada's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// No cluster passes the filters (Karmada patches `spec.clusters` to empty).
    #[error("{0}")]
    NoClusterFit(String),
    /// Clusters fit but the constraints or capacity cannot be met right now; retry later.
    /// (Spread-constraint selection failures, a SchedulerError in Karmada, land here too.)
    #[error("{0}")]
    Unschedulable(String),
}

impl ScheduleError {
    /// The `Scheduled` condition reason.
    pub fn reason(&self) -> &'static str {
        match self {
            ScheduleError::NoClusterFit(_) => REASON_NO_CLUSTER_FIT,
            ScheduleError::Unschedulable(_) => REASON_UNSCHEDULABLE,
        }
    }
}

/// Decides where `req.spec` goes among `clusters`, counting `reserved` capacity as used.
///
/// With `clusterAffinities`, the terms are tried in order starting from the observed one (from
/// the first when `fresh`), moving on while a term fails; when all fail, the first failure is
/// returned.
///
/// # Errors
/// [`ScheduleError::NoClusterFit`] when the filters leave no cluster;
/// [`ScheduleError::Unschedulable`] when spread constraints or capacity cannot be satisfied.
pub fn schedule(
    req: &ScheduleRequest<'_>,
    clusters: &[Cluster],
    reserved: &Reservations,
) -> Result<ScheduleResult, ScheduleError> {
    let terms = req
        .placement
        .cluster_affinities
        .as_deref()
        .unwrap_or_default();
    if terms.is_empty() {
        let affinity = req.placement.cluster_affinity.as_ref();
        return run(req, affinity, clusters, reserved).map(|clusters| ScheduleResult {
            clusters,
            affinity_name: None,
        });
    }
    let start = match req.observed_affinity_name {
        Some(observed) if !req.fresh => terms
            .iter()
            .position(|t| t.affinity_name == observed)
            .unwrap_or(0),
        _ => 0,
    };
    let mut first_error = None;
    for term in &terms[start..] {
        match run(req, Some(&term.affinity), clusters, reserved) {
            Ok(clusters) => {
                return Ok(ScheduleResult {
                    clusters,
                    affinity_name: Some(term.affinity_name.clone()),
                });
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        ScheduleError::NoClusterFit(filter::fit_error_message(0, &Default::default()))
    }))
}

/// One pass of the pipeline with `affinity` as the active cluster affinity.
fn run(
    req: &ScheduleRequest<'_>,
    affinity: Option<&ClusterAffinity>,
    clusters: &[Cluster],
    reserved: &Reservations,
) -> Result<Vec<TargetCluster>, ScheduleError> {
    let input = filter::FilterInput {
        spec: req.spec,
        placement: req.placement,
        affinity,
    };
    let filtered = filter::filter(&input, clusters);
    if filtered.feasible.is_empty() {
        return Err(ScheduleError::NoClusterFit(filter::fit_error_message(
            clusters.len(),
            &filtered.rejected,
        )));
    }
    let ranked = score::rank(req.spec, &filtered.feasible, reserved);
    let replicas = i64::from(req.spec.replicas.unwrap_or(0));
    let selected =
        select::select(req.placement, ranked, replicas).map_err(ScheduleError::Unschedulable)?;
    assign::assign(req.spec, req.placement, &selected, req.fresh)
        .map_err(ScheduleError::Unschedulable)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
