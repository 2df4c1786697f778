//! `work.karmada.io/v1alpha2`: ResourceBinding (`rb`, namespaced) and ClusterResourceBinding
//! (`crb`, cluster-scoped), the binding of one resource template to its placement and scheduling
//! result.
//!
//! Both kinds hold the same [`ResourceBindingSpec`] and [`ResourceBindingStatus`]. kube's derive
//! makes one root per spec type, so ClusterResourceBinding's spec is the transparent newtype
//! [`ClusterResourceBindingSpec`] (same wire format, same schema) that dereferences to
//! [`ResourceBindingSpec`]; code that handles both kinds is written once against [`Binding`].

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use k8s_openapi::api::core::v1::{NodeSelector, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::v1alpha1::RawObject;
pub use super::v1alpha1::ResourceHealth;
use crate::names;
use crate::policy::v1alpha1 as policy;
use crate::policy::v1alpha1::ResourceList;

/// Binding condition: the binding has been scheduled.
pub const CONDITION_SCHEDULED: &str = "Scheduled";
/// Binding condition: the resource is applied to every scheduled cluster.
pub const CONDITION_FULLY_APPLIED: &str = "FullyApplied";

/// `Scheduled` reason: scheduled successfully.
pub const REASON_SUCCESS: &str = "Success";
/// `Scheduled` reason: an internal error (for example an API server error) stopped scheduling.
pub const REASON_SCHEDULER_ERROR: &str = "SchedulerError";
/// `Scheduled` reason: no cluster fits.
pub const REASON_NO_CLUSTER_FIT: &str = "NoClusterFit";
/// `Scheduled` reason: cannot be scheduled right now (for example, not enough resources).
pub const REASON_UNSCHEDULABLE: &str = "Unschedulable";
/// `Scheduled` reason: the requirements exceed a FederatedResourceQuota.
pub const REASON_QUOTA_EXCEEDED: &str = "QuotaExceeded";

/// Eviction reason: the cluster has a taint the binding does not tolerate.
pub const EVICTION_REASON_TAINT_UNTOLERATED: &str = "TaintUntolerated";
/// Eviction reason: the application failed on the cluster.
pub const EVICTION_REASON_APPLICATION_FAILURE: &str = "ApplicationFailure";

/// The desired state of a binding: the resource, its requirements, its placement and the
/// scheduler's result.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
// kube's `printcolumn(...)` lists repeat keys, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[kube(
    group = "work.karmada.io",
    version = "v1alpha2",
    kind = "ResourceBinding",
    plural = "resourcebindings",
    singular = "resourcebinding",
    shortname = "rb",
    category = "karmada-io",
    namespaced,
    status = "ResourceBindingStatus",
    derive = "PartialEq",
    doc = "ResourceBinding represents a binding of a kubernetes resource with a propagation policy.",
    printcolumn(
        name = "SCHEDULED",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Scheduled")].status"#
    ),
    printcolumn(
        name = "FULLYAPPLIED",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="FullyApplied")].status"#
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ResourceBindingSpec {
    /// The Kubernetes resource to be propagated.
    pub resource: ObjectReference,

    /// Whether the resources the template depends on are propagated along (inherited from the
    /// policy). Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate_deps: Option<bool>,

    /// The resource and scheduling requirements of each replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<ReplicaRequirements>,

    /// The replica number of the referenced resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,

    /// The requirements of each pod template of a multi-template workload (gate
    /// `MultiplePodTemplatesScheduling`); meant to replace `replicaRequirements` and `replicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<Component>>,

    /// The member clusters the resource is to be deployed to: the scheduling result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<TargetCluster>>,

    /// The cluster selection rule, copied from the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<policy::Placement>,

    /// Evictions to perform gracefully: a cluster the resource is evicted from stays until the
    /// resource is available on its substitute or the grace period (default 10 minutes) ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub graceful_eviction_tasks: Option<Vec<GracefulEvictionTask>>,

    /// The bindings that depend on the referenced resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_by: Option<Vec<BindingSnapshot>>,

    /// The scheduler that schedules this binding (inherited from the policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_name: Option<String>,

    /// How applications migrate on failures (inherited from the policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<policy::FailoverBehavior>,

    /// What to do when the resource already exists in a target cluster: `Abort` (default, stop
    /// propagating) or `Overwrite` (take it over).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Abort"))]
    pub conflict_resolution: Option<policy::ConflictResolution>,

    /// When a user triggered a fresh reschedule (RFC 3339, UTC). Rescheduling happens only when
    /// this is later than `status.lastScheduledTime`, and ignores the previous result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reschedule_triggered_at: Option<Time>,

    /// Which aspects of propagation are suspended; nil means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,

    /// Whether the resources are kept on the member clusters when the binding is deleted (applies
    /// to every Work of the binding). Defaults to false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,

    /// The scheduling priority of the workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_priority: Option<SchedulePriority>,

    /// The instantiated workload affinity groups (from `placement.workloadAffinity`), written by
    /// controllers and read by the scheduler. Only ResourceBindings use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload_affinity_groups: Option<WorkloadAffinityGroups>,
}

/// ClusterResourceBinding's spec: a [`ResourceBindingSpec`], with the same wire format and schema.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
// kube's `printcolumn(...)` lists repeat keys, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[kube(
    group = "work.karmada.io",
    version = "v1alpha2",
    kind = "ClusterResourceBinding",
    plural = "clusterresourcebindings",
    singular = "clusterresourcebinding",
    shortname = "crb",
    category = "karmada-io",
    status = "ResourceBindingStatus",
    derive = "PartialEq",
    doc = "ClusterResourceBinding represents a binding of a kubernetes resource with a ClusterPropagationPolicy.",
    printcolumn(
        name = "SCHEDULED",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Scheduled")].status"#
    ),
    printcolumn(
        name = "FULLYAPPLIED",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="FullyApplied")].status"#
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(transparent)]
pub struct ClusterResourceBindingSpec(pub ResourceBindingSpec);

impl Deref for ClusterResourceBindingSpec {
    type Target = ResourceBindingSpec;
    fn deref(&self) -> &ResourceBindingSpec {
        &self.0
    }
}

impl DerefMut for ClusterResourceBindingSpec {
    fn deref_mut(&mut self) -> &mut ResourceBindingSpec {
        &mut self.0
    }
}

impl From<ResourceBindingSpec> for ClusterResourceBindingSpec {
    fn from(spec: ResourceBindingSpec) -> Self {
        ClusterResourceBindingSpec(spec)
    }
}

/// Enough to locate the referenced resource template in the control plane.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    /// The API version of the referent.
    pub api_version: String,
    /// The kind of the referent.
    pub kind: String,
    /// The namespace of the referent; empty for cluster-scoped resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name of the referent.
    pub name: String,
    /// The UID of the referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The resourceVersion of the referent, to tell when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

/// The resource and scheduling requirements of each replica.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaRequirements {
    /// The node affinity, node selector and tolerations each replica requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_claim: Option<NodeClaim>,
    /// The resources each replica requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::policy::v1alpha1::schema::resource_list")]
    pub resource_request: Option<ResourceList>,
    /// The namespace of the replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The priorityClassName of the replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
}

/// The requirements of one pod template of a multi-template workload.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// The component's name, unique within the resource.
    #[schemars(length(max = 32))]
    pub name: String,
    /// The replica number of the component.
    pub replicas: i32,
    /// The resource and scheduling requirements of each replica.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica_requirements: Option<ComponentReplicaRequirements>,
}

/// The resource and scheduling requirements of each replica of a component.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComponentReplicaRequirements {
    /// The node affinity, node selector and tolerations each replica requires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_claim: Option<NodeClaim>,
    /// The resources each replica requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::policy::v1alpha1::schema::resource_list")]
    pub resource_request: Option<ResourceList>,
    /// The priorityClassName of the replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
}

/// The node constraints of each replica: the hard node affinity
/// (`requiredDuringSchedulingIgnoredDuringExecution`), the node selector and the tolerations.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeClaim {
    /// The required node affinity of the pod template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard_node_affinity: Option<NodeSelector>,
    /// The node labels a node must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// The pod's tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
}

/// One target cluster of the scheduling result.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetCluster {
    /// The name of the cluster.
    pub name: String,
    /// The replicas assigned to the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// The per-component replicas assigned to the cluster (multi-template workloads only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<TargetComponent>>,
}

/// The replicas of one component assigned to a cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetComponent {
    /// The component's name (`spec.components[*].name`).
    pub name: String,
    /// The replicas of the component assigned to the cluster.
    pub replicas: i32,
}

/// An eviction of the resource from one cluster, performed gracefully.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GracefulEvictionTask {
    /// The cluster the resource is evicted from.
    pub from_cluster: String,
    /// What happens to the application left on that cluster: `Directly`, `Gracefully` or `Never`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purge_mode: Option<policy::PurgeMode>,
    /// How many replicas are evicted (for resources with replicas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    /// Why, as a CamelCase identifier (`TaintUntolerated`, `ApplicationFailure`).
    #[schemars(
        length(min = 1, max = 32),
        regex(pattern = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")
    )]
    pub reason: String,
    /// Details about the eviction, for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub message: Option<String>,
    /// The controller that triggered the eviction.
    pub producer: String,
    /// How long (seconds, positive) to wait for the substitute to become healthy before deleting;
    /// cannot be set together with `suppressDeletion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_seconds: Option<i32>,
    /// Keep the evicted application until a tool or a human stops it; cannot be set together
    /// with `gracePeriodSeconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppress_deletion: Option<bool>,
    /// Application state collected from the original cluster, injected as labels into the new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserved_label_state: Option<BTreeMap<String, String>>,
    /// When the task was created (server time, RFC 3339 UTC); set by the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    /// The clusters the application ran on before failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters_before_failover: Option<Vec<String>>,
}

/// A snapshot of a binding that depends on this one.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BindingSnapshot {
    /// The namespace of the binding; empty for a ClusterResourceBinding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name of the binding.
    pub name: String,
    /// Its scheduling result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<TargetCluster>>,
}

/// Which aspects of propagation are suspended: the policy's dispatching suspension, plus
/// scheduling.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Suspension {
    /// Dispatching suspension, as in the policy (`dispatching`, `dispatchingOnClusters`).
    #[serde(flatten)]
    pub policy: policy::Suspension,
    /// Whether scheduling is suspended: the scheduler skips the binding while true. Meant for
    /// admission webhooks of third-party systems at creation; a scheduled binding cannot be paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<bool>,
}

/// The scheduling priority of a workload.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePriority {
    /// Higher values are scheduled first. Defaults to 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = 0))]
    pub priority: Option<i32>,
}

/// Instantiated workload affinity groups, each `<labelKey>=<labelValue>`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadAffinityGroups {
    /// The group the workload is co-located with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity_group: Option<String>,
    /// The group the workload is kept apart from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity_group: Option<String>,
}

/// The observed state of a binding, written by the scheduler and the binding controllers.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceBindingStatus {
    /// The `.metadata.generation` the scheduler last observed; lower than the generation means
    /// the scheduler has not confirmed the current spec yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduler_observed_generation: Option<i64>,
    /// The affinity term (`placement.clusterAffinities[*].affinityName`) the current schedule
    /// is based on.
    #[serde(
        rename = "schedulerObservingAffinityName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub scheduler_observed_affinity_name: Option<String>,
    /// When the scheduler last finished scheduling successfully (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scheduled_time: Option<Time>,
    /// The binding's conditions: `Scheduled`, `FullyApplied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::work::schema::conditions")]
    pub conditions: Option<Vec<Condition>>,
    /// The status of the resource in each member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_status: Option<Vec<AggregatedStatusItem>>,
}

/// The status of the resource in one member cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AggregatedStatusItem {
    /// The member cluster.
    pub cluster_name: String,
    /// The resource's status there, as reflected by the resource interpreter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RawObject>,
    /// Whether the resource is applied on the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<bool>,
    /// Details about the applied state; usually the error when applying failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_message: Option<String>,
    /// The health of the resource there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ResourceHealth>,
}

/// What ResourceBinding and ClusterResourceBinding share: one spec, one status, and the names that
/// differ by scope. Code that handles both kinds is written once against this trait.
pub trait Binding:
    kube::Resource<DynamicType = ()> + Serialize + DeserializeOwned + Clone + Send + Sync + 'static
{
    /// The label holding the binding's permanent id (a UUID set on create).
    const PERMANENT_ID_LABEL: &'static str;
    /// The finalizer the binding controller puts on the binding.
    const FINALIZER: &'static str;

    fn binding_spec(&self) -> &ResourceBindingSpec;
    fn binding_spec_mut(&mut self) -> &mut ResourceBindingSpec;
    fn binding_status(&self) -> Option<&ResourceBindingStatus>;
    fn binding_status_mut(&mut self) -> &mut Option<ResourceBindingStatus>;
}

impl Binding for ResourceBinding {
    const PERMANENT_ID_LABEL: &'static str = names::RESOURCE_BINDING_PERMANENT_ID_LABEL;
    const FINALIZER: &'static str = names::BINDING_CONTROLLER_FINALIZER;

    fn binding_spec(&self) -> &ResourceBindingSpec {
        &self.spec
    }
    fn binding_spec_mut(&mut self) -> &mut ResourceBindingSpec {
        &mut self.spec
    }
    fn binding_status(&self) -> Option<&ResourceBindingStatus> {
        self.status.as_ref()
    }
    fn binding_status_mut(&mut self) -> &mut Option<ResourceBindingStatus> {
        &mut self.status
    }
}

impl Binding for ClusterResourceBinding {
    const PERMANENT_ID_LABEL: &'static str = names::CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL;
    const FINALIZER: &'static str = names::CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER;

    fn binding_spec(&self) -> &ResourceBindingSpec {
        &self.spec.0
    }
    fn binding_spec_mut(&mut self) -> &mut ResourceBindingSpec {
        &mut self.spec.0
    }
    fn binding_status(&self) -> Option<&ResourceBindingStatus> {
        self.status.as_ref()
    }
    fn binding_status_mut(&mut self) -> &mut Option<ResourceBindingStatus> {
        &mut self.status
    }
}

impl ResourceBindingStatus {
    /// The condition of type `type_`, if reported.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.as_ref()?.iter().find(|c| c.type_ == type_)
    }
}
