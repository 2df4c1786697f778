//! The wire-level checks of the kubectl contract (§12) that no kubectl command shows directly:
//! discovery negotiation by Accept header, the OpenAPI v2 media type, a watch from a compacted
//! revision, and streaming lists (`sendInitialEvents`) with their BOOKMARK. One server per backend,
//! compacting every second so that the expired-watch check does not wait long.
//!
//! Not covered: the periodic BOOKMARK of an idle `allowWatchBookmarks` watch (it comes every 30 s).

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::https::{Https, Response};
use crate::support::server::{Storage, TestServer};

/// How long any single expected line or condition may take.
const WAIT: Duration = Duration::from_secs(10);

const DISCOVERY_V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const DISCOVERY_V2BETA1: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

async fn wire_contract(storage: Storage) {
    let Some(server) = TestServer::start(storage, &["--compaction-interval-seconds", "1"]).await
    else {
        return;
    };
    let client = Https::new(&server);
    discovery_follows_the_accept_header(&client).await;
    openapi_v2_is_protobuf_with_the_dotted_media_type(&client).await;
    streaming_list_ends_with_the_initial_events_bookmark(&client).await;
    watch_from_a_compacted_revision_is_an_expired_error_event(&client).await;
    server.stop().await;
}

async fn body_json(response: Response, what: &str) -> Value {
    let text = response.text().await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
}

async fn discovery_follows_the_accept_header(client: &Https) {
    // kubectl 1.27–1.29 accept only v2beta1: a v2 reply breaks them silently.
    let kubectl_127 = format!("{DISCOVERY_V2BETA1},application/json");
    let kubectl_133 = format!("{DISCOVERY_V2},{DISCOVERY_V2BETA1},application/json");
    for path in ["/apis", "/api"] {
        for (accept, content_type, api_version) in [
            (
                &kubectl_127,
                DISCOVERY_V2BETA1,
                "apidiscovery.k8s.io/v2beta1",
            ),
            (&kubectl_133, DISCOVERY_V2, "apidiscovery.k8s.io/v2"),
        ] {
            let what = format!("GET {path} with Accept {accept}");
            let response = client.get(path, &[("Accept", accept)]).await;
            assert_eq!(response.status, 200, "{what}");
            assert_eq!(
                response.header("content-type"),
                Some(content_type),
                "{what}"
            );
            let body = body_json(response, &what).await;
            assert_eq!(body["kind"], "APIGroupDiscoveryList", "{what}: {body}");
            assert_eq!(body["apiVersion"], api_version, "{what}: {body}");
            let resources: Vec<&str> = body["items"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|group| group["versions"].as_array().into_iter().flatten())
                .flat_map(|version| version["resources"].as_array().into_iter().flatten())
                .filter_map(|resource| resource["resource"].as_str())
                .collect();
            let expected = if path == "/api" {
                "configmaps"
            } else {
                "deployments"
            };
            assert!(resources.contains(&expected), "{what}: {body}");
        }
    }
    // kube-rs' legacy discovery sends no Accept header at all and needs the legacy lists.
    for (path, kind) in [("/apis", "APIGroupList"), ("/api", "APIVersions")] {
        let what = format!("GET {path} without Accept");
        let response = client.get(path, &[]).await;
        assert_eq!(response.status, 200, "{what}");
        let body = body_json(response, &what).await;
        assert_eq!(body["kind"], kind, "{what}: {body}");
    }
}

async fn openapi_v2_is_protobuf_with_the_dotted_media_type(client: &Https) {
    // kubectl 1.27 and 1.28 fail on the `@v1.0` form they send in Accept.
    let response = client
        .get(
            "/openapi/v2?timeout=32s",
            &[(
                "Accept",
                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
            )],
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
    );
}

async fn create_namespace(client: &Https, name: &str) {
    let (status, body) = client
        .send_json(
            "POST",
            "/api/v1/namespaces",
            "application/json",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}),
        )
        .await;
    assert_eq!(status, 201, "create namespace {name}: {body}");
}

/// Creates a ConfigMap and returns its resourceVersion.
async fn create_config_map(client: &Https, namespace: &str, name: &str) -> String {
    let (status, body) = client
        .send_json(
            "POST",
            &format!("/api/v1/namespaces/{namespace}/configmaps"),
            "application/json",
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}),
        )
        .await;
    assert_eq!(status, 201, "create configmap {name}: {body}");
    body["metadata"]["resourceVersion"]
        .as_str()
        .expect("a resourceVersion")
        .to_string()
}

/// Reads the next watch event, checking that it is one JSON object ending in `\n`.
async fn next_event(watch: &mut Response, what: &str) -> Value {
    let line = match watch.next_line(WAIT).await {
        Ok(Some(line)) => line,
        Ok(None) => panic!("{what}: the watch ended"),
        Err(_) => panic!("{what}: no event within {WAIT:?}"),
    };
    assert!(
        line.ends_with('\n'),
        "{what}: event not ended by \\n: {line:?}"
    );
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"))
}

async fn streaming_list_ends_with_the_initial_events_bookmark(client: &Https) {
    let ns = "streaming";
    create_namespace(client, ns).await;
    let mut newest = 0_i64;
    for name in ["s1", "s2"] {
        let rv = create_config_map(client, ns, name).await;
        newest = newest.max(rv.parse().expect("a numeric resourceVersion"));
    }
    // What kube-rs `watcher(…, Config::default().streaming_lists())` sends.
    let what = "streaming list (sendInitialEvents=true)";
    let mut watch = client
        .get(
            &format!(
                "/api/v1/namespaces/{ns}/configmaps?watch=true&timeoutSeconds=290\
                 &allowWatchBookmarks=true&sendInitialEvents=true\
                 &resourceVersionMatch=NotOlderThan&resourceVersion=0"
            ),
            &[("Accept", "application/json")],
        )
        .await;
    assert_eq!(watch.status, 200, "{what}");
    let mut added = Vec::new();
    let bookmark = loop {
        let event = next_event(&mut watch, what).await;
        match event["type"].as_str() {
            Some("ADDED") => added.push(event["object"]["metadata"]["name"].clone()),
            Some("BOOKMARK") => break event,
            _ => panic!("{what}: unexpected event before the bookmark: {event}"),
        }
    };
    added.sort_by_key(|name| name.to_string());
    assert_eq!(added, [json!("s1"), json!("s2")], "{what}: initial events");
    // kube-rs flattens TypeMeta into its bookmark type: apiVersion and kind are mandatory.
    let object = &bookmark["object"];
    assert_eq!(object["apiVersion"], "v1", "{what}: {bookmark}");
    assert_eq!(object["kind"], "ConfigMap", "{what}: {bookmark}");
    assert_eq!(
        object["metadata"]["annotations"]["k8s.io/initial-events-end"], "true",
        "{what}: {bookmark}"
    );
    let bookmark_rv: i64 = object["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or_else(|| panic!("{what}: bookmark without a resourceVersion: {bookmark}"));
    assert!(
        bookmark_rv >= newest,
        "{what}: the bookmark ({bookmark_rv}) is older than the listed state ({newest})"
    );
    // The watch goes on after the initial events.
    create_config_map(client, ns, "s3").await;
    let event = next_event(&mut watch, what).await;
    assert_eq!(event["type"], "ADDED", "{what}: {event}");
    assert_eq!(event["object"]["metadata"]["name"], "s3", "{what}: {event}");
}

async fn watch_from_a_compacted_revision_is_an_expired_error_event(client: &Https) {
    let ns = "expired";
    create_namespace(client, ns).await;
    let old = create_config_map(client, ns, "c1").await;
    // Changes after `old`, so a watch from it that is not expired yet streams them at once.
    let path = format!("/api/v1/namespaces/{ns}/configmaps/c1");
    for value in ["1", "2"] {
        let (status, body) = client
            .send_json(
                "PATCH",
                &path,
                "application/merge-patch+json",
                &json!({"data": {"a": value}}),
            )
            .await;
        assert_eq!(status, 200, "patch c1: {body}");
    }
    // The compactor runs every second; poll until `old` is compacted away.
    let what = format!("watch from compacted resourceVersion {old}");
    let deadline = tokio::time::Instant::now() + WAIT;
    let (mut watch, line) = loop {
        let mut watch = client
            .get(
                &format!("/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={old}"),
                &[("Accept", "application/json")],
            )
            .await;
        match watch.next_line(WAIT).await {
            Ok(Some(line)) if line.contains(r#""type":"ERROR""#) => break (watch, line),
            other if tokio::time::Instant::now() > deadline => panic!(
                "{what}: not expired after {WAIT:?}; the last reply was HTTP {}, first line {other:?}",
                watch.status
            ),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let status = watch.status;
    assert!(
        matches!(watch.next_line(WAIT).await, Ok(None)),
        "{what}: the watch goes on after the ERROR event"
    );
    // An HTTP 410 would leave kube-rs retrying the same revision forever: it must be 200 + ERROR.
    assert_eq!(status, 200, "{what}: {line}");
    assert!(line.ends_with('\n'), "{what}: {line:?}");
    let event: Value =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"));
    assert_eq!(event["type"], "ERROR", "{what}: {event}");
    let status = &event["object"];
    assert_eq!(status["kind"], "Status", "{what}: {event}");
    assert_eq!(status["apiVersion"], "v1", "{what}: {event}");
    assert_eq!(status["status"], "Failure", "{what}: {event}");
    assert_eq!(status["reason"], "Expired", "{what}: {event}");
    assert_eq!(status["code"], 410, "{what}: {event}");
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("too old resource version: ")),
        "{what}: {event}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_wire_contract_on_the_embedded_store() {
    wire_contract(Storage::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_wire_contract_on_etcd() {
    wire_contract(Storage::Etcd).await;
}
