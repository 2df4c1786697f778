//! Defaulting and validation of Work, as Karmada's Work mutating webhook does them (on create and
//! update): the Work gets a permanent id, and each manifest is cleaned of what the control plane's
//! API server wrote into it (and of what must not reach a member cluster), is labelled with the
//! Work's permanent id, and records which labels and annotations Karmada manages.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::v1alpha1::{Manifest, Work};
use crate::names;
use crate::validation::FieldError;

/// Every manifest must be an object naming its `apiVersion` and `kind`.
pub fn validate_work(work: &Work) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, manifest) in work.manifests().iter().enumerate() {
        for key in ["apiVersion", "kind"] {
            if manifest.str_field(key).is_none_or(str::is_empty) {
                errs.push(FieldError::required(
                    format!("spec.workload.manifests[{i}].{key}"),
                    "",
                ));
            }
        }
    }
    errs
}

/// Karmada's Work mutation: a missing or empty `work.karmada.io/permanent-id` label gets
/// `new_id()`, then every manifest is pruned and labelled.
pub fn mutate_work(work: &mut Work, new_id: impl FnOnce() -> String) {
    let labels = work.metadata.labels.get_or_insert_with(BTreeMap::new);
    let id = labels
        .entry(names::WORK_PERMANENT_ID_LABEL.to_string())
        .or_default();
    if id.is_empty() {
        *id = new_id();
    }
    let id = id.clone();
    let manifests = work
        .spec
        .workload
        .as_mut()
        .and_then(|w| w.manifests.as_mut());
    for manifest in manifests.into_iter().flatten() {
        prune_manifest(manifest);
        record_managed_metadata(manifest, &id);
    }
}

/// Removes the fields the control plane's API server populated, which cannot (or need not) be
/// propagated to a member cluster.
pub fn prune_manifest(manifest: &mut Manifest) {
    let object = &mut manifest.0;
    if let Some(Value::Object(metadata)) = object.get_mut("metadata") {
        for field in [
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "managedFields",
            "resourceVersion",
            "selfLink",
            "uid",
            "ownerReferences",
            "finalizers",
        ] {
            metadata.remove(field);
        }
    }
    object.remove("status");
    let kind = object
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match kind {
        "Deployment" => {
            for key in [
                "deployment.kubernetes.io/revision",
                "deployment.kubernetes.io/revision-history",
            ] {
                remove_at(object, &["metadata", "annotations", key]);
            }
        }
        "Job" => prune_job(object),
        "Secret"
            if object.get("type").and_then(Value::as_str)
                == Some("kubernetes.io/service-account-token") =>
        {
            // Token Secrets are filled in by each member's token controller.
            let uid = [
                "metadata",
                "annotations",
                "kubernetes.io/service-account.uid",
            ];
            remove_at(object, &uid);
            object.insert("data".into(), Value::Null);
        }
        "ServiceAccount" => prune_service_account_tokens(object),
        "Service" => {
            let cluster_ip = get_at(object, &["spec", "clusterIP"]).and_then(Value::as_str);
            if cluster_ip.is_some_and(|ip| ip != "None") {
                remove_at(object, &["spec", "clusterIP"]);
                remove_at(object, &["spec", "clusterIPs"]);
            }
        }
        "PersistentVolumeClaim" => {
            let path = [
                "metadata",
                "annotations",
                "volume.kubernetes.io/selected-node",
            ];
            if get_at(object, &path)
                .and_then(Value::as_str)
                .is_some_and(|node| !node.is_empty())
            {
                remove_at(object, &path);
            }
        }
        _ => {}
    }
}

/// A Job's generated selector and pod labels belong to the control plane's Job controller; the
/// TTL is dropped so a member cannot delete a finished Job that Karmada would then re-create.
fn prune_job(object: &mut Map<String, Value>) {
    let manual_selector = get_at(object, &["spec", "manualSelector"]).and_then(Value::as_bool);
    if manual_selector != Some(true) {
        for key in ["controller-uid", "batch.kubernetes.io/controller-uid"] {
            remove_at(object, &["spec", "selector", "matchLabels", key]);
        }
        for key in [
            "controller-uid",
            "job-name",
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-name",
        ] {
            remove_at(object, &["spec", "template", "metadata", "labels", key]);
        }
    }
    remove_at(object, &["spec", "ttlSecondsAfterFinished"]);
}

/// Token Secrets (`<name>-token-*`) are generated per cluster.
fn prune_service_account_tokens(object: &mut Map<String, Value>) {
    let prefix = format!(
        "{}-token-",
        get_at(object, &["metadata", "name"])
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    if let Some(Value::Array(secrets)) = object.get_mut("secrets") {
        secrets.retain(|secret| {
            !secret
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| name.starts_with(&prefix))
        });
    }
}

/// Labels the manifest with the Work's permanent id and records, in annotations, the annotation
/// and label keys Karmada manages on it.
fn record_managed_metadata(manifest: &mut Manifest, work_id: &str) {
    let metadata = object_at(&mut manifest.0, "metadata");
    let annotations = object_at(metadata, "annotations");
    let managed_annotations = names::MANAGED_ANNOTATIONS_ANNOTATION;
    let managed_labels = names::MANAGED_LABELS_ANNOTATION;
    let mut keys: Vec<&str> = vec![managed_annotations, managed_labels];
    keys.extend(
        annotations
            .keys()
            .map(String::as_str)
            .filter(|k| *k != managed_annotations && *k != managed_labels),
    );
    keys.sort_unstable();
    let joined = keys.join(",");
    annotations.insert(managed_annotations.into(), Value::String(joined));

    if !work_id.is_empty() {
        object_at(metadata, "labels").insert(
            names::WORK_PERMANENT_ID_LABEL.into(),
            Value::String(work_id.into()),
        );
    }
    let mut label_keys: Vec<&str> = match metadata.get("labels") {
        Some(Value::Object(labels)) => labels.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    label_keys.sort_unstable();
    let joined = label_keys.join(",");
    object_at(metadata, "annotations").insert(managed_labels.into(), Value::String(joined));
}

/// The object under `key`, made an (empty) object when missing or not an object.
fn object_at<'a>(object: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = object
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

fn get_at<'a>(object: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    rest.iter()
        .try_fold(object.get(*first)?, |value, key| value.get(*key))
}

fn remove_at(object: &mut Map<String, Value>, path: &[&str]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = object;
    for key in parents {
        match current.get_mut(*key) {
            Some(Value::Object(next)) => current = next,
            _ => return,
        }
    }
    current.remove(*last);
}

#[cfg(test)]
#[path = "work_admission_tests.rs"]
mod tests;
