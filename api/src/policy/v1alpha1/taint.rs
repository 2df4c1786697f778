//! ClusterTaintPolicy (cluster-scoped): taints Karmada adds to and removes from Cluster objects when
//! their status conditions match.

use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::common::ClusterAffinity;

/// ClusterTaintPolicySpec represents the desired behavior of ClusterTaintPolicy.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "policy.karmada.io",
    version = "v1alpha1",
    kind = "ClusterTaintPolicy",
    plural = "clustertaintpolicies",
    singular = "clustertaintpolicy",
    derive = "PartialEq",
    doc = "ClusterTaintPolicy automates taint management on Cluster objects based\non declarative conditions.\nThe system evaluates AddOnConditions to determine when to add taints,\nand RemoveOnConditions to determine when to remove taints.\nAddOnConditions are evaluated before RemoveOnConditions.\nTaints are NEVER automatically removed when the ClusterTaintPolicy is deleted."
)]
#[serde(rename_all = "camelCase")]
pub struct ClusterTaintPolicySpec {
    /// TargetClusters specifies the clusters that ClusterTaintPolicy needs
    /// to pay attention to.
    /// For clusters that no longer match the TargetClusters, the taints
    /// will be kept unchanged.
    /// If targetClusters is not set, any cluster can be selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_clusters: Option<ClusterAffinity>,

    /// AddOnConditions defines the conditions to match for triggering
    /// the controller to add taints on the cluster object.
    /// The match conditions are ANDed.
    /// If AddOnConditions is empty, no taints will be added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_on_conditions: Option<Vec<MatchCondition>>,

    /// RemoveOnConditions defines the conditions to match for triggering
    /// the controller to remove taints from the cluster object.
    /// The match conditions are ANDed.
    /// If RemoveOnConditions is empty, no taints will be removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_on_conditions: Option<Vec<MatchCondition>>,

    /// Taints specifies the taints that need to be added or removed on
    /// the cluster object which match with TargetClusters.
    /// If the Taints is modified, the system will process the taints based on
    /// the latest value of Taints during the next condition-triggered execution,
    /// regardless of whether the taint has been added or removed.
    #[schemars(length(min = 1))]
    pub taints: Vec<Taint>,
}

/// MatchCondition represents the condition match detail of activating the failover
/// relevant taints on target clusters.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchCondition {
    /// ConditionType specifies the ClusterStatus condition type.
    pub condition_type: String,

    /// Operator represents a relationship to a set of values.
    /// Valid operators are In, NotIn.
    #[schemars(schema_with = "plain_string")]
    pub operator: MatchConditionOperator,

    /// StatusValues is an array of metav1.ConditionStatus values.
    /// The item specifies the ClusterStatus condition status.
    pub status_values: Vec<String>,
}

/// A MatchConditionOperator operator is the set of operators that can be used in the match
/// condition.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum MatchConditionOperator {
    // The condition's status is one of the values.
    In,
    // The condition's status is none of the values.
    NotIn,
}

/// Taint describes the taint that needs to be applied to the cluster.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    /// Key represents the taint key to be applied to a cluster.
    pub key: String,

    /// Effect represents the taint effect to be applied to a cluster.
    #[schemars(schema_with = "plain_string")]
    pub effect: TaintEffect,

    /// Value represents the taint value corresponding to the taint key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The effect of a taint (`corev1.TaintEffect`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum TaintEffect {
    // Do not schedule new workloads to the cluster.
    NoSchedule,
    // Avoid scheduling new workloads to the cluster.
    PreferNoSchedule,
    // Evict workloads that do not tolerate the taint.
    NoExecute,
}

impl TaintEffect {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// Karmada declares these Go string types without an enum in the schema; validation reports values
/// outside the Rust enum as unsupported.
fn plain_string(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string" })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::v1alpha1::fixtures::{
        assert_covers_schema, assert_round_trip, cluster_affinity, object,
    };

    #[test]
    fn cluster_taint_policy_round_trips_with_every_field() {
        let spec = json!({
            "targetClusters": cluster_affinity(),
            "addOnConditions": [{"conditionType": "Ready", "operator": "NotIn", "statusValues": ["True"]}],
            "removeOnConditions": [{"conditionType": "Ready", "operator": "In", "statusValues": ["True"]}],
            "taints": [
                {"key": "cluster.karmada.io/not-ready", "effect": "NoSchedule", "value": "true"},
                {"key": "cluster.karmada.io/not-ready", "effect": "PreferNoSchedule"},
                {"key": "cluster.karmada.io/not-ready", "effect": "NoExecute"},
            ],
        });
        let ctp = object("ClusterTaintPolicy", None, spec);
        assert_covers_schema("clustertaintpolicies.policy.karmada.io", &ctp);
        let typed: ClusterTaintPolicy = assert_round_trip(&ctp);
        assert_eq!(typed.spec.taints[2].effect.as_str(), "NoExecute");
    }
}
