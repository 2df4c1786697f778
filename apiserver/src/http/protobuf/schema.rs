//! The shape of a protobuf field table: for each Kubernetes message, its fields' numbers, JSON
//! names, types, and how Go's `encoding/json` writes them when they are zero or absent. The tables
//! themselves live in one module per API group version; they were written from the `json` and
//! `protobuf` struct tags in `k8s.io/api` and `k8s.io/apimachinery` v0.36 (Kubernetes 1.36) and
//! checked against the matching `generated.proto` files.

/// One Kubernetes protobuf message and the fields this server decodes.
pub(super) struct Message {
    /// `group/version Kind`, used in error messages (`apps/v1 DeploymentSpec`).
    pub name: &'static str,
    /// Ordered by field number.
    pub fields: &'static [Field],
}

/// Shows the name only: tables are large and refer to each other.
impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

pub(super) struct Field {
    pub number: u32,
    /// The JSON name; empty for an inlined struct.
    pub json: &'static str,
    /// The type of the value, or of each element or map value.
    pub ty: Ty,
    pub shape: Shape,
    pub presence: Presence,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Ty {
    Str,
    Bool,
    I32,
    I64,
    /// `[]byte`: base64 in JSON.
    Bytes,
    /// `metav1.Time`: RFC 3339 with seconds, `null` when zero.
    Time,
    /// `metav1.MicroTime`: RFC 3339 with microseconds, `null` when zero.
    MicroTime,
    /// `intstr.IntOrString`: a JSON number or string.
    IntOrString,
    /// `resource.Quantity`: its string form.
    Quantity,
    /// `metav1.FieldsV1` and `runtime.RawExtension`: JSON bytes written as they are.
    RawJson,
    Msg(&'static Message),
}

impl Ty {
    /// Whether Go writes this type as a struct, which `omitempty` never drops.
    pub fn is_struct(self) -> bool {
        !matches!(self, Ty::Str | Ty::Bool | Ty::I32 | Ty::I64 | Ty::Bytes)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    Single,
    /// A Go slice: a repeated field.
    List,
    /// A Go map with string keys: repeated key/value entries.
    Map,
    /// An embedded struct (`json:",inline"`) whose fields join the parent object.
    Inline,
}

/// What Go's `encoding/json` writes for a field, which is what kube-apiserver would return for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Presence {
    /// A value with `omitempty`: dropped when zero; structs are never dropped.
    OmitEmpty,
    /// A value without `omitempty`: always written, as the zero value when absent.
    Always,
    /// A pointer with `omitempty`: written exactly when it is on the wire.
    Optional,
    /// A pointer, slice or map without `omitempty`: `null` when absent or empty.
    Nullable,
}

pub(super) const fn field(number: u32, json: &'static str, ty: Ty, presence: Presence) -> Field {
    Field {
        number,
        json,
        ty,
        shape: Shape::Single,
        presence,
    }
}

pub(super) const fn list(number: u32, json: &'static str, ty: Ty, presence: Presence) -> Field {
    Field {
        number,
        json,
        ty,
        shape: Shape::List,
        presence,
    }
}

pub(super) const fn map(number: u32, json: &'static str, ty: Ty, presence: Presence) -> Field {
    Field {
        number,
        json,
        ty,
        shape: Shape::Map,
        presence,
    }
}

pub(super) const fn inline(number: u32, ty: Ty) -> Field {
    Field {
        number,
        json: "",
        ty,
        shape: Shape::Inline,
        presence: Presence::Always,
    }
}

/// `message! { "core/v1 ConfigMap" { field(..), .. } }` builds a [`Message`]; brace-delimited so
/// rustfmt leaves the one-field-per-line tables alone.
macro_rules! message {
    ($name:literal { $($field:expr),* $(,)? }) => {
        Message { name: $name, fields: &[$($field),*] }
    };
}
pub(super) use message;
