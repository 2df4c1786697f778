//! `cluster.karmada.io/v1alpha1`: Cluster, a member cluster as the control plane sees it.
//!
//! Karmada serves Cluster from its aggregated API server; karmada-rs serves the same shape as a
//! CRD-style resource with a status subresource, and applies the aggregated server's server-side
//! mutation in [`super::admit`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Taint;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `Ready`: the cluster is healthy and ready to accept workloads.
pub const CONDITION_READY: &str = "Ready";
/// `CompleteAPIEnablements`: whether `.status.apiEnablements` is complete.
pub const CONDITION_COMPLETE_API_ENABLEMENTS: &str = "CompleteAPIEnablements";

/// Taint added while the cluster's Ready condition is False.
pub const TAINT_NOT_READY: &str = "cluster.karmada.io/not-ready";
/// Taint added while the cluster's Ready condition is Unknown.
pub const TAINT_UNREACHABLE: &str = "cluster.karmada.io/unreachable";
/// Taint added by `karmadactl cordon`.
pub const TAINT_UNSCHEDULABLE: &str = "cluster.karmada.io/unschedulable";

/// Key of the member credentials' token in the Secret named by `spec.secretRef`.
pub const SECRET_TOKEN_KEY: &str = "token";
/// Key of the member API server's CA bundle in the Secret named by `spec.secretRef`.
pub const SECRET_CA_DATA_KEY: &str = "caBundle";

/// The desired state of a member cluster.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
// kube's `printcolumn(...)` lists repeat keys, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[kube(
    group = "cluster.karmada.io",
    version = "v1alpha1",
    kind = "Cluster",
    plural = "clusters",
    status = "ClusterStatus",
    derive = "PartialEq",
    doc = "Cluster represents the desired state and status of a member cluster.",
    printcolumn(
        name = "Version",
        type_ = "string",
        json_path = ".status.kubernetesVersion",
        description = "KubernetesVersion represents version of the member cluster."
    ),
    printcolumn(
        name = "Mode",
        type_ = "string",
        json_path = ".spec.syncMode",
        description = "SyncMode describes how a cluster sync resources from karmada control plane."
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Ready")].status"#,
        description = "The aggregate readiness state of this cluster for accepting workloads."
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp",
        description = "CreationTimestamp is a timestamp representing the server time when this object was created."
    ),
    printcolumn(
        name = "Zones",
        type_ = "string",
        json_path = ".spec.zones[*]",
        priority = 1,
        description = "Zones represents the failure zones(also called availability zones) of the member cluster. The zones are presented as a slice to support the case that cluster runs across multiple failure zones."
    ),
    printcolumn(
        name = "Region",
        type_ = "string",
        json_path = ".spec.region",
        priority = 1,
        description = "Region represents the region of the member cluster locate in."
    ),
    printcolumn(
        name = "Provider",
        type_ = "string",
        json_path = ".spec.provider",
        priority = 1,
        description = "Provider represents the cloud provider name of the member cluster."
    ),
    printcolumn(
        name = "API-Endpoint",
        type_ = "string",
        json_path = ".spec.apiEndpoint",
        priority = 1,
        description = "The API endpoint of the member cluster."
    ),
    printcolumn(
        name = "Proxy-URL",
        type_ = "string",
        json_path = ".spec.proxyURL",
        priority = 1,
        description = "ProxyURL is the proxy URL for the cluster."
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ClusterSpec {
    /// The unique identifier of the cluster, distinct from `.metadata.uid`, collected at
    /// registration: the `cluster.clusterset.k8s.io` ClusterProperty when the member defines one,
    /// otherwise the uid of the member's `kube-system` namespace. Used to identify clusters and to
    /// compose multi-cluster service DNS names; do not change it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 128000))]
    pub id: Option<String>,

    /// How the cluster syncs resources from the Karmada control plane: `Push` (the control plane
    /// applies them) or `Pull` (karmada-agent in the member fetches and applies them).
    pub sync_mode: ClusterSyncMode,

    /// The API endpoint of the member cluster: a hostname, hostname:port, IP or IP:port URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_endpoint: Option<String>,

    /// The Secret holding the credentials to access the member cluster (`data.token` and
    /// `data.caBundle`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalSecretReference>,

    /// The Secret holding the impersonator's token (`data.token`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonator_secret_ref: Option<LocalSecretReference>,

    /// Skip verifying the member API server's serving certificate, making the connection
    /// insecure. Defaults to false.
    #[serde(
        rename = "insecureSkipTLSVerification",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub insecure_skip_tls_verification: Option<bool>,

    /// The proxy through which the control plane talks to the cluster (http, https or socks5).
    #[serde(rename = "proxyURL", default, skip_serializing_if = "Option::is_none")]
    pub proxy_url: Option<String>,

    /// HTTP headers the proxy server requires; several values of one header are comma-separated
    /// (`'k1': 'v1,v2,v3'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_header: Option<BTreeMap<String, String>>,

    /// The cloud provider of the member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,

    /// The region in which the member cluster is located.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,

    /// The zone in which the member cluster is located.
    ///
    /// Deprecated: use `zones`; the server moves a lone `zone` into `zones`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,

    /// The failure zones (availability zones) the member cluster runs across.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,

    /// Taints on the cluster: resources that do not tolerate a taint are affected by its effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "taints_schema")]
    pub taints: Option<Vec<Taint>>,

    /// The resource models (grades) by which the cluster's nodes are counted for scheduling
    /// estimates. Range names are `cpu`, `memory`, `storage` or `ephemeral-storage`; each grade's
    /// ranges are `[min, max)`, contiguous with the previous grade's. When empty on create, the
    /// default grades 0 to 8 are filled in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_models: Option<Vec<ResourceModel>>,
}

/// `corev1.Taint` as Kubernetes' OpenAPI describes it (with the effect enumerated; validation
/// narrows the effects a cluster accepts to NoSchedule and NoExecute).
fn taints_schema(generator: &mut SchemaGenerator) -> Schema {
    let mut taint = Taint::json_schema(generator);
    if let Some(Value::Object(effect)) = taint.pointer_mut("/properties/effect") {
        effect.insert(
            "enum".into(),
            json!(["NoExecute", "NoSchedule", "PreferNoSchedule"]),
        );
    }
    json_schema!({ "type": "array", "items": taint })
}

/// A `resource.Quantity` as CRDs describe it: an integer or a quantity string.
fn quantity_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "anyOf": [{ "type": "integer" }, { "type": "string" }],
        "pattern": crate::policy::v1alpha1::schema::QUANTITY_PATTERN,
        "x-kubernetes-int-or-string": true,
    })
}

/// How a member cluster syncs resources from the control plane.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ClusterSyncMode {
    /// The control plane pushes resources to the member cluster.
    Push,
    /// karmada-agent in the member cluster pulls resources and applies them locally.
    Pull,
}

impl ClusterSyncMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterSyncMode::Push => "Push",
            ClusterSyncMode::Pull => "Pull",
        }
    }
}

/// A reference to a Secret by namespace and name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct LocalSecretReference {
    /// Namespace of the Secret.
    pub namespace: String,
    /// Name of the Secret.
    pub name: String,
}

/// One grade of resource modeling.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct ResourceModel {
    /// The index of this grade.
    pub grade: u32,
    /// The resource ranges that make up this grade.
    pub ranges: Vec<ResourceModelRange>,
}

/// The `[min, max)` interval of one resource in one grade.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct ResourceModelRange {
    /// The resource name: `cpu`, `memory`, `storage` or `ephemeral-storage`.
    pub name: String,
    /// The inclusive lower bound; the first grade's always acts as zero.
    #[schemars(schema_with = "quantity_schema")]
    pub min: Quantity,
    /// The exclusive upper bound; the last grade's always acts as infinite.
    #[schemars(schema_with = "quantity_schema")]
    pub max: Quantity,
}

/// The observed state of a member cluster, written by the cluster status controller (Push) or
/// karmada-agent (Pull).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    /// The Kubernetes version of the member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,

    /// The APIs installed on the member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_enablements: Option<Vec<APIEnablement>>,

    /// The cluster's conditions: `Ready` and `CompleteAPIEnablements`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::work::schema::conditions")]
    pub conditions: Option<Vec<Condition>>,

    /// Node counts of the member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_summary: Option<NodeSummary>,

    /// Resource totals of the member cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_summary: Option<ResourceSummary>,

    /// Remedy actions to perform on the cluster (for example `TrafficControl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy_actions: Option<Vec<String>>,
}

/// The resources a member cluster serves in one group/version.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct APIEnablement {
    /// The group and version, such as `apps/v1`.
    pub group_version: String,
    /// The resources served in that group/version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<APIResource>>,
}

/// The plural name and kind of one served resource.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct APIResource {
    /// The plural resource name, such as `deployments`.
    pub name: String,
    /// The kind, such as `Deployment`.
    pub kind: String,
}

/// Node counts of a member cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeSummary {
    /// Total number of nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_num: Option<i32>,
    /// Number of ready nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_num: Option<i32>,
}

/// Resource totals of a member cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSummary {
    /// Allocatable resources summed over all nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::policy::v1alpha1::schema::resource_list")]
    pub allocatable: Option<BTreeMap<String, Quantity>>,
    /// Requests of the pods waiting to be scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::policy::v1alpha1::schema::resource_list")]
    pub allocating: Option<BTreeMap<String, Quantity>>,
    /// Requests of the pods scheduled to nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::policy::v1alpha1::schema::resource_list")]
    pub allocated: Option<BTreeMap<String, Quantity>>,
    /// How many nodes fall into each resource model grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocatable_modelings: Option<Vec<AllocatableModeling>>,
}

/// The number of nodes whose allocatable resources fall into one grade.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct AllocatableModeling {
    /// The grade (index into `spec.resourceModels`).
    pub grade: u32,
    /// The number of nodes in that grade.
    pub count: i32,
}

impl Cluster {
    /// The status of the `Ready` condition (`True`, `False`, `Unknown`), if reported.
    pub fn ready_status(&self) -> Option<&str> {
        self.status
            .as_ref()?
            .conditions
            .as_ref()?
            .iter()
            .find(|c| c.type_ == CONDITION_READY)
            .map(|c| c.status.as_str())
    }
}
