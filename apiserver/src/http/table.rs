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

fn int_at(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn str_at(object: &Value, pointer: &str) -> String {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn count_at(object: &Value, pointer: &str) -> i64 {
    match object.pointer(pointer) {
        Some(Value::Object(map)) => map.len() as i64,
        Some(Value::Array(items)) => items.len() as i64,
        _ => 0,
    }
}

type Cell = fn(&Value) -> Value;

/// Built-in kinds' columns after NAME, as kubectl prints them (AGE is appended for all).
fn builtin_columns(resource: &str) -> Vec<(&'static str, &'static str, Cell)> {
    match resource {
        "deployments" => vec![
            ("Ready", "string", |o| {
                format!(
                    "{}/{}",
                    int_at(o, "/status/readyReplicas"),
                    o.pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                )
                .into()
            }),
            ("Up-to-date", "integer", |o| {
                int_at(o, "/status/updatedReplicas").into()
            }),
            ("Available", "integer", |o| {
                int_at(o, "/status/availableReplicas").into()
            }),
        ],
        "statefulsets" => vec![("Ready", "string", |o| {
            format!(
                "{}/{}",
                int_at(o, "/status/readyReplicas"),
                o.pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
            )
            .into()
        })],
        "replicasets" => vec![
            ("Desired", "integer", |o| {
                o.pointer("/spec/replicas")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
                    .into()
            }),
            ("Current", "integer", |o| {
                int_at(o, "/status/replicas").into()
            }),
            ("Ready", "integer", |o| {
                int_at(o, "/status/readyReplicas").into()
            }),
        ],
        "daemonsets" => vec![
            ("Desired", "integer", |o| {
                int_at(o, "/status/desiredNumberScheduled").into()
            }),
            ("Current", "integer", |o| {
                int_at(o, "/status/currentNumberScheduled").into()
            }),
            ("Ready", "integer", |o| {
                int_at(o, "/status/numberReady").into()
            }),
            ("Up-to-date", "integer", |o| {
                int_at(o, "/status/updatedNumberScheduled").into()
            }),
            ("Available", "integer", |o| {
                int_at(o, "/status/numberAvailable").into()
            }),
        ],
        "namespaces" => vec![("Status", "string", |o| {
            let phase = str_at(o, "/status/phase");
            if phase.is_empty() {
                "Active".into()
            } else {
                phase.into()
            }
        })],
        "configmaps" => vec![("Data", "integer", |o| {
            (count_at(o, "/data") + count_at(o, "/binaryData")).into()
        })],
        "secrets" => vec![
            ("Type", "string", |o| str_at(o, "/type").into()),
            ("Data", "integer", |o| count_at(o, "/data").into()),
        ],
        "serviceaccounts" => vec![("Secrets", "integer", |o| count_at(o, "/secrets").into())],
        "services" => vec![
            ("Type", "string", |o| {
                let t = str_at(o, "/spec/type");
                if t.is_empty() {
                    "ClusterIP".into()
                } else {
                    t.into()
                }
            }),
            ("Cluster-IP", "string", |o| {
                let ip = str_at(o, "/spec/clusterIP");
                if ip.is_empty() {
                    "<none>".into()
                } else {
                    ip.into()
                }
            }),
            ("Port(s)", "string", |o| {
                let ports: Vec<String> = o
                    .pointer("/spec/ports")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        format!(
                            "{}/{}",
                            int_at(p, "/port"),
                            p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
                        )
                    })
                    .collect();
                if ports.is_empty() {
                    "<none>".into()
                } else {
                    ports.join(",").into()
                }
            }),
        ],
        "pods" => vec![
            ("Ready", "string", |o| {
                let statuses = o
                    .pointer("/status/containerStatuses")
                    .and_then(Value::as_array);
                let ready = statuses
                    .into_iter()
                    .flatten()
                    .filter(|c| c["ready"] == true)
                    .count();
                format!("{ready}/{}", count_at(o, "/spec/containers")).into()
            }),
            ("Status", "string", |o| {
                let phase = str_at(o, "/status/phase");
                if phase.is_empty() {
                    "Pending".into()
                } else {
                    phase.into()
                }
            }),
        ],
        "jobs" => vec![("Completions", "string", |o| {
            format!(
                "{}/{}",
                int_at(o, "/status/succeeded"),
                o.pointer("/spec/completions")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
            )
            .into()
        })],
        "nodes" => vec![("Status", "string", |o| {
            let ready = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
                .map(|c| c["status"] == "True");
            match ready {
                Some(true) => "Ready".into(),
                Some(false) => "NotReady".into(),
                None => "Unknown".into(),
            }
        })],
        _ => vec![],
    }
}

/// Renders a printer-column value as kubectl would.
fn render_cell(values: Vec<&Value>, type_: &str) -> Value {
    match values.first() {
        None => Value::Null,
        Some(Value::String(s)) if type_ == "date" => age(Some(s)).into(),
        Some(first) if values.len() == 1 => (*first).clone(),
        Some(_) => Value::String(
            values
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
    }
}

/// The Table for `objects` of one resource, with `metadata` (resourceVersion, continue) of the list.
pub fn table(info: &ResourceInfo, objects: &[Value], metadata: Value) -> Value {
    let name_column = column(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace.",
    );
    let age_column = column(
        "Age",
        "string",
        "",
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
    );
    let (columns, rows): (Vec<Value>, Vec<Value>) = match info
        .custom
        .as_ref()
        .filter(|c| !c.printer_columns.is_empty())
    {
        Some(custom) => {
            let mut columns = vec![name_column];
            for c in &custom.printer_columns {
                let mut col = column(&c.name, &c.type_, &c.format, &c.description);
                col["priority"] = c.priority.into();
                columns.push(col);
            }
            let rows = objects
                .iter()
                .map(|object| {
                    let mut cells = vec![
                        object
                            .pointer("/metadata/name")
                            .cloned()
                            .unwrap_or(Value::Null),
                    ];
                    for c in &custom.printer_columns {
                        cells.push(render_cell(c.path.select(object), &c.type_));
                    }
                    json!({"cells": cells, "object": partial_metadata(object)})
                })
                .collect();
            (columns, rows)
        }
        None => {
            let extra = if info.custom.is_some() {
                vec![]
            } else {
                builtin_columns(&info.resource)
            };
            let mut columns = vec![name_column];
            columns.extend(
                extra
                    .iter()
                    .map(|(name, kind, _)| column(name, kind, "", "")),
            );
            columns.push(age_column);
            let rows = objects
                .iter()
                .map(|object| {
                    let mut cells = vec![
                        object
                            .pointer("/metadata/name")
                            .cloned()
                            .unwrap_or(Value::Null),
                    ];
                    cells.extend(extra.iter().map(|(_, _, cell)| cell(object)));
                    let created = object
                        .pointer("/metadata/creationTimestamp")
                        .and_then(Value::as_str);
                    cells.push(age(created).into());
                    json!({"cells": cells, "object": partial_metadata(object)})
                })
                .collect();
            (columns, rows)
        }
    };
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": columns,
        "rows": rows,
    })
}
