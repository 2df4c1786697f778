//! Validation and pruning of objects against a structural OpenAPI v3 schema, as kube-apiserver does
//! for custom resources.
//!
//! Supported: `type` (object, array, string, integer, number, boolean), `properties`, `required`,
//! `items`, `additionalProperties` (schema or bool), `enum`, `minimum`/`maximum` (+ exclusive),
//! `minLength`/`maxLength`, `minItems`/`maxItems`, `pattern` (the `regex` crate's syntax),
//! `nullable`, `format` (int32/int64/date-time checked), `x-kubernetes-int-or-string`,
//! `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-embedded-resource`, and `anyOf`/`oneOf`/`allOf`
//! as value validations. Unknown fields are reported (and pruned) unless preserved.

use serde_json::{Map, Value};

/// One problem with one field, in kube-apiserver's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `spec.replicas`, `spec.ports[0].name`.
    pub field: String,
    /// `Required value`, `Invalid value: "x": ...`, `Unsupported value: ...`.
    pub detail: String,
    /// `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueTypeInvalid`.
    pub reason: &'static str,
}

impl FieldError {
    fn new(field: &str, reason: &'static str, detail: String) -> Self {
        FieldError {
            field: field.to_string(),
            detail,
            reason,
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn type_name(value: &Value) -> &'static str {
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

/// Validates `value` against `schema`, collecting every error.
pub fn validate(schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    if value.is_null() {
        if schema.get("nullable").and_then(Value::as_bool) == Some(true) || schema.is_empty() {
            return;
        }
        if schema.get("type").is_some() {
            errors.push(FieldError::new(
                path,
                "FieldValueTypeInvalid",
                format!(
                    "Invalid value: \"null\": {path} in body must be of type {}: \"null\"",
                    schema["type"].as_str().unwrap_or("object")
                ),
            ));
        }
        return;
    }
    let int_or_string = schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true);
    if int_or_string {
        if !(value.is_string() || value.is_i64() || value.is_u64()) {
            errors.push(FieldError::new(
                path,
                "FieldValueTypeInvalid",
                format!(
                    "Invalid value: {}: {path} in body must be of type integer,string: \"{}\"",
                    describe(value),
                    type_name(value)
                ),
            ));
        }
    } else if let Some(expected) = schema.get("type").and_then(Value::as_str) {
        let actual = type_name(value);
        let ok = actual == expected || (expected == "number" && actual == "integer");
        if !ok {
            errors.push(FieldError::new(
                path,
                "FieldValueTypeInvalid",
                format!(
                    "Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\""
                ),
            ));
            return;
        }
    }

    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(describe).collect();
        errors.push(FieldError::new(
            path,
            "FieldValueNotSupported",
            format!(
                "Unsupported value: {}: supported values: {}",
                describe(value),
                list.join(", ")
            ),
        ));
    }

    match value {
        Value::Number(n) => validate_number(schema, n, path, errors),
        Value::String(s) => validate_string(schema, s, path, errors),
        Value::Array(items) => {
            let count = items.len() as u64;
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                && count < min
            {
                errors.push(FieldError::new(
                    path,
                    "FieldValueInvalid",
                    format!(
                        "Invalid value: {count}: {path} in body should have at least {min} items"
                    ),
                ));
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
                && count > max
            {
                errors.push(FieldError::new(
                    path,
                    "FieldValueTooMany",
                    format!("Too many: {count}: must have at most {max} items"),
                ));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(item_schema, item, &format!("{path}[{i}]"), errors);
                }
            }
        }
        Value::Object(map) => validate_object(schema, map, path, errors),
        _ => {}
    }

    for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let passing = options
                .iter()
                .filter(|option| {
                    let mut sub = Vec::new();
                    validate(option, value, path, &mut sub);
                    sub.is_empty()
                })
                .count();
            let ok = if exactly_one {
                passing == 1
            } else {
                passing >= 1
            };
            if !ok {
                errors.push(FieldError::new(
                    path,
                    "FieldValueInvalid",
                    format!(
                        "Invalid value: {}: {path} in body must validate against {} of the {keyword} schemas",
                        describe(value),
                        if exactly_one { "exactly one" } else { "at least one" }
                    ),
                ));
            }
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for option in all {
            validate(option, value, path, errors);
        }
    }
}

fn validate_number(
    schema: &Map<String, Value>,
    n: &serde_json::Number,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    let Some(x) = n.as_f64() else { return };
    let exclusive_min = schema.get("exclusiveMinimum").and_then(Value::as_bool) == Some(true);
    let exclusive_max = schema.get("exclusiveMaximum").and_then(Value::as_bool) == Some(true);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && (x < min || (exclusive_min && x == min))
    {
        let relation = if exclusive_min {
            "greater than"
        } else {
            "greater than or equal to"
        };
        errors.push(FieldError::new(
            path,
            "FieldValueInvalid",
            format!("Invalid value: {n}: {path} in body should be {relation} {min}"),
        ));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && (x > max || (exclusive_max && x == max))
    {
        let relation = if exclusive_max {
            "less than"
        } else {
            "less than or equal to"
        };
        errors.push(FieldError::new(
            path,
            "FieldValueInvalid",
            format!("Invalid value: {n}: {path} in body should be {relation} {max}"),
        ));
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("int32") if n.as_i64().is_none_or(|v| i32::try_from(v).is_err()) => {
            errors.push(FieldError::new(
                path,
                "FieldValueInvalid",
                format!("Invalid value: {n}: {path} in body must be of type int32"),
            ));
        }
        _ => {}
    }
}

fn validate_string(schema: &Map<String, Value>, s: &str, path: &str, errors: &mut Vec<FieldError>) {
    let len = s.chars().count() as u64;
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        errors.push(FieldError::new(
            path,
            "FieldValueInvalid",
            format!("Invalid value: {s:?}: {path} in body should be at least {min} chars long"),
        ));
    }
    if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        errors.push(FieldError::new(
            path,
            "FieldValueTooLong",
            format!("Too long: may not be more than {max} bytes"),
        ));
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
        && simple_pattern(pattern, s) == Some(false)
    {
        errors.push(FieldError::new(
            path,
            "FieldValueInvalid",
            format!("Invalid value: {s:?}: {path} in body should match '{pattern}'"),
        ));
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time")
        && s.parse::<jiff::Timestamp>().is_err()
    {
        errors.push(FieldError::new(
            path,
            "FieldValueInvalid",
            format!("Invalid value: {s:?}: {path} in body must be of type date-time"),
        ));
    }
}

fn validate_object(
    schema: &Map<String, Value>,
    map: &Map<String, Value>,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for field in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(field) {
                errors.push(FieldError::new(
                    &join(path, field),
                    "FieldValueRequired",
                    "Required value".to_string(),
                ));
            }
        }
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    for (key, child) in map {
        let child_path = join(path, key);
        if let Some(child_schema) = properties.and_then(|p| p.get(key)) {
            validate(child_schema, child, &child_path, errors);
        } else if let Some(extra @ Value::Object(_)) = additional {
            validate(extra, child, &child_path, errors);
        }
    }
}

/// Removes fields the schema does not know (unless preserved) and returns their paths, as
/// kube-apiserver's pruning does. `metadata` of embedded resources and of the root is left alone,
/// as are `apiVersion` and `kind` at the root.
pub fn prune(schema: &Value, value: &mut Value, path: &str, root: bool, unknown: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    let preserve = schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    let embedded = schema
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true);
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let child_path = join(path, &key);
                let meta_field = (root || embedded)
                    && matches!(key.as_str(), "apiVersion" | "kind" | "metadata");
                if meta_field {
                    // Object metadata follows ObjectMeta, not the CRD's schema (which usually just
                    // says `type: object`); it is never pruned here.
                    continue;
                }
                if let Some(child_schema) = properties.and_then(|p| p.get(&key)) {
                    // A null where the schema does not allow one is dropped, as kube-apiserver
                    // does before defaulting (`field:` left empty in YAML means "unset").
                    let nullable =
                        child_schema.get("nullable").and_then(Value::as_bool) == Some(true);
                    if map.get(&key).is_some_and(Value::is_null) && !nullable {
                        map.remove(&key);
                        continue;
                    }
                    if let Some(child) = map.get_mut(&key) {
                        prune(child_schema, child, &child_path, false, unknown);
                    }
                } else if let Some(extra @ Value::Object(_)) = additional {
                    if let Some(child) = map.get_mut(&key) {
                        prune(extra, child, &child_path, false, unknown);
                    }
                } else if meta_field || preserve || additional == Some(&Value::Bool(true)) {
                    // Known by convention, or explicitly allowed.
                } else {
                    map.remove(&key);
                    unknown.push(child_path);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune(item_schema, item, &format!("{path}[{i}]"), false, unknown);
                }
            }
        }
        _ => {}
    }
}

/// Whether `text` matches the schema `pattern` (ECMA/RE2-style, unanchored unless the pattern
/// anchors itself). Compiled patterns are cached; `None` for a pattern that does not compile (such a
/// pattern is not enforced, and CRD validation rejects it up front).
pub fn simple_pattern(pattern: &str, text: &str) -> Option<bool> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static CACHE: LazyLock<Mutex<HashMap<String, Option<regex::Regex>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() > 4096 {
        cache.clear();
    }
    let compiled = cache
        .entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).ok());
    compiled.as_ref().map(|re| re.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["replicas"],
                    "properties": {
                        "replicas": {"type": "integer", "minimum": 0, "maximum": 10, "format": "int32"},
                        "mode": {"type": "string", "enum": ["Duplicated", "Divided"]},
                        "name": {"type": "string", "maxLength": 5, "pattern": "^[a-z]+$"},
                        "port": {"x-kubernetes-int-or-string": true},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "items": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
                        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    }
                },
                "status": {"type": "object", "properties": {"ok": {"type": "boolean"}}}
            }
        })
    }

    fn errors(value: Value) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        validate(&schema(), &value, "", &mut out);
        out.into_iter().map(|e| (e.field, e.reason)).collect()
    }

    #[test]
    fn valid_objects_pass() {
        assert!(
            errors(
                json!({"spec": {"replicas": 3, "mode": "Divided", "name": "abc", "port": "http",
            "labels": {"a": "b"}, "items": ["x"], "free": {"any": [1, {"x": 2}]}}})
            )
            .is_empty()
        );
        assert!(errors(json!({"spec": {"replicas": 0, "port": 8080}})).is_empty());
    }

    #[test]
    fn each_rule_reports_its_field() {
        let cases = [
            (json!({"spec": {}}), ("spec.replicas", "FieldValueRequired")),
            (
                json!({"spec": {"replicas": "3"}}),
                ("spec.replicas", "FieldValueTypeInvalid"),
            ),
            (
                json!({"spec": {"replicas": 11}}),
                ("spec.replicas", "FieldValueInvalid"),
            ),
            (
                json!({"spec": {"replicas": -1}}),
                ("spec.replicas", "FieldValueInvalid"),
            ),
            (
                json!({"spec": {"replicas": 1, "mode": "Other"}}),
                ("spec.mode", "FieldValueNotSupported"),
            ),
            (
                json!({"spec": {"replicas": 1, "name": "toolong"}}),
                ("spec.name", "FieldValueTooLong"),
            ),
            (
                json!({"spec": {"replicas": 1, "name": "AB"}}),
                ("spec.name", "FieldValueInvalid"),
            ),
            (
                json!({"spec": {"replicas": 1, "port": 1.5}}),
                ("spec.port", "FieldValueTypeInvalid"),
            ),
            (
                json!({"spec": {"replicas": 1, "labels": {"a": 1}}}),
                ("spec.labels.a", "FieldValueTypeInvalid"),
            ),
            (
                json!({"spec": {"replicas": 1, "items": ["a", "b", "c"]}}),
                ("spec.items", "FieldValueTooMany"),
            ),
            (
                json!({"spec": {"replicas": 1, "items": [1]}}),
                ("spec.items[0]", "FieldValueTypeInvalid"),
            ),
        ];
        for (value, (field, reason)) in cases {
            let got = errors(value.clone());
            assert!(
                got.contains(&(field.to_string(), reason)),
                "{value}: expected {field} {reason}, got {got:?}"
            );
        }
    }

    #[test]
    fn nulls_where_the_schema_allows_none_are_dropped_not_refused() {
        let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "mode": {"type": "string"}, "maybe": {"type": "string", "nullable": true}}}}});
        let mut value = json!({"spec": {"mode": null, "maybe": null}});
        let mut unknown = Vec::new();
        prune(&schema, &mut value, "", true, &mut unknown);
        assert_eq!(value, json!({"spec": {"maybe": null}}));
        let mut errors = Vec::new();
        validate(&schema, &value, "", &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn metadata_is_never_pruned_even_when_the_schema_declares_it_as_a_plain_object() {
        let schema = json!({"type": "object", "properties": {
            "metadata": {"type": "object"}, "spec": {"type": "object"}}});
        let mut value = json!({"metadata": {"name": "a", "labels": {"x": "y"}}, "spec": {}});
        let mut unknown = Vec::new();
        prune(&schema, &mut value, "", true, &mut unknown);
        assert!(unknown.is_empty(), "{unknown:?}");
        assert_eq!(value["metadata"]["labels"]["x"], "y");
    }

    #[test]
    fn pruning_removes_unknown_fields_but_keeps_preserved_and_root_metadata() {
        let mut value = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a"},
            "spec": {"replicas": 1, "bogus": true, "free": {"anything": 1}}, "extra": 1});
        let mut unknown = Vec::new();
        prune(&schema(), &mut value, "", true, &mut unknown);
        assert_eq!(unknown, vec!["extra".to_string(), "spec.bogus".to_string()]);
        assert_eq!(
            value["spec"],
            json!({"replicas": 1, "free": {"anything": 1}})
        );
        assert_eq!(value["metadata"]["name"], "a");
    }

    #[test]
    fn pattern_subset_matches_like_a_regex_engine() {
        let cases = [
            ("^[a-z]+$", "abc", Some(true)),
            ("^[a-z]+$", "aBc", Some(false)),
            ("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "a-b", Some(true)),
            ("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "a-", Some(false)),
            ("([", "x", None),
            ("^\\d{1,3}$", "123", Some(true)),
            ("^\\d{1,3}$", "1234", Some(false)),
            ("abc", "xxabcxx", Some(true)),
            ("^a.c$", "abc", Some(true)),
            ("^[^-]+$", "a-b", Some(false)),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(simple_pattern(pattern, text), want, "{pattern} on {text}");
        }
    }
}
