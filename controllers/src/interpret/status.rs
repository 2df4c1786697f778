//! Status reflection (InterpretStatus: what a member object reports back into its Work) and status
//! aggregation (AggregateStatus: the template's status from every cluster's reflected status).

mod aggregate;
mod load_balancer;

pub use aggregate::aggregate_status;

use karmada_api::names::RESOURCE_TEMPLATE_GENERATION_ANNOTATION;
use serde_json::{Map, Value, json};

use super::NativeKind;
use super::fields::{Malformed, int_or, lookup, lookup_str, object as object_at, string};

/// The counters a workload's reflected status carries, besides `observedGeneration`.
const DEPLOYMENT_COUNTERS: &[&str] = &[
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
];
const STATEFUL_SET_COUNTERS: &[&str] = &[
    "replicas",
    "readyReplicas",
    "currentReplicas",
    "updatedReplicas",
    "availableReplicas",
];
const REPLICA_SET_COUNTERS: &[&str] = &["replicas", "readyReplicas", "availableReplicas"];
const DAEMON_SET_COUNTERS: &[&str] = &[
    "currentNumberScheduled",
    "desiredNumberScheduled",
    "numberAvailable",
    "numberMisscheduled",
    "numberReady",
    "updatedNumberScheduled",
    "numberUnavailable",
];
const JOB_COUNTERS: &[&str] = &["active", "succeeded", "failed"];
const BUDGET_COUNTERS: &[&str] = &[
    "disruptionsAllowed",
    "expectedPods",
    "desiredHealthy",
    "currentHealthy",
];
const AUTOSCALER_COUNTERS: &[&str] = &["currentReplicas", "desiredReplicas"];

/// Reflected-status keys recording which generations the member status belongs to.
const GENERATION: &str = "generation";
const TEMPLATE_GENERATION: &str = "resourceTemplateGeneration";

/// The status a member object reports back (a Work's `manifestStatuses[].status`); `None` when it
/// has nothing to report yet (no `.status`), or its status is malformed.
///
/// - Deployment, StatefulSet, ReplicaSet, DaemonSet: the replica counters and
///   `observedGeneration`, plus `generation` (the member object's `metadata.generation`) and
///   `resourceTemplateGeneration` (its `resourcetemplate.karmada.io/generation` annotation, 0 when
///   absent or unparseable), so aggregation can tell whether every member caught up with the
///   template. Unlike Karmada, a StatefulSet's `observedGeneration` is kept too.
/// - Job: active/succeeded/failed, conditions, startTime, completionTime.
/// - Service: `loadBalancer` of a LoadBalancer Service; other Services report nothing.
/// - PodDisruptionBudget: the disruption counters and `disruptedPods`.
/// - HorizontalPodAutoscaler: currentReplicas and desiredReplicas.
/// - Every other kind (Ingress, Pod, PersistentVolumeClaim, custom resources…): the whole status.
pub fn reflect_status(object: &Value) -> Option<Value> {
    let reflected = match NativeKind::of(object) {
        Some(NativeKind::Deployment) => workload_status(object, DEPLOYMENT_COUNTERS),
        Some(NativeKind::StatefulSet) => workload_status(object, STATEFUL_SET_COUNTERS),
        Some(NativeKind::ReplicaSet) => workload_status(object, REPLICA_SET_COUNTERS),
        Some(NativeKind::DaemonSet) => workload_status(object, DAEMON_SET_COUNTERS),
        Some(NativeKind::Job) => picked_status(
            object,
            JOB_COUNTERS,
            &["conditions", "startTime", "completionTime"],
        ),
        Some(NativeKind::Service) => service_status(object),
        Some(NativeKind::PodDisruptionBudget) => {
            picked_status(object, BUDGET_COUNTERS, &["disruptedPods"])
        }
        Some(NativeKind::HorizontalPodAutoscaler) => {
            picked_status(object, AUTOSCALER_COUNTERS, &[])
        }
        _ => Ok(lookup(object, &["status"]).cloned()),
    };
    reflected.unwrap_or_else(|malformed| {
        tracing::debug!(%malformed, "not reflecting a malformed status");
        None
    })
}

/// The status's `counters` (0 when absent) and the `copied` fields that are present.
fn picked_status(
    object: &Value,
    counters: &[&str],
    copied: &[&str],
) -> Result<Option<Value>, Malformed> {
    let Some(status) = object_at(object, &["status"])? else {
        return Ok(None);
    };
    let status_value = Value::Object(status.clone());
    let mut picked = Map::new();
    for counter in counters {
        picked.insert(
            counter.to_string(),
            json!(int_or(&status_value, &[counter], 0)?),
        );
    }
    for field in copied {
        if let Some(value) = lookup(&status_value, &[field]) {
            picked.insert(field.to_string(), value.clone());
        }
    }
    Ok(Some(Value::Object(picked)))
}

fn workload_status(object: &Value, counters: &[&str]) -> Result<Option<Value>, Malformed> {
    let Some(mut reflected) = picked_status(object, counters, &[])? else {
        return Ok(None);
    };
    let observed = int_or(object, &["status", "observedGeneration"], 0)?;
    let generation = int_or(object, &["metadata", "generation"], 0)?;
    let template_generation = lookup_str(
        object,
        &[
            "metadata",
            "annotations",
            RESOURCE_TEMPLATE_GENERATION_ANNOTATION,
        ],
    )
    .and_then(|text| text.parse::<i64>().ok())
    .unwrap_or(0);
    if let Some(map) = reflected.as_object_mut() {
        map.insert("observedGeneration".into(), json!(observed));
        map.insert(GENERATION.into(), json!(generation));
        map.insert(TEMPLATE_GENERATION.into(), json!(template_generation));
    }
    Ok(Some(reflected))
}

fn service_status(object: &Value) -> Result<Option<Value>, Malformed> {
    if string(object, &["spec", "type"])? != Some("LoadBalancer") {
        return Ok(None);
    }
    if object_at(object, &["status"])?.is_none() {
        return Ok(None);
    }
    let load_balancer = object_or_empty(object, &["status", "loadBalancer"])?;
    Ok(Some(json!({"loadBalancer": load_balancer})))
}

/// The object at `path`, or an empty object when absent.
fn object_or_empty(value: &Value, path: &[&str]) -> Result<Value, Malformed> {
    Ok(object_at(value, path)?
        .map(|map| Value::Object(map.clone()))
        .unwrap_or_else(|| json!({})))
}

#[cfg(test)]
#[path = "status/reflect_tests.rs"]
mod tests;
