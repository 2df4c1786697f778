//! The plumbing shared by every kind's admission: decoding a field of the JSON object into its Rust
//! type (with decode errors as field errors), writing it back, and the metadata the webhooks manage
//! (permanent-id labels and finalizers).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::field_path::FieldPath;
use crate::validation::{FieldError, quoted};

/// Where a policy lives: in a namespace (PropagationPolicy, OverridePolicy) or in the whole
/// federation (ClusterPropagationPolicy, ClusterOverridePolicy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope<'a> {
    /// The policy's namespace; `""` when the object names none.
    Namespaced(&'a str),
    Cluster,
}

/// Decodes `object[field]` into `T`. A missing field is `Required`; a value of the wrong shape is
/// reported on the path of the offending field.
pub(crate) fn decode_field<T: DeserializeOwned>(
    object: &Value,
    field: &str,
) -> Result<T, FieldError> {
    let Some(value) = object.get(field) else {
        return Err(FieldError::required(field, ""));
    };
    serde_path_to_error::deserialize(value).map_err(|error| {
        let mut path = FieldPath::new(field);
        let mut pointer = String::new();
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    path = path.index(*index);
                    pointer.push_str(&format!("/{index}"));
                }
                serde_path_to_error::Segment::Map { key } => {
                    path = path.child(key);
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => {}
            }
        }
        decode_error(
            path,
            value.pointer(&pointer),
            &error.into_inner().to_string(),
        )
    })
}

/// Turns serde's message into kube-apiserver's wording where it can tell what went wrong.
fn decode_error(path: FieldPath, value: Option<&Value>, message: &str) -> FieldError {
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return FieldError::required(path.child(field), "");
    }
    // "unknown variant `X`, expected `A` or `B`" / "expected one of `A`, `B`, `C`"
    if let Some((variant, expected)) = message
        .strip_prefix("unknown variant `")
        .and_then(|rest| rest.split_once("`, expected "))
    {
        let supported: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return FieldError::not_supported(path, quoted(variant), &supported);
    }
    let shown = match value {
        Some(Value::String(s)) => quoted(s),
        Some(other) => other.to_string(),
        None => "null".to_string(),
    };
    FieldError::invalid(path, shown, message)
}

/// Writes `value` as `object[field]`.
pub(crate) fn encode_field<T: Serialize>(object: &mut Value, field: &str, value: &T) {
    let encoded = serde_json::to_value(value).expect("API types serialize to JSON");
    if let Some(map) = object.as_object_mut() {
        map.insert(field.to_string(), encoded);
    }
}

/// `metadata.namespace`, `""` when unset.
pub(crate) fn namespace(object: &Value) -> &str {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `metadata.name`, `""` when unset.
pub(crate) fn name(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn label<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .pointer("/metadata/labels")
        .and_then(|labels| labels.get(key))
        .and_then(Value::as_str)
}

fn metadata_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    let map = object.as_object_mut()?;
    let meta = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    meta.as_object_mut()
}

fn set_label(object: &mut Value, key: &str, value: &str) {
    let Some(meta) = metadata_mut(object) else {
        return;
    };
    let labels = meta
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if !labels.is_object() {
        *labels = Value::Object(Map::new());
    }
    if let Some(labels) = labels.as_object_mut() {
        labels.insert(key.to_string(), value.into());
    }
}

/// Adds `finalizer` to `metadata.finalizers` unless it is there.
pub(crate) fn add_finalizer(object: &mut Value, finalizer: &str) {
    let Some(meta) = metadata_mut(object) else {
        return;
    };
    let finalizers = meta
        .entry("finalizers")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !finalizers.is_array() {
        *finalizers = Value::Array(Vec::new());
    }
    if let Some(list) = finalizers.as_array_mut()
        && !list.iter().any(|f| f == finalizer)
    {
        list.push(finalizer.into());
    }
}

/// Manages a policy's permanent-id label as Karmada's webhooks do.
///
/// * create: a fresh UUID, replacing any id the client sent (so a copied policy never shares its
///   original's id);
/// * update: the id may not change; an update that omits the label keeps the stored id (Karmada
///   refuses such an update instead), and a stored object without one gets a fresh id.
pub(crate) fn permanent_id(
    object: &mut Value,
    old: Option<&Value>,
    key: &str,
) -> Result<(), FieldError> {
    let stored = old.and_then(|old| label(old, key)).map(str::to_owned);
    match (old, stored, label(object, key)) {
        (None, _, _) | (Some(_), None, None) => {
            set_label(object, key, &uuid::Uuid::new_v4().to_string());
        }
        (Some(_), Some(stored), None) => set_label(object, key, &stored),
        (Some(_), Some(stored), Some(sent)) if stored != sent => {
            return Err(FieldError::forbidden(
                FieldPath::new("metadata").child("labels").key(key),
                &format!(
                    "label {key} is immutable, it can only be set by the system during creation"
                ),
            ));
        }
        (Some(_), _, Some(_)) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy::v1alpha1::PropagationSpec;

    const KEY: &str = "propagationpolicy.karmada.io/permanent-id";

    #[test]
    fn decode_errors_name_the_offending_field() {
        let object = json!({"spec": {"resourceSelectors": [{"apiVersion": "v1"}]}});
        let error = decode_field::<PropagationSpec>(&object, "spec").unwrap_err();
        assert_eq!(error.field, "spec.resourceSelectors[0].kind");
        assert_eq!(error.detail, "Required value");

        let object = json!({"spec": {"resourceSelectors": [], "conflictResolution": "Merge"}});
        let error = decode_field::<PropagationSpec>(&object, "spec").unwrap_err();
        assert_eq!(error.field, "spec.conflictResolution");
        assert_eq!(
            error.detail,
            "Unsupported value: \"Merge\": supported values: \"Abort\", \"Overwrite\""
        );

        let object = json!({"spec": {"resourceSelectors": [], "priority": "high"}});
        let error = decode_field::<PropagationSpec>(&object, "spec").unwrap_err();
        assert_eq!(error.field, "spec.priority");
        assert!(
            error
                .detail
                .starts_with("Invalid value: \"high\": invalid type"),
            "{}",
            error.detail
        );

        let error = decode_field::<PropagationSpec>(&json!({}), "spec").unwrap_err();
        assert_eq!(
            (error.field.as_str(), error.detail.as_str()),
            ("spec", "Required value")
        );
    }

    #[test]
    fn create_replaces_any_permanent_id_with_a_fresh_one() {
        let mut object = json!({"metadata": {"labels": {KEY: "copied"}}});
        permanent_id(&mut object, None, KEY).unwrap();
        let id = label(&object, KEY).unwrap();
        assert_ne!(id, "copied");
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 4);

        let mut bare = json!({"metadata": {"name": "p"}});
        permanent_id(&mut bare, None, KEY).unwrap();
        assert!(label(&bare, KEY).is_some());
    }

    #[test]
    fn update_keeps_the_stored_permanent_id() {
        let old = json!({"metadata": {"labels": {KEY: "id-1"}}});
        let mut omitted = json!({"metadata": {"labels": {"app": "x"}}});
        permanent_id(&mut omitted, Some(&old), KEY).unwrap();
        assert_eq!(label(&omitted, KEY), Some("id-1"));
        assert_eq!(label(&omitted, "app"), Some("x"));

        let mut same = old.clone();
        assert!(permanent_id(&mut same, Some(&old), KEY).is_ok());

        let mut changed = json!({"metadata": {"labels": {KEY: "id-2"}}});
        let error = permanent_id(&mut changed, Some(&old), KEY).unwrap_err();
        assert_eq!(
            error.field,
            "metadata.labels[propagationpolicy.karmada.io/permanent-id]"
        );
        assert_eq!(
            error.detail,
            "Forbidden: label propagationpolicy.karmada.io/permanent-id is immutable, it can only be set by the system during creation"
        );

        let mut legacy = json!({"metadata": {}});
        permanent_id(&mut legacy, Some(&json!({"metadata": {}})), KEY).unwrap();
        assert!(label(&legacy, KEY).is_some());
    }

    #[test]
    fn finalizer_is_added_once() {
        let mut object = json!({"metadata": {"finalizers": ["other"]}});
        add_finalizer(&mut object, "karmada.io/propagation-policy-controller");
        add_finalizer(&mut object, "karmada.io/propagation-policy-controller");
        assert_eq!(
            object["metadata"]["finalizers"],
            json!(["other", "karmada.io/propagation-policy-controller"])
        );
    }
}
