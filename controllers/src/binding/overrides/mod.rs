//! The override manager: applies the OverridePolicies and ClusterOverridePolicies matching a
//! manifest to its copy for one member cluster, with Karmada's order and precedence, and
//! records what was applied for the Work annotations. Pure: the caller lists the policies.
//!
//! Order (Karmada's `overridemanager`): every matching ClusterOverridePolicy, then — for a
//! namespaced manifest — the OverridePolicies of its namespace. Within each kind policies run
//! by implicit priority ascending (match-all, label selector, name), then by name, so later
//! ones win. Within a rule the overriders run as image, command, args, labels, annotations,
//! field, plaintext.
//!
//! Deliberate differences from Karmada v1.19, each tested:
//! - without a predicate, the image overrider also rewrites init containers, and the container
//!   overriders also know CronJob (`spec.jobTemplate.spec.template.spec`);
//! - an image holding both a tag and a digest keeps its digest;
//! - a tag value that is neither a tag nor a digest is an error (Karmada ignores it silently);
//! - a field overrider with both or neither of `json`/`yaml` is an error (Karmada's webhook
//!   rejects it; its runtime would prefer YAML, or blank the field);
//! - `remove` from an absent command/args list leaves it absent (Karmada writes `[]`, which
//!   Kubernetes stores as absent).

mod containers;
mod metadata;
mod patch;
mod reference;
mod selection;
mod shadow;

use std::fmt;

use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{ClusterOverridePolicy, OverridePolicy, Overriders};
use serde_json::Value;

pub use patch::DocumentFormat;
pub use reference::ImageError;

/// A condensed OverridePolicy or ClusterOverridePolicy rule that was applied (Karmada's
/// `OverridePolicyShadow`): the policy name and the overriders of the matching rule.
#[derive(Debug, Clone, PartialEq)]
pub struct OverridePolicyShadow {
    pub policy_name: String,
    pub overriders: Overriders,
}

/// The rules applied to a manifest, in application order. A policy appears once per matching
/// rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppliedOverrides {
    /// From ClusterOverridePolicies.
    pub cluster: Vec<OverridePolicyShadow>,
    /// From OverridePolicies.
    pub namespaced: Vec<OverridePolicyShadow>,
}

impl AppliedOverrides {
    /// The value of `policy.karmada.io/applied-cluster-overrides`, or `None` when no
    /// ClusterOverridePolicy applied.
    pub fn cluster_annotation(&self) -> Option<String> {
        shadow::annotation(&self.cluster)
    }

    /// The value of `policy.karmada.io/applied-overrides`, or `None` when no OverridePolicy
    /// applied.
    pub fn namespaced_annotation(&self) -> Option<String> {
        shadow::annotation(&self.namespaced)
    }
}

/// The policy an error comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyRef {
    Cluster { name: String },
    Namespaced { namespace: String, name: String },
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyRef::Cluster { name } => write!(f, "ClusterOverridePolicy {name}"),
            PolicyRef::Namespaced { namespace, name } => {
                write!(f, "OverridePolicy {namespace}/{name}")
            }
        }
    }
}

/// The kinds of overriders, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverriderKind {
    Image,
    Command,
    Args,
    Labels,
    Annotations,
    Field,
    Plaintext,
}

impl fmt::Display for OverriderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OverriderKind::Image => "imageOverrider",
            OverriderKind::Command => "commandOverrider",
            OverriderKind::Args => "argsOverrider",
            OverriderKind::Labels => "labelsOverrider",
            OverriderKind::Annotations => "annotationsOverrider",
            OverriderKind::Field => "fieldOverrider",
            OverriderKind::Plaintext => "plaintext",
        })
    }
}

/// Where in a policy's spec the failing overrider is, displayed as a field path such as
/// `overrideRules[1].overriders.plaintext[0]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverriderPath {
    /// The index in `overrideRules`, or `None` for the deprecated top-level `overriders`.
    pub rule: Option<usize>,
    pub kind: OverriderKind,
    pub index: usize,
}

impl fmt::Display for OverriderPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(rule) = self.rule {
            write!(f, "overrideRules[{rule}].")?;
        }
        write!(f, "overriders.{}[{}]", self.kind, self.index)
    }
}

/// A policy could not be applied; the manifest is left unchanged.
#[derive(Debug, thiserror::Error)]
#[error("failed to apply {policy} for cluster {cluster} at {at}: {reason}")]
pub struct OverrideError {
    pub policy: PolicyRef,
    pub cluster: String,
    pub at: OverriderPath,
    /// Boxed to keep `Result`s small.
    #[source]
    pub reason: Box<OverriderError>,
}

/// Why one overrider could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum OverriderError {
    #[error("{path:?} is not a JSON pointer")]
    InvalidPath { path: String },
    #[error("path {path:?} not found")]
    PathNotFound { path: String },
    #[error("the value at {path:?} is not a string")]
    NotAString { path: String },
    #[error("the value at {path:?} is not a list")]
    NotAList { path: String },
    #[error("the value at {path:?} is not a list of strings")]
    NotAStringList { path: String },
    #[error("invalid image {image:?} at {path:?}: {reason}")]
    InvalidImage {
        path: String,
        image: String,
        #[source]
        reason: ImageError,
    },
    #[error("{value:?} is neither an image tag nor a digest")]
    InvalidTagOrDigest { value: String },
    #[error("a field overrider must set exactly one of json and yaml")]
    FieldFormat,
    #[error("the value at {path:?} is not a {format} document: {reason}")]
    InvalidDocument {
        path: String,
        format: DocumentFormat,
        reason: String,
    },
    #[error("the patched document at {path:?} cannot be written as {format}: {reason}")]
    RenderDocument {
        path: String,
        format: DocumentFormat,
        reason: String,
    },
    #[error("JSON patch failed: {0}")]
    Patch(#[source] json_patch::PatchError),
}

/// Applies every matching ClusterOverridePolicy then OverridePolicy (of the manifest's
/// namespace) to `manifest` (the template JSON after replica revision) for `cluster`, in
/// Karmada's order and precedence.
///
/// OverridePolicies of other namespaces are ignored, so callers may pass them all; a
/// cluster-scoped manifest gets ClusterOverridePolicies only. As in Karmada, OverridePolicies
/// are matched against the manifest as the ClusterOverridePolicies left it.
///
/// # Errors
/// The first overrider that cannot be applied, naming its policy and place; `manifest` is then
/// left unchanged.
pub fn apply_overrides(
    manifest: &mut Value,
    cluster: &Cluster,
    cluster_policies: &[ClusterOverridePolicy],
    policies: &[OverridePolicy],
) -> Result<AppliedOverrides, OverrideError> {
    let mut working = manifest.clone();
    let cluster_rules = selection::matching_rules(
        cluster_policies.iter().map(|p| (&p.metadata, &p.spec)),
        &working,
        cluster,
        |meta| PolicyRef::Cluster {
            name: meta.name.clone().unwrap_or_default(),
        },
    );
    let applied_cluster = apply_rules(&mut working, cluster, cluster_rules)?;

    let namespace = working
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let applied_namespaced = if namespace.is_empty() {
        Vec::new()
    } else {
        let in_namespace = policies
            .iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(namespace.as_str()))
            .map(|p| (&p.metadata, &p.spec));
        let rules = selection::matching_rules(in_namespace, &working, cluster, |meta| {
            PolicyRef::Namespaced {
                namespace: meta.namespace.clone().unwrap_or_default(),
                name: meta.name.clone().unwrap_or_default(),
            }
        });
        apply_rules(&mut working, cluster, rules)?
    };

    *manifest = working;
    Ok(AppliedOverrides {
        cluster: applied_cluster,
        namespaced: applied_namespaced,
    })
}

fn apply_rules(
    manifest: &mut Value,
    cluster: &Cluster,
    rules: Vec<selection::MatchedRule>,
) -> Result<Vec<OverridePolicyShadow>, OverrideError> {
    let mut applied = Vec::with_capacity(rules.len());
    for rule in rules {
        if let Err((kind, index, reason)) = apply_overriders(manifest, &rule.overriders) {
            return Err(OverrideError {
                cluster: cluster.metadata.name.clone().unwrap_or_default(),
                at: OverriderPath {
                    rule: rule.rule,
                    kind,
                    index,
                },
                policy: rule.policy,
                reason: Box::new(reason),
            });
        }
        let policy_name = match rule.policy {
            PolicyRef::Cluster { name } | PolicyRef::Namespaced { name, .. } => name,
        };
        applied.push(OverridePolicyShadow {
            policy_name,
            overriders: rule.overriders,
        });
    }
    Ok(applied)
}

/// Applies one rule's overriders in Karmada's fixed order.
fn apply_overriders(
    manifest: &mut Value,
    overriders: &Overriders,
) -> Result<(), (OverriderKind, usize, OverriderError)> {
    fn each<T>(
        items: &Option<Vec<T>>,
        kind: OverriderKind,
        mut apply: impl FnMut(&T) -> Result<(), OverriderError>,
    ) -> Result<(), (OverriderKind, usize, OverriderError)> {
        for (index, item) in items.iter().flatten().enumerate() {
            apply(item).map_err(|reason| (kind, index, reason))?;
        }
        Ok(())
    }
    each(&overriders.image_overrider, OverriderKind::Image, |o| {
        containers::apply_image(manifest, o)
    })?;
    each(&overriders.command_overrider, OverriderKind::Command, |o| {
        containers::apply_command_args(manifest, "command", o)
    })?;
    each(&overriders.args_overrider, OverriderKind::Args, |o| {
        containers::apply_command_args(manifest, "args", o)
    })?;
    each(&overriders.labels_overrider, OverriderKind::Labels, |o| {
        metadata::apply(manifest, "labels", o);
        Ok(())
    })?;
    each(
        &overriders.annotations_overrider,
        OverriderKind::Annotations,
        |o| {
            metadata::apply(manifest, "annotations", o);
            Ok(())
        },
    )?;
    each(&overriders.field_overrider, OverriderKind::Field, |o| {
        patch::apply_field(manifest, o)
    })?;
    let plaintext = overriders.plaintext.as_deref().unwrap_or_default();
    patch::apply_plaintext(manifest, plaintext)
        .map_err(|(index, reason)| (OverriderKind::Plaintext, index, reason))
}

#[cfg(test)]
mod tests;
