//! Defaulting of the policy specs: the defaults of Karmada's CRD schemas (which kube-apiserver
//! applies before admission) followed by those of Karmada's mutating webhooks.

use super::admission::Scope;
use super::v1alpha1::{
    ConflictResolution, DEFAULT_SCHEDULER_NAME, OverrideSpec, PreemptionBehavior, PropagationSpec,
    PurgeMode, ReplicaDivisionPreference, ReplicaSchedulingType, ResourceSelector,
    SpreadFieldValue,
};

/// Tolerated application unhealthiness before failover, when the policy says nothing.
pub const DEFAULT_TOLERATION_SECONDS: i32 = 300;
/// Grace period of a `Gracefully` application failover, when the policy says nothing.
pub const DEFAULT_GRACE_PERIOD_SECONDS: i32 = 600;

/// Defaults a PropagationPolicy's or ClusterPropagationPolicy's spec.
pub(crate) fn default_propagation_spec(spec: &mut PropagationSpec, scope: Scope<'_>) {
    apply_schema_defaults(spec);

    // Karmada's mutating webhook.
    fill_selector_namespaces(&mut spec.resource_selectors, scope);
    if spec.resource_selectors.iter().any(is_service_import) {
        spec.propagate_deps = Some(true);
    }
    if let Some(placement) = &mut spec.placement {
        for constraint in placement.spread_constraints.iter_mut().flatten() {
            let label = constraint.spread_by_label.as_deref().unwrap_or_default();
            if constraint.spread_by_field.is_none() && label.is_empty() {
                constraint.spread_by_field = Some(SpreadFieldValue::Cluster);
            }
            if constraint.min_groups.unwrap_or(0) == 0 {
                constraint.min_groups = Some(1);
            }
        }
        if let Some(strategy) = &mut placement.replica_scheduling
            && strategy.replica_scheduling_type == Some(ReplicaSchedulingType::Divided)
            && strategy.replica_division_preference.is_none()
        {
            strategy.replica_division_preference = Some(ReplicaDivisionPreference::Weighted);
        }
    }
    if let Some(application) = spec.failover.as_mut().and_then(|f| f.application.as_mut())
        && application.purge_mode == Some(PurgeMode::Gracefully)
        && application.grace_period_seconds.is_none()
    {
        application.grace_period_seconds = Some(DEFAULT_GRACE_PERIOD_SECONDS);
    }
}

/// The `default`s of Karmada's PropagationPolicy schema, applied where the enclosing object is
/// present, as kube-apiserver does.
fn apply_schema_defaults(spec: &mut PropagationSpec) {
    spec.priority.get_or_insert(0);
    spec.preemption.get_or_insert(PreemptionBehavior::Never);
    spec.conflict_resolution
        .get_or_insert(ConflictResolution::Abort);
    // An empty name is what Go's `omitempty` drops before the schema default applies.
    if spec.scheduler_name.as_deref().is_none_or(str::is_empty) {
        spec.scheduler_name = Some(DEFAULT_SCHEDULER_NAME.to_string());
    }
    if let Some(strategy) = spec
        .placement
        .as_mut()
        .and_then(|p| p.replica_scheduling.as_mut())
    {
        strategy
            .replica_scheduling_type
            .get_or_insert(ReplicaSchedulingType::Divided);
    }
    if let Some(failover) = &mut spec.failover {
        if let Some(application) = &mut failover.application {
            application.purge_mode.get_or_insert(PurgeMode::Gracefully);
            application
                .decision_conditions
                .toleration_seconds
                .get_or_insert(DEFAULT_TOLERATION_SECONDS);
        }
        if let Some(cluster) = &mut failover.cluster {
            cluster.purge_mode.get_or_insert(PurgeMode::Gracefully);
        }
    }
}

/// Defaults an OverridePolicy's or ClusterOverridePolicy's spec.
pub(crate) fn default_override_spec(spec: &mut OverrideSpec, scope: Scope<'_>) {
    if let Some(selectors) = &mut spec.resource_selectors {
        fill_selector_namespaces(selectors, scope);
    }
}

/// A namespaced policy's selectors select in the policy's namespace unless they say otherwise.
fn fill_selector_namespaces(selectors: &mut [ResourceSelector], scope: Scope<'_>) {
    let Scope::Namespaced(namespace) = scope else {
        return;
    };
    if namespace.is_empty() {
        return;
    }
    for selector in selectors {
        if selector.namespace.as_deref().is_none_or(str::is_empty) {
            selector.namespace = Some(namespace.to_string());
        }
    }
}

/// A multi-cluster-services ServiceImport needs its dependencies (the derived Service and
/// EndpointSlices) to be useful.
fn is_service_import(selector: &ResourceSelector) -> bool {
    selector.api_version == "multicluster.x-k8s.io/v1alpha1" && selector.kind == "ServiceImport"
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Defaults `spec` (given as JSON) and returns the result as JSON.
    fn defaulted(spec: Value, scope: Scope<'_>) -> Value {
        let mut typed: PropagationSpec = serde_json::from_value(spec).unwrap();
        default_propagation_spec(&mut typed, scope);
        serde_json::to_value(typed).unwrap()
    }

    const DEPLOYMENT: &str = r#"{"apiVersion": "apps/v1", "kind": "Deployment"}"#;

    fn selectors() -> Value {
        json!([serde_json::from_str::<Value>(DEPLOYMENT).unwrap()])
    }

    #[test]
    fn table_of_propagation_defaults() {
        // (name, spec fields besides resourceSelectors, JSON pointer into the result, expected)
        let cases: Vec<(&str, Value, &str, Value)> = vec![
            (
                "scheduler name",
                json!({}),
                "/schedulerName",
                json!("default-scheduler"),
            ),
            (
                "empty scheduler name",
                json!({"schedulerName": ""}),
                "/schedulerName",
                json!("default-scheduler"),
            ),
            (
                "own scheduler kept",
                json!({"schedulerName": "mine"}),
                "/schedulerName",
                json!("mine"),
            ),
            ("preemption", json!({}), "/preemption", json!("Never")),
            (
                "conflict resolution",
                json!({}),
                "/conflictResolution",
                json!("Abort"),
            ),
            ("priority", json!({}), "/priority", json!(0)),
            (
                "no placement stays absent",
                json!({}),
                "/placement",
                Value::Null,
            ),
            (
                "divided is the type of a set strategy",
                json!({"placement": {"replicaScheduling": {}}}),
                "/placement/replicaScheduling/replicaSchedulingType",
                json!("Divided"),
            ),
            (
                "divided defaults to weighted",
                json!({"placement": {"replicaScheduling": {"replicaSchedulingType": "Divided"}}}),
                "/placement/replicaScheduling/replicaDivisionPreference",
                json!("Weighted"),
            ),
            (
                "aggregated is kept",
                json!({"placement": {"replicaScheduling": {"replicaDivisionPreference": "Aggregated"}}}),
                "/placement/replicaScheduling/replicaDivisionPreference",
                json!("Aggregated"),
            ),
            (
                "duplicated gets no division",
                json!({"placement": {"replicaScheduling": {"replicaSchedulingType": "Duplicated"}}}),
                "/placement/replicaScheduling/replicaDivisionPreference",
                Value::Null,
            ),
            (
                "spread by cluster",
                json!({"placement": {"spreadConstraints": [{"maxGroups": 2}]}}),
                "/placement/spreadConstraints/0/spreadByField",
                json!("cluster"),
            ),
            (
                "spread label kept without field",
                json!({"placement": {"spreadConstraints": [{"spreadByLabel": "tier"}]}}),
                "/placement/spreadConstraints/0/spreadByField",
                Value::Null,
            ),
            (
                "min groups",
                json!({"placement": {"spreadConstraints": [{"spreadByField": "region"}]}}),
                "/placement/spreadConstraints/0/minGroups",
                json!(1),
            ),
            (
                "zero min groups",
                json!({"placement": {"spreadConstraints": [{"spreadByField": "region", "minGroups": 0}]}}),
                "/placement/spreadConstraints/0/minGroups",
                json!(1),
            ),
            (
                "application purge mode",
                json!({"failover": {"application": {"decisionConditions": {}}}}),
                "/failover/application/purgeMode",
                json!("Gracefully"),
            ),
            (
                "grace period of graceful purge",
                json!({"failover": {"application": {"decisionConditions": {}}}}),
                "/failover/application/gracePeriodSeconds",
                json!(600),
            ),
            (
                "no grace period for direct purge",
                json!({"failover": {"application": {"decisionConditions": {}, "purgeMode": "Directly"}}}),
                "/failover/application/gracePeriodSeconds",
                Value::Null,
            ),
            (
                "toleration seconds",
                json!({"failover": {"application": {"decisionConditions": {}}}}),
                "/failover/application/decisionConditions/tolerationSeconds",
                json!(300),
            ),
            (
                "zero toleration kept",
                json!({"failover": {"application": {"decisionConditions": {"tolerationSeconds": 0}}}}),
                "/failover/application/decisionConditions/tolerationSeconds",
                json!(0),
            ),
            (
                "cluster purge mode",
                json!({"failover": {"cluster": {}}}),
                "/failover/cluster/purgeMode",
                json!("Gracefully"),
            ),
            (
                "selector namespace",
                json!({}),
                "/resourceSelectors/0/namespace",
                json!("ns1"),
            ),
        ];
        for (name, fields, pointer, expected) in cases {
            let mut spec = fields;
            spec["resourceSelectors"] = selectors();
            let result = defaulted(spec, Scope::Namespaced("ns1"));
            assert_eq!(
                result.pointer(pointer).cloned().unwrap_or(Value::Null),
                expected,
                "{name}: {result}"
            );
        }
    }

    #[test]
    fn selector_namespaces_follow_the_policy() {
        let spec = json!({"resourceSelectors": [
            {"apiVersion": "v1", "kind": "ConfigMap"},
            {"apiVersion": "v1", "kind": "Secret", "namespace": ""},
            {"apiVersion": "v1", "kind": "Service", "namespace": "other"},
        ]});
        let result = defaulted(spec.clone(), Scope::Namespaced("ns1"));
        let namespaces: Vec<&Value> = (0..3)
            .map(|i| &result["resourceSelectors"][i]["namespace"])
            .collect();
        assert_eq!(namespaces, [&json!("ns1"), &json!("ns1"), &json!("other")]);

        let cluster = defaulted(spec, Scope::Cluster);
        assert_eq!(cluster["resourceSelectors"][0].get("namespace"), None);
    }

    #[test]
    fn service_import_propagates_dependencies() {
        let spec = json!({"resourceSelectors": [
            {"apiVersion": "multicluster.x-k8s.io/v1alpha1", "kind": "ServiceImport", "name": "s"},
        ]});
        assert_eq!(
            defaulted(spec, Scope::Cluster)["propagateDeps"],
            json!(true)
        );
        let other = json!({"resourceSelectors": selectors()});
        assert_eq!(defaulted(other, Scope::Cluster).get("propagateDeps"), None);
    }

    #[test]
    fn override_selectors_get_the_policy_namespace() {
        let mut spec: OverrideSpec = serde_json::from_value(json!({
            "resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap"}]
        }))
        .unwrap();
        let mut cluster = spec.clone();
        default_override_spec(&mut spec, Scope::Namespaced("ns1"));
        assert_eq!(spec.resource_selectors.unwrap()[0].namespace(), "ns1");
        default_override_spec(&mut cluster, Scope::Cluster);
        assert_eq!(cluster.resource_selectors.unwrap()[0].namespace, None);
    }
}
