//! Field sets: which fields of an object a manager owns, as paths, and their `FieldsV1` encoding
//! (`{"f:spec":{"f:replicas":{}}, "f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:image":{}}}}`).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::types::{ListKind, Schema};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Element {
    /// A map field.
    Field(String),
    /// A list item identified by its key fields (canonical JSON object, keys in declared order).
    Key(String),
    /// A set item identified by its value (JSON).
    Value(String),
    /// A list item by position (only in sets read from elsewhere).
    Index(usize),
}

pub type Path = Vec<Element>;

/// A set of paths; a path names a leaf value or (for list items) the item itself.
pub type FieldSet = BTreeSet<Path>;

/// Fields the server owns, never tracked.
const IGNORED_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
];

fn key_of(item: &Value, keys: &[String]) -> Option<String> {
    let mut parts = Vec::with_capacity(keys.len());
    for key in keys {
        // A missing key field means the item cannot be identified; defaulted keys (e.g. protocol)
        // are simply left out, as Kubernetes does.
        if let Some(value) = item.get(key) {
            parts.push(format!("{}:{}", Value::String(key.clone()), value));
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(format!("{{{}}}", parts.join(",")))
    }
}

/// The paths of every leaf and list item in `value`. `ignore_status` leaves out `status` (owned by
/// the status subresource).
pub fn fields_of(value: &Value, schema: &Schema, ignore_status: bool) -> FieldSet {
    let mut set = FieldSet::new();
    let Some(map) = value.as_object() else {
        return set;
    };
    for (key, child) in map {
        if key == "apiVersion" || key == "kind" || (ignore_status && key == "status") {
            continue;
        }
        let path = vec![Element::Field(key.clone())];
        if key == "metadata" {
            if let Some(meta) = child.as_object() {
                let meta_schema = schema.field("metadata");
                for (mk, mv) in meta {
                    if IGNORED_METADATA.contains(&mk.as_str()) {
                        continue;
                    }
                    let mut p = path.clone();
                    p.push(Element::Field(mk.clone()));
                    walk(mv, &meta_schema.field(mk), p, &mut set);
                }
            }
            continue;
        }
        walk(child, &schema.field(key), path, &mut set);
    }
    set
}

fn walk(value: &Value, schema: &Schema, path: Path, set: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() && !schema.atomic_map() => {
            for (key, child) in map {
                let mut p = path.clone();
                p.push(Element::Field(key.clone()));
                walk(child, &schema.field(key), p, set);
            }
        }
        Value::Array(items) => match schema.list_kind() {
            ListKind::Map(keys) => {
                let item_schema = schema.items();
                let mut all_keyed = true;
                let mut item_paths = Vec::new();
                for item in items {
                    match key_of(item, &keys) {
                        Some(k) => item_paths.push((k, item)),
                        None => all_keyed = false,
                    }
                }
                if !all_keyed {
                    set.insert(path);
                    return;
                }
                for (k, item) in item_paths {
                    let mut p = path.clone();
                    p.push(Element::Key(k));
                    set.insert(p.clone());
                    walk(item, &item_schema, p, set);
                }
            }
            ListKind::Set => {
                for item in items {
                    let mut p = path.clone();
                    p.push(Element::Value(item.to_string()));
                    set.insert(p);
                }
            }
            ListKind::Atomic => {
                set.insert(path);
            }
        },
        _ => {
            set.insert(path);
        }
    }
}

/// The value at `path`, if present.
pub fn get<'a>(value: &'a Value, path: &[Element], schema: &Schema) -> Option<&'a Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(value);
    };
    match first {
        Element::Field(name) => get(value.get(name)?, rest, &schema.field(name)),
        Element::Key(key) => {
            let ListKind::Map(keys) = schema.list_kind() else {
                return None;
            };
            let item = value
                .as_array()?
                .iter()
                .find(|item| key_of(item, &keys).as_deref() == Some(key.as_str()))?;
            get(item, rest, &schema.items())
        }
        Element::Value(v) => {
            let wanted: Value = serde_json::from_str(v).ok()?;
            value.as_array()?.iter().find(|item| **item == wanted)
        }
        Element::Index(i) => get(value.get(*i)?, rest, &schema.items()),
    }
}

/// Removes what `path` names from `value` (a field, a keyed item or a set item).
pub fn remove(value: &mut Value, path: &[Element], schema: &Schema) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match first {
        Element::Field(name) => {
            if rest.is_empty() {
                if let Some(map) = value.as_object_mut() {
                    map.remove(name);
                }
            } else if let Some(child) = value.get_mut(name) {
                remove(child, rest, &schema.field(name));
            }
        }
        Element::Key(key) => {
            let ListKind::Map(keys) = schema.list_kind() else {
                return;
            };
            let Some(items) = value.as_array_mut() else {
                return;
            };
            let Some(index) = items
                .iter()
                .position(|item| key_of(item, &keys).as_deref() == Some(key.as_str()))
            else {
                return;
            };
            if rest.is_empty() {
                items.remove(index);
            } else {
                remove(&mut items[index], rest, &schema.items());
            }
        }
        Element::Value(v) => {
            if let (Some(items), Ok(wanted)) =
                (value.as_array_mut(), serde_json::from_str::<Value>(v))
            {
                items.retain(|item| *item != wanted);
            }
        }
        Element::Index(i) => {
            if let Some(items) = value.as_array_mut()
                && *i < items.len()
            {
                if rest.is_empty() {
                    items.remove(*i);
                } else {
                    remove(&mut items[*i], rest, &schema.items());
                }
            }
        }
    }
}

fn encode_element(element: &Element) -> String {
    match element {
        Element::Field(name) => format!("f:{name}"),
        Element::Key(key) => format!("k:{key}"),
        Element::Value(v) => format!("v:{v}"),
        Element::Index(i) => format!("i:{i}"),
    }
}

fn decode_element(text: &str) -> Option<Element> {
    let (tag, rest) = text.split_once(':')?;
    Some(match tag {
        "f" => Element::Field(rest.to_string()),
        "k" => Element::Key(rest.to_string()),
        "v" => Element::Value(rest.to_string()),
        "i" => Element::Index(rest.parse().ok()?),
        _ => return None,
    })
}

/// The `fieldsV1` JSON of a set.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut node = &mut root;
        for element in path {
            node = node
                .entry(encode_element(element))
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("field set nodes are objects");
        }
        // A path that is itself a member and also has members below it is marked with ".".
        let has_children = set
            .range(path.clone()..)
            .nth(1)
            .is_some_and(|next| next.len() > path.len() && next.starts_with(path));
        if has_children {
            node.insert(".".into(), Value::Object(Map::new()));
        }
    }
    Value::Object(root)
}

/// Parses `fieldsV1` (unknown entries are skipped).
pub fn from_fields_v1(value: &Value) -> FieldSet {
    fn go(node: &Map<String, Value>, path: &mut Path, set: &mut FieldSet) {
        for (key, child) in node {
            if key == "." {
                set.insert(path.clone());
                continue;
            }
            let Some(element) = decode_element(key) else {
                continue;
            };
            path.push(element);
            match child.as_object() {
                Some(map) if !map.is_empty() => go(map, path, set),
                _ => {
                    set.insert(path.clone());
                }
            }
            path.pop();
        }
    }
    let mut set = FieldSet::new();
    if let Some(map) = value.as_object() {
        go(map, &mut Vec::new(), &mut set);
    }
    set
}

/// A path as kube-apiserver prints it in conflicts: `.spec.containers[name="a"].image`.
pub fn display(path: &[Element]) -> String {
    let mut out = String::new();
    for element in path {
        match element {
            Element::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Element::Key(key) => {
                let inner = key.trim_start_matches('{').trim_end_matches('}');
                out.push('[');
                out.push_str(&inner.replace("\":", "=").replace('"', ""));
                out.push(']');
            }
            Element::Value(v) => out.push_str(&format!("[={v}]")),
            Element::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}
