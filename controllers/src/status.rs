//! Binding status: the Works of each binding summed into its `aggregatedStatus` and
//! `FullyApplied` condition, and the members' statuses aggregated onto the resource template.

use std::sync::Arc;

use karmada_api::work::v1alpha1::{CONDITION_APPLIED, Work};
use karmada_api::work::v1alpha2::{AggregatedStatusItem, CONDITION_FULLY_APPLIED};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use crate::bindings::{self, AnyBinding, BindingKey};
use crate::context::{Context, Key};
use crate::execution::cluster_of;
use crate::runtime::{self, Action, Queue};

/// Errors of the binding-status controller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to write the status of binding {0}: {1}")]
    Binding(String, kube::Error),
    #[error("failed to write the status of template {0}: {1}")]
    Template(String, kube::Error),
}

/// Starts the binding-status controller.
pub async fn start(ctx: Context, workers: usize) {
    let queue: Queue<BindingKey> = Queue::new();
    {
        let queue = queue.clone();
        ctx.informers
            .resource_bindings
            .on_change(move |b, _| queue.add(Key::of(b)));
    }
    {
        let queue = queue.clone();
        ctx.informers
            .cluster_resource_bindings
            .on_change(move |b, _| queue.add(Key::of(b)));
    }
    {
        let queue = queue.clone();
        ctx.informers.works.on_change(move |work, _| {
            if let Some(key) = crate::binding::owner_of(work) {
                queue.add(key);
            }
        });
    }
    runtime::run(
        "bindingStatus",
        queue,
        workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| reconcile(ctx.clone(), key),
    )
    .await;
}

/// The aggregated status item of one Work (pure).
pub fn item_of(cluster: &str, work: Option<&Work>) -> AggregatedStatusItem {
    let Some(work) = work else {
        return AggregatedStatusItem {
            cluster_name: cluster.to_string(),
            applied: Some(false),
            applied_message: Some("Work has not been created yet.".into()),
            ..AggregatedStatusItem::default()
        };
    };
    let status = work.status.as_ref();
    let applied = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == CONDITION_APPLIED));
    let manifest = status
        .and_then(|s| s.manifest_statuses.as_ref())
        .and_then(|m| m.first());
    AggregatedStatusItem {
        cluster_name: cluster.to_string(),
        status: manifest.and_then(|m| m.status.clone()),
        applied: Some(applied.is_some_and(|c| c.status == "True")),
        applied_message: applied
            .filter(|c| c.status != "True")
            .map(|c| c.message.clone())
            .filter(|m| !m.is_empty()),
        health: manifest.and_then(|m| m.health),
    }
}

async fn reconcile(ctx: Context, key: BindingKey) -> Result<Action, Error> {
    let Some(binding) = AnyBinding::get(&ctx.informers, &key) else {
        return Ok(Action::Done);
    };
    if binding.meta().deletion_timestamp.is_some() {
        return Ok(Action::Done);
    }
    if binding.permanent_id().is_none() {
        return Ok(Action::Done);
    }
    let works: Vec<Arc<Work>> = crate::binding::works_of(&ctx, &binding);
    let spec = binding.spec();
    let mut clusters: Vec<String> = spec
        .clusters
        .iter()
        .flatten()
        .map(|t| t.name.clone())
        .collect();
    for required in spec.required_by.iter().flatten() {
        for c in required.clusters.iter().flatten() {
            if !clusters.contains(&c.name) {
                clusters.push(c.name.clone());
            }
        }
    }
    clusters.sort();
    let items: Vec<AggregatedStatusItem> = clusters
        .iter()
        .map(|cluster| {
            let work = works.iter().find(|w| {
                w.metadata.namespace.as_deref().and_then(cluster_of) == Some(cluster.as_str())
            });
            item_of(cluster, work.map(Arc::as_ref))
        })
        .collect();
    let fully_applied = !items.is_empty() && items.iter().all(|i| i.applied == Some(true));
    let status = binding.status().cloned().unwrap_or_default();
    let mut conditions = status.conditions.clone().unwrap_or_default();
    let mut changed = bindings::set_condition(
        &mut conditions,
        if fully_applied {
            bindings::condition(
                CONDITION_FULLY_APPLIED,
                true,
                "FullyAppliedSuccess",
                "All works have been successfully applied",
            )
        } else {
            bindings::condition(
                CONDITION_FULLY_APPLIED,
                false,
                "FullyAppliedFailed",
                "Failed to apply all works, see status.aggregatedStatus for details",
            )
        },
    );
    changed |= status.aggregated_status.as_ref() != Some(&items);
    if changed {
        bindings::patch(
            &ctx.client,
            &key,
            true,
            &json!({
                "metadata": {"resourceVersion": binding.meta().resource_version},
                "status": {"conditions": conditions, "aggregatedStatus": items},
            }),
        )
        .await
        .map_err(|e| Error::Binding(key.to_string(), e))?;
    }

    // The template's status.
    let resource = &spec.resource;
    let Some(kind) = ctx.templates.get(&resource.api_version, &resource.kind) else {
        return Ok(Action::Done);
    };
    let namespace = resource.namespace.clone().unwrap_or_default();
    let Some(template) = ctx.templates.object(
        &resource.api_version,
        &resource.kind,
        &namespace,
        &resource.name,
    ) else {
        return Ok(Action::Done);
    };
    let mut value = serde_json::to_value(template.as_ref()).unwrap_or(Value::Null);
    value["apiVersion"] = json!(resource.api_version);
    value["kind"] = json!(resource.kind);
    let Some(aggregated) = crate::interpret::aggregate_status(&value, &items) else {
        return Ok(Action::Done);
    };
    if value.get("status") == Some(&aggregated) {
        return Ok(Action::Done);
    }
    let api: Api<DynamicObject> = if kind.namespaced {
        Api::namespaced_with(ctx.client.clone(), &namespace, &kind.resource)
    } else {
        Api::all_with(ctx.client.clone(), &kind.resource)
    };
    let patch = json!({"status": aggregated});
    match api
        .patch_status(
            &resource.name,
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await
    {
        Ok(_) => Ok(Action::Done),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Action::Done),
        Err(e) => Err(Error::Template(resource.name.clone(), e)),
    }
}
