//! (in progress: the scheduler's pure core arrives from its own branch; this stand-in keeps the
//! controller compiling.)

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::Placement;
use karmada_api::work::v1alpha2::{ReplicaRequirements, ResourceBindingSpec, TargetCluster};

pub struct ScheduleRequest<'a> {
    pub spec: &'a ResourceBindingSpec,
    pub placement: &'a Placement,
    pub observed_affinity_name: Option<&'a str>,
    pub fresh: bool,
}

pub struct ScheduleResult {
    pub clusters: Vec<TargetCluster>,
    pub affinity_name: Option<String>,
}

#[derive(Debug)]
pub enum ScheduleError {
    NoClusterFit(String),
    Unschedulable(String),
}

impl ScheduleError {
    pub fn reason(&self) -> &'static str {
        match self {
            ScheduleError::NoClusterFit(_) => "NoClusterFit",
            ScheduleError::Unschedulable(_) => "Unschedulable",
        }
    }
}

impl std::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleError::NoClusterFit(m) | ScheduleError::Unschedulable(m) => f.write_str(m),
        }
    }
}

#[derive(Default, Clone)]
pub struct Reservations;

impl Reservations {
    pub fn reserve(
        &mut self,
        _cluster: &str,
        _replicas: i64,
        _requirements: Option<&ReplicaRequirements>,
    ) {
    }
}

pub fn schedule(
    req: &ScheduleRequest,
    clusters: &[Cluster],
    _reserved: &Reservations,
) -> Result<ScheduleResult, ScheduleError> {
    let replicas = req.spec.replicas;
    let clusters: Vec<TargetCluster> = clusters
        .iter()
        .filter(|c| {
            req.placement
                .cluster_affinity
                .as_ref()
                .is_none_or(|a| crate::selectors::cluster_matches(a, c))
        })
        .map(|c| TargetCluster {
            name: c.metadata.name.clone().unwrap_or_default(),
            replicas,
            components: None,
        })
        .collect();
    if clusters.is_empty() {
        return Err(ScheduleError::NoClusterFit("0 clusters".into()));
    }
    Ok(ScheduleResult {
        clusters,
        affinity_name: None,
    })
}
