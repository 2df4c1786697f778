//! Two API server replicas over one etcd keyspace, as in a highly available control plane: what is
//! written through one replica is watched, and served, through the other.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch,
    PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config, ResourceExt};
use serde_json::json;

use crate::support::server::TestServer;

/// The longest any one wait in this file may take.
const WAIT: Duration = Duration::from_secs(20);
/// How many creates, updates and deletes go through replica A.
const WRITES: usize = 200;

async fn client_for(server: &TestServer) -> Client {
    let kubeconfig = Kubeconfig::read_from(&server.kubeconfig).expect("the kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("a client config from the kubeconfig");
    Client::try_from(config).expect("a client")
}

/// Two servers on one fresh etcd prefix; `None` when etcd tests are skipped.
async fn two_replicas() -> Option<(TestServer, TestServer)> {
    let prefix = crate::storage::etcd::unique_namespace("replicas");
    let a = TestServer::start_with_prefix(&prefix, &[]).await?;
    let b = TestServer::start_with_prefix(&prefix, &[])
        .await
        .expect("etcd is there for the second replica too");
    Some((a, b))
}

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"round": "0"}}))
        .expect("a ConfigMap")
}

/// What a watcher should see for one write: event type, name, resourceVersion.
type Seen = (&'static str, String, String);

fn seen(kind: &'static str, cm: &ConfigMap) -> Seen {
    (
        kind,
        cm.name_any(),
        cm.resource_version().expect("a resourceVersion"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_through_one_replica_sees_every_write_through_the_other_once_in_order_on_etcd() {
    let Some((a, b)) = two_replicas().await else {
        return;
    };
    let (client_a, client_b) = (client_for(&a).await, client_for(&b).await);
    let namespace: Namespace =
        serde_json::from_value(json!({"metadata": {"name": "replicated"}})).expect("a Namespace");
    Api::<Namespace>::all(client_a.clone())
        .create(&PostParams::default(), &namespace)
        .await
        .expect("create the namespace through A");
    let on_a: Api<ConfigMap> = Api::namespaced(client_a, "replicated");
    let on_b: Api<ConfigMap> = Api::namespaced(client_b, "replicated");

    // Watch through B from the revision of a list through B, reading as the writes happen.
    let list = on_b.list(&ListParams::default()).await.expect("list on B");
    assert!(list.items.is_empty());
    let from = list
        .metadata
        .resource_version
        .expect("a list resourceVersion");
    let mut stream = on_b
        .watch(&WatchParams::default(), &from)
        .await
        .expect("watch on B")
        .boxed();
    let reader = tokio::spawn(async move {
        let mut events: Vec<Seen> = Vec::new();
        loop {
            let event = tokio::time::timeout(WAIT, stream.try_next())
                .await
                .unwrap_or_else(|_| panic!("no watch event within {WAIT:?} after {events:?}"))
                .expect("the watch on B does not fail")
                .expect("the watch on B does not end");
            let event = match event {
                WatchEvent::Added(cm) => seen("ADDED", &cm),
                WatchEvent::Modified(cm) => seen("MODIFIED", &cm),
                WatchEvent::Deleted(cm) => seen("DELETED", &cm),
                WatchEvent::Bookmark(_) => continue,
                WatchEvent::Error(status) => panic!("an ERROR event on B: {status:?}"),
            };
            let done = event.1 == "sentinel";
            events.push(event);
            if done {
                return events;
            }
        }
    });

    // Rounds of: create two, update both, delete the first.
    let mut expected: Vec<Seen> = Vec::new();
    for round in 0..WRITES / 5 {
        let names = [
            format!("cm-{:03}", 2 * round),
            format!("cm-{:03}", 2 * round + 1),
        ];
        for name in &names {
            let created = on_a
                .create(&PostParams::default(), &config_map(name))
                .await
                .expect("create through A");
            expected.push(seen("ADDED", &created));
        }
        for name in &names {
            let patch = Patch::Merge(json!({"data": {"round": round.to_string()}}));
            let updated = on_a
                .patch(name, &PatchParams::default(), &patch)
                .await
                .expect("update through A");
            expected.push(seen("MODIFIED", &updated));
        }
        let deleted = on_a
            .delete(&names[0], &DeleteParams::default())
            .await
            .expect("delete through A")
            .left()
            .expect("the deleted object comes back");
        expected.push(seen("DELETED", &deleted));
    }
    assert_eq!(expected.len(), WRITES);
    // A last write marks the end: everything before it must have arrived, and nothing twice.
    let sentinel = on_a
        .create(&PostParams::default(), &config_map("sentinel"))
        .await
        .expect("create the sentinel through A");
    expected.push(seen("ADDED", &sentinel));

    let events = reader.await.expect("the watch reader");
    if let Some(i) =
        (0..expected.len().max(events.len())).find(|&i| expected.get(i) != events.get(i))
    {
        panic!(
            "B's watch differs from A's writes at event {i}: expected {:?}, got {:?}\n\
             ({} writes, {} events; expected {:?}; got {:?})",
            expected.get(i),
            events.get(i),
            expected.len(),
            events.len(),
            &expected[i.saturating_sub(2)..(i + 3).min(expected.len())],
            &events[i.saturating_sub(2)..(i + 3).min(events.len())],
        );
    }
    let revisions: Vec<i64> = events
        .iter()
        .map(|(_, _, rv)| rv.parse().expect("a numeric resourceVersion"))
        .collect();
    assert!(
        revisions.windows(2).all(|w| w[0] < w[1]),
        "resourceVersions increase strictly"
    );
    b.stop().await;
    a.stop().await;
}

fn widgets_crd() -> CustomResourceDefinition {
    serde_json::from_value(json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.replicas.example.com"},
        "spec": {
            "group": "replicas.example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                }}},
            }],
        },
    }))
    .expect("a CRD")
}

/// Polls until listing `api` succeeds (`serving`) or answers 404 (not serving), within [`WAIT`].
async fn wait_until_served(api: &Api<DynamicObject>, serving: bool, what: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match api.list(&ListParams::default()).await {
            Ok(_) if serving => return,
            Err(kube::Error::Api(status)) if status.code == 404 && !serving => return,
            Ok(_) | Err(kube::Error::Api(_)) => {}
            Err(other) => panic!("{what}: listing failed: {other}"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: not {} within {WAIT:?}",
            if serving { "served" } else { "gone" }
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crd_created_through_one_replica_is_served_by_the_other_on_etcd() {
    let Some((a, b)) = two_replicas().await else {
        return;
    };
    let (client_a, client_b) = (client_for(&a).await, client_for(&b).await);
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("replicas.example.com", "v1", "Widget"),
        "widgets",
    );
    let widgets_on_a: Api<DynamicObject> =
        Api::namespaced_with(client_a.clone(), "default", &resource);
    let widgets_on_b: Api<DynamicObject> = Api::namespaced_with(client_b, "default", &resource);
    let status = match widgets_on_b.list(&ListParams::default()).await {
        Err(kube::Error::Api(status)) => status,
        other => panic!("widgets are not served before the CRD exists: {other:?}"),
    };
    assert_eq!(status.code, 404);

    let crds: Api<CustomResourceDefinition> = Api::all(client_a);
    crds.create(&PostParams::default(), &widgets_crd())
        .await
        .expect("create the CRD through A");
    wait_until_served(&widgets_on_b, true, "widgets on B").await;

    // Both replicas serve the kind: a widget written through B reads back through A.
    let mut widget = DynamicObject::new("w1", &resource);
    widget.data = json!({"spec": {"size": 3}});
    widgets_on_b
        .create(&PostParams::default(), &widget)
        .await
        .expect("create a widget through B");
    let read = widgets_on_a.get("w1").await.expect("read it through A");
    assert_eq!(read.data["spec"]["size"], 3);

    // And deleting the CRD through A stops B serving it.
    crds.delete("widgets.replicas.example.com", &DeleteParams::default())
        .await
        .expect("delete the CRD through A");
    wait_until_served(
        &widgets_on_b,
        false,
        "widgets on B after the CRD's deletion",
    )
    .await;
    b.stop().await;
    a.stop().await;
}
