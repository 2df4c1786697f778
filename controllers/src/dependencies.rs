//! The dependencies distributor (`propagateDeps`): for each scheduled ResourceBinding whose policy
//! propagates dependencies, the ConfigMaps, Secrets, ServiceAccounts and PVCs its template
//! references follow it to its clusters.
//!
//! For such a parent binding it records the resolved dependencies in the annotation
//! `resourcebinding.karmada.io/dependencies`, holds it with the finalizer
//! `karmada.io/binding-dependencies-distributor`, and gives each dependency an "attached"
//! ResourceBinding (no placement; owned by the dependency object) whose `spec.requiredBy` lists
//! every parent with its clusters. The binding controller turns those entries into Works. A
//! dependency that a policy selects itself keeps its own binding: only the parent's `requiredBy`
//! entry is added to it. Entries go when their parent goes, stops referencing the object or turns
//! `propagateDeps` off; an attached binding no parent needs is deleted.
//!
//! ClusterResourceBindings are not parents: dependencies are namespaced objects of namespaced
//! workloads, as in Karmada.

mod index;
pub mod plan;

use std::sync::Arc;

use karmada_api::names;
use karmada_api::work::v1alpha2::ResourceBinding;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};

use crate::context::{Context, Key};
use crate::interpret::{self, Dependency};
use crate::runtime::{self, Action, Queue};

pub use index::DependentsIndex;
pub use plan::{Attach, DependencyObject, Parent, Release, Settings};

/// Errors of the dependencies distributor.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to update parent binding {0}: {1}")]
    Parent(String, kube::Error),
    #[error("failed to create attached binding {0}: {1}")]
    CreateAttached(String, kube::Error),
    #[error("failed to update binding {0}: {1}")]
    UpdateAttached(String, kube::Error),
    #[error("failed to delete attached binding {0}: {1}")]
    DeleteAttached(String, kube::Error),
    #[error(
        "binding {binding} belongs to an earlier object (owner uid {owner_uid}); waiting for its garbage collection"
    )]
    StaleAttached { binding: String, owner_uid: String },
}

/// Settings of the dependencies distributor.
#[derive(Clone, Debug)]
pub struct Config {
    pub workers: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { workers: 2 }
    }
}

/// Whether the distributor must look at `binding` as a (possibly former) parent.
fn is_parent(binding: &ResourceBinding) -> bool {
    binding.spec.propagate_deps == Some(true)
        || binding
            .finalizers()
            .iter()
            .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER)
        || binding
            .annotations()
            .contains_key(names::BINDING_DEPENDENCIES_ANNOTATION)
}

/// Starts the dependencies distributor.
pub async fn start(ctx: Context, config: Config) {
    let queue: Queue<Key> = Queue::new();
    let index = DependentsIndex::default();
    {
        // Parents themselves; the parents an attached binding lists (an attached binding deleted
        // by hand or garbage-collected is recreated); the parents of the object a binding points
        // at (a policy's own binding for a dependency appearing or going).
        let (queue, index) = (queue.clone(), index.clone());
        ctx.informers
            .resource_bindings
            .on_change(move |binding, _deleted| {
                if is_parent(binding) {
                    queue.add(Key::of(binding));
                }
                for (namespace, name) in plan::parents_of(binding) {
                    queue.add(Key::namespaced(&namespace, &name));
                }
                let resource = &binding.spec.resource;
                let dependency = Dependency {
                    api_version: resource.api_version.clone(),
                    kind: resource.kind.clone(),
                    namespace: resource.namespace.clone().unwrap_or_default(),
                    name: resource.name.clone(),
                };
                for parent in index.parents_of(&dependency) {
                    queue.add(parent);
                }
            });
    }
    {
        // A template change may change a parent's dependencies; a dependency object appearing,
        // changing or going concerns the parents that reference it.
        let (queue, index, bindings) = (
            queue.clone(),
            index.clone(),
            ctx.informers.resource_bindings.clone(),
        );
        ctx.templates.on_change(move |kind, object, _deleted| {
            let Some(namespace) = object
                .metadata
                .namespace
                .as_deref()
                .filter(|_| kind.namespaced)
            else {
                return;
            };
            let name = object.name_any();
            let parent = Key::namespaced(
                namespace,
                &crate::naming::binding_name(&kind.resource.kind, &name),
            );
            if bindings
                .store()
                .get(&parent.object_ref())
                .is_some_and(|b| is_parent(&b))
            {
                queue.add(parent);
            }
            let dependency = Dependency {
                api_version: kind.resource.api_version.clone(),
                kind: kind.resource.kind.clone(),
                namespace: namespace.to_string(),
                name,
            };
            for parent in index.parents_of(&dependency) {
                queue.add(parent);
            }
        });
    }
    runtime::run(
        "dependencies",
        queue,
        config.workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| reconcile(ctx.clone(), index.clone(), key),
    )
    .await;
}

/// Brings the attached bindings of parent `key` in line with its dependencies.
async fn reconcile(ctx: Context, index: DependentsIndex, key: Key) -> Result<Action, Error> {
    let Some(namespace) = key.namespace.clone() else {
        return Ok(Action::Done);
    };
    let Some(parent) = ctx
        .informers
        .resource_bindings
        .store()
        .get(&key.object_ref())
    else {
        // Gone without our finalizer (it never had one, or it was forced off).
        release_everywhere(&ctx, &index, &namespace, &key.name).await?;
        return Ok(Action::Done);
    };
    if parent.spec.propagate_deps != Some(true) || parent.metadata.deletion_timestamp.is_some() {
        release_everywhere(&ctx, &index, &namespace, &key.name).await?;
        if let Some(patch) = plan::parent_release_patch(&parent) {
            patch_parent(&ctx, &namespace, &key, &patch).await?;
        }
        return Ok(Action::Done);
    }
    let resource = &parent.spec.resource;
    if !plan::has_dependency_rules(&resource.api_version, &resource.kind) {
        return Ok(Action::Done);
    }
    let scheduled = parent.spec.clusters.as_ref().is_some_and(|c| !c.is_empty());
    let holds_finalizer = parent
        .finalizers()
        .iter()
        .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
    if !scheduled && !holds_finalizer {
        // Nothing propagated yet; the scheduling result brings it back.
        return Ok(Action::Done);
    }
    let Some(template) = ctx.templates.object(
        &resource.api_version,
        &resource.kind,
        resource.namespace.as_deref().unwrap_or_default(),
        &resource.name,
    ) else {
        // Not (yet) in the caches: its event brings the parent back.
        return Ok(Action::Done);
    };
    let mut value = serde_json::to_value(template.as_ref()).unwrap_or(Value::Null);
    value["apiVersion"] = json!(resource.api_version);
    value["kind"] = json!(resource.kind);
    let dependencies = interpret::dependencies(&value);
    // Indexed before the caches are read: an object missed below is found by its own event.
    index.set(&key, &dependencies);

    if let Some(patch) = plan::parent_patch(&parent, &dependencies) {
        patch_parent(&ctx, &namespace, &key, &patch).await?;
    }

    let all = namespace_bindings(&ctx, &namespace);
    let mut first_error = None;
    // Entries for objects the parent no longer references.
    for binding in plan::orphans(&all, &namespace, &key.name, &dependencies) {
        if let Err(e) = apply_release(&ctx, binding, &namespace, &key.name).await {
            first_error.get_or_insert(e);
        }
    }
    // Entries for the objects it references.
    let me = Parent::of(&parent);
    for dependency in &dependencies {
        let Some(object) = dependency_object(&ctx, dependency) else {
            continue;
        };
        let name = object.binding_name();
        let existing = all
            .iter()
            .find(|b| b.metadata.name.as_deref() == Some(&name));
        let others = other_parents(&ctx, existing.map(Arc::as_ref), &me);
        let action = plan::attach(existing.map(Arc::as_ref), &me, &object, &others);
        if let Err(e) = apply_attach(&ctx, &namespace, &name, action).await {
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(Action::Done),
    }
}

fn namespace_bindings(ctx: &Context, namespace: &str) -> Vec<Arc<ResourceBinding>> {
    ctx.informers
        .resource_bindings
        .store()
        .state()
        .into_iter()
        .filter(|b| b.metadata.namespace.as_deref() == Some(namespace))
        .collect()
}

/// The dependency as found in the template caches, if it exists (and is not being deleted).
fn dependency_object(ctx: &Context, dependency: &Dependency) -> Option<DependencyObject> {
    let object = ctx.templates.object(
        &dependency.api_version,
        &dependency.kind,
        &dependency.namespace,
        &dependency.name,
    )?;
    if object.metadata.deletion_timestamp.is_some() {
        return None;
    }
    Some(DependencyObject {
        api_version: dependency.api_version.clone(),
        kind: dependency.kind.clone(),
        namespace: dependency.namespace.clone(),
        name: dependency.name.clone(),
        uid: object.metadata.uid.clone()?,
        resource_version: object.metadata.resource_version.clone(),
    })
}

/// The settings of the other live parents an attached binding lists.
fn other_parents(ctx: &Context, existing: Option<&ResourceBinding>, me: &Parent) -> Vec<Settings> {
    let Some(existing) = existing else {
        return Vec::new();
    };
    plan::parents_of(existing)
        .into_iter()
        .filter(|(namespace, name)| !(*namespace == me.namespace && *name == me.name))
        .filter_map(|(namespace, name)| {
            ctx.informers
                .resource_bindings
                .store()
                .get(&Key::namespaced(&namespace, &name).object_ref())
        })
        .filter(|p| p.spec.propagate_deps == Some(true) && p.metadata.deletion_timestamp.is_none())
        .map(|p| Settings::of(&p.spec))
        .collect()
}

/// Removes parent `namespace/name` from every binding of its namespace that lists it.
async fn release_everywhere(
    ctx: &Context,
    index: &DependentsIndex,
    namespace: &str,
    name: &str,
) -> Result<(), Error> {
    let mut first_error = None;
    for binding in namespace_bindings(ctx, namespace) {
        if let Err(e) = apply_release(ctx, &binding, namespace, name).await {
            first_error.get_or_insert(e);
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => {
            index.remove(&Key::namespaced(namespace, name));
            Ok(())
        }
    }
}

async fn patch_parent(
    ctx: &Context,
    namespace: &str,
    key: &Key,
    patch: &Value,
) -> Result<(), Error> {
    let api: Api<ResourceBinding> = Api::namespaced(ctx.client.clone(), namespace);
    match api
        .patch(&key.name, &PatchParams::default(), &Patch::Merge(patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(Error::Parent(key.to_string(), e)),
    }
}

async fn apply_release(
    ctx: &Context,
    binding: &ResourceBinding,
    parent_namespace: &str,
    parent_name: &str,
) -> Result<(), Error> {
    let namespace = binding.namespace().unwrap_or_default();
    let name = binding.name_any();
    let id = format!("{namespace}/{name}");
    let api: Api<ResourceBinding> = Api::namespaced(ctx.client.clone(), &namespace);
    match plan::release(binding, parent_namespace, parent_name) {
        Release::Unchanged => Ok(()),
        Release::Update(patch) => {
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => Ok(()),
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
                Err(e) => Err(Error::UpdateAttached(id, e)),
            }
        }
        Release::Delete { resource_version } => {
            if binding.meta().deletion_timestamp.is_some() {
                return Ok(());
            }
            let params = DeleteParams {
                preconditions: Some(Preconditions {
                    resource_version,
                    uid: binding.meta().uid.clone(),
                }),
                ..DeleteParams::default()
            };
            match api.delete(&name, &params).await {
                Ok(_) => Ok(()),
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
                Err(e) => Err(Error::DeleteAttached(id, e)),
            }
        }
    }
}

async fn apply_attach(
    ctx: &Context,
    namespace: &str,
    name: &str,
    action: Attach,
) -> Result<(), Error> {
    let id = format!("{namespace}/{name}");
    let api: Api<ResourceBinding> = Api::namespaced(ctx.client.clone(), namespace);
    match action {
        Attach::Unchanged => Ok(()),
        Attach::Create(binding) => match api.create(&PostParams::default(), &binding).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::CreateAttached(id, e)),
        },
        Attach::Update(patch) => api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .map(|_| ())
            .map_err(|e| Error::UpdateAttached(id, e)),
        Attach::StaleOwner { owner_uid } => Err(Error::StaleAttached {
            binding: id,
            owner_uid,
        }),
    }
}

#[cfg(test)]
mod plan_tests;
