//! Our policy.karmada.io CRDs against Karmada's own (copied into `tests/fixtures/karmada-crds/`):
//!
//! * the names, scope, printer columns and subresources are Karmada's;
//! * every property path of Karmada's openAPIV3Schema exists in ours, and the other way round, with
//!   the same type, format, enum values, default, bounds and required fields;
//! * objects generated from Karmada's schema, with every property set, decode into our types and
//!   encode back unchanged.

use std::collections::BTreeMap;
use std::path::Path;

use karmada_api::policy::v1alpha1::{
    ClusterOverridePolicy, ClusterPropagationPolicy, ClusterTaintPolicy, FederatedResourceQuota,
    OverridePolicy, PropagationPolicy,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

const PLURALS: [&str; 6] = [
    "clusteroverridepolicies",
    "clusterpropagationpolicies",
    "clustertaintpolicies",
    "federatedresourcequotas",
    "overridepolicies",
    "propagationpolicies",
];

fn karmada_crd(plural: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/karmada-crds")
        .join(format!("policy.karmada.io_{plural}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn our_crd(plural: &str) -> Value {
    let crd = karmada_api::policy::crds()
        .into_iter()
        .find(|c| c.spec.names.plural == plural)
        .unwrap_or_else(|| panic!("no CRD for {plural}"));
    serde_json::to_value(crd).expect("a CRD serializes")
}

fn schema(crd: &Value) -> &Value {
    &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
}

/// Every property path of a schema (`.spec.placement.clusterAffinities[].affinityName`, `{}` for
/// map values) with its node.
fn paths(schema: &Value) -> BTreeMap<String, Value> {
    fn walk(schema: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
        out.insert(path.to_string(), schema.clone());
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, child) in properties {
                walk(child, &format!("{path}.{key}"), out);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(items, &format!("{path}[]"), out);
        }
        if let Some(values @ Value::Object(_)) = schema.get("additionalProperties") {
            walk(values, &format!("{path}{{}}"), out);
        }
    }
    let mut out = BTreeMap::new();
    walk(schema, "", &mut out);
    out
}

/// The keywords whose values must agree between Karmada's node and ours.
const KEYWORDS: [&str; 16] = [
    "type",
    "format",
    "enum",
    "default",
    "required",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "anyOf",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-map-type",
];

/// `1` and `1.0` are the same bound; `required` is a set.
fn normalized(keyword: &str, value: Option<&Value>) -> Option<Value> {
    let value = value?.clone();
    match (keyword, &value) {
        ("minimum" | "maximum", Value::Number(n)) => Some(json!(n.as_f64())),
        ("required", Value::Array(items)) => {
            let mut names: Vec<String> = items.iter().map(ToString::to_string).collect();
            names.sort();
            Some(json!(names))
        }
        _ => Some(value),
    }
}

#[test]
fn names_scope_printer_columns_and_subresources_are_karmadas() {
    for plural in PLURALS {
        let (karmada, ours) = (karmada_crd(plural), our_crd(plural));
        assert_eq!(
            ours["metadata"]["name"], karmada["metadata"]["name"],
            "{plural}"
        );
        for key in ["group", "scope", "names"] {
            assert_eq!(
                ours["spec"][key], karmada["spec"][key],
                "{plural}: spec.{key}"
            );
        }
        let (k, o) = (
            &karmada["spec"]["versions"][0],
            &ours["spec"]["versions"][0],
        );
        for key in [
            "name",
            "served",
            "storage",
            "additionalPrinterColumns",
            "subresources",
        ] {
            assert_eq!(o.get(key), k.get(key), "{plural}: versions[0].{key}");
        }
        assert_eq!(
            ours["spec"]["versions"].as_array().map(Vec::len),
            Some(1),
            "{plural}"
        );
    }
}

#[test]
fn every_karmada_property_is_ours_with_the_same_constraints() {
    let mut problems = Vec::new();
    for plural in PLURALS {
        let (karmada, ours) = (karmada_crd(plural), our_crd(plural));
        let (karmada, ours) = (paths(schema(&karmada)), paths(schema(&ours)));
        for (path, node) in &karmada {
            let Some(our_node) = ours.get(path) else {
                problems.push(format!("{plural}: {path} is missing"));
                continue;
            };
            for keyword in KEYWORDS {
                let (k, o) = (
                    normalized(keyword, node.get(keyword)),
                    normalized(keyword, our_node.get(keyword)),
                );
                if k != o {
                    problems.push(format!(
                        "{plural}: {path}: {keyword} {k:?} (Karmada) vs {o:?} (ours)"
                    ));
                }
            }
            if node.get("description").is_some() && our_node.get("description").is_none() {
                problems.push(format!("{plural}: {path} has no description"));
            }
        }
        for path in ours.keys().filter(|p| !karmada.contains_key(*p)) {
            problems.push(format!("{plural}: {path} is not in Karmada's schema"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Fields Karmada types as plain strings that we type as enums: values for them.
fn typed_strings(path: &str) -> Option<&'static [&'static str]> {
    match path {
        ".spec.addOnConditions[].operator" | ".spec.removeOnConditions[].operator" => {
            Some(&["In", "NotIn"])
        }
        ".spec.taints[].effect" => Some(&["NoSchedule", "PreferNoSchedule", "NoExecute"]),
        _ => None,
    }
}

/// A value for `schema` with every property set; `variant` picks among enum values, booleans
/// and quantities so that several objects together use every enum value.
fn generate(schema: &Value, path: &str, variant: usize) -> Value {
    let pick = |values: &[Value]| values[variant % values.len()].clone();
    if let Some(Value::Array(values)) = schema.get("enum") {
        return pick(values);
    }
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return pick(&[json!("1Gi"), json!("500m"), json!("2")]);
    }
    if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true))
        && schema.get("type").is_none()
    {
        return pick(&[
            json!({"nested": [1, "two", {"three": true}]}),
            json!("text"),
            json!(null),
        ]);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let mut object = serde_json::Map::new();
            for (key, child) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                object.insert(
                    key.clone(),
                    generate(child, &format!("{path}.{key}"), variant),
                );
            }
            if let Some(values @ Value::Object(_)) = schema.get("additionalProperties") {
                object.insert(
                    "key".into(),
                    generate(values, &format!("{path}{{}}"), variant),
                );
            }
            Value::Object(object)
        }
        Some("array") => json!([generate(&schema["items"], &format!("{path}[]"), variant)]),
        Some("integer") => {
            let minimum = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
            json!(minimum + variant as i64)
        }
        Some("boolean") => json!(variant.is_multiple_of(2)),
        Some("string") => match typed_strings(path) {
            Some(values) => json!(values[variant % values.len()]),
            None => json!(format!("value-{variant}")),
        },
        other => panic!("{path}: no generator for type {other:?}"),
    }
}

fn round_trip<K: DeserializeOwned + Serialize>(object: &Value) -> Value {
    let typed: K =
        serde_json::from_value(object.clone()).unwrap_or_else(|e| panic!("decoding {object}: {e}"));
    serde_json::to_value(&typed).expect("encodes")
}

#[test]
fn objects_with_every_karmada_field_round_trip() {
    for plural in PLURALS {
        let karmada = karmada_crd(plural);
        let kind = karmada["spec"]["names"]["kind"]
            .as_str()
            .expect("a kind")
            .to_string();
        let namespaced = karmada["spec"]["scope"] == "Namespaced";
        let mut root = schema(&karmada).clone();
        let properties = root["properties"].as_object_mut().expect("properties");
        for key in ["apiVersion", "kind", "metadata"] {
            properties.remove(key);
        }
        for variant in 0..4 {
            let mut object = generate(&root, "", variant);
            object["apiVersion"] = json!("policy.karmada.io/v1alpha1");
            object["kind"] = json!(kind);
            object["metadata"] = json!({"name": "generated", "labels": {"app": "x"}});
            if namespaced {
                object["metadata"]["namespace"] = json!("default");
            }
            let encoded = match kind.as_str() {
                "PropagationPolicy" => round_trip::<PropagationPolicy>(&object),
                "ClusterPropagationPolicy" => round_trip::<ClusterPropagationPolicy>(&object),
                "OverridePolicy" => round_trip::<OverridePolicy>(&object),
                "ClusterOverridePolicy" => round_trip::<ClusterOverridePolicy>(&object),
                "ClusterTaintPolicy" => round_trip::<ClusterTaintPolicy>(&object),
                "FederatedResourceQuota" => round_trip::<FederatedResourceQuota>(&object),
                other => panic!("unexpected kind {other}"),
            };
            assert_eq!(
                encoded, object,
                "{kind} variant {variant} changed in a round trip"
            );
        }
    }
}
