//! Table-driven tests of PropagationPolicy / ClusterPropagationPolicy validation: each case is a
//! spec (defaulted first, as admission does) and the one error it must produce.

use serde_json::{Value, json};

use super::*;
use crate::policy::defaults::default_propagation_spec;

/// The errors of `spec` (JSON, `resourceSelectors` added when absent) in `scope`, after defaulting.
fn errors(mut spec: Value, scope: Scope<'_>) -> Vec<(String, String)> {
    if spec.get("resourceSelectors").is_none() {
        spec["resourceSelectors"] =
            json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}]);
    }
    let mut typed: PropagationSpec = serde_json::from_value(spec).expect("a spec");
    default_propagation_spec(&mut typed, scope);
    validate_propagation_spec(&typed, scope)
        .into_iter()
        .map(|e| (e.field, e.detail))
        .collect()
}

const NS: Scope<'static> = Scope::Namespaced("ns1");

fn dynamic_weight() -> Value {
    json!({"replicaSchedulingType": "Divided", "replicaDivisionPreference": "Weighted",
           "weightPreference": {"dynamicWeight": "AvailableReplicas"}})
}

#[test]
fn valid_specs_pass() {
    let specs = [
        json!({}),
        json!({"placement": {
            "clusterAffinity": {"clusterNames": ["member1"], "fieldSelector": {"matchExpressions": [
                {"key": "region", "operator": "In", "values": ["eu"]}]}},
            "clusterTolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}],
            "spreadConstraints": [{"spreadByField": "cluster", "maxGroups": 3, "minGroups": 2},
                                  {"spreadByField": "region", "maxGroups": 1}],
            "replicaScheduling": {"replicaSchedulingType": "Divided", "weightPreference": {"staticWeightList": [
                {"targetCluster": {"clusterNames": ["member1"]}, "weight": 1}]}},
            "workloadAffinity": {"affinity": {"groupByLabelKey": "app"}, "antiAffinity": {"groupByLabelKey": "tier"}},
        }}),
        json!({"placement": {"clusterAffinities": [
            {"affinityName": "primary", "clusterNames": ["m1"],
             "overflowAffinities": [{"affinityName": "burst", "clusterNames": ["m2"]}]},
            {"affinityName": "backup", "clusterNames": ["m3"]}],
            "replicaScheduling": dynamic_weight()}}),
        json!({"propagateDeps": true, "failover": {
            "application": {"decisionConditions": {"tolerationSeconds": 0}, "purgeMode": "Never",
                            "statePreservation": {"rules": [{"aliasLabelName": "karmada.io/replicas", "jsonPath": "{.replicas}"}]}},
            "cluster": {"purgeMode": "Directly"}}}),
        json!({"preemption": "Always", "suspension": {"dispatching": false, "dispatchingOnClusters": {"clusterNames": ["m1"]}},
               "schedulePriority": {"priorityClassSource": "KubePriorityClass", "priorityClassName": "high"}}),
    ];
    for spec in specs {
        assert_eq!(errors(spec.clone(), NS), [], "{spec}");
        assert_eq!(errors(spec.clone(), Scope::Cluster), [], "{spec}");
    }
}

#[test]
fn table_of_propagation_rules() {
    // (rule, scope, spec, field, detail)
    let cases: Vec<(&str, Scope<'_>, Value, &str, &str)> = vec![
        (
            "selectors are required",
            NS,
            json!({"resourceSelectors": []}),
            "spec.resourceSelectors",
            "Required value: at least one resource selector is required; an empty list does not select every resource",
        ),
        (
            "selector apiVersion is required",
            NS,
            json!({"resourceSelectors": [{"apiVersion": "", "kind": "Deployment"}]}),
            "spec.resourceSelectors[0].apiVersion",
            "Required value",
        ),
        (
            "selector kind is required",
            NS,
            json!({"resourceSelectors": [{"apiVersion": "v1", "kind": ""}]}),
            "spec.resourceSelectors[0].kind",
            "Required value",
        ),
        (
            "selector namespace is the policy's",
            NS,
            json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "other"}]}),
            "spec.resourceSelectors[0].namespace",
            "Invalid value: \"other\": namespace of resource selector must be the same as the namespace of the policy",
        ),
        (
            "cluster policy may not select a reserved namespace",
            Scope::Cluster,
            json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "Secret", "namespace": "karmada-es-member1"}]}),
            "spec.resourceSelectors[0].namespace",
            "Forbidden: namespace \"karmada-es-member1\" is reserved by Karmada and cannot be propagated",
        ),
        (
            "cluster policy may not propagate a reserved namespace",
            Scope::Cluster,
            json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "Namespace", "name": "karmada-system"}]}),
            "spec.resourceSelectors[0].name",
            "Forbidden: namespace \"karmada-system\" is reserved by Karmada and cannot be propagated",
        ),
        (
            "preemption needs named selectors",
            NS,
            json!({"preemption": "Always", "resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap"}]}),
            "spec.resourceSelectors[0].name",
            "Invalid value: \"\": name cannot be empty if preemption is Always, the empty name may cause unexpected resources preemption",
        ),
        (
            "affinity and affinities are exclusive",
            NS,
            json!({"placement": {"clusterAffinity": {}, "clusterAffinities": [{"affinityName": "a"}]}}),
            "spec.placement.clusterAffinities",
            "Forbidden: clusterAffinities cannot co-exist with clusterAffinity",
        ),
        (
            "affinity names are unique",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a"}, {"affinityName": "a"}]}}),
            "spec.placement.clusterAffinities[1].affinityName",
            "Duplicate value: \"a\"",
        ),
        (
            "affinity name is required",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a"}, {"affinityName": ""}]}}),
            "spec.placement.clusterAffinities[1].affinityName",
            "Required value",
        ),
        (
            "affinity name has at most 32 characters",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a".repeat(33)}]}}),
            "spec.placement.clusterAffinities[0].affinityName",
            "Too long: may not be more than 32 bytes",
        ),
        (
            "affinity name is a label key",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "-a"}]}}),
            "spec.placement.clusterAffinities[0].affinityName",
            "Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        ),
        (
            "affinity field selector keys",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a", "fieldSelector": {"matchExpressions": [
                {"key": "city", "operator": "In", "values": ["x"]}]}}]}}),
            "spec.placement.clusterAffinities[0].fieldSelector.matchExpressions[0].key",
            "Unsupported value: \"city\": supported values: \"provider\", \"region\", \"zone\"",
        ),
        (
            "cluster affinity field selector operators",
            NS,
            json!({"placement": {"clusterAffinity": {"fieldSelector": {"matchExpressions": [
                {"key": "zone", "operator": "Exists"}]}}}}),
            "spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].operator",
            "Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\"",
        ),
        (
            "overflow needs dynamic or aggregated division",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a", "clusterNames": ["m1"],
                "overflowAffinities": [{"affinityName": "b"}]}],
                "replicaScheduling": {"replicaSchedulingType": "Divided"}}}),
            "spec.placement.clusterAffinities[0].overflowAffinities",
            "Forbidden: overflowAffinities can only be used together with dynamic weight or aggregated scheduling",
        ),
        (
            "overflow needs an inline affinity",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a",
                "overflowAffinities": [{"affinityName": "b"}]}],
                "replicaScheduling": {"replicaDivisionPreference": "Aggregated"}}}),
            "spec.placement.clusterAffinities[0].overflowAffinities",
            "Forbidden: overflowAffinities can only be used together with the inline ClusterAffinity",
        ),
        (
            "overflow names differ from the primary's",
            NS,
            json!({"placement": {"clusterAffinities": [{"affinityName": "a", "clusterNames": ["m1"],
                "overflowAffinities": [{"affinityName": "a"}]}], "replicaScheduling": dynamic_weight()}}),
            "spec.placement.clusterAffinities[0].overflowAffinities[0].affinityName",
            "Invalid value: \"a\": overflow affinity name must be unique and must not duplicate the primary group's affinityName",
        ),
        (
            "tolerations may not compare",
            NS,
            json!({"placement": {"clusterTolerations": [{"key": "k", "operator": "Gt", "value": "1"}]}}),
            "spec.placement.clusterTolerations[0].operator",
            "Unsupported value: \"Gt\": supported values: \"\", \"Exists\", \"Equal\"",
        ),
        (
            "spread by field or by label",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByField": "cluster", "spreadByLabel": "tier"}]}}),
            "spec.placement.spreadConstraints[0].spreadByLabel",
            "Forbidden: spreadByLabel should not co-exist with spreadByField",
        ),
        (
            "max groups at least min groups",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByField": "cluster", "minGroups": 3, "maxGroups": 2}]}}),
            "spec.placement.spreadConstraints[0].maxGroups",
            "Invalid value: 2: maxGroups lower than minGroups is not allowed",
        ),
        (
            "min groups not negative",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByField": "cluster", "minGroups": -1}]}}),
            "spec.placement.spreadConstraints[0].minGroups",
            "Invalid value: -1: minGroups lower than 0 is not allowed",
        ),
        (
            "max groups not negative",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByField": "cluster", "maxGroups": -1}]}}),
            "spec.placement.spreadConstraints[0].maxGroups",
            "Invalid value: -1: maxGroups lower than 0 is not allowed",
        ),
        (
            "one constraint per field",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByField": "cluster"}, {"spreadByField": "cluster"}]}}),
            "spec.placement.spreadConstraints[1].spreadByField",
            "Duplicate value: \"cluster\"",
        ),
        (
            "field spreading needs a cluster constraint",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByField": "region"}]}}),
            "spec.placement.spreadConstraints",
            "Required value: the cluster spread constraint must be enabled in one of the constraints in case of SpreadByField is enabled",
        ),
        (
            "spread label is a label key",
            NS,
            json!({"placement": {"spreadConstraints": [{"spreadByLabel": "a/b/c"}]}}),
            "spec.placement.spreadConstraints[0].spreadByLabel",
            "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
        (
            "static weight at least 1",
            NS,
            json!({"placement": {"replicaScheduling": {"weightPreference": {"staticWeightList": [
                {"targetCluster": {"clusterNames": ["m1"]}, "weight": 0}]}}}}),
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight",
            "Invalid value: 0: must be greater than or equal to 1",
        ),
        (
            "static weight target is a valid affinity",
            NS,
            json!({"placement": {"replicaScheduling": {"weightPreference": {"staticWeightList": [
                {"targetCluster": {"fieldSelector": {"matchExpressions": [{"key": "name", "operator": "In", "values": ["m"]}]}}, "weight": 1}]}}}}),
            "spec.placement.replicaScheduling.weightPreference.staticWeightList[0].targetCluster.fieldSelector.matchExpressions[0].key",
            "Unsupported value: \"name\": supported values: \"provider\", \"region\", \"zone\"",
        ),
        (
            "workload affinity keys differ",
            NS,
            json!({"placement": {"workloadAffinity": {"affinity": {"groupByLabelKey": "app"}, "antiAffinity": {"groupByLabelKey": "app"}}}}),
            "spec.placement.workloadAffinity.antiAffinity.groupByLabelKey",
            "Invalid value: \"app\": affinity and antiAffinity must not use the same groupByLabelKey",
        ),
        (
            "workload affinity key is a label key",
            NS,
            json!({"placement": {"workloadAffinity": {"affinity": {"groupByLabelKey": ""}}}}),
            "spec.placement.workloadAffinity.affinity.groupByLabelKey",
            "Invalid value: \"\": name part must be non-empty",
        ),
        (
            "application failover needs propagateDeps",
            NS,
            json!({"failover": {"application": {"decisionConditions": {}}}}),
            "spec.propagateDeps",
            "Invalid value: false: application failover is set, propagateDeps must be true",
        ),
        (
            "toleration seconds not negative",
            NS,
            json!({"propagateDeps": true, "failover": {"application": {"decisionConditions": {"tolerationSeconds": -1}}}}),
            "spec.failover.application.decisionConditions.tolerationSeconds",
            "Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "grace period only when graceful",
            NS,
            json!({"propagateDeps": true, "failover": {"application": {"decisionConditions": {}, "purgeMode": "Directly", "gracePeriodSeconds": 10}}}),
            "spec.failover.application.gracePeriodSeconds",
            "Invalid value: 10: only takes effect when purgeMode is gracefully",
        ),
        (
            "grace period positive",
            NS,
            json!({"propagateDeps": true, "failover": {"application": {"decisionConditions": {}, "gracePeriodSeconds": 0}}}),
            "spec.failover.application.gracePeriodSeconds",
            "Invalid value: 0: must be greater than 0",
        ),
        (
            "alias label names are label keys",
            NS,
            json!({"propagateDeps": true, "failover": {"application": {"decisionConditions": {},
                "statePreservation": {"rules": [{"aliasLabelName": "/x", "jsonPath": "{.a}"}]}}}}),
            "spec.failover.application.statePreservation.rules[0].aliasLabelName",
            "Invalid value: \"/x\": prefix part must be non-empty",
        ),
        (
            "state preservation json path required",
            NS,
            json!({"failover": {"cluster": {"statePreservation": {"rules": [{"aliasLabelName": "x", "jsonPath": ""}]}}}}),
            "spec.failover.cluster.statePreservation.rules[0].jsonPath",
            "Required value",
        ),
        (
            "cluster failover never purges",
            NS,
            json!({"failover": {"cluster": {"purgeMode": "Never"}}}),
            "spec.failover.cluster.purgeMode",
            "Unsupported value: \"Never\": supported values: \"Directly\", \"Gracefully\"",
        ),
        (
            "suspension all or some clusters",
            NS,
            json!({"suspension": {"dispatching": true, "dispatchingOnClusters": {"clusterNames": ["m1"]}}}),
            "spec.suspension.dispatchingOnClusters",
            "Forbidden: suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames",
        ),
        (
            "priority classes from Kubernetes only",
            NS,
            json!({"schedulePriority": {"priorityClassSource": "PodPriorityClass", "priorityClassName": "x"}}),
            "spec.schedulePriority.priorityClassSource",
            "Unsupported value: \"PodPriorityClass\": supported values: \"KubePriorityClass\"",
        ),
        (
            "priority class name required",
            NS,
            json!({"schedulePriority": {"priorityClassSource": "KubePriorityClass", "priorityClassName": ""}}),
            "spec.schedulePriority.priorityClassName",
            "Required value",
        ),
    ];
    for (rule, scope, spec, field, detail) in cases {
        assert_eq!(
            errors(spec, scope),
            [(field.to_string(), detail.to_string())],
            "{rule}"
        );
    }
}

#[test]
fn namespaced_policy_without_a_namespace_skips_the_namespace_rule() {
    let spec = json!({"resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "any"}]});
    assert_eq!(errors(spec, Scope::Namespaced("")), []);
}

#[test]
fn scheduler_name_is_fixed_at_creation() {
    let old: PropagationSpec = serde_json::from_value(json!({"resourceSelectors": []})).unwrap();
    let mut new = old.clone();
    new.scheduler_name = Some("default-scheduler".into());
    assert_eq!(validate_propagation_update(&new, &old), []);
    new.scheduler_name = Some("other".into());
    let errors = validate_propagation_update(&new, &old);
    assert_eq!(errors[0].field, "spec.schedulerName");
    assert_eq!(
        errors[0].detail,
        "Invalid value: \"other\": the schedulerName should not be updated"
    );
}
