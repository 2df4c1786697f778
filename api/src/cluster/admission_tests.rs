use k8s_openapi::api::core::v1::Taint;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::*;
use crate::cluster::admit_at;
use crate::validation::ErrorKind;

const NOW: &str = "2024-05-06T07:08:09Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn cluster(spec: Value) -> Value {
    json!({
        "apiVersion": "cluster.karmada.io/v1alpha1",
        "kind": "Cluster",
        "metadata": {"name": "member1"},
        "spec": spec,
    })
}

fn admit(object: &mut Value, old: Option<&Value>) -> Result<(), Vec<FieldError>> {
    admit_at("v1alpha1", "Cluster", object, old, now()).expect("Cluster is ours")
}

/// Admits `spec` as an update (no default resource models) and returns its errors.
fn errors_of(spec: Value) -> Vec<FieldError> {
    let mut object = cluster(spec);
    let old = object.clone();
    admit(&mut object, Some(&old)).unwrap_err()
}

fn one_error(spec: Value) -> FieldError {
    let mut errs = errors_of(spec);
    assert_eq!(errs.len(), 1, "{errs:?}");
    errs.remove(0)
}

#[test]
fn other_kinds_are_not_ours() {
    let mut object = json!({});
    assert!(admit_at("v1alpha1", "Work", &mut object, None, now()).is_none());
    assert!(admit_at("v1beta1", "Cluster", &mut object, None, now()).is_none());
}

#[test]
fn new_no_execute_taint_gets_time_added() {
    let mut object = cluster(json!({
        "syncMode": "Push",
        "apiEndpoint": "https://10.0.0.1:6443",
        "taints": [
            {"key": "a", "effect": "NoExecute"},
            {"key": "b", "effect": "NoSchedule"},
            {"key": "c", "effect": "NoExecute", "timeAdded": "2020-01-01T00:00:00Z"},
        ],
        "resourceModels": [],
    }));
    admit(&mut object, Some(&json!({}))).unwrap();
    assert_eq!(
        object["spec"]["taints"],
        json!([
            {"key": "a", "effect": "NoExecute", "timeAdded": NOW},
            {"key": "b", "effect": "NoSchedule"},
            {"key": "c", "effect": "NoExecute", "timeAdded": "2020-01-01T00:00:00Z"},
        ])
    );
}

#[test]
fn deprecated_zone_moves_into_zones() {
    let mut object = cluster(json!({"syncMode": "Pull", "zone": "az-1"}));
    admit(&mut object, Some(&json!({}))).unwrap();
    assert_eq!(object["spec"].get("zone"), None);
    assert_eq!(object["spec"]["zones"], json!(["az-1"]));
}

#[test]
fn zone_and_zones_cannot_coexist() {
    let err = one_error(json!({"syncMode": "Pull", "zone": "a", "zones": ["b"]}));
    assert_eq!(err.field, "spec.zone");
    assert_eq!(
        err.detail,
        "Invalid value: \"a\": Zone and Zones cannot co-exist"
    );
}

#[test]
fn create_without_resource_models_gets_the_default_grades() {
    let mut object = cluster(json!({"syncMode": "Pull"}));
    admit(&mut object, None).unwrap();
    let models = object["spec"]["resourceModels"].as_array().unwrap();
    assert_eq!(models.len(), 9);
    assert_eq!(
        models[0],
        json!({"grade": 0, "ranges": [
            {"name": "cpu", "min": "0", "max": "1"},
            {"name": "memory", "min": "0", "max": "4Gi"},
        ]})
    );
}

#[test]
fn update_without_resource_models_keeps_none() {
    let mut object = cluster(json!({"syncMode": "Pull"}));
    admit(&mut object, Some(&json!({}))).unwrap();
    assert_eq!(object["spec"], json!({"syncMode": "Pull"}));
}

#[test]
fn given_resource_models_are_standardized() {
    let mut object = cluster(json!({"syncMode": "Pull", "resourceModels": [
        {"grade": 1, "ranges": [{"name": "cpu", "min": "2", "max": "8"}]},
        {"grade": 0, "ranges": [{"name": "cpu", "min": "1", "max": "2"}]},
    ]}));
    admit(&mut object, None).unwrap();
    assert_eq!(
        object["spec"]["resourceModels"],
        json!([
            {"grade": 0, "ranges": [{"name": "cpu", "min": "0", "max": "2"}]},
            {"grade": 1, "ranges": [{"name": "cpu", "min": "2", "max": "9223372036854775807"}]},
        ])
    );
}

#[test]
fn non_contiguous_resource_models_are_refused() {
    let err = one_error(json!({"syncMode": "Pull", "resourceModels": [
        {"grade": 0, "ranges": [{"name": "cpu", "min": "0", "max": "2"}]},
        {"grade": 1, "ranges": [{"name": "cpu", "min": "4", "max": "8"}]},
    ]}));
    assert_eq!(err.field, "spec.resourceModels");
    assert!(
        err.detail
            .ends_with(": Model intervals for resources must be contiguous and non-overlapping")
    );
}

#[test]
fn sync_mode_is_required_and_enumerated() {
    let err = one_error(json!({}));
    assert_eq!(
        (err.field.as_str(), err.kind),
        ("spec.syncMode", ErrorKind::Required)
    );
    let err = one_error(json!({"syncMode": "Both"}));
    assert_eq!(err.field, "spec.syncMode");
    assert_eq!(
        err.detail,
        "Unsupported value: \"Both\": supported values: \"Push\", \"Pull\""
    );
}

#[test]
fn cluster_name_rules() {
    let cases = [
        ("member-1", None),
        (
            "a-very-long-cluster-name-that-goes-past-the-48-limit",
            Some("must be no more than 48 characters"),
        ),
        ("member.one", Some("must not contain dots")),
        (
            "Member1",
            Some("a lowercase RFC 1123 label must consist of"),
        ),
    ];
    for (name, want) in cases {
        let mut object = cluster(json!({"syncMode": "Pull"}));
        object["metadata"]["name"] = json!(name);
        let result = admit(&mut object, Some(&json!({})));
        match want {
            None => assert!(result.is_ok(), "{name}: {result:?}"),
            Some(why) => {
                let errs = result.unwrap_err();
                assert_eq!(errs.len(), 1, "{name}: {errs:?}");
                assert_eq!(errs[0].field, "metadata.name");
                let prefix = format!("Invalid value: \"{name}\": {why}");
                assert!(
                    errs[0].detail.starts_with(&prefix),
                    "{name}: {}",
                    errs[0].detail
                );
            }
        }
    }
}

#[test]
fn api_endpoint_rules() {
    let form = "; desired format: hostname, hostname:port, IP or IP:port";
    let cases = [
        ("https://10.0.0.1:6443", vec![]),
        ("https://member1.example.com", vec![]),
        (
            "10.0.0.1:6443",
            vec![format!(
                "Invalid value: \"10.0.0.1:6443\": apiEndpoint must be a valid URL: parse \
                 \"10.0.0.1:6443\": first path segment in URL cannot contain colon{form}"
            )],
        ),
        (
            "member1:6443",
            vec![format!("Invalid value: \"\": host must be provided{form}")],
        ),
        (
            "https://u:p@h",
            vec!["Invalid value: \"u:p\": user information is not permitted in the URL".into()],
        ),
        (
            "https://h?x=1#f",
            vec![
                "Invalid value: \"f\": fragments are not permitted in the URL".to_string(),
                "Invalid value: \"x=1\": query parameters are not permitted in the URL".into(),
            ],
        ),
    ];
    for (endpoint, want) in cases {
        let mut object = cluster(json!({"syncMode": "Push", "apiEndpoint": endpoint}));
        let got: Vec<String> = match admit(&mut object, Some(&json!({}))) {
            Ok(()) => vec![],
            Err(errs) => {
                assert!(
                    errs.iter().all(|e| e.field == "spec.apiEndpoint"),
                    "{errs:?}"
                );
                errs.into_iter().map(|e| e.detail).collect()
            }
        };
        assert_eq!(got, want, "{endpoint}");
    }
}

#[test]
fn proxy_url_rules() {
    let err = one_error(json!({"syncMode": "Push", "proxyURL": "ftp://proxy:21"}));
    assert_eq!(err.field, "spec.proxyURL");
    assert_eq!(
        err.detail,
        "Invalid value: \"ftp://proxy:21\": unsupported scheme \"ftp\", must be http, https, or socks5"
    );
    let err = one_error(json!({"syncMode": "Push", "proxyURL": "http://[::1"}));
    assert_eq!(
        err.detail,
        "Invalid value: \"http://[::1\": proxyURL must be a valid URL: parse \"http://[::1\": missing ']' in host"
    );
    for ok in ["http://proxy:3128", "socks5://proxy:1080"] {
        assert!(errors_of_ok(json!({"syncMode": "Push", "proxyURL": ok})));
    }
}

fn errors_of_ok(spec: Value) -> bool {
    let mut object = cluster(spec);
    admit(&mut object, Some(&json!({}))).is_ok()
}

#[test]
fn secret_refs_need_namespace_and_name() {
    let errs = errors_of(json!({
        "syncMode": "Push",
        "secretRef": {"namespace": "", "name": "s"},
        "impersonatorSecretRef": {"namespace": "karmada-cluster", "name": ""},
    }));
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("spec.secretRef.namespace", "Required value"),
            ("spec.impersonatorSecretRef.name", "Required value"),
        ]
    );
}

#[test]
fn topology_fields_are_label_values() {
    let errs = errors_of(json!({
        "syncMode": "Push",
        "provider": "-aws",
        "region": "us east",
        "zones": ["ok", "not ok"],
    }));
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        vec!["spec.provider", "spec.region", "spec.zones[1]"]
    );
    assert!(
        errs[0]
            .detail
            .starts_with("Invalid value: \"-aws\": a valid label must be")
    );
    let err = one_error(json!({"syncMode": "Push", "zone": "bad zone"}));
    assert_eq!(err.field, "spec.zone");
}

#[test]
fn taint_rules() {
    let taint = |key: &str, value: Option<&str>, effect: &str| Taint {
        key: key.into(),
        value: value.map(str::to_string),
        effect: effect.into(),
        time_added: None,
    };
    let cases: Vec<(&str, Taint, &str, &str)> = vec![
        (
            "bad key",
            taint("-bad", None, "NoSchedule"),
            "spec.taints[0].key",
            "Invalid value: \"-bad\": name part must consist of alphanumeric characters",
        ),
        (
            "bad value",
            taint("k", Some("a b"), "NoSchedule"),
            "spec.taints[0].value",
            "Invalid value: \"a b\": a valid label must be an empty string",
        ),
        (
            "missing effect",
            taint("k", None, ""),
            "spec.taints[0].effect",
            "Required value",
        ),
        (
            "unsupported effect",
            taint("k", None, "PreferNoSchedule"),
            "spec.taints[0].effect",
            "Unsupported value: \"PreferNoSchedule\": supported values: \"NoSchedule\", \"NoExecute\"",
        ),
    ];
    for (name, taint, field, detail) in cases {
        let err = one_error(json!({"syncMode": "Push", "taints": [taint]}));
        assert_eq!(err.field, field, "{name}");
        assert!(err.detail.starts_with(detail), "{name}: {}", err.detail);
    }
}

#[test]
fn taints_are_unique_by_key_and_effect() {
    let err = one_error(json!({"syncMode": "Push", "taints": [
        {"key": "k", "value": "a", "effect": "NoSchedule"},
        {"key": "k", "effect": "NoExecute"},
        {"key": "k", "value": "b", "effect": "NoSchedule"},
    ]}));
    assert_eq!(err.field, "spec.taints[2]");
    assert_eq!(err.kind, ErrorKind::Duplicate);
    assert_eq!(
        err.detail,
        "Duplicate value: {\"key\":\"k\",\"value\":\"b\",\"effect\":\"NoSchedule\"}: taints must be unique by key and effect pair"
    );
}

#[test]
fn validation_runs_before_mutation() {
    // An invalid object is not mutated: the NoExecute taint keeps no timeAdded.
    let mut object = cluster(
        json!({"syncMode": "Push", "proxyURL": "ftp://x", "taints": [
            {"key": "k", "effect": "NoExecute"},
        ]}),
    );
    let before = object.clone();
    assert!(admit(&mut object, Some(&before)).is_err());
    assert_eq!(object, before);
}

#[test]
fn decode_errors_name_the_field() {
    let err = one_error(
        json!({"syncMode": "Push", "taints": [{"key": "k", "effect": "NoSchedule", "timeAdded": "yesterday"}]}),
    );
    assert_eq!(err.field, "spec.taints[0].timeAdded");
    assert_eq!(err.kind, ErrorKind::Invalid);
}
