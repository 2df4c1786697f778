//! Karmada-shaped ResourceBinding, ClusterResourceBinding, Work, Cluster and WorkloadRebalancer
//! objects (`tests/fixtures/objects/`) decode into our types and encode back to the same JSON; and
//! each fixture sets every field our schema has, so no field can be lost unnoticed.

use std::collections::BTreeSet;
use std::path::Path;

use kube::CustomResourceExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use karmada_api::apps::v1alpha1::WorkloadRebalancer;
use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::work::v1alpha1::Work;
use karmada_api::work::v1alpha2::{Binding, ClusterResourceBinding, ResourceBinding};

fn object(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/objects")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Decodes `value` as `T` and encodes it again.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone()).expect("the object decodes");
    serde_json::to_value(&typed).expect("the object encodes")
}

fn assert_round_trips<T: DeserializeOwned + Serialize>(value: &Value) {
    assert_eq!(&round_trip::<T>(value), value);
}

/// Every property path of `K`'s CRD schema below the root (`spec.clusters[].name`), not descending
/// into maps or into objects whose unknown fields are preserved.
fn schema_paths<K: CustomResourceExt>() -> BTreeSet<String> {
    fn walk(schema: &Value, path: &str, out: &mut BTreeSet<String>) {
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
                out.insert(child_path.clone());
                walk(child, &child_path, out);
            }
        }
        if let Some(items) = schema.get("items") {
            walk(items, &format!("{path}[]"), out);
        }
    }
    let crd = serde_json::to_value(K::crd()).unwrap();
    let mut out = BTreeSet::new();
    walk(
        &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"],
        "",
        &mut out,
    );
    out
}

/// Every path an object sets, in the same notation.
fn object_paths(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, path: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    out.insert(child_path.clone());
                    walk(child, &child_path, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{path}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(value, "", &mut out);
    out
}

fn assert_covers_every_field<K: CustomResourceExt>(value: &Value) {
    let set = object_paths(value);
    let unset: Vec<String> = schema_paths::<K>().difference(&set).cloned().collect();
    assert!(
        unset.is_empty(),
        "the fixture leaves fields unset: {unset:#?}"
    );
}

fn cluster_resource_binding() -> Value {
    let mut value = object("resourcebinding.yaml");
    value["kind"] = json!("ClusterResourceBinding");
    let metadata = value["metadata"].as_object_mut().unwrap();
    metadata.remove("namespace");
    metadata.insert(
        "labels".into(),
        json!({"clusterresourcebinding.karmada.io/permanent-id": "6c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}),
    );
    value
}

#[test]
fn resource_binding_round_trips_every_field() {
    let value = object("resourcebinding.yaml");
    assert_covers_every_field::<ResourceBinding>(&value);
    assert_round_trips::<ResourceBinding>(&value);
}

#[test]
fn cluster_resource_binding_round_trips_every_field() {
    let value = cluster_resource_binding();
    assert_covers_every_field::<ClusterResourceBinding>(&value);
    assert_round_trips::<ClusterResourceBinding>(&value);
}

#[test]
fn work_round_trips_every_field() {
    let value = object("work.yaml");
    assert_covers_every_field::<Work>(&value);
    assert_round_trips::<Work>(&value);
}

#[test]
fn cluster_round_trips_every_field() {
    let value = object("cluster.yaml");
    assert_covers_every_field::<Cluster>(&value);
    assert_round_trips::<Cluster>(&value);
}

#[test]
fn workload_rebalancer_round_trips_every_field() {
    let value = object("workloadrebalancer.yaml");
    assert_covers_every_field::<WorkloadRebalancer>(&value);
    assert_round_trips::<WorkloadRebalancer>(&value);
}

#[test]
fn both_binding_kinds_hold_the_same_spec() {
    let rb: ResourceBinding = serde_json::from_value(object("resourcebinding.yaml")).unwrap();
    let crb: ClusterResourceBinding = serde_json::from_value(cluster_resource_binding()).unwrap();
    assert_eq!(rb.binding_spec(), crb.binding_spec());
    assert_eq!(rb.binding_status(), crb.binding_status());
    assert_eq!(
        <ResourceBinding as Binding>::PERMANENT_ID_LABEL,
        "resourcebinding.karmada.io/permanent-id"
    );
    assert_eq!(
        <ClusterResourceBinding as Binding>::PERMANENT_ID_LABEL,
        "clusterresourcebinding.karmada.io/permanent-id"
    );
}

#[test]
fn minimal_objects_round_trip_without_additions() {
    let cases = [
        (
            "rb",
            json!({"apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding", "metadata": {"name": "a", "namespace": "n"},
                   "spec": {"resource": {"apiVersion": "v1", "kind": "ConfigMap", "name": "a"}}, "status": {}}),
        ),
        (
            "work",
            json!({"apiVersion": "work.karmada.io/v1alpha1", "kind": "Work", "metadata": {"name": "w"},
                   "spec": {"workload": {}}, "status": {}}),
        ),
        (
            "cluster",
            json!({"apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster", "metadata": {"name": "m"},
                   "spec": {"syncMode": "Pull"}, "status": {}}),
        ),
        (
            "rebalancer",
            json!({"apiVersion": "apps.karmada.io/v1alpha1", "kind": "WorkloadRebalancer", "metadata": {"name": "r"},
                   "spec": {"workloads": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}]}}),
        ),
    ];
    for (name, value) in cases {
        let encoded = match name {
            "rb" => round_trip::<ResourceBinding>(&value),
            "work" => round_trip::<Work>(&value),
            "cluster" => round_trip::<Cluster>(&value),
            _ => round_trip::<WorkloadRebalancer>(&value),
        };
        assert_eq!(encoded, value, "{name}");
    }
}

#[test]
fn karmada_shaped_objects_pass_admission() {
    let admitted = |group: &str, version: &str, kind: &str, mut value: Value| {
        let old = value.clone();
        karmada_api::admission::admit(group, version, kind, &mut value, Some(&old))
            .expect("a kind of ours")
            .unwrap_or_else(|errs| panic!("{kind}: {errs:?}"));
        value
    };
    let rb = object("resourcebinding.yaml");
    assert_eq!(
        admitted("work.karmada.io", "v1alpha2", "ResourceBinding", rb.clone()),
        rb
    );
    let crb = cluster_resource_binding();
    assert_eq!(
        admitted(
            "work.karmada.io",
            "v1alpha2",
            "ClusterResourceBinding",
            crb.clone()
        ),
        crb
    );
    // The fixture's manifest already carries what the Work webhook records.
    let work = object("work.yaml");
    assert_eq!(
        admitted("work.karmada.io", "v1alpha1", "Work", work.clone()),
        work
    );
    let rebalancer = object("workloadrebalancer.yaml");
    assert_eq!(
        admitted(
            "apps.karmada.io",
            "v1alpha1",
            "WorkloadRebalancer",
            rebalancer.clone()
        ),
        rebalancer
    );
    // The fixture sets the deprecated zone next to zones (to cover both), which validation refuses.
    let mut cluster = object("cluster.yaml");
    cluster["spec"].as_object_mut().unwrap().remove("zone");
    assert_eq!(
        admitted("cluster.karmada.io", "v1alpha1", "Cluster", cluster.clone()),
        cluster
    );
}
