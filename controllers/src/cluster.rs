//! Cluster lifecycle and health. The cluster controller gives each Cluster its execution
//! namespace and finalizer, keeps the condition taints (`not-ready` / `unreachable`, NoSchedule)
//! in step with Ready, and on deletion removes its Works (so their member copies go first), then
//! the namespace, then the finalizer. The cluster-status controller probes push members and keeps
//! Ready, version, API enablements and node / resource summaries fresh.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Taint};
use karmada_api::cluster::v1alpha1::{
    APIEnablement, APIResource, CONDITION_READY, Cluster, ClusterStatus, NodeSummary,
    ResourceSummary,
};
use karmada_api::names;
use karmada_api::policy::quantity::Quantity;
use karmada_api::work::v1alpha1::Work;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Client, ResourceExt};
use serde_json::json;

use crate::bindings;
use crate::context::{Context, Key};
use crate::runtime::{self, Action, Queue};

pub const TAINT_NOT_READY: &str = "cluster.karmada.io/not-ready";
pub const TAINT_UNREACHABLE: &str = "cluster.karmada.io/unreachable";

/// Errors of the cluster controllers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to update cluster {0}: {1}")]
    Cluster(String, kube::Error),
    #[error("failed to manage the execution namespace of {0}: {1}")]
    Namespace(String, kube::Error),
    #[error("{0}")]
    Member(#[from] crate::members::MemberError),
}

/// Settings of cluster status collection.
#[derive(Clone, Debug)]
pub struct StatusConfig {
    pub update_frequency: Duration,
    pub success_threshold: Duration,
    pub failure_threshold: Duration,
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig {
            update_frequency: Duration::from_secs(10),
            success_threshold: Duration::from_secs(30),
            failure_threshold: Duration::from_secs(30),
        }
    }
}

/// The condition taints a cluster should carry for its Ready condition (pure).
pub fn condition_taints(ready: Option<&str>, taints: &[Taint]) -> Vec<Taint> {
    let mut out: Vec<Taint> = taints
        .iter()
        .filter(|t| {
            !(t.key == TAINT_NOT_READY || t.key == TAINT_UNREACHABLE) || t.effect != "NoSchedule"
        })
        .cloned()
        .collect();
    let wanted = match ready {
        Some("True") => None,
        Some("Unknown") => Some(TAINT_UNREACHABLE),
        _ => Some(TAINT_NOT_READY),
    };
    if let Some(key) = wanted {
        let existing = taints
            .iter()
            .find(|t| t.key == key && t.effect == "NoSchedule")
            .cloned();
        out.push(existing.unwrap_or(Taint {
            key: key.to_string(),
            effect: "NoSchedule".to_string(),
            time_added: Some(bindings::now()),
            value: None,
        }));
    }
    out
}

/// Starts the cluster controller.
pub async fn start(ctx: Context, workers: usize) {
    let queue: Queue<Key> = Queue::new();
    {
        let queue = queue.clone();
        ctx.informers
            .clusters
            .on_change(move |c, _| queue.add(Key::of(c)));
    }
    {
        // Works leaving a deleted cluster's namespace bring the cluster back.
        let queue = queue.clone();
        ctx.informers.works.on_change(move |w, deleted| {
            if deleted
                && let Some(cluster) = w
                    .namespace()
                    .as_deref()
                    .and_then(crate::execution::cluster_of)
            {
                queue.add(Key::cluster(cluster));
            }
        });
    }
    runtime::run(
        "cluster",
        queue,
        workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| reconcile(ctx.clone(), key),
    )
    .await;
}

async fn reconcile(ctx: Context, key: Key) -> Result<Action, Error> {
    let Some(cluster) = ctx.informers.cluster(&key.name) else {
        return Ok(Action::Done);
    };
    let clusters: Api<Cluster> = Api::all(ctx.client.clone());
    let namespaces: Api<Namespace> = Api::all(ctx.client.clone());
    let namespace = names::execution_namespace(&key.name);
    let finalizers = cluster.finalizers().to_vec();
    let has_finalizer = finalizers
        .iter()
        .any(|f| f == names::CLUSTER_CONTROLLER_FINALIZER);
    let fail = |e| Error::Cluster(key.name.clone(), e);
    if cluster.metadata.deletion_timestamp.is_some() {
        if !has_finalizer {
            return Ok(Action::Done);
        }
        let works: Vec<Arc<Work>> = ctx
            .informers
            .works
            .store()
            .state()
            .into_iter()
            .filter(|w| w.metadata.namespace.as_deref() == Some(namespace.as_str()))
            .collect();
        if !works.is_empty() {
            let api: Api<Work> = Api::namespaced(ctx.client.clone(), &namespace);
            for work in works
                .iter()
                .filter(|w| w.metadata.deletion_timestamp.is_none())
            {
                match api.delete(&work.name_any(), &DeleteParams::default()).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(e) => return Err(Error::Namespace(key.name.clone(), e)),
                }
            }
            return Ok(Action::RequeueAfter(Duration::from_secs(5)));
        }
        match namespaces
            .delete(&namespace, &DeleteParams::default())
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(Error::Namespace(key.name.clone(), e)),
        }
        let remaining: Vec<&String> = finalizers
            .iter()
            .filter(|f| *f != names::CLUSTER_CONTROLLER_FINALIZER)
            .collect();
        clusters
            .patch(&key.name, &PatchParams::default(), &Patch::Merge(json!({"metadata": {"finalizers": remaining, "resourceVersion": cluster.metadata.resource_version}})))
            .await
            .map_err(fail)?;
        return Ok(Action::Done);
    }
    if !has_finalizer {
        let mut all = finalizers.clone();
        all.push(names::CLUSTER_CONTROLLER_FINALIZER.to_string());
        clusters
            .patch(&key.name, &PatchParams::default(), &Patch::Merge(json!({"metadata": {"finalizers": all, "resourceVersion": cluster.metadata.resource_version}})))
            .await
            .map_err(fail)?;
        return Ok(Action::Done);
    }
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.clone()),
            labels: Some(BTreeMap::from([(
                names::SYSTEM_LABEL.to_string(),
                "true".to_string(),
            )])),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    match namespaces.create(&PostParams::default(), &ns).await {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        Err(e) => return Err(Error::Namespace(key.name.clone(), e)),
    }
    let taints = cluster.spec.taints.clone().unwrap_or_default();
    let wanted = condition_taints(cluster.ready_status(), &taints);
    if wanted != taints {
        clusters
            .patch(&key.name, &PatchParams::default(), &Patch::Merge(json!({"metadata": {"resourceVersion": cluster.metadata.resource_version}, "spec": {"taints": wanted}})))
            .await
            .map_err(fail)?;
    }
    Ok(Action::Done)
}

/// What the status controller remembers per cluster: the state it last saw and since when.
#[derive(Default)]
struct Observations {
    by_cluster: HashMap<String, (bool, Instant)>,
}

/// Starts the cluster-status controller (the clusters this process serves).
pub async fn start_status(ctx: Context, config: StatusConfig, workers: usize) {
    let queue: Queue<Key> = Queue::new();
    {
        let queue = queue.clone();
        ctx.informers.clusters.on_change(move |c, deleted| {
            if !deleted {
                queue.add(Key::of(c));
            }
        });
    }
    let observations = Arc::new(Mutex::new(Observations::default()));
    let config = Arc::new(config);
    runtime::run(
        "clusterStatus",
        queue,
        workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| reconcile_status(ctx.clone(), config.clone(), observations.clone(), key),
    )
    .await;
}

/// The outcome of probing a member's health endpoints.
async fn probe(client: &Client) -> Result<bool, String> {
    for path in ["/readyz", "/healthz"] {
        let request = http::Request::get(path)
            .body(Vec::new())
            .map_err(|e| e.to_string())?;
        match client.request_text(request).await {
            Ok(body) => return Ok(body.trim() == "ok" || !body.is_empty()),
            Err(kube::Error::Api(s)) if s.code == 404 => continue,
            Err(kube::Error::Api(_)) => return Ok(false),
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(false)
}

fn add_resources(
    total: &mut BTreeMap<String, i128>,
    list: &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
) {
    for (name, quantity) in list {
        if let Some(q) = Quantity::parse(&quantity.0) {
            *total.entry(name.clone()).or_default() += q.millis();
        }
    }
}

fn to_quantities(
    total: BTreeMap<String, i128>,
) -> BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity> {
    total
        .into_iter()
        .map(|(name, millis)| {
            let text = if millis % 1000 == 0 {
                format!("{}", millis / 1000)
            } else {
                format!("{millis}m")
            };
            (
                name,
                k8s_openapi::apimachinery::pkg::api::resource::Quantity(text),
            )
        })
        .collect()
}

/// Node and resource summaries of a member, from its Nodes and Pods.
async fn summaries(client: &Client) -> Result<(NodeSummary, ResourceSummary), kube::Error> {
    let nodes = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await?;
    let pods = Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await?;
    let mut allocatable = BTreeMap::new();
    let mut ready = 0;
    for node in &nodes.items {
        let status = node.status.as_ref();
        let is_ready = status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if is_ready {
            ready += 1;
            if let Some(a) = status.and_then(|s| s.allocatable.as_ref()) {
                add_resources(&mut allocatable, a);
            }
        }
    }
    let (mut allocated, mut allocating) = (BTreeMap::new(), BTreeMap::new());
    for pod in &pods.items {
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("Pending");
        if phase == "Succeeded" || phase == "Failed" {
            continue;
        }
        let target = if pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_ref())
            .is_some()
        {
            &mut allocated
        } else {
            &mut allocating
        };
        *target.entry("pods".to_string()).or_default() += 1000;
        for container in pod.spec.iter().flat_map(|s| s.containers.iter()) {
            if let Some(requests) = container
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
            {
                add_resources(target, requests);
            }
        }
    }
    Ok((
        NodeSummary {
            total_num: Some(nodes.items.len() as i32),
            ready_num: Some(ready),
        },
        ResourceSummary {
            allocatable: Some(to_quantities(allocatable)),
            allocating: Some(to_quantities(allocating)),
            allocated: Some(to_quantities(allocated)),
            allocatable_modelings: None,
        },
    ))
}

async fn api_enablements(client: &Client) -> Result<Vec<APIEnablement>, kube::Error> {
    let discovery = kube::Discovery::new(client.clone())
        .run_aggregated()
        .await?;
    let mut by_gv: BTreeMap<String, Vec<APIResource>> = BTreeMap::new();
    for group in discovery.groups() {
        for version in group.versions() {
            for (resource, _) in group.versioned_resources(version) {
                by_gv
                    .entry(resource.api_version.clone())
                    .or_default()
                    .push(APIResource {
                        name: resource.plural.clone(),
                        kind: resource.kind.clone(),
                    });
            }
        }
    }
    Ok(by_gv
        .into_iter()
        .map(|(gv, mut resources)| {
            resources.sort_by(|a, b| a.name.cmp(&b.name));
            APIEnablement {
                group_version: gv,
                resources: Some(resources),
            }
        })
        .collect())
}

async fn reconcile_status(
    ctx: Context,
    config: Arc<StatusConfig>,
    observations: Arc<Mutex<Observations>>,
    key: Key,
) -> Result<Action, Error> {
    let Some(cluster) = ctx.informers.cluster(&key.name) else {
        observations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_cluster
            .remove(&key.name);
        return Ok(Action::Done);
    };
    if !ctx.members.serves(&cluster) || cluster.metadata.deletion_timestamp.is_some() {
        return Ok(Action::Done);
    }
    let mut status = cluster.status.clone().unwrap_or_default();
    let (healthy, reason, message, client) = match ctx.members.client(&key.name).await {
        Err(e) => (false, "ClusterNotReachable", e.to_string(), None),
        Ok(client) => match probe(&client).await {
            Ok(true) => (
                true,
                "ClusterReady",
                "cluster is healthy and ready to accept workloads".to_string(),
                Some(client),
            ),
            Ok(false) => (
                false,
                "ClusterNotReady",
                "cluster is reachable but health endpoint responded without ok".to_string(),
                None,
            ),
            Err(e) => (
                false,
                "ClusterNotReachable",
                format!("cluster is not reachable: {e}"),
                None,
            ),
        },
    };
    // Thresholds: a flip of Ready is reported once the new state has lasted long enough.
    let current = status
        .conditions
        .as_ref()
        .and_then(|c| c.iter().find(|c| c.type_ == CONDITION_READY))
        .map(|c| c.status == "True");
    let now = Instant::now();
    let report = {
        let mut obs = observations.lock().unwrap_or_else(|p| p.into_inner());
        let entry = obs
            .by_cluster
            .entry(key.name.clone())
            .or_insert((healthy, now));
        if entry.0 != healthy {
            *entry = (healthy, now);
        }
        let threshold = if healthy {
            config.success_threshold
        } else {
            config.failure_threshold
        };
        match current {
            None => true,
            Some(c) if c == healthy => true,
            Some(_) => now.duration_since(entry.1) >= threshold,
        }
    };
    let mut conditions = status.conditions.clone().unwrap_or_default();
    if report {
        bindings::set_condition(
            &mut conditions,
            bindings::condition(CONDITION_READY, healthy, reason, &message),
        );
    }
    status.conditions = Some(conditions);
    if let (true, Some(client)) = (healthy, client) {
        if let Ok(version) = client.apiserver_version().await {
            status.kubernetes_version = Some(version.git_version);
        }
        if let Ok(enablements) = api_enablements(&client).await {
            status.api_enablements = Some(enablements);
        }
        if let Ok((nodes, resources)) = summaries(&client).await {
            status.node_summary = Some(nodes);
            status.resource_summary = Some(resources);
        }
    }
    if cluster.status.as_ref() != Some(&status) {
        let patch = json!({"status": status_value(&status)});
        Api::<Cluster>::all(ctx.client.clone())
            .patch_status(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(|e| Error::Cluster(key.name.clone(), e))?;
    }
    let next = if report {
        config.update_frequency
    } else {
        config.update_frequency.min(Duration::from_secs(1))
    };
    Ok(Action::RequeueAfter(next))
}

fn status_value(status: &ClusterStatus) -> serde_json::Value {
    serde_json::to_value(status).unwrap_or_default()
}
