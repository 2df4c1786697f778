//! `work.karmada.io/v1alpha1`: Work, the manifests bound for one member cluster, kept in that
//! cluster's execution namespace (`karmada-es-<cluster>`).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `Applied`: the workload is applied on the member cluster.
pub const CONDITION_APPLIED: &str = "Applied";
/// `Progressing`: the workload is being applied on the member cluster.
pub const CONDITION_PROGRESSING: &str = "Progressing";
/// `Available`: every resource of the Work exists on the member cluster.
pub const CONDITION_AVAILABLE: &str = "Available";
/// `Degraded`: the workload has not matched its desired state for a while.
pub const CONDITION_DEGRADED: &str = "Degraded";
/// `Dispatching`: whether the Work is dispatched or suspended.
pub const CONDITION_DISPATCHING: &str = "Dispatching";

/// The desired state of a Work.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
// kube's `printcolumn(...)` lists repeat keys, which clippy mistakes for duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[kube(
    group = "work.karmada.io",
    version = "v1alpha1",
    kind = "Work",
    plural = "works",
    singular = "work",
    shortname = "wk",
    category = "karmada-io",
    namespaced,
    status = "WorkStatus",
    derive = "PartialEq",
    doc = "Work defines a list of resources to be deployed on the member cluster.",
    printcolumn(
        name = "WORKLOAD-KIND",
        type_ = "string",
        json_path = ".spec.workload.manifests[*].kind"
    ),
    printcolumn(
        name = "APPLIED",
        type_ = "string",
        json_path = r#".status.conditions[?(@.type=="Applied")].status"#
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct WorkSpec {
    /// Workload represents the manifest workload to be deployed on managed cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadTemplate>,

    /// Whether dispatching is suspended (nil: not suspended). True stops propagating to the
    /// member cluster; it does not stop status collection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend_dispatching: Option<bool>,

    /// Whether the resources are kept on the member cluster when the Work is deleted. Defaults to
    /// false: they are deleted with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_resources_on_deletion: Option<bool>,
}

/// The manifests to be deployed on the member cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadTemplate {
    /// The Kubernetes resources to be deployed on the member cluster (in practice one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifests: Option<Vec<Manifest>>,
}

/// A resource to be deployed on the member cluster, as a raw JSON object.
pub type Manifest = RawObject;

/// An embedded JSON object kept as it is (Kubernetes' `runtime.RawExtension` holding an object),
/// with unknown fields preserved.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(transparent)]
pub struct RawObject(pub Map<String, Value>);

impl JsonSchema for RawObject {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawObject".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
    }
}

impl RawObject {
    /// A string field of the object (`apiVersion`, `kind`), if set.
    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }
}

/// The observed state of a Work, written by the execution and work-status controllers.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkStatus {
    /// The Work's conditions: `Applied`, `Progressing`, `Available`, `Degraded`, `Dispatching`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::work::schema::conditions")]
    pub conditions: Option<Vec<Condition>>,

    /// The running status of each manifest in spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_statuses: Option<Vec<ManifestStatus>>,
}

/// The running status of one manifest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManifestStatus {
    /// Which manifest this status is about.
    pub identifier: ResourceIdentifier,

    /// The status of the resource in the member cluster, as reflected by the resource interpreter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RawObject>,

    /// The health of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<ResourceHealth>,
}

/// The identity of a resource in a Work.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceIdentifier {
    /// Index in the manifests list, so a status links to its manifest even when the manifest
    /// cannot be parsed.
    #[schemars(schema_with = "go_int")]
    pub ordinal: i64,
    /// The API group of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The API version of the resource.
    pub version: String,
    /// The kind of the resource.
    pub kind: String,
    /// The resource (plural) of the resource type.
    pub resource: String,
    /// The namespace; empty for cluster-scoped resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The name of the resource.
    pub name: String,
}

/// A Go `int`: an integer with no declared width.
fn go_int(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer" })
}

/// The health of a propagated resource in a member cluster.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ResourceHealth {
    /// The resource is healthy.
    Healthy,
    /// The resource is unhealthy.
    Unhealthy,
    /// The health of the resource is unknown.
    Unknown,
}

impl Work {
    /// The manifests of the Work (empty when it has none).
    pub fn manifests(&self) -> &[Manifest] {
        self.spec
            .workload
            .as_ref()
            .and_then(|w| w.manifests.as_deref())
            .unwrap_or_default()
    }
}
