//! Server-side apply and field ownership (`metadata.managedFields`).
//!
//! Every write records who set which fields: creates, updates and patches as `Update` entries of the
//! request's field manager, applies as `Apply` entries. An apply merges the applier's intent into the
//! live object (lists by their keys, sets by value, atomic values whole), removes fields the applier
//! set before and dropped now (unless someone else owns them), and refuses to change a field another
//! manager owns unless forced.
//!
//! Pure functions over `serde_json::Value`; the HTTP layer reads, calls these and writes.

pub mod fieldset;
pub mod types;

use serde_json::{Map, Value, json};

use self::fieldset::{
    FieldSet, Path, display, fields_of, from_fields_v1, get, remove, to_fields_v1,
};
use self::types::{ListKind, Schema};

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: String,
    pub subresource: Option<String>,
    pub fields: FieldSet,
}

/// Reads `metadata.managedFields` (malformed entries are dropped).
pub fn read_entries(object: &Value) -> Vec<Entry> {
    object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some(Entry {
                manager: e.get("manager")?.as_str()?.to_string(),
                operation: e.get("operation")?.as_str()?.to_string(),
                api_version: e
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                time: e
                    .get("time")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                subresource: e
                    .get("subresource")
                    .and_then(Value::as_str)
                    .map(String::from),
                fields: from_fields_v1(e.get("fieldsV1").unwrap_or(&Value::Null)),
            })
        })
        .collect()
}

/// Writes `entries` as `metadata.managedFields` (entries owning nothing are dropped).
pub fn write_entries(object: &mut Value, entries: &[Entry]) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut entry = json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
                "time": e.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(&e.fields),
            });
            if let Some(sub) = &e.subresource {
                entry["subresource"] = sub.clone().into();
            }
            entry
        })
        .collect();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if list.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(list));
        }
    }
}

fn leaf_changed(old: &Value, new: &Value, path: &Path, schema: &Schema) -> bool {
    get(old, path, schema) != get(new, path, schema)
}

/// Records a non-apply write (`Update`) by `manager`: it now owns every field it changed, which no
/// other manager owns any more; fields that disappeared are owned by nobody.
pub fn track_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    schema: &Schema,
    ignore_status: bool,
    now: &str,
) {
    let api_version = new
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut entries = old.map(read_entries).unwrap_or_default();
    let new_fields = fields_of(new, schema, ignore_status);
    let old_fields = old
        .map(|o| fields_of(o, schema, ignore_status))
        .unwrap_or_default();
    let changed: FieldSet = new_fields
        .iter()
        .filter(|p| {
            !old_fields.contains(*p) || old.is_some_and(|o| leaf_changed(o, new, p, schema))
        })
        .cloned()
        .collect();
    let removed: FieldSet = old_fields.difference(&new_fields).cloned().collect();
    let is_mine = |e: &Entry| {
        e.manager == manager && e.operation == "Update" && e.subresource.as_deref() == subresource
    };
    for entry in entries.iter_mut() {
        entry.fields.retain(|p| !removed.contains(p));
        if !is_mine(entry) {
            entry.fields.retain(|p| !changed.contains(p));
        }
    }
    if !changed.is_empty() {
        match entries.iter_mut().find(|e| is_mine(e)) {
            Some(entry) => {
                entry.fields.extend(changed);
                entry.time = now.to_string();
                entry.api_version = api_version;
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version,
                time: now.to_string(),
                subresource: subresource.map(String::from),
                fields: changed,
            }),
        }
    }
    write_entries(new, &entries);
}

/// A field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub manager: String,
    pub api_version: String,
    pub field: String,
}

/// Overlays `applied` on `current`: maps merge, keyed lists merge by key, sets union, the rest is
/// replaced.
fn overlay(current: Option<&Value>, applied: &Value, schema: &Schema) -> Value {
    match (current, applied) {
        (Some(Value::Object(cur)), Value::Object(app)) if !schema.atomic_map() => {
            let mut out: Map<String, Value> = cur.clone();
            for (key, value) in app {
                let merged = overlay(cur.get(key), value, &schema.field(key));
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Some(Value::Array(cur)), Value::Array(app)) => match schema.list_kind() {
            ListKind::Map(keys) => {
                let item_schema = schema.items();
                let key_of = |item: &Value| -> Option<Vec<Value>> {
                    let k: Vec<Value> = keys
                        .iter()
                        .map(|k| item.get(k).cloned().unwrap_or(Value::Null))
                        .collect();
                    if k.iter().all(Value::is_null) {
                        None
                    } else {
                        Some(k)
                    }
                };
                let mut out = cur.clone();
                for item in app {
                    let position = key_of(item)
                        .and_then(|k| out.iter().position(|c| key_of(c).as_ref() == Some(&k)));
                    match position {
                        Some(i) => out[i] = overlay(Some(&out[i].clone()), item, &item_schema),
                        None => out.push(item.clone()),
                    }
                }
                Value::Array(out)
            }
            ListKind::Set => {
                let mut out = cur.clone();
                for item in app {
                    if !out.contains(item) {
                        out.push(item.clone());
                    }
                }
                Value::Array(out)
            }
            ListKind::Atomic => applied.clone(),
        },
        _ => applied.clone(),
    }
}

/// The outcome of an apply.
pub struct Applied {
    pub object: Value,
    /// Whether anything but managedFields changed.
    pub changed: bool,
}

/// Applies `applied` (the manager's full intent) to `current` (None: the object is new).
///
/// # Errors
/// The conflicts, when another manager owns a field `applied` sets to a different value and `force`
/// is off.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    current: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    schema: &Schema,
    ignore_status: bool,
    now: &str,
) -> Result<Applied, Vec<Conflict>> {
    let api_version = applied
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut entries = current.map(read_entries).unwrap_or_default();
    let applied_fields = fields_of(applied, schema, ignore_status);
    let is_mine = |e: &Entry| e.manager == manager && e.operation == "Apply";

    let mut conflicts = Vec::new();
    if let Some(current) = current {
        for entry in entries.iter().filter(|e| !is_mine(e)) {
            for path in applied_fields.intersection(&entry.fields) {
                let (Some(live), Some(wanted)) =
                    (get(current, path, schema), get(applied, path, schema))
                else {
                    continue;
                };
                // List items (keyed or set) are identities, not values: owning one is no conflict.
                let is_item = matches!(
                    path.last(),
                    Some(fieldset::Element::Key(_) | fieldset::Element::Value(_))
                );
                if !is_item && live != wanted {
                    conflicts.push(Conflict {
                        manager: entry.manager.clone(),
                        api_version: entry.api_version.clone(),
                        field: display(path),
                    });
                }
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }

    let mut object = overlay(current, applied, schema);
    // Fields this manager applied before and dropped now go, unless another manager holds them.
    let previously: FieldSet = entries
        .iter()
        .filter(|e| is_mine(e))
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let others: FieldSet = entries
        .iter()
        .filter(|e| !is_mine(e))
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let mut dropped: Vec<&Path> = previously
        .iter()
        .filter(|p| !applied_fields.contains(*p))
        .filter(|p| !others.iter().any(|o| o.starts_with(p)))
        .collect();
    // Parents first: a removed list item takes its fields with it (removing the fields first would
    // leave an item that can no longer be found by its key).
    dropped.sort_by_key(|p| p.len());
    for path in dropped {
        remove(&mut object, path, schema);
    }

    // Ownership: the applier owns exactly what it applied; forced fields leave their old owners.
    let forced: FieldSet = if force {
        entries
            .iter()
            .filter(|e| !is_mine(e))
            .flat_map(|e| {
                e.fields
                    .intersection(&applied_fields)
                    .cloned()
                    .collect::<Vec<_>>()
            })
            .filter(|p| current.is_some_and(|c| get(c, p, schema) != get(applied, p, schema)))
            .collect()
    } else {
        FieldSet::new()
    };
    for entry in entries.iter_mut().filter(|e| !is_mine(e)) {
        entry.fields.retain(|p| !forced.contains(p));
    }
    entries.retain(|e| !is_mine(e));
    entries.push(Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        api_version,
        time: now.to_string(),
        subresource: None,
        fields: applied_fields,
    });
    let changed = current.is_none_or(|c| {
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("managedFields");
            }
            v
        };
        strip(c) != strip(&object)
    });
    write_entries(&mut object, &entries);
    Ok(Applied { object, changed })
}

/// The 409 message kube-apiserver gives for apply conflicts.
pub fn conflict_message(conflicts: &[Conflict]) -> String {
    let lines: Vec<String> = conflicts
        .iter()
        .map(|c| {
            format!(
                "conflict with \"{}\" using {}: {}",
                c.manager, c.api_version, c.field
            )
        })
        .collect();
    if let [one] = lines.as_slice() {
        format!("Apply failed with 1 conflict: {one}")
    } else {
        format!(
            "Apply failed with {} conflicts: {}",
            lines.len(),
            lines.join("\n")
        )
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const NOW: &str = "2026-01-01T00:00:00Z";

    fn deployment_schema() -> Schema {
        Schema::standalone(Arc::new(json!({
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {
                    "replicas": {"type": "integer"},
                    "containers": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "properties": {
                            "name": {"type": "string"}, "image": {"type": "string"},
                            "args": {"type": "array", "items": {"type": "string"}}
                        }}
                    },
                    "finalizers": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}
                }}
            }
        })))
    }

    /// `apply` with the test schema, no status handling and a fixed clock.
    fn apply_as(
        current: Option<&Value>,
        applied: &Value,
        manager: &str,
        force: bool,
    ) -> Result<Applied, Vec<Conflict>> {
        apply(
            current,
            applied,
            manager,
            force,
            &deployment_schema(),
            false,
            NOW,
        )
    }

    fn obj(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec})
    }

    #[test]
    fn the_first_apply_owns_what_it_set() {
        let applied = obj(json!({"replicas": 2, "containers": [{"name": "a", "image": "x"}]}));
        let out = apply(
            None,
            &applied,
            "alice",
            false,
            &deployment_schema(),
            false,
            NOW,
        )
        .unwrap();
        let entries = read_entries(&out.object);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].manager, "alice");
        assert_eq!(
            out.object["metadata"]["managedFields"][0]["fieldsV1"],
            json!({"f:spec": {"f:replicas": {}, "f:containers": {"k:{\"name\":\"a\"}": {".": {}, "f:name": {}, "f:image": {}}}}})
        );
    }

    #[test]
    fn another_managers_field_conflicts_unless_forced_and_equal_values_share() {
        let schema = deployment_schema();
        let first = apply_as(None, &obj(json!({"replicas": 2})), "alice", false)
            .unwrap()
            .object;
        // Same value: shared ownership, no conflict.
        let shared = apply_as(Some(&first), &obj(json!({"replicas": 2})), "bob", false).unwrap();
        assert_eq!(read_entries(&shared.object).len(), 2);
        // Different value: conflict.
        let err = apply(
            Some(&shared.object),
            &obj(json!({"replicas": 3})),
            "carol",
            false,
            &schema,
            false,
            NOW,
        )
        .err()
        .unwrap();
        assert_eq!(err.len(), 2);
        assert!(
            conflict_message(&err)
                .contains("conflict with \"alice\" using apps/v1: .spec.replicas")
        );
        // Forced: carol takes it over.
        let forced = apply(
            Some(&shared.object),
            &obj(json!({"replicas": 3})),
            "carol",
            true,
            &schema,
            false,
            NOW,
        )
        .unwrap()
        .object;
        assert_eq!(forced["spec"]["replicas"], 3);
        let entries = read_entries(&forced);
        assert_eq!(
            entries
                .iter()
                .map(|e| e.manager.as_str())
                .collect::<Vec<_>>(),
            ["carol"]
        );
    }

    #[test]
    fn dropping_a_field_from_the_intent_removes_it_but_not_what_others_own() {
        let schema = deployment_schema();
        let v1 = apply_as(None, &obj(json!({"replicas": 2, "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]})), "alice", false)
        .unwrap()
        .object;
        // Bob adds a container of his own with an update.
        let mut v2 = v1.clone();
        v2["spec"]["containers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "c", "image": "z"}));
        track_update(Some(&v1), &mut v2, "bob", None, &schema, false, NOW);
        // Alice drops container b and replicas.
        let v3 = apply_as(
            Some(&v2),
            &obj(json!({"containers": [{"name": "a", "image": "x"}]})),
            "alice",
            false,
        )
        .unwrap()
        .object;
        let names: Vec<&str> = v3["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["a", "c"]);
        assert!(v3["spec"].get("replicas").is_none());
    }

    #[test]
    fn updates_take_ownership_of_what_they_change() {
        let schema = deployment_schema();
        let v1 = apply_as(None, &obj(json!({"replicas": 2})), "alice", false)
            .unwrap()
            .object;
        let mut v2 = v1.clone();
        v2["spec"]["replicas"] = 5.into();
        track_update(
            Some(&v1),
            &mut v2,
            "kubectl-scale",
            None,
            &schema,
            false,
            NOW,
        );
        let entries = read_entries(&v2);
        let scale = entries
            .iter()
            .find(|e| e.manager == "kubectl-scale")
            .unwrap();
        assert!(scale.fields.contains(&vec![
            fieldset::Element::Field("spec".into()),
            fieldset::Element::Field("replicas".into())
        ]));
        assert!(
            entries.iter().all(|e| e.manager != "alice"),
            "alice no longer owns anything"
        );
        // Alice re-applying replicas 2 now conflicts with kubectl-scale.
        let err = apply_as(Some(&v2), &obj(json!({"replicas": 2})), "alice", false)
            .err()
            .unwrap();
        assert_eq!(err[0].manager, "kubectl-scale");
    }

    #[test]
    fn fields_v1_round_trips() {
        let schema = deployment_schema();
        let value = obj(
            json!({"replicas": 1, "containers": [{"name": "a", "args": ["x"]}], "finalizers": ["f1", "f2"]}),
        );
        let set = fields_of(&value, &schema, false);
        assert_eq!(from_fields_v1(&to_fields_v1(&set)), set);
    }
}
