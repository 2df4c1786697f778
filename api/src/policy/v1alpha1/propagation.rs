//! PropagationPolicy (`pp`, namespaced) and ClusterPropagationPolicy (`cpp`, cluster-scoped): which
//! resource templates go to which member clusters, and how. Both kinds share [`PropagationSpec`].

use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::common::ResourceSelector;
use super::placement::Placement;

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

#[cfg(test)]
mod tests {
    use kube::{CustomResourceExt, Resource};

    use super::*;
    use crate::policy::v1alpha1::ReplicaSchedulingType;
    use crate::policy::v1alpha1::fixtures::{
        assert_covers_schema, assert_round_trip, object, propagation_spec,
    };

    #[test]
    fn propagation_policy_round_trips_with_every_field() {
        let pp = object("PropagationPolicy", Some("default"), propagation_spec());
        assert_covers_schema("propagationpolicies.policy.karmada.io", &pp);
        let typed: PropagationPolicy = assert_round_trip(&pp);
        assert_eq!(typed.spec.priority(), 10);
        assert_eq!(
            typed.spec.placement().replica_scheduling_type(),
            ReplicaSchedulingType::Divided
        );
        assert_eq!(
            typed.spec.placement().cluster_affinities.as_ref().unwrap()[0]
                .affinity
                .exclude_clusters,
            Some(vec!["member3".to_string()])
        );
    }

    #[test]
    fn cluster_propagation_policy_round_trips_with_every_field() {
        let cpp = object("ClusterPropagationPolicy", None, propagation_spec());
        assert_covers_schema("clusterpropagationpolicies.policy.karmada.io", &cpp);
        let typed: ClusterPropagationPolicy = assert_round_trip(&cpp);
        assert_eq!(
            typed.spec,
            assert_round_trip::<PropagationPolicy>(&object(
                "PropagationPolicy",
                Some("default"),
                propagation_spec()
            ))
            .spec
        );
    }

    #[test]
    fn a_minimal_policy_gains_no_fields() {
        let minimal = serde_json::json!({
            "apiVersion": "policy.karmada.io/v1alpha1",
            "kind": "PropagationPolicy",
            "metadata": {"name": "p"},
            "spec": {"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap"}]},
        });
        let typed: PropagationPolicy = assert_round_trip(&minimal);
        assert_eq!(
            typed.spec.placement().replica_scheduling_type(),
            ReplicaSchedulingType::Duplicated
        );
        assert_eq!(typed.spec.scheduler_name(), DEFAULT_SCHEDULER_NAME);
        assert_eq!(typed.spec.conflict_resolution(), ConflictResolution::Abort);
        assert_eq!(typed.spec.preemption(), PreemptionBehavior::Never);
        assert!(!typed.spec.propagate_deps());
    }

    #[test]
    fn twins_differ_only_in_names_and_scope() {
        assert_eq!(PropagationPolicy::kind(&()), "PropagationPolicy");
        assert_eq!(
            ClusterPropagationPolicy::kind(&()),
            "ClusterPropagationPolicy"
        );
        assert_eq!(
            ClusterPropagationPolicy::plural(&()),
            "clusterpropagationpolicies"
        );
        assert_eq!(
            ClusterPropagationPolicy::api_version(&()),
            "policy.karmada.io/v1alpha1"
        );
        assert_eq!(ClusterPropagationPolicy::shortnames(), ["cpp"]);
        assert_eq!(PropagationPolicy::shortnames(), ["pp"]);
        let (pp, cpp) = (PropagationPolicy::crd(), ClusterPropagationPolicy::crd());
        assert_eq!(
            cpp.metadata.name.as_deref(),
            Some(ClusterPropagationPolicy::crd_name())
        );
        assert_eq!(
            (pp.spec.scope.as_str(), cpp.spec.scope.as_str()),
            ("Namespaced", "Cluster")
        );
        let spec_schema = |crd: &k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition| {
            let mut spec = crd.spec.versions[0].schema.as_ref().unwrap().open_api_v3_schema.as_ref()
                .unwrap().properties.as_ref().unwrap()["spec"].clone();
            spec.description = None;
            spec
        };
        assert_eq!(spec_schema(&pp), spec_schema(&cpp));
        assert_eq!(
            pp.spec.versions[0].additional_printer_columns,
            cpp.spec.versions[0].additional_printer_columns
        );
        let new = ClusterPropagationPolicy::new("all", PropagationSpec::default());
        assert_eq!(
            serde_json::to_value(&new).unwrap()["kind"],
            "ClusterPropagationPolicy"
        );
    }
}
