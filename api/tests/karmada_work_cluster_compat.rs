//! Our generated CRDs for work.karmada.io, cluster.karmada.io and apps.karmada.io against Karmada's
//! own schemas (copied into `tests/fixtures/karmada/`): every property path Karmada's schema has,
//! ours has too, with the same type, enum values and required fields; and the names, scope,
//! printer columns and subresources match.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/karmada")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn karmada_crd(name: &str) -> Value {
    serde_saphyr::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn our_crd(plural: &str, group: &str) -> Value {
    let crd = karmada_api::crds::all()
        .into_iter()
        .find(|c| c.spec.names.plural == plural && c.spec.group == group)
        .unwrap_or_else(|| panic!("no CRD for {plural}.{group}"));
    serde_json::to_value(crd).expect("a CRD serializes")
}

fn version<'a>(crd: &'a Value, name: &str) -> &'a Value {
    crd["spec"]["versions"]
        .as_array()
        .and_then(|versions| versions.iter().find(|v| v["name"] == name))
        .unwrap_or_else(|| panic!("no version {name}"))
}

fn root_schema<'a>(crd: &'a Value, name: &str) -> &'a Value {
    &version(crd, name)["schema"]["openAPIV3Schema"]
}

/// Every property path of a schema (`spec.clusters[].name`, `spec.x{}` for map values) with its
/// schema node; `metadata` is left out (it is ObjectMeta in both).
fn paths(schema: &Value) -> BTreeMap<String, Value> {
    fn walk(schema: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, child) in properties {
                if path.is_empty() && key == "metadata" {
                    continue;
                }
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                out.insert(child_path.clone(), child.clone());
                walk(child, &child_path, out);
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

/// Karmada's schema node and ours disagree on the type, the enum values or the required fields.
fn node_mismatches(path: &str, karmada: &Value, ours: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let int_or_string = ours.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    if let (Some(k), Some(o)) = (karmada.get("type"), ours.get("type"))
        && k != o
        && !int_or_string
    {
        out.push(format!("{path}: type {k} (Karmada) vs {o} (ours)"));
    }
    let set = |node: &Value, key: &str| -> BTreeSet<String> {
        node.get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default()
    };
    if karmada.get("enum").is_some() && set(karmada, "enum") != set(ours, "enum") {
        out.push(format!(
            "{path}: enum {:?} (Karmada) vs {:?} (ours)",
            set(karmada, "enum"),
            set(ours, "enum")
        ));
    }
    let missing_required: Vec<String> = set(karmada, "required")
        .difference(&set(ours, "required"))
        .cloned()
        .collect();
    if !missing_required.is_empty() {
        out.push(format!(
            "{path}: Karmada requires {missing_required:?}, we do not"
        ));
    }
    out
}

/// Compares two root schemas; returns every difference found.
fn schema_differences(karmada: &Value, ours: &Value) -> Vec<String> {
    let karmada_paths = paths(karmada);
    let our_paths = paths(ours);
    assert!(
        karmada_paths.len() > 5,
        "too few paths in Karmada's schema: {karmada_paths:?}"
    );
    let mut out: Vec<String> = karmada_paths
        .keys()
        .filter(|p| !our_paths.contains_key(*p))
        .map(|p| format!("{p}: missing from our schema"))
        .collect();
    out.extend(node_mismatches("<root>", karmada, ours));
    for (path, node) in &karmada_paths {
        if let Some(our_node) = our_paths.get(path) {
            out.extend(node_mismatches(path, node, our_node));
        }
    }
    out
}

fn assert_no_differences(what: &str, differences: Vec<String>) {
    assert!(
        differences.is_empty(),
        "{what} differs from Karmada's schema:\n{}",
        differences.join("\n")
    );
}

/// Names, scope, printer columns and subresources of one CRD version.
fn assert_same_shape(karmada: &Value, ours: &Value, version_name: &str) {
    for field in ["group", "scope"] {
        assert_eq!(ours["spec"][field], karmada["spec"][field], "{field}");
    }
    for field in [
        "kind",
        "listKind",
        "plural",
        "singular",
        "shortNames",
        "categories",
    ] {
        assert_eq!(
            ours["spec"]["names"][field], karmada["spec"]["names"][field],
            "names.{field}"
        );
    }
    let (k, o) = (version(karmada, version_name), version(ours, version_name));
    let columns = |v: &Value| -> Vec<(Value, Value, Value)> {
        v["additionalPrinterColumns"]
            .as_array()
            .map(|cols| {
                cols.iter()
                    .map(|c| (c["name"].clone(), c["type"].clone(), c["jsonPath"].clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(columns(o), columns(k), "printer columns");
    assert_eq!(o["subresources"], k["subresources"], "subresources");
    assert_eq!(o["served"], Value::Bool(true));
    assert_eq!(o["storage"], Value::Bool(true));
}

fn check_crd(file: &str, plural: &str, group: &str, version_name: &str) {
    let karmada = karmada_crd(file);
    let ours = our_crd(plural, group);
    assert_same_shape(&karmada, &ours, version_name);
    assert_no_differences(
        plural,
        schema_differences(
            root_schema(&karmada, version_name),
            root_schema(&ours, version_name),
        ),
    );
}

#[test]
fn resource_binding_matches_karmada() {
    check_crd(
        "work.karmada.io_resourcebindings.yaml",
        "resourcebindings",
        "work.karmada.io",
        "v1alpha2",
    );
}

#[test]
fn cluster_resource_binding_matches_karmada() {
    check_crd(
        "work.karmada.io_clusterresourcebindings.yaml",
        "clusterresourcebindings",
        "work.karmada.io",
        "v1alpha2",
    );
}

#[test]
fn work_matches_karmada() {
    check_crd(
        "work.karmada.io_works.yaml",
        "works",
        "work.karmada.io",
        "v1alpha1",
    );
}

#[test]
fn workload_rebalancer_matches_karmada() {
    check_crd(
        "apps.karmada.io_workloadrebalancers.yaml",
        "workloadrebalancers",
        "apps.karmada.io",
        "v1alpha1",
    );
}

/// Inlines the `$ref`s of a swagger definition.
fn resolve(schema: &Value, definitions: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let name = reference.rsplit('/').next().unwrap_or_default();
                let target = definitions.get(name).cloned().unwrap_or(Value::Null);
                return resolve(&target, definitions);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, definitions)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(v, definitions)).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn cluster_matches_karmadas_openapi_definition() {
    let document: Value =
        serde_json::from_str(&fixture("cluster.karmada.io_clusters.swagger.json")).unwrap();
    let definitions = &document["definitions"];
    let root = document["root"].as_str().unwrap();
    let mut karmada = resolve(&definitions[root], definitions);
    // ObjectMeta is not part of the fixture (and is `type: object` in a CRD).
    karmada["properties"]
        .as_object_mut()
        .unwrap()
        .remove("metadata");
    let ours = our_crd("clusters", "cluster.karmada.io");
    assert_no_differences(
        "clusters",
        schema_differences(&karmada, root_schema(&ours, "v1alpha1")),
    );

    assert_eq!(ours["spec"]["scope"], "Cluster");
    assert_eq!(ours["spec"]["names"]["kind"], "Cluster");
    assert_eq!(ours["spec"]["names"]["singular"], "cluster");
    let v1alpha1 = version(&ours, "v1alpha1");
    assert_eq!(v1alpha1["subresources"]["status"], serde_json::json!({}));
    // The columns of Karmada's aggregated API server's table (pkg/printers/internalversion).
    let columns: Vec<(&str, &str, i64)> = v1alpha1["additionalPrinterColumns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["jsonPath"].as_str().unwrap(),
                c["priority"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        columns,
        vec![
            ("Version", ".status.kubernetesVersion", 0),
            ("Mode", ".spec.syncMode", 0),
            (
                "Ready",
                ".status.conditions[?(@.type==\"Ready\")].status",
                0
            ),
            ("Age", ".metadata.creationTimestamp", 0),
            ("Zones", ".spec.zones[*]", 1),
            ("Region", ".spec.region", 1),
            ("Provider", ".spec.provider", 1),
            ("API-Endpoint", ".spec.apiEndpoint", 1),
            ("Proxy-URL", ".spec.proxyURL", 1),
        ]
    );
}

#[test]
fn crds_come_in_a_stable_order() {
    let names = |crds: Vec<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>| {
        crds.into_iter().map(|c| c.metadata.name.unwrap_or_default()).collect::<Vec<_>>()
    };
    assert_eq!(
        names(karmada_api::work::crds()),
        vec![
            "clusterresourcebindings.work.karmada.io",
            "resourcebindings.work.karmada.io",
            "works.work.karmada.io"
        ]
    );
    assert_eq!(
        names(karmada_api::cluster::crds()),
        vec!["clusters.cluster.karmada.io"]
    );
    assert_eq!(
        names(karmada_api::apps::crds()),
        vec!["workloadrebalancers.apps.karmada.io"]
    );
}
