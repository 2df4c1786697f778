//! The binding controller: for each ResourceBinding / ClusterResourceBinding, one Work per target
//! cluster in `karmada-es-<cluster>` holding the template with replicas revised and overrides
//! applied; Works of clusters no longer targeted are removed; a deleted binding's Works are
//! deleted before its finalizer goes. Works edited or deleted by hand are put back.

pub mod overrides;
pub mod works;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use karmada_api::names;
use karmada_api::policy::v1alpha1::PurgeMode;
use karmada_api::work::v1alpha1::{Work, WorkSpec, WorkloadTemplate};
use kube::api::{Api, DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};

use crate::bindings::{self, AnyBinding, BindingKey};
use crate::context::{Context, Key};
use crate::runtime::{self, Action, Queue};

/// Errors of the binding controller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to write work {0}: {1}")]
    WriteWork(String, kube::Error),
    #[error("failed to delete work {0}: {1}")]
    DeleteWork(String, kube::Error),
    #[error("failed to update binding {0}: {1}")]
    Binding(String, kube::Error),
    #[error("overrides for cluster {0} failed: {1}")]
    Override(String, overrides::OverrideError),
}

/// Settings of the binding controller.
#[derive(Clone, Debug)]
pub struct Config {
    pub workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { workers: 5 }
    }
}

/// The binding a Work belongs to, from its annotations.
pub fn owner_of(work: &Work) -> Option<BindingKey> {
    let annotations = work.metadata.annotations.as_ref()?;
    if let (Some(ns), Some(name)) = (
        annotations.get(names::RESOURCE_BINDING_NAMESPACE_ANNOTATION),
        annotations.get(names::RESOURCE_BINDING_NAME_ANNOTATION),
    ) {
        return Some(Key::namespaced(ns, name));
    }
    annotations
        .get(names::CLUSTER_RESOURCE_BINDING_NAME_ANNOTATION)
        .map(|name| Key::cluster(name))
}

/// Starts the binding controller.
pub async fn start(ctx: Context, config: Config) {
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
            if let Some(key) = owner_of(work) {
                queue.add(key);
            }
        });
    }
    {
        let queue = queue.clone();
        ctx.templates.on_change(move |kind, object, _| {
            let name = crate::naming::binding_name(&kind.resource.kind, &object.name_any());
            queue.add(match object.metadata.namespace.as_deref() {
                Some(ns) if kind.namespaced => Key::namespaced(ns, &name),
                _ => Key::cluster(&name),
            });
        });
    }
    let everything = {
        let (queue, informers) = (queue.clone(), ctx.informers.clone());
        move || {
            for binding in AnyBinding::all(&informers) {
                queue.add(binding.key());
            }
        }
    };
    {
        let everything = everything.clone();
        ctx.informers
            .override_policies
            .on_change(move |_, _| everything());
    }
    {
        let everything = everything.clone();
        ctx.informers
            .cluster_override_policies
            .on_change(move |_, _| everything());
    }
    {
        // Overrides target clusters by name, labels and fields: re-render when those change.
        let prints: Mutex<HashMap<String, String>> = Mutex::default();
        ctx.informers.clusters.on_change(move |cluster, deleted| {
            let print = json!([cluster.metadata.labels, cluster.spec]).to_string();
            let name = cluster.name_any();
            let changed = {
                let mut prints = prints.lock().unwrap_or_else(|p| p.into_inner());
                if deleted {
                    prints.remove(&name).is_some()
                } else {
                    prints
                        .insert(name, print.clone())
                        .is_some_and(|p| p != print)
                }
            };
            if changed {
                everything();
            }
        });
    }
    runtime::run(
        "binding",
        queue,
        config.workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| reconcile(ctx.clone(), key),
    )
    .await;
}

/// The Works that belong to a binding, from the cache.
pub fn works_of(ctx: &Context, binding: &AnyBinding) -> Vec<Arc<Work>> {
    let Some(id) = binding.permanent_id() else {
        return Vec::new();
    };
    let label = binding.permanent_id_label();
    ctx.informers
        .work_index
        .owned_by(&ctx.informers.works, id)
        .into_iter()
        .filter(|w| w.labels().get(label).map(String::as_str) == Some(id))
        .collect()
}

async fn delete_work(ctx: &Context, work: &Work) -> Result<(), Error> {
    let api: Api<Work> = Api::namespaced(ctx.client.clone(), &work.namespace().unwrap_or_default());
    match api.delete(&work.name_any(), &DeleteParams::default()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(Error::DeleteWork(
            format!(
                "{}/{}",
                work.namespace().unwrap_or_default(),
                work.name_any()
            ),
            e,
        )),
    }
}

async fn reconcile(ctx: Context, key: BindingKey) -> Result<Action, Error> {
    let Some(binding) = AnyBinding::get(&ctx.informers, &key) else {
        return Ok(Action::Done);
    };
    let finalizer = binding.finalizer();
    let finalizers = binding.meta().finalizers.clone().unwrap_or_default();
    let has_finalizer = finalizers.iter().any(|f| f == finalizer);
    let existing = works_of(&ctx, &binding);

    match (has_finalizer, binding.meta().deletion_timestamp.is_some()) {
        (false, true) => return Ok(Action::Done),
        (true, true) => {
            for work in existing
                .iter()
                .filter(|w| w.metadata.deletion_timestamp.is_none())
            {
                delete_work(&ctx, work).await?;
            }
            if !existing.is_empty() {
                // Their deletion events bring the binding back.
                return Ok(Action::Done);
            }
            let remaining: Vec<&String> = finalizers.iter().filter(|f| *f != finalizer).collect();
            return match bindings::patch(
                &ctx.client,
                &key,
                false,
                &json!({"metadata": {"finalizers": remaining, "resourceVersion": binding.meta().resource_version}}),
            )
            .await
            {
                Ok(_) => Ok(Action::Done),
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(Action::Done),
                Err(e) => Err(Error::Binding(key.to_string(), e)),
            };
        }
        (false, false) => {
            let mut all = finalizers.clone();
            all.push(finalizer.to_string());
            bindings::patch(
                &ctx.client,
                &key,
                false,
                &json!({"metadata": {"finalizers": all, "resourceVersion": binding.meta().resource_version}}),
            )
            .await
            .map_err(|e| Error::Binding(key.to_string(), e))?;
        }
        (true, false) => {}
    }

    let spec = binding.spec();
    let resource = &spec.resource;
    let Some(template) = ctx.templates.object(
        &resource.api_version,
        &resource.kind,
        resource.namespace.as_deref().unwrap_or_default(),
        &resource.name,
    ) else {
        // Not (yet) in the caches: the template's events bring the binding back.
        return Ok(Action::Done);
    };
    let mut template_value = serde_json::to_value(template.as_ref()).unwrap_or(Value::Null);
    template_value["apiVersion"] = json!(resource.api_version);
    template_value["kind"] = json!(resource.kind);
    let Some(permanent_id) = binding.permanent_id() else {
        return Ok(Action::Done);
    };

    // Target clusters with their replicas: the scheduling result, the clusters of the bindings
    // that depend on this one, and clusters being evicted gracefully (their Works stay as they are).
    let mut targets: Vec<(String, Option<i32>)> = spec
        .clusters
        .iter()
        .flatten()
        .map(|t| (t.name.clone(), t.replicas))
        .collect();
    for required in spec.required_by.iter().flatten() {
        for cluster in required.clusters.iter().flatten() {
            if !targets.iter().any(|(name, _)| *name == cluster.name) {
                targets.push((cluster.name.clone(), None));
            }
        }
    }
    let keep_untouched: BTreeSet<String> = spec
        .graceful_eviction_tasks
        .iter()
        .flatten()
        .filter(|task| task.purge_mode != Some(PurgeMode::Directly))
        .map(|task| task.from_cluster.clone())
        .collect();

    let cops = ctx.informers.cluster_override_policies.store().state();
    let cops: Vec<_> = cops.iter().map(|p| p.as_ref().clone()).collect();
    let namespace = resource.namespace.clone().unwrap_or_default();
    let ops: Vec<_> = ctx
        .informers
        .override_policies
        .store()
        .state()
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(namespace.as_str()))
        .map(|p| p.as_ref().clone())
        .collect();
    let owner = works::Owner {
        namespace: key.namespace.as_deref(),
        name: &key.name,
        permanent_id_label: binding.permanent_id_label(),
        permanent_id,
    };

    let completions = job_completions(&template_value, spec, &targets);
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for (cluster_name, replicas) in &targets {
        let Some(cluster) = ctx.informers.cluster(cluster_name) else {
            continue;
        };
        if cluster.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let mut template_for_cluster = std::borrow::Cow::Borrowed(&template_value);
        if let Some(share) = completions
            .iter()
            .find(|(n, _)| n == cluster_name)
            .map(|(_, c)| *c)
        {
            crate::interpret::revise_job_completions(template_for_cluster.to_mut(), share);
        }
        let desired = works::desired(
            &template_for_cluster,
            spec,
            &owner,
            &cluster,
            *replicas,
            &cops,
            &ops,
        )
        .map_err(|e| Error::Override(cluster_name.clone(), e))?;
        wanted.insert((desired.namespace.clone(), desired.name.clone()));
        let current = existing.iter().find(|w| {
            w.metadata.namespace.as_deref() == Some(desired.namespace.as_str())
                && w.metadata.name.as_deref() == Some(desired.name.as_str())
        });
        write_work(&ctx, current.map(Arc::as_ref), desired).await?;
    }
    for work in &existing {
        let id = (work.namespace().unwrap_or_default(), work.name_any());
        let cluster =
            id.0.strip_prefix(names::EXECUTION_NAMESPACE_PREFIX)
                .unwrap_or_default();
        if wanted.contains(&id)
            || keep_untouched.contains(cluster)
            || work.metadata.deletion_timestamp.is_some()
        {
            continue;
        }
        delete_work(&ctx, work).await?;
    }
    Ok(Action::Done)
}

/// Each cluster's share of a divided Job's `completions` (Karmada's
/// `divideReplicasByJobCompletions`): the completions split by Webster apportionment with each
/// cluster weighing its scheduled replicas. Empty for other kinds, Jobs without completions and
/// bindings that do not divide replicas.
pub fn job_completions(
    template: &Value,
    spec: &karmada_api::work::v1alpha2::ResourceBindingSpec,
    targets: &[(String, Option<i32>)],
) -> Vec<(String, i32)> {
    use crate::scheduler::core::webster::{NameOrder, allocate};
    use karmada_api::policy::v1alpha1::ReplicaSchedulingType;
    let is_job = template.get("apiVersion").and_then(Value::as_str) == Some("batch/v1")
        && template.get("kind").and_then(Value::as_str) == Some("Job");
    let Some(completions) = template
        .pointer("/spec/completions")
        .and_then(Value::as_i64)
    else {
        return Vec::new();
    };
    let divided = spec
        .placement
        .as_ref()
        .is_some_and(|p| p.replica_scheduling_type() == ReplicaSchedulingType::Divided);
    if !is_job || !divided {
        return Vec::new();
    }
    let votes: Vec<(&str, i64)> = targets
        .iter()
        .filter_map(|(name, replicas)| replicas.map(|r| (name.as_str(), i64::from(r))))
        .collect();
    let order = NameOrder::for_uid(spec.resource.uid.as_deref().unwrap_or_default());
    allocate(completions, &votes, &[], order)
        .into_iter()
        .map(|(name, seats)| (name, i32::try_from(seats).unwrap_or(i32::MAX)))
        .collect()
}

/// Creates the Work, or updates it when it differs from what is desired.
async fn write_work(
    ctx: &Context,
    current: Option<&Work>,
    desired: works::DesiredWork,
) -> Result<(), Error> {
    let api: Api<Work> = Api::namespaced(ctx.client.clone(), &desired.namespace);
    let id = format!("{}/{}", desired.namespace, desired.name);
    let spec = WorkSpec {
        workload: Some(WorkloadTemplate {
            manifests: Some(vec![
                serde_json::from_value(desired.manifest.clone())
                    .map_err(|e| Error::WriteWork(id.clone(), kube::Error::SerdeError(e)))?,
            ]),
        }),
        suspend_dispatching: desired.suspend_dispatching,
        preserve_resources_on_deletion: desired.preserve_resources_on_deletion,
    };
    match current {
        None => {
            let work = Work {
                metadata: ObjectMeta {
                    name: Some(desired.name.clone()),
                    namespace: Some(desired.namespace.clone()),
                    labels: Some(desired.labels.clone()),
                    annotations: Some(desired.annotations.clone()),
                    finalizers: Some(vec![names::EXECUTION_CONTROLLER_FINALIZER.to_string()]),
                    ..ObjectMeta::default()
                },
                spec,
                status: None,
            };
            match api.create(&PostParams::default(), &work).await {
                Ok(_) => Ok(()),
                Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
                Err(e) => Err(Error::WriteWork(id, e)),
            }
        }
        Some(current) => {
            if current.metadata.deletion_timestamp.is_some() {
                // Being deleted (by hand): it is created again once gone.
                return Ok(());
            }
            // The API server mutates every Work as Karmada's webhook does (pruned manifests,
            // recorded managed labels and annotations); compare against the same mutation.
            let mut normalized = Work {
                metadata: ObjectMeta {
                    labels: current.metadata.labels.clone(),
                    ..ObjectMeta::default()
                },
                spec: spec.clone(),
                status: None,
            };
            karmada_api::work::work_admission::mutate_work(&mut normalized, String::new);
            let labels_ok = desired
                .labels
                .iter()
                .all(|(k, v)| current.labels().get(k) == Some(v));
            let annotations_ok = desired
                .annotations
                .iter()
                .all(|(k, v)| current.annotations().get(k) == Some(v));
            if current.spec == normalized.spec && labels_ok && annotations_ok {
                return Ok(());
            }
            let patch = json!({
                "metadata": {
                    "labels": desired.labels,
                    "annotations": desired.annotations,
                    "resourceVersion": current.meta().resource_version,
                },
                "spec": spec,
            });
            api.patch(
                &desired.name,
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
            .map(|_| ())
            .map_err(|e| Error::WriteWork(id, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::job_completions;
    use karmada_api::work::v1alpha2::ResourceBindingSpec;
    use serde_json::json;

    fn divided() -> ResourceBindingSpec {
        serde_json::from_value(json!({
            "resource": {"apiVersion": "batch/v1", "kind": "Job", "name": "j"},
            "placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}},
        }))
        .expect("spec")
    }

    #[test]
    fn a_divided_job_s_completions_follow_its_replicas() {
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": 3, "completions": 9}});
        let targets = vec![("m1".to_string(), Some(1)), ("m2".to_string(), Some(2))];
        assert_eq!(
            job_completions(&job, &divided(), &targets),
            vec![("m1".into(), 3), ("m2".into(), 6)]
        );
    }

    #[test]
    fn jobs_without_completions_duplicated_bindings_and_other_kinds_are_left_alone() {
        let targets = vec![("m1".to_string(), Some(1))];
        let no_completions =
            json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": 1}});
        assert!(job_completions(&no_completions, &divided(), &targets).is_empty());
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"completions": 4}});
        let mut duplicated = divided();
        duplicated.placement = Some(Default::default());
        assert!(job_completions(&job, &duplicated, &targets).is_empty());
        let deployment =
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"completions": 4}});
        assert!(job_completions(&deployment, &divided(), &targets).is_empty());
    }
}
