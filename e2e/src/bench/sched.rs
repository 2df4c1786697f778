//! Scheduler throughput: the pure `schedule()` call per binding (Divided, dynamic weight over N
//! clusters), and the real scheduler controller writing `spec.clusters` of bindings created
//! straight in the API.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt;
use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::Placement;
use karmada_api::work::v1alpha2::{ResourceBinding, ResourceBindingSpec};
use karmada_controllers::scheduler::core::{Reservations, ScheduleRequest, schedule};
use kube::api::{Api, DeleteParams, ListParams, PostParams};

use super::fed::Federation;
use super::objects;

/// Result of the pure scheduler run.
#[derive(Debug, Clone)]
pub struct PureResult {
    pub clusters: usize,
    pub bindings: usize,
    pub elapsed: Duration,
    /// Bindings whose result named at least one cluster and summed to their replicas.
    pub placed: usize,
    pub targets: usize,
}

impl PureResult {
    pub fn per_second(&self) -> f64 {
        self.bindings as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Bindings whose reservations are kept together (≈ 100 × 25 replicas × 100m = 250 CPU, well
/// under the ~1,300 CPU free over 100 clusters).
const RESERVATION_WINDOW: usize = 100;

/// Replicas of binding `i`: 1 … 50, varied deterministically.
fn replicas_of(i: usize) -> i32 {
    ((i * 7919) % 50 + 1) as i32
}

/// Replicas of binding `i` through the controller: 1 or 2.
fn controller_replicas_of(i: usize) -> i32 {
    (i % 2 + 1) as i32
}

/// Schedules `bindings` bindings one after the other over `clusters` clusters (varied usage), as
/// the controller does: reservations from earlier decisions are counted against later ones.
pub fn pure(clusters: usize, bindings: usize) -> anyhow::Result<PureResult> {
    let snapshot: Vec<Cluster> = (0..clusters)
        .map(|i| {
            let value = objects::cluster(&format!("member{}", i + 1), 3, ((i * 37) % 90) as u32);
            serde_json::from_value(value).context("a cluster")
        })
        .collect::<anyhow::Result<_>>()?;
    let placement: Placement = serde_json::from_value(objects::dynamic_weight_placement())?;
    let specs: Vec<ResourceBindingSpec> = (0..bindings)
        .map(|i| {
            let value = objects::binding(&format!("b-{i}"), replicas_of(i));
            let binding: ResourceBinding = serde_json::from_value(value)?;
            Ok(binding.spec)
        })
        .collect::<anyhow::Result<_>>()?;
    let mut reserved = Reservations::new();
    let mut placed = 0;
    let mut targets = 0;
    let started = Instant::now();
    for (i, spec) in specs.iter().enumerate() {
        // The controller releases a reservation once the cluster's summary shows it; here every
        // RESERVATION_WINDOW bindings, so capacity never runs out and every call does full work.
        if i % RESERVATION_WINDOW == 0 {
            reserved = Reservations::new();
        }
        let request = ScheduleRequest {
            spec,
            placement: &placement,
            observed_affinity_name: None,
            fresh: false,
        };
        // An unschedulable binding (capacity ran out) is a valid outcome; it counts as scheduled
        // work done but not as placed.
        if let Ok(result) = schedule(&request, &snapshot, &reserved) {
            let sum: i32 = result
                .clusters
                .iter()
                .map(|t| t.replicas.unwrap_or(0))
                .sum();
            if sum == spec.replicas.unwrap_or(0) && !result.clusters.is_empty() {
                placed += 1;
            }
            targets += result.clusters.len();
            reserved.reserve_result(&result.clusters, spec.replica_requirements.as_ref());
        }
    }
    let elapsed = started.elapsed();
    Ok(PureResult {
        clusters,
        bindings,
        elapsed,
        placed,
        targets,
    })
}

/// Result of the scheduler-controller run.
#[derive(Debug, Clone)]
pub struct ControllerResult {
    pub clusters: usize,
    pub bindings: usize,
    /// From before the first create to the last binding observed `Scheduled=True`.
    pub elapsed: Duration,
    /// Creating the bindings alone.
    pub create_elapsed: Duration,
    /// Bindings scheduled when the wait ended (all of them unless it timed out).
    pub scheduled: usize,
}

impl ControllerResult {
    pub fn per_second(&self) -> f64 {
        self.scheduled as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

fn scheduled(binding: &ResourceBinding) -> bool {
    binding
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "Scheduled" && c.status == "True")
        })
        && binding
            .spec
            .clusters
            .as_ref()
            .is_some_and(|c| !c.is_empty())
}

/// With a manager running only the scheduler (and cluster status): creates `bindings`
/// ResourceBindings 16 at a time and waits until all are scheduled; then deletes them.
pub async fn through_controller(
    federation: &Federation,
    bindings: usize,
    timeout: Duration,
) -> anyhow::Result<ControllerResult> {
    let api: Api<ResourceBinding> = Api::namespaced(federation.client.clone(), objects::NAMESPACE);
    let started = Instant::now();
    let created: Vec<anyhow::Result<()>> = futures::stream::iter(0..bindings)
        .map(|i| {
            let api = api.clone();
            async move {
                // One or two replicas each, so that every binding fits the members' free
                // capacity: beyond it the scheduler (rightly) reports Unschedulable, since the
                // capacity it hands out stays reserved until the members' summaries show it.
                let binding: ResourceBinding = serde_json::from_value(objects::binding(
                    &format!("sched-{i}"),
                    controller_replicas_of(i),
                ))?;
                api.create(&PostParams::default(), &binding)
                    .await
                    .with_context(|| format!("failed to create binding sched-{i}"))?;
                Ok(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    created.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    let create_elapsed = started.elapsed();
    let deadline = started + timeout;
    let (elapsed, scheduled_count) = loop {
        let list = api.list(&ListParams::default()).await?;
        let done = list
            .items
            .iter()
            .filter(|b| {
                b.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("sched-"))
            })
            .filter(|b| scheduled(b))
            .count();
        if done >= bindings || Instant::now() > deadline {
            break (started.elapsed(), done);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let deleted: Vec<anyhow::Result<()>> = futures::stream::iter(0..bindings)
        .map(|i| {
            let api = api.clone();
            async move {
                api.delete(&format!("sched-{i}"), &DeleteParams::default())
                    .await
                    .with_context(|| format!("failed to delete binding sched-{i}"))?;
                Ok(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    deleted.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    Ok(ControllerResult {
        clusters: federation.members.len(),
        bindings,
        elapsed,
        create_elapsed,
        scheduled: scheduled_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_stay_between_one_and_fifty() {
        let all: Vec<i32> = (0..1000).map(replicas_of).collect();
        assert!(all.iter().all(|r| (1..=50).contains(r)));
        assert!(all.contains(&1) && all.contains(&50));
    }

    #[test]
    fn the_pure_run_places_every_binding_over_ample_clusters() {
        let result = pure(100, 300).expect("runs");
        assert_eq!(result.bindings, 300);
        assert_eq!(result.placed, 300, "{result:?}");
        assert!(result.targets >= 300);
    }
}
