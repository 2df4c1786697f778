//! Execution and work status: each Work in `karmada-es-<cluster>` is applied to its member
//! (create, or update keeping what the member's own controllers own; conflictResolution decides
//! about objects Karmada did not create; drift is corrected; suspended Works are skipped) and its
//! member copy deleted with it unless preserveResourcesOnDeletion. The work-status controller
//! reports each member copy's status and health on the Work.
//!
//! Both run unchanged in the controller-manager (push clusters) and in the pull-mode agent (its
//! own cluster): members are reached only through [`crate::members::MemberClients`].

pub mod member_watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use karmada_api::names;
use karmada_api::work::v1alpha1::{
    CONDITION_APPLIED, CONDITION_DISPATCHING, ManifestStatus, RawObject, ResourceIdentifier, Work,
};
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube::discovery::Scope;
use kube::{Client, ResourceExt};
use serde_json::{Value, json};

use crate::bindings;
use crate::context::{Context, Key};
use crate::runtime::{self, Action, Queue};
pub use member_watch::MemberWatches;

/// Errors of execution and work status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Member(#[from] crate::members::MemberError),
    #[error("failed to find resource {0} in cluster {1}: {2}")]
    Discovery(String, String, kube::Error),
    #[error("failed to apply {0} to {1}: {2}")]
    Apply(String, String, kube::Error),
    #[error("failed to delete {0} from {1}: {2}")]
    Delete(String, String, kube::Error),
    #[error("failed to update work {0}: {1}")]
    Work(String, kube::Error),
}

/// Settings of execution and work status.
#[derive(Clone, Debug)]
pub struct Config {
    pub workers: usize,
    /// How often every Work is applied again even without a change seen (a safety net for
    /// missed member events).
    pub resync: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            workers: 5,
            resync: Duration::from_secs(300),
        }
    }
}

type ResolvedKinds = HashMap<(String, String, String), (ApiResource, bool)>;

/// Resolved kinds per cluster.
#[derive(Clone, Default)]
pub struct Resources {
    cache: Arc<Mutex<ResolvedKinds>>,
}

impl Resources {
    /// The resource and scope of `apiVersion`/`kind` in `cluster`.
    pub async fn resolve(
        &self,
        cluster: &str,
        client: &Client,
        api_version: &str,
        kind: &str,
    ) -> Result<(ApiResource, bool), Error> {
        let key = (
            cluster.to_string(),
            api_version.to_string(),
            kind.to_string(),
        );
        if let Some(found) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(found.clone());
        }
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, caps) = kube::discovery::pinned_kind(client, &gvk)
            .await
            .map_err(|e| {
                Error::Discovery(format!("{api_version}/{kind}"), cluster.to_string(), e)
            })?;
        let found = (resource, caps.scope == Scope::Namespaced);
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, found.clone());
        Ok(found)
    }
}

/// What execution and work status share.
#[derive(Clone)]
pub struct Shared {
    pub watches: MemberWatches,
    pub resources: Resources,
}

/// The cluster of an execution namespace.
pub fn cluster_of(namespace: &str) -> Option<&str> {
    namespace.strip_prefix(names::EXECUTION_NAMESPACE_PREFIX)
}

/// Starts the execution controller and the work-status controller.
pub async fn start(ctx: Context, config: Config, run_execution: bool, run_status: bool) {
    let shared = Shared {
        watches: MemberWatches::default(),
        resources: Resources::default(),
    };
    let execution: Queue<Key> = Queue::new();
    let status: Queue<Key> = Queue::new();
    shared.watches.subscribe(execution.clone());
    shared.watches.subscribe(status.clone());
    {
        let (execution, status) = (execution.clone(), status.clone());
        ctx.informers.works.on_change(move |work, deleted| {
            let key = Key::of(work);
            if !deleted {
                execution.add(key.clone());
                status.add(key);
            }
        });
    }
    {
        // A cluster becoming reachable again, or gone: its Works are looked at again.
        let (execution, informers, watches) = (
            execution.clone(),
            ctx.informers.clone(),
            shared.watches.clone(),
        );
        let ready: Mutex<HashMap<String, Option<String>>> = Mutex::default();
        ctx.informers.clusters.on_change(move |cluster, deleted| {
            let name = cluster.name_any();
            if deleted {
                watches.forget_cluster(&name);
            }
            let now = cluster.ready_status().map(str::to_string);
            let changed = ready
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name.clone(), now.clone())
                != Some(now);
            if changed || deleted {
                let namespace = names::execution_namespace(&name);
                for work in informers.works.store().state() {
                    if work.metadata.namespace.as_deref() == Some(namespace.as_str()) {
                        execution.add(Key::of(work.as_ref()));
                    }
                }
            }
        });
    }
    {
        let (execution, informers, mut shutdown) = (
            execution.clone(),
            ctx.informers.clone(),
            ctx.shutdown.clone(),
        );
        let period = config.resync;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = runtime::stopped(&mut shutdown) => return,
                    _ = tokio::time::sleep(period) => {}
                }
                for work in informers.works.store().state() {
                    execution.add(Key::of(work.as_ref()));
                }
            }
        });
    }
    let execution_loop = {
        let (ctx, shared) = (ctx.clone(), shared.clone());
        async move {
            if run_execution {
                runtime::run(
                    "execution",
                    execution,
                    config.workers,
                    ctx.metrics.clone(),
                    ctx.shutdown.clone(),
                    move |key| reconcile_execution(ctx.clone(), shared.clone(), key),
                )
                .await
            }
        }
    };
    let status_loop = {
        let (ctx, shared) = (ctx.clone(), shared.clone());
        async move {
            if run_status {
                runtime::run(
                    "workStatus",
                    status,
                    config.workers,
                    ctx.metrics.clone(),
                    ctx.shutdown.clone(),
                    move |key| reconcile_status(ctx.clone(), shared.clone(), key),
                )
                .await
            }
        }
    };
    tokio::join!(execution_loop, status_loop);
}

fn work_api(ctx: &Context, key: &Key) -> Api<Work> {
    Api::namespaced(
        ctx.client.clone(),
        key.namespace.as_deref().unwrap_or_default(),
    )
}

fn manifest_id(manifest: &Value) -> String {
    let text = |p: &str| {
        manifest
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let ns = text("/metadata/namespace");
    if ns.is_empty() {
        format!("{} {}", text("/kind"), text("/metadata/name"))
    } else {
        format!("{} {}/{}", text("/kind"), ns, text("/metadata/name"))
    }
}

struct Target {
    api: Api<DynamicObject>,
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
}

async fn target(
    shared: &Shared,
    cluster: &str,
    client: &Client,
    manifest: &Value,
) -> Result<Target, Error> {
    let text = |p: &str| {
        manifest
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (resource, namespaced) = shared
        .resources
        .resolve(cluster, client, &text("/apiVersion"), &text("/kind"))
        .await?;
    let namespace = Some(text("/metadata/namespace")).filter(|n| namespaced && !n.is_empty());
    let api = match &namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    Ok(Target {
        api,
        resource,
        namespace,
        name: text("/metadata/name"),
    })
}

/// Whether the member object was put there by this Work.
fn owned_by(observed: &DynamicObject, work_namespace: &str, work_name: &str) -> bool {
    let annotations = observed.annotations();
    annotations
        .get(names::WORK_NAMESPACE_ANNOTATION)
        .map(String::as_str)
        == Some(work_namespace)
        && annotations
            .get(names::WORK_NAME_ANNOTATION)
            .map(String::as_str)
            == Some(work_name)
}

/// Whether every field of `desired` has the same value in `observed` (recursively; arrays must
/// have the same length and match element by element). Fields only in `observed` — defaults, what
/// member controllers set — do not count.
pub fn contained_in(desired: &Value, observed: &Value) -> bool {
    match (desired, observed) {
        (Value::Object(d), Value::Object(o)) => d
            .iter()
            .all(|(k, v)| o.get(k).is_some_and(|ov| contained_in(v, ov)) || v.is_null()),
        (Value::Array(d), Value::Array(o)) => {
            d.len() == o.len() && d.iter().zip(o).all(|(d, o)| contained_in(d, o))
        }
        (d, o) => d == o,
    }
}

enum Applied {
    Ok,
    Conflict(String),
}

async fn apply_manifest(
    shared: &Shared,
    cluster: &str,
    client: &Client,
    work: &Work,
    manifest: &Value,
) -> Result<Applied, Error> {
    let target = target(shared, cluster, client, manifest).await?;
    shared.watches.ensure(cluster, client, &target.resource);
    let id = manifest_id(manifest);
    let apply_err = |e| Error::Apply(id.clone(), cluster.to_string(), e);
    let mut desired = manifest.clone();
    let observed = target.api.get_opt(&target.name).await.map_err(apply_err)?;
    let Some(observed) = observed else {
        let object: DynamicObject =
            serde_json::from_value(desired).map_err(|e| apply_err(kube::Error::SerdeError(e)))?;
        return match target.api.create(&PostParams::default(), &object).await {
            Ok(_) => Ok(Applied::Ok),
            // Created meanwhile: the watch brings the Work back.
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(Applied::Ok),
            Err(e) => Err(apply_err(e)),
        };
    };
    let work_ns = work.namespace().unwrap_or_default();
    let work_name = work.name_any();
    if !owned_by(&observed, &work_ns, &work_name) {
        let overwrite = manifest
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(names::CONFLICT_RESOLUTION_ANNOTATION))
            .and_then(Value::as_str)
            == Some("overwrite");
        if !overwrite {
            return Ok(Applied::Conflict(format!(
                "{id} already exists in cluster {cluster} and is not managed by Karmada; \
                 set conflictResolution: Overwrite to take it over"
            )));
        }
    }
    let observed_value = serde_json::to_value(&observed).unwrap_or(Value::Null);
    crate::interpret::retain(&mut desired, &observed_value);
    if contained_in(&desired, &observed_value) {
        return Ok(Applied::Ok);
    }
    desired["metadata"]["resourceVersion"] = json!(observed.metadata.resource_version);
    let object: DynamicObject =
        serde_json::from_value(desired).map_err(|e| apply_err(kube::Error::SerdeError(e)))?;
    target
        .api
        .replace(&target.name, &PostParams::default(), &object)
        .await
        .map(|_| Applied::Ok)
        .map_err(apply_err)
}

async fn remove_finalizer(ctx: &Context, key: &Key, work: &Work) -> Result<Action, Error> {
    let remaining: Vec<String> = work
        .finalizers()
        .iter()
        .filter(|f| *f != names::EXECUTION_CONTROLLER_FINALIZER)
        .cloned()
        .collect();
    let patch = json!({"metadata": {"finalizers": remaining, "resourceVersion": work.metadata.resource_version}});
    match work_api(ctx, key)
        .patch(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(Action::Done),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Action::Done),
        Err(e) => Err(Error::Work(key.to_string(), e)),
    }
}

async fn reconcile_execution(ctx: Context, shared: Shared, key: Key) -> Result<Action, Error> {
    let Some(work) = ctx.informers.works.store().get(&key.object_ref()) else {
        return Ok(Action::Done);
    };
    let Some(cluster_name) = key.namespace.as_deref().and_then(cluster_of) else {
        return Ok(Action::Done);
    };
    let cluster = ctx.informers.cluster(cluster_name);
    if cluster.as_ref().is_some_and(|c| !ctx.members.serves(c)) {
        return Ok(Action::Done);
    }
    let has_finalizer = work
        .finalizers()
        .iter()
        .any(|f| f == names::EXECUTION_CONTROLLER_FINALIZER);
    if work.metadata.deletion_timestamp.is_some() {
        if !has_finalizer {
            return Ok(Action::Done);
        }
        if cluster.is_some() {
            let client = ctx.members.client(cluster_name).await?;
            let preserve = work.spec.preserve_resources_on_deletion.unwrap_or(false);
            for manifest in work.manifests() {
                let manifest = Value::Object(manifest.0.clone());
                let target = target(&shared, cluster_name, &client, &manifest).await?;
                let id = manifest_id(&manifest);
                let Some(observed) = target
                    .api
                    .get_opt(&target.name)
                    .await
                    .map_err(|e| Error::Delete(id.clone(), cluster_name.to_string(), e))?
                else {
                    continue;
                };
                if !owned_by(
                    &observed,
                    &key.namespace.clone().unwrap_or_default(),
                    &key.name,
                ) {
                    continue;
                }
                let result = if preserve {
                    // Kept, but no longer Karmada's.
                    let patch = json!({"metadata": {
                        "labels": {names::MANAGED_LABEL: null},
                        "annotations": {names::WORK_NAMESPACE_ANNOTATION: null, names::WORK_NAME_ANNOTATION: null},
                    }});
                    target
                        .api
                        .patch(&target.name, &PatchParams::default(), &Patch::Merge(&patch))
                        .await
                        .map(|_| ())
                } else {
                    target
                        .api
                        .delete(&target.name, &DeleteParams::background())
                        .await
                        .map(|_| ())
                };
                match result {
                    Ok(()) => {}
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(e) => return Err(Error::Delete(id, cluster_name.to_string(), e)),
                }
            }
        }
        return remove_finalizer(&ctx, &key, &work).await;
    }
    let Some(cluster) = cluster else {
        // The cluster is not (yet) known; its arrival brings the Work back.
        return Ok(Action::Done);
    };
    let _ = cluster;
    if !has_finalizer {
        let mut finalizers = work.finalizers().to_vec();
        finalizers.push(names::EXECUTION_CONTROLLER_FINALIZER.to_string());
        let patch = json!({"metadata": {"finalizers": finalizers, "resourceVersion": work.metadata.resource_version}});
        work_api(&ctx, &key)
            .patch(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map_err(|e| Error::Work(key.to_string(), e))?;
        return Ok(Action::Done);
    }
    let mut conditions = work
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    if work.spec.suspend_dispatching == Some(true) {
        let changed = bindings::set_condition(
            &mut conditions,
            bindings::condition(
                CONDITION_DISPATCHING,
                false,
                "SuspendDispatching",
                "Work dispatching is in a suspended state.",
            ),
        );
        if changed {
            write_conditions(&ctx, &key, &work, conditions).await?;
        }
        return Ok(Action::Done);
    }
    let mut changed = false;
    if conditions.iter().any(|c| c.type_ == CONDITION_DISPATCHING) {
        changed |= bindings::set_condition(
            &mut conditions,
            bindings::condition(
                CONDITION_DISPATCHING,
                true,
                "DispatchingSucceed",
                "Work is being dispatched to member clusters.",
            ),
        );
    }
    let client = ctx.members.client(cluster_name).await?;
    let mut outcome = Ok(());
    for manifest in work.manifests() {
        let manifest = Value::Object(manifest.0.clone());
        match apply_manifest(&shared, cluster_name, &client, &work, &manifest).await {
            Ok(Applied::Ok) => {}
            Ok(Applied::Conflict(message)) => {
                outcome = Err(("ConflictResolutionAbort".to_string(), message));
                break;
            }
            Err(error) => {
                outcome = Err(("AppliedFailed".to_string(), error.to_string()));
                break;
            }
        }
    }
    let condition = match &outcome {
        Ok(()) => bindings::condition(
            CONDITION_APPLIED,
            true,
            "AppliedSuccessful",
            "Manifest has been successfully applied",
        ),
        Err((reason, message)) => bindings::condition(CONDITION_APPLIED, false, reason, message),
    };
    changed |= bindings::set_condition(&mut conditions, condition);
    if changed {
        write_conditions(&ctx, &key, &work, conditions).await?;
    }
    match outcome {
        Ok(()) => Ok(Action::Done),
        // A conflict is not retried by backoff: it is reported and waits for a change.
        Err((reason, _)) if reason == "ConflictResolutionAbort" => Ok(Action::Done),
        Err((_, message)) => Err(Error::Apply(
            key.to_string(),
            cluster_name.to_string(),
            kube::Error::Service(message.into()),
        )),
    }
}

async fn write_conditions(
    ctx: &Context,
    key: &Key,
    work: &Work,
    conditions: Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition>,
) -> Result<(), Error> {
    let patch = json!({
        "metadata": {"resourceVersion": work.metadata.resource_version},
        "status": {"conditions": conditions},
    });
    work_api(ctx, key)
        .patch_status(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map(|_| ())
        .map_err(|e| Error::Work(key.to_string(), e))
}

async fn reconcile_status(ctx: Context, shared: Shared, key: Key) -> Result<Action, Error> {
    let Some(work) = ctx.informers.works.store().get(&key.object_ref()) else {
        return Ok(Action::Done);
    };
    let Some(cluster_name) = key.namespace.as_deref().and_then(cluster_of) else {
        return Ok(Action::Done);
    };
    let Some(cluster) = ctx.informers.cluster(cluster_name) else {
        return Ok(Action::Done);
    };
    if !ctx.members.serves(&cluster) || work.metadata.deletion_timestamp.is_some() {
        return Ok(Action::Done);
    }
    let client = ctx.members.client(cluster_name).await?;
    let mut statuses = Vec::new();
    for (ordinal, manifest) in work.manifests().iter().enumerate() {
        let manifest = Value::Object(manifest.0.clone());
        let target = target(&shared, cluster_name, &client, &manifest).await?;
        let observed =
            match shared.watches.cached(
                cluster_name,
                &target.resource,
                target.namespace.as_deref(),
                &target.name,
            ) {
                Some(cached) => cached.map(|o| o.as_ref().clone()),
                None => target.api.get_opt(&target.name).await.map_err(|e| {
                    Error::Apply(manifest_id(&manifest), cluster_name.to_string(), e)
                })?,
            };
        let Some(observed) = observed else {
            continue;
        };
        if !owned_by(
            &observed,
            &key.namespace.clone().unwrap_or_default(),
            &key.name,
        ) {
            continue;
        }
        let value = serde_json::to_value(&observed).unwrap_or(Value::Null);
        let group = target.resource.group.clone();
        statuses.push(ManifestStatus {
            identifier: ResourceIdentifier {
                ordinal: ordinal as i64,
                group: Some(group).filter(|g| !g.is_empty()),
                version: target.resource.version.clone(),
                kind: target.resource.kind.clone(),
                resource: target.resource.plural.clone(),
                namespace: target.namespace.clone(),
                name: target.name.clone(),
            },
            status: crate::interpret::reflect_status(&value).and_then(|s| match s {
                Value::Object(map) => Some(RawObject(map)),
                _ => None,
            }),
            health: Some(crate::interpret::health(&value)),
        });
    }
    let current = work
        .status
        .as_ref()
        .and_then(|s| s.manifest_statuses.clone())
        .unwrap_or_default();
    if current == statuses {
        return Ok(Action::Done);
    }
    let patch = json!({"status": {"manifestStatuses": statuses}});
    match work_api(&ctx, &key)
        .patch_status(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(_) => Ok(Action::Done),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Action::Done),
        Err(e) => Err(Error::Work(key.to_string(), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::contained_in;
    use serde_json::json;

    #[test]
    fn containment_ignores_fields_only_the_member_has() {
        let desired = json!({"spec": {"replicas": 2, "template": {"containers": [{"name": "c", "image": "x"}]}}});
        let observed = json!({"spec": {"replicas": 2, "paused": false, "template": {"containers": [{"name": "c", "image": "x", "imagePullPolicy": "Always"}]}}, "status": {}});
        assert!(contained_in(&desired, &observed));
        let drifted = json!({"spec": {"replicas": 5, "template": {"containers": [{"name": "c", "image": "x"}]}}});
        assert!(!contained_in(&desired, &drifted));
        let fewer = json!({"spec": {"replicas": 2, "template": {"containers": []}}});
        assert!(!contained_in(&desired, &fewer));
    }
}
