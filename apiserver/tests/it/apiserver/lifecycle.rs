//! Object lifecycle through real kubectl: garbage collection by ownerReferences (background,
//! foreground, orphan), namespace deletion, CRD deletion taking its objects along, dry runs, and
//! the metrics those requests leave behind.

use std::time::{Duration, Instant};

use crate::support::server::{Storage, TestServer, text};

const KUBECTL: &str = "1.33";

fn ok(server: &TestServer, args: &[&str], stdin: Option<&str>) -> String {
    server.kubectl_ok(KUBECTL, args, stdin)
}

/// Polls `check` until it holds or 20 s pass (the controllers act within ~100 ms).
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn exists(server: &TestServer, args: &[&str]) -> bool {
    server.kubectl(KUBECTL, args, None).status.success()
}

fn dependent(name: &str, ns: &str, owner: &str, uid: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n  ownerReferences:\n  - {{apiVersion: v1, kind: ConfigMap, name: {owner}, uid: {uid}, blockOwnerDeletion: true}}\n"
    )
}

async fn lifecycle(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let ns = "life";
    ok(&server, &["create", "namespace", ns], None);

    // Background: dependents go after their owner.
    ok(&server, &["-n", ns, "create", "configmap", "owner"], None);
    let uid = ok(
        &server,
        &[
            "-n",
            ns,
            "get",
            "cm",
            "owner",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
        None,
    );
    ok(
        &server,
        &["create", "-f", "-"],
        Some(&dependent("dep1", ns, "owner", &uid)),
    );
    ok(&server, &["-n", ns, "delete", "cm", "owner"], None);
    eventually("the background dependent is collected", || {
        !exists(&server, &["-n", ns, "get", "cm", "dep1"])
    });

    // Foreground: the owner waits (with a deletionTimestamp) until its dependents are gone.
    ok(&server, &["-n", ns, "create", "configmap", "owner2"], None);
    let uid = ok(
        &server,
        &[
            "-n",
            ns,
            "get",
            "cm",
            "owner2",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
        None,
    );
    ok(
        &server,
        &["create", "-f", "-"],
        Some(&dependent("dep2", ns, "owner2", &uid)),
    );
    ok(
        &server,
        &["-n", ns, "delete", "cm", "owner2", "--cascade=foreground"],
        None,
    );
    assert!(!exists(&server, &["-n", ns, "get", "cm", "dep2"]));
    assert!(!exists(&server, &["-n", ns, "get", "cm", "owner2"]));

    // Orphan: the dependent stays, without its owner reference.
    ok(&server, &["-n", ns, "create", "configmap", "owner3"], None);
    let uid = ok(
        &server,
        &[
            "-n",
            ns,
            "get",
            "cm",
            "owner3",
            "-o",
            "jsonpath={.metadata.uid}",
        ],
        None,
    );
    ok(
        &server,
        &["create", "-f", "-"],
        Some(&dependent("dep3", ns, "owner3", &uid)),
    );
    ok(
        &server,
        &["-n", ns, "delete", "cm", "owner3", "--cascade=orphan"],
        None,
    );
    eventually("the orphaning owner is gone", || {
        !exists(&server, &["-n", ns, "get", "cm", "owner3"])
    });
    let refs = ok(
        &server,
        &[
            "-n",
            ns,
            "get",
            "cm",
            "dep3",
            "-o",
            "jsonpath={.metadata.ownerReferences}",
        ],
        None,
    );
    assert_eq!(
        refs, "",
        "the orphan keeps no reference to its deleted owner"
    );

    // Finalizers hold an object until they are removed.
    ok(
        &server,
        &["create", "-f", "-"],
        Some(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: {ns}\n  finalizers: [example.com/hold]\n"
        )),
    );
    ok(
        &server,
        &["-n", ns, "delete", "cm", "held", "--wait=false"],
        None,
    );
    let marked = ok(
        &server,
        &[
            "-n",
            ns,
            "get",
            "cm",
            "held",
            "-o",
            "jsonpath={.metadata.deletionTimestamp}",
        ],
        None,
    );
    assert!(
        !marked.is_empty(),
        "a held object is only marked for deletion"
    );
    ok(
        &server,
        &[
            "-n",
            ns,
            "patch",
            "cm",
            "held",
            "--type=json",
            "-p",
            r#"[{"op":"remove","path":"/metadata/finalizers"}]"#,
        ],
        None,
    );
    assert!(!exists(&server, &["-n", ns, "get", "cm", "held"]));

    // Dry runs change nothing.
    ok(
        &server,
        &["-n", ns, "create", "configmap", "dry", "--dry-run=server"],
        None,
    );
    assert!(!exists(&server, &["-n", ns, "get", "cm", "dry"]));
    ok(
        &server,
        &[
            "-n",
            ns,
            "create",
            "configmap",
            "real",
            "--from-literal=a=b",
        ],
        None,
    );
    ok(
        &server,
        &["-n", ns, "label", "cm", "real", "x=y", "--dry-run=server"],
        None,
    );
    let labels = ok(
        &server,
        &[
            "-n",
            ns,
            "get",
            "cm",
            "real",
            "-o",
            "jsonpath={.metadata.labels}",
        ],
        None,
    );
    assert_eq!(labels, "", "a dry-run label leaves the object alone");

    // A terminating namespace takes everything in it and refuses new objects meanwhile.
    ok(&server, &["delete", "namespace", ns], None);
    assert!(!exists(&server, &["get", "namespace", ns]));
    let out = server.kubectl(KUBECTL, &["-n", ns, "create", "configmap", "late"], None);
    assert!(
        text(&out).contains(&format!("namespaces \"{ns}\" not found")),
        "{}",
        text(&out)
    );
    let out = server.kubectl(KUBECTL, &["delete", "namespace", "default"], None);
    assert!(
        text(&out).contains("this namespace may not be deleted"),
        "{}",
        text(&out)
    );

    // The requests above are counted.
    let metrics = ok(&server, &["get", "--raw", "/metrics"], None);
    assert!(
        metrics.lines().any(|l| l.starts_with(
            "apiserver_request_total{verb=\"create\",group=\"\",resource=\"configmaps\""
        ) && l.contains("code=\"201\"")),
        "no create count in /metrics"
    );
    assert!(metrics.contains("apiserver_request_duration_seconds_bucket"));
    server.stop().await;
}

const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gizmos, kind: Gizmo}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
"#;

async fn crd_lifecycle(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    ok(&server, &["apply", "-f", "-"], Some(CRD));
    eventually("the CRD is Established", || {
        ok(
            &server,
            &[
                "get",
                "crd",
                "gizmos.example.com",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Established\")].status}",
            ],
            None,
        ) == "True"
    });
    for i in 0..3 {
        ok(
            &server,
            &["apply", "-f", "-"],
            Some(&format!(
                "apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {{name: g{i}, namespace: default}}\nspec: {{size: {i}}}\n"
            )),
        );
    }
    assert_eq!(
        ok(&server, &["get", "gizmos", "-o", "name"], None)
            .lines()
            .count(),
        3
    );
    ok(&server, &["delete", "crd", "gizmos.example.com"], None);
    assert!(!exists(&server, &["get", "crd", "gizmos.example.com"]));
    let out = server.kubectl(
        KUBECTL,
        &[
            "get",
            "--raw",
            "/apis/example.com/v1/namespaces/default/gizmos",
        ],
        None,
    );
    assert!(
        text(&out).contains("NotFound"),
        "the resource is no longer served: {}",
        text(&out)
    );
    // Recreating the CRD finds none of the old objects.
    ok(&server, &["apply", "-f", "-"], Some(CRD));
    eventually("the recreated CRD serves again", || {
        exists(&server, &["get", "gizmos"])
    });
    let listed = ok(&server, &["get", "gizmos", "-o", "name"], None);
    assert_eq!(listed, "", "objects of a deleted CRD are deleted with it");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_the_embedded_store() {
    lifecycle(Storage::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_on_etcd() {
    lifecycle(Storage::Etcd).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_lifecycle_on_the_embedded_store() {
    crd_lifecycle(Storage::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crd_lifecycle_on_etcd() {
    crd_lifecycle(Storage::Etcd).await;
}
