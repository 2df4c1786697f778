//! The binding a claimed template should have (pure): which fields the detector owns and how an
//! existing binding is brought up to date without touching what the scheduler and other
//! controllers own.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use karmada_api::names;
use karmada_api::policy::v1alpha1::PropagationSpec;
use karmada_api::work::v1alpha2::{
    Binding, ObjectReference, ReplicaRequirements, ResourceBindingSpec, Suspension,
};
use serde_json::Value;

use super::matching::PolicyRef;

/// What the detector wants a binding to hold.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredBinding {
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Claim annotations to set, and those to remove (`None`).
    pub annotations: BTreeMap<String, Option<String>>,
    pub owner: OwnerReference,
    pub resource: ObjectReference,
    pub replicas: Option<i32>,
    pub replica_requirements: Option<ReplicaRequirements>,
    pub policy: PropagationSpec,
}

/// The binding of `template` (JSON, with apiVersion and kind) claimed by `policy`.
pub fn desired(
    template: &Value,
    policy: &PolicyRef,
    permanent_id: &str,
    spec: &PropagationSpec,
) -> DesiredBinding {
    let text = |pointer: &str| {
        template
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let namespace = Some(text("/metadata/namespace")).filter(|n| !n.is_empty());
    let mut labels = BTreeMap::new();
    let mut annotations = BTreeMap::new();
    match policy {
        PolicyRef::Namespaced { namespace, name } => {
            labels.insert(
                names::PROPAGATION_POLICY_PERMANENT_ID_LABEL.to_string(),
                permanent_id.to_string(),
            );
            annotations.insert(
                names::PROPAGATION_POLICY_NAMESPACE_ANNOTATION.to_string(),
                Some(namespace.clone()),
            );
            annotations.insert(
                names::PROPAGATION_POLICY_NAME_ANNOTATION.to_string(),
                Some(name.clone()),
            );
            annotations.insert(
                names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION.to_string(),
                None,
            );
        }
        PolicyRef::Cluster { name } => {
            labels.insert(
                names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL.to_string(),
                permanent_id.to_string(),
            );
            annotations.insert(
                names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION.to_string(),
                Some(name.clone()),
            );
            annotations.insert(
                names::PROPAGATION_POLICY_NAMESPACE_ANNOTATION.to_string(),
                None,
            );
            annotations.insert(names::PROPAGATION_POLICY_NAME_ANNOTATION.to_string(), None);
        }
    }
    let (replicas, replica_requirements) = match crate::interpret::replicas(template) {
        Some((replicas, requirements)) => (Some(replicas), requirements),
        None => (None, None),
    };
    DesiredBinding {
        namespace,
        labels,
        annotations,
        owner: OwnerReference {
            api_version: text("/apiVersion"),
            kind: text("/kind"),
            name: text("/metadata/name"),
            uid: text("/metadata/uid"),
            controller: Some(true),
            block_owner_deletion: Some(true),
        },
        resource: ObjectReference {
            api_version: text("/apiVersion"),
            kind: text("/kind"),
            namespace: Some(text("/metadata/namespace")).filter(|n| !n.is_empty()),
            name: text("/metadata/name"),
            uid: Some(text("/metadata/uid")),
            resource_version: Some(text("/metadata/resourceVersion")),
        },
        replicas,
        replica_requirements,
        policy: spec.clone(),
    }
}

impl DesiredBinding {
    /// Writes the detector's fields into `spec`, keeping the rest.
    fn apply_spec(&self, spec: &mut ResourceBindingSpec) {
        let policy = &self.policy;
        spec.resource = self.resource.clone();
        spec.replicas = self.replicas;
        spec.replica_requirements = self.replica_requirements.clone();
        // Always set: a binding without placement is an attached (dependency) binding.
        spec.placement = Some(policy.placement.clone().unwrap_or_default());
        spec.propagate_deps = policy.propagate_deps;
        spec.scheduler_name = Some(policy.scheduler_name().to_string());
        spec.failover = policy.failover.clone();
        spec.conflict_resolution = Some(policy.conflict_resolution());
        spec.preserve_resources_on_deletion = policy.preserve_resources_on_deletion;
        let scheduling = spec.suspension.as_ref().and_then(|s| s.scheduling);
        spec.suspension = match (&policy.suspension, scheduling) {
            (None, None) => None,
            (suspension, scheduling) => Some(Suspension {
                policy: suspension.clone().unwrap_or_default(),
                scheduling,
            }),
        };
    }

    fn apply_meta(&self, meta: &mut ObjectMeta) {
        let labels = meta.labels.get_or_insert_with(BTreeMap::new);
        for label in [
            names::PROPAGATION_POLICY_PERMANENT_ID_LABEL,
            names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
        ] {
            labels.remove(label);
        }
        labels.extend(self.labels.clone());
        let annotations = meta.annotations.get_or_insert_with(BTreeMap::new);
        for (key, value) in &self.annotations {
            match value {
                Some(value) => {
                    annotations.insert(key.clone(), value.clone());
                }
                None => {
                    annotations.remove(key);
                }
            }
        }
        let owners = meta.owner_references.get_or_insert_with(Vec::new);
        owners.retain(|o| o.controller != Some(true));
        owners.push(self.owner.clone());
    }

    /// A new binding named `name`, with the binding controller's finalizer.
    pub fn new_object<B: Binding>(&self, name: &str) -> B {
        let mut spec = ResourceBindingSpec::default();
        self.apply_spec(&mut spec);
        let mut meta = ObjectMeta {
            name: Some(name.to_string()),
            namespace: self.namespace.clone(),
            finalizers: Some(vec![B::FINALIZER.to_string()]),
            ..ObjectMeta::default()
        };
        self.apply_meta(&mut meta);
        let mut object: B = serde_json::from_value(serde_json::json!({
            "apiVersion": B::api_version(&()),
            "kind": B::kind(&()),
            "metadata": meta,
            "spec": spec,
        }))
        .expect("a binding built from its own types decodes");
        *object.binding_spec_mut() = spec;
        object
    }

    /// `existing` updated, or `None` when it already holds what the detector wants (a changed
    /// template resourceVersion alone does not count: the binding controller watches templates).
    pub fn update<B: Binding>(&self, existing: &B) -> Option<B> {
        let mut updated = existing.clone();
        self.apply_spec(updated.binding_spec_mut());
        self.apply_meta(updated.meta_mut());
        let mut left = updated.binding_spec().clone();
        left.resource.resource_version = None;
        let mut right = existing.binding_spec().clone();
        right.resource.resource_version = None;
        let same = left == right
            && updated.meta().labels == existing.meta().labels
            && updated.meta().annotations == existing.meta().annotations
            && updated.meta().owner_references == existing.meta().owner_references;
        (!same).then_some(updated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use karmada_api::work::v1alpha2::{ResourceBinding, TargetCluster};
    use serde_json::json;

    fn template() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx", "namespace": "default", "uid": "u1", "resourceVersion": "7"},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    }

    fn policy() -> PolicyRef {
        PolicyRef::Namespaced {
            namespace: "default".into(),
            name: "pp".into(),
        }
    }

    #[test]
    fn a_new_binding_points_at_its_template_and_carries_the_claim() {
        let spec = PropagationSpec::default();
        let binding: ResourceBinding =
            desired(&template(), &policy(), "id-1", &spec).new_object("nginx-deployment");
        assert_eq!(binding.spec.resource.name, "nginx");
        assert_eq!(binding.spec.resource.uid.as_deref(), Some("u1"));
        assert_eq!(binding.spec.replicas, Some(3));
        assert_eq!(
            binding
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(names::PROPAGATION_POLICY_PERMANENT_ID_LABEL))
                .map(String::as_str),
            Some("id-1")
        );
        assert_eq!(
            binding
                .metadata
                .owner_references
                .as_ref()
                .map(|o| o[0].uid.as_str()),
            Some("u1")
        );
        assert_eq!(
            binding.metadata.finalizers,
            Some(vec![names::BINDING_CONTROLLER_FINALIZER.to_string()])
        );
    }

    #[test]
    fn an_update_keeps_the_scheduling_result_and_ignores_resource_version_only_changes() {
        let spec = PropagationSpec::default();
        let want = desired(&template(), &policy(), "id-1", &spec);
        let mut existing: ResourceBinding = want.new_object("nginx-deployment");
        existing.spec.clusters = Some(vec![TargetCluster {
            name: "m1".into(),
            replicas: Some(3),
            components: None,
        }]);
        assert!(want.update(&existing).is_none());
        let mut newer = template();
        newer["metadata"]["resourceVersion"] = json!("8");
        assert!(
            desired(&newer, &policy(), "id-1", &spec)
                .update(&existing)
                .is_none()
        );
        newer["spec"]["replicas"] = json!(5);
        let updated = desired(&newer, &policy(), "id-1", &spec)
            .update(&existing)
            .expect("replicas changed");
        assert_eq!(updated.spec.replicas, Some(5));
        assert_eq!(updated.spec.clusters, existing.spec.clusters);
    }
}
