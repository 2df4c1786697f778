//! Hand-written OpenAPI fragments for fields whose Rust type does not describe Karmada's schema on
//! its own: apiextensions `JSON` values, quantity maps and Go `int`s.

use schemars::{Schema, SchemaGenerator, json_schema};

/// The pattern kube-apiserver's CRD schemas give a `resource.Quantity`.
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// Any JSON value, kept as it is (apiextensions `JSON`).
pub fn preserve_unknown_fields(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
}

/// A `corev1.ResourceList`: resource name → quantity (an integer or a quantity string).
pub fn resource_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": {
            "anyOf": [{ "type": "integer" }, { "type": "string" }],
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": true,
        },
    })
}

/// A Go `int`: an integer without a declared width.
pub fn integer(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer" })
}

/// A list of strings.
pub fn string_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "array", "items": { "type": "string" } })
}
