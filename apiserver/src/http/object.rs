//! Object bookkeeping shared by every write: decoding bodies, checking type and identity, and the
//! metadata the server owns (uid, creationTimestamp, generation, resourceVersion).

use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::registry::ResourceInfo;
use crate::status::ApiError;
use crate::storage::{KeyValue, Revision};

/// The current time as Kubernetes writes timestamps (RFC 3339, seconds, UTC).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The media type of a request body, lower-cased and without parameters.
pub fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "application/json".to_string())
}

/// Decodes a JSON, YAML or Kubernetes protobuf object body.
pub fn decode_object(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let media = content_type(headers);
    let value: Value = match media.as_str() {
        "application/json" | "" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the request body is not valid JSON: {e}"))
        })?,
        "application/yaml" | "application/x-yaml" | "text/yaml" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("the request body is not valid UTF-8"))?;
            serde_saphyr::from_str(text).map_err(|e| {
                ApiError::bad_request(format!("the request body is not valid YAML: {e}"))
            })?
        }
        super::protobuf::MEDIA_TYPE => return super::protobuf::decode(body),
        other => {
            return Err(ApiError::unsupported_media_type(other).with_details(json!({
                "causes": [{"message": "accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"}]
            })));
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request(
            "the request body must be a JSON or YAML object",
        )),
    }
}

/// `422 Invalid` naming one bad field, in kube-apiserver's format.
pub fn invalid(info: &ResourceInfo, name: &str, field: &str, detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Invalid",
        format!(
            "{} \"{name}\" is invalid: {field}: {detail}",
            kind_qualified(info)
        ),
    )
    .with_details(json!({
        "name": name,
        "group": info.group,
        "kind": info.kind,
        "causes": [{"reason": "FieldValueInvalid", "message": detail, "field": field}],
    }))
}

/// `422 Invalid` naming every bad field: `Kind.group "name" is invalid: [a: ..., b: ...]`.
pub fn invalid_fields(
    info: &ResourceInfo,
    name: &str,
    errors: &[crate::schema::FieldError],
) -> ApiError {
    let rendered: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.detail))
        .collect();
    let summary = match rendered.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.reason, "message": e.detail, "field": e.field}))
        .collect();
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Invalid",
        format!("{} \"{name}\" is invalid: {summary}", kind_qualified(info)),
    )
    .with_details(json!({"name": name, "group": info.group, "kind": info.kind, "causes": causes}))
}

/// `Deployment.apps`, as kube-apiserver names kinds in Invalid messages.
fn kind_qualified(info: &ResourceInfo) -> String {
    if info.group.is_empty() {
        info.kind.clone()
    } else {
        format!("{}.{}", info.kind, info.group)
    }
}

pub fn not_found(info: &ResourceInfo, name: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{} \"{name}\" not found", info.qualified()),
    )
    .with_details(json!({"name": name, "group": info.group, "kind": info.resource}))
}

pub fn already_exists(info: &ResourceInfo, name: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "AlreadyExists",
        format!("{} \"{name}\" already exists", info.qualified()),
    )
    .with_details(json!({"name": name, "group": info.group, "kind": info.resource}))
}

pub fn conflict(info: &ResourceInfo, name: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "Conflict",
        format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; \
             please apply your changes to the latest version and try again",
            info.qualified()
        ),
    )
    .with_details(json!({"name": name, "group": info.group, "kind": info.resource}))
}

/// Whether `name` is a DNS-1123 subdomain (most kinds) or label (namespaces).
pub fn check_name(info: &ResourceInfo, name: &str) -> Result<(), ApiError> {
    let label_only = info.group.is_empty() && info.resource == "namespaces";
    let max = if label_only { 63 } else { 253 };
    let ok = !name.is_empty()
        && name.len() <= max
        && name.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (c == '.' && !label_only)
        })
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("..")
        && !name.contains(".-")
        && !name.contains("-.");
    if ok {
        Ok(())
    } else {
        let what = if label_only {
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
             and must start and end with an alphanumeric character"
        } else {
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' \
             or '.', and must start and end with an alphanumeric character"
        };
        Err(invalid(
            info,
            name,
            "metadata.name",
            &format!("Invalid value: \"{name}\": {what}"),
        ))
    }
}

/// Checks `apiVersion` and `kind` of a body (filling them in when absent).
pub fn check_type(info: &ResourceInfo, object: &mut Map<String, Value>) -> Result<(), ApiError> {
    let expected_version = info.api_version();
    match object.get("apiVersion") {
        None | Some(Value::Null) => {
            object.insert("apiVersion".into(), expected_version.clone().into());
        }
        Some(Value::String(v)) if *v == expected_version => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({}) does not match the expected API version ({expected_version})",
                other.as_str().unwrap_or("non-string")
            )));
        }
    }
    match object.get("kind") {
        None | Some(Value::Null) => {
            object.insert("kind".into(), info.kind.clone().into());
        }
        Some(Value::String(k)) if *k == info.kind => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({}) does not match the expected kind ({})",
                other.as_str().unwrap_or("non-string"),
                info.kind
            )));
        }
    }
    match object.get("metadata") {
        None | Some(Value::Null) => {
            object.insert("metadata".into(), json!({}));
        }
        Some(Value::Object(_)) => {}
        Some(_) => return Err(ApiError::bad_request("metadata must be an object")),
    }
    Ok(())
}

/// `object.metadata` (which [`check_type`] guarantees is an object).
pub fn metadata(object: &mut Map<String, Value>) -> &mut Map<String, Value> {
    object
        .entry("metadata")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("check_type made metadata an object")
}

pub fn meta_str<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    object.get("metadata")?.get(field)?.as_str()
}

/// Whether the server keeps `metadata.generation` for this kind.
pub fn tracks_generation(info: &ResourceInfo) -> bool {
    info.status_subresource || !is_builtin_group(&info.group)
}

fn is_builtin_group(group: &str) -> bool {
    group.is_empty() || !group.contains('.') || group.ends_with(".k8s.io")
}

/// Everything but metadata and status: what a generation counts changes of.
pub fn spec_part(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    copy
}

/// Sets the server-owned metadata of a new object.
pub fn initialize(info: &ResourceInfo, object: &mut Map<String, Value>) {
    let generation = tracks_generation(info);
    if info.status_subresource {
        object.remove("status");
    }
    let meta = metadata(object);
    meta.insert("uid".into(), uuid::Uuid::new_v4().to_string().into());
    meta.insert("creationTimestamp".into(), now_rfc3339().into());
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    if generation {
        meta.insert("generation".into(), 1.into());
    } else {
        meta.remove("generation");
    }
}

/// Parses a stored value and stamps its `resourceVersion`.
pub fn from_storage(kv: &KeyValue) -> Result<Value, ApiError> {
    let mut object: Value = serde_json::from_slice(&kv.value)
        .map_err(|e| ApiError::internal(format!("stored object {} is not JSON: {e}", kv.key)))?;
    set_resource_version(&mut object, kv.mod_revision);
    Ok(object)
}

pub fn set_resource_version(object: &mut Value, revision: Revision) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert(
            "resourceVersion".into(),
            revision.to_resource_version().into(),
        );
    }
}

/// The bytes stored for an object (without its resourceVersion, which is the storage revision).
pub fn to_storage(object: &Value) -> Bytes {
    let mut copy = object.clone();
    if let Some(meta) = copy.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("resourceVersion");
    }
    Bytes::from(serde_json::to_vec(&copy).expect("a JSON value always serializes"))
}

/// Parses a `resourceVersion` the client sent.
pub fn parse_resource_version(rv: &str) -> Result<Revision, ApiError> {
    rv.parse::<i64>()
        .ok()
        .filter(|r| *r >= 0)
        .map(Revision)
        .ok_or_else(|| ApiError::bad_request(format!("invalid resource version: {rv:?}")))
}
