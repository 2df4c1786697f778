//! Matching of Kubernetes label selectors, Karmada cluster affinities and resource selectors. Pure
//! functions shared by the detector, the scheduler and the override manager.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use karmada_api::cluster::v1alpha1::Cluster;
use karmada_api::policy::v1alpha1::{ClusterAffinity, ResourceSelector};
use serde_json::Value;

/// Whether `labels` satisfy `selector` (`matchLabels` and every `matchExpressions` term). An empty
/// selector matches everything; an unknown operator matches nothing.
pub fn label_selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    if let Some(match_labels) = &selector.match_labels
        && match_labels.iter().any(|(k, v)| labels.get(k) != Some(v))
    {
        return false;
    }
    for expression in selector.match_expressions.iter().flatten() {
        let value = labels.get(&expression.key);
        let values = expression.values.as_deref().unwrap_or_default();
        let ok = match expression.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether `cluster` satisfies `affinity` (Karmada's `ClusterMatches`): being excluded always
/// rejects; every non-empty sub-filter must match; an empty affinity matches every cluster.
pub fn cluster_matches(affinity: &ClusterAffinity, cluster: &Cluster) -> bool {
    let name = cluster.metadata.name.as_deref().unwrap_or_default();
    if affinity
        .exclude_clusters
        .iter()
        .flatten()
        .any(|excluded| excluded == name)
    {
        return false;
    }
    if let Some(selector) = &affinity.label_selector {
        let empty = BTreeMap::new();
        let labels = cluster.metadata.labels.as_ref().unwrap_or(&empty);
        if !label_selector_matches(selector, labels) {
            return false;
        }
    }
    if let Some(fields) = &affinity.field_selector {
        for requirement in fields.match_expressions.iter().flatten() {
            let values = requirement.values.as_deref().unwrap_or_default();
            let actual: Vec<&str> = match requirement.key.as_str() {
                "provider" => cluster.spec.provider.as_deref().into_iter().collect(),
                "region" => cluster.spec.region.as_deref().into_iter().collect(),
                "zone" => cluster_zones(cluster),
                _ => return false,
            };
            let any_in = actual.iter().any(|a| values.iter().any(|v| v == a));
            let ok = match requirement.operator.as_str() {
                "In" => any_in,
                "NotIn" => !any_in,
                "Exists" => !actual.is_empty(),
                "DoesNotExist" => actual.is_empty(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    if let Some(names) = &affinity.cluster_names
        && !names.is_empty()
        && !names.iter().any(|n| n == name)
    {
        return false;
    }
    true
}

/// A cluster's zones: `spec.zones`, or the deprecated single `spec.zone`.
pub fn cluster_zones(cluster: &Cluster) -> Vec<&str> {
    match &cluster.spec.zones {
        Some(zones) if !zones.is_empty() => zones.iter().map(String::as_str).collect(),
        _ => cluster.spec.zone.as_deref().into_iter().collect(),
    }
}

/// How specifically a resource selector matched an object (Karmada's implicit priority): a
/// selector naming the object beats one selecting it by labels, which beats one selecting every
/// object of the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImplicitPriority {
    MatchAll = 1,
    MatchLabelSelector = 2,
    MatchName = 3,
}

/// The identity of an object as resource selectors see it.
#[derive(Debug, Clone, Copy)]
pub struct ObjectKey<'a> {
    pub api_version: &'a str,
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
}

impl<'a> ObjectKey<'a> {
    /// Reads the key fields of a JSON object; labels are borrowed from `labels_holder`, filled by
    /// the caller with [`labels_of`].
    pub fn of(object: &'a Value, labels: &'a BTreeMap<String, String>) -> ObjectKey<'a> {
        let str_at = |pointer: &str| {
            object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        ObjectKey {
            api_version: str_at("/apiVersion"),
            kind: str_at("/kind"),
            namespace: str_at("/metadata/namespace"),
            name: str_at("/metadata/name"),
            labels,
        }
    }
}

/// The labels of a JSON object.
pub fn labels_of(object: &Value) -> BTreeMap<String, String> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// How `selector` matches `object`, or `None`. `namespace` and `name`, when set, must be equal;
/// with a name the label selector is ignored.
pub fn resource_selector_matches(
    selector: &ResourceSelector,
    object: &ObjectKey<'_>,
) -> Option<ImplicitPriority> {
    if selector.api_version != object.api_version || selector.kind != object.kind {
        return None;
    }
    if !selector.namespace().is_empty() && selector.namespace() != object.namespace {
        return None;
    }
    if !selector.name().is_empty() {
        return (selector.name() == object.name).then_some(ImplicitPriority::MatchName);
    }
    match &selector.label_selector {
        Some(labels) => label_selector_matches(labels, object.labels)
            .then_some(ImplicitPriority::MatchLabelSelector),
        None => Some(ImplicitPriority::MatchAll),
    }
}

/// The best match among `selectors`, or `None` when none matches.
pub fn best_match(
    selectors: &[ResourceSelector],
    object: &ObjectKey<'_>,
) -> Option<ImplicitPriority> {
    selectors
        .iter()
        .filter_map(|s| resource_selector_matches(s, object))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSelectorRequirement;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
    use karmada_api::policy::v1alpha1::FieldSelector;
    use serde_json::json;

    fn cluster(
        name: &str,
        labels: &[(&str, &str)],
        region: Option<&str>,
        zones: &[&str],
    ) -> Cluster {
        serde_json::from_value(json!({
            "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
            "metadata": {"name": name, "labels": labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>()},
            "spec": {"syncMode": "Push", "region": region, "zones": zones},
        }))
        .expect("cluster")
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selector_operators() {
        let l = labels(&[("env", "prod"), ("tier", "web")]);
        let expr = |key: &str, op: &str, values: &[&str]| LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: key.into(),
                operator: op.into(),
                values: Some(values.iter().map(|v| v.to_string()).collect()),
            }]),
            ..Default::default()
        };
        let cases = [
            (expr("env", "In", &["prod", "dev"]), true),
            (expr("env", "In", &["dev"]), false),
            (expr("env", "NotIn", &["dev"]), true),
            (expr("missing", "NotIn", &["dev"]), true),
            (expr("env", "Exists", &[]), true),
            (expr("env", "DoesNotExist", &[]), false),
            (expr("env", "Bogus", &[]), false),
            (LabelSelector::default(), true),
            (
                LabelSelector {
                    match_labels: Some(labels(&[("tier", "db")])),
                    ..Default::default()
                },
                false,
            ),
        ];
        for (selector, want) in cases {
            assert_eq!(label_selector_matches(&selector, &l), want, "{selector:?}");
        }
    }

    #[test]
    fn cluster_affinity_excludes_first_then_ands_filters() {
        let m1 = cluster("m1", &[("env", "prod")], Some("eu"), &["eu-1", "eu-2"]);
        let by_names = ClusterAffinity {
            cluster_names: Some(vec!["m1".into()]),
            ..Default::default()
        };
        assert!(cluster_matches(&by_names, &m1));
        let excluded = ClusterAffinity {
            cluster_names: Some(vec!["m1".into()]),
            exclude_clusters: Some(vec!["m1".into()]),
            ..Default::default()
        };
        assert!(!cluster_matches(&excluded, &m1));
        let field = |key: &str, op: &str, values: &[&str]| ClusterAffinity {
            field_selector: Some(FieldSelector {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: key.into(),
                    operator: op.into(),
                    values: Some(values.iter().map(|v| v.to_string()).collect()),
                }]),
            }),
            ..Default::default()
        };
        assert!(cluster_matches(&field("region", "In", &["eu"]), &m1));
        assert!(!cluster_matches(&field("region", "NotIn", &["eu"]), &m1));
        assert!(cluster_matches(&field("zone", "In", &["eu-2"]), &m1));
        assert!(!cluster_matches(&field("provider", "In", &["aws"]), &m1));
        assert!(cluster_matches(&ClusterAffinity::default(), &m1));
        let both = ClusterAffinity {
            cluster_names: Some(vec!["m1".into()]),
            label_selector: Some(LabelSelector {
                match_labels: Some(labels(&[("env", "dev")])),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(!cluster_matches(&both, &m1), "every sub-filter must match");
    }

    #[test]
    fn resource_selector_priorities() {
        let object = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}}});
        let l = labels_of(&object);
        let key = ObjectKey::of(&object, &l);
        let sel = |ns: Option<&str>, name: Option<&str>, app: Option<&str>| ResourceSelector {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: ns.map(Into::into),
            name: name.map(Into::into),
            label_selector: app.map(|a| LabelSelector {
                match_labels: Some(labels(&[("app", a)])),
                ..Default::default()
            }),
        };
        assert_eq!(
            resource_selector_matches(&sel(None, None, None), &key),
            Some(ImplicitPriority::MatchAll)
        );
        assert_eq!(
            resource_selector_matches(&sel(None, None, Some("nginx")), &key),
            Some(ImplicitPriority::MatchLabelSelector)
        );
        assert_eq!(
            resource_selector_matches(&sel(None, None, Some("x")), &key),
            None
        );
        assert_eq!(
            resource_selector_matches(&sel(Some("default"), Some("nginx"), Some("x")), &key),
            Some(ImplicitPriority::MatchName),
            "a name ignores the label selector"
        );
        assert_eq!(
            resource_selector_matches(&sel(Some("other"), None, None), &key),
            None
        );
        assert_eq!(
            best_match(
                &[sel(None, None, None), sel(None, Some("nginx"), None)],
                &key
            ),
            Some(ImplicitPriority::MatchName)
        );
    }
}
