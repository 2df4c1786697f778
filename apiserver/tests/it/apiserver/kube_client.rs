//! kube-rs, the client every karmada-rs controller is built on, against the API server on both
//! backends: discovery (legacy and aggregated), typed CRUD, the three patch types kube-rs sends
//! besides server-side apply, watchers (list-then-watch and streaming lists), reflectors, and a
//! watcher that has to relist because the revision it resumes from was compacted.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{
    Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams, VersionMatch,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{Discovery, Scope, verbs};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::watcher::{self, Event, watcher};
use kube::{Client, Config, ResourceExt};
use serde_json::json;

use crate::support::server::{Storage, TestServer};

/// Every wait in this file is bounded by this: a watch event, a store becoming ready.
const WAIT: Duration = Duration::from_secs(20);

/// Runs `$test(storage)` once per backend as `$test::embedded` and `$test::etcd`.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            use crate::support::server::Storage;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$test(Storage::Embedded).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn etcd() {
                super::$test(Storage::Etcd).await;
            }
        }
    )*};
}

on_both_backends!(
    discovery_finds_built_in_kinds_with_scope_and_verbs,
    config_maps_round_trip_through_typed_crud,
    merge_json_and_strategic_patches_apply,
    server_side_apply_patches_own_fields_and_report_conflicts,
    list_watch_watcher_sees_later_writes,
    streaming_list_watcher_sees_later_writes,
    reflector_store_becomes_ready_with_every_object,
    watcher_relists_after_its_revision_is_compacted,
);

/// A client built the way a controller builds one from a kubeconfig file.
async fn client_for(server: &TestServer) -> Client {
    let kubeconfig = Kubeconfig::read_from(&server.kubeconfig).expect("the kubeconfig parses");
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("a client config from the kubeconfig");
    Client::try_from(config).expect("a client")
}

fn config_map(name: &str, data: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(BTreeMap::from([("app".to_string(), "web".to_string())])),
            ..Default::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Default::default()
    }
}

async fn create_namespace(client: &Client, name: &str) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap_or_else(|e| panic!("creating namespace {name}: {e}"));
}

/// The `Status` of a failed call; panics when the call did not fail with an API error.
fn api_status<T: std::fmt::Debug>(result: kube::Result<T>) -> kube::core::Status {
    match result {
        Err(kube::Error::Api(status)) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---- discovery ------------------------------------------------------------------------------------

fn assert_discovered(discovery: &Discovery, how: &str) {
    let all_verbs = [
        verbs::CREATE,
        verbs::GET,
        verbs::LIST,
        verbs::WATCH,
        verbs::UPDATE,
        verbs::PATCH,
        verbs::DELETE,
        verbs::DELETE_COLLECTION,
    ];

    let apps = discovery
        .get("apps")
        .unwrap_or_else(|| panic!("{how}: the apps group is discovered"));
    assert_eq!(apps.preferred_version(), Some("v1"), "{how}");
    let (deployment, caps) = apps
        .recommended_kind("Deployment")
        .unwrap_or_else(|| panic!("{how}: apps/v1 Deployment is discovered"));
    assert_eq!(deployment.api_version, "apps/v1", "{how}");
    assert_eq!(deployment.plural, "deployments", "{how}");
    assert_eq!(caps.scope, Scope::Namespaced, "{how}");
    for verb in all_verbs {
        assert!(
            caps.supports_operation(verb),
            "{how}: deployments support {verb}: {:?}",
            caps.operations
        );
    }
    let subresources: Vec<&str> = caps
        .subresources
        .iter()
        .map(|(ar, _)| ar.plural.as_str())
        .collect();
    assert!(
        subresources.contains(&"scale") && subresources.contains(&"status"),
        "{how}: deployments have scale and status subresources: {subresources:?}"
    );

    let core = discovery
        .get("")
        .unwrap_or_else(|| panic!("{how}: the core group is discovered"));
    let (config_map, caps) = core
        .recommended_kind("ConfigMap")
        .unwrap_or_else(|| panic!("{how}: v1 ConfigMap is discovered"));
    assert_eq!(config_map.api_version, "v1", "{how}");
    assert_eq!(config_map.plural, "configmaps", "{how}");
    assert_eq!(caps.scope, Scope::Namespaced, "{how}");
    for verb in all_verbs {
        assert!(
            caps.supports_operation(verb),
            "{how}: configmaps support {verb}: {:?}",
            caps.operations
        );
    }
    let (namespace, caps) = core
        .recommended_kind("Namespace")
        .unwrap_or_else(|| panic!("{how}: v1 Namespace is discovered"));
    assert_eq!(namespace.plural, "namespaces", "{how}");
    assert_eq!(caps.scope, Scope::Cluster, "{how}");
}

async fn discovery_finds_built_in_kinds_with_scope_and_verbs(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = client_for(&server).await;
    let legacy = Discovery::new(client.clone())
        .run()
        .await
        .expect("legacy discovery runs");
    assert_discovered(&legacy, "legacy discovery");
    let aggregated = Discovery::new(client)
        .run_aggregated()
        .await
        .expect("aggregated discovery runs");
    assert_discovered(&aggregated, "aggregated discovery");
    server.stop().await;
}

// ---- CRUD -----------------------------------------------------------------------------------------

async fn config_maps_round_trip_through_typed_crud(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = client_for(&server).await;
    create_namespace(&client, "crud").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "crud");

    let created = api
        .create(&PostParams::default(), &config_map("cm1", &[("a", "1")]))
        .await
        .expect("create");
    assert_eq!(created.namespace().as_deref(), Some("crud"));
    assert!(created.uid().is_some(), "the server assigns a uid");
    assert!(created.creation_timestamp().is_some());
    let created_rv = created.resource_version().expect("a resourceVersion");

    let status = api_status(
        api.create(&PostParams::default(), &config_map("cm1", &[]))
            .await,
    );
    assert_eq!(
        (status.code, status.reason.as_str()),
        (409, "AlreadyExists")
    );

    let got = api.get("cm1").await.expect("get");
    assert_eq!(got.data, created.data);
    assert_eq!(got.resource_version(), Some(created_rv.clone()));

    api.create(&PostParams::default(), &config_map("cm2", &[("b", "2")]))
        .await
        .expect("create cm2");
    let mut other = config_map("cm3", &[]);
    other.metadata.labels = Some(BTreeMap::from([("app".into(), "db".into())]));
    api.create(&PostParams::default(), &other)
        .await
        .expect("create cm3");
    let list = api.list(&ListParams::default()).await.expect("list");
    let names: Vec<String> = list.items.iter().map(|cm| cm.name_any()).collect();
    assert_eq!(names, ["cm1", "cm2", "cm3"]);
    assert!(list.metadata.resource_version.is_some());
    let web = api
        .list(&ListParams::default().labels("app=web"))
        .await
        .expect("list by label");
    let names: Vec<String> = web.items.iter().map(|cm| cm.name_any()).collect();
    assert_eq!(names, ["cm1", "cm2"]);
    let page = api
        .list(&ListParams::default().limit(2))
        .await
        .expect("first page");
    assert_eq!(page.items.len(), 2);
    let token = page.metadata.continue_.expect("a continue token");
    let rest = api
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .expect("second page");
    let names: Vec<String> = rest.items.iter().map(|cm| cm.name_any()).collect();
    assert_eq!(names, ["cm3"]);

    let mut changed = got.clone();
    changed.data = Some(BTreeMap::from([("a".into(), "2".into())]));
    let replaced = api
        .replace("cm1", &PostParams::default(), &changed)
        .await
        .expect("replace with the current resourceVersion");
    assert_eq!(replaced.data, changed.data);
    assert_ne!(replaced.resource_version(), Some(created_rv));
    assert_eq!(replaced.uid(), created.uid(), "replace keeps the uid");
    // `changed` still carries the old resourceVersion: a stale replace is a conflict.
    let status = api_status(api.replace("cm1", &PostParams::default(), &changed).await);
    assert_eq!((status.code, status.reason.as_str()), (409, "Conflict"));

    let deleted = api
        .delete("cm1", &DeleteParams::default())
        .await
        .expect("delete");
    let deleted = deleted.left().expect("the deleted object comes back");
    assert_eq!(deleted.name_any(), "cm1");
    let status = api_status(api.get("cm1").await);
    assert_eq!((status.code, status.reason.as_str()), (404, "NotFound"));
    assert_eq!(status.message, r#"configmaps "cm1" not found"#);
    let status = api_status(api.delete("cm1", &DeleteParams::default()).await);
    assert_eq!((status.code, status.reason.as_str()), (404, "NotFound"));
    server.stop().await;
}

// ---- patches --------------------------------------------------------------------------------------

fn deployment() -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "labels": {"app": "web", "team": "a"},
            "finalizers": ["example.com/f1", "example.com/f2"],
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "a", "image": "a:1", "args": ["x", "y"],
                         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                        {"name": "b", "image": "b:1"},
                    ],
                    "tolerations": [{"key": "k1", "operator": "Exists"}],
                    "volumes": [{"name": "v1", "emptyDir": {}}],
                },
            },
        },
    }))
    .expect("a Deployment")
}

/// `Patch::Apply` (server-side apply) as controllers use it: create by applying, shared and
/// conflicting ownership between field managers, `force`, and dropping a field from the intent.
async fn server_side_apply_patches_own_fields_and_report_conflicts(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = client_for(&server).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(client, "default");
    let intent = |data: serde_json::Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": data});
    let alice = PatchParams::apply("alice");
    let created = config_maps
        .patch(
            "ssa",
            &alice,
            &Patch::Apply(intent(json!({"a": "1", "b": "2"}))),
        )
        .await
        .expect("apply creates");
    assert_eq!(
        created.data.as_ref().unwrap().get("b").map(String::as_str),
        Some("2")
    );
    let managers: Vec<String> = created
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.manager.clone())
        .collect();
    assert_eq!(managers, ["alice"]);

    // Bob applies a different value for `a`: a 409 conflict naming alice and the field.
    let bob = PatchParams::apply("bob");
    let conflict = config_maps
        .patch("ssa", &bob, &Patch::Apply(intent(json!({"a": "9"}))))
        .await
        .expect_err("a conflict");
    match conflict {
        kube::Error::Api(status) => {
            assert_eq!(status.code, 409);
            assert!(
                status.message.contains("conflict with \"alice\""),
                "{}",
                status.message
            );
            assert!(status.message.contains(".data.a"), "{}", status.message);
        }
        other => panic!("expected a 409, got {other:?}"),
    }
    // Forced, bob takes `a` over.
    let forced = config_maps
        .patch(
            "ssa",
            &bob.clone().force(),
            &Patch::Apply(intent(json!({"a": "9"}))),
        )
        .await
        .expect("forced apply");
    assert_eq!(
        forced.data.as_ref().unwrap().get("a").map(String::as_str),
        Some("9")
    );
    // Alice drops `b` from her intent (and no longer claims `a`): `b` goes, bob's `a` stays.
    let after = config_maps
        .patch("ssa", &alice, &Patch::Apply(intent(json!({}))))
        .await
        .expect("apply without b");
    let data = after.data.unwrap_or_default();
    assert_eq!(data.get("a").map(String::as_str), Some("9"));
    assert!(
        !data.contains_key("b"),
        "a field dropped from the intent is removed: {data:?}"
    );
    server.stop().await;
}

async fn merge_json_and_strategic_patches_apply(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = client_for(&server).await;
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    config_maps
        .create(
            &PostParams::default(),
            &config_map("cm", &[("a", "1"), ("b", "2")]),
        )
        .await
        .expect("create");
    let params = PatchParams::default();

    // JSON merge patch: null deletes, other keys merge.
    let merged = config_maps
        .patch(
            "cm",
            &params,
            &Patch::Merge(
                json!({"data": {"a": null, "c": "3"}, "metadata": {"labels": {"tier": "fe"}}}),
            ),
        )
        .await
        .expect("merge patch");
    assert_eq!(
        merged.data,
        Some(BTreeMap::from([
            ("b".into(), "2".into()),
            ("c".into(), "3".into())
        ]))
    );
    assert_eq!(
        merged.labels().get("tier").map(String::as_str),
        Some("fe"),
        "merge patch adds a label and keeps the others: {:?}",
        merged.labels()
    );
    assert_eq!(merged.labels().get("app").map(String::as_str), Some("web"));

    // JSON patch: ordered operations, with a test that guards them.
    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/data/b", "value": "2"},
        {"op": "replace", "path": "/data/b", "value": "20"},
        {"op": "add", "path": "/data/d", "value": "4"},
        {"op": "remove", "path": "/data/c"},
    ]))
    .expect("a JSON patch");
    let patched = config_maps
        .patch("cm", &params, &Patch::Json::<()>(ops))
        .await
        .expect("JSON patch");
    assert_eq!(
        patched.data,
        Some(BTreeMap::from([
            ("b".into(), "20".into()),
            ("d".into(), "4".into())
        ]))
    );
    let failing: json_patch::Patch =
        serde_json::from_value(json!([{"op": "test", "path": "/data/b", "value": "2"}]))
            .expect("a JSON patch");
    let status = api_status(
        config_maps
            .patch("cm", &params, &Patch::Json::<()>(failing))
            .await,
    );
    assert_eq!(
        (status.code, status.reason.as_str()),
        (422, "Invalid"),
        "a failed JSON patch test: {status:?}"
    );

    // Strategic merge patch on a ConfigMap (maps merge like a merge patch).
    let strategic = config_maps
        .patch(
            "cm",
            &params,
            &Patch::Strategic(json!({"data": {"d": null, "e": "5"}})),
        )
        .await
        .expect("strategic merge patch on a ConfigMap");
    assert_eq!(
        strategic.data,
        Some(BTreeMap::from([
            ("b".into(), "20".into()),
            ("e".into(), "5".into())
        ]))
    );

    // Strategic merge patch on a Deployment, with the directives kubectl sends.
    let deployments: Api<Deployment> = Api::namespaced(client, "default");
    deployments
        .create(&PostParams::default(), &deployment())
        .await
        .expect("create deployment");
    let patch = json!({
        "metadata": {
            "labels": {"team": null, "tier": "fe"},
            "$deleteFromPrimitiveList/finalizers": ["example.com/f2"],
        },
        "spec": {
            "strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": null},
            "template": {"spec": {
                "containers": [
                    {"name": "a", "image": "a:2", "args": ["z"],
                     "env": [{"name": "C", "value": "3"}, {"$patch": "delete", "name": "B"}]},
                    {"$patch": "delete", "name": "b"},
                    {"name": "c", "image": "c:1"},
                ],
                "tolerations": [{"key": "k2", "operator": "Exists"}],
                "volumes": [{"name": "v1", "$retainKeys": ["configMap", "name"],
                             "configMap": {"name": "cm"}, "emptyDir": null}],
            }},
        },
    });
    let patched = deployments
        .patch("web", &params, &Patch::Strategic(patch))
        .await
        .expect("strategic merge patch on a Deployment");
    let patched = serde_json::to_value(&patched).expect("JSON");
    assert_eq!(
        patched["metadata"]["labels"],
        json!({"app": "web", "tier": "fe"}),
        "labels: null deletes, others merge"
    );
    assert_eq!(
        patched["metadata"]["finalizers"],
        json!(["example.com/f1"]),
        "$deleteFromPrimitiveList removes one finalizer"
    );
    assert_eq!(
        patched["spec"]["strategy"],
        json!({"type": "Recreate"}),
        "$retainKeys drops rollingUpdate"
    );
    let spec = &patched["spec"]["template"]["spec"];
    let containers: Vec<(&str, &str)> = spec["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["image"].as_str().unwrap()))
        .collect();
    assert_eq!(
        containers,
        [("a", "a:2"), ("c", "c:1")],
        "containers merge by name: a updated, b deleted, c added"
    );
    assert_eq!(
        spec["containers"][0]["args"],
        json!(["z"]),
        "args have no strategy: replaced"
    );
    assert_eq!(
        spec["containers"][0]["env"],
        json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]),
        "env merges by name: B deleted, C added after A"
    );
    assert_eq!(
        spec["tolerations"],
        json!([{"key": "k2", "operator": "Exists"}]),
        "tolerations are atomic: replaced"
    );
    assert_eq!(
        spec["volumes"],
        json!([{"name": "v1", "configMap": {"name": "cm"}}]),
        "the volume source changes from emptyDir to configMap"
    );
    server.stop().await;
}

// ---- watchers and reflectors ----------------------------------------------------------------------

/// The watcher's next event, within [`WAIT`]; watcher errors fail the test.
async fn next_event<S>(events: &mut S, what: &str) -> Event<ConfigMap>
where
    S: Stream<Item = Result<Event<ConfigMap>, watcher::Error>> + Unpin,
{
    match tokio::time::timeout(WAIT, events.next()).await {
        Ok(Some(Ok(event))) => event,
        Ok(Some(Err(error))) => panic!("{what}: the watcher failed: {error}"),
        Ok(None) => panic!("{what}: the watcher ended"),
        Err(_) => panic!("{what}: no watch event within {WAIT:?}"),
    }
}

/// Reads the initial `Init, InitApply*, InitDone` sequence and returns the names listed.
async fn initial_names<S>(events: &mut S) -> Vec<String>
where
    S: Stream<Item = Result<Event<ConfigMap>, watcher::Error>> + Unpin,
{
    let first = next_event(events, "start").await;
    assert!(
        matches!(first, Event::Init),
        "first event is Init: {first:?}"
    );
    let mut names = Vec::new();
    loop {
        match next_event(events, "initial list").await {
            Event::InitApply(cm) => names.push(cm.name_any()),
            Event::InitDone => return names,
            other => panic!("unexpected event during the initial list: {other:?}"),
        }
    }
}

fn describe(event: &Event<ConfigMap>) -> (&'static str, String, Option<BTreeMap<String, String>>) {
    match event {
        Event::Apply(cm) => ("Apply", cm.name_any(), cm.data.clone()),
        Event::Delete(cm) => ("Delete", cm.name_any(), cm.data.clone()),
        Event::Init => ("Init", String::new(), None),
        Event::InitApply(cm) => ("InitApply", cm.name_any(), cm.data.clone()),
        Event::InitDone => ("InitDone", String::new(), None),
    }
}

async fn watcher_sees_later_writes(storage: Storage, config: watcher::Config) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = client_for(&server).await;
    create_namespace(&client, "watched").await;
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "watched");
    // Writes elsewhere must not show up.
    let elsewhere: Api<ConfigMap> = Api::namespaced(client, "default");
    api.create(&PostParams::default(), &config_map("before", &[("a", "1")]))
        .await
        .expect("create before");

    let mut events = watcher(api.clone(), config).boxed();
    assert_eq!(initial_names(&mut events).await, ["before"]);

    elsewhere
        .create(&PostParams::default(), &config_map("other", &[]))
        .await
        .expect("create elsewhere");
    let created = api
        .create(&PostParams::default(), &config_map("w1", &[("a", "1")]))
        .await
        .expect("create w1");
    let event = next_event(&mut events, "after create").await;
    assert_eq!(
        describe(&event),
        ("Apply", "w1".into(), created.data.clone())
    );
    if let Event::Apply(cm) = &event {
        assert_eq!(cm.resource_version(), created.resource_version());
    }

    let patched = api
        .patch(
            "w1",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"a": "2"}})),
        )
        .await
        .expect("patch w1");
    let event = next_event(&mut events, "after patch").await;
    assert_eq!(
        describe(&event),
        ("Apply", "w1".into(), patched.data.clone())
    );

    api.delete("w1", &DeleteParams::default())
        .await
        .expect("delete w1");
    let event = next_event(&mut events, "after delete").await;
    assert_eq!(describe(&event), ("Delete", "w1".into(), patched.data));
    api.delete("before", &DeleteParams::default())
        .await
        .expect("delete before");
    let event = next_event(&mut events, "after the second delete").await;
    assert_eq!(describe(&event).0, "Delete");
    assert_eq!(describe(&event).1, "before");
    // An open watch would hold the server's shutdown for its grace period.
    drop(events);
    server.stop().await;
}

async fn list_watch_watcher_sees_later_writes(storage: Storage) {
    watcher_sees_later_writes(storage, watcher::Config::default()).await;
}

async fn streaming_list_watcher_sees_later_writes(storage: Storage) {
    watcher_sees_later_writes(storage, watcher::Config::default().streaming_lists()).await;
}

async fn reflector_store_becomes_ready_with_every_object(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let client = client_for(&server).await;
    create_namespace(&client, "reflected").await;
    let api: Api<ConfigMap> = Api::namespaced(client, "reflected");
    let names: Vec<String> = (0..25).map(|i| format!("cm-{i:02}")).collect();
    for name in &names {
        api.create(&PostParams::default(), &config_map(name, &[("n", name)]))
            .await
            .expect("create");
    }

    for (how, config) in [
        ("list-watch", watcher::Config::default().page_size(10)),
        ("streaming", watcher::Config::default().streaming_lists()),
    ] {
        let (reader, writer) = reflector::store::<ConfigMap>();
        let (applied_tx, mut applied) = tokio::sync::mpsc::unbounded_channel();
        let events = reflector::reflector(writer, watcher(api.clone(), config));
        let driver = tokio::spawn(async move {
            let mut events = std::pin::pin!(events);
            while let Some(event) = events.next().await {
                if let Ok(Event::Apply(cm)) = event {
                    let _ = applied_tx.send(cm.name_any());
                }
            }
        });
        tokio::time::timeout(WAIT, reader.wait_until_ready())
            .await
            .unwrap_or_else(|_| panic!("{how}: the store is ready within {WAIT:?}"))
            .expect("the writer is alive");
        let mut stored: Vec<String> = reader.state().iter().map(|cm| cm.name_any()).collect();
        stored.sort();
        assert_eq!(stored, names, "{how}: the ready store holds every object");

        let extra = format!("extra-{how}");
        api.create(&PostParams::default(), &config_map(&extra, &[]))
            .await
            .expect("create extra");
        loop {
            let applied = tokio::time::timeout(WAIT, applied.recv())
                .await
                .unwrap_or_else(|_| panic!("{how}: the new object is seen within {WAIT:?}"))
                .expect("the reflector runs");
            if applied == extra {
                break;
            }
        }
        assert!(
            reader
                .get(&ObjectRef::new(&extra).within("reflected"))
                .is_some(),
            "{how}: the store has the object created after it became ready"
        );
        api.delete(&extra, &DeleteParams::default())
            .await
            .expect("delete extra");
        driver.abort();
    }
    server.stop().await;
}

// ---- compaction -----------------------------------------------------------------------------------

/// Waits until `revision` is compacted: an exact list at it fails with 410 Expired.
async fn wait_until_compacted(api: &Api<ConfigMap>, revision: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let params = ListParams::default()
            .at(revision)
            .matching(VersionMatch::Exact);
        match api.list(&params).await {
            Err(kube::Error::Api(status)) if status.code == 410 => {
                assert_eq!(status.reason, "Expired");
                return;
            }
            Ok(_) => {}
            Err(other) => panic!("an exact list at {revision} failed: {other}"),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "revision {revision} was not compacted within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A watcher whose connection ends (timeoutSeconds=1) resumes from the last revision it saw. Once
/// that revision is compacted the server answers with an ERROR event carrying 410, and the watcher
/// must relist (Init … InitDone) and go on delivering changes.
async fn watcher_relists_after_its_revision_is_compacted(storage: Storage) {
    let Some(server) = TestServer::start(storage, &["--compaction-interval-seconds", "1"]).await
    else {
        return;
    };
    let client = client_for(&server).await;
    create_namespace(&client, "quiet").await;
    create_namespace(&client, "busy").await;
    let quiet: Api<ConfigMap> = Api::namespaced(client.clone(), "quiet");
    let busy: Api<ConfigMap> = Api::namespaced(client, "busy");

    let mut events = watcher(quiet.clone(), watcher::Config::default().timeout(1)).boxed();
    assert!(initial_names(&mut events).await.is_empty());
    let first = quiet
        .create(&PostParams::default(), &config_map("first", &[]))
        .await
        .expect("create first");
    let event = next_event(&mut events, "first").await;
    assert_eq!(describe(&event).1, "first");
    let seen = first.resource_version().expect("a resourceVersion");

    // Move the store's revision on elsewhere until the one the watcher holds is compacted.
    for i in 0..5 {
        busy.create(&PostParams::default(), &config_map(&format!("b{i}"), &[]))
            .await
            .expect("create in busy");
    }
    wait_until_compacted(&quiet, &seen).await;

    // The watcher reconnects from `seen`, is told it expired, and relists.
    let mut expired = false;
    let relisted = loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Err(watcher::Error::WatchError(status)))) if status.code == 410 => {
                expired = true;
            }
            Ok(Some(Err(error))) => panic!("unexpected watcher error: {error}"),
            Ok(Some(Ok(Event::Init))) => {
                let mut names = Vec::new();
                loop {
                    match next_event(&mut events, "relist").await {
                        Event::InitApply(cm) => names.push(cm.name_any()),
                        Event::InitDone => break,
                        other => panic!("unexpected event during the relist: {other:?}"),
                    }
                }
                break names;
            }
            Ok(Some(Ok(other))) => panic!("unexpected event before the relist: {other:?}"),
            Ok(None) => panic!("the watcher ended"),
            Err(_) => panic!("the watcher did not relist within {WAIT:?}"),
        }
    };
    assert!(expired, "the relist was caused by a 410 ERROR event");
    assert_eq!(relisted, ["first"]);

    let second = quiet
        .create(&PostParams::default(), &config_map("second", &[]))
        .await
        .expect("create second");
    let event = next_event(&mut events, "second").await;
    assert_eq!(describe(&event).0, "Apply");
    if let Event::Apply(cm) = event {
        assert_eq!(cm.name_any(), "second");
        assert_eq!(cm.resource_version(), second.resource_version());
    }
    drop(events);
    server.stop().await;
}
