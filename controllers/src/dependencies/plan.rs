//! What the dependencies distributor wants (pure): the parent's dependencies annotation and
//! finalizer, and for each dependency the attached binding to create or the `requiredBy` entry to
//! add, update or remove. No I/O; every function is decided from the objects it is given.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use karmada_api::names;
use karmada_api::policy::v1alpha1::ConflictResolution;
use karmada_api::work::v1alpha2::{
    BindingSnapshot, ObjectReference, ResourceBinding, ResourceBindingSpec, TargetCluster,
};
use serde_json::{Value, json};

use crate::interpret::Dependency;
use crate::naming;

/// Prefix of the label an attached binding carries for each parent that depends on it
/// (`<prefix><hash of the parent's namespace/name>`, value: the parent's permanent id).
pub const DEPENDED_BY_LABEL_PREFIX: &str = "resourcebinding.karmada.io/depended-by-";

/// The depended-by label key of parent `namespace/name`. The hash is Karmada's
/// `GenerateBindingReferenceKey`: FNV-32a over the bytes Karmada's `DeepHashObject` writes for the
/// string `namespace/name` (`(string)"namespace/name"`), printed in decimal and safe-encoded.
pub fn depended_by_label_key(namespace: &str, name: &str) -> String {
    let reference = if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    };
    let printed = format!("(string){}", go_quote(&reference));
    let hash = naming::fnv32a(printed.as_bytes());
    format!(
        "{DEPENDED_BY_LABEL_PREFIX}{}",
        naming::safe_encode(&hash.to_string())
    )
}

/// Go's `strconv.Quote` for the characters object names can hold (and a safe escape otherwise).
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Whether Karmada's native interpreter has a dependency rule (InterpretDependency) for this
/// kind: only these bindings get the annotation and the finalizer.
pub fn has_dependency_rules(api_version: &str, kind: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    matches!(
        (group, kind),
        (
            "apps",
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
        ) | ("batch", "Job" | "CronJob")
            | ("", "Pod")
            | ("networking.k8s.io", "Ingress")
    )
}

/// The value of the `resourcebinding.karmada.io/dependencies` annotation: the JSON list Karmada
/// writes (`null` when there are none, as Go marshals an empty result).
pub fn annotation_value(dependencies: &[Dependency]) -> String {
    if dependencies.is_empty() {
        return "null".to_string();
    }
    serde_json::to_string(dependencies).unwrap_or_else(|_| "null".to_string())
}

/// The merge patch that gives a parent binding its finalizer and dependencies annotation, or
/// `None` when it has both already.
pub fn parent_patch(parent: &ResourceBinding, dependencies: &[Dependency]) -> Option<Value> {
    let value = annotation_value(dependencies);
    let current = parent
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(names::BINDING_DEPENDENCIES_ANNOTATION));
    let finalizers = parent.metadata.finalizers.clone().unwrap_or_default();
    let has_finalizer = finalizers
        .iter()
        .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
    if has_finalizer && current == Some(&value) {
        return None;
    }
    let mut metadata = json!({"resourceVersion": parent.metadata.resource_version});
    if !has_finalizer {
        let mut all = finalizers;
        all.push(names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER.to_string());
        metadata["finalizers"] = json!(all);
    }
    if current != Some(&value) {
        metadata["annotations"] = json!({names::BINDING_DEPENDENCIES_ANNOTATION: value});
    }
    Some(json!({"metadata": metadata}))
}

/// The merge patch that removes the distributor's finalizer and annotation from a parent that no
/// longer propagates its dependencies (or is going away), or `None` when it has neither.
pub fn parent_release_patch(parent: &ResourceBinding) -> Option<Value> {
    let finalizers = parent.metadata.finalizers.clone().unwrap_or_default();
    let has_finalizer = finalizers
        .iter()
        .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
    let has_annotation = parent
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(names::BINDING_DEPENDENCIES_ANNOTATION));
    // A parent being deleted keeps its annotation: the object is going anyway, and only
    // finalizers may change on it.
    let deleting = parent.metadata.deletion_timestamp.is_some();
    if !has_finalizer && (deleting || !has_annotation) {
        return None;
    }
    let mut metadata = json!({"resourceVersion": parent.metadata.resource_version});
    if has_finalizer {
        let remaining: Vec<&String> = finalizers
            .iter()
            .filter(|f| *f != names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER)
            .collect();
        metadata["finalizers"] = json!(remaining);
    }
    if has_annotation && !deleting {
        metadata["annotations"] = json!({names::BINDING_DEPENDENCIES_ANNOTATION: null});
    }
    Some(json!({"metadata": metadata}))
}

/// The propagation settings a parent passes on to the attached bindings it needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub conflict_resolution: Option<ConflictResolution>,
    pub preserve_resources_on_deletion: Option<bool>,
}

impl Settings {
    pub fn of(spec: &ResourceBindingSpec) -> Settings {
        Settings {
            conflict_resolution: spec.conflict_resolution,
            preserve_resources_on_deletion: spec.preserve_resources_on_deletion,
        }
    }

    /// What an attached binding needed by several parents gets, whatever their order: it
    /// overwrites member copies if any parent does, and is kept on deletion if any parent asks.
    pub fn combine<'a>(all: impl IntoIterator<Item = &'a Settings>) -> Settings {
        let mut out = Settings::default();
        for settings in all {
            out.conflict_resolution = match (out.conflict_resolution, settings.conflict_resolution)
            {
                (Some(ConflictResolution::Overwrite), _)
                | (_, Some(ConflictResolution::Overwrite)) => Some(ConflictResolution::Overwrite),
                (Some(ConflictResolution::Abort), _) | (_, Some(ConflictResolution::Abort)) => {
                    Some(ConflictResolution::Abort)
                }
                (None, None) => None,
            };
            if settings.preserve_resources_on_deletion == Some(true) {
                out.preserve_resources_on_deletion = Some(true);
            }
        }
        out
    }
}

/// A parent binding, as far as its attached bindings are concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct Parent {
    pub namespace: String,
    pub name: String,
    pub permanent_id: Option<String>,
    pub clusters: Option<Vec<TargetCluster>>,
    pub settings: Settings,
}

impl Parent {
    pub fn of(binding: &ResourceBinding) -> Parent {
        Parent {
            namespace: binding.metadata.namespace.clone().unwrap_or_default(),
            name: binding.metadata.name.clone().unwrap_or_default(),
            permanent_id: binding
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(names::RESOURCE_BINDING_PERMANENT_ID_LABEL))
                .cloned(),
            clusters: binding.spec.clusters.clone().filter(|c| !c.is_empty()),
            settings: Settings::of(&binding.spec),
        }
    }

    fn snapshot(&self) -> BindingSnapshot {
        BindingSnapshot {
            namespace: Some(self.namespace.clone()),
            name: self.name.clone(),
            clusters: self.clusters.clone(),
        }
    }

    fn is(&self, snapshot: &BindingSnapshot) -> bool {
        is_entry_of(snapshot, &self.namespace, &self.name)
    }
}

fn is_entry_of(snapshot: &BindingSnapshot, namespace: &str, name: &str) -> bool {
    snapshot.namespace.as_deref().unwrap_or_default() == namespace && snapshot.name == name
}

/// A dependency object found in the template caches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DependencyObject {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub resource_version: Option<String>,
}

impl DependencyObject {
    fn reference(&self) -> ObjectReference {
        ObjectReference {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: Some(self.namespace.clone()),
            name: self.name.clone(),
            uid: Some(self.uid.clone()),
            resource_version: self.resource_version.clone(),
        }
    }

    fn owner(&self) -> OwnerReference {
        OwnerReference {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            uid: self.uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }

    /// The name of its binding (attached or made by the detector).
    pub fn binding_name(&self) -> String {
        naming::binding_name(&self.kind, &self.name)
    }
}

/// Whether a binding exists only because other bindings depend on it: no placement and no policy
/// claim. Bindings the detector made for a policy are never deleted or re-specified here.
pub fn is_attached_only(binding: &ResourceBinding) -> bool {
    let claimed_label = binding.metadata.labels.as_ref().is_some_and(|l| {
        l.contains_key(names::PROPAGATION_POLICY_PERMANENT_ID_LABEL)
            || l.contains_key(names::CLUSTER_PROPAGATION_POLICY_PERMANENT_ID_LABEL)
    });
    let claimed_annotation = binding.metadata.annotations.as_ref().is_some_and(|a| {
        a.contains_key(names::PROPAGATION_POLICY_NAME_ANNOTATION)
            || a.contains_key(names::CLUSTER_PROPAGATION_POLICY_NAME_ANNOTATION)
    });
    binding.spec.placement.is_none() && !claimed_label && !claimed_annotation
}

/// Whether `binding` records parent `namespace/name` (a `requiredBy` entry or its label).
pub fn lists_parent(binding: &ResourceBinding, namespace: &str, name: &str) -> bool {
    let entry = binding
        .spec
        .required_by
        .iter()
        .flatten()
        .any(|s| is_entry_of(s, namespace, name));
    let label = binding
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(&depended_by_label_key(namespace, name)));
    entry || label
}

/// The parents recorded in a binding's `requiredBy`, as `(namespace, name)`.
pub fn parents_of(binding: &ResourceBinding) -> Vec<(String, String)> {
    binding
        .spec
        .required_by
        .iter()
        .flatten()
        .map(|s| (s.namespace.clone().unwrap_or_default(), s.name.clone()))
        .collect()
}

/// What to do so that a dependency's binding lists a parent.
#[derive(Clone, Debug, PartialEq)]
pub enum Attach {
    /// Create this attached binding.
    Create(Box<ResourceBinding>),
    /// Merge-patch the existing binding (the patch carries its resourceVersion).
    Update(Value),
    /// It already lists the parent as it should.
    Unchanged,
    /// The existing binding belongs to an earlier object of the same name (its controller owner
    /// has another uid); the garbage collector removes it, then it can be created again.
    StaleOwner { owner_uid: String },
}

/// The attached binding of `object` needed by `parent`: created when missing; otherwise the
/// parent's `requiredBy` entry is added or refreshed (other parents' entries kept) along with its
/// depended-by label. For an attached-only binding the resource reference and the settings
/// (combined with `others`, the settings of its other parents) are kept up to date too; a binding
/// a policy made keeps everything but `requiredBy` and the labels as they are.
pub fn attach(
    existing: Option<&ResourceBinding>,
    parent: &Parent,
    object: &DependencyObject,
    others: &[Settings],
) -> Attach {
    let label_key = depended_by_label_key(&parent.namespace, &parent.name);
    let label_value = parent.permanent_id.clone().unwrap_or_default();
    let Some(existing) = existing else {
        let settings = Settings::combine(std::iter::once(&parent.settings).chain(others));
        let binding = ResourceBinding {
            metadata: ObjectMeta {
                name: Some(object.binding_name()),
                namespace: Some(object.namespace.clone()),
                labels: Some(BTreeMap::from([(label_key, label_value)])),
                owner_references: Some(vec![object.owner()]),
                finalizers: Some(vec![names::BINDING_CONTROLLER_FINALIZER.to_string()]),
                ..ObjectMeta::default()
            },
            spec: ResourceBindingSpec {
                resource: object.reference(),
                required_by: Some(vec![parent.snapshot()]),
                conflict_resolution: settings.conflict_resolution,
                preserve_resources_on_deletion: settings.preserve_resources_on_deletion,
                ..ResourceBindingSpec::default()
            },
            status: None,
        };
        return Attach::Create(Box::new(binding));
    };
    let controller = existing
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true));
    if let Some(owner) = controller.filter(|o| o.uid != object.uid) {
        return Attach::StaleOwner {
            owner_uid: owner.uid.clone(),
        };
    }

    let mut required_by = existing.spec.required_by.clone().unwrap_or_default();
    match required_by.iter_mut().find(|s| parent.is(s)) {
        Some(entry) => *entry = parent.snapshot(),
        None => required_by.push(parent.snapshot()),
    }
    let mut spec = json!({});
    if existing.spec.required_by.as_ref() != Some(&required_by) {
        spec["requiredBy"] = json!(required_by);
    }
    let mut metadata = json!({});
    let current_label = existing
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(&label_key));
    if current_label != Some(&label_value) {
        metadata["labels"] = json!({label_key: label_value});
    }
    if is_attached_only(existing) {
        let mut current = existing.spec.resource.clone();
        let mut wanted = object.reference();
        current.resource_version = None;
        wanted.resource_version = None;
        if current != wanted {
            spec["resource"] = json!(object.reference());
        }
        let settings = Settings::combine(std::iter::once(&parent.settings).chain(others));
        if Settings::of(&existing.spec) != settings {
            spec["conflictResolution"] = json!(settings.conflict_resolution);
            spec["preserveResourcesOnDeletion"] = json!(settings.preserve_resources_on_deletion);
        }
    }
    if is_empty_object(&spec) && is_empty_object(&metadata) {
        return Attach::Unchanged;
    }
    metadata["resourceVersion"] = json!(existing.metadata.resource_version);
    let mut patch = json!({"metadata": metadata});
    if !is_empty_object(&spec) {
        patch["spec"] = spec;
    }
    Attach::Update(patch)
}

fn is_empty_object(value: &Value) -> bool {
    value.as_object().is_some_and(|o| o.is_empty())
}

/// What to do so that a binding no longer lists a parent.
#[derive(Clone, Debug, PartialEq)]
pub enum Release {
    /// It does not list the parent.
    Unchanged,
    /// Merge-patch it (the patch carries its resourceVersion).
    Update(Value),
    /// Delete it (with its resourceVersion as precondition): an attached-only binding no parent
    /// needs any more.
    Delete { resource_version: Option<String> },
}

/// Removes parent `namespace/name` from `binding`: its `requiredBy` entry and its label go; an
/// attached-only binding left without parents is deleted.
pub fn release(binding: &ResourceBinding, namespace: &str, name: &str) -> Release {
    if !lists_parent(binding, namespace, name) {
        return Release::Unchanged;
    }
    let remaining: Vec<BindingSnapshot> = binding
        .spec
        .required_by
        .iter()
        .flatten()
        .filter(|s| !is_entry_of(s, namespace, name))
        .cloned()
        .collect();
    if remaining.is_empty() && is_attached_only(binding) {
        return Release::Delete {
            resource_version: binding.metadata.resource_version.clone(),
        };
    }
    let label_key = depended_by_label_key(namespace, name);
    let mut patch = json!({"metadata": {"resourceVersion": binding.metadata.resource_version}});
    if binding
        .metadata
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(&label_key))
    {
        patch["metadata"]["labels"] = json!({label_key: null});
    }
    let listed = binding.spec.required_by.as_ref().map_or(0, Vec::len);
    if remaining.len() != listed {
        patch["spec"] = json!({"requiredBy": if remaining.is_empty() { Value::Null } else { json!(remaining) }});
    }
    Release::Update(patch)
}

/// The bindings that list parent `namespace/name` but reference none of its `dependencies`: the
/// parent must be released from them.
pub fn orphans<'a, B: std::borrow::Borrow<ResourceBinding>>(
    bindings: &'a [B],
    namespace: &str,
    name: &str,
    dependencies: &[Dependency],
) -> Vec<&'a ResourceBinding> {
    bindings
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter(|b| lists_parent(b, namespace, name))
        .filter(|b| !dependencies.iter().any(|d| references(b, d)))
        .collect()
}

/// Whether `binding` references the same object as `dependency`.
pub fn references(binding: &ResourceBinding, dependency: &Dependency) -> bool {
    let resource = &binding.spec.resource;
    resource.api_version == dependency.api_version
        && resource.kind == dependency.kind
        && resource.namespace.as_deref().unwrap_or_default() == dependency.namespace
        && resource.name == dependency.name
}
