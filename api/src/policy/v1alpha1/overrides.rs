//! OverridePolicy (`op`, namespaced) and ClusterOverridePolicy (`cop`, cluster-scoped): per-cluster
//! changes to propagated resources. Both kinds share [`OverrideSpec`].

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{ClusterAffinity, ResourceSelector, explicit_value};

/// OverrideSpec defines the desired behavior of OverridePolicy.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "policy.karmada.io",
    version = "v1alpha1",
    kind = "OverridePolicy",
    plural = "overridepolicies",
    singular = "overridepolicy",
    shortname = "op",
    category = "karmada-io",
    namespaced,
    derive = "PartialEq",
    doc = "OverridePolicy represents the policy that overrides a group of resources to one or more clusters."
)]
#[serde(rename_all = "camelCase")]
pub struct OverrideSpec {
    /// ResourceSelectors restricts resource types that this override policy applies to.
    /// nil means matching all resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_selectors: Option<Vec<ResourceSelector>>,

    /// OverrideRules defines a collection of override rules on target clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_rules: Option<Vec<RuleWithCluster>>,

    /// TargetCluster defines restrictions on this override policy
    /// that only applies to resources propagated to the matching clusters.
    /// nil means matching all clusters.
    ///
    /// Deprecated: This filed is deprecated in v1.0 and please use the OverrideRules instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cluster: Option<ClusterAffinity>,

    /// Overriders represents the override rules that would apply on resources
    ///
    /// Deprecated: This filed is deprecated in v1.0 and please use the OverrideRules instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overriders: Option<Overriders>,
}

/// RuleWithCluster defines the override rules on clusters.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleWithCluster {
    /// TargetCluster defines restrictions on this override policy
    /// that only applies to resources propagated to the matching clusters.
    /// nil means matching all clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_cluster: Option<ClusterAffinity>,

    /// Overriders represents the override rules that would apply on resources
    pub overriders: Overriders,
}

/// Overriders offers various alternatives to represent the override rules.
///
/// If more than one alternative exists, they will be applied with following order:
/// ImageOverrider, CommandOverrider, ArgsOverrider, LabelsOverrider, AnnotationsOverrider,
/// FieldOverrider, Plaintext.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Overriders {
    /// Plaintext represents override rules defined with plaintext overriders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plaintext: Option<Vec<PlaintextOverrider>>,

    /// ImageOverrider represents the rules dedicated to handling image overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_overrider: Option<Vec<ImageOverrider>>,

    /// CommandOverrider represents the rules dedicated to handling container command
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_overrider: Option<Vec<CommandArgsOverrider>>,

    /// ArgsOverrider represents the rules dedicated to handling container args
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args_overrider: Option<Vec<CommandArgsOverrider>>,

    /// LabelsOverrider represents the rules dedicated to handling workload labels
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels_overrider: Option<Vec<LabelAnnotationOverrider>>,

    /// AnnotationsOverrider represents the rules dedicated to handling workload annotations
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations_overrider: Option<Vec<LabelAnnotationOverrider>>,

    /// FieldOverrider represents the rules dedicated to modifying a specific field in any
    /// Kubernetes resource, such as a JSON or YAML document held in a ConfigMap or Secret.
    /// Each FieldOverrider processes either JSON or YAML, not both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_overrider: Option<Vec<FieldOverrider>>,
}

impl Overriders {
    /// Whether no overrider of any kind is set.
    pub fn is_empty(&self) -> bool {
        fn none<T>(list: &Option<Vec<T>>) -> bool {
            list.as_ref().is_none_or(Vec::is_empty)
        }
        none(&self.plaintext)
            && none(&self.image_overrider)
            && none(&self.command_overrider)
            && none(&self.args_overrider)
            && none(&self.labels_overrider)
            && none(&self.annotations_overrider)
            && none(&self.field_overrider)
    }
}

/// LabelAnnotationOverrider represents the rules dedicated to handling workload labels/annotations
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelAnnotationOverrider {
    /// Operator represents the operator which will apply on the workload.
    pub operator: OverriderOperator,

    /// Value to be applied to annotations/labels of workload.
    /// Items in Value which will be appended after annotations/labels when Operator is 'add'.
    /// Items in Value which match in annotations/labels will be deleted when Operator is 'remove'.
    /// Items in Value which match in annotations/labels will be replaced when Operator is 'replace'.
    pub value: BTreeMap<String, String>,
}

/// ImageOverrider represents the rules dedicated to handling image overrides.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageOverrider {
    /// Predicate filters images before applying the rule.
    ///
    /// Defaults to nil, in that case, the system will automatically detect image fields if the
    /// resource type is Pod, ReplicaSet, Deployment, StatefulSet, DaemonSet or Job
    /// (`/spec/containers/<N>/image` for a Pod, `/spec/template/spec/containers/<N>/image` for the
    /// others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<ImagePredicate>,

    /// Component is part of image name.
    /// Basically we presume an image can be made of `[registry/]repository[:tag]`.
    pub component: ImageComponent,

    /// Operator represents the operator which will apply on the image.
    pub operator: OverriderOperator,

    /// Value to be applied to image.
    /// Must not be empty when operator is 'add' or 'replace'.
    /// Defaults to empty and ignored when operator is 'remove'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// ImagePredicate describes images filter.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImagePredicate {
    /// Path indicates the path of target field
    pub path: String,
}

/// ImageComponent indicates the components for image.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ImageComponent {
    // The registry, e.g. `registry.k8s.io` or `fictional.registry.example:10443`.
    Registry,
    // The repository, e.g. `kube-apiserver` or `fictional/nginx`.
    Repository,
    // The tag or digest, e.g. `latest`, `v1.19.1` or `@sha256:...`.
    Tag,
}

/// CommandArgsOverrider represents the rules dedicated to handling command/args overrides.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommandArgsOverrider {
    /// The name of container
    pub container_name: String,

    /// Operator represents the operator which will apply on the command/args.
    pub operator: CommandArgsOperator,

    /// Value to be applied to command/args.
    /// Items in Value which will be appended after command/args when Operator is 'add'.
    /// Items in Value which match in command/args will be deleted when Operator is 'remove'.
    /// If Value is empty, then the command/args will remain the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Vec<String>>,
}

/// PlaintextOverrider is a simple overrider that overrides target fields
/// according to path, operator and value.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaintextOverrider {
    /// Path indicates the path of target field
    pub path: String,

    /// Operator indicates the operation on target field.
    /// Available operators are: add, replace and remove.
    pub operator: OverriderOperator,

    /// Value to be applied to target field.
    /// Must be empty when operator is Remove.
    #[serde(
        default,
        deserialize_with = "explicit_value",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "super::schema::preserve_unknown_fields")]
    pub value: Option<Value>,
}

/// The operators of the label, annotation, image, plaintext and field overriders.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OverriderOperator {
    // Add the value.
    Add,
    // Remove the value.
    Remove,
    // Replace the value.
    Replace,
}

impl OverriderOperator {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            OverriderOperator::Add => "add",
            OverriderOperator::Remove => "remove",
            OverriderOperator::Replace => "replace",
        }
    }
}

/// The operators of the command and args overriders (Karmada's `OverriderOperator` restricted to
/// `add` and `remove`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommandArgsOperator {
    // Append the items.
    Add,
    // Delete the matching items.
    Remove,
}

/// FieldOverrider represents the rules dedicated to modifying a specific field in any Kubernetes
/// resource, such as a JSON or YAML document held in a ConfigMap or Secret.
/// Note: In any given instance, FieldOverrider processes either JSON or YAML fields, but not both
/// simultaneously.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldOverrider {
    /// FieldPath specifies the initial location in the instance document where the operation
    /// should take place. The path uses RFC 6901 for navigating into nested structures. For
    /// example, the path "/data/db-config.yaml" specifies the configuration data key named
    /// "db-config.yaml" in a ConfigMap.
    pub field_path: String,

    /// JSON represents the operations performed on the JSON document specified by the FieldPath.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<Vec<JsonPatchOperation>>,

    /// YAML represents the operations performed on the YAML document specified by the FieldPath.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yaml: Option<Vec<YamlPatchOperation>>,
}

/// One modification of the JSON or YAML document a [`FieldOverrider`] points at (Karmada's
/// `JSONPatchOperation` and `YAMLPatchOperation` have this same shape).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldPatchOperation {
    /// SubPath specifies the relative location within the initial FieldPath where the operation
    /// should take place. The path uses RFC 6901 for navigating into nested structures.
    pub sub_path: String,

    /// Operator indicates the operation on target field.
    /// Available operators are: "add", "remove", and "replace".
    pub operator: OverriderOperator,

    /// Value is the new value to set for the specified field if the operation is "add" or
    /// "replace". For "remove" operation, this field is ignored.
    #[serde(
        default,
        deserialize_with = "explicit_value",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "super::schema::preserve_unknown_fields")]
    pub value: Option<Value>,
}

/// JSONPatchOperation represents a single field modification operation for JSON format.
pub type JsonPatchOperation = FieldPatchOperation;
/// YAMLPatchOperation represents a single field modification operation for YAML format.
pub type YamlPatchOperation = FieldPatchOperation;

super::cluster_scoped_twin! {
    /// ClusterOverridePolicy represents the cluster-wide policy that overrides a group of resources
    /// to one or more clusters.
    ClusterOverridePolicy {
        spec: OverrideSpec,
        namespaced: OverridePolicy,
        plural: "clusteroverridepolicies",
        singular: "clusteroverridepolicy",
        shortname: "cop",
        description: "ClusterOverridePolicy represents the cluster-wide policy that overrides a group of resources to one or more clusters.",
        spec_description: "Spec represents the desired behavior of ClusterOverridePolicy.",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::v1alpha1::fixtures::{
        assert_covers_schema, assert_round_trip, object, override_spec,
    };

    #[test]
    fn override_policy_round_trips_with_every_field() {
        let op = object("OverridePolicy", Some("default"), override_spec());
        assert_covers_schema("overridepolicies.policy.karmada.io", &op);
        let typed: OverridePolicy = assert_round_trip(&op);
        let rule = &typed.spec.override_rules.as_ref().unwrap()[0];
        assert_eq!(rule.overriders.plaintext.as_ref().unwrap()[2].value, None);
        assert_eq!(
            rule.overriders.field_overrider.as_ref().unwrap()[1]
                .yaml
                .as_ref()
                .unwrap()[0]
                .value,
            Some(json!(5432))
        );
    }

    #[test]
    fn cluster_override_policy_round_trips_with_every_field() {
        let cop = object("ClusterOverridePolicy", None, override_spec());
        assert_covers_schema("clusteroverridepolicies.policy.karmada.io", &cop);
        assert_round_trip::<ClusterOverridePolicy>(&cop);
    }

    #[test]
    fn an_explicit_null_value_is_kept_apart_from_no_value() {
        let with_null = json!({"path": "/spec/x", "operator": "replace", "value": null});
        let typed: PlaintextOverrider = assert_round_trip(&with_null);
        assert_eq!(typed.value, Some(serde_json::Value::Null));
        let without = json!({"path": "/spec/x", "operator": "remove"});
        assert_eq!(
            assert_round_trip::<PlaintextOverrider>(&without).value,
            None
        );
    }

    #[test]
    fn command_and_args_operators_exclude_replace() {
        let replace = json!({"containerName": "c", "operator": "replace"});
        assert!(serde_json::from_value::<CommandArgsOverrider>(replace).is_err());
    }

    #[test]
    fn emptiness_of_overriders() {
        assert!(Overriders::default().is_empty());
        let only_fields = Overriders {
            field_overrider: Some(vec![FieldOverrider::default()]),
            ..Default::default()
        };
        assert!(!only_fields.is_empty());
    }
}
