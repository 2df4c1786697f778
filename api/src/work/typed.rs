//! Typed admission plumbing shared by the work, cluster and apps groups: decoding a JSON object into
//! its Rust type (a decoding failure names the field, as kube-apiserver would), encoding it back, and
//! applying the defaults of a CRD schema.
//!
//! Not a validator: each group's own rules live next to its types.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use crate::validation::{ErrorKind, FieldError};

/// Decodes `object` into `T`; a failure becomes one field error at the offending field.
///
/// `missing field` becomes `Required value`, an unknown enum variant becomes `Unsupported value`,
/// anything else (a wrong type, a malformed time or quantity) becomes `Invalid value`.
pub(crate) fn decode<T: DeserializeOwned>(object: &Value) -> Result<T, Vec<FieldError>> {
    serde_path_to_error::deserialize(object).map_err(|err| {
        let segments: Vec<&Segment> = err.path().iter().collect();
        let path = render_path(&segments);
        vec![decode_error(
            object,
            &segments,
            &path,
            &err.inner().to_string(),
        )]
    })
}

fn decode_error(object: &Value, segments: &[&Segment], path: &str, message: &str) -> FieldError {
    if let Some(field) = between(message, "missing field `", "`") {
        return FieldError::required(join(path, field), "");
    }
    if let Some(variant) = between(message, "unknown variant `", "`") {
        let supported: Vec<&str> = message
            .split_once(", expected ")
            .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        return FieldError::not_supported(path, crate::validation::quoted(variant), &supported);
    }
    let value = value_at(object, segments)
        .map(|v| v.to_string())
        .unwrap_or_else(|| "null".to_string());
    FieldError {
        field: if path.is_empty() {
            "<root>".into()
        } else {
            path.to_string()
        },
        kind: ErrorKind::Invalid,
        detail: format!("Invalid value: {value}: {message}"),
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = text.strip_prefix(start)?;
    rest.split_once(end).map(|(inside, _)| inside)
}

fn render_path(segments: &[&Segment]) -> String {
    let mut path = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    path
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn value_at<'a>(object: &'a Value, segments: &[&Segment]) -> Option<&'a Value> {
    let mut current = object;
    for segment in segments {
        current = match segment {
            Segment::Seq { index } => current.get(*index)?,
            Segment::Map { key } => current.get(key.as_str())?,
            Segment::Enum { .. } | Segment::Unknown => return Some(current),
        };
    }
    Some(current)
}

/// Writes `typed` back over `object`.
///
/// Object metadata is the API server's (uid, timestamps, managed fields): it is kept as received,
/// except for `labels`, the only metadata defaulting may change.
pub(crate) fn encode<T: Serialize>(typed: &T, object: &mut Value) -> Result<(), Vec<FieldError>> {
    let mut encoded = serde_json::to_value(typed).map_err(|err| {
        vec![FieldError {
            field: "<root>".into(),
            kind: ErrorKind::Invalid,
            detail: format!("Invalid value: null: failed to encode the object: {err}"),
        }]
    })?;
    if let (Some(original), Some(out)) = (object.get("metadata"), encoded.as_object_mut()) {
        let mut metadata = original.clone();
        let labels = out.get("metadata").and_then(|m| m.get("labels")).cloned();
        if let (Some(meta), Some(labels)) = (metadata.as_object_mut(), labels) {
            meta.insert("labels".into(), labels);
        }
        out.insert("metadata".into(), metadata);
    }
    *object = encoded;
    Ok(())
}

/// The root OpenAPI schema of a CRD's first version, as JSON (for [`apply_defaults`]).
pub(crate) fn root_schema(crd: &CustomResourceDefinition) -> Value {
    crd.spec
        .versions
        .first()
        .and_then(|v| v.schema.as_ref())
        .and_then(|s| s.open_api_v3_schema.as_ref())
        .and_then(|s| serde_json::to_value(s).ok())
        .unwrap_or(Value::Null)
}

/// Applies the `default`s of a structural schema to `value`, as kube-apiserver does for custom
/// resources: an absent property with a default gets it when its parent object exists.
pub(crate) fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, property) in properties {
                    match map.get_mut(key) {
                        Some(child) => apply_defaults(property, child),
                        None => {
                            if let Some(default) = property.get("default") {
                                let mut child = default.clone();
                                apply_defaults(property, &mut child);
                                map.insert(key.clone(), child);
                            }
                        }
                    }
                }
            }
            if let Some(additional @ Value::Object(_)) = schema.get("additionalProperties") {
                for child in map.values_mut() {
                    apply_defaults(additional, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    apply_defaults(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Root {
        spec: Spec,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Spec {
        items: Vec<Item>,
        mode: Option<Mode>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        replicas: Option<i32>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Mode {
        Push,
        Pull,
    }

    fn error_of(object: Value) -> FieldError {
        decode::<Root>(&object).unwrap_err().remove(0)
    }

    #[test]
    fn missing_field_is_required_at_its_path() {
        let err = error_of(json!({"spec": {"items": [{"name": "a"}, {}]}}));
        assert_eq!(err.field, "spec.items[1].name");
        assert_eq!(err.kind, ErrorKind::Required);
        assert_eq!(err.detail, "Required value");
    }

    #[test]
    fn wrong_type_is_invalid_with_the_value() {
        let err = error_of(json!({"spec": {"items": [{"name": "a", "replicas": "x"}]}}));
        assert_eq!(err.field, "spec.items[0].replicas");
        assert_eq!(err.kind, ErrorKind::Invalid);
        assert!(
            err.detail.starts_with("Invalid value: \"x\": invalid type"),
            "{}",
            err.detail
        );
    }

    #[test]
    fn unknown_variant_is_unsupported() {
        let err = error_of(json!({"spec": {"items": [], "mode": "Sideways"}}));
        assert_eq!(err.field, "spec.mode");
        assert_eq!(
            err.detail,
            "Unsupported value: \"Sideways\": supported values: \"Push\", \"Pull\""
        );
    }

    #[test]
    fn schema_defaults_fill_absent_fields_of_present_parents() {
        let schema = json!({"properties": {
            "spec": {"properties": {
                "mode": {"type": "string", "default": "Abort"},
                "priority": {"properties": {"value": {"default": 0}}},
                "items": {"items": {"properties": {"kind": {"default": "X"}}}},
            }},
        }});
        let mut object = json!({"spec": {"items": [{}, {"kind": "Y"}]}});
        apply_defaults(&schema, &mut object);
        assert_eq!(
            object,
            json!({"spec": {"mode": "Abort", "items": [{"kind": "X"}, {"kind": "Y"}]}})
        );
        let mut object = json!({"spec": {"mode": "Overwrite", "priority": {}}});
        apply_defaults(&schema, &mut object);
        assert_eq!(
            object,
            json!({"spec": {"mode": "Overwrite", "priority": {"value": 0}, }})
        );
    }

    #[test]
    fn encode_keeps_server_metadata_but_takes_labels() {
        let mut object = json!({"metadata": {"name": "x", "uid": "u", "creationTimestamp": "2024-01-01T00:00:00.5Z"}});
        let typed = json!({"metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {}});
        encode(&typed, &mut object).unwrap();
        assert_eq!(
            object,
            json!({"metadata": {"name": "x", "uid": "u", "creationTimestamp": "2024-01-01T00:00:00.5Z", "labels": {"a": "b"}}, "spec": {}})
        );
    }
}
