//! The Work of one binding for one cluster (pure): the template prepared for a member — server
//! fields dropped, replicas revised, overrides applied, Karmada's labels and annotations set.

use std::collections::BTreeMap;

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::names;
use karmada_api::policy::v1alpha1::{ClusterOverridePolicy, ConflictResolution, OverridePolicy};
use karmada_api::work::v1alpha2::ResourceBindingSpec;
use serde_json::{Map, Value, json};

use super::overrides::{self, OverrideError};
use crate::naming;

/// Metadata the API server sets, never sent to a member.
const SERVER_FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "ownerReferences",
    "finalizers",
    "selfLink",
];

/// Who a Work belongs to.
#[derive(Debug, Clone)]
pub struct Owner<'a> {
    /// `Some` for a ResourceBinding, `None` for a ClusterResourceBinding.
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub permanent_id_label: &'a str,
    pub permanent_id: &'a str,
}

/// A Work to create or update.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredWork {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub manifest: Value,
    pub suspend_dispatching: Option<bool>,
    pub preserve_resources_on_deletion: Option<bool>,
}

/// The template as a member should receive it, before per-cluster changes.
pub fn prepare(template: &Value) -> Value {
    let mut manifest = template.clone();
    if let Some(object) = manifest.as_object_mut() {
        object.remove("status");
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            for field in SERVER_FIELDS {
                meta.remove(*field);
            }
            if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
                annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            }
        }
    }
    manifest
}

/// The Work for `cluster`.
#[allow(clippy::too_many_arguments)]
pub fn desired(
    template: &Value,
    spec: &ResourceBindingSpec,
    owner: &Owner<'_>,
    cluster: &Cluster,
    replicas: Option<i32>,
    cluster_policies: &[ClusterOverridePolicy],
    policies: &[OverridePolicy],
) -> Result<DesiredWork, OverrideError> {
    let cluster_name = cluster.metadata.name.clone().unwrap_or_default();
    let mut manifest = prepare(template);
    let is_workload = crate::interpret::replicas(template).is_some();
    if let (true, Some(replicas)) = (is_workload, replicas) {
        crate::interpret::revise_replicas(&mut manifest, replicas);
    }
    let applied = overrides::apply_overrides(&mut manifest, cluster, cluster_policies, policies)?;

    let text = |pointer: &str| {
        template
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let kind = text("/kind");
    let namespace = text("/metadata/namespace");
    let name = text("/metadata/name");
    let work_namespace = names::execution_namespace(&cluster_name);
    let work_name = naming::work_name(&kind, &namespace, &name);

    let conflict = template
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(names::CONFLICT_RESOLUTION_ANNOTATION))
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            match spec
                .conflict_resolution
                .unwrap_or(ConflictResolution::Abort)
            {
                ConflictResolution::Overwrite => "overwrite",
                ConflictResolution::Abort => "abort",
            }
            .to_string()
        });

    let mut binding_annotations = BTreeMap::new();
    match owner.namespace {
        Some(ns) => {
            binding_annotations.insert(
                names::RESOURCE_BINDING_NAMESPACE_ANNOTATION.to_string(),
                ns.to_string(),
            );
            binding_annotations.insert(
                names::RESOURCE_BINDING_NAME_ANNOTATION.to_string(),
                owner.name.to_string(),
            );
        }
        None => {
            binding_annotations.insert(
                names::CLUSTER_RESOURCE_BINDING_NAME_ANNOTATION.to_string(),
                owner.name.to_string(),
            );
        }
    }

    let meta = manifest
        .as_object_mut()
        .and_then(|o| {
            o.entry("metadata")
                .or_insert_with(|| json!({}))
                .as_object_mut()
        })
        .expect("a template is an object with metadata");
    let labels = meta
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(names::MANAGED_LABEL.into(), json!("true"));
        labels.insert(owner.permanent_id_label.into(), json!(owner.permanent_id));
    }
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(annotations) = annotations.as_object_mut() {
        annotations.insert(
            names::WORK_NAMESPACE_ANNOTATION.into(),
            json!(work_namespace),
        );
        annotations.insert(names::WORK_NAME_ANNOTATION.into(), json!(work_name));
        annotations.insert(
            names::CONFLICT_RESOLUTION_ANNOTATION.into(),
            json!(conflict),
        );
        annotations.insert(
            names::RESOURCE_TEMPLATE_UID_ANNOTATION.into(),
            json!(text("/metadata/uid")),
        );
        for (k, v) in &binding_annotations {
            annotations.insert(k.clone(), json!(v));
        }
    }

    let mut labels = BTreeMap::new();
    labels.insert(
        owner.permanent_id_label.to_string(),
        owner.permanent_id.to_string(),
    );
    let mut annotations = binding_annotations;
    if let Some(value) = applied.cluster_annotation() {
        annotations.insert(
            names::APPLIED_CLUSTER_OVERRIDES_ANNOTATION.to_string(),
            value,
        );
    }
    if let Some(value) = applied.namespaced_annotation() {
        annotations.insert(names::APPLIED_OVERRIDES_ANNOTATION.to_string(), value);
    }
    let suspension = spec.suspension.as_ref().map(|s| &s.policy);
    let suspend_dispatching = suspension.and_then(|s| {
        if s.dispatching == Some(true) {
            return Some(true);
        }
        s.dispatching_on_clusters
            .as_ref()
            .and_then(|c| c.cluster_names.as_ref())
            .map(|names| names.contains(&cluster_name))
            .filter(|suspended| *suspended)
    });
    Ok(DesiredWork {
        namespace: work_namespace,
        name: work_name,
        labels,
        annotations,
        manifest,
        suspend_dispatching,
        preserve_resources_on_deletion: spec.preserve_resources_on_deletion,
    })
}
