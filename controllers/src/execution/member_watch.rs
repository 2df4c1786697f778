//! Watches of the objects Karmada manages in members (label `karmada.io/managed=true`), one per
//! cluster and kind, started the first time a Work of that kind is applied there. A change to a
//! member copy — drift, deletion, new status — brings its Work back to the execution and
//! work-status controllers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use karmada_api::names;
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use tokio::sync::watch;

use crate::context::Key;
use crate::runtime::{Informer, Queue};

type WatchKey = (String, String, String); // cluster, apiVersion, kind
type Watches = HashMap<WatchKey, (Informer<DynamicObject>, watch::Sender<bool>)>;

/// The member watches of one process.
#[derive(Clone, Default)]
pub struct MemberWatches {
    watches: Arc<Mutex<Watches>>,
    queues: Arc<Mutex<Vec<Queue<Key>>>>,
}

impl MemberWatches {
    /// Adds a queue that receives the Work keys of changed member objects.
    pub fn subscribe(&self, queue: Queue<Key>) {
        self.queues
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(queue);
    }

    /// Ensures `cluster`'s objects of `resource` are watched (no-op when they are).
    pub fn ensure(&self, cluster: &str, client: &Client, resource: &ApiResource) {
        let key = (
            cluster.to_string(),
            resource.api_version.clone(),
            resource.kind.clone(),
        );
        let mut watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
        if watches.contains_key(&key) {
            return;
        }
        let (stop, stopped) = watch::channel(false);
        let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
        let config = watcher::Config::default().labels(&format!("{}=true", names::MANAGED_LABEL));
        let informer = Informer::start_with(api, config, resource.clone(), stopped);
        let queues = self.queues.clone();
        informer.on_change(move |object, _| {
            let Some(annotations) = object.metadata.annotations.as_ref() else {
                return;
            };
            if let (Some(ns), Some(name)) = (
                annotations.get(names::WORK_NAMESPACE_ANNOTATION),
                annotations.get(names::WORK_NAME_ANNOTATION),
            ) {
                for queue in queues.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                    queue.add(Key::namespaced(ns, name));
                }
            }
        });
        watches.insert(key, (informer, stop));
    }

    /// The cached member object, when its kind is watched and the cache is filled.
    pub fn cached(
        &self,
        cluster: &str,
        resource: &ApiResource,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Option<Arc<DynamicObject>>> {
        let watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
        let (informer, _) = watches.get(&(
            cluster.to_string(),
            resource.api_version.clone(),
            resource.kind.clone(),
        ))?;
        let store = informer.store();
        // Before the first list the cache proves nothing.
        if store.state().is_empty() && !ready_now(store) {
            return None;
        }
        let mut key = ObjectRef::new_with(name, resource.clone());
        if let Some(ns) = namespace {
            key = key.within(ns);
        }
        Some(store.get(&key))
    }

    /// Stops every watch of `cluster` (it left the federation).
    pub fn forget_cluster(&self, cluster: &str) {
        let mut watches = self.watches.lock().unwrap_or_else(|p| p.into_inner());
        watches.retain(|(c, _, _), (_, stop)| {
            if c == cluster {
                let _ = stop.send(true);
                false
            } else {
                true
            }
        });
    }
}

fn ready_now(store: &kube::runtime::reflector::Store<DynamicObject>) -> bool {
    use futures::FutureExt;
    store.wait_until_ready().now_or_never().is_some()
}
