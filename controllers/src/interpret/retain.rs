//! Retention (Retain): before a member copy is updated from its manifest, keep what the member's
//! own API server and controllers set, so that the update neither fails nor fights them.

use std::collections::BTreeSet;

use karmada_api::names::{
    MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_LABELS_ANNOTATION, RETAIN_REPLICAS_LABEL,
};
use serde_json::Value;

use super::NativeKind;
use super::fields::{lookup, lookup_array, lookup_str, remove, set};

/// Makes `desired` (the manifest about to be written to a member cluster) keep the fields of
/// `observed` (the member's current copy) that belong to the member. The manifest wins
/// everywhere else.
///
/// For every kind:
/// - `metadata.resourceVersion` comes from the member copy: the update is then a compare-and-swap
///   against the copy it was computed from, and fails with a conflict (to be retried) rather than
///   overwrite a change made in between.
/// - `metadata.finalizers` and `metadata.ownerReferences` come from the member copy, as Karmada
///   does: they are set by controllers in the member (`kubernetes.io/pvc-protection`, garbage
///   collection), and dropping them would undo their work or block deletion.
/// - Labels and annotations the member added are merged in; the manifest's win on the same key. A
///   key the member copy records in `resourcetemplate.karmada.io/managed-labels` (or
///   `…/managed-annotations`) came from an earlier manifest: when the manifest no longer has it,
///   it was removed from the template and is not kept.
///
/// Per kind:
/// - Deployment, StatefulSet, ReplicaSet labelled `resourcetemplate.karmada.io/retain-replicas=true`
///   (on the manifest, or on the member copy without the template having removed it):
///   `spec.replicas` stays as in the member (an HPA there owns it).
/// - Pod: `spec.nodeName`, `spec.serviceAccountName`, `spec.volumes` and each (init) container's
///   `volumeMounts` (matched by name) are the member's: its API server and scheduler set them and
///   a pod's spec cannot change afterwards.
/// - Service: `clusterIP`/`clusterIPs` (unless it becomes an ExternalName Service),
///   `healthCheckNodePort` (for a LoadBalancer with `externalTrafficPolicy: Local`) and each
///   port's `nodePort` (NodePort and LoadBalancer Services; ports matched by number and protocol)
///   where the manifest leaves them unset: the member allocated them.
/// - ServiceAccount: the member's `secrets` and `imagePullSecrets` are kept after the manifest's.
/// - PersistentVolumeClaim: `spec.volumeName` once bound. PersistentVolume: `spec.claimRef`.
/// - Job: `spec.selector.matchLabels` and `spec.template.metadata.labels`, which the member's
///   API server generated and which cannot change.
/// - Secret of type `kubernetes.io/service-account-token`: `data`, filled by the member.
pub fn retain(desired: &mut Value, observed: &Value) {
    retain_metadata(desired, observed);
    match NativeKind::of(desired) {
        Some(NativeKind::Deployment | NativeKind::StatefulSet | NativeKind::ReplicaSet) => {
            retain_replicas(desired, observed)
        }
        Some(NativeKind::Pod) => retain_pod(desired, observed),
        Some(NativeKind::Service) => retain_service(desired, observed),
        Some(NativeKind::ServiceAccount) => {
            merge_named_lists(desired, observed, "secrets");
            merge_named_lists(desired, observed, "imagePullSecrets");
        }
        Some(NativeKind::PersistentVolumeClaim) if !unset(observed, &["spec", "volumeName"]) => {
            copy_if_present(desired, observed, &["spec", "volumeName"]);
        }
        Some(NativeKind::PersistentVolume) => {
            copy_if_present(desired, observed, &["spec", "claimRef"])
        }
        Some(NativeKind::Job) => {
            copy_if_present(desired, observed, &["spec", "selector", "matchLabels"]);
            copy_if_present(
                desired,
                observed,
                &["spec", "template", "metadata", "labels"],
            );
        }
        Some(NativeKind::Secret)
            if lookup_str(desired, &["type"]) == Some("kubernetes.io/service-account-token") =>
        {
            copy_if_present(desired, observed, &["data"]);
        }
        _ => {}
    }
}

/// Sets `path` in `desired` to the member's value when the member has one.
fn copy_if_present(desired: &mut Value, observed: &Value, path: &[&str]) {
    if let Some(value) = lookup(observed, path) {
        set(desired, path, value.clone());
    }
}

/// Makes `path` in `desired` exactly the member's: copied, or removed when the member has none.
fn copy_exactly(desired: &mut Value, observed: &Value, path: &[&str]) {
    match lookup(observed, path) {
        Some(value) => set(desired, path, value.clone()),
        None => remove(desired, path),
    }
}

fn retain_metadata(desired: &mut Value, observed: &Value) {
    copy_exactly(desired, observed, &["metadata", "resourceVersion"]);
    copy_exactly(desired, observed, &["metadata", "finalizers"]);
    copy_exactly(desired, observed, &["metadata", "ownerReferences"]);
    merge_member_keys(desired, observed, "labels", MANAGED_LABELS_ANNOTATION);
    merge_member_keys(
        desired,
        observed,
        "annotations",
        MANAGED_ANNOTATIONS_ANNOTATION,
    );
}

/// Adds to `metadata.<field>` of `desired` the member's keys it lacks, except keys an earlier
/// manifest propagated (listed in the member's `managed` annotation) and this one dropped.
fn merge_member_keys(desired: &mut Value, observed: &Value, field: &str, managed: &str) {
    let Some(member) = lookup(observed, &["metadata", field]).and_then(Value::as_object) else {
        return;
    };
    let previously_managed: BTreeSet<&str> =
        lookup_str(observed, &["metadata", "annotations", managed])
            .map(|keys| keys.split(',').collect())
            .unwrap_or_default();
    let mut merged = lookup(desired, &["metadata", field])
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (key, value) in member {
        if !merged.contains_key(key) && !previously_managed.contains(key.as_str()) {
            merged.insert(key.clone(), value.clone());
        }
    }
    if !merged.is_empty() {
        set(desired, &["metadata", field], Value::Object(merged));
    }
}

fn retain_replicas(desired: &mut Value, observed: &Value) {
    let retained =
        lookup_str(desired, &["metadata", "labels", RETAIN_REPLICAS_LABEL]) == Some("true");
    if !retained {
        return;
    }
    if let Some(replicas) =
        lookup(observed, &["spec", "replicas"]).filter(|r| r.is_i64() || r.is_u64())
    {
        set(desired, &["spec", "replicas"], replicas.clone());
    }
}

fn retain_pod(desired: &mut Value, observed: &Value) {
    for field in ["nodeName", "serviceAccountName", "volumes"] {
        copy_exactly(desired, observed, &["spec", field]);
    }
    for list in ["containers", "initContainers"] {
        let member_mounts: Vec<(String, Option<Value>)> = lookup_array(observed, &["spec", list])
            .iter()
            .filter_map(|container| {
                let name = lookup_str(container, &["name"])?;
                Some((
                    name.to_string(),
                    lookup(container, &["volumeMounts"]).cloned(),
                ))
            })
            .collect();
        let Some(containers) = desired
            .get_mut("spec")
            .and_then(|spec| spec.get_mut(list))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for container in containers.iter_mut() {
            let Some(name) = lookup_str(container, &["name"]).map(str::to_string) else {
                continue;
            };
            let Some((_, mounts)) = member_mounts.iter().find(|(member, _)| *member == name) else {
                continue;
            };
            match mounts {
                Some(mounts) => set(container, &["volumeMounts"], mounts.clone()),
                None => remove(container, &["volumeMounts"]),
            }
        }
    }
}

/// Whether the manifest leaves `path` unset (absent, null, empty string, 0 or empty list).
fn unset(value: &Value, path: &[&str]) -> bool {
    match lookup(value, path) {
        None => true,
        Some(Value::String(text)) => text.is_empty(),
        Some(Value::Number(number)) => number.as_i64() == Some(0),
        Some(Value::Array(items)) => items.is_empty(),
        Some(_) => false,
    }
}

fn retain_service(desired: &mut Value, observed: &Value) {
    let service_type = lookup_str(desired, &["spec", "type"])
        .unwrap_or("ClusterIP")
        .to_string();
    if service_type != "ExternalName" {
        for field in ["clusterIP", "clusterIPs"] {
            if unset(desired, &["spec", field]) && !unset(observed, &["spec", field]) {
                copy_if_present(desired, observed, &["spec", field]);
            }
        }
    }
    let local_traffic = lookup_str(desired, &["spec", "externalTrafficPolicy"]) == Some("Local");
    if service_type == "LoadBalancer"
        && local_traffic
        && unset(desired, &["spec", "healthCheckNodePort"])
        && !unset(observed, &["spec", "healthCheckNodePort"])
    {
        copy_if_present(desired, observed, &["spec", "healthCheckNodePort"]);
    }
    if matches!(service_type.as_str(), "NodePort" | "LoadBalancer") {
        retain_node_ports(desired, observed);
    }
}

/// A Service port's identity for matching: number and protocol (TCP when unset).
fn port_key(port: &Value) -> Option<(i64, String)> {
    let number = lookup(port, &["port"])?.as_i64()?;
    let protocol = lookup_str(port, &["protocol"]).unwrap_or("TCP").to_string();
    Some((number, protocol))
}

fn retain_node_ports(desired: &mut Value, observed: &Value) {
    let member_ports: Vec<((i64, String), Value)> = lookup_array(observed, &["spec", "ports"])
        .iter()
        .filter(|port| !unset(port, &["nodePort"]))
        .filter_map(|port| Some((port_key(port)?, port.get("nodePort")?.clone())))
        .collect();
    let Some(ports) = desired
        .get_mut("spec")
        .and_then(|spec| spec.get_mut("ports"))
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for port in ports.iter_mut() {
        if !unset(port, &["nodePort"]) {
            continue;
        }
        let Some(key) = port_key(port) else {
            continue;
        };
        if let Some((_, node_port)) = member_ports.iter().find(|(member, _)| *member == key) {
            set(port, &["nodePort"], node_port.clone());
        }
    }
}

/// The manifest's `field` entries followed by the member's entries with other names.
fn merge_named_lists(desired: &mut Value, observed: &Value, field: &str) {
    let mut merged: Vec<Value> = lookup_array(desired, &[field]).to_vec();
    let mut names: BTreeSet<String> = merged
        .iter()
        .filter_map(|entry| lookup_str(entry, &["name"]).map(str::to_string))
        .collect();
    for entry in lookup_array(observed, &[field]) {
        if let Some(name) = lookup_str(entry, &["name"])
            && names.insert(name.to_string())
        {
            merged.push(entry.clone());
        }
    }
    if !merged.is_empty() {
        set(desired, &[field], Value::Array(merged));
    }
}

#[cfg(test)]
#[path = "retain_tests.rs"]
mod tests;
