//! PropagationPolicy (`pp`, namespaced) and ClusterPropagationPolicy (`cpp`, cluster-scoped): which
//! resource templates go to which member clusters, and how. Both kinds share [`PropagationSpec`].

use k8s_openapi::api::core::v1::Toleration;
use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::common::{ClusterAffinity, ResourceSelector};

/// PropagationSpec represents the desired behavior of PropagationPolicy.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "policy.karmada.io",
    version = "v1alpha1",
    kind = "PropagationPolicy",
    plural = "propagationpolicies",
    singular = "propagationpolicy",
    shortname = "pp",
    category = "karmada-io",
    namespaced,
    derive = "PartialEq",
    doc = "PropagationPolicy represents the policy that propagates a group of resources to one or more clusters.",
    printcolumn = r#"{"name":"CONFLICT-RESOLUTION","type":"string","jsonPath":".spec.conflictResolution"}"#,
    printcolumn = r#"{"name":"PRIORITY","type":"string","jsonPath":".spec.priority"}"#,
    printcolumn = r#"{"name":"AGE","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct PropagationSpec {
    /// ResourceSelectors used to select resources.
    /// Nil or empty selector is not allowed and doesn't mean match all kinds
    /// of resources for security concerns that sensitive resources(like Secret)
    /// might be accidentally propagated.
    #[schemars(length(min = 1))]
    pub resource_selectors: Vec<ResourceSelector>,

    /// Association tells if relevant resources should be selected automatically.
    /// e.g. a ConfigMap referred by a Deployment.
    /// default false.
    /// Deprecated: in favor of PropagateDeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<bool>,

    /// PropagateDeps tells if relevant resources should be propagated automatically
    /// (the ConfigMaps, Secrets, PVCs and ServiceAccounts a workload refers to), and migrated
    /// along with it on failover. Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate_deps: Option<bool>,

    /// Placement represents the rule for select clusters to propagate resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,

    /// Priority indicates the importance of a policy(PropagationPolicy or ClusterPropagationPolicy).
    /// A policy will be applied for the matched resource templates if there is
    /// no other policies with higher priority at the point of the resource
    /// template be processed.
    /// In case of two policies have the same priority, the one with a more precise
    /// matching rules in ResourceSelectors wins (name over labelSelector over
    /// apiVersion and kind), then the one whose name sorts first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = 0))]
    pub priority: Option<i32>,

    /// Preemption declares the behaviors for preempting.
    /// Valid options are "Always" and "Never".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Never"))]
    pub preemption: Option<PreemptionBehavior>,

    /// DependentOverrides represents the list of overrides(OverridePolicy)
    /// which must present before the current PropagationPolicy takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependent_overrides: Option<Vec<String>>,

    /// SchedulerName represents which scheduler to proceed the scheduling.
    /// If specified, the policy will be dispatched by specified scheduler.
    /// If not specified, the policy will be dispatched by default scheduler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "default-scheduler"))]
    pub scheduler_name: Option<String>,

    /// Failover indicates how Karmada migrates applications in case of failures.
    /// If this value is nil, failover is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<FailoverBehavior>,

    /// ConflictResolution declares how potential conflict should be handled when
    /// a resource that is being propagated already exists in the target cluster.
    /// It defaults to "Abort" which means stop propagating to avoid unexpected
    /// overwrites; "Overwrite" takes the existing resource over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Abort"))]
    pub conflict_resolution: Option<ConflictResolution>,

    /// ActivationPreference indicates how the referencing resource template will
    /// be propagated, in case of policy changes.
    /// If empty, policy changes take effect immediately; with 'Lazy' they take effect for a
    /// resource template at its next update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_preference: Option<ActivationPreference>,

    /// Suspension declares the policy for suspending different aspects of propagation.
    /// nil means no suspension. no default values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,

    /// PreserveResourcesOnDeletion controls whether resources should be preserved on the
    /// member clusters when the resource template is deleted.
    /// If set to true, resources will be preserved on the member clusters.
    /// Default is false, which means resources will be deleted along with the resource template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,

    /// SchedulePriority defines how Karmada should resolve the priority and preemption policy
    /// for workload scheduling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_priority: Option<SchedulePriority>,
}

/// The scheduler a policy uses when it names none.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";

impl PropagationSpec {
    /// The placement, or an empty one when unset.
    pub fn placement(&self) -> &Placement {
        self.placement.as_ref().unwrap_or(&Placement::EMPTY)
    }

    /// Whether dependencies are propagated along (`propagateDeps`, default false).
    pub fn propagate_deps(&self) -> bool {
        self.propagate_deps.unwrap_or(false)
    }

    /// The explicit priority (default 0).
    pub fn priority(&self) -> i32 {
        self.priority.unwrap_or(0)
    }

    /// The preemption behavior (default `Never`).
    pub fn preemption(&self) -> PreemptionBehavior {
        self.preemption.unwrap_or(PreemptionBehavior::Never)
    }

    /// The conflict resolution (default `Abort`).
    pub fn conflict_resolution(&self) -> ConflictResolution {
        self.conflict_resolution
            .unwrap_or(ConflictResolution::Abort)
    }

    /// The scheduler responsible for bindings of this policy (default `default-scheduler`).
    pub fn scheduler_name(&self) -> &str {
        match self.scheduler_name.as_deref() {
            None | Some("") => DEFAULT_SCHEDULER_NAME,
            Some(name) => name,
        }
    }
}

/// PreemptionBehavior describes whether and how to preempt resources that are claimed by
/// lower-priority PropagationPolicy(ClusterPropagationPolicy).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum PreemptionBehavior {
    // Preempt resources claimed by lower-priority policies (needs named selectors).
    Always,
    // Never preempt.
    Never,
}

/// ConflictResolution describes how to resolve the conflict during the process of propagation
/// especially the resource already in a member cluster.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ConflictResolution {
    // Stop propagating to the cluster where the resource already exists.
    Abort,
    // Take the existing resource over.
    Overwrite,
}

/// ActivationPreference indicates how the referencing resource template will be propagated, in
/// case of policy changes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ActivationPreference {
    // Policy changes apply at the template's next update.
    Lazy,
}

/// Suspension defines the policy for suspending different aspects of propagation.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suspension {
    /// Dispatching controls whether dispatching should be suspended.
    /// nil means not suspend, no default value, only accepts 'true'.
    /// Note: true means stop propagating to all clusters. Can not co-exist
    /// with DispatchingOnClusters which is used to suspend particular clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatching: Option<bool>,

    /// DispatchingOnClusters declares a list of clusters to which the dispatching
    /// should be suspended.
    /// Note: Can not co-exist with Dispatching which is used to suspend all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatching_on_clusters: Option<SuspendClusters>,
}

/// SuspendClusters represents a group of clusters that should be suspended from propagating.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuspendClusters {
    /// ClusterNames is the list of clusters to be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_names: Option<Vec<String>>,
}

/// SchedulePriority defines how Karmada should resolve the priority and preemption policy for
/// workload scheduling.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePriority {
    /// PriorityClassSource specifies where Karmada should look for the PriorityClass definition.
    /// Only KubePriorityClass (a scheduling.k8s.io/v1 PriorityClass) is implemented.
    #[schemars(schema_with = "priority_class_source_schema")]
    pub priority_class_source: PriorityClassSource,

    /// PriorityClassName specifies which PriorityClass to use.
    pub priority_class_name: String,
}

/// PriorityClassSource defines the type for PriorityClassSource field.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum PriorityClassSource {
    // A Kubernetes PriorityClass (scheduling.k8s.io/v1).
    KubePriorityClass,
    // The PodTemplate's priorityClassName (not implemented by Karmada; refused by validation).
    PodPriorityClass,
    // A Karmada FederatedPriorityClass (not implemented by Karmada; refused by validation).
    FederatedPriorityClass,
}

/// Karmada's schema admits only the source it implements.
fn priority_class_source_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "enum": ["KubePriorityClass"] })
}

/// FailoverBehavior indicates failover behaviors in case of an application or cluster failure.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailoverBehavior {
    /// Application indicates failover behaviors in case of application failure.
    /// If this value is nil, failover is disabled.
    /// If set, the PropagateDeps should be true so that the dependencies could
    /// be migrated along with the application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationFailoverBehavior>,

    /// Cluster indicates failover behaviors in case of cluster failure.
    /// If this value is nil, the controller's no-execute-taint-eviction-purge-mode parameter decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterFailoverBehavior>,
}

/// ApplicationFailoverBehavior indicates application failover behaviors.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationFailoverBehavior {
    /// DecisionConditions indicates the decision conditions of performing the failover process.
    /// Only when all conditions are met can the failover process be performed.
    pub decision_conditions: DecisionConditions,

    /// PurgeMode represents how to deal with the legacy applications on the
    /// cluster from which the application is migrated.
    /// Valid options are "Directly", "Gracefully", "Never".
    /// Defaults to "Gracefully".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Gracefully"))]
    pub purge_mode: Option<PurgeMode>,

    /// GracePeriodSeconds is the maximum waiting duration in seconds before
    /// application on the migrated cluster should be deleted.
    /// Required only when PurgeMode is "Gracefully" and defaults to 600s.
    /// Value must be positive integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i32>,

    /// StatePreservation defines the policy for preserving and restoring state data
    /// during failover events for stateful applications.
    /// If not specified, means no state data will be preserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_preservation: Option<StatePreservation>,
}

/// ClusterFailoverBehavior indicates cluster failover behaviors.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterFailoverBehavior {
    /// PurgeMode represents how to deal with the legacy applications on the
    /// cluster from which the application is migrated.
    /// Valid options are "Directly", "Gracefully".
    /// Defaults to "Gracefully".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "cluster_purge_mode_schema")]
    pub purge_mode: Option<PurgeMode>,

    /// StatePreservation defines the policy for preserving and restoring state data
    /// during failover events for stateful applications.
    /// If not specified, means no state data will be preserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_preservation: Option<StatePreservation>,
}

/// Cluster failover knows no `Never`.
fn cluster_purge_mode_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "enum": ["Directly", "Gracefully"], "default": "Gracefully" })
}

/// PurgeMode represents how to deal with the legacy application on the cluster from which the
/// application is migrated.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum PurgeMode {
    // Delete the legacy application right away.
    Directly,
    // Delete it once the application is healthy elsewhere or the grace period ends.
    Gracefully,
    // Never delete it (application failover only).
    Never,
}

impl PurgeMode {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            PurgeMode::Directly => "Directly",
            PurgeMode::Gracefully => "Gracefully",
            PurgeMode::Never => "Never",
        }
    }
}

/// DecisionConditions represents the decision conditions of performing the failover process.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionConditions {
    /// TolerationSeconds represents the period of time Karmada should wait
    /// after reaching the desired state before performing failover process.
    /// Defaults to 300s if not specified. Set it to 0 to perform failover immediately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = 300))]
    pub toleration_seconds: Option<i32>,
}

/// StatePreservation defines the policy for preserving state during failover events.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatePreservation {
    /// Rules contains a list of StatePreservationRule configurations.
    /// Each rule specifies a JSONPath expression targeting specific pieces of
    /// state data to be preserved during failover events. An AliasLabelName is associated
    /// with each rule, serving as a label key when the preserved data is passed
    /// to the new cluster.
    pub rules: Vec<StatePreservationRule>,
}

/// StatePreservationRule defines a single rule for state preservation.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatePreservationRule {
    /// AliasLabelName is the name that will be used as a label key when the preserved
    /// data is passed to the new cluster.
    pub alias_label_name: String,

    /// JSONPath is the JSONPath template used to identify the state data
    /// to be preserved from the original resource configuration.
    /// The expression is evaluated from the object's "status" field, so
    /// "{.availableReplicas}" reads a Deployment's ".status.availableReplicas".
    pub json_path: String,
}

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

super::cluster_scoped_twin! {
    /// ClusterPropagationPolicy represents the cluster-wide policy that propagates a group of
    /// resources to one or more clusters: cluster-scoped resources, and resources in any namespace
    /// other than the reserved ones (karmada-system, karmada-cluster, karmada-es-*).
    ClusterPropagationPolicy {
        spec: PropagationSpec,
        namespaced: PropagationPolicy,
        plural: "clusterpropagationpolicies",
        singular: "clusterpropagationpolicy",
        shortname: "cpp",
        description: "ClusterPropagationPolicy represents the cluster-wide policy that propagates a group of resources to one or more clusters.\nDifferent with PropagationPolicy that could only propagate resources in its own namespace, ClusterPropagationPolicy\nis able to propagate cluster level resources and resources in any namespace other than system reserved ones.\nSystem reserved namespaces are: karmada-system, karmada-cluster, karmada-es-*.",
        spec_description: "Spec represents the desired behavior of ClusterPropagationPolicy.",
    }
}
