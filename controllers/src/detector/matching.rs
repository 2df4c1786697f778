//! Which propagation policy claims a resource template (pure): Karmada's precedence — a
//! PropagationPolicy of the template's namespace before any ClusterPropagationPolicy; among
//! candidates the higher explicit priority, then the more specific selector match, then the name
//! sorting first. A template keeps the policy that claimed it unless a policy with
//! `preemption: Always` outranks it.

use std::cmp::Reverse;

use karmada_api::policy::v1alpha1::{PreemptionBehavior, PropagationSpec};

use crate::selectors::{ImplicitPriority, ObjectKey, best_match};

/// A policy, namespaced (PropagationPolicy) or not (ClusterPropagationPolicy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyRef {
    Namespaced { namespace: String, name: String },
    Cluster { name: String },
}

/// A policy as matching sees it.
#[derive(Debug, Clone, Copy)]
pub struct PolicyView<'a> {
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub spec: &'a PropagationSpec,
    pub deleting: bool,
}

impl PolicyView<'_> {
    fn reference(&self) -> PolicyRef {
        match self.namespace {
            Some(namespace) => PolicyRef::Namespaced {
                namespace: namespace.to_string(),
                name: self.name.to_string(),
            },
            None => PolicyRef::Cluster {
                name: self.name.to_string(),
            },
        }
    }

    fn is(&self, reference: &PolicyRef) -> bool {
        self.reference() == *reference
    }
}

struct Candidate<'a> {
    view: PolicyView<'a>,
    implicit: ImplicitPriority,
}

fn best<'a>(policies: &[PolicyView<'a>], object: &ObjectKey<'_>) -> Option<Candidate<'a>> {
    policies
        .iter()
        .filter(|p| !p.deleting)
        .filter_map(|p| {
            best_match(&p.spec.resource_selectors, object)
                .map(|implicit| Candidate { view: *p, implicit })
        })
        .max_by_key(|c| (c.view.spec.priority(), c.implicit, Reverse(c.view.name)))
}

/// The policy that should claim `object`. `namespaced` are the PropagationPolicies of the object's
/// namespace, `cluster` every ClusterPropagationPolicy; `claimed` is the current claim.
pub fn choose(
    object: &ObjectKey<'_>,
    claimed: Option<&PolicyRef>,
    namespaced: &[PolicyView<'_>],
    cluster: &[PolicyView<'_>],
) -> Option<PolicyRef> {
    let in_namespace: Vec<PolicyView<'_>> = namespaced
        .iter()
        .filter(|p| p.namespace == Some(object.namespace) && !object.namespace.is_empty())
        .copied()
        .collect();
    let best_pp = best(&in_namespace, object);
    let best_cpp = best(cluster, object);

    if let Some(claim) = claimed {
        let current = namespaced
            .iter()
            .chain(cluster)
            .find(|p| p.is(claim) && !p.deleting)
            .filter(|p| best_match(&p.spec.resource_selectors, object).is_some());
        if let Some(current) = current {
            let preempts = |candidate: &Candidate<'_>| {
                candidate.view.spec.preemption() == PreemptionBehavior::Always
                    && !candidate.view.is(claim)
            };
            match claim {
                PolicyRef::Namespaced { .. } => {
                    if let Some(pp) = best_pp
                        .filter(|c| preempts(c) && c.view.spec.priority() > current.spec.priority())
                    {
                        return Some(pp.view.reference());
                    }
                }
                PolicyRef::Cluster { .. } => {
                    // Any preempting PropagationPolicy outranks a ClusterPropagationPolicy.
                    if let Some(pp) = best_pp.filter(preempts) {
                        return Some(pp.view.reference());
                    }
                    if let Some(cpp) = best_cpp
                        .filter(|c| preempts(c) && c.view.spec.priority() > current.spec.priority())
                    {
                        return Some(cpp.view.reference());
                    }
                }
            }
            return Some(claim.clone());
        }
    }
    best_pp.or(best_cpp).map(|c| c.view.reference())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::selectors::labels_of;
    use karmada_api::policy::v1alpha1::ResourceSelector;
    use serde_json::json;

    fn spec(
        priority: i32,
        preempt: bool,
        name: Option<&str>,
        label: Option<&str>,
    ) -> PropagationSpec {
        PropagationSpec {
            resource_selectors: vec![ResourceSelector {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: name.map(Into::into),
                label_selector: label.map(|v| {
                    k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
                        match_labels: Some([("app".to_string(), v.to_string())].into()),
                        ..Default::default()
                    }
                }),
                ..Default::default()
            }],
            priority: Some(priority),
            preemption: Some(if preempt {
                PreemptionBehavior::Always
            } else {
                PreemptionBehavior::Never
            }),
            ..Default::default()
        }
    }

    fn pp<'a>(name: &'a str, spec: &'a PropagationSpec) -> PolicyView<'a> {
        PolicyView {
            namespace: Some("default"),
            name,
            spec,
            deleting: false,
        }
    }

    fn cpp<'a>(name: &'a str, spec: &'a PropagationSpec) -> PolicyView<'a> {
        PolicyView {
            namespace: None,
            name,
            spec,
            deleting: false,
        }
    }

    fn nginx() -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}}})
    }

    fn named(name: &str, namespaced: bool) -> PolicyRef {
        if namespaced {
            PolicyRef::Namespaced {
                namespace: "default".into(),
                name: name.into(),
            }
        } else {
            PolicyRef::Cluster { name: name.into() }
        }
    }

    #[test]
    fn propagation_policy_wins_over_cluster_policy_whatever_the_priority() {
        let object = nginx();
        let labels = labels_of(&object);
        let key = ObjectKey::of(&object, &labels);
        let (low, high) = (spec(0, false, None, None), spec(100, false, None, None));
        let chosen = choose(&key, None, &[pp("a", &low)], &[cpp("b", &high)]);
        assert_eq!(chosen, Some(named("a", true)));
    }

    #[test]
    fn explicit_priority_then_implicit_priority_then_name() {
        let object = nginx();
        let labels = labels_of(&object);
        let key = ObjectKey::of(&object, &labels);
        let (kind_only, by_label, by_name, high) = (
            spec(0, false, None, None),
            spec(0, false, None, Some("nginx")),
            spec(0, false, Some("nginx"), None),
            spec(5, false, None, None),
        );
        assert_eq!(
            choose(&key, None, &[pp("a", &kind_only), pp("b", &by_label)], &[]),
            Some(named("b", true))
        );
        assert_eq!(
            choose(&key, None, &[pp("c", &by_name), pp("b", &by_label)], &[]),
            Some(named("c", true))
        );
        assert_eq!(
            choose(&key, None, &[pp("c", &by_name), pp("z", &high)], &[]),
            Some(named("z", true))
        );
        assert_eq!(
            choose(&key, None, &[pp("y", &kind_only), pp("x", &kind_only)], &[]),
            Some(named("x", true))
        );
    }

    #[test]
    fn a_claim_is_kept_unless_preempted() {
        let object = nginx();
        let labels = labels_of(&object);
        let key = ObjectKey::of(&object, &labels);
        let (low, high, high_preempt) = (
            spec(0, false, None, None),
            spec(9, false, Some("nginx"), None),
            spec(9, true, Some("nginx"), None),
        );
        let claim = named("low", true);
        assert_eq!(
            choose(
                &key,
                Some(&claim),
                &[pp("low", &low), pp("high", &high)],
                &[]
            ),
            Some(claim.clone())
        );
        assert_eq!(
            choose(
                &key,
                Some(&claim),
                &[pp("low", &low), pp("high", &high_preempt)],
                &[]
            ),
            Some(named("high", true))
        );
        // A PropagationPolicy that preempts takes a template from a ClusterPropagationPolicy.
        let cclaim = named("c", false);
        assert_eq!(
            choose(
                &key,
                Some(&cclaim),
                &[pp("p", &spec(0, true, Some("nginx"), None))],
                &[cpp("c", &high)]
            ),
            Some(named("p", true))
        );
        assert_eq!(
            choose(&key, Some(&cclaim), &[pp("p", &low)], &[cpp("c", &high)]),
            Some(cclaim)
        );
    }

    #[test]
    fn a_deleted_or_no_longer_matching_claim_is_replaced() {
        let object = nginx();
        let labels = labels_of(&object);
        let key = ObjectKey::of(&object, &labels);
        let (other, any) = (
            spec(0, false, Some("other"), None),
            spec(0, false, None, None),
        );
        let claim = named("old", true);
        assert_eq!(
            choose(
                &key,
                Some(&claim),
                &[pp("old", &other), pp("new", &any)],
                &[]
            ),
            Some(named("new", true))
        );
        let mut deleting = pp("old", &any);
        deleting.deleting = true;
        assert_eq!(choose(&key, Some(&claim), &[deleting], &[]), None);
    }
}
