//! The scheduler: decides each binding's target clusters ([`core`], pure) and writes the decision —
//! `spec.clusters` with the applied-placement annotation, then the `Scheduled` condition. It
//! reschedules when the placement, the replicas or a target cluster change, retries unschedulable
//! bindings when clusters change, and reserves the capacity it hands out until the clusters'
//! resource summaries show it, so bindings scheduled together never over-commit a cluster.

pub mod core;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::names;
use karmada_api::policy::v1alpha1::{Placement, ReplicaSchedulingType};
use karmada_api::work::v1alpha2::{
    CONDITION_SCHEDULED, REASON_SUCCESS, ReplicaRequirements, TargetCluster,
};
use serde_json::json;

use crate::bindings::{self, AnyBinding, BindingKey};
use crate::context::{Context, Key};
use crate::runtime::{self, Action, Queue};
use crate::selectors::cluster_matches;

/// Errors of the scheduler.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to write the scheduling result of {0}: {1}")]
    Write(String, kube::Error),
}

/// Settings of the scheduler.
#[derive(Clone, Debug)]
pub struct Config {
    pub workers: usize,
    /// Bindings naming another scheduler are left alone.
    pub scheduler_name: String,
    /// How long an unschedulable binding waits before it is tried again without any change.
    pub retry_unschedulable: Duration,
    /// Reserved capacity is released once a cluster's resource summary changed this long after
    /// the reservation, or at the latest after `reservation_ttl`.
    pub reservation_settle: Duration,
    pub reservation_ttl: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            workers: 2,
            scheduler_name: karmada_api::policy::v1alpha1::DEFAULT_SCHEDULER_NAME.to_string(),
            retry_unschedulable: Duration::from_secs(30),
            reservation_settle: Duration::from_secs(2),
            reservation_ttl: Duration::from_secs(60),
        }
    }
}

struct Reservation {
    at: Instant,
    binding: BindingKey,
    cluster: String,
    replicas: i32,
    requirements: Option<ReplicaRequirements>,
}

/// Capacity handed out and not yet visible in the clusters' summaries.
#[derive(Default)]
struct Ledger {
    entries: Vec<Reservation>,
    /// When each cluster's resource summary last changed.
    summary_changed: HashMap<String, Instant>,
}

impl Ledger {
    /// What other bindings' recent decisions hold (a binding's own reservations are part of its
    /// previous result, which the estimator already credits back to it).
    fn reservations(&mut self, config: &Config, binding: &BindingKey) -> core::Reservations {
        let now = Instant::now();
        let changed = &self.summary_changed;
        self.entries.retain(|entry| {
            let settled = changed
                .get(&entry.cluster)
                .is_some_and(|at| *at > entry.at + config.reservation_settle);
            !settled && now.duration_since(entry.at) < config.reservation_ttl
        });
        let mut reserved = core::Reservations::new();
        for entry in self.entries.iter().filter(|e| e.binding != *binding) {
            reserved.reserve(&entry.cluster, entry.replicas, entry.requirements.as_ref());
        }
        reserved
    }
}

/// The clusters as the scheduler plugins read them, rebuilt only after a cluster changed (not once
/// per binding: a cluster's status is large).
#[derive(Default)]
struct Snapshot {
    clusters: Mutex<Option<Arc<Vec<Cluster>>>>,
}

impl Snapshot {
    fn invalidate(&self) {
        *self.clusters.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn get(&self, ctx: &Context) -> Arc<Vec<Cluster>> {
        let mut slot = self.clusters.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert_with(|| {
            let mut clusters: Vec<Cluster> = ctx
                .informers
                .clusters
                .store()
                .state()
                .iter()
                .map(|c| c.as_ref().clone())
                .collect();
            clusters.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
            Arc::new(clusters)
        })
        .clone()
    }
}

/// What of a cluster the scheduler's decisions depend on, besides capacity.
fn fingerprint(cluster: &Cluster) -> String {
    json!([
        cluster.metadata.labels,
        cluster.metadata.generation,
        cluster.metadata.deletion_timestamp.is_some(),
        cluster.spec.taints,
        cluster.status.as_ref().map(|s| &s.api_enablements),
    ])
    .to_string()
}

/// Starts the scheduler.
pub async fn start(ctx: Context, config: Config) {
    let queue: Queue<BindingKey> = Queue::new();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let snapshot = Arc::new(Snapshot::default());
    {
        let queue = queue.clone();
        ctx.informers
            .resource_bindings
            .on_change(move |b, deleted| {
                if !deleted {
                    queue.add(Key::of(b));
                }
            });
    }
    {
        let queue = queue.clone();
        ctx.informers
            .cluster_resource_bindings
            .on_change(move |b, deleted| {
                if !deleted {
                    queue.add(Key::of(b));
                }
            });
    }
    {
        let (queue, informers, ledger) = (queue.clone(), ctx.informers.clone(), ledger.clone());
        let snapshot = snapshot.clone();
        let fingerprints: Mutex<HashMap<String, (String, String)>> = Mutex::default();
        ctx.informers.clusters.on_change(move |cluster, deleted| {
            snapshot.invalidate();
            let name = cluster.metadata.name.clone().unwrap_or_default();
            let summary = json!(cluster.status.as_ref().map(|s| &s.resource_summary)).to_string();
            let print = fingerprint(cluster);
            let (placement_changed, summary_changed) = {
                let mut prints = fingerprints.lock().unwrap_or_else(|p| p.into_inner());
                let previous = if deleted {
                    prints.remove(&name)
                } else {
                    prints.insert(name.clone(), (print.clone(), summary.clone()))
                };
                match previous {
                    None => (true, true),
                    Some((p, s)) => (deleted || p != print, s != summary),
                }
            };
            if summary_changed {
                ledger
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .summary_changed
                    .insert(name, Instant::now());
            }
            for binding in AnyBinding::all(&informers) {
                let scheduled = binding
                    .status()
                    .and_then(|s| s.condition(CONDITION_SCHEDULED))
                    .is_some_and(|c| c.status == "True");
                if placement_changed || !scheduled {
                    queue.add(binding.key());
                }
            }
        });
    }
    let config = Arc::new(config);
    runtime::run(
        "scheduler",
        queue,
        config.workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| {
            reconcile(
                ctx.clone(),
                config.clone(),
                ledger.clone(),
                snapshot.clone(),
                key,
            )
        },
    )
    .await;
}

fn is_workload(binding: &AnyBinding) -> bool {
    let spec = binding.spec();
    spec.replicas.unwrap_or(0) > 0 || spec.replica_requirements.is_some()
}

/// Whether the binding needs a (new) decision.
fn needs_scheduling(binding: &AnyBinding, placement: &Placement, clusters: &[Cluster]) -> bool {
    let spec = binding.spec();
    let status = binding.status();
    let applied = binding
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(names::APPLIED_PLACEMENT_ANNOTATION))
        .and_then(|text| serde_json::from_str::<Placement>(text).ok());
    if applied.as_ref() != Some(placement) {
        return true;
    }
    let scheduled = status
        .and_then(|s| s.condition(CONDITION_SCHEDULED))
        .is_some_and(|c| c.status == "True");
    if !scheduled {
        return true;
    }
    let last = status.and_then(|s| s.last_scheduled_time.as_ref());
    if let Some(at) = &spec.reschedule_triggered_at
        && last.is_none_or(|last| at.0 > last.0)
    {
        return true;
    }
    if !is_workload(binding)
        || placement.replica_scheduling_type() == ReplicaSchedulingType::Duplicated
    {
        return true;
    }
    let targets = spec.clusters.as_deref().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(0);
    let assigned: i32 = targets.iter().map(|t| t.replicas.unwrap_or(0)).sum();
    if assigned != replicas {
        return true;
    }
    // A target that is gone, being deleted, or no longer matches the placement's affinity.
    targets.iter().any(|target| {
        let cluster = clusters
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(target.name.as_str()));
        match cluster {
            None => true,
            Some(c) if c.metadata.deletion_timestamp.is_some() => true,
            Some(c) => placement
                .cluster_affinity
                .as_ref()
                .is_some_and(|a| !cluster_matches(a, c)),
        }
    })
}

async fn reconcile(
    ctx: Context,
    config: Arc<Config>,
    ledger: Arc<Mutex<Ledger>>,
    snapshot: Arc<Snapshot>,
    key: BindingKey,
) -> Result<Action, Error> {
    let Some(binding) = AnyBinding::get(&ctx.informers, &key) else {
        return Ok(Action::Done);
    };
    let spec = binding.spec();
    if binding.meta().deletion_timestamp.is_some()
        || spec
            .scheduler_name
            .as_deref()
            .unwrap_or(&config.scheduler_name)
            != config.scheduler_name
        || spec
            .suspension
            .as_ref()
            .and_then(|s| s.scheduling)
            .unwrap_or(false)
    {
        return Ok(Action::Done);
    }
    // Attached bindings (dependencies) have no placement: they follow their parents.
    let Some(placement) = spec.placement.clone() else {
        return Ok(Action::Done);
    };
    let clusters = snapshot.get(&ctx);
    if !needs_scheduling(&binding, &placement, &clusters) {
        return Ok(Action::Done);
    }
    let status = binding.status().cloned().unwrap_or_default();
    let fresh = match (&spec.reschedule_triggered_at, &status.last_scheduled_time) {
        (Some(at), Some(last)) => at.0 > last.0,
        (Some(_), None) => true,
        _ => false,
    };
    let request = core::ScheduleRequest {
        spec,
        placement: &placement,
        observed_affinity_name: status.scheduler_observed_affinity_name.as_deref(),
        fresh,
    };
    let result = {
        let mut ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
        let reserved = ledger.reservations(&config, &key);
        let result = core::schedule(&request, &clusters, &reserved);
        // Reserve the replicas this decision adds, under the same lock, so the next decision
        // sees them.
        if let Ok(result) = &result {
            let previous = spec.clusters.as_deref().unwrap_or_default();
            for target in &result.clusters {
                let before = previous
                    .iter()
                    .find(|p| p.name == target.name)
                    .and_then(|p| p.replicas)
                    .unwrap_or(0);
                let delta = target.replicas.unwrap_or(0) - before;
                if delta > 0 {
                    ledger.entries.push(Reservation {
                        at: Instant::now(),
                        binding: key.clone(),
                        cluster: target.name.clone(),
                        replicas: delta,
                        requirements: spec.replica_requirements.clone(),
                    });
                }
            }
        }
        result
    };
    let placement_text = serde_json::to_string(&placement).unwrap_or_default();
    let write = |e| Error::Write(key.to_string(), e);
    let generation = binding.meta().generation;
    let mut conditions = status.conditions.clone().unwrap_or_default();
    match result {
        Ok(result) => {
            let clusters: Vec<TargetCluster> = result.clusters;
            let mut version = (binding.meta().resource_version.clone(), generation);
            if spec.clusters.as_ref() != Some(&clusters)
                || binding
                    .meta()
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(names::APPLIED_PLACEMENT_ANNOTATION))
                    != Some(&placement_text)
            {
                version = bindings::patch(
                    &ctx.client,
                    &key,
                    false,
                    &json!({
                        "metadata": {"annotations": {names::APPLIED_PLACEMENT_ANNOTATION: placement_text}},
                        "spec": {"clusters": clusters},
                    }),
                )
                .await
                .map_err(write)?;
            }
            let changed = bindings::set_condition(
                &mut conditions,
                bindings::condition(
                    CONDITION_SCHEDULED,
                    true,
                    REASON_SUCCESS,
                    "Binding has been scheduled successfully.",
                ),
            ) || spec.clusters.as_ref() != Some(&clusters);
            if changed {
                publish(
                    &ctx,
                    &binding,
                    false,
                    crate::events::SCHEDULE_BINDING_SUCCEED,
                    "Binding has been scheduled successfully.",
                )
                .await;
            }
            // Rescheduling to the same result writes nothing (Duplicated bindings are looked at
            // on every change; a write here would bring them straight back).
            if !changed
                && status.scheduler_observed_generation == version.1
                && status.scheduler_observed_affinity_name == result.affinity_name
            {
                return Ok(Action::Done);
            }
            bindings::patch(
                &ctx.client,
                &key,
                true,
                &json!({
                    "metadata": {"resourceVersion": version.0},
                    "status": {
                        "conditions": conditions,
                        "schedulerObservedGeneration": version.1,
                        "schedulerObservingAffinityName": result.affinity_name,
                        "lastScheduledTime": bindings::now(),
                    }
                }),
            )
            .await
            .map_err(write)?;
            Ok(Action::Done)
        }
        Err(error) => {
            tracing::info!(reason = error.reason(), "binding not scheduled: {error}");
            let mut version = (binding.meta().resource_version.clone(), generation);
            if matches!(error, core::ScheduleError::NoClusterFit(_))
                && spec.clusters.as_ref().is_some_and(|c| !c.is_empty())
            {
                // As Karmada: no cluster fits the placement any more, so the result is emptied.
                version = bindings::patch(
                    &ctx.client,
                    &key,
                    false,
                    &json!({
                        "metadata": {"annotations": {names::APPLIED_PLACEMENT_ANNOTATION: placement_text}},
                        "spec": {"clusters": []},
                    }),
                )
                .await
                .map_err(write)?;
            }
            let changed = bindings::set_condition(
                &mut conditions,
                bindings::condition(
                    CONDITION_SCHEDULED,
                    false,
                    error.reason(),
                    &error.to_string(),
                ),
            ) || version.1 != generation;
            if changed {
                publish(
                    &ctx,
                    &binding,
                    true,
                    crate::events::SCHEDULE_BINDING_FAILED,
                    &error.to_string(),
                )
                .await;
                bindings::patch(
                    &ctx.client,
                    &key,
                    true,
                    &json!({
                    "metadata": {"resourceVersion": version.0},
                    "status": {"conditions": conditions, "schedulerObservedGeneration": version.1},
                }),
                )
                .await
                .map_err(write)?;
            }
            Ok(Action::RequeueAfter(config.retry_unschedulable))
        }
    }
}

/// An Event about a scheduling decision, on the binding and on its template.
async fn publish(ctx: &Context, binding: &AnyBinding, warning: bool, reason: &str, message: &str) {
    let recorder = crate::events::Recorder::new(ctx.client.clone(), "karmada-scheduler");
    let meta = binding.meta();
    let (api_version, kind) = match binding {
        AnyBinding::Namespaced(_) => ("work.karmada.io/v1alpha2", "ResourceBinding"),
        AnyBinding::Cluster(_) => ("work.karmada.io/v1alpha2", "ClusterResourceBinding"),
    };
    let on_binding = crate::events::reference(
        api_version,
        kind,
        meta.namespace.as_deref(),
        meta.name.as_deref().unwrap_or_default(),
        meta.uid.as_deref(),
    );
    recorder.publish(on_binding, warning, reason, message).await;
    let resource = &binding.spec().resource;
    let on_template = crate::events::reference(
        &resource.api_version,
        &resource.kind,
        resource.namespace.as_deref(),
        &resource.name,
        resource.uid.as_deref(),
    );
    recorder
        .publish(on_template, warning, reason, message)
        .await;
}
