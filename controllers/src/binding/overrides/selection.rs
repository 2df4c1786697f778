//! Which override rules apply to a manifest in a cluster, and in which order.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{OverrideSpec, Overriders};
use serde_json::Value;

use super::PolicyRef;
use crate::selectors::{ImplicitPriority, ObjectKey, best_match, cluster_matches, labels_of};

/// One override rule chosen for the manifest and cluster.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MatchedRule {
    pub policy: PolicyRef,
    /// The index in `overrideRules`, or `None` for the deprecated `targetCluster`+`overriders`.
    pub rule: Option<usize>,
    pub overriders: Overriders,
}

/// The rules of `policies` that apply to `manifest` in `cluster`, in application order:
/// policies by implicit priority ascending then name ascending (so later ones win), each
/// policy's rules in their written order. Policies being deleted are left out; so are rules
/// whose `targetCluster` does not match (a missing `targetCluster` matches every cluster).
pub(super) fn matching_rules<'a>(
    policies: impl IntoIterator<Item = (&'a ObjectMeta, &'a OverrideSpec)>,
    manifest: &Value,
    cluster: &Cluster,
    policy_ref: impl Fn(&ObjectMeta) -> PolicyRef,
) -> Vec<MatchedRule> {
    let labels = labels_of(manifest);
    let key = ObjectKey::of(manifest, &labels);
    let mut matching: Vec<(ImplicitPriority, &str, &ObjectMeta, &OverrideSpec)> = policies
        .into_iter()
        .filter(|(meta, _)| meta.deletion_timestamp.is_none())
        .filter_map(|(meta, spec)| {
            let priority = match spec.resource_selectors.as_deref() {
                None | Some([]) => ImplicitPriority::MatchAll,
                Some(selectors) => best_match(selectors, &key)?,
            };
            let name = meta.name.as_deref().unwrap_or_default();
            Some((priority, name, meta, spec))
        })
        .collect();
    matching.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

    let mut rules = Vec::new();
    for (_, _, meta, spec) in matching {
        let written = spec.override_rules.as_deref().unwrap_or_default();
        if written.is_empty() {
            // The deprecated form; the webhook forbids combining it with overrideRules.
            if spec
                .target_cluster
                .as_ref()
                .is_none_or(|affinity| cluster_matches(affinity, cluster))
            {
                rules.push(MatchedRule {
                    policy: policy_ref(meta),
                    rule: None,
                    overriders: spec.overriders.clone().unwrap_or_default(),
                });
            }
            continue;
        }
        for (index, rule) in written.iter().enumerate() {
            if rule
                .target_cluster
                .as_ref()
                .is_none_or(|affinity| cluster_matches(affinity, cluster))
            {
                rules.push(MatchedRule {
                    policy: policy_ref(meta),
                    rule: Some(index),
                    overriders: rule.overriders.clone(),
                });
            }
        }
    }
    rules
}
