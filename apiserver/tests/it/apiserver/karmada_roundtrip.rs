//! Karmada-shaped objects setting every field of PropagationPolicy, ClusterPropagationPolicy,
//! OverridePolicy, ClusterOverridePolicy, ResourceBinding, Work and Cluster round-trip through the
//! API server, on both storage backends: what is created reads back with every field and value it
//! was sent with (the server may only add the defaults listed with each object), and a status
//! written through `/status` reads back whole. A schema walk checks that the objects really do set
//! every property of their kind's schema.

mod objects;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::support::https::Https;
use crate::support::server::{Storage, TestServer};

/// One object to round-trip.
struct Case {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    /// The collection's path below `/apis/<group>/<version>/` (with `namespaces/<ns>/` if any).
    collection: String,
    object: Value,
    /// What the server may add to the spec: a JSON pointer into the spec and the value it must
    /// have there (`None`: any value, at the pointer or anywhere below it).
    spec_additions: Vec<(&'static str, Option<Value>)>,
    /// A documented mutation of a sent field: turns the spec sent into the spec expected back.
    spec_mutation: Option<fn(&mut Value)>,
    /// Labels the server may add (any value).
    label_additions: &'static [&'static str],
    /// The status to write through `/status`, for kinds with that subresource.
    status: Option<Value>,
}

/// Karmada's webhooks replace a policy's permanent id on create.
const PP_ID: &[&str] = &["propagationpolicy.karmada.io/permanent-id"];
const CPP_ID: &[&str] = &["clusterpropagationpolicy.karmada.io/permanent-id"];

fn policy(
    kind: &'static str,
    plural: &str,
    name: &str,
    namespace: Option<&str>,
    spec: Value,
) -> Case {
    let mut metadata = json!({
        "name": name,
        "labels": {"team": "web", "example.io/tier": "gold"},
        "annotations": {"example.io/owner": "platform", "note": "with / and ~ in it"}
    });
    let collection = match namespace {
        Some(ns) => {
            metadata["namespace"] = json!(ns);
            format!("namespaces/{ns}/{plural}")
        }
        None => plural.to_string(),
    };
    Case {
        group: "policy.karmada.io",
        version: "v1alpha1",
        kind,
        collection,
        object: json!({
            "apiVersion": "policy.karmada.io/v1alpha1",
            "kind": kind,
            "metadata": metadata,
            "spec": spec
        }),
        spec_additions: Vec::new(),
        spec_mutation: None,
        label_additions: &[],
        status: None,
    }
}

fn cases() -> Vec<Case> {
    use objects::*;
    let mut cases = Vec::new();

    // PropagationPolicy and ClusterPropagationPolicy: the same spec schema.
    for (kind, plural, namespace, ids) in [
        (
            "PropagationPolicy",
            "propagationpolicies",
            Some("default"),
            PP_ID,
        ),
        (
            "ClusterPropagationPolicy",
            "clusterpropagationpolicies",
            None,
            CPP_ID,
        ),
    ] {
        let mut every = policy(
            kind,
            plural,
            "every-field",
            namespace,
            propagation_every_field(namespace.unwrap_or("apps")),
        );
        every.label_additions = ids;
        cases.push(every);
        let mut affinities = policy(
            kind,
            plural,
            "affinities",
            namespace,
            propagation_affinities(),
        );
        affinities.spec_additions = propagation_defaults(namespace);
        affinities.label_additions = ids;
        cases.push(affinities);
    }

    // OverridePolicy and ClusterOverridePolicy: the same spec schema.
    for (kind, plural, namespace) in [
        ("OverridePolicy", "overridepolicies", Some("default")),
        ("ClusterOverridePolicy", "clusteroverridepolicies", None),
    ] {
        let selected = namespace.unwrap_or("apps");
        cases.push(policy(
            kind,
            plural,
            "top-level",
            namespace,
            override_top_level(selected),
        ));
        cases.push(policy(
            kind,
            plural,
            "rules",
            namespace,
            override_rules(selected),
        ));
    }

    for (yaml, group, version, kind, plural) in [
        (
            RESOURCE_BINDING,
            "work.karmada.io",
            "v1alpha2",
            "ResourceBinding",
            "resourcebindings",
        ),
        (WORK, "work.karmada.io", "v1alpha1", "Work", "works"),
        (
            CLUSTER,
            "cluster.karmada.io",
            "v1alpha1",
            "Cluster",
            "clusters",
        ),
    ] {
        let (mut object, status) = fixture(yaml);
        if kind == "Cluster" {
            // `zone` and `zones` cannot co-exist (Karmada's ValidateClusterSpec): the deprecated
            // `zone` goes to the next Cluster.
            object["spec"].as_object_mut().unwrap().remove("zone");
        }
        let collection = match object["metadata"]["namespace"].as_str() {
            Some(ns) => format!("namespaces/{ns}/{plural}"),
            None => plural.to_string(),
        };
        cases.push(Case {
            group,
            version,
            kind,
            collection,
            object,
            spec_additions: Vec::new(),
            spec_mutation: None,
            label_additions: &[],
            status: Some(status),
        });
    }

    // The Cluster mutations Karmada's registry documents: a NoExecute taint without `timeAdded`
    // gets the time of the write, a new Cluster without resource models gets the default grades,
    // and a lone deprecated `zone` moves into `zones` (MutateCluster).
    cases.push(Case {
        group: "cluster.karmada.io",
        version: "v1alpha1",
        kind: "Cluster",
        collection: "clusters".into(),
        object: json!({
            "apiVersion": "cluster.karmada.io/v1alpha1",
            "kind": "Cluster",
            "metadata": {"name": "member2", "labels": {"env": "staging"}},
            "spec": {
                "syncMode": "Pull",
                "zone": "eu-west-1a",
                "taints": [{"key": "maintenance", "value": "yes", "effect": "NoExecute"}]
            }
        }),
        spec_additions: vec![("/taints/0/timeAdded", None), ("/resourceModels", None)],
        spec_mutation: Some(|spec| {
            let zone = spec.as_object_mut().unwrap().remove("zone").unwrap();
            spec["zones"] = json!([zone]);
        }),
        label_additions: &[],
        status: None,
    });
    cases
}

/// `value`'s leaves by JSON pointer (empty objects and arrays are leaves too).
fn leaves(value: &Value) -> BTreeMap<String, Value> {
    fn walk(value: &Value, pointer: String, out: &mut BTreeMap<String, Value>) {
        match value {
            Value::Object(map) if !map.is_empty() => {
                for (key, child) in map {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    walk(child, format!("{pointer}/{key}"), out);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, format!("{pointer}/{i}"), out);
                }
            }
            leaf => {
                out.insert(pointer, leaf.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    // An absent or empty map (no labels) has no leaves.
    if !(value.is_null() || value.as_object().is_some_and(|m| m.is_empty())) {
        walk(value, String::new(), &mut out);
    }
    out
}

/// Compares what was `sent` with what the server `got` back: every sent leaf must be there with its
/// value, and every other leaf must be one of the `allowed` additions. Returns the differences.
fn differences(
    what: &str,
    sent: &Value,
    got: &Value,
    allowed: &[(&str, Option<Value>)],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (pointer, value) in leaves(sent) {
        match got.pointer(&pointer) {
            Some(back) if *back == value => {}
            Some(back) => problems.push(format!("{what}{pointer}: sent {value}, read back {back}")),
            None => problems.push(format!("{what}{pointer}: sent {value}, dropped")),
        }
    }
    let sent_leaves = leaves(sent);
    for (pointer, value) in leaves(got) {
        if sent_leaves.contains_key(&pointer) {
            continue;
        }
        let expected = allowed.iter().find(|(prefix, expected)| match expected {
            Some(_) => pointer == *prefix,
            None => pointer == *prefix || pointer.starts_with(&format!("{prefix}/")),
        });
        match expected {
            Some((_, None)) => {}
            Some((_, Some(expected))) if *expected == value => {}
            Some((_, Some(expected))) => problems.push(format!(
                "{what}{pointer}: defaulted to {value}, expected {expected}"
            )),
            None => problems.push(format!("{what}{pointer}: added {value}, not sent")),
        }
    }
    for (pointer, expected) in allowed {
        if let Some(expected) = expected
            && got.pointer(pointer) != Some(expected)
        {
            problems.push(format!(
                "{what}{pointer}: the default {expected} is missing"
            ));
        }
    }
    problems
}

/// The labels and annotations sent are all there; labels beyond them only the `added` ones.
fn metadata_differences(sent: &Value, got: &Value, added: &[&str]) -> Vec<String> {
    let allowed: Vec<(String, Option<Value>)> = added
        .iter()
        .map(|key| (format!("/{}", key.replace('/', "~1")), None))
        .collect();
    let allowed: Vec<(&str, Option<Value>)> = allowed
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let mut problems = differences(
        "metadata.labels",
        &sent["metadata"]["labels"],
        &got["metadata"]["labels"],
        &allowed,
    );
    for key in added {
        if got["metadata"]["labels"][key]
            .as_str()
            .is_none_or(str::is_empty)
        {
            problems.push(format!("metadata.labels[{key}] was not set"));
        }
    }
    problems.extend(differences(
        "metadata.annotations",
        &sent["metadata"]["annotations"],
        &got["metadata"]["annotations"],
        &[],
    ));
    problems
}

async fn round_trip_every_kind(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = Https::new(&server);
    // The Work fixture lives in its member cluster's execution namespace.
    let (status, reply) = client
        .send_json(
            "POST",
            "/api/v1/namespaces",
            "application/json",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "karmada-es-member1"}}),
        )
        .await;
    assert_eq!(status, 201, "creating the execution namespace: {reply}");

    let mut problems = Vec::new();
    for case in cases() {
        let name = case.object["metadata"]["name"]
            .as_str()
            .unwrap()
            .to_string();
        let collection = format!("/apis/{}/{}/{}", case.group, case.version, case.collection);
        let item = format!("{collection}/{name}");
        let what = format!("{} {name}", case.kind);

        let (status, created) = client
            .send_json("POST", &collection, "application/json", &case.object)
            .await;
        assert_eq!(status, 201, "creating {what}: {created}");
        let read = get(&client, &item).await;
        assert_eq!(
            created, read,
            "{what}: the create reply differs from a read"
        );
        let mut expected = case.object["spec"].clone();
        if let Some(mutate) = case.spec_mutation {
            mutate(&mut expected);
        }
        problems.extend(
            differences("spec", &expected, &read["spec"], &case.spec_additions)
                .into_iter()
                .map(|p| format!("{what}: {p}")),
        );
        problems.extend(
            metadata_differences(&case.object, &read, case.label_additions)
                .into_iter()
                .map(|p| format!("{what}: {p}")),
        );

        let Some(status_sent) = case.status else {
            continue;
        };
        let mut update = read.clone();
        update["status"] = status_sent.clone();
        let (code, reply) = client
            .send_json(
                "PUT",
                &format!("{item}/status"),
                "application/json",
                &update,
            )
            .await;
        assert_eq!(code, 200, "writing the status of {what}: {reply}");
        let after = get(&client, &item).await;
        problems.extend(
            differences("status", &status_sent, &after["status"], &[])
                .into_iter()
                .map(|p| format!("{what}: {p}")),
        );
        problems.extend(
            differences("spec", &read["spec"], &after["spec"], &[])
                .into_iter()
                .map(|p| format!("{what} after its status write: {p}")),
        );
    }
    assert!(
        problems.is_empty(),
        "objects did not round-trip on {storage:?}:\n{}",
        problems.join("\n")
    );
    server.stop().await;
}

async fn get(client: &Https, path: &str) -> Value {
    let response = client
        .request("GET", path, &[("Accept", "application/json")], None)
        .await;
    let status = response.status;
    let text = response.text().await;
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).expect("a JSON object")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn karmada_objects_round_trip_on_the_embedded_store() {
    round_trip_every_kind(Storage::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn karmada_objects_round_trip_on_etcd() {
    round_trip_every_kind(Storage::Etcd).await;
}

/// The schema of `kind`'s `version` in our CRDs.
fn schema(group: &str, version: &str, kind: &str) -> Value {
    let crd = karmada_api::crds::all()
        .into_iter()
        .map(|crd| serde_json::to_value(crd).unwrap())
        .find(|crd| crd["spec"]["group"] == group && crd["spec"]["names"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no CRD for {kind}.{group}"));
    let versions = crd["spec"]["versions"].as_array().unwrap();
    let version = versions
        .iter()
        .find(|v| v["name"] == version)
        .unwrap_or_else(|| panic!("{kind} has no version {version}"));
    version["schema"]["openAPIV3Schema"].clone()
}

/// Every property path of `schema` (`spec.placement.clusterAffinities[].affinityName`; map values
/// as `{}`), not descending into subtrees whose unknown fields are preserved.
fn schema_paths(schema: &Value, path: &str, out: &mut BTreeSet<String>) {
    if schema["x-kubernetes-preserve-unknown-fields"] == true {
        return;
    }
    for (key, child) in schema["properties"].as_object().into_iter().flatten() {
        if path.is_empty() && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
            continue;
        }
        let child_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        out.insert(child_path.clone());
        schema_paths(child, &child_path, out);
    }
    if schema["items"].is_object() {
        schema_paths(&schema["items"], &format!("{path}[]"), out);
    }
    if schema["additionalProperties"].is_object() {
        schema_paths(&schema["additionalProperties"], &format!("{path}{{}}"), out);
    }
}

/// The schema paths `value` sets, in [`schema_paths`]' notation; fields the schema does not know
/// go to `unknown`.
fn covered(
    schema: &Value,
    value: &Value,
    path: &str,
    out: &mut BTreeSet<String>,
    unknown: &mut Vec<String>,
) {
    if schema["x-kubernetes-preserve-unknown-fields"] == true {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if path.is_empty() && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                if let Some(child_schema) = schema["properties"].get(key) {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    out.insert(child_path.clone());
                    covered(child_schema, child, &child_path, out, unknown);
                } else if schema["additionalProperties"].is_object() {
                    let map_path = format!("{path}{{}}");
                    covered(
                        &schema["additionalProperties"],
                        child,
                        &map_path,
                        out,
                        unknown,
                    );
                } else if schema["additionalProperties"] != true {
                    unknown.push(format!("{path}.{key}"));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                covered(&schema["items"], item, &format!("{path}[]"), out, unknown);
            }
        }
        _ => {}
    }
}

/// The objects set every property of their kind's schema (their status too, for the kinds with
/// one), and nothing the schema does not know.
#[test]
fn karmada_roundtrip_objects_cover_every_schema_field() {
    let mut by_kind: BTreeMap<(&str, &str, &str), Vec<Value>> = BTreeMap::new();
    for case in cases() {
        let mut object = case.object;
        if let Some(status) = case.status {
            object["status"] = status;
        }
        by_kind
            .entry((case.group, case.version, case.kind))
            .or_default()
            .push(object);
    }
    assert_eq!(
        by_kind.len(),
        7,
        "every kind has objects: {:?}",
        by_kind.keys()
    );
    let mut problems = Vec::new();
    for ((group, version, kind), objects) in by_kind {
        let schema = schema(group, version, kind);
        let mut all = BTreeSet::new();
        schema_paths(&schema, "", &mut all);
        let mut set = BTreeSet::new();
        let mut unknown = Vec::new();
        for object in &objects {
            covered(&schema, object, "", &mut set, &mut unknown);
        }
        for path in all.difference(&set) {
            problems.push(format!("{kind}: no object sets {path}"));
        }
        for path in unknown {
            problems.push(format!("{kind}: {path} is not in the schema"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
