//! Types shared by several policy kinds (and by the bindings of `work.karmada.io`): resource
//! selectors and cluster affinities.

use k8s_openapi::api::core::v1::NodeSelectorRequirement;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// ResourceSelector selects the resources a policy applies to.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSelector {
    /// APIVersion represents the API version of the target resources.
    pub api_version: String,

    /// Kind represents the Kind of the target resources.
    pub kind: String,

    /// Namespace of the target resource.
    /// Default is empty, which means inherit from the parent object scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,

    /// Name of the target resource.
    /// Default is empty, which means selecting all resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,

    /// A label query over a set of resources.
    /// If name is not empty, labelSelector will be ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub label_selector: Option<LabelSelector>,
}

impl ResourceSelector {
    /// The selector's namespace, `""` when unset.
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or_default()
    }

    /// The selector's name, `""` when unset (every name).
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
}

/// FieldSelector is a field filter over member clusters.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldSelector {
    /// A list of field selector requirements.
    /// The key must be `provider`, `region` or `zone`; the operator `In` or `NotIn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_expressions: Option<Vec<NodeSelectorRequirement>>,
}

/// ClusterAffinity represents the filter to select clusters.
///
/// Every non-empty filter must match (they are ANDed); a cluster in `exclude` never matches; an
/// empty affinity matches every cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterAffinity {
    /// LabelSelector is a filter to select member clusters by labels.
    /// If non-nil and non-empty, only the clusters match this filter will be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-map-type" = "atomic"))]
    pub label_selector: Option<LabelSelector>,

    /// FieldSelector is a filter to select member clusters by fields.
    /// The key(field) of the match expression should be 'provider', 'region', or 'zone',
    /// and the operator of the match expression should be 'In' or 'NotIn'.
    /// If non-nil and non-empty, only the clusters match this filter will be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_selector: Option<FieldSelector>,

    /// ClusterNames is the list of clusters to be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_names: Option<Vec<String>>,

    /// ExcludedClusters is the list of clusters to be ignored.
    #[serde(default, rename = "exclude", skip_serializing_if = "Option::is_none")]
    pub exclude_clusters: Option<Vec<String>>,
}

impl ClusterAffinity {
    /// Whether the affinity has no selection criteria at all (it then matches every cluster).
    pub fn is_empty(&self) -> bool {
        self.label_selector.is_none()
            && self.field_selector.is_none()
            && self.cluster_names.as_ref().is_none_or(Vec::is_empty)
            && self.exclude_clusters.as_ref().is_none_or(Vec::is_empty)
    }
}

/// Deserializes an optional apiextensions `JSON` value so that an explicit `null` stays `Some(Null)`
/// (it is a value a patch can set) and only an absent field is `None`.
pub(crate) fn explicit_value<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}
