//! The `labelsOverrider` and `annotationsOverrider`: edits of `metadata.labels` and
//! `metadata.annotations`.

use karmada_api::policy::v1alpha1::{LabelAnnotationOverrider, OverriderOperator};
use serde_json::{Map, Value};

/// Applies one overrider to `metadata.<field>` (`labels` or `annotations`). As in Karmada, `add`
/// sets every key (creating the map when absent, overwriting existing keys), while `replace`
/// and `remove` touch only keys already present.
pub(super) fn apply(manifest: &mut Value, field: &str, overrider: &LabelAnnotationOverrider) {
    if overrider.value.is_empty() {
        return;
    }
    let Some(object) = manifest.as_object_mut() else {
        return;
    };
    match overrider.operator {
        OverriderOperator::Add => {
            let metadata = object
                .entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(metadata) = metadata.as_object_mut() else {
                return;
            };
            let map = metadata
                .entry(field)
                .or_insert_with(|| Value::Object(Map::new()));
            if !map.is_object() {
                *map = Value::Object(Map::new());
            }
            if let Some(map) = map.as_object_mut() {
                for (key, value) in &overrider.value {
                    map.insert(key.clone(), Value::String(value.clone()));
                }
            }
        }
        OverriderOperator::Replace | OverriderOperator::Remove => {
            let Some(map) = object
                .get_mut("metadata")
                .and_then(|m| m.get_mut(field))
                .and_then(Value::as_object_mut)
            else {
                return;
            };
            for (key, value) in &overrider.value {
                if overrider.operator == OverriderOperator::Remove {
                    map.remove(key);
                } else if let Some(existing) = map.get_mut(key) {
                    *existing = Value::String(value.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;

    fn overrider(operator: OverriderOperator, pairs: &[(&str, &str)]) -> LabelAnnotationOverrider {
        LabelAnnotationOverrider {
            operator,
            value: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn each_operator_edits_the_map_like_karmada() {
        use OverriderOperator::*;
        let with_labels = json!({"metadata": {"name": "x", "labels": {"app": "web", "team": "a"}}});
        let without = json!({"metadata": {"name": "x"}});
        let cases = [
            (
                "add sets new keys and overwrites existing ones",
                with_labels.clone(),
                overrider(Add, &[("team", "b"), ("karmada.io/zone", "z1")]),
                json!({"app": "web", "team": "b", "karmada.io/zone": "z1"}),
            ),
            (
                "add creates the map",
                without.clone(),
                overrider(Add, &[("team", "b")]),
                json!({"team": "b"}),
            ),
            (
                "replace changes only existing keys",
                with_labels.clone(),
                overrider(Replace, &[("team", "b"), ("new", "n")]),
                json!({"app": "web", "team": "b"}),
            ),
            (
                "remove drops existing keys whatever the value",
                with_labels.clone(),
                overrider(Remove, &[("team", "ignored"), ("absent", "")]),
                json!({"app": "web"}),
            ),
            (
                "replace leaves an absent map absent",
                without.clone(),
                overrider(Replace, &[("team", "b")]),
                Value::Null,
            ),
            (
                "remove leaves an absent map absent",
                without.clone(),
                overrider(Remove, &[("team", "b")]),
                Value::Null,
            ),
        ];
        for (name, mut manifest, overrider, want) in cases {
            apply(&mut manifest, "labels", &overrider);
            let got = manifest
                .pointer("/metadata/labels")
                .cloned()
                .unwrap_or(Value::Null);
            assert_eq!(got, want, "{name}");
            assert_eq!(
                manifest["metadata"]["name"], "x",
                "{name}: the rest is kept"
            );
        }
    }

    #[test]
    fn annotations_are_edited_apart_from_labels() {
        let mut manifest =
            json!({"metadata": {"labels": {"k": "label"}, "annotations": {"k": "a"}}});
        apply(
            &mut manifest,
            "annotations",
            &overrider(OverriderOperator::Replace, &[("k", "b")]),
        );
        assert_eq!(
            manifest,
            json!({"metadata": {"labels": {"k": "label"}, "annotations": {"k": "b"}}})
        );
    }

    #[test]
    fn add_creates_metadata_when_missing() {
        let mut manifest = json!({"kind": "ConfigMap"});
        apply(
            &mut manifest,
            "annotations",
            &overrider(OverriderOperator::Add, &[("a", "1")]),
        );
        assert_eq!(
            manifest,
            json!({"kind": "ConfigMap", "metadata": {"annotations": {"a": "1"}}})
        );
    }
}
