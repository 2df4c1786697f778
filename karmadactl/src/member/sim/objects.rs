//! Small pure helpers every simulated controller shares: ownership, pod state, names and hashes,
//! condition timestamps and the JSON merge patch between an observed and a desired status.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde_json::{Map, Value};

/// The uid of the object's controller (the owner reference with `controller: true`).
pub fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references
        .as_deref()?
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

/// The kind of the object's controller.
pub fn controller_kind(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references
        .as_deref()?
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.kind.as_str())
}

/// A controller reference to `owner` that blocks the owner's foreground deletion.
pub fn controller_ref(api_version: &str, kind: &str, owner: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: owner.name.clone().unwrap_or_default(),
        uid: owner.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Whether the object is being deleted.
pub fn terminating(meta: &ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some()
}

/// The pod's phase, `Pending` when not reported yet.
pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

/// A pod that counts toward its controller's replicas: not finished and not being deleted.
pub fn active(pod: &Pod) -> bool {
    !terminating(&pod.metadata) && !matches!(phase(pod), "Succeeded" | "Failed")
}

/// Whether the pod's `Ready` condition is `True`.
pub fn ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The node a pod is bound to, if any.
pub fn node_name(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}

/// Now, at the one-second precision Kubernetes times are stored with.
pub fn whole_seconds(now: Timestamp) -> Time {
    Time(Timestamp::from_second(now.as_second()).unwrap_or(now))
}

/// The transition time of a condition: kept while its status stays the same, `now` when it changes.
pub fn transition_time(old: Option<(&str, Option<&Time>)>, status: &str, now: &Time) -> Time {
    match old {
        Some((old_status, Some(time))) if old_status == status => time.clone(),
        _ => now.clone(),
    }
}

/// 64-bit FNV-1a, the stable hash behind template hashes and simulated addresses.
pub fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Kubernetes' alphabet for generated name parts: no vowels, no look-alike digits.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn encode(mut value: u64, len: usize) -> String {
    let base = ALPHABET.len() as u64;
    (0..len)
        .map(|_| {
            let c = ALPHABET[(value % base) as usize] as char;
            value /= base;
            c
        })
        .collect()
}

/// The `pod-template-hash` / `controller-revision-hash` of a pod template (10 characters).
pub fn template_hash(template: &PodTemplateSpec) -> String {
    // Struct fields serialize in a fixed order and maps are sorted: the bytes are stable.
    let bytes = serde_json::to_vec(template).unwrap_or_default();
    encode(fnv(&bytes), 10)
}

/// A random 5-character suffix, as `generateName` produces.
pub fn random_suffix() -> String {
    let bytes = uuid::Uuid::new_v4();
    encode(fnv(bytes.as_bytes()), 5)
}

/// `<base>-<suffix>` within the 63-character limit of names used as labels.
pub fn child_name(base: &str, suffix: &str) -> String {
    let keep = 62usize.saturating_sub(suffix.len()).min(base.len());
    let mut end = keep;
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}-{suffix}", &base[..end])
}

/// A pod built from a controller's template.
pub fn pod_from_template(
    template: &PodTemplateSpec,
    name: String,
    namespace: Option<String>,
    owner: OwnerReference,
    extra_labels: &[(&str, String)],
) -> Pod {
    let template_meta = template.metadata.clone().unwrap_or_default();
    let mut labels = template_meta.labels.unwrap_or_default();
    for (key, value) in extra_labels {
        labels.insert((*key).to_string(), value.clone());
    }
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace,
            labels: Some(labels),
            annotations: template_meta.annotations,
            finalizers: template_meta.finalizers,
            owner_references: Some(vec![owner]),
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// The JSON merge patch (RFC 7386) turning `old` into `new`; `None` when they are equal.
/// Arrays are replaced whole; fields missing from `new` become `null`.
pub fn merge_diff(old: &Value, new: &Value) -> Option<Value> {
    if old == new {
        return None;
    }
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (key, value) in new {
                match old.get(key) {
                    Some(previous) => {
                        if let Some(diff) = merge_diff(previous, value) {
                            patch.insert(key.clone(), diff);
                        }
                    }
                    None => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in old.keys().filter(|k| !new.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            Some(Value::Object(patch))
        }
        _ => Some(new.clone()),
    }
}

/// `{"status": diff}` between two statuses, `None` when nothing changed.
pub fn status_patch<S: serde::Serialize>(old: Option<&S>, new: &S) -> Option<Value> {
    let old = old
        .and_then(|s| serde_json::to_value(s).ok())
        .unwrap_or_else(|| Value::Object(Map::new()));
    let new = serde_json::to_value(new).ok()?;
    merge_diff(&old, &new).map(|diff| serde_json::json!({ "status": diff }))
}

/// A non-zero count, absent when zero (the `omitempty` of Kubernetes' status counters).
pub fn nonzero(count: usize) -> Option<i32> {
    (count > 0).then(|| i32::try_from(count).unwrap_or(i32::MAX))
}

/// A count as the `i32` Kubernetes uses.
pub fn count(count: usize) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// Labels as a sorted map (for comparisons and selectors).
pub fn labels(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_diff_sets_changed_and_nulls_removed_fields() {
        let cases = [
            (json!({"a": 1}), json!({"a": 1}), None),
            (json!({"a": 1}), json!({"a": 2}), Some(json!({"a": 2}))),
            (
                json!({"a": 1, "b": 2}),
                json!({"a": 1}),
                Some(json!({"b": null})),
            ),
            (
                json!({"a": {"x": 1, "y": 2}}),
                json!({"a": {"x": 1, "y": 3}}),
                Some(json!({"a": {"y": 3}})),
            ),
            (
                json!({"l": [1, 2]}),
                json!({"l": [1]}),
                Some(json!({"l": [1]})),
            ),
        ];
        for (old, new, want) in cases {
            assert_eq!(merge_diff(&old, &new), want, "{old} -> {new}");
        }
    }

    #[test]
    fn template_hash_is_stable_and_changes_with_the_template() {
        let mut template = PodTemplateSpec::default();
        let first = template_hash(&template);
        assert_eq!(first, template_hash(&template.clone()));
        assert_eq!(first.len(), 10);
        template.metadata = Some(ObjectMeta {
            labels: Some([("app".to_string(), "web".to_string())].into()),
            ..ObjectMeta::default()
        });
        assert_ne!(first, template_hash(&template));
    }

    #[test]
    fn child_name_stays_within_label_length() {
        assert_eq!(child_name("web", "abcde"), "web-abcde");
        let long = "x".repeat(80);
        assert_eq!(child_name(&long, "abcde").len(), 63);
    }

    #[test]
    fn transition_time_is_kept_while_status_is_unchanged() {
        let then = Time(Timestamp::from_second(100).unwrap());
        let now = Time(Timestamp::from_second(200).unwrap());
        assert_eq!(
            transition_time(Some(("True", Some(&then))), "True", &now),
            then
        );
        assert_eq!(
            transition_time(Some(("False", Some(&then))), "True", &now),
            now
        );
        assert_eq!(transition_time(None, "True", &now), now);
    }
}
