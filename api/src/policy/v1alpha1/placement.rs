//! Placement: the rules that choose member clusters and divide replicas among them. A policy
//! holds one; the bindings carry a copy of it.

use k8s_openapi::api::core::v1::Toleration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::ClusterAffinity;

/// Placement represents the rule for select clusters.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    /// ClusterAffinity represents scheduling restrictions to a certain set of clusters.
    /// Note:
    ///   1. ClusterAffinity can not co-exist with ClusterAffinities.
    ///   2. If both ClusterAffinity and ClusterAffinities are not set, any cluster
    ///      can be scheduling candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_affinity: Option<ClusterAffinity>,

    /// ClusterAffinities represents scheduling restrictions to multiple cluster
    /// groups that indicated by ClusterAffinityTerm.
    /// The scheduler evaluates the groups in order and moves to the next one when
    /// scheduling fails; if none fits, no cluster is selected.
    /// Can not co-exist with ClusterAffinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_affinities: Option<Vec<ClusterAffinityTerm>>,

    /// ClusterTolerations represents the tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_tolerations: Option<Vec<Toleration>>,

    /// SpreadConstraints represents a list of the scheduling constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_constraints: Option<Vec<SpreadConstraint>>,

    /// ReplicaScheduling represents the scheduling policy on dealing with the number of replicas
    /// when propagating resources that have replicas in spec (e.g. deployments, statefulsets) to
    /// member clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_scheduling: Option<ReplicaSchedulingStrategy>,

    /// WorkloadAffinity represents inter-workload affinity and anti-affinity
    /// scheduling policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_affinity: Option<WorkloadAffinity>,
}

impl Placement {
    /// A placement with nothing set: every cluster, duplicated.
    pub const EMPTY: Placement = Placement {
        cluster_affinity: None,
        cluster_affinities: None,
        cluster_tolerations: None,
        spread_constraints: None,
        replica_scheduling: None,
        workload_affinity: None,
    };

    /// The effective replica scheduling type: an unset `replicaScheduling` means `Duplicated`
    /// (while the CRD defaults an unset type inside a set strategy to `Divided`).
    pub fn replica_scheduling_type(&self) -> ReplicaSchedulingType {
        match &self.replica_scheduling {
            None => ReplicaSchedulingType::Duplicated,
            Some(strategy) => strategy
                .replica_scheduling_type
                .unwrap_or(ReplicaSchedulingType::Divided),
        }
    }
}

/// SpreadConstraint represents the spread constraints on resources.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpreadConstraint {
    /// SpreadByField represents the fields on Karmada cluster API used for
    /// dynamically grouping member clusters into different groups.
    /// Available fields for spreading are: cluster, region, zone, and provider.
    /// SpreadByField should not co-exist with SpreadByLabel.
    /// If both SpreadByField and SpreadByLabel are empty, SpreadByField will be set to "cluster" by system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_by_field: Option<SpreadFieldValue>,

    /// SpreadByLabel represents the label key used for
    /// grouping member clusters into different groups.
    /// SpreadByLabel should not co-exist with SpreadByField.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread_by_label: Option<String>,

    /// MaxGroups restricts the maximum number of cluster groups to be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::schema::integer")]
    pub max_groups: Option<i64>,

    /// MinGroups restricts the minimum number of cluster groups to be selected.
    /// Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::schema::integer")]
    pub min_groups: Option<i64>,
}

/// SpreadFieldValue is the type to define valid values for SpreadByField.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SpreadFieldValue {
    // Each cluster is a group.
    Cluster,
    // Clusters of one region form a group.
    Region,
    // Clusters of one zone form a group.
    Zone,
    // Clusters of one provider form a group.
    Provider,
}

impl SpreadFieldValue {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SpreadFieldValue::Cluster => "cluster",
            SpreadFieldValue::Region => "region",
            SpreadFieldValue::Zone => "zone",
            SpreadFieldValue::Provider => "provider",
        }
    }
}

/// ClusterAffinityTerm selects a set of cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAffinityTerm {
    /// AffinityName is the name of the cluster group.
    #[schemars(length(min = 1, max = 32))]
    pub affinity_name: String,

    /// The term's cluster filter (Karmada inlines ClusterAffinity here).
    #[serde(flatten)]
    pub affinity: ClusterAffinity,

    /// OverflowAffinities defines additional cluster groups that the scheduler can
    /// progressively include when the primary group (defined by the inline ClusterAffinity)
    /// has insufficient resources. Groups are expanded in order and contracted in reverse
    /// during scale-down. Only with dynamic-weight or aggregated division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overflow_affinities: Option<Vec<OverflowClusterAffinity>>,
}

/// OverflowClusterAffinity represents an overflow tier of candidate clusters.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverflowClusterAffinity {
    /// AffinityName is the name of the overflow cluster group.
    #[schemars(length(min = 1, max = 32))]
    pub affinity_name: String,

    /// The tier's cluster filter (Karmada inlines ClusterAffinity here).
    #[serde(flatten)]
    pub affinity: ClusterAffinity,
}

/// WorkloadAffinity defines inter-workload affinity and anti-affinity rules.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAffinity {
    /// Affinity represents inter-workload affinity scheduling rules: workloads of one group
    /// are scheduled to the clusters where the group already runs (the first workload of a
    /// group is not blocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<WorkloadAffinityTerm>,

    /// AntiAffinity represents inter-workload anti-affinity scheduling rules: workloads of one
    /// group avoid the clusters where the group already runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<WorkloadAntiAffinityTerm>,
}

/// WorkloadAffinityTerm defines affinity rules for co-locating with specific workload groups.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAffinityTerm {
    /// GroupByLabelKey declares the label key on the workload resource template that
    /// determines the affinity group; groups are scoped to the namespace.
    pub group_by_label_key: String,
}

/// WorkloadAntiAffinityTerm defines anti-affinity rules for separating from specific workload
/// groups.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAntiAffinityTerm {
    /// GroupByLabelKey declares the label key on the workload resource template that
    /// determines the anti-affinity group; groups are scoped to the namespace.
    pub group_by_label_key: String,
}

/// ReplicaSchedulingStrategy represents the assignment strategy of replicas.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSchedulingStrategy {
    /// ReplicaSchedulingType determines how the replicas is scheduled when karmada propagating
    /// a resource. Valid options are Duplicated and Divided.
    /// "Duplicated" duplicates the same replicas to each candidate member cluster from resource.
    /// "Divided" divides replicas into parts according to number of valid candidate member
    /// clusters, and exact replicas for each cluster are determined by ReplicaDivisionPreference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Divided"))]
    pub replica_scheduling_type: Option<ReplicaSchedulingType>,

    /// ReplicaDivisionPreference determines how the replicas is divided
    /// when ReplicaSchedulingType is "Divided". Valid options are Aggregated and Weighted.
    /// "Aggregated" divides replicas into clusters as few as possible,
    /// while respecting clusters' resource availabilities during the division.
    /// "Weighted" divides replicas by weight according to WeightPreference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_division_preference: Option<ReplicaDivisionPreference>,

    /// WeightPreference describes weight for each cluster or for each group of cluster
    /// If ReplicaDivisionPreference is set to "Weighted", and WeightPreference is not set,
    /// scheduler will weight all clusters the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_preference: Option<ClusterPreferences>,
}

impl ReplicaSchedulingStrategy {
    /// Whether overflow affinities may be used: Divided with Aggregated, or Divided with Weighted
    /// by dynamic weight.
    pub fn allows_overflow(&self) -> bool {
        if self.replica_scheduling_type != Some(ReplicaSchedulingType::Divided) {
            return false;
        }
        match self.replica_division_preference {
            Some(ReplicaDivisionPreference::Aggregated) => true,
            Some(ReplicaDivisionPreference::Weighted) => self
                .weight_preference
                .as_ref()
                .is_some_and(|w| w.dynamic_weight.is_some()),
            None => false,
        }
    }
}

/// ReplicaSchedulingType describes scheduling methods for the "replicas" in a resource.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ReplicaSchedulingType {
    // Every selected cluster gets all replicas.
    Duplicated,
    // The replicas are split among the selected clusters.
    Divided,
}

/// ReplicaDivisionPreference describes options of how replicas can be scheduled.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ReplicaDivisionPreference {
    // As few clusters as possible.
    Aggregated,
    // By weight.
    Weighted,
}

/// ClusterPreferences describes weight for each cluster or for each group of cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPreferences {
    /// StaticWeightList defines the static cluster weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_weight_list: Option<Vec<StaticClusterWeight>>,

    /// DynamicWeight specifies the factor to generates dynamic weight list.
    /// If specified, StaticWeightList will be ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_weight: Option<DynamicWeightFactor>,
}

/// StaticClusterWeight defines the static cluster weight.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaticClusterWeight {
    /// TargetCluster describes the filter to select clusters.
    pub target_cluster: ClusterAffinity,

    /// Weight expressing the preference to the cluster(s) specified by 'TargetCluster'.
    #[schemars(range(min = 1))]
    pub weight: i64,
}

/// DynamicWeightFactor represents the weight factor.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum DynamicWeightFactor {
    // Weight by the replicas each cluster can still hold.
    AvailableReplicas,
}
