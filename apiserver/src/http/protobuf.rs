//! Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON form this server keeps.
//!
//! kubectl 1.32 and later send the objects of its typed `create` generators (configmap, secret,
//! deployment, namespace, service, ...) and `auth can-i` reviews as protobuf, and it does not retry
//! with JSON after a 415. A body is the prefix `k8s\0` and a `runtime.Unknown` envelope
//! (`typeMeta{apiVersion, kind}`, `raw`, `contentEncoding`, `contentType`) around the typed message.
//!
//! Decoding is schema-driven: a field table per message (see `schema`) gives each field's JSON name,
//! type and Go `encoding/json` behaviour, so the result is the JSON kube-apiserver would write for the
//! decoded Go object: camelCase names, zero values dropped where Go drops them, `[]byte` as base64,
//! int-or-string as a number or string, quantities as strings, timestamps as RFC 3339.
//!
//! What it is not: an encoder (replies stay JSON), or a decoder for every kind. A kind without a
//! table, or a field this server does not know carrying a value, is a 415 naming it, so nothing is
//! silently dropped; the client can send JSON instead. Unknown fields holding only a zero value are
//! skipped, since Go writes every non-pointer field and newer clients add fields.
//!
//! Why not the `k8s-pb` crate: its prost types have no JSON form (no serde, no conversion to
//! k8s-openapi), so every one of the ~250 messages would need a hand-written conversion, and it
//! would add prost and 2.9 MB of generated code to the build. A field table is less to keep right.

mod apps_v1;
mod authorization_v1;
mod batch_v1;
mod coordination_v1;
mod core_v1;
mod meta_v1;
mod networking_v1;
mod policy_v1;
mod rbac_v1;
mod schema;
#[cfg(test)]
mod tests;
mod wire;

use std::borrow::Cow;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};

use crate::status::ApiError;
use schema::Presence::Optional;
use schema::Ty::{I32, I64, Str};
use schema::{Message, Presence, Shape, Ty, field};

/// The media type of Kubernetes protobuf bodies.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The four bytes every Kubernetes protobuf body starts with.
const PREFIX: &[u8; 4] = b"k8s\0";

/// The kinds this server decodes from protobuf: every built-in kind a kubectl generator creates, the
/// workloads around a pod template, and the authorization reviews of `kubectl auth can-i`. Plus
/// `DeleteOptions` under any group version (see [`schema_for`]).
static KINDS: &[(&str, &str, &Message)] = &[
    ("v1", "ConfigMap", &core_v1::CONFIG_MAP),
    ("v1", "Event", &core_v1::EVENT),
    ("v1", "LimitRange", &core_v1::LIMIT_RANGE),
    ("v1", "Namespace", &core_v1::NAMESPACE),
    (
        "v1",
        "PersistentVolumeClaim",
        &core_v1::PERSISTENT_VOLUME_CLAIM,
    ),
    ("v1", "Pod", &core_v1::POD),
    ("v1", "ResourceQuota", &core_v1::RESOURCE_QUOTA),
    ("v1", "Secret", &core_v1::SECRET),
    ("v1", "Service", &core_v1::SERVICE),
    ("v1", "ServiceAccount", &core_v1::SERVICE_ACCOUNT),
    ("apps/v1", "DaemonSet", &apps_v1::DAEMON_SET),
    ("apps/v1", "Deployment", &apps_v1::DEPLOYMENT),
    ("apps/v1", "ReplicaSet", &apps_v1::REPLICA_SET),
    ("apps/v1", "StatefulSet", &apps_v1::STATEFUL_SET),
    ("batch/v1", "CronJob", &batch_v1::CRON_JOB),
    ("batch/v1", "Job", &batch_v1::JOB),
    (
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        &authorization_v1::SELF_SUBJECT_ACCESS_REVIEW,
    ),
    (
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        &authorization_v1::SELF_SUBJECT_RULES_REVIEW,
    ),
    ("coordination.k8s.io/v1", "Lease", &coordination_v1::LEASE),
    ("networking.k8s.io/v1", "Ingress", &networking_v1::INGRESS),
    (
        "networking.k8s.io/v1",
        "NetworkPolicy",
        &networking_v1::NETWORK_POLICY,
    ),
    (
        "policy/v1",
        "PodDisruptionBudget",
        &policy_v1::POD_DISRUPTION_BUDGET,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        &rbac_v1::CLUSTER_ROLE,
    ),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        &rbac_v1::CLUSTER_ROLE_BINDING,
    ),
    ("rbac.authorization.k8s.io/v1", "Role", &rbac_v1::ROLE),
    (
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        &rbac_v1::ROLE_BINDING,
    ),
];

/// Decodes a Kubernetes protobuf body into the object's JSON form, `apiVersion` and `kind` included.
///
/// # Errors
///
/// `400 BadRequest` when the body is not valid protobuf for its kind; `415 UnsupportedMediaType`
/// when the kind, an encoding, or a field carrying a value is not supported by this server.
pub fn decode(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    decode_body(body).map_err(ApiError::from)
}

/// Why a protobuf body could not be decoded.
#[derive(Debug, thiserror::Error)]
enum DecodeError {
    #[error("the body does not start with the Kubernetes protobuf prefix \"k8s\\x00\"")]
    MissingPrefix,
    #[error("the protobuf envelope names no apiVersion and kind")]
    MissingTypeMeta,
    #[error("protobuf bodies with content encoding {0:?} are not supported")]
    ContentEncoding(String),
    #[error("the protobuf envelope wraps content type {0:?}; only {MEDIA_TYPE} is supported")]
    ContentType(String),
    #[error(
        "this server cannot decode {api_version}, Kind={kind} from protobuf; send it as JSON or YAML"
    )]
    UnsupportedKind { api_version: String, kind: String },
    #[error(
        "{message} field {number} is not known to this server; send the object as JSON or YAML"
    )]
    UnknownField { message: &'static str, number: u32 },
    #[error("{message}: {detail}")]
    Malformed {
        message: &'static str,
        detail: String,
    },
}

impl DecodeError {
    fn malformed(message: &'static str, detail: impl std::fmt::Display) -> Self {
        DecodeError::Malformed {
            message,
            detail: detail.to_string(),
        }
    }
}

impl From<DecodeError> for ApiError {
    fn from(error: DecodeError) -> Self {
        match error {
            DecodeError::ContentEncoding(_)
            | DecodeError::ContentType(_)
            | DecodeError::UnsupportedKind { .. }
            | DecodeError::UnknownField { .. } => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                error.to_string(),
            ),
            DecodeError::MissingPrefix
            | DecodeError::MissingTypeMeta
            | DecodeError::Malformed { .. } => {
                ApiError::bad_request(format!("the protobuf request body is invalid: {error}"))
            }
        }
    }
}

fn decode_body(body: &[u8]) -> Result<Map<String, Value>, DecodeError> {
    let envelope = body
        .strip_prefix(PREFIX)
        .ok_or(DecodeError::MissingPrefix)?;
    let envelope = Envelope::parse(envelope)?;
    if !envelope.content_encoding.is_empty() {
        return Err(DecodeError::ContentEncoding(envelope.content_encoding));
    }
    if !envelope.content_type.is_empty() && envelope.content_type != MEDIA_TYPE {
        return Err(DecodeError::ContentType(envelope.content_type));
    }
    if envelope.api_version.is_empty() || envelope.kind.is_empty() {
        return Err(DecodeError::MissingTypeMeta);
    }
    let Some(message) = schema_for(&envelope.api_version, &envelope.kind) else {
        return Err(DecodeError::UnsupportedKind {
            api_version: envelope.api_version,
            kind: envelope.kind,
        });
    };
    let mut object = Map::new();
    object.insert("apiVersion".into(), Value::String(envelope.api_version));
    object.insert("kind".into(), Value::String(envelope.kind));
    decode_message(message, envelope.raw, &mut object)?;
    Ok(object)
}

/// The field table of a kind. `DeleteOptions` is registered in every group version, so clients
/// send it under the version of the resource they delete.
fn schema_for(api_version: &str, kind: &str) -> Option<&'static Message> {
    if kind == "DeleteOptions" {
        return Some(&meta_v1::DELETE_OPTIONS);
    }
    KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map(|(_, _, message)| *message)
}

/// The envelope around every protobuf body, and its `typeMeta`; both are read by hand.
const UNKNOWN: &str = "runtime.Unknown";
const TYPE_META: &str = "runtime.TypeMeta";

#[derive(Default)]
struct Envelope<'a> {
    api_version: String,
    kind: String,
    raw: &'a [u8],
    content_encoding: String,
    content_type: String,
}

impl<'a> Envelope<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut envelope = Envelope::default();
        for item in wire::fields(bytes) {
            let (number, value) = item.map_err(|e| DecodeError::malformed(UNKNOWN, e))?;
            match (number, value) {
                (1, wire::Value::Bytes(type_meta)) => {
                    for item in wire::fields(type_meta) {
                        let (number, value) =
                            item.map_err(|e| DecodeError::malformed(TYPE_META, e))?;
                        match (number, value) {
                            (1, wire::Value::Bytes(v)) => envelope.api_version = utf8(v),
                            (2, wire::Value::Bytes(v)) => envelope.kind = utf8(v),
                            _ => unexpected(TYPE_META, number, value, 2)?,
                        }
                    }
                }
                (2, wire::Value::Bytes(raw)) => envelope.raw = raw,
                (3, wire::Value::Bytes(v)) => envelope.content_encoding = utf8(v),
                (4, wire::Value::Bytes(v)) => envelope.content_type = utf8(v),
                _ => unexpected(UNKNOWN, number, value, 4)?,
            }
        }
        Ok(envelope)
    }
}

/// A field of a hand-read message (fields 1..=`known`) that has the wrong wire type or is unknown.
fn unexpected(
    message: &'static str,
    number: u32,
    value: wire::Value<'_>,
    known: u32,
) -> Result<(), DecodeError> {
    if number <= known {
        Err(DecodeError::malformed(
            message,
            format!("field {number} has wire type {}", value.wire_name()),
        ))
    } else if value.is_empty() {
        Ok(())
    } else {
        Err(DecodeError::UnknownField { message, number })
    }
}

/// Go converts protobuf strings without checking them; its JSON encoder then writes U+FFFD for
/// invalid bytes. Doing the same keeps the result what kube-apiserver would store.
fn utf8(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What has been read for one field of a message so far.
enum Slot<'a> {
    Absent,
    /// The last value of a scalar field.
    Scalar(wire::Value<'a>),
    /// The bytes of a message-typed field. Protobuf merges repeated occurrences of a singular
    /// message field, which is the same as decoding their concatenation.
    Message(Cow<'a, [u8]>),
    List(Vec<Value>),
    Map(Map<String, Value>),
}

/// Decodes one message into `out`, following its field table.
fn decode_message(
    message: &'static Message,
    bytes: &[u8],
    out: &mut Map<String, Value>,
) -> Result<(), DecodeError> {
    let mut slots: Vec<Slot<'_>> = message
        .fields
        .iter()
        .map(|field| match field.shape {
            Shape::List => Slot::List(Vec::new()),
            Shape::Map => Slot::Map(Map::new()),
            Shape::Single | Shape::Inline => Slot::Absent,
        })
        .collect();
    for item in wire::fields(bytes) {
        let (number, value) = item.map_err(|e| DecodeError::malformed(message.name, e))?;
        let Some(index) = message.fields.iter().position(|f| f.number == number) else {
            if value.is_empty() {
                continue;
            }
            return Err(DecodeError::UnknownField {
                message: message.name,
                number,
            });
        };
        let field = &message.fields[index];
        let wrong_wire_type = || {
            DecodeError::malformed(
                message.name,
                format!(
                    "field {number} {:?} has wire type {}",
                    field.json,
                    value.wire_name()
                ),
            )
        };
        match (field.shape, &mut slots[index]) {
            (Shape::Single | Shape::Inline, slot) => match (field.ty.is_struct(), value) {
                (true, wire::Value::Bytes(bytes)) => {
                    *slot = match std::mem::replace(slot, Slot::Absent) {
                        Slot::Message(before) => {
                            Slot::Message(Cow::Owned([&before[..], bytes].concat()))
                        }
                        _ => Slot::Message(Cow::Borrowed(bytes)),
                    };
                }
                (false, _) if value_fits(field.ty, value) => *slot = Slot::Scalar(value),
                _ => return Err(wrong_wire_type()),
            },
            (Shape::List, Slot::List(items)) => match value {
                // Packed repeated numbers: a run of varints in one length-delimited value.
                wire::Value::Bytes(mut packed)
                    if matches!(field.ty, Ty::Bool | Ty::I32 | Ty::I64) =>
                {
                    while !packed.is_empty() {
                        let v = wire::read_varint(&mut packed)
                            .map_err(|e| DecodeError::malformed(message.name, e))?;
                        items.push(to_json(field.ty, wire::Value::Varint(v))?);
                    }
                }
                _ if value_fits(field.ty, value) => items.push(to_json(field.ty, value)?),
                _ => return Err(wrong_wire_type()),
            },
            (Shape::Map, Slot::Map(entries)) => {
                let wire::Value::Bytes(entry) = value else {
                    return Err(wrong_wire_type());
                };
                let (key, value) = map_entry(message, field.ty, entry)?;
                entries.insert(key, value);
            }
            (Shape::List | Shape::Map, _) => unreachable!("list and map slots start as such"),
        }
    }

    for (field, slot) in message.fields.iter().zip(slots) {
        match field.shape {
            Shape::Inline => {
                let Ty::Msg(inner) = field.ty else {
                    unreachable!("only structs are inlined")
                };
                let bytes = match &slot {
                    Slot::Message(bytes) => bytes.as_ref(),
                    _ => &[],
                };
                decode_message(inner, bytes, out)?;
            }
            Shape::List | Shape::Map => {
                let value = match slot {
                    Slot::List(items) => Value::Array(items),
                    Slot::Map(entries) => Value::Object(entries),
                    _ => Value::Null,
                };
                let empty = match &value {
                    Value::Array(items) => items.is_empty(),
                    Value::Object(entries) => entries.is_empty(),
                    _ => true,
                };
                if !empty {
                    out.insert(field.json.into(), value);
                } else if field.presence == Presence::Nullable {
                    out.insert(field.json.into(), Value::Null);
                }
            }
            Shape::Single => {
                let value = match slot {
                    Slot::Absent => None,
                    Slot::Scalar(value) => Some(to_json(field.ty, value)?),
                    Slot::Message(bytes) => Some(structured(field.ty, &bytes)?),
                    Slot::List(_) | Slot::Map(_) => unreachable!("single fields hold one value"),
                };
                let value = match (field.presence, value) {
                    (Presence::Optional, None) => continue,
                    (Presence::Nullable, None) => Value::Null,
                    (Presence::Optional | Presence::Nullable | Presence::Always, Some(v)) => v,
                    (Presence::Always, None) => zero(field.ty)?,
                    (Presence::OmitEmpty, value) => {
                        let value = value.map_or_else(|| zero(field.ty), Ok)?;
                        if !field.ty.is_struct() && is_empty_scalar(&value) {
                            continue;
                        }
                        value
                    }
                };
                out.insert(field.json.into(), value);
            }
        }
    }
    Ok(())
}

/// Whether a scalar field's wire value has the wire type of its type.
fn value_fits(ty: Ty, value: wire::Value<'_>) -> bool {
    match value {
        wire::Value::Varint(_) => matches!(ty, Ty::Bool | Ty::I32 | Ty::I64),
        wire::Value::Bytes(_) => !matches!(ty, Ty::Bool | Ty::I32 | Ty::I64),
        wire::Value::Fixed64(_) | wire::Value::Fixed32(_) => false,
    }
}

/// The JSON for one value whose wire type [`value_fits`] its type.
fn to_json(ty: Ty, value: wire::Value<'_>) -> Result<Value, DecodeError> {
    Ok(match (ty, value) {
        (Ty::Bool, wire::Value::Varint(v)) => Value::Bool(v != 0),
        // Go keeps the low 32 bits, so negative int32 values (sign-extended to 64) come back.
        (Ty::I32, wire::Value::Varint(v)) => Value::from(v as u32 as i32),
        (Ty::I64, wire::Value::Varint(v)) => Value::from(v as i64),
        (Ty::Str, wire::Value::Bytes(b)) => Value::String(utf8(b)),
        (Ty::Bytes, wire::Value::Bytes(b)) => Value::String(BASE64.encode(b)),
        (ty, wire::Value::Bytes(b)) if ty.is_struct() => structured(ty, b)?,
        (ty, value) => {
            return Err(DecodeError::malformed(
                "value",
                format!("a {ty:?} cannot be read from a {} value", value.wire_name()),
            ));
        }
    })
}

/// The JSON Go writes for the zero value of a type.
fn zero(ty: Ty) -> Result<Value, DecodeError> {
    Ok(match ty {
        Ty::Str => Value::String(String::new()),
        Ty::Bool => Value::Bool(false),
        Ty::I32 | Ty::I64 => Value::from(0),
        // A nil []byte.
        Ty::Bytes => Value::Null,
        _ => structured(ty, &[])?,
    })
}

/// What `omitempty` drops: "", 0, false and nil.
fn is_empty_scalar(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_i64() == Some(0),
        Value::String(s) => s.is_empty(),
        Value::Array(_) | Value::Object(_) => false,
    }
}

/// Decodes a message-typed value: a table-driven struct or one of the types with their own JSON form.
fn structured(ty: Ty, bytes: &[u8]) -> Result<Value, DecodeError> {
    match ty {
        Ty::Msg(message) => {
            let mut object = Map::new();
            decode_message(message, bytes, &mut object)?;
            Ok(Value::Object(object))
        }
        // Go writes a zero time as no bytes at all, and reads no bytes back as the zero time.
        Ty::Time | Ty::MicroTime if bytes.is_empty() => Ok(Value::Null),
        Ty::Time | Ty::MicroTime => {
            let fields = plain_fields(&TIMESTAMP, bytes)?;
            let number = |name: &str| fields.get(name).and_then(Value::as_i64).unwrap_or(0);
            // metav1.Time keeps whole seconds only.
            let nanos = if matches!(ty, Ty::MicroTime) {
                number("nanos")
            } else {
                0
            };
            timestamp(number("seconds"), nanos, matches!(ty, Ty::MicroTime))
        }
        Ty::IntOrString => {
            let fields = plain_fields(&INT_OR_STRING, bytes)?;
            let field = |name: &str| fields.get(name).cloned();
            match fields.get("type").and_then(Value::as_i64).unwrap_or(0) {
                0 => Ok(field("intVal").unwrap_or(Value::from(0))),
                1 => Ok(field("strVal").unwrap_or(Value::String(String::new()))),
                other => Err(DecodeError::malformed(
                    INT_OR_STRING.name,
                    format!("type {other} is neither 0 (int) nor 1 (string)"),
                )),
            }
        }
        Ty::Quantity => {
            // The zero Quantity is written as "0". The string is kept as sent: Go clients send
            // the canonical form already.
            let fields = plain_fields(&QUANTITY, bytes)?;
            Ok(fields
                .get("string")
                .cloned()
                .unwrap_or_else(|| Value::String("0".into())))
        }
        Ty::RawJson => {
            let mut raw = None;
            for item in wire::fields(bytes) {
                let (number, value) = item.map_err(|e| DecodeError::malformed(RAW, e))?;
                match (number, value) {
                    (1, wire::Value::Bytes(bytes)) => raw = Some(bytes),
                    _ => unexpected(RAW, number, value, 1)?,
                }
            }
            // A nil raw value is written as null.
            let Some(raw) = raw.filter(|raw| !raw.is_empty()) else {
                return Ok(Value::Null);
            };
            serde_json::from_slice(raw)
                .map_err(|e| DecodeError::malformed(RAW, format!("raw is not JSON: {e}")))
        }
        Ty::Str | Ty::Bool | Ty::I32 | Ty::I64 | Ty::Bytes => Err(DecodeError::malformed(
            "value",
            format!("a {ty:?} is not a message"),
        )),
    }
}

/// Decodes one of the small wrapper messages below, keeping only the fields present on the wire.
fn plain_fields(
    message: &'static Message,
    bytes: &[u8],
) -> Result<Map<String, Value>, DecodeError> {
    let mut object = Map::new();
    decode_message(message, bytes, &mut object)?;
    Ok(object)
}

/// `google.protobuf.Timestamp`, the wire form of `metav1.Time` and `metav1.MicroTime`.
static TIMESTAMP: Message = schema::message! { "meta/v1 Timestamp" {
    field(1, "seconds", I64, Optional),
    field(2, "nanos", I32, Optional),
}};

static INT_OR_STRING: Message = schema::message! { "intstr IntOrString" {
    field(1, "type", I64, Optional),
    field(2, "intVal", I32, Optional),
    field(3, "strVal", Str, Optional),
}};

static QUANTITY: Message = schema::message! { "resource Quantity" {
    field(1, "string", Str, Optional),
}};

/// `metav1.FieldsV1` and `runtime.RawExtension`: one bytes field (1) holding JSON, read by hand.
const RAW: &str = "meta/v1 FieldsV1";

/// Seconds since 1970 (Go's zero time, year 1, means "unset") as Go's `Time` or `MicroTime` JSON.
fn timestamp(seconds: i64, nanos: i64, micro: bool) -> Result<Value, DecodeError> {
    const GO_ZERO_TIME: i64 = -62_135_596_800;
    // Go normalizes nanoseconds outside [0, 1e9) into the seconds.
    let seconds = seconds.checked_add(nanos.div_euclid(1_000_000_000));
    let nanos = nanos.rem_euclid(1_000_000_000);
    let out_of_range = || DecodeError::malformed(TIMESTAMP.name, "the time is out of range");
    let seconds = seconds.ok_or_else(out_of_range)?;
    if seconds == GO_ZERO_TIME && nanos == 0 {
        return Ok(Value::Null);
    }
    // Go's JSON encoder refuses years outside 0..=9999: 0000-01-01 up to 10000-01-01.
    if !(-62_167_219_200..253_402_300_800).contains(&seconds) {
        return Err(out_of_range());
    }
    let time = jiff::Timestamp::from_second(seconds).map_err(|_| out_of_range())?;
    let mut text = time.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    if micro {
        text.push_str(&format!(".{:06}", nanos / 1000));
    }
    text.push('Z');
    Ok(Value::String(text))
}

/// Reads one `map<string, V>` entry (key = 1, value = 2).
fn map_entry(
    message: &'static Message,
    ty: Ty,
    entry: &[u8],
) -> Result<(String, Value), DecodeError> {
    let mut key = String::new();
    let mut value = None;
    for item in wire::fields(entry) {
        let (number, v) = item.map_err(|e| DecodeError::malformed(message.name, e))?;
        match (number, v) {
            (1, wire::Value::Bytes(k)) => key = utf8(k),
            (2, v) if ty.is_struct() => match v {
                wire::Value::Bytes(b) => value = Some(structured(ty, b)?),
                _ => {
                    return Err(DecodeError::malformed(
                        message.name,
                        format!("a map value has wire type {}", v.wire_name()),
                    ));
                }
            },
            (2, v) if value_fits(ty, v) => value = Some(to_json(ty, v)?),
            (1 | 2, v) => {
                return Err(DecodeError::malformed(
                    message.name,
                    format!("map entry field {number} has wire type {}", v.wire_name()),
                ));
            }
            (_, v) if v.is_empty() => {}
            _ => {
                return Err(DecodeError::UnknownField {
                    message: message.name,
                    number,
                });
            }
        }
    }
    let value = match value {
        Some(value) => value,
        // Go's map decoding starts from an empty, non-nil value.
        None if matches!(ty, Ty::Bytes) => Value::String(String::new()),
        None => zero(ty)?,
    };
    Ok((key, value))
}
