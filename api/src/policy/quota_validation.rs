//! Validation of FederatedResourceQuotas, as Karmada's validating webhook does it: quota resource
//! names, non-negative (and for countable resources, whole) quantities, valid cluster names, and
//! static assignments that fit in the overall quota.

use super::field_path::FieldPath;
use super::quantity::Quantity;
use super::syntax::{dns1123_label_errors, qualified_name_errors};
use super::v1alpha1::{FederatedResourceQuotaSpec, FederatedResourceQuotaStatus, ResourceList};
use crate::validation::{FieldError, quoted};

/// Longest FederatedResourceQuota name: it names ResourceQuotas in member clusters.
const MAX_NAME_LENGTH: usize = 63;
/// Longest cluster name: `karmada-es-<name>` must still be a namespace name.
const MAX_CLUSTER_NAME_LENGTH: usize = 48;

/// Resources a quota can limit by their short name (`corev1` standard quota resources).
const STANDARD_QUOTA_RESOURCES: [&str; 19] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.storage",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "persistentvolumeclaims",
    "configmaps",
    "services.nodeports",
    "services.loadbalancers",
];

/// Resources known to the system by their short name (`corev1` standard resources).
const STANDARD_RESOURCES: [&str; 20] = [
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];

/// Resources counted in whole units.
const INTEGER_RESOURCES: [&str; 9] = [
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

fn is_huge_pages(name: &str) -> bool {
    name.starts_with("hugepages-") || name.starts_with("requests.hugepages-")
}

/// An extended resource (`example.com/gpu`): not native, and a valid name once prefixed with
/// `requests.`.
fn is_extended_resource(name: &str) -> bool {
    let native = !name.contains('/') || name.contains("kubernetes.io/");
    !native
        && !name.starts_with("requests.")
        && qualified_name_errors(&format!("requests.{name}")).is_empty()
}

/// Validates a FederatedResourceQuota: its name, spec and status.
pub(crate) fn validate_quota(
    name: &str,
    spec: &FederatedResourceQuotaSpec,
    status: Option<&FederatedResourceQuotaStatus>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if name.len() > MAX_NAME_LENGTH {
        errors.push(FieldError::invalid(
            FieldPath::new("metadata").child("name"),
            quoted(name),
            &format!("must be no more than {MAX_NAME_LENGTH} characters"),
        ));
    }
    let root = FieldPath::new("spec");
    errors.extend(validate_resource_list(
        &spec.overall,
        &root.child("overall"),
    ));
    let assignments = spec.static_assignments.as_deref().unwrap_or_default();
    for (i, assignment) in assignments.iter().enumerate() {
        let at = root.child("staticAssignments").index(i);
        errors.extend(validate_cluster_name(
            &assignment.cluster_name,
            &at.child("clusterName"),
        ));
        errors.extend(validate_resource_list(&assignment.hard, &at.child("hard")));
        for resource in assignment.hard.keys() {
            if !spec.overall.contains_key(resource) {
                errors.push(FieldError::invalid(
                    at.child("hard").key(resource),
                    quoted(resource),
                    "assignment resourceName is not exist in overall",
                ));
            }
        }
    }
    for (resource, limit) in &spec.overall {
        let Some(limit_value) = Quantity::parse(&limit.0) else {
            continue;
        };
        let assigned = assignments
            .iter()
            .filter_map(|a| a.hard.get(resource))
            .filter_map(|q| Quantity::parse(&q.0))
            .fold(Quantity::default(), Quantity::plus);
        if limit_value < assigned {
            errors.push(FieldError::invalid(
                root.child("overall").key(resource),
                quoted(&limit.0),
                "overall is less than assignments",
            ));
        }
    }
    if let Some(status) = status {
        errors.extend(validate_status(status));
    }
    errors
}

fn validate_status(status: &FederatedResourceQuotaStatus) -> Vec<FieldError> {
    let root = FieldPath::new("status");
    let mut errors = Vec::new();
    if let Some(overall) = &status.overall {
        errors.extend(validate_resource_list(overall, &root.child("overall")));
    }
    if let Some(used) = &status.overall_used {
        errors.extend(validate_resource_list(used, &root.child("overallUsed")));
    }
    for (i, cluster) in status.aggregated_status.iter().flatten().enumerate() {
        let at = root.child("aggregatedStatus").index(i);
        errors.extend(validate_cluster_name(
            &cluster.cluster_name,
            &at.child("clusterName"),
        ));
        for (name, list) in [("hard", &cluster.hard), ("used", &cluster.used)] {
            if let Some(list) = list {
                errors.extend(validate_resource_list(list, &at.child(name)));
            }
        }
    }
    errors
}

/// A member cluster's name: a DNS-1123 label of at most 48 characters.
fn validate_cluster_name(name: &str, path: &FieldPath) -> Vec<FieldError> {
    let problems = if name.is_empty() {
        vec!["must be not empty".to_string()]
    } else if name.len() > MAX_CLUSTER_NAME_LENGTH {
        vec![format!(
            "must be no more than {MAX_CLUSTER_NAME_LENGTH} characters"
        )]
    } else {
        dns1123_label_errors(name)
    };
    if problems.is_empty() {
        return Vec::new();
    }
    vec![FieldError::invalid(path, quoted(name), &problems.join(","))]
}

fn validate_resource_list(list: &ResourceList, path: &FieldPath) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (resource, quantity) in list {
        let at = path.key(resource);
        errors.extend(validate_quota_resource_name(resource, &at));
        let Some(value) = Quantity::parse(&quantity.0) else {
            errors.push(FieldError::invalid(
                &at,
                quoted(&quantity.0),
                "must be a quantity",
            ));
            continue;
        };
        if value.is_negative() {
            errors.push(FieldError::invalid(
                &at,
                quoted(&quantity.0),
                "must be greater than or equal to 0",
            ));
        }
        let integer_resource =
            INTEGER_RESOURCES.contains(&resource.as_str()) || is_extended_resource(resource);
        if integer_resource && !value.is_integer() {
            errors.push(FieldError::invalid(
                &at,
                quoted(&quantity.0),
                "must be an integer",
            ));
        }
    }
    errors
}

/// A resource name a quota can use: a qualified name, and a standard quota resource unless it is
/// prefixed (`count/deployments.apps`, `example.com/gpu`).
fn validate_quota_resource_name(resource: &str, path: &FieldPath) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = qualified_name_errors(resource)
        .into_iter()
        .map(|e| FieldError::invalid(path, quoted(resource), &e))
        .collect();
    if errors.is_empty() && !resource.contains('/') {
        if !STANDARD_RESOURCES.contains(&resource) && !is_huge_pages(resource) {
            errors.push(FieldError::invalid(
                path,
                quoted(resource),
                "must be a standard resource type or fully qualified",
            ));
        }
        if !STANDARD_QUOTA_RESOURCES.contains(&resource) && !is_huge_pages(resource) {
            errors.push(FieldError::invalid(
                path,
                quoted(resource),
                "must be a standard resource for quota",
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn errors(name: &str, spec: Value, status: Option<Value>) -> Vec<(String, String)> {
        let spec: FederatedResourceQuotaSpec = serde_json::from_value(spec).expect("a spec");
        let status: Option<FederatedResourceQuotaStatus> =
            status.map(|s| serde_json::from_value(s).expect("a status"));
        validate_quota(name, &spec, status.as_ref())
            .into_iter()
            .map(|e| (e.field, e.detail))
            .collect()
    }

    #[test]
    fn a_quota_split_among_clusters_passes() {
        let spec = json!({
            "overall": {"cpu": "10", "memory": "10Gi", "pods": "100", "count/deployments.apps": "5",
                        "example.com/gpu": "4", "hugepages-2Mi": "1Gi"},
            "staticAssignments": [
                {"clusterName": "member1", "hard": {"cpu": "4500m", "memory": "5Gi", "pods": "50"}},
                {"clusterName": "member2", "hard": {"cpu": "5.5", "memory": "5120Mi", "example.com/gpu": "4"}},
            ],
        });
        let status = json!({"overall": {"cpu": "10"}, "overallUsed": {"cpu": "1"},
                            "aggregatedStatus": [{"clusterName": "member1", "hard": {"cpu": "4500m"}, "used": {"cpu": "1"}}]});
        assert_eq!(errors("quota", spec, Some(status)), []);
    }

    #[test]
    fn table_of_quota_rules() {
        // (rule, name, spec, status, field, detail)
        type Case = (
            &'static str,
            String,
            Value,
            Option<Value>,
            &'static str,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            (
                "name fits a ResourceQuota",
                "q".repeat(64),
                json!({"overall": {}}),
                None,
                "metadata.name",
                "must be no more than 63 characters",
            ),
            (
                "overall holds every assignment",
                "q".into(),
                json!({"overall": {"cpu": "1"}, "staticAssignments": [
                    {"clusterName": "m1", "hard": {"cpu": "600m"}}, {"clusterName": "m2", "hard": {"cpu": "0.5"}}]}),
                None,
                "spec.overall[cpu]",
                "Invalid value: \"1\": overall is less than assignments",
            ),
            (
                "assignments limit only overall resources",
                "q".into(),
                json!({"overall": {"cpu": "1"}, "staticAssignments": [{"clusterName": "m1", "hard": {"memory": "1Gi"}}]}),
                None,
                "spec.staticAssignments[0].hard[memory]",
                "Invalid value: \"memory\": assignment resourceName is not exist in overall",
            ),
            (
                "cluster names are DNS labels",
                "q".into(),
                json!({"overall": {}, "staticAssignments": [{"clusterName": "Member_1", "hard": {}}]}),
                None,
                "spec.staticAssignments[0].clusterName",
                "Invalid value: \"Member_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ),
            (
                "cluster names fit an execution namespace",
                "q".into(),
                json!({"overall": {}, "staticAssignments": [{"clusterName": "m".repeat(49), "hard": {}}]}),
                None,
                "spec.staticAssignments[0].clusterName",
                "must be no more than 48 characters",
            ),
            (
                "quantities are not negative",
                "q".into(),
                json!({"overall": {"memory": "1Gi"}, "staticAssignments": [{"clusterName": "m1", "hard": {"memory": "-1Gi"}}]}),
                None,
                "spec.staticAssignments[0].hard[memory]",
                "Invalid value: \"-1Gi\": must be greater than or equal to 0",
            ),
            (
                "countable resources are whole",
                "q".into(),
                json!({"overall": {"pods": "1500m"}}),
                None,
                "spec.overall[pods]",
                "Invalid value: \"1500m\": must be an integer",
            ),
            (
                "extended resources are whole",
                "q".into(),
                json!({"overall": {"example.com/gpu": "0.5"}}),
                None,
                "spec.overall[example.com/gpu]",
                "Invalid value: \"0.5\": must be an integer",
            ),
            (
                "storage is not a quota resource",
                "q".into(),
                json!({"overall": {"storage": "1Gi"}}),
                None,
                "spec.overall[storage]",
                "Invalid value: \"storage\": must be a standard resource for quota",
            ),
            (
                "quantities parse",
                "q".into(),
                json!({"overall": {"cpu": "lots"}}),
                None,
                "spec.overall[cpu]",
                "Invalid value: \"lots\": must be a quantity",
            ),
            (
                "status is validated too",
                "q".into(),
                json!({"overall": {}}),
                Some(json!({"aggregatedStatus": [{"clusterName": "m1", "used": {"cpu": "-1"}}]})),
                "status.aggregatedStatus[0].used[cpu]",
                "Invalid value: \"-1\": must be greater than or equal to 0",
            ),
        ];
        for (rule, name, spec, status, field, detail) in cases {
            let found = errors(&name, spec, status);
            assert_eq!(found.len(), 1, "{rule}: {found:?}");
            assert_eq!(found[0].0, field, "{rule}");
            assert!(found[0].1.ends_with(detail), "{rule}: {}", found[0].1);
        }
        let unknown = errors("q", json!({"overall": {"gpus": "1"}}), None);
        assert_eq!(
            unknown.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
            [
                "Invalid value: \"gpus\": must be a standard resource type or fully qualified",
                "Invalid value: \"gpus\": must be a standard resource for quota",
            ]
        );
    }
}
