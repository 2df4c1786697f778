//! What every controller shares: the federation client, the informers over Karmada's objects and
//! the resource templates, member clients, metrics and the shutdown signal.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{
    ClusterOverridePolicy, ClusterPropagationPolicy, OverridePolicy, PropagationPolicy,
};
use karmada_api::work::v1alpha1::Work;
use karmada_api::work::v1alpha2::{ClusterResourceBinding, ResourceBinding};
use kube::Client;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use tokio::sync::watch;

use crate::members::MemberClients;
use crate::runtime::{Informer, Metrics};

/// The federation-side informers. Started once per process; controllers read their caches and
/// register change handlers.
#[derive(Clone)]
pub struct Informers {
    pub clusters: Informer<Cluster>,
    pub works: Informer<Work>,
    /// Works by owning binding.
    pub work_index: WorkIndex,
    pub resource_bindings: Informer<ResourceBinding>,
    pub cluster_resource_bindings: Informer<ClusterResourceBinding>,
    pub propagation_policies: Informer<PropagationPolicy>,
    pub cluster_propagation_policies: Informer<ClusterPropagationPolicy>,
    pub override_policies: Informer<OverridePolicy>,
    pub cluster_override_policies: Informer<ClusterOverridePolicy>,
}

impl Informers {
    pub fn start(client: &Client, shutdown: &watch::Receiver<bool>) -> Informers {
        let config = watcher::Config::default;
        let works = Informer::start(Api::all(client.clone()), config(), shutdown.clone());
        Informers {
            clusters: Informer::start(Api::all(client.clone()), config(), shutdown.clone()),
            work_index: WorkIndex::follow(&works),
            works,
            resource_bindings: Informer::start(
                Api::all(client.clone()),
                config(),
                shutdown.clone(),
            ),
            cluster_resource_bindings: Informer::start(
                Api::all(client.clone()),
                config(),
                shutdown.clone(),
            ),
            propagation_policies: Informer::start(
                Api::all(client.clone()),
                config(),
                shutdown.clone(),
            ),
            cluster_propagation_policies: Informer::start(
                Api::all(client.clone()),
                config(),
                shutdown.clone(),
            ),
            override_policies: Informer::start(
                Api::all(client.clone()),
                config(),
                shutdown.clone(),
            ),
            cluster_override_policies: Informer::start(
                Api::all(client.clone()),
                config(),
                shutdown.clone(),
            ),
        }
    }

    /// Waits until every cache holds its first list.
    pub async fn ready(&self) {
        self.clusters.ready().await;
        self.works.ready().await;
        self.resource_bindings.ready().await;
        self.cluster_resource_bindings.ready().await;
        self.propagation_policies.ready().await;
        self.cluster_propagation_policies.ready().await;
        self.override_policies.ready().await;
        self.cluster_override_policies.ready().await;
    }

    pub fn cluster(&self, name: &str) -> Option<Arc<Cluster>> {
        self.clusters.store().get(&ObjectRef::new(name))
    }
}

type TemplateHandler = Arc<dyn Fn(&TemplateResource, &DynamicObject, bool) + Send + Sync>;

/// A kind of resource template the federation serves.
#[derive(Clone)]
pub struct TemplateResource {
    pub resource: ApiResource,
    pub namespaced: bool,
    pub informer: Informer<DynamicObject>,
}

/// The resource templates being watched, by `(apiVersion, kind)`: the detector adds and removes
/// kinds as discovery finds them; other controllers read objects and get change callbacks for
/// every kind, current and future.
#[derive(Clone, Default)]
pub struct Templates {
    inner: Arc<RwLock<TemplatesInner>>,
}

#[derive(Default)]
struct TemplatesInner {
    kinds: HashMap<(String, String), TemplateResource>,
    handlers: Vec<TemplateHandler>,
}

impl Templates {
    /// The watched kind `apiVersion`/`kind`, if any.
    pub fn get(&self, api_version: &str, kind: &str) -> Option<TemplateResource> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner
            .kinds
            .get(&(api_version.to_string(), kind.to_string()))
            .cloned()
    }

    /// Every watched kind.
    pub fn all(&self) -> Vec<TemplateResource> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner.kinds.values().cloned().collect()
    }

    /// One object from the caches.
    pub fn object(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<DynamicObject>> {
        let kind = self.get(api_version, kind)?;
        let mut key = ObjectRef::new_with(name, kind.resource.clone());
        if kind.namespaced {
            key = key.within(namespace);
        }
        kind.informer.store().get(&key)
    }

    /// Starts calling `handler` for every object of every kind, now and later.
    pub fn on_change(
        &self,
        handler: impl Fn(&TemplateResource, &DynamicObject, bool) + Send + Sync + 'static,
    ) {
        let handler: TemplateHandler = Arc::new(handler);
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        for kind in inner.kinds.values() {
            let (kind_for_handler, handler) = (kind.clone(), handler.clone());
            kind.informer
                .on_change(move |object, deleted| handler(&kind_for_handler, object, deleted));
        }
        inner.handlers.push(handler);
    }

    /// Adds a kind (no-op when present); every registered handler is attached to it.
    pub fn insert(&self, kind: TemplateResource) {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let key = (
            kind.resource.api_version.clone(),
            kind.resource.kind.clone(),
        );
        if inner.kinds.contains_key(&key) {
            return;
        }
        for handler in &inner.handlers {
            let (kind_for_handler, handler) = (kind.clone(), handler.clone());
            kind.informer
                .on_change(move |object, deleted| handler(&kind_for_handler, object, deleted));
        }
        inner.kinds.insert(key, kind);
    }

    /// Removes kinds not in `keep`; returns the removed ones (their watches are ended by the caller).
    pub fn retain(&self, keep: &dyn Fn(&(String, String)) -> bool) -> Vec<TemplateResource> {
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let gone: Vec<(String, String)> =
            inner.kinds.keys().filter(|k| !keep(k)).cloned().collect();
        gone.into_iter()
            .filter_map(|k| inner.kinds.remove(&k))
            .collect()
    }
}

/// Works by the permanent id of the binding that owns them (the value of its
/// `resourcebinding.karmada.io/permanent-id` or `clusterresourcebinding.karmada.io/permanent-id`
/// label), kept by the Work informer, so that finding a binding's Works does not scan every Work.
#[derive(Clone, Default)]
pub struct WorkIndex {
    by_owner: Arc<RwLock<HashMap<String, std::collections::BTreeSet<Key>>>>,
}

impl WorkIndex {
    /// Starts following `works`.
    pub fn follow(works: &Informer<Work>) -> WorkIndex {
        let index = WorkIndex::default();
        let writer = index.clone();
        works.on_change(move |work, deleted| {
            let key = Key::of(work);
            let labels = work.metadata.labels.as_ref();
            let ids = [
                karmada_api::names::RESOURCE_BINDING_PERMANENT_ID_LABEL,
                karmada_api::names::CLUSTER_RESOURCE_BINDING_PERMANENT_ID_LABEL,
            ]
            .into_iter()
            .filter_map(|label| labels.and_then(|l| l.get(label)).cloned());
            let mut by_owner = writer.by_owner.write().unwrap_or_else(|p| p.into_inner());
            // A Work's owner label never changes in practice; remove the key everywhere on delete.
            if deleted {
                by_owner.retain(|_, keys| {
                    keys.remove(&key);
                    !keys.is_empty()
                });
            } else {
                for id in ids {
                    by_owner.entry(id).or_default().insert(key.clone());
                }
            }
        });
        index
    }

    /// The Works whose owner has permanent id `id`, from `works`' cache.
    pub fn owned_by(&self, works: &Informer<Work>, id: &str) -> Vec<Arc<Work>> {
        let keys: Vec<Key> = self
            .by_owner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .map(|keys| keys.iter().cloned().collect())
            .unwrap_or_default();
        keys.iter()
            .filter_map(|key| works.store().get(&key.object_ref()))
            .collect()
    }
}

/// Everything a controller needs.
#[derive(Clone)]
pub struct Context {
    pub client: Client,
    pub informers: Informers,
    pub templates: Templates,
    pub members: Arc<dyn MemberClients>,
    pub metrics: Arc<Metrics>,
    pub shutdown: watch::Receiver<bool>,
}

/// The key of a namespaced or cluster-scoped object.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub namespace: Option<String>,
    pub name: String,
}

impl Key {
    pub fn namespaced(namespace: &str, name: &str) -> Key {
        Key {
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
        }
    }

    pub fn cluster(name: &str) -> Key {
        Key {
            namespace: None,
            name: name.to_string(),
        }
    }

    /// The key of an object with this metadata (namespaced when it has a namespace).
    pub fn of<K: kube::Resource>(object: &K) -> Key {
        Key {
            namespace: object.meta().namespace.clone().filter(|n| !n.is_empty()),
            name: object.meta().name.clone().unwrap_or_default(),
        }
    }

    pub fn object_ref<K: kube::Resource<DynamicType = ()>>(&self) -> ObjectRef<K> {
        let key = ObjectRef::new(&self.name);
        match &self.namespace {
            Some(ns) => key.within(ns),
            None => key,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{ns}/{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}
