use serde_json::{Value, json};

use crate::validation::FieldError;
use crate::work::admit_with;

const ID: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

fn work(manifests: Value) -> Value {
    json!({
        "apiVersion": "work.karmada.io/v1alpha1",
        "kind": "Work",
        "metadata": {"name": "web-6c4f8", "namespace": "karmada-es-member1"},
        "spec": {"workload": {"manifests": manifests}},
    })
}

fn admit(object: &mut Value, old: Option<&Value>) -> Result<(), Vec<FieldError>> {
    admit_with("v1alpha1", "Work", object, old, &|| ID.to_string()).expect("Work is ours")
}

/// The single manifest after admission.
fn admitted_manifest(manifest: Value) -> Value {
    let mut object = work(json!([manifest]));
    admit(&mut object, None).unwrap();
    object["spec"]["workload"]["manifests"][0].clone()
}

#[test]
fn work_gets_a_permanent_id_on_create_and_update() {
    for old in [None, Some(json!({}))] {
        let mut object = work(json!([]));
        admit(&mut object, old.as_ref()).unwrap();
        assert_eq!(
            object["metadata"]["labels"],
            json!({"work.karmada.io/permanent-id": ID})
        );
    }
}

#[test]
fn work_keeps_its_permanent_id_and_labels_manifests_with_it() {
    let mut object =
        work(json!([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}]));
    object["metadata"]["labels"] = json!({"work.karmada.io/permanent-id": "mine"});
    admit(&mut object, None).unwrap();
    assert_eq!(
        object["metadata"]["labels"]["work.karmada.io/permanent-id"],
        "mine"
    );
    assert_eq!(
        object["spec"]["workload"]["manifests"][0]["metadata"]["labels"],
        json!({"work.karmada.io/permanent-id": "mine"})
    );
}

#[test]
fn manifest_records_managed_labels_and_annotations() {
    let manifest = admitted_manifest(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "cm",
            "labels": {"app": "web"},
            "annotations": {"note": "x", "resourcetemplate.karmada.io/managed-labels": "stale"},
        },
        "data": {"k": "v"},
    }));
    assert_eq!(
        manifest,
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "cm",
                "labels": {"app": "web", "work.karmada.io/permanent-id": ID},
                "annotations": {
                    "note": "x",
                    "resourcetemplate.karmada.io/managed-annotations": "note,resourcetemplate.karmada.io/managed-annotations,resourcetemplate.karmada.io/managed-labels",
                    "resourcetemplate.karmada.io/managed-labels": "app,work.karmada.io/permanent-id",
                },
            },
            "data": {"k": "v"},
        })
    );
}

#[test]
fn server_populated_fields_are_pruned() {
    let manifest = admitted_manifest(json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "cm",
            "namespace": "default",
            "creationTimestamp": "2024-01-01T00:00:00Z",
            "deletionTimestamp": "2024-01-01T00:00:00Z",
            "deletionGracePeriodSeconds": 30,
            "generation": 3,
            "managedFields": [{}],
            "resourceVersion": "42",
            "selfLink": "/api/v1/x",
            "uid": "u",
            "ownerReferences": [{}],
            "finalizers": ["f"],
        },
        "status": {"phase": "x"},
    }));
    let metadata = manifest["metadata"].as_object().unwrap();
    let mut keys: Vec<&str> = metadata.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, vec!["annotations", "labels", "name", "namespace"]);
    assert_eq!(manifest.get("status"), None);
}

#[test]
fn kind_specific_fields_are_pruned() {
    let cases: Vec<(&str, Value, &[&str], Value)> = vec![
        (
            "deployment revision annotations",
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "annotations": {
                "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1,2", "keep": "y"}}}),
            &["metadata", "annotations", "keep"],
            json!("y"),
        ),
        (
            "job generated selector and ttl",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {
                "ttlSecondsAfterFinished": 100,
                "selector": {"matchLabels": {"controller-uid": "u", "batch.kubernetes.io/controller-uid": "u"}},
                "template": {"metadata": {"labels": {"controller-uid": "u", "job-name": "j", "batch.kubernetes.io/controller-uid": "u", "batch.kubernetes.io/job-name": "j", "app": "a"}}}}}),
            &["spec"],
            json!({"selector": {"matchLabels": {}}, "template": {"metadata": {"labels": {"app": "a"}}}}),
        ),
        (
            "job with manual selector keeps it",
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {
                "manualSelector": true, "selector": {"matchLabels": {"controller-uid": "u"}}}}),
            &["spec", "selector", "matchLabels"],
            json!({"controller-uid": "u"}),
        ),
        (
            "service cluster IPs",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "ports": []}}),
            &["spec"],
            json!({"ports": []}),
        ),
        (
            "headless service keeps None",
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"clusterIP": "None", "clusterIPs": ["None"]}}),
            &["spec"],
            json!({"clusterIP": "None", "clusterIPs": ["None"]}),
        ),
        (
            "service account token secret",
            json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token", "metadata": {"name": "t", "annotations": {"kubernetes.io/service-account.uid": "u"}}, "data": {"token": "x"}}),
            &["data"],
            Value::Null,
        ),
        (
            "service account generated token secrets",
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}, "secrets": [{"name": "sa-token-abc"}, {"name": "other"}]}),
            &["secrets"],
            json!([{"name": "other"}]),
        ),
        (
            "pvc selected node",
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "p", "annotations": {"volume.kubernetes.io/selected-node": "node-1"}}}),
            &[
                "metadata",
                "annotations",
                "resourcetemplate.karmada.io/managed-annotations",
            ],
            json!(
                "resourcetemplate.karmada.io/managed-annotations,resourcetemplate.karmada.io/managed-labels"
            ),
        ),
    ];
    for (name, manifest, path, want) in cases {
        let got = admitted_manifest(manifest);
        let got = path.iter().fold(&got, |v, key| &v[*key]);
        assert_eq!(got, &want, "{name}");
    }
}

#[test]
fn service_account_token_secret_loses_its_uid_annotation() {
    let manifest = admitted_manifest(
        json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token", "metadata": {"name": "t", "annotations": {"kubernetes.io/service-account.uid": "u"}}}),
    );
    assert_eq!(
        manifest["metadata"]["annotations"].get("kubernetes.io/service-account.uid"),
        None
    );
}

#[test]
fn admission_is_idempotent() {
    let mut object = work(
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "b"}}, "spec": {"replicas": 2}}]),
    );
    admit(&mut object, None).unwrap();
    let once = object.clone();
    admit(&mut object, Some(&once)).unwrap();
    assert_eq!(object, once);
}

#[test]
fn manifests_need_api_version_and_kind() {
    let mut object = work(json!([
        {"apiVersion": "v1", "kind": "ConfigMap"},
        {"kind": "ConfigMap"},
        {"apiVersion": "v1", "kind": ""},
    ]));
    let errs = admit(&mut object, None).unwrap_err();
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("spec.workload.manifests[1].apiVersion", "Required value"),
            ("spec.workload.manifests[2].kind", "Required value"),
        ]
    );
}

#[test]
fn manifests_must_be_objects() {
    let mut object = work(json!(["not an object"]));
    let errs = admit(&mut object, None).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].field, "spec.workload.manifests[0]");
    assert!(
        errs[0]
            .detail
            .starts_with("Invalid value: \"not an object\": invalid type: string"),
        "{}",
        errs[0].detail
    );
}

#[test]
fn work_without_workload_is_accepted() {
    let mut object = json!({"apiVersion": "work.karmada.io/v1alpha1", "kind": "Work", "metadata": {"name": "w"}, "spec": {"suspendDispatching": true}});
    admit(&mut object, None).unwrap();
    assert_eq!(object["spec"], json!({"suspendDispatching": true}));
}
