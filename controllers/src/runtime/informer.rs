//! Informers: a watch of one resource feeding a shared cache ([`Store`]) and the handlers that
//! turn changes into queue keys. Handlers hear of an object only once the cache shows it (the
//! objects of a list when the list completes), so a reconcile started by a handler always finds it;
//! a relist after a broken watch reports the objects that vanished meanwhile as deletions, so
//! handlers see every deletion.

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::{Arc, RwLock};

use futures::StreamExt;
use kube::Resource;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::store::Writer;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;
use tokio::sync::watch;

type Handler<K> = Arc<dyn Fn(&K, bool) + Send + Sync>;

/// A running watch of one resource with its cache and change handlers. Cloning shares it.
pub struct Informer<K: Resource + 'static>
where
    K::DynamicType: Eq + Hash + Clone,
{
    store: Store<K>,
    handlers: Arc<RwLock<Vec<Handler<K>>>>,
}

impl<K: Resource + 'static> Clone for Informer<K>
where
    K::DynamicType: Eq + Hash + Clone,
{
    fn clone(&self) -> Self {
        Informer {
            store: self.store.clone(),
            handlers: self.handlers.clone(),
        }
    }
}

impl<K> Informer<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + Hash + Clone + Default + Send + Sync,
{
    /// Starts watching a typed resource.
    pub fn start(api: Api<K>, config: watcher::Config, shutdown: watch::Receiver<bool>) -> Self {
        Self::start_with(api, config, K::DynamicType::default(), shutdown)
    }
}

impl<K> Informer<K>
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Eq + Hash + Clone + Send + Sync,
{
    /// Starts watching a resource whose type is known at run time (`DynamicObject`).
    pub fn start_with(
        api: Api<K>,
        config: watcher::Config,
        dyntype: K::DynamicType,
        mut shutdown: watch::Receiver<bool>,
    ) -> Self {
        let mut writer = Writer::new(dyntype.clone());
        let store = writer.as_reader();
        let handlers: Arc<RwLock<Vec<Handler<K>>>> = Arc::default();
        let informer = Informer {
            store: store.clone(),
            handlers: handlers.clone(),
        };
        tokio::spawn(async move {
            // managedFields are for the API server's apply machinery; no controller reads them,
            // and they are often the larger part of an object: not kept in the caches.
            let mut stream = watcher::watcher(api, config)
                .default_backoff()
                .modify(|object| object.meta_mut().managed_fields = None)
                .boxed();
            // Objects cached before a relist that the relist has not listed (yet).
            let mut unseen: HashSet<ObjectRef<K>> = HashSet::new();
            // Objects a (re)list brought: the cache shows them only once the list is complete,
            // so handlers hear of them then (a handler's reconcile reads the cache).
            let mut listed: Vec<K> = Vec::new();
            loop {
                let event = tokio::select! {
                    _ = super::stopped(&mut shutdown) => break,
                    event = stream.next() => event,
                };
                let event = match event {
                    Some(Ok(event)) => event,
                    Some(Err(error)) => {
                        tracing::debug!("watch error (retrying): {error}");
                        continue;
                    }
                    None => break,
                };
                let mut vanished = Vec::new();
                match &event {
                    Event::Init => {
                        listed.clear();
                        unseen = store
                            .state()
                            .iter()
                            .map(|o| ObjectRef::from_obj_with(o.as_ref(), dyntype.clone()))
                            .collect();
                    }
                    Event::InitApply(object) => {
                        unseen.remove(&ObjectRef::from_obj_with(object, dyntype.clone()));
                        listed.push(object.clone());
                    }
                    Event::InitDone => {
                        for gone in unseen.drain() {
                            if let Some(object) = store.get(&gone) {
                                vanished.push(object);
                            }
                        }
                    }
                    Event::Apply(_) | Event::Delete(_) => {}
                }
                writer.apply_watcher_event(&event);
                let handlers = handlers.read().unwrap_or_else(|p| p.into_inner());
                let dispatch = |object: &K, deleted: bool| {
                    for handler in handlers.iter() {
                        handler(object, deleted);
                    }
                };
                match &event {
                    Event::Apply(object) => dispatch(object, false),
                    Event::Delete(object) => dispatch(object, true),
                    Event::InitDone => {
                        for object in listed.drain(..) {
                            dispatch(&object, false);
                        }
                    }
                    Event::Init | Event::InitApply(_) => {}
                }
                for object in vanished {
                    dispatch(&object, true);
                }
            }
        });
        informer
    }

    /// Calls `handler(object, deleted)` for every cached object now and every change from now on.
    pub fn on_change(&self, handler: impl Fn(&K, bool) + Send + Sync + 'static) {
        let handler: Handler<K> = Arc::new(handler);
        let mut handlers = self.handlers.write().unwrap_or_else(|p| p.into_inner());
        for object in self.store.state() {
            handler(&object, false);
        }
        handlers.push(handler);
    }

    /// The cache.
    pub fn store(&self) -> &Store<K> {
        &self.store
    }

    /// Waits until the first list is in the cache.
    pub async fn ready(&self) {
        let _ = self.store.wait_until_ready().await;
    }
}

#[cfg(test)]
mod tests {
    //! The informer against a real (in-process) API server.
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use std::sync::Mutex;

    #[tokio::test]
    async fn handlers_hear_of_listed_objects_only_once_the_cache_shows_them() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("a temp dir");
        let options = <karmada_apiserver::server::Options as clap::Parser>::try_parse_from([
            "karmada-apiserver",
            "--data-dir",
            &dir.path().display().to_string(),
            "--secure-port",
            "0",
        ])
        .expect("options");
        let server = karmada_apiserver::server::start(options)
            .await
            .expect("server");
        let kubeconfig =
            kube::config::Kubeconfig::read_from(server.kubeconfig.clone().expect("kubeconfig"))
                .expect("kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
            .await
            .expect("config");
        let client = kube::Client::try_from(config).expect("client");
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        for i in 0..20 {
            let cm: ConfigMap = serde_json::from_value(
                serde_json::json!({"metadata": {"name": format!("cm-{i}")}}),
            )
            .expect("a configmap");
            api.create(&Default::default(), &cm).await.expect("created");
        }
        let (_stop, stopped) = watch::channel(false);
        let informer: Informer<ConfigMap> =
            Informer::start(api, watcher::Config::default(), stopped);
        // Registered before the list completes: every callback must find its object cached.
        let misses = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::new(Mutex::new(0usize));
        {
            let (store, misses, seen) = (informer.store().clone(), misses.clone(), seen.clone());
            informer.on_change(move |cm: &ConfigMap, _| {
                *seen.lock().unwrap() += 1;
                if store.get(&ObjectRef::from_obj(cm)).is_none() {
                    misses.lock().unwrap().push(cm.metadata.name.clone());
                }
            });
        }
        informer.ready().await;
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while *seen.lock().unwrap() < 20 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("all 20 heard of");
        assert!(
            misses.lock().unwrap().is_empty(),
            "heard of before cached: {:?}",
            misses.lock().unwrap()
        );
        server.shutdown().await;
    }
}
