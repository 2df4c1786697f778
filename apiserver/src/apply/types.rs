//! Schema navigation for server-side apply: how each list of a kind merges (by key, as a set, or
//! atomically), read from the kind's OpenAPI schema (built-ins: the published OpenAPI v3 documents;
//! custom resources: the CRD's `openAPIV3Schema`).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

/// How a list merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    /// Items are identified by these fields.
    Map(Vec<String>),
    /// Items are identified by their value.
    Set,
    /// The list is one value.
    Atomic,
}

/// A position in a schema: the document (or standalone schema) it lives in and a JSON pointer to
/// it. Navigating follows `$ref`s within the document and never copies schema nodes.
#[derive(Clone)]
pub struct Schema {
    root: Option<Arc<Value>>,
    path: String,
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Schema {
    /// No schema: maps merge, lists are atomic.
    pub fn unknown() -> Self {
        Schema {
            root: None,
            path: String::new(),
        }
    }

    /// A self-contained schema (a CRD version's `openAPIV3Schema`).
    pub fn standalone(schema: Arc<Value>) -> Self {
        Schema {
            root: Some(schema),
            path: String::new(),
        }
    }

    /// The schema of `kind` in an OpenAPI v3 document (found by `x-kubernetes-group-version-kind`).
    /// Parsed documents and the position of each kind in them are cached by the document's hash.
    pub fn from_document(
        doc_json: &[u8],
        hash: &str,
        group: &str,
        version: &str,
        kind: &str,
    ) -> Self {
        type Cache = HashMap<String, (Arc<Value>, HashMap<String, Option<String>>)>;
        static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(HashMap::new()));
        let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
        if !cache.contains_key(hash) {
            let Ok(doc) = serde_json::from_slice::<Value>(doc_json) else {
                return Schema::unknown();
            };
            if cache.len() > 64 {
                cache.clear();
            }
            cache.insert(hash.to_string(), (Arc::new(doc), HashMap::new()));
        }
        let Some((doc, kinds)) = cache.get_mut(hash) else {
            return Schema::unknown();
        };
        let gvk = format!("{group}/{version}/{kind}");
        let path = kinds
            .entry(gvk)
            .or_insert_with(|| {
                doc.pointer("/components/schemas")
                    .and_then(Value::as_object)
                    .and_then(|schemas| {
                        schemas.iter().find(|(_, schema)| {
                            schema
                                .get("x-kubernetes-group-version-kind")
                                .and_then(Value::as_array)
                                .is_some_and(|gvks| {
                                    gvks.iter().any(|gvk| {
                                        gvk["group"] == group
                                            && gvk["version"] == version
                                            && gvk["kind"] == kind
                                    })
                                })
                        })
                    })
                    .map(|(name, _)| format!("/components/schemas/{}", escape(name)))
            })
            .clone();
        match path {
            Some(path) => Schema {
                root: Some(Arc::clone(doc)),
                path,
            },
            None => Schema::unknown(),
        }
    }

    fn node(&self) -> Option<&Value> {
        self.root.as_ref()?.pointer(&self.path)
    }

    /// The position `suffix` below this one, following `$ref` and single-entry `allOf` wrappers.
    fn at(&self, suffix: &str) -> Schema {
        let Some(root) = &self.root else {
            return Schema::unknown();
        };
        let mut path = format!("{}{suffix}", self.path);
        for _ in 0..16 {
            let Some(node) = root.pointer(&path) else {
                return Schema::unknown();
            };
            if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
                let Some(name) = reference.rsplit('/').next() else {
                    return Schema::unknown();
                };
                path = format!("/components/schemas/{}", escape(name));
                continue;
            }
            if matches!(node.get("allOf").and_then(Value::as_array), Some(all) if all.len() == 1) {
                path.push_str("/allOf/0");
                continue;
            }
            return Schema {
                root: Some(Arc::clone(root)),
                path,
            };
        }
        Schema::unknown()
    }

    /// The schema of field `name` of this object.
    pub fn field(&self, name: &str) -> Schema {
        let Some(node) = self.node() else {
            return Schema::unknown();
        };
        if node.get("properties").and_then(|p| p.get(name)).is_some() {
            self.at(&format!("/properties/{}", escape(name)))
        } else if node
            .get("additionalProperties")
            .is_some_and(Value::is_object)
        {
            self.at("/additionalProperties")
        } else {
            Schema::unknown()
        }
    }

    /// The schema of this list's items.
    pub fn items(&self) -> Schema {
        match self.node() {
            Some(node) if node.get("items").is_some() => self.at("/items"),
            _ => Schema::unknown(),
        }
    }

    /// Whether this position keeps unknown fields (then nested lists are atomic, maps merge).
    pub fn list_kind(&self) -> ListKind {
        let Some(node) = self.node() else {
            return ListKind::Atomic;
        };
        match node.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("map") => {
                let keys: Vec<String> = node
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|k| {
                        k.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default();
                if keys.is_empty() {
                    ListKind::Atomic
                } else {
                    ListKind::Map(keys)
                }
            }
            Some("set") => ListKind::Set,
            Some(_) => ListKind::Atomic,
            None => {
                let strategy = node
                    .get("x-kubernetes-patch-strategy")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !strategy.split(',').any(|s| s == "merge") {
                    return ListKind::Atomic;
                }
                match node
                    .get("x-kubernetes-patch-merge-key")
                    .and_then(Value::as_str)
                {
                    Some(key) => ListKind::Map(vec![key.to_string()]),
                    None => ListKind::Set,
                }
            }
        }
    }

    /// Whether this map is one value (`x-kubernetes-map-type: atomic`).
    pub fn atomic_map(&self) -> bool {
        self.node()
            .and_then(|n| n.get("x-kubernetes-map-type"))
            .and_then(Value::as_str)
            == Some("atomic")
    }
}

impl Schema {
    /// Whether nothing is known about this position (then nothing below it is pruned).
    pub fn is_unknown(&self) -> bool {
        self.node().is_none()
    }

    /// Whether a field of this object is declared (or any field is allowed here).
    pub fn knows_field(&self, name: &str) -> bool {
        let Some(node) = self.node() else {
            return true;
        };
        if node
            .get("x-kubernetes-preserve-unknown-fields")
            .and_then(Value::as_bool)
            == Some(true)
        {
            return true;
        }
        if node.get("properties").and_then(|p| p.get(name)).is_some() {
            return true;
        }
        match node.get("additionalProperties") {
            Some(Value::Object(_)) | Some(Value::Bool(true)) => true,
            // Objects with neither properties nor additionalProperties are free-form.
            _ => {
                node.get("properties").is_none()
                    && node.get("type").and_then(Value::as_str) != Some("object")
            }
        }
    }
}

/// Removes fields the (resolved, possibly `$ref`-linked) schema does not declare and returns their
/// paths; used for strict field validation of built-in kinds.
pub fn prune_unknown(value: &mut Value, schema: &Schema, path: &str, unknown: &mut Vec<String>) {
    if schema.is_unknown() {
        return;
    }
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                if !schema.knows_field(&key) {
                    map.remove(&key);
                    unknown.push(child_path);
                } else if let Some(child) = map.get_mut(&key) {
                    prune_unknown(child, &schema.field(&key), &child_path, unknown);
                }
            }
        }
        Value::Array(items) => {
            let item_schema = schema.items();
            for (i, item) in items.iter_mut().enumerate() {
                prune_unknown(item, &item_schema, &format!("{path}[{i}]"), unknown);
            }
        }
        _ => {}
    }
}

impl Schema {
    /// The declared JSON type here (`string`, `integer`, …), with Kubernetes' special cases:
    /// `None` where any JSON value is accepted.
    fn accepted_types(&self) -> Option<&'static [&'static str]> {
        let node = self.node()?;
        if self
            .path
            .ends_with("io.k8s.apimachinery.pkg.api.resource.Quantity")
        {
            // Quantities decode from strings and from numbers.
            return Some(&["string", "integer", "number"]);
        }
        if node.get("format").and_then(Value::as_str) == Some("int-or-string")
            || node
                .get("x-kubernetes-int-or-string")
                .and_then(Value::as_bool)
                == Some(true)
        {
            return Some(&["string", "integer"]);
        }
        match node.get("type").and_then(Value::as_str)? {
            "string" => Some(&["string"]),
            "integer" => Some(&["integer"]),
            "number" => Some(&["number", "integer"]),
            "boolean" => Some(&["boolean"]),
            "array" => Some(&["array"]),
            "object" => Some(&["object"]),
            _ => None,
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Values whose JSON type the schema does not allow (`(path, expected, found)`), as decoding a
/// built-in kind into its Go type would refuse them. `null` is always allowed (it decodes to the
/// zero value).
pub fn type_errors(
    value: &Value,
    schema: &Schema,
    path: &str,
    errors: &mut Vec<(String, String, &'static str)>,
) {
    if value.is_null() || schema.is_unknown() {
        return;
    }
    if let Some(accepted) = schema.accepted_types() {
        let found = json_type(value);
        if !accepted.contains(&found) {
            errors.push((path.to_string(), accepted[0].to_string(), found));
            return;
        }
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                type_errors(child, &schema.field(key), &child_path, errors);
            }
        }
        Value::Array(items) => {
            let item_schema = schema.items();
            for (i, item) in items.iter().enumerate() {
                type_errors(item, &item_schema, &format!("{path}[{i}]"), errors);
            }
        }
        _ => {}
    }
}
