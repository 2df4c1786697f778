//! `meta.k8s.io/v1` Table output (what `kubectl get` prints).

use serde_json::{Value, json};

use crate::registry::ResourceInfo;

/// A human age as kubectl shows it: `45s`, `12m`, `5h`, `3d`, `2y`.
pub fn age(created: Option<&str>) -> String {
    let Some(created) = created.and_then(|c| c.parse::<jiff::Timestamp>().ok()) else {
        return "<unknown>".into();
    };
    let seconds = (jiff::Timestamp::now().as_second() - created.as_second()).max(0);
    match seconds {
        s if s < 120 => format!("{s}s"),
        s if s < 60 * 60 => format!("{}m", s / 60),
        s if s < 2 * 24 * 3600 => format!("{}h", s / 3600),
        s if s < 365 * 24 * 3600 => format!("{}d", s / 86400),
        s => format!("{}y", s / (365 * 86400)),
    }
}

fn column(name: &str, kind: &str, format: &str, description: &str) -> Value {
    json!({"name": name, "type": kind, "format": format, "description": description, "priority": 0})
}

fn partial_metadata(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// The Table for `objects` of one resource, with `metadata` (resourceVersion, continue) of the list.
pub fn table(_info: &ResourceInfo, objects: &[Value], metadata: Value) -> Value {
    let columns = vec![
        column(
            "Name",
            "string",
            "name",
            "Name must be unique within a namespace.",
        ),
        column(
            "Age",
            "string",
            "",
            "CreationTimestamp is a timestamp representing the server time when this object was created.",
        ),
    ];
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| {
            let name = object
                .pointer("/metadata/name")
                .cloned()
                .unwrap_or(Value::Null);
            let created = object
                .pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str);
            json!({"cells": [name, age(created)], "object": partial_metadata(object)})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns,
        "rows": rows,
    })
}
