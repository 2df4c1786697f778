//! Well-known names shared by every karmada-rs process: Karmada's labels, annotations, finalizers
//! and namespaces (the same strings Karmada uses, so Karmada users' objects and tooling keep working).

/// The version string every binary reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The storage key prefix under which the federation API server keeps its objects, as kube-apiserver
/// keeps its own under `/registry`.
pub const DEFAULT_STORAGE_PREFIX: &str = "/registry";

// ---- namespaces -----------------------------------------------------------------------------------

/// Control-plane components and leader election.
pub const KARMADA_SYSTEM_NAMESPACE: &str = "karmada-system";
/// Member-cluster credentials and pull-cluster leases.
pub const KARMADA_CLUSTER_NAMESPACE: &str = "karmada-cluster";
/// Prefix of each member's execution namespace (`karmada-es-<cluster>`) that holds its Works.
pub const EXECUTION_NAMESPACE_PREFIX: &str = "karmada-es-";

/// Whether a namespace is reserved for Karmada itself (never propagated, never selectable).
pub fn is_reserved_namespace(namespace: &str) -> bool {
    namespace == KARMADA_SYSTEM_NAMESPACE
        || namespace == KARMADA_CLUSTER_NAMESPACE
        || namespace.starts_with(EXECUTION_NAMESPACE_PREFIX)
}

/// The execution namespace of a member cluster.
pub fn execution_namespace(cluster: &str) -> String {
    format!("{EXECUTION_NAMESPACE_PREFIX}{cluster}")
}

// ---- policy claims --------------------------------------------------------------------------------

pub const PROPAGATION_POLICY_PERMANENT_ID_LABEL: &str = "propagationpolicy.karmada.io/permanent-id";
pub const CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL: &str =
    "clusterpropagationpolicy.karmada.io/permanent-id";
pub const PROPAGATION_POLICY_NAMESPACE_ANNOTATION: &str = "propagationpolicy.karmada.io/namespace";
pub const PROPAGATION_POLICY_NAME_ANNOTATION: &str = "propagationpolicy.karmada.io/name";
pub const CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION: &str =
    "clusterpropagationpolicy.karmada.io/name";

// ---- bindings -------------------------------------------------------------------------------------

pub const RESOURCE_BINDING_PERMANENT_ID_LABEL: &str = "resourcebinding.karmada.io/permanent-id";
pub const CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL: &str =
    "clusterresourcebinding.karmada.io/permanent-id";
pub const RESOURCE_BINDING_NAMESPACE_ANNOTATION: &str = "resourcebinding.karmada.io/namespace";
pub const RESOURCE_BINDING_NAME_ANNOTATION: &str = "resourcebinding.karmada.io/name";
pub const CLUSTER_RESOURCE_BINDING_NAME_ANNOTATION: &str = "clusterresourcebinding.karmada.io/name";
pub const BINDING_DEPENDENCIES_ANNOTATION: &str = "resourcebinding.karmada.io/dependencies";
pub const APPLIED_PLACEMENT_ANNOTATION: &str = "policy.karmada.io/applied-placement";
pub const BINDING_MANAGED_BY_ANNOTATION: &str = "binding.karmada.io/managed-by";

// ---- works and manifests --------------------------------------------------------------------------

pub const MANAGED_LABEL: &str = "karmada.io/managed";
pub const WORK_PERMANENT_ID_LABEL: &str = "work.karmada.io/permanent-id";
pub const WORK_NAMESPACE_ANNOTATION: &str = "work.karmada.io/namespace";
pub const WORK_NAME_ANNOTATION: &str = "work.karmada.io/name";
pub const CONFLICT_RESOLUTION_ANNOTATION: &str = "work.karmada.io/conflict-resolution";
pub const RESOURCE_TEMPLATE_UID_ANNOTATION: &str = "resourcetemplate.karmada.io/uid";
pub const RESOURCE_TEMPLATE_GENERATION_ANNOTATION: &str = "resourcetemplate.karmada.io/generation";
pub const MANAGED_LABELS_ANNOTATION: &str = "resourcetemplate.karmada.io/managed-labels";
pub const MANAGED_ANNOTATIONS_ANNOTATION: &str = "resourcetemplate.karmada.io/managed-annotations";
pub const APPLIED_OVERRIDES_ANNOTATION: &str = "policy.karmada.io/applied-overrides";
pub const APPLIED_CLUSTER_OVERRIDES_ANNOTATION: &str =
    "policy.karmada.io/applied-cluster-overrides";
/// Marks Karmada's own system namespaces.
pub const SYSTEM_LABEL: &str = "karmada.io/system";

// ---- template controls ----------------------------------------------------------------------------

pub const RETAIN_REPLICAS_LABEL: &str = "resourcetemplate.karmada.io/retain-replicas";
pub const DELETION_PROTECTED_LABEL: &str = "resourcetemplate.karmada.io/deletion-protected";
pub const CLAIMED_BY_ANNOTATION: &str = "resourcetemplate.karmada.io/claimed-by";
pub const SKIP_AUTO_PROPAGATION_LABEL: &str = "namespace.karmada.io/skip-auto-propagation";

// ---- finalizers -----------------------------------------------------------------------------------

pub const CLUSTER_CONTROLLER_FINALIZER: &str = "karmada.io/cluster-controller";
pub const EXECUTION_CONTROLLER_FINALIZER: &str = "karmada.io/execution-controller";
pub const BINDING_CONTROLLER_FINALIZER: &str = "karmada.io/binding-controller";
pub const CLUSTER_RESOURCE_BINDING_CONTROLLER_FINALIZER: &str =
    "karmada.io/cluster-resource-binding-controller";
pub const PROPAGATION_POLICY_CONTROLLER_FINALIZER: &str =
    "karmada.io/propagation-policy-controller";
pub const CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER: &str =
    "karmada.io/cluster-propagation-policy-controller";
pub const BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER: &str =
    "karmada.io/binding-dependencies-distributor";
