//! `apps.karmada.io/v1alpha1`: WorkloadRebalancer, a one-off job that forces a fresh reschedule of
//! the listed workloads (the controller sets `rescheduleTriggeredAt` on their bindings).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Rebalance result: the workload was rescheduled.
pub const RESULT_SUCCESSFUL: &str = "Successful";
/// Rebalance result: the workload could not be rescheduled.
pub const RESULT_FAILED: &str = "Failed";
/// Failure reason: the workload's binding does not exist.
pub const REASON_REFERENCED_BINDING_NOT_FOUND: &str = "ReferencedBindingNotFound";

/// The desired behavior of a WorkloadRebalancer.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "apps.karmada.io",
    version = "v1alpha1",
    kind = "WorkloadRebalancer",
    plural = "workloadrebalancers",
    singular = "workloadrebalancer",
    status = "WorkloadRebalancerStatus",
    derive = "PartialEq",
    doc = "WorkloadRebalancer represents the desired behavior and status of a job which can enforces a resource rebalance."
)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadRebalancerSpec {
    /// The workloads to rebalance; may not be empty.
    #[schemars(length(min = 1))]
    pub workloads: Vec<ObjectReference>,

    /// How long a finished rebalancer (every workload Successful or Failed) lives before it may be
    /// deleted automatically; unset: never deleted automatically; zero: right after finishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<i32>,
}

/// A workload to rebalance.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    /// The API version of the workload.
    pub api_version: String,
    /// The kind of the workload.
    pub kind: String,
    /// The name of the workload.
    pub name: String,
    /// The namespace of the workload; empty for cluster-scoped resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The progress of a WorkloadRebalancer, written by its controller.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadRebalancerStatus {
    /// The result of each workload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_workloads: Option<Vec<ObservedWorkload>>,

    /// The `.metadata.generation` the controller last acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// When every workload finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_time: Option<Time>,
}

/// The rebalance result of one workload.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObservedWorkload {
    /// The workload.
    pub workload: ObjectReference,
    /// `Successful` or `Failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// Why it failed, machine-readable (`ReferencedBindingNotFound`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
