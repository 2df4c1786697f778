//! The resource detector: watches every kind of resource template the federation serves
//! (discovered as kinds appear and disappear), matches templates against PropagationPolicies and
//! ClusterPropagationPolicies, claims them, and keeps their ResourceBinding /
//! ClusterResourceBinding in step with template and policy. It also releases the claims of deleted
//! policies and then their finalizers.

pub mod binding;
pub mod matching;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use karmada_api::names;
use karmada_api::policy::v1alpha1::{ClusterPropagationPolicy, PropagationPolicy, PropagationSpec};
use karmada_api::work::v1alpha2::{Binding, ClusterResourceBinding, ResourceBinding};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::{Discovery, Scope, verbs};
use kube::runtime::watcher;
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::context::{Context, Key, TemplateResource};
use crate::runtime::{self, Action, Informer, Queue};
use crate::selectors::{ObjectKey, labels_of};
use matching::{PolicyRef, PolicyView};

/// Errors of the detector.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to claim {0}: {1}")]
    Claim(String, kube::Error),
    #[error("failed to write binding {0}: {1}")]
    WriteBinding(String, kube::Error),
    #[error("failed to release the claims of policy {0}: {1}")]
    Release(String, kube::Error),
}

/// A resource template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TemplateKey {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for TemplateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{} {}", self.api_version, self.kind, self.name)
        } else {
            write!(
                f,
                "{}/{} {}/{}",
                self.api_version, self.kind, self.namespace, self.name
            )
        }
    }
}

/// Whether templates in `namespace` are never propagated.
pub fn skipped_namespace(namespace: &str) -> bool {
    names::is_reserved_namespace(namespace) || namespace.starts_with("kube-")
}

/// Whether a served group/resource is never a template: Karmada's own groups and events.
fn skipped_resource(group: &str, plural: &str) -> bool {
    group.ends_with("karmada.io")
        || plural == "events"
        || (group.is_empty() && plural == "componentstatuses")
}

/// Settings of the detector.
#[derive(Clone, Debug)]
pub struct Config {
    pub workers: usize,
    /// How often served kinds are rediscovered (also on every CRD change).
    pub discovery_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            workers: 5,
            discovery_interval: Duration::from_secs(30),
        }
    }
}

/// Starts the detector: kind discovery, the template loop and the policy loop.
pub async fn start(ctx: Context, config: Config) {
    let templates: Queue<TemplateKey> = Queue::new();
    let policies: Queue<Key> = Queue::new();

    {
        let templates = templates.clone();
        ctx.templates.on_change(move |kind, object, _deleted| {
            if let Some(key) = template_key(kind, object) {
                templates.add(key);
            }
        });
    }
    {
        let (policies, templates, ctx2) = (policies.clone(), templates.clone(), ctx.clone());
        ctx.informers
            .propagation_policies
            .on_change(move |policy, _| {
                policies.add(Key::of(policy));
                enqueue_selected(&ctx2, &templates, &policy.spec);
            });
    }
    {
        let (policies, templates, ctx2) = (policies.clone(), templates.clone(), ctx.clone());
        ctx.informers
            .cluster_propagation_policies
            .on_change(move |policy, _| {
                policies.add(Key::of(policy));
                enqueue_selected(&ctx2, &templates, &policy.spec);
            });
    }

    // A binding deleted or edited by hand is put back by reconciling its template.
    {
        let (templates, ctx2) = (templates.clone(), ctx.clone());
        ctx.informers
            .resource_bindings
            .on_change(move |binding, _| {
                enqueue_bound(&ctx2, &templates, &binding.spec.resource);
            });
    }
    {
        let (templates, ctx2) = (templates.clone(), ctx.clone());
        ctx.informers
            .cluster_resource_bindings
            .on_change(move |binding, _| {
                enqueue_bound(&ctx2, &templates, &binding.spec.resource);
            });
    }

    let rediscover = Arc::new(Notify::new());
    let crds: Informer<CustomResourceDefinition> = Informer::start(
        Api::all(ctx.client.clone()),
        watcher::Config::default(),
        ctx.shutdown.clone(),
    );
    {
        let rediscover = rediscover.clone();
        crds.on_change(move |_, _| rediscover.notify_one());
    }
    discover(&ctx).await;
    tokio::spawn(discovery_loop(
        ctx.clone(),
        config.discovery_interval,
        rediscover,
    ));

    let template_loop = {
        let ctx = ctx.clone();
        runtime::run(
            "detector",
            templates.clone(),
            config.workers,
            ctx.metrics.clone(),
            ctx.shutdown.clone(),
            move |key| reconcile_template(ctx.clone(), key),
        )
    };
    let policy_loop = {
        let ctx = ctx.clone();
        let templates = templates.clone();
        runtime::run(
            "policy",
            policies,
            1,
            ctx.metrics.clone(),
            ctx.shutdown.clone(),
            move |key| reconcile_policy(ctx.clone(), templates.clone(), key),
        )
    };
    tokio::join!(template_loop, policy_loop);
}

fn template_key(kind: &TemplateResource, object: &DynamicObject) -> Option<TemplateKey> {
    let namespace = object.metadata.namespace.clone().unwrap_or_default();
    if skipped_namespace(&namespace) {
        return None;
    }
    Some(TemplateKey {
        api_version: kind.resource.api_version.clone(),
        kind: kind.resource.kind.clone(),
        namespace,
        name: object.metadata.name.clone()?,
    })
}

/// Queues the template a binding points at.
fn enqueue_bound(
    ctx: &Context,
    queue: &Queue<TemplateKey>,
    resource: &karmada_api::work::v1alpha2::ObjectReference,
) {
    let namespace = resource.namespace.clone().unwrap_or_default();
    if ctx
        .templates
        .get(&resource.api_version, &resource.kind)
        .is_none()
        || skipped_namespace(&namespace)
    {
        return;
    }
    queue.add(TemplateKey {
        api_version: resource.api_version.clone(),
        kind: resource.kind.clone(),
        namespace,
        name: resource.name.clone(),
    });
}

/// Queues the templates of the kinds a policy selects, and those it claims.
fn enqueue_selected(ctx: &Context, queue: &Queue<TemplateKey>, spec: &PropagationSpec) {
    let kinds: HashSet<(&str, &str)> = spec
        .resource_selectors
        .iter()
        .map(|s| (s.api_version.as_str(), s.kind.as_str()))
        .collect();
    for kind in ctx.templates.all() {
        if !kinds.contains(&(
            kind.resource.api_version.as_str(),
            kind.resource.kind.as_str(),
        )) {
            continue;
        }
        for object in kind.informer.store().state() {
            if let Some(key) = template_key(&kind, &object) {
                queue.add(key);
            }
        }
    }
}

async fn discovery_loop(ctx: Context, interval: Duration, rediscover: Arc<Notify>) {
    let mut shutdown = ctx.shutdown.clone();
    loop {
        tokio::select! {
            _ = crate::runtime::stopped(&mut shutdown) => return,
            _ = tokio::time::sleep(interval) => {}
            _ = rediscover.notified() => {
                // CRDs come in bursts; let the server publish them first.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        discover(&ctx).await;
    }
}

/// Starts watching every served template kind not watched yet, and forgets the kinds that are gone.
async fn discover(ctx: &Context) {
    let discovery = match Discovery::new(ctx.client.clone()).run_aggregated().await {
        Ok(discovery) => discovery,
        Err(error) => {
            tracing::warn!("resource discovery failed: {error}");
            return;
        }
    };
    let mut served = HashSet::new();
    for group in discovery.groups() {
        for (resource, caps) in group.recommended_resources() {
            if skipped_resource(&resource.group, &resource.plural)
                || !caps.supports_operation(verbs::LIST)
                || !caps.supports_operation(verbs::WATCH)
                || resource.plural.contains('/')
            {
                continue;
            }
            served.insert((resource.api_version.clone(), resource.kind.clone()));
            if ctx
                .templates
                .get(&resource.api_version, &resource.kind)
                .is_some()
            {
                continue;
            }
            let namespaced = caps.scope == Scope::Namespaced;
            ctx.templates.insert(watch_kind(ctx, resource, namespaced));
        }
    }
    for gone in ctx.templates.retain(&|key| served.contains(key)) {
        tracing::info!(kind = %gone.resource.kind, "resource kind no longer served");
        let _ = gone;
    }
}

fn watch_kind(ctx: &Context, resource: ApiResource, namespaced: bool) -> TemplateResource {
    // A kind's watch ends with the process; a kind that stops being served fails its watch,
    // which backs off quietly.
    let api: Api<DynamicObject> = Api::all_with(ctx.client.clone(), &resource);
    let informer = Informer::start_with(
        api,
        watcher::Config::default(),
        resource.clone(),
        ctx.shutdown.clone(),
    );
    TemplateResource {
        resource,
        namespaced,
        informer,
    }
}

fn policy_views<'a>(
    pps: &'a [Arc<PropagationPolicy>],
    cpps: &'a [Arc<ClusterPropagationPolicy>],
) -> (Vec<PolicyView<'a>>, Vec<PolicyView<'a>>) {
    let pp = pps
        .iter()
        .map(|p| PolicyView {
            namespace: p.metadata.namespace.as_deref(),
            name: p.metadata.name.as_deref().unwrap_or_default(),
            spec: &p.spec,
            deleting: p.metadata.deletion_timestamp.is_some(),
        })
        .collect();
    let cpp = cpps
        .iter()
        .map(|p| PolicyView {
            namespace: None,
            name: p.metadata.name.as_deref().unwrap_or_default(),
            spec: &p.spec,
            deleting: p.metadata.deletion_timestamp.is_some(),
        })
        .collect();
    (pp, cpp)
}

fn current_claim(object: &DynamicObject) -> Option<PolicyRef> {
    let annotations = object.metadata.annotations.as_ref()?;
    if let (Some(namespace), Some(name)) = (
        annotations.get(names::PROPAGATION_POLICY_NAMESPACE_ANNOTATION),
        annotations.get(names::PROPAGATION_POLICY_NAME_ANNOTATION),
    ) {
        return Some(PolicyRef::Namespaced {
            namespace: namespace.clone(),
            name: name.clone(),
        });
    }
    annotations
        .get(names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION)
        .map(|name| PolicyRef::Cluster { name: name.clone() })
}

async fn reconcile_template(ctx: Context, key: TemplateKey) -> Result<Action, Error> {
    let Some(kind) = ctx.templates.get(&key.api_version, &key.kind) else {
        return Ok(Action::Done);
    };
    let Some(object) = ctx
        .templates
        .object(&key.api_version, &key.kind, &key.namespace, &key.name)
    else {
        // Deleted: its binding goes with it (owner reference).
        return Ok(Action::Done);
    };
    if object.metadata.deletion_timestamp.is_some()
        || object
            .annotations()
            .contains_key(names::CLAIMED_BY_ANNOTATION)
    {
        return Ok(Action::Done);
    }
    let value = serde_json::to_value(object.as_ref()).unwrap_or(Value::Null);
    let mut value = value;
    // Typed caches drop apiVersion/kind of DynamicObjects' type meta only when absent; set them.
    value["apiVersion"] = json!(key.api_version);
    value["kind"] = json!(key.kind);
    let labels = labels_of(&value);
    let object_key = ObjectKey::of(&value, &labels);

    let pps = ctx.informers.propagation_policies.store().state();
    let pps: Vec<_> = pps
        .into_iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(key.namespace.as_str()))
        .collect();
    let cpps = if key.namespace.is_empty() || !names::is_reserved_namespace(&key.namespace) {
        ctx.informers.cluster_propagation_policies.store().state()
    } else {
        Vec::new()
    };
    let (pp_views, cpp_views) = policy_views(&pps, &cpps);
    let claim = current_claim(&object);
    let chosen = matching::choose(&object_key, claim.as_ref(), &pp_views, &cpp_views);

    let api: Api<DynamicObject> = if kind.namespaced {
        Api::namespaced_with(ctx.client.clone(), &key.namespace, &kind.resource)
    } else {
        Api::all_with(ctx.client.clone(), &kind.resource)
    };
    let Some(chosen) = chosen else {
        if claim.is_some() {
            // The policy is gone or no longer selects the template: release it (what was
            // propagated stays).
            api.patch(
                &key.name,
                &PatchParams::default(),
                &Patch::Merge(unclaim_patch()),
            )
            .await
            .map_err(|e| Error::Claim(key.to_string(), e))?;
        }
        return Ok(Action::Done);
    };

    let (spec, permanent_id, claim_patch) = match &chosen {
        PolicyRef::Namespaced { namespace, name } => {
            let Some(policy) = pps.iter().find(|p| {
                p.metadata.namespace.as_deref() == Some(namespace)
                    && p.metadata.name.as_deref() == Some(name)
            }) else {
                return Ok(Action::Done);
            };
            let id = policy
                .labels()
                .get(names::PROPAGATION_POLICY_PERMANENT_ID_LABEL)
                .cloned()
                .unwrap_or_default();
            let patch = json!({"metadata": {
                "labels": {
                    names::PROPAGATION_POLICY_PERMANENT_ID_LABEL: id,
                    names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL: null,
                },
                "annotations": {
                    names::PROPAGATION_POLICY_NAMESPACE_ANNOTATION: namespace,
                    names::PROPAGATION_POLICY_NAME_ANNOTATION: name,
                    names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION: null,
                },
            }});
            (policy.spec.clone(), id, patch)
        }
        PolicyRef::Cluster { name } => {
            let Some(policy) = cpps
                .iter()
                .find(|p| p.metadata.name.as_deref() == Some(name))
            else {
                return Ok(Action::Done);
            };
            let id = policy
                .labels()
                .get(names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL)
                .cloned()
                .unwrap_or_default();
            let patch = json!({"metadata": {
                "labels": {
                    names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL: id,
                    names::PROPAGATION_POLICY_PERMANENT_ID_LABEL: null,
                },
                "annotations": {
                    names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION: name,
                    names::PROPAGATION_POLICY_NAMESPACE_ANNOTATION: null,
                    names::PROPAGATION_POLICY_NAME_ANNOTATION: null,
                },
            }});
            (policy.spec.clone(), id, patch)
        }
    };
    if claim.as_ref() != Some(&chosen) || !claim_current(&object, &chosen, &permanent_id) {
        api.patch(
            &key.name,
            &PatchParams::default(),
            &Patch::Merge(&claim_patch),
        )
        .await
        .map_err(|e| Error::Claim(key.to_string(), e))?;
    }

    let desired = binding::desired(&value, &chosen, &permanent_id, &spec);
    let binding_name = crate::naming::binding_name(&key.kind, &key.name);
    if kind.namespaced {
        let api: Api<ResourceBinding> = Api::namespaced(ctx.client.clone(), &key.namespace);
        let existing = ctx
            .informers
            .resource_bindings
            .store()
            .get(&Key::namespaced(&key.namespace, &binding_name).object_ref());
        write_binding(&api, &binding_name, existing, desired).await?;
    } else {
        let api: Api<ClusterResourceBinding> = Api::all(ctx.client.clone());
        let existing = ctx
            .informers
            .cluster_resource_bindings
            .store()
            .get(&Key::cluster(&binding_name).object_ref());
        write_binding(&api, &binding_name, existing, desired).await?;
    }
    Ok(Action::Done)
}

fn claim_current(object: &DynamicObject, chosen: &PolicyRef, permanent_id: &str) -> bool {
    let label = match chosen {
        PolicyRef::Namespaced { .. } => names::PROPAGATION_POLICY_PERMANENT_ID_LABEL,
        PolicyRef::Cluster { .. } => names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
    };
    object.labels().get(label).map(String::as_str) == Some(permanent_id)
}

fn unclaim_patch() -> Value {
    json!({"metadata": {
        "labels": {
            names::PROPAGATION_POLICY_PERMANENT_ID_LABEL: null,
            names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL: null,
        },
        "annotations": {
            names::PROPAGATION_POLICY_NAMESPACE_ANNOTATION: null,
            names::PROPAGATION_POLICY_NAME_ANNOTATION: null,
            names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION: null,
        },
    }})
}

/// Creates the binding, or updates the fields the detector owns when they differ.
async fn write_binding<B>(
    api: &Api<B>,
    name: &str,
    existing: Option<Arc<B>>,
    desired: binding::DesiredBinding,
) -> Result<(), Error>
where
    B: Binding + Resource<DynamicType = ()> + fmt::Debug,
{
    match existing {
        None => {
            let object = desired.new_object::<B>(name);
            match api.create(&PostParams::default(), &object).await {
                Ok(_) => Ok(()),
                // Created meanwhile (by the dependencies distributor, or seen late): retried,
                // and then updated with this policy's placement.
                Err(e) => Err(Error::WriteBinding(name.to_string(), e)),
            }
        }
        Some(existing) => {
            let Some(updated) = desired.update(existing.as_ref()) else {
                return Ok(());
            };
            match api.replace(name, &PostParams::default(), &updated).await {
                Ok(_) => Ok(()),
                Err(e) => Err(Error::WriteBinding(name.to_string(), e)),
            }
        }
    }
}

/// Releases what a deleted policy claimed, then its finalizer; for live policies, ensures nothing.
async fn reconcile_policy(
    ctx: Context,
    templates: Queue<TemplateKey>,
    key: Key,
) -> Result<Action, Error> {
    // The twins differ only in where they are cached and in their label and finalizer names.
    let (meta, label, finalizer) = match &key.namespace {
        Some(_) => (
            ctx.informers
                .propagation_policies
                .store()
                .get(&key.object_ref())
                .map(|p| p.metadata.clone()),
            names::PROPAGATION_POLICY_PERMANENT_ID_LABEL,
            names::PROPAGATION_POLICY_CONTROLLER_FINALIZER,
        ),
        None => (
            ctx.informers
                .cluster_propagation_policies
                .store()
                .get(&key.object_ref())
                .map(|p| p.metadata.clone()),
            names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL,
            names::CLUSTER_PROPAGATION_POLICY_CONTROLLER_FINALIZER,
        ),
    };
    let Some(meta) = meta else {
        return Ok(Action::Done);
    };
    let deleting = meta.deletion_timestamp.is_some();
    let finalizers = meta.finalizers.clone().unwrap_or_default();
    let permanent_id = meta.labels.as_ref().and_then(|l| l.get(label)).cloned();
    if !deleting || !finalizers.iter().any(|f| f == finalizer) {
        return Ok(Action::Done);
    }
    let release = |e| Error::Release(key.to_string(), e);
    if let Some(id) = permanent_id.filter(|id| !id.is_empty()) {
        // Templates it claimed.
        for kind in ctx.templates.all() {
            for object in kind.informer.store().state() {
                if object.labels().get(label) != Some(&id) {
                    continue;
                }
                let namespace = object.metadata.namespace.clone().unwrap_or_default();
                let name = object.name_any();
                let api: Api<DynamicObject> = if kind.namespaced {
                    Api::namespaced_with(ctx.client.clone(), &namespace, &kind.resource)
                } else {
                    Api::all_with(ctx.client.clone(), &kind.resource)
                };
                match api
                    .patch(
                        &name,
                        &PatchParams::default(),
                        &Patch::Merge(unclaim_patch()),
                    )
                    .await
                {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(e) => return Err(release(e)),
                }
                if let Some(key) = template_key(&kind, &object) {
                    templates.add(key);
                }
            }
        }
        // Bindings it claimed keep their clusters; only the claim goes.
        for rb in ctx.informers.resource_bindings.store().state() {
            if rb.labels().get(label) == Some(&id) {
                let api: Api<ResourceBinding> =
                    Api::namespaced(ctx.client.clone(), &rb.namespace().unwrap_or_default());
                patch_ignoring_missing(&api, &rb.name_any(), unclaim_patch())
                    .await
                    .map_err(release)?;
            }
        }
        for crb in ctx.informers.cluster_resource_bindings.store().state() {
            if crb.labels().get(label) == Some(&id) {
                let api: Api<ClusterResourceBinding> = Api::all(ctx.client.clone());
                patch_ignoring_missing(&api, &crb.name_any(), unclaim_patch())
                    .await
                    .map_err(release)?;
            }
        }
    }
    let remaining: Vec<&String> = finalizers.iter().filter(|f| *f != finalizer).collect();
    let patch = json!({"metadata": {"finalizers": remaining}});
    let result = match &key.namespace {
        Some(ns) => Api::<PropagationPolicy>::namespaced(ctx.client.clone(), ns)
            .patch(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(|_| ()),
        None => Api::<ClusterPropagationPolicy>::all(ctx.client.clone())
            .patch(&key.name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Ok(Action::Done),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Action::Done),
        Err(e) => Err(release(e)),
    }
}

async fn patch_ignoring_missing<K>(
    api: &Api<K>,
    name: &str,
    patch: Value,
) -> Result<(), kube::Error>
where
    K: Resource + Clone + serde::de::DeserializeOwned + fmt::Debug,
{
    match api
        .patch(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(e),
    }
}

/// The labels and annotations that record a claim, for tests and other controllers.
pub fn claim_metadata(object: &DynamicObject) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in object.labels().iter().chain(object.annotations().iter()) {
        if k.starts_with("propagationpolicy.karmada.io/")
            || k.starts_with("clusterpropagationpolicy.karmada.io/")
        {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}
