//! FederatedResourceQuota (namespaced, with a status subresource): a namespace's quota across all
//! member clusters, optionally split into ResourceQuotas per cluster.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A `corev1.ResourceList`: resource name → quantity.
pub type ResourceList = BTreeMap<String, Quantity>;

/// FederatedResourceQuotaSpec defines the desired hard limits to enforce for Quota.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "policy.karmada.io",
    version = "v1alpha1",
    kind = "FederatedResourceQuota",
    plural = "federatedresourcequotas",
    singular = "federatedresourcequota",
    category = "karmada-io",
    namespaced,
    status = "FederatedResourceQuotaStatus",
    derive = "PartialEq",
    doc = "FederatedResourceQuota sets aggregate quota restrictions enforced per namespace across all clusters.",
    printcolumn = r#"{"name":"OVERALL","type":"string","jsonPath":".status.overall"}"#,
    printcolumn = r#"{"name":"OVERALL_USED","type":"string","jsonPath":".status.overallUsed"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct FederatedResourceQuotaSpec {
    /// Overall is the set of desired hard limits for each named resource.
    #[schemars(schema_with = "super::schema::resource_list")]
    pub overall: ResourceList,

    /// StaticAssignments specifies ResourceQuota settings for specific clusters.
    /// If non-empty, Karmada will create ResourceQuotas in the corresponding clusters.
    /// Clusters not listed here or when StaticAssignments is empty will have no ResourceQuotas
    /// created. The scheduler does not use this configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_assignments: Option<Vec<StaticClusterAssignment>>,
}

/// StaticClusterAssignment represents the set of desired hard limits for a specific cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaticClusterAssignment {
    /// ClusterName is the name of the cluster the limits enforce to.
    pub cluster_name: String,

    /// Hard is the set of desired hard limits for each named resource.
    #[schemars(schema_with = "super::schema::resource_list")]
    pub hard: ResourceList,
}

/// FederatedResourceQuotaStatus defines the enforced hard limits and observed use.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FederatedResourceQuotaStatus {
    /// Overall is the set of enforced hard limits for each named resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::schema::resource_list")]
    pub overall: Option<ResourceList>,

    /// OverallUsed is the current observed total usage of the resource in the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::schema::resource_list")]
    pub overall_used: Option<ResourceList>,

    /// AggregatedStatus is the observed quota usage of each cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_status: Option<Vec<ClusterQuotaStatus>>,
}

/// ClusterQuotaStatus represents the set of desired limits and observed usage for a specific
/// cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterQuotaStatus {
    /// ClusterName is the name of the cluster the limits enforce to.
    pub cluster_name: String,

    /// Hard is the set of enforced hard limits for each named resource.
    /// More info: <https://kubernetes.io/docs/concepts/policy/resource-quotas/>
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::schema::resource_list")]
    pub hard: Option<ResourceList>,

    /// Used is the current observed total usage of the resource in the namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::schema::resource_list")]
    pub used: Option<ResourceList>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::v1alpha1::fixtures::{assert_covers_schema, assert_round_trip, object};

    #[test]
    fn federated_resource_quota_round_trips_with_every_field() {
        let mut frq = object(
            "FederatedResourceQuota",
            Some("team-a"),
            json!({
                "overall": {"cpu": "10", "memory": "20Gi"},
                "staticAssignments": [{"clusterName": "member1", "hard": {"cpu": "4", "memory": "8Gi"}}],
            }),
        );
        frq["status"] = json!({
            "overall": {"cpu": "10", "memory": "20Gi"},
            "overallUsed": {"cpu": "1500m"},
            "aggregatedStatus": [{"clusterName": "member1", "hard": {"cpu": "4"}, "used": {"cpu": "1500m"}}],
        });
        assert_covers_schema("federatedresourcequotas.policy.karmada.io", &frq);
        let typed: FederatedResourceQuota = assert_round_trip(&frq);
        assert_eq!(typed.spec.overall["memory"].0, "20Gi");
        assert!(typed.status.is_some());
    }
}
