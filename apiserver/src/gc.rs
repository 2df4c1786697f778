//! The in-server lifecycle controller: namespace deletion and garbage collection by ownerReferences.
//!
//! It keeps a graph of every object's identity, owners and deletion state (from one list and watch
//! of the whole key space) and acts on it:
//! * a terminating namespace has all its objects deleted, then goes itself;
//! * an object whose owners are all gone is deleted (background propagation);
//! * an owner held by `foregroundDeletion` has its dependents deleted first, then loses the finalizer;
//! * an owner held by `orphan` has its dependents' references to it removed, then loses the finalizer.
//!
//! Ownership: this controller is the only remover of the `foregroundDeletion` and `orphan` finalizers
//! and the only deleter of namespace objects. Every action is a compare-and-swap on the revision it
//! read; a lost race is retried on the next event or resync.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde_json::Value;
use tokio::sync::watch;

use crate::http::AppState;
use crate::http::object;
use crate::lifecycle::{delete_object, parse_key, remove_finalizer};
use crate::storage::{Event, EventKind, KeyValue, ListOptions, StorageError, Store};

pub const FOREGROUND: &str = "foregroundDeletion";
pub const ORPHAN: &str = "orphan";

/// How often the whole graph is re-examined (retries after lost races, missed work).
const RESYNC: Duration = Duration::from_secs(5);
/// The shortest time between two scans of the graph after changes.
const ACT_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Debug, Clone)]
struct Node {
    uid: String,
    namespace: Option<String>,
    owners: Vec<String>,
    finalizers: Vec<String>,
    deleting: bool,
    is_namespace: bool,
}

impl Node {
    fn from_kv(kv: &KeyValue) -> Option<Node> {
        let object: Value = serde_json::from_slice(&kv.value).ok()?;
        let key = parse_key(&kv.key)?;
        let strings = |pointer: &str| -> Vec<String> {
            object
                .pointer(pointer)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Node {
            uid: object::meta_str(&object, "uid")?.to_string(),
            namespace: key.namespace,
            owners: object
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .map(|refs| {
                    refs.iter()
                        .filter_map(|r| r.get("uid").and_then(Value::as_str))
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            finalizers: strings("/metadata/finalizers"),
            deleting: object::meta_str(&object, "deletionTimestamp").is_some(),
            is_namespace: key.group.is_empty() && key.resource == "namespaces",
        })
    }
}

/// Every object's identity and links, by storage key.
#[derive(Default)]
struct Graph {
    nodes: HashMap<String, Node>,
    by_uid: HashMap<String, String>,
    dependents: HashMap<String, HashSet<String>>,
}

impl Graph {
    fn remove(&mut self, key: &str) -> Option<Node> {
        let node = self.nodes.remove(key)?;
        self.by_uid.remove(&node.uid);
        for owner in &node.owners {
            if let Some(set) = self.dependents.get_mut(owner) {
                set.remove(key);
                if set.is_empty() {
                    self.dependents.remove(owner);
                }
            }
        }
        Some(node)
    }

    fn upsert(&mut self, key: &str, node: Node) {
        self.remove(key);
        self.by_uid.insert(node.uid.clone(), key.to_string());
        for owner in &node.owners {
            self.dependents
                .entry(owner.clone())
                .or_default()
                .insert(key.to_string());
        }
        self.nodes.insert(key.to_string(), node);
    }

    fn apply(&mut self, event: &Event) {
        match event.kind {
            EventKind::Delete => {
                self.remove(&event.kv.key);
            }
            EventKind::Put => match Node::from_kv(&event.kv) {
                Some(node) => self.upsert(&event.kv.key, node),
                None => {
                    self.remove(&event.kv.key);
                }
            },
        }
    }

    /// The actions the graph calls for now.
    fn work(&self) -> Vec<Action> {
        let mut actions = Vec::new();
        let terminating: HashSet<String> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.is_namespace && n.deleting)
            .filter_map(|(key, _)| parse_key(key).map(|k| k.name))
            .collect();
        let existing_namespaces: HashSet<String> = self
            .nodes
            .iter()
            .filter(|(_, n)| n.is_namespace)
            .filter_map(|(key, _)| parse_key(key).map(|k| k.name))
            .collect();
        let mut populated: HashSet<&str> = HashSet::new();
        for (key, node) in &self.nodes {
            if let Some(ns) = node.namespace.as_deref()
                && terminating.contains(ns)
            {
                populated.insert(ns);
                if !node.deleting || node.finalizers.is_empty() {
                    actions.push(Action::Delete(key.clone(), None));
                }
                continue;
            }
            // Objects in a namespace that does not exist (created in a race with its deletion).
            if let Some(ns) = node.namespace.as_deref()
                && !existing_namespaces.contains(ns)
                && !node.deleting
            {
                actions.push(Action::Delete(key.clone(), None));
                continue;
            }
            // Dangling dependents: every owner is gone.
            if !node.owners.is_empty()
                && !node.deleting
                && node.owners.iter().all(|uid| !self.by_uid.contains_key(uid))
            {
                actions.push(Action::Delete(key.clone(), None));
            }
            if node.deleting {
                let dependents = self.dependents.get(&node.uid);
                if node.finalizers.iter().any(|f| f == FOREGROUND) {
                    match dependents {
                        Some(set) if !set.is_empty() => {
                            for dependent in set {
                                actions.push(Action::Delete(dependent.clone(), Some(FOREGROUND)));
                            }
                        }
                        _ => actions.push(Action::RemoveFinalizer(key.clone(), FOREGROUND)),
                    }
                }
                if node.finalizers.iter().any(|f| f == ORPHAN) {
                    for dependent in dependents.into_iter().flatten() {
                        actions.push(Action::Orphan(dependent.clone(), node.uid.clone()));
                    }
                    if dependents.is_none_or(|d| d.is_empty()) {
                        actions.push(Action::RemoveFinalizer(key.clone(), ORPHAN));
                    }
                }
            }
        }
        for (key, node) in &self.nodes {
            if node.is_namespace
                && node.deleting
                && let Some(name) = parse_key(key).map(|k| k.name)
                && !populated.contains(name.as_str())
            {
                actions.push(Action::DeleteNamespace(key.clone()));
            }
        }
        actions
    }
}

/// Which namespaces exist and which are terminating, as this controller's watch last saw them; the
/// API server's create path consults it instead of reading storage (kube-apiserver's namespace
/// lifecycle admission does the same with an informer). A namespace it does not know is looked up
/// in storage, so a namespace created a moment ago is never refused.
#[derive(Debug, Default)]
pub struct NamespaceCache {
    /// `None` until the first list is in; name → terminating.
    known: std::sync::RwLock<Option<HashMap<String, bool>>>,
}

impl NamespaceCache {
    /// `Some(terminating)` for a namespace the cache knows, `None` when it must be looked up.
    pub fn lookup(&self, name: &str) -> Option<bool> {
        self.known
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()?
            .get(name)
            .copied()
    }

    fn replace(&self, graph: &Graph) {
        let map = graph
            .nodes
            .iter()
            .filter(|(_, n)| n.is_namespace)
            .filter_map(|(key, n)| parse_key(key).map(|k| (k.name, n.deleting)))
            .collect();
        *self.known.write().unwrap_or_else(|p| p.into_inner()) = Some(map);
    }

    fn observe(&self, event: &Event) {
        let Some(key) = parse_key(&event.kv.key) else {
            return;
        };
        if !(key.group.is_empty() && key.resource == "namespaces") {
            return;
        }
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        let Some(map) = known.as_mut() else { return };
        match (event.kind, Node::from_kv(&event.kv)) {
            (EventKind::Put, Some(node)) => {
                map.insert(key.name, node.deleting);
            }
            _ => {
                map.remove(&key.name);
            }
        }
    }

    fn reset(&self) {
        *self.known.write().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Action {
    Delete(String, Option<&'static str>),
    RemoveFinalizer(String, &'static str),
    Orphan(String, String),
    DeleteNamespace(String),
}

async fn perform(store: &dyn Store, action: &Action) -> Result<(), StorageError> {
    let key = match action {
        Action::Delete(key, _)
        | Action::RemoveFinalizer(key, _)
        | Action::Orphan(key, _)
        | Action::DeleteNamespace(key) => key,
    };
    let kv = match store.get(key).await {
        Ok(kv) => kv,
        Err(StorageError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    match action {
        Action::Delete(_, extra) => delete_object(store, &kv, *extra).await.map(|_| ()),
        Action::RemoveFinalizer(_, finalizer) => {
            remove_finalizer(store, &kv, finalizer).await.map(|_| ())
        }
        Action::Orphan(_, owner_uid) => {
            let Ok(mut object) = serde_json::from_slice::<Value>(&kv.value) else {
                return Ok(());
            };
            if let Some(refs) = object
                .pointer_mut("/metadata/ownerReferences")
                .and_then(Value::as_array_mut)
            {
                refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(owner_uid));
            }
            // An empty list is omitted, as Kubernetes serialises it.
            if object
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(Vec::is_empty)
                && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
            {
                meta.remove("ownerReferences");
            }
            match store
                .update(key, object::to_storage(&object), kv.mod_revision)
                .await
            {
                Ok(_) | Err(StorageError::Conflict { .. }) | Err(StorageError::NotFound { .. }) => {
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
        Action::DeleteNamespace(_) => match store.delete(key, Some(kv.mod_revision)).await {
            Ok(_) | Err(StorageError::Conflict { .. }) | Err(StorageError::NotFound { .. }) => {
                Ok(())
            }
            Err(e) => Err(e),
        },
    }
}

async fn act(store: &dyn Store, graph: &Graph, done: &mut HashSet<Action>) {
    for action in graph.work() {
        // Each action once per graph state; the resync clears this so lost races are retried.
        if !done.insert(action.clone()) {
            continue;
        }
        if let Err(error) = perform(store, &action).await {
            tracing::warn!(?action, %error, "lifecycle action failed; retrying later");
            done.remove(&action);
        }
    }
}

/// Runs until `shutdown`.
pub async fn run(state: Arc<AppState>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let store = Arc::clone(&state.store);
        let cache = Arc::clone(&state);
        let session = async move {
            let mut graph = Graph::default();
            let mut revision = None;
            let mut token = None;
            loop {
                let page = store
                    .list(
                        "/",
                        ListOptions {
                            revision,
                            limit: Some(1000),
                            continue_token: token.take(),
                        },
                    )
                    .await?;
                revision = Some(page.revision);
                for kv in &page.items {
                    if let Some(node) = Node::from_kv(kv) {
                        graph.upsert(&kv.key, node);
                    }
                }
                match page.continue_token {
                    Some(next) => token = Some(next),
                    None => break,
                }
            }
            let mut events = store.watch("/", revision).await?;
            cache.namespaces.replace(&graph);
            let mut done = HashSet::new();
            act(store.as_ref(), &graph, &mut done).await;
            // Events only update the graph; acting (a scan of the graph) happens at most every
            // `ACT_INTERVAL` while there were changes, and at every resync.
            let mut resync = tokio::time::interval(RESYNC);
            let mut tick = tokio::time::interval(ACT_INTERVAL);
            let mut dirty = false;
            loop {
                tokio::select! {
                    event = events.next() => match event {
                        Some(Ok(event)) => {
                            graph.apply(&event);
                            cache.namespaces.observe(&event);
                            dirty = true;
                        }
                        Some(Err(error)) => return Err(error),
                        None => return Ok(()),
                    },
                    _ = tick.tick(), if dirty => {
                        dirty = false;
                        done.clear();
                        act(store.as_ref(), &graph, &mut done).await;
                    }
                    _ = resync.tick() => {
                        done.clear();
                        act(store.as_ref(), &graph, &mut done).await;
                    }
                }
            }
        };
        tokio::select! {
            result = session => {
                if let Err(error) = result {
                    tracing::warn!(%error, "lifecycle controller lost its watch; listing again");
                }
            }
            _ = shutdown.changed() => return,
        }
        state.namespaces.reset();
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Revision;
    use serde_json::json;

    fn kv(key: &str, object: Value) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: bytes::Bytes::from(serde_json::to_vec(&object).unwrap()),
            create_revision: Revision(1),
            mod_revision: Revision(1),
        }
    }

    fn graph(objects: &[(&str, Value)]) -> Graph {
        let mut graph = Graph::default();
        for (key, object) in objects {
            graph.upsert(key, Node::from_kv(&kv(key, object.clone())).unwrap());
        }
        graph
    }

    fn ns(name: &str, deleting: bool) -> (String, Value) {
        let mut meta = json!({"name": name, "uid": format!("ns-{name}")});
        if deleting {
            meta["deletionTimestamp"] = "2026-01-01T00:00:00Z".into();
        }
        (
            format!("/core/namespaces/{name}"),
            json!({"metadata": meta}),
        )
    }

    fn cm(ns: &str, name: &str, extra: Value) -> (String, Value) {
        let mut meta = json!({"name": name, "namespace": ns, "uid": format!("{ns}-{name}")});
        if let Value::Object(more) = extra {
            meta.as_object_mut().unwrap().extend(more);
        }
        (
            format!("/core/configmaps/{ns}/{name}"),
            json!({"metadata": meta}),
        )
    }

    fn work(objects: Vec<(String, Value)>) -> HashSet<Action> {
        let refs: Vec<(&str, Value)> = objects
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        graph(&refs).work().into_iter().collect()
    }

    #[test]
    fn a_dependent_whose_owners_are_all_gone_is_deleted() {
        let actions = work(vec![
            ns("a", false),
            cm("a", "dep", json!({"ownerReferences": [{"uid": "gone"}]})),
            cm(
                "a",
                "kept",
                json!({"ownerReferences": [{"uid": "gone"}, {"uid": "a-owner"}]}),
            ),
            cm("a", "owner", json!({})),
        ]);
        assert!(actions.contains(&Action::Delete("/core/configmaps/a/dep".into(), None)));
        assert!(
            !actions
                .iter()
                .any(|a| matches!(a, Action::Delete(k, _) if k.ends_with("kept")))
        );
    }

    #[test]
    fn a_terminating_namespace_is_emptied_then_deleted() {
        let actions = work(vec![ns("t", true), cm("t", "x", json!({}))]);
        assert_eq!(
            actions,
            HashSet::from([Action::Delete("/core/configmaps/t/x".into(), None)])
        );
        let actions = work(vec![ns("t", true)]);
        assert_eq!(
            actions,
            HashSet::from([Action::DeleteNamespace("/core/namespaces/t".into())])
        );
    }

    #[test]
    fn objects_in_a_namespace_that_does_not_exist_are_deleted() {
        let actions = work(vec![cm("ghost", "x", json!({}))]);
        assert_eq!(
            actions,
            HashSet::from([Action::Delete("/core/configmaps/ghost/x".into(), None)])
        );
    }

    #[test]
    fn foreground_and_orphan_owners_wait_for_their_dependents() {
        let deleting = |finalizer: &str| json!({"deletionTimestamp": "2026-01-01T00:00:00Z", "finalizers": [finalizer]});
        let dependent = cm("a", "dep", json!({"ownerReferences": [{"uid": "a-owner"}]}));
        let actions = work(vec![
            ns("a", false),
            cm("a", "owner", deleting(FOREGROUND)),
            dependent.clone(),
        ]);
        assert_eq!(
            actions,
            HashSet::from([Action::Delete(
                "/core/configmaps/a/dep".into(),
                Some(FOREGROUND)
            )])
        );
        let actions = work(vec![ns("a", false), cm("a", "owner", deleting(FOREGROUND))]);
        assert_eq!(
            actions,
            HashSet::from([Action::RemoveFinalizer(
                "/core/configmaps/a/owner".into(),
                FOREGROUND
            )])
        );
        let actions = work(vec![
            ns("a", false),
            cm("a", "owner", deleting(ORPHAN)),
            dependent,
        ]);
        assert_eq!(
            actions,
            HashSet::from([Action::Orphan(
                "/core/configmaps/a/dep".into(),
                "a-owner".into()
            )])
        );
    }
}
