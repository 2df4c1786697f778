//! Running the simulator: one watch per kind into reflector caches, the pass loop (debounced
//! events, deadlines, node heartbeats), applying a plan's writes and waiting until the caches show
//! them before the next pass.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::objects::{node_name, whole_seconds};
use super::plan::{Action, Ctx, Kind, NodeShape, Snapshot, Target};

/// Events closer together than this are handled in one pass.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often nodes report a heartbeat.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// How long a pass waits for the caches to show the previous pass's writes.
const EXPECTATION_TIMEOUT: Duration = Duration::from_secs(3);
/// Writes of one pass in flight at once.
const CONCURRENT_WRITES: usize = 8;

/// What a simulator simulates.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub member: String,
    pub shape: NodeShape,
    pub ready_delay: Duration,
}

/// The health switches of a member and the signal that wakes its simulator.
#[derive(Debug, Default)]
pub struct Health {
    unhealthy: AtomicBool,
    wake: Notify,
}

impl Health {
    pub fn set_unhealthy(&self, unhealthy: bool) {
        if self.unhealthy.swap(unhealthy, Ordering::SeqCst) != unhealthy {
            self.wake.notify_one();
        }
    }

    pub fn unhealthy(&self) -> bool {
        self.unhealthy.load(Ordering::SeqCst)
    }
}

/// A cache of one kind and the highest resourceVersion its watch has delivered.
struct Cache<K: Resource<DynamicType = ()> + Clone + 'static> {
    store: Store<K>,
    latest: Arc<AtomicI64>,
}

fn revision(meta: &ObjectMeta) -> i64 {
    meta.resource_version
        .as_deref()
        .and_then(|rv| rv.parse().ok())
        .unwrap_or(0)
}

impl<K> Cache<K>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    fn start(api: Api<K>, health: Arc<Health>, tasks: &mut Vec<JoinHandle<()>>) -> Self {
        let (store, writer) = reflector::store();
        let latest = Arc::new(AtomicI64::new(0));
        let seen = Arc::clone(&latest);
        let stream = reflector::reflector(
            writer,
            watcher(api, watcher::Config::default()).default_backoff(),
        );
        tasks.push(tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            while let Some(event) = stream.next().await {
                match event {
                    Ok(watcher::Event::Apply(o) | watcher::Event::Delete(o) | watcher::Event::InitApply(o)) => {
                        seen.fetch_max(revision(o.meta()), Ordering::SeqCst);
                    }
                    Ok(_) => {}
                    Err(error) => {
                        tracing::debug!(%error, kind = %K::kind(&()), "member watch failed; retrying");
                        continue;
                    }
                }
                health.wake.notify_one();
            }
        }));
        Cache { store, latest }
    }

    fn state(&self) -> Vec<Arc<K>> {
        self.store.state()
    }

    /// `(uid, resourceVersion)` of the cached object, and the newest revision seen for the kind.
    fn observed(&self, target: &Target) -> (Option<(String, i64)>, i64) {
        let mut key = ObjectRef::<K>::new(&target.name);
        if let Some(ns) = &target.namespace {
            key = key.within(ns);
        }
        let object = self.store.get(&key).map(|o| {
            let meta = o.meta();
            (meta.uid.clone().unwrap_or_default(), revision(meta))
        });
        (object, self.latest.load(Ordering::SeqCst))
    }
}

struct Caches {
    nodes: Cache<Node>,
    pods: Cache<Pod>,
    deployments: Cache<Deployment>,
    replicasets: Cache<ReplicaSet>,
    statefulsets: Cache<StatefulSet>,
    daemonsets: Cache<DaemonSet>,
    jobs: Cache<Job>,
    services: Cache<Service>,
}

impl Caches {
    fn start(client: &Client, health: &Arc<Health>, tasks: &mut Vec<JoinHandle<()>>) -> Caches {
        let h = || Arc::clone(health);
        Caches {
            nodes: Cache::start(Api::all(client.clone()), h(), tasks),
            pods: Cache::start(Api::all(client.clone()), h(), tasks),
            deployments: Cache::start(Api::all(client.clone()), h(), tasks),
            replicasets: Cache::start(Api::all(client.clone()), h(), tasks),
            statefulsets: Cache::start(Api::all(client.clone()), h(), tasks),
            daemonsets: Cache::start(Api::all(client.clone()), h(), tasks),
            jobs: Cache::start(Api::all(client.clone()), h(), tasks),
            services: Cache::start(Api::all(client.clone()), h(), tasks),
        }
    }

    async fn ready(&self) {
        let _ = futures::join!(
            self.nodes.store.wait_until_ready(),
            self.pods.store.wait_until_ready(),
            self.deployments.store.wait_until_ready(),
            self.replicasets.store.wait_until_ready(),
            self.statefulsets.store.wait_until_ready(),
            self.daemonsets.store.wait_until_ready(),
            self.jobs.store.wait_until_ready(),
            self.services.store.wait_until_ready(),
        );
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            nodes: self.nodes.state(),
            pods: self.pods.state(),
            deployments: self.deployments.state(),
            replicasets: self.replicasets.state(),
            statefulsets: self.statefulsets.state(),
            daemonsets: self.daemonsets.state(),
            jobs: self.jobs.state(),
            services: self.services.state(),
        }
    }

    fn observed(&self, target: &Target) -> (Option<(String, i64)>, i64) {
        match target.kind {
            Kind::Node => self.nodes.observed(target),
            Kind::Pod => self.pods.observed(target),
            Kind::Deployment => self.deployments.observed(target),
            Kind::ReplicaSet => self.replicasets.observed(target),
            Kind::StatefulSet => self.statefulsets.observed(target),
            Kind::DaemonSet => self.daemonsets.observed(target),
            Kind::Job => self.jobs.observed(target),
            Kind::Service => self.services.observed(target),
        }
    }
}

/// What the caches must show before the next pass.
#[derive(Debug)]
enum Want {
    /// The object at this revision or later (or gone, once the kind's watch passed the revision).
    AtLeast(i64),
    /// The object with this uid gone.
    Gone(String),
}

#[derive(Debug)]
struct Expectation {
    target: Target,
    want: Want,
    deadline: Instant,
}

impl Expectation {
    fn met(&self, caches: &Caches) -> bool {
        match (&self.want, caches.observed(&self.target)) {
            (Want::AtLeast(rv), (Some((_, seen)), _)) => seen >= *rv,
            (Want::AtLeast(rv), (None, latest)) => latest >= *rv,
            (Want::Gone(uid), (Some((seen, _)), _)) => seen != *uid,
            (Want::Gone(_), (None, _)) => true,
        }
    }
}

/// A running simulator.
pub struct Simulator {
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    watches: Vec<JoinHandle<()>>,
}

impl Simulator {
    pub fn start(client: Client, config: SimulatorConfig, health: Arc<Health>) -> Simulator {
        let mut watches = Vec::new();
        let caches = Caches::start(&client, &health, &mut watches);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(run(client, config, health, caches, shutdown_rx));
        Simulator {
            shutdown,
            task,
            watches,
        }
    }

    /// Stops the pass loop (after the write in flight) and the watches.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
        for watch in &self.watches {
            watch.abort();
        }
        for watch in self.watches {
            let _ = watch.await;
        }
    }
}

async fn run(
    client: Client,
    config: SimulatorConfig,
    health: Arc<Health>,
    caches: Caches,
    mut shutdown: watch::Receiver<bool>,
) {
    tokio::select! {
        _ = caches.ready() => {}
        _ = shutdown.changed() => return,
    }
    let mut bound_at: HashMap<String, Instant> = HashMap::new();
    let mut expectations: Vec<Expectation> = Vec::new();
    let mut next_heartbeat = Instant::now();
    let mut wake = Instant::now();
    loop {
        tokio::select! {
            biased;
            _ = shutdown.changed() => return,
            _ = health.wake.notified() => tokio::time::sleep(DEBOUNCE).await,
            _ = tokio::time::sleep_until(wake) => {}
        }
        let now = Instant::now();
        expectations.retain(|e| e.deadline > now && !e.met(&caches));
        if let Some(first) = expectations.iter().map(|e| e.deadline).min() {
            wake = first;
            continue;
        }
        let snapshot = caches.snapshot();
        let mut live = HashSet::new();
        for pod in &snapshot.pods {
            if let Some(uid) = pod.metadata.uid.as_deref() {
                live.insert(uid);
                if node_name(pod).is_some() {
                    bound_at.entry(uid.to_string()).or_insert(now);
                }
            }
        }
        bound_at.retain(|uid, _| live.contains(uid.as_str()));
        let heartbeat = now >= next_heartbeat;
        if heartbeat {
            next_heartbeat = now + HEARTBEAT;
        }
        let ctx = Ctx {
            member: &config.member,
            now,
            wall: whole_seconds(jiff::Timestamp::now()),
            ready_delay: config.ready_delay,
            bound_at: &bound_at,
            unhealthy: health.unhealthy(),
            heartbeat,
            node_shape: &config.shape,
        };
        let plan = super::plan_all(&snapshot, &ctx);
        let results: Vec<Option<Expectation>> = futures::stream::iter(plan.actions)
            .map(|action| apply(&client, &config.member, action))
            .buffer_unordered(CONCURRENT_WRITES)
            .collect()
            .await;
        expectations.extend(results.into_iter().flatten());
        wake = plan.wake.unwrap_or(next_heartbeat).min(next_heartbeat);
        if !expectations.is_empty() {
            wake = wake.min(now + EXPECTATION_TIMEOUT);
        }
    }
}

/// What a write leaves behind: the object's identity and revision.
enum Written {
    Object(i64),
    Gone(String),
}

fn written(meta: &ObjectMeta) -> Written {
    Written::Object(revision(meta))
}

/// A write to an existing object.
enum Op<'a> {
    Patch(&'a serde_json::Value),
    PatchStatus(&'a serde_json::Value),
    Delete(&'a str),
}

async fn write<K>(api: Api<K>, name: &str, op: Op<'_>) -> Result<Written, kube::Error>
where
    K: Resource + Clone + DeserializeOwned + serde::Serialize + Debug,
{
    let params = PatchParams::default();
    match op {
        Op::Patch(patch) => Ok(written(
            api.patch(name, &params, &Patch::Merge(patch)).await?.meta(),
        )),
        Op::PatchStatus(patch) => Ok(written(
            api.patch_status(name, &params, &Patch::Merge(patch))
                .await?
                .meta(),
        )),
        Op::Delete(uid) => {
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    uid: Some(uid.to_string()),
                    resource_version: None,
                }),
                ..DeleteParams::background()
            };
            api.delete(name, &params).await?;
            Ok(Written::Gone(uid.to_string()))
        }
    }
}

fn api<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>,
{
    // Every namespaced object the simulator writes came from the cache with its namespace.
    Api::namespaced(client.clone(), namespace.unwrap_or("default"))
}

fn target_of(action: &Action) -> Target {
    match action {
        Action::CreatePod(pod) => Target::of(Kind::Pod, &pod.metadata),
        Action::CreateReplicaSet(rs) => Target::of(Kind::ReplicaSet, &rs.metadata),
        Action::Patch { target, .. }
        | Action::PatchStatus { target, .. }
        | Action::Delete { target, .. } => target.clone(),
    }
}

/// Applies one write; a write that lost a race (gone, replaced, already there) is dropped quietly
/// and the next pass decides again.
async fn apply(client: &Client, member: &str, action: Action) -> Option<Expectation> {
    let target = target_of(&action);
    let ns = target.namespace.as_deref();
    let pp = PostParams::default();
    let result = match &action {
        Action::CreatePod(pod) => api::<Pod>(client, ns)
            .create(&pp, pod)
            .await
            .map(|o| written(&o.metadata)),
        Action::CreateReplicaSet(rs) => api::<ReplicaSet>(client, ns)
            .create(&pp, rs)
            .await
            .map(|o| written(&o.metadata)),
        Action::Patch { patch, .. } => write_any(client, &target, Op::Patch(patch)).await,
        Action::PatchStatus { patch, .. } => {
            write_any(client, &target, Op::PatchStatus(patch)).await
        }
        Action::Delete { uid, .. } => write_any(client, &target, Op::Delete(uid)).await,
    };
    let want = match result {
        Ok(Written::Object(rv)) => Want::AtLeast(rv),
        Ok(Written::Gone(uid)) => Want::Gone(uid),
        Err(kube::Error::Api(status)) if matches!(status.code, 404 | 409) => {
            tracing::debug!(member, ?target, reason = %status.reason, "simulated write lost a race");
            return None;
        }
        Err(error) => {
            tracing::warn!(member, ?target, %error, "simulated write failed");
            return None;
        }
    };
    Some(Expectation {
        target,
        want,
        deadline: Instant::now() + EXPECTATION_TIMEOUT,
    })
}

async fn write_any(client: &Client, target: &Target, op: Op<'_>) -> Result<Written, kube::Error> {
    let ns = target.namespace.as_deref();
    let name = target.name.as_str();
    match target.kind {
        Kind::Node => write(Api::<Node>::all(client.clone()), name, op).await,
        Kind::Pod => write(api::<Pod>(client, ns), name, op).await,
        Kind::Deployment => write(api::<Deployment>(client, ns), name, op).await,
        Kind::ReplicaSet => write(api::<ReplicaSet>(client, ns), name, op).await,
        Kind::StatefulSet => write(api::<StatefulSet>(client, ns), name, op).await,
        Kind::DaemonSet => write(api::<DaemonSet>(client, ns), name, op).await,
        Kind::Job => write(api::<Job>(client, ns), name, op).await,
        Kind::Service => write(api::<Service>(client, ns), name, op).await,
    }
}
