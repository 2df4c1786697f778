//! Strategic merge patch (`application/strategic-merge-patch+json`) applied to a JSON object.
//!
//! The rules, for a patch value at some field:
//! * `null` deletes the field; a map merges key by key, recursively (a field whose patch strategy
//!   is `replace` takes the patch value instead);
//! * a list whose patch strategy is `merge` merges: by its merge key when it has one (entries with
//!   the same key merge, new entries are appended), as a set union when it holds primitives; any
//!   other list is replaced by the patch list;
//! * directives: `$patch: replace | merge | delete` in a map or in a list entry (a `{"$patch":
//!   "replace"}` entry replaces the whole list), `$retainKeys: [...]` (keep only these members),
//!   `$deleteFromPrimitiveList/<field>: [...]` and `$setElementOrder/<field>: [...]` (the order of the
//!   merged list). Directives never reach the result, and neither do `null`s with nothing to delete.
//!
//! This module is pure: no I/O, no panics on client input. The caller picks the schema
//! ([`super::schema_for`]) and maps [`PatchError`] to an HTTP status.

use std::fmt;

use serde_json::{Map, Value};

use super::schema::{Field, KindSchema};

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Why a strategic merge patch could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("a strategic merge patch must be a JSON object")]
    PatchNotAnObject,
    #[error("the object to patch is not a JSON object")]
    OriginalNotAnObject,
    #[error("unknown patch directive at {path}: $patch: {value}")]
    UnknownPatchDirective { path: String, value: String },
    #[error("invalid {directive} at {path}: expected {expected}")]
    BadDirective {
        path: String,
        directive: String,
        expected: &'static str,
    },
    #[error("list entry {path} does not contain the declared merge key {key:?}")]
    MissingMergeKey { path: String, key: String },
    #[error("list entry {path} must be an object: the list merges by key {key:?}")]
    EntryNotAnObject { path: String, key: String },
    #[error("{path} has a patch for {field:?}, which its $retainKeys list does not keep")]
    RetainKeysMismatch { path: String, field: String },
    #[error("$patch: {directive} in list entry {path} needs a list that merges by key")]
    DirectiveNeedsMergeKey {
        path: String,
        directive: &'static str,
    },
}

impl PatchError {
    /// True when the patch document itself is malformed (HTTP 400); otherwise it is well-formed but
    /// cannot be applied to this object (HTTP 422).
    pub fn is_malformed(&self) -> bool {
        match self {
            PatchError::PatchNotAnObject
            | PatchError::UnknownPatchDirective { .. }
            | PatchError::BadDirective { .. } => true,
            PatchError::OriginalNotAnObject
            | PatchError::MissingMergeKey { .. }
            | PatchError::EntryNotAnObject { .. }
            | PatchError::RetainKeysMismatch { .. }
            | PatchError::DirectiveNeedsMergeKey { .. } => false,
        }
    }
}

/// Applies a strategic merge `patch` to `original`. With `schema == None` every list is replaced
/// (as for a kind without strategic-merge metadata); the directives still apply.
///
/// # Errors
/// A [`PatchError`] when either document is not an object, a directive is malformed, or a list
/// entry of a keyed list lacks its merge key or is not an object.
pub fn strategic_merge(
    original: &Value,
    patch: &Value,
    schema: Option<&KindSchema>,
) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::PatchNotAnObject);
    };
    let Value::Object(original) = original else {
        return Err(PatchError::OriginalNotAnObject);
    };
    let root = schema.map(KindSchema::root);
    let merged = merge_map(Some(original), patch, root, &Path::Root)?;
    // `$patch: delete` at the top leaves nothing; an empty object fails validation downstream.
    Ok(Value::Object(merged.unwrap_or_default()))
}

/// Where in the patch we are, for error messages (`spec.template.spec.containers[1]`).
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Entry(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => f.write_str("(root)"),
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Entry(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// A `$patch` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Replace,
    Merge,
    Delete,
}

fn directive_of(map: &Map<String, Value>, path: &Path) -> Result<Option<Directive>, PatchError> {
    let Some(value) = map.get(PATCH) else {
        return Ok(None);
    };
    match value.as_str() {
        Some("replace") => Ok(Some(Directive::Replace)),
        Some("merge") => Ok(Some(Directive::Merge)),
        Some("delete") => Ok(Some(Directive::Delete)),
        _ => Err(PatchError::UnknownPatchDirective {
            path: path.to_string(),
            value: value.to_string(),
        }),
    }
}

fn is_directive(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

/// The patched value of a field, or `None` when the field goes away.
fn merge_field(
    original: Option<&Value>,
    patch: &Value,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Value>, PatchError> {
    let replace = field.is_some_and(|f| f.meta().patch_strategy.replace);
    merge_value(if replace { None } else { original }, patch, field, path)
}

/// The patched value of a list entry: like a field, without the list's own strategy.
fn merge_entry(
    original: Option<&Value>,
    patch: &Value,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Value>, PatchError> {
    // Entries share the list's schema position; a list nested in a list has no metadata.
    let field = if patch.is_array() { None } else { field };
    merge_value(original, patch, field, path)
}

fn merge_value(
    original: Option<&Value>,
    patch: &Value,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Value>, PatchError> {
    match patch {
        Value::Null => Ok(None),
        Value::Object(patch) => {
            let original = original.and_then(Value::as_object);
            Ok(merge_map(original, patch, field, path)?.map(Value::Object))
        }
        Value::Array(patch) => {
            let original = original
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            Ok(Some(Value::Array(merge_list(
                original, patch, field, path,
            )?)))
        }
        scalar => Ok(Some(scalar.clone())),
    }
}

fn merge_map(
    original: Option<&Map<String, Value>>,
    patch: &Map<String, Value>,
    field: Option<Field>,
    path: &Path,
) -> Result<Option<Map<String, Value>>, PatchError> {
    let mut merged = match directive_of(patch, path)? {
        Some(Directive::Delete) => return Ok(None),
        Some(Directive::Replace) => Map::new(),
        Some(Directive::Merge) | None => original.cloned().unwrap_or_default(),
    };

    if let Some(retain) = patch.get(RETAIN_KEYS) {
        let keep = string_list(retain, RETAIN_KEYS, path)?;
        if let Some((key, _)) = patch
            .iter()
            .find(|(k, v)| !v.is_null() && !is_directive(k) && !keep.contains(&k.as_str()))
        {
            return Err(PatchError::RetainKeysMismatch {
                path: path.to_string(),
                field: key.clone(),
            });
        }
        merged.retain(|k, _| keep.contains(&k.as_str()));
    }

    for (key, value) in patch {
        let Some(name) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) else {
            continue;
        };
        let Value::Array(doomed) = value else {
            return Err(bad_directive(key, path, "a list of values"));
        };
        if let Some(Value::Array(list)) = merged.get_mut(name) {
            list.retain(|v| !doomed.contains(v));
        }
    }

    for (key, value) in patch {
        if is_directive(key) {
            continue;
        }
        let child = field.and_then(|f| f.child(key));
        match merge_field(merged.get(key), value, child, &Path::Field(path, key))? {
            Some(value) => merged.insert(key.clone(), value),
            None => merged.remove(key),
        };
    }

    for (key, value) in patch {
        let Some(name) = key.strip_prefix(SET_ELEMENT_ORDER) else {
            continue;
        };
        let Value::Array(order) = value else {
            return Err(bad_directive(key, path, "a list"));
        };
        let merge_key = field
            .and_then(|f| f.child(name))
            .and_then(|f| f.meta().patch_merge_key.as_deref());
        if let Some(Value::Array(list)) = merged.get_mut(name) {
            let ids = order_ids(order, merge_key, key, path)?;
            let entries = std::mem::take(list);
            *list = reorder(entries, &ids, merge_key);
        }
    }

    Ok(Some(merged))
}

fn merge_list(
    original: &[Value],
    patch: &[Value],
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut replace = false;
    let mut entries = Vec::with_capacity(patch.len());
    for (index, entry) in patch.iter().enumerate() {
        if let Value::Object(map) = entry
            && directive_of(map, &Path::Entry(path, index))? == Some(Directive::Replace)
        {
            // `{"$patch": "replace"}` is a marker: the other entries are the whole new list.
            replace = true;
            continue;
        }
        entries.push((index, entry));
    }
    let meta = field.map(|f| f.meta());
    if replace || !meta.is_some_and(|m| m.patch_strategy.merge) {
        return replace_list(entries, field, path);
    }
    match meta.and_then(|m| m.patch_merge_key.as_deref()) {
        Some(key) => merge_keyed_list(original, entries, key, field, path),
        None => merge_set(original, entries, field, path),
    }
}

/// The patch list as the new list (directives and `null`s dropped).
fn replace_list(
    entries: Vec<(usize, &Value)>,
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut list = Vec::with_capacity(entries.len());
    for (index, entry) in entries {
        list.extend(merge_entry(None, entry, field, &Path::Entry(path, index))?);
    }
    Ok(list)
}

/// Entries matched by `key`: matching ones merge, new ones are appended, `$patch: delete` removes.
fn merge_keyed_list(
    original: &[Value],
    entries: Vec<(usize, &Value)>,
    key: &str,
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut merged = original.to_vec();
    for (index, entry) in entries {
        let entry_path = Path::Entry(path, index);
        let Value::Object(map) = entry else {
            return Err(PatchError::EntryNotAnObject {
                path: entry_path.to_string(),
                key: key.to_string(),
            });
        };
        let Some(id) = map.get(key) else {
            return Err(PatchError::MissingMergeKey {
                path: entry_path.to_string(),
                key: key.to_string(),
            });
        };
        if directive_of(map, &entry_path)? == Some(Directive::Delete) {
            merged.retain(|e| e.get(key) != Some(id));
            continue;
        }
        match merged.iter().position(|e| e.get(key) == Some(id)) {
            Some(at) => match merge_entry(Some(&merged[at]), entry, field, &entry_path)? {
                Some(value) => merged[at] = value,
                None => {
                    merged.remove(at);
                }
            },
            None => merged.extend(merge_entry(None, entry, field, &entry_path)?),
        }
    }
    Ok(merged)
}

/// A list of primitives under the `merge` strategy: the union, without duplicates, in order.
fn merge_set(
    original: &[Value],
    entries: Vec<(usize, &Value)>,
    field: Option<Field>,
    path: &Path,
) -> Result<Vec<Value>, PatchError> {
    let mut merged: Vec<Value> = Vec::with_capacity(original.len() + entries.len());
    for value in original {
        if !merged.contains(value) {
            merged.push(value.clone());
        }
    }
    for (index, entry) in entries {
        let entry_path = Path::Entry(path, index);
        if let Value::Object(map) = entry
            && let Some(directive) = directive_of(map, &entry_path)?
        {
            return Err(PatchError::DirectiveNeedsMergeKey {
                path: entry_path.to_string(),
                directive: match directive {
                    Directive::Delete => "delete",
                    Directive::Merge => "merge",
                    Directive::Replace => "replace",
                },
            });
        }
        if let Some(value) = merge_entry(None, entry, field, &entry_path)?
            && !merged.contains(&value)
        {
            merged.push(value);
        }
    }
    Ok(merged)
}

/// The identities listed by `$setElementOrder/<field>`: merge-key values, or the primitives.
fn order_ids<'p>(
    order: &'p [Value],
    merge_key: Option<&str>,
    directive: &str,
    path: &Path,
) -> Result<Vec<&'p Value>, PatchError> {
    order
        .iter()
        .map(|entry| match merge_key {
            None => Ok(entry),
            Some(key) => entry
                .get(key)
                .ok_or_else(|| bad_directive(directive, path, "entries holding the merge key")),
        })
        .collect()
}

/// Puts the entries named by `ids` in that order. The others (added by the server, or not named)
/// keep their place relative to the named ones, as far as their original positions allow.
fn reorder(list: Vec<Value>, ids: &[&Value], merge_key: Option<&str>) -> Vec<Value> {
    let rank_of = |entry: &Value| {
        let id = match merge_key {
            Some(key) => entry.get(key),
            None => Some(entry),
        };
        id.and_then(|id| ids.iter().position(|&o| o == id))
    };
    let mut named = Vec::new();
    let mut others = Vec::new();
    for (position, entry) in list.into_iter().enumerate() {
        match rank_of(&entry) {
            Some(rank) => named.push((rank, position, entry)),
            None => others.push((position, entry)),
        }
    }
    named.sort_by_key(|&(rank, position, _)| (rank, position));

    let mut result = Vec::with_capacity(named.len() + others.len());
    let mut named = named.into_iter().peekable();
    let mut others = others.into_iter().peekable();
    loop {
        let take_other = match (named.peek(), others.peek()) {
            (Some((_, n, _)), Some((o, _))) => o < n,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        if take_other {
            result.extend(others.next().map(|(_, entry)| entry));
        } else {
            result.extend(named.next().map(|(_, _, entry)| entry));
        }
    }
    result
}

fn string_list<'p>(
    value: &'p Value,
    directive: &str,
    path: &Path,
) -> Result<Vec<&'p str>, PatchError> {
    value
        .as_array()
        .and_then(|list| list.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| bad_directive(directive, path, "a list of strings"))
}

fn bad_directive(directive: &str, path: &Path, expected: &'static str) -> PatchError {
    PatchError::BadDirective {
        path: path.to_string(),
        directive: directive.to_string(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::patch::schema_for;

    fn deployment_schema() -> Option<&'static KindSchema> {
        Some(schema_for("apps", "v1", "Deployment").expect("Deployment is built in"))
    }

    /// A Deployment as stored, with a bit of everything the cases below touch.
    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "namespace": "default",
                "labels": {"app": "web", "team": "a"},
                "finalizers": ["example.com/f1", "example.com/f2"],
            },
            "spec": {
                "replicas": 2,
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                },
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "a",
                                "image": "nginx:1",
                                "args": ["x", "y"],
                                "env": [
                                    {"name": "A", "value": "1"},
                                    {"name": "B", "value": "2"},
                                ],
                                "ports": [
                                    {"containerPort": 80, "protocol": "TCP"},
                                    {"containerPort": 443, "protocol": "TCP"},
                                ],
                            },
                            {"name": "b", "image": "busybox"},
                        ],
                        "tolerations": [{"key": "k1", "operator": "Exists"}],
                        "volumes": [{"name": "v1", "emptyDir": {}}],
                    },
                },
            },
            "status": {
                "conditions": [
                    {"type": "Available", "status": "True"},
                    {"type": "Progressing", "status": "True"},
                ],
            },
        })
    }

    /// `deployment()` with `edit` applied to it, to state expectations as differences.
    fn deployment_with(edit: impl FnOnce(&mut Value)) -> Value {
        let mut object = deployment();
        edit(&mut object);
        object
    }

    fn assert_no_directives(value: &Value, case: &str) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    assert!(
                        !is_directive(key),
                        "{case}: directive {key} left in the result"
                    );
                    assert_no_directives(value, case);
                }
            }
            Value::Array(list) => list.iter().for_each(|v| assert_no_directives(v, case)),
            _ => {}
        }
    }

    struct Case {
        name: &'static str,
        patch: Value,
        want: Value,
    }

    fn check(cases: Vec<Case>) {
        for case in cases {
            let got = strategic_merge(&deployment(), &case.patch, deployment_schema())
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_no_directives(&got, case.name);
            assert_eq!(got, case.want, "{}", case.name);
        }
    }

    #[test]
    fn maps_merge_and_null_deletes() {
        check(vec![
            Case {
                name: "labels merge, null deletes one",
                patch: json!({"metadata": {"labels": {"team": null, "tier": "fe"}}}),
                want: deployment_with(|d| {
                    d["metadata"]["labels"] = json!({"app": "web", "tier": "fe"});
                }),
            },
            Case {
                name: "null for a missing field is ignored",
                patch: json!({"metadata": {"annotations": {"gone": null}}, "spec": {"paused": null}}),
                want: deployment_with(|d| d["metadata"]["annotations"] = json!({})),
            },
            Case {
                name: "nulls inside a new map are dropped",
                patch: json!({"spec": {"minReadySeconds": 5, "revisionHistoryLimit": null}}),
                want: deployment_with(|d| d["spec"]["minReadySeconds"] = json!(5)),
            },
            Case {
                name: "a scalar replaces a map of the wrong type",
                patch: json!({"spec": {"replicas": {"nested": true}}}),
                want: deployment_with(|d| d["spec"]["replicas"] = json!({"nested": true})),
            },
            Case {
                name: "kubectl diff sends resourceVersion inside the patch",
                patch: json!({"metadata": {"resourceVersion": "115"}, "spec": {"replicas": 3}}),
                want: deployment_with(|d| {
                    d["metadata"]["resourceVersion"] = json!("115");
                    d["spec"]["replicas"] = json!(3);
                }),
            },
        ]);
    }

    #[test]
    fn keyed_lists_merge_by_their_merge_key() {
        check(vec![
            Case {
                name: "containers merge by name; new ones are appended",
                patch: json!({"spec": {"template": {"spec": {"containers": [
                    {"name": "a", "image": "nginx:2"},
                    {"name": "c", "image": "redis"},
                ]}}}}),
                want: deployment_with(|d| {
                    let containers = &mut d["spec"]["template"]["spec"]["containers"];
                    containers[0]["image"] = json!("nginx:2");
                    containers
                        .as_array_mut()
                        .unwrap()
                        .push(json!({"name": "c", "image": "redis"}));
                }),
            },
            Case {
                name: "env merges by name inside a container",
                patch: json!({"spec": {"template": {"spec": {"containers": [
                    {"name": "a", "env": [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]},
                ]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"][0]["env"] = json!([
                        {"name": "A", "value": "1"},
                        {"name": "B", "value": "20"},
                        {"name": "C", "value": "3"},
                    ]);
                }),
            },
            Case {
                name: "ports merge by containerPort",
                patch: json!({"spec": {"template": {"spec": {"containers": [
                    {"name": "a", "ports": [{"containerPort": 443, "name": "https"}, {"containerPort": 8080}]},
                ]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"][0]["ports"] = json!([
                        {"containerPort": 80, "protocol": "TCP"},
                        {"containerPort": 443, "protocol": "TCP", "name": "https"},
                        {"containerPort": 8080},
                    ]);
                }),
            },
            Case {
                name: "volumes merge by name",
                patch: json!({"spec": {"template": {"spec": {"volumes": [
                    {"name": "v2", "configMap": {"name": "cm"}},
                ]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["volumes"] = json!([
                        {"name": "v1", "emptyDir": {}},
                        {"name": "v2", "configMap": {"name": "cm"}},
                    ]);
                }),
            },
            Case {
                name: "status conditions merge by type",
                patch: json!({"status": {"conditions": [
                    {"type": "Progressing", "status": "False", "reason": "Stuck"},
                    {"type": "ReplicaFailure", "status": "True"},
                ]}}),
                want: deployment_with(|d| {
                    d["status"]["conditions"] = json!([
                        {"type": "Available", "status": "True"},
                        {"type": "Progressing", "status": "False", "reason": "Stuck"},
                        {"type": "ReplicaFailure", "status": "True"},
                    ]);
                }),
            },
            Case {
                name: "a null inside a matched entry deletes that field",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "args": null}]}}}}),
                want: deployment_with(|d| {
                    let a = d["spec"]["template"]["spec"]["containers"][0]
                        .as_object_mut()
                        .unwrap();
                    a.remove("args");
                }),
            },
        ]);
    }

    #[test]
    fn lists_without_a_merge_strategy_are_replaced() {
        check(vec![
            Case {
                name: "tolerations are replaced",
                patch: json!({"spec": {"template": {"spec": {"tolerations": [{"key": "k2", "operator": "Exists"}]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["tolerations"] =
                        json!([{"key": "k2", "operator": "Exists"}]);
                }),
            },
            Case {
                name: "args are replaced",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["x", "z"]}]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["x", "z"]);
                }),
            },
            Case {
                name: "an empty list clears a replaced list",
                patch: json!({"spec": {"template": {"spec": {"tolerations": []}}}}),
                want: deployment_with(|d| d["spec"]["template"]["spec"]["tolerations"] = json!([])),
            },
        ]);
    }

    #[test]
    fn primitive_merge_lists_form_a_set_union() {
        check(vec![Case {
            name: "finalizers union",
            patch: json!({"metadata": {"finalizers": ["example.com/f2", "example.com/f3", "example.com/f3"]}}),
            want: deployment_with(|d| {
                d["metadata"]["finalizers"] =
                    json!(["example.com/f1", "example.com/f2", "example.com/f3"]);
            }),
        }]);
    }

    #[test]
    fn patch_directive_on_maps_and_entries() {
        check(vec![
            Case {
                name: "$patch: delete removes a container",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete", "name": "b"}]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"]
                        .as_array_mut()
                        .unwrap()
                        .pop();
                }),
            },
            Case {
                name: "$patch: delete of an absent entry is a no-op",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete", "name": "zz"}]}}}}),
                want: deployment(),
            },
            Case {
                name: "$patch: delete in env (kubectl apply)",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "a",
                    "$setElementOrder/env": [{"name": "A"}, {"name": "C"}],
                    "env": [{"name": "C", "value": "3"}, {"$patch": "delete", "name": "B"}],
                }]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"][0]["env"] = json!([
                        {"name": "A", "value": "1"},
                        {"name": "C", "value": "3"},
                    ]);
                }),
            },
            Case {
                name: "$patch: replace on a map",
                patch: json!({"spec": {"template": {"metadata": {"labels": {"$patch": "replace", "app": "web2"}}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "web2"});
                }),
            },
            Case {
                name: "$patch: delete on a map removes the field",
                patch: json!({"spec": {"strategy": {"$patch": "delete"}}}),
                want: deployment_with(|d| {
                    d["spec"].as_object_mut().unwrap().remove("strategy");
                }),
            },
            Case {
                name: "$patch: merge is the default",
                patch: json!({"metadata": {"labels": {"$patch": "merge", "tier": "fe"}}}),
                want: deployment_with(|d| d["metadata"]["labels"]["tier"] = json!("fe")),
            },
            Case {
                name: "a {$patch: replace} entry replaces a keyed list",
                patch: json!({"spec": {"template": {"spec": {"containers": [
                    {"name": "z", "image": "z"},
                    {"$patch": "replace"},
                ]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"] =
                        json!([{"name": "z", "image": "z"}]);
                }),
            },
            Case {
                name: "a {$patch: replace} entry replaces a primitive merge list",
                patch: json!({"metadata": {"finalizers": [{"$patch": "replace"}, "example.com/f9"]}}),
                want: deployment_with(|d| d["metadata"]["finalizers"] = json!(["example.com/f9"])),
            },
            Case {
                name: "directives inside a new entry are stripped",
                patch: json!({"spec": {"template": {"spec": {"containers": [
                    {"$patch": "merge", "name": "c", "image": "c", "env": [{"name": "X", "value": "1"}, {"$patch": "delete", "name": "Y"}]},
                ]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"].as_array_mut().unwrap().push(
                        json!({"name": "c", "image": "c", "env": [{"name": "X", "value": "1"}]}),
                    );
                }),
            },
        ]);
    }

    #[test]
    fn set_element_order_reorders_merged_lists() {
        check(vec![
            Case {
                name: "containers in the order kubectl apply names",
                patch: json!({"spec": {"template": {"spec": {
                    "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                }}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"]
                        .as_array_mut()
                        .unwrap()
                        .reverse();
                }),
            },
            Case {
                name: "a new container placed first",
                patch: json!({"spec": {"template": {"spec": {
                    "$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
                    "containers": [{"name": "c", "image": "redis"}],
                }}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"]
                        .as_array_mut()
                        .unwrap()
                        .insert(0, json!({"name": "c", "image": "redis"}));
                }),
            },
            Case {
                name: "unnamed entries keep their place among named ones",
                patch: json!({"status": {"$setElementOrder/conditions": [{"type": "Progressing"}]}}),
                want: deployment(),
            },
            Case {
                name: "ports ordered by containerPort",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "a",
                    "$setElementOrder/ports": [{"containerPort": 443}, {"containerPort": 80}],
                }]}}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["containers"][0]["ports"]
                        .as_array_mut()
                        .unwrap()
                        .reverse();
                }),
            },
            Case {
                name: "primitive lists are ordered by value",
                patch: json!({"metadata": {"$setElementOrder/finalizers": ["example.com/f2", "example.com/f1"]}}),
                want: deployment_with(|d| {
                    d["metadata"]["finalizers"] = json!(["example.com/f2", "example.com/f1"]);
                }),
            },
        ]);
    }

    #[test]
    fn delete_from_primitive_list_removes_values() {
        check(vec![
            Case {
                name: "kubectl apply removing a finalizer",
                patch: json!({"metadata": {
                    "$deleteFromPrimitiveList/finalizers": ["example.com/f2"],
                    "$setElementOrder/finalizers": ["example.com/f1"],
                }}),
                want: deployment_with(|d| d["metadata"]["finalizers"] = json!(["example.com/f1"])),
            },
            Case {
                name: "deleting and adding at once",
                patch: json!({"metadata": {
                    "$deleteFromPrimitiveList/finalizers": ["example.com/f1", "example.com/absent"],
                    "finalizers": ["example.com/f3"],
                }}),
                want: deployment_with(|d| {
                    d["metadata"]["finalizers"] = json!(["example.com/f2", "example.com/f3"]);
                }),
            },
            Case {
                name: "deleting from a missing list is a no-op",
                patch: json!({"spec": {"template": {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}}}),
                want: deployment(),
            },
        ]);
    }

    #[test]
    fn retain_keys_clears_the_other_members() {
        check(vec![
            Case {
                name: "strategy switched to Recreate",
                patch: json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"}}}),
                want: deployment_with(|d| d["spec"]["strategy"] = json!({"type": "Recreate"})),
            },
            Case {
                name: "strategy cleared without naming rollingUpdate",
                patch: json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
                want: deployment_with(|d| d["spec"]["strategy"] = json!({"type": "Recreate"})),
            },
            Case {
                name: "a volume source switched from emptyDir to configMap",
                patch: json!({"spec": {"template": {"spec": {
                    "$setElementOrder/volumes": [{"name": "v1"}],
                    "volumes": [{"$retainKeys": ["configMap", "name"], "configMap": {"name": "cm1"}, "emptyDir": null, "name": "v1"}],
                }}}}),
                want: deployment_with(|d| {
                    d["spec"]["template"]["spec"]["volumes"] =
                        json!([{"name": "v1", "configMap": {"name": "cm1"}}]);
                }),
            },
        ]);
    }

    /// The patch kubectl 1.27 sent for `apply` of Deployment A then B (kubectl-contract §10).
    #[test]
    fn kubectl_apply_patch_from_the_contract() {
        let patch = json!({
            "metadata": {
                "$deleteFromPrimitiveList/finalizers": ["example.com/f2"],
                "$setElementOrder/finalizers": ["example.com/f1"],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "labels": {"team": null},
            },
            "spec": {
                "strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"},
                "template": {"spec": {
                    "$setElementOrder/containers": [{"name": "a"}],
                    "$setElementOrder/volumes": [{"name": "v1"}],
                    "containers": [{"args": ["x", "z"], "name": "a"}, {"$patch": "delete", "name": "b"}],
                    "tolerations": [{"key": "k2", "operator": "Exists"}],
                    "volumes": [{"$retainKeys": ["configMap", "name"], "configMap": {"name": "cm1"}, "emptyDir": null, "name": "v1"}],
                }},
            },
        });
        let want = deployment_with(|d| {
            d["metadata"]["finalizers"] = json!(["example.com/f1"]);
            d["metadata"]["annotations"] =
                json!({"kubectl.kubernetes.io/last-applied-configuration": "{}"});
            d["metadata"]["labels"] = json!({"app": "web"});
            d["spec"]["strategy"] = json!({"type": "Recreate"});
            let pod = &mut d["spec"]["template"]["spec"];
            pod["containers"].as_array_mut().unwrap().pop();
            pod["containers"][0]["args"] = json!(["x", "z"]);
            pod["tolerations"] = json!([{"key": "k2", "operator": "Exists"}]);
            pod["volumes"] = json!([{"name": "v1", "configMap": {"name": "cm1"}}]);
        });
        check(vec![Case {
            name: "apply A -> B",
            patch,
            want,
        }]);
    }

    #[test]
    fn service_ports_merge_by_port() {
        let schema = schema_for("", "v1", "Service");
        let service = json!({"spec": {"ports": [
            {"port": 80, "targetPort": 8080, "protocol": "TCP"},
            {"port": 443, "targetPort": 8443, "protocol": "TCP"},
        ]}});
        let patch = json!({"spec": {"ports": [{"port": 443, "targetPort": 9443}]}});
        let got = strategic_merge(&service, &patch, schema).unwrap();
        assert_eq!(
            got,
            json!({"spec": {"ports": [
                {"port": 80, "targetPort": 8080, "protocol": "TCP"},
                {"port": 443, "targetPort": 9443, "protocol": "TCP"},
            ]}})
        );
    }

    #[test]
    fn replace_strategy_takes_the_patch_map() {
        let schema = schema_for("policy", "v1", "PodDisruptionBudget");
        let pdb = json!({"spec": {"selector": {"matchLabels": {"app": "web"}}, "minAvailable": 1}});
        let patch = json!({"spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}}});
        let got = strategic_merge(&pdb, &patch, schema).unwrap();
        assert_eq!(
            got,
            json!({"spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, "minAvailable": 1}})
        );
    }

    #[test]
    fn crd_versions_are_replaced_whole() {
        let schema = schema_for("apiextensions.k8s.io", "v1", "CustomResourceDefinition");
        let at = |rules: Value| {
            json!({"spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"properties": {
                "spec": {"x-kubernetes-validations": rules},
            }}}}]}})
        };
        let crd = at(json!([{"rule": "a", "message": "m1"}]));
        let patch = at(json!([{"rule": "b"}]));
        // `versions` has no merge strategy, so the whole list is replaced, rules and all.
        let got = strategic_merge(&crd, &patch, schema).unwrap();
        assert_eq!(got, at(json!([{"rule": "b"}])));
    }

    #[test]
    fn without_a_schema_lists_are_replaced_and_directives_still_apply() {
        let original = json!({"spec": {"containers": [{"name": "a"}], "m": {"k": "v"}}});
        let patch =
            json!({"spec": {"containers": [{"name": "b"}], "m": {"$patch": "replace", "j": "w"}}});
        let got = strategic_merge(&original, &patch, None).unwrap();
        assert_eq!(
            got,
            json!({"spec": {"containers": [{"name": "b"}], "m": {"j": "w"}}})
        );
    }

    #[test]
    fn patch_delete_at_the_top_leaves_an_empty_object() {
        let got = strategic_merge(
            &deployment(),
            &json!({"$patch": "delete"}),
            deployment_schema(),
        );
        assert_eq!(got, Ok(json!({})));
    }

    #[test]
    fn malformed_patches_are_errors_not_panics() {
        struct ErrorCase {
            name: &'static str,
            patch: Value,
            want: PatchError,
        }
        let bad = |path: &str, directive: &str, expected: &'static str| PatchError::BadDirective {
            path: path.to_string(),
            directive: directive.to_string(),
            expected,
        };
        let cases = vec![
            ErrorCase {
                name: "patch is a list",
                patch: json!([{"op": "add"}]),
                want: PatchError::PatchNotAnObject,
            },
            ErrorCase {
                name: "unknown $patch on a map",
                patch: json!({"spec": {"strategy": {"$patch": "explode"}}}),
                want: PatchError::UnknownPatchDirective {
                    path: "spec.strategy".into(),
                    value: "\"explode\"".into(),
                },
            },
            ErrorCase {
                name: "non-string $patch in a list entry",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"$patch": 5, "name": "a"}]}}}}),
                want: PatchError::UnknownPatchDirective {
                    path: "spec.template.spec.containers[0]".into(),
                    value: "5".into(),
                },
            },
            ErrorCase {
                name: "container without its merge key",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}, {"image": "x"}]}}}}),
                want: PatchError::MissingMergeKey {
                    path: "spec.template.spec.containers[1]".into(),
                    key: "name".into(),
                },
            },
            ErrorCase {
                name: "delete directive without the merge key",
                patch: json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete"}]}}}}),
                want: PatchError::MissingMergeKey {
                    path: "spec.template.spec.containers[0]".into(),
                    key: "name".into(),
                },
            },
            ErrorCase {
                name: "container that is not an object",
                patch: json!({"spec": {"template": {"spec": {"containers": ["nginx"]}}}}),
                want: PatchError::EntryNotAnObject {
                    path: "spec.template.spec.containers[0]".into(),
                    key: "name".into(),
                },
            },
            ErrorCase {
                name: "$retainKeys not a list of strings",
                patch: json!({"spec": {"strategy": {"$retainKeys": "type"}}}),
                want: bad("spec.strategy", "$retainKeys", "a list of strings"),
            },
            ErrorCase {
                name: "$retainKeys that does not keep a patched field",
                patch: json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {"maxSurge": 1}}}}),
                want: PatchError::RetainKeysMismatch {
                    path: "spec.strategy".into(),
                    field: "rollingUpdate".into(),
                },
            },
            ErrorCase {
                name: "$setElementOrder not a list",
                patch: json!({"spec": {"template": {"spec": {"$setElementOrder/containers": {"name": "a"}}}}}),
                want: bad(
                    "spec.template.spec",
                    "$setElementOrder/containers",
                    "a list",
                ),
            },
            ErrorCase {
                name: "$setElementOrder entries without the merge key",
                patch: json!({"spec": {"template": {"spec": {"$setElementOrder/containers": ["a"]}}}}),
                want: bad(
                    "spec.template.spec",
                    "$setElementOrder/containers",
                    "entries holding the merge key",
                ),
            },
            ErrorCase {
                name: "$deleteFromPrimitiveList not a list",
                patch: json!({"metadata": {"$deleteFromPrimitiveList/finalizers": "example.com/f1"}}),
                want: bad(
                    "metadata",
                    "$deleteFromPrimitiveList/finalizers",
                    "a list of values",
                ),
            },
            ErrorCase {
                name: "$patch: delete in a primitive list",
                patch: json!({"metadata": {"finalizers": [{"$patch": "delete"}]}}),
                want: PatchError::DirectiveNeedsMergeKey {
                    path: "metadata.finalizers[0]".into(),
                    directive: "delete",
                },
            },
        ];
        for case in cases {
            let got = strategic_merge(&deployment(), &case.patch, deployment_schema());
            assert_eq!(got, Err(case.want), "{}", case.name);
        }
    }

    #[test]
    fn malformed_documents_are_bad_requests_and_the_rest_unprocessable() {
        assert!(PatchError::PatchNotAnObject.is_malformed());
        let missing_key = PatchError::MissingMergeKey {
            path: "spec.template.spec.containers[0]".into(),
            key: "name".into(),
        };
        assert!(!missing_key.is_malformed());
        assert_eq!(
            missing_key.to_string(),
            "list entry spec.template.spec.containers[0] does not contain the declared merge key \"name\""
        );
    }

    #[test]
    fn the_original_must_be_an_object() {
        let got = strategic_merge(&json!([]), &json!({}), None);
        assert_eq!(got, Err(PatchError::OriginalNotAnObject));
    }
}
