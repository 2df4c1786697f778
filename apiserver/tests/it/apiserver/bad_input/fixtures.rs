//! The objects the bad requests aim at, and protobuf bytes built by hand.

use serde_json::{Value, json};

pub(super) fn config_map(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}})
}

pub(super) fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    })
}

pub(super) fn widget(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec})
}

/// A CRD whose schema the widget cases violate.
pub(super) fn widgets_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "blue"]},
                        "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
                        "label": {"type": "string", "maxLength": 5, "pattern": "^[a-z]+$"},
                        "nested": {"type": "object", "properties": {"x": {"type": "integer"}}},
                    }},
                }}},
            }],
        },
    })
}

/// A valid CRD for `gadgets.example.com`, changed by `mutate` into an invalid one.
pub(super) fn gadgets_crd(mutate: impl FnOnce(&mut Value)) -> Value {
    let mut crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "schema": {"openAPIV3Schema": {"type": "object"}}}],
        },
    });
    mutate(&mut crd);
    crd
}

/// A length-delimited protobuf field.
pub(super) fn pb_field(number: u8, bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 128, "one-byte lengths only");
    let mut out = vec![(number << 3) | 2, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

/// kube's protobuf envelope: `k8s\0` + runtime.Unknown{typeMeta, raw}.
pub(super) fn pb_envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
    let type_meta = [
        pb_field(1, api_version.as_bytes()),
        pb_field(2, kind.as_bytes()),
    ]
    .concat();
    let mut out = b"k8s\0".to_vec();
    out.extend(pb_field(1, &type_meta));
    out.extend(pb_field(2, raw));
    out
}

/// A ConfigMap message with just metadata.name.
pub(super) fn pb_config_map(name: &str) -> Vec<u8> {
    pb_field(1, &pb_field(1, name.as_bytes()))
}
