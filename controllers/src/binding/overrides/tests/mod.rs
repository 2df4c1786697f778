//! The override manager end to end: policy selection, precedence, cluster targeting, the
//! annotations and errors.

use serde_json::json;

use super::*;

mod overriders;

const SHA: &str = "sha256:50d858e0985ecc7f60418aaf0cc5ab587f42c2570a884095a9e8ccacd0f6545c";

fn cluster(name: &str, labels: Value) -> Cluster {
    serde_json::from_value(json!({
        "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster",
        "metadata": {"name": name, "labels": labels},
        "spec": {"syncMode": "Push"},
    }))
    .expect("cluster")
}

fn member1() -> Cluster {
    cluster("member1", json!({"env": "prod"}))
}

fn cop(name: &str, spec: Value) -> ClusterOverridePolicy {
    serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "ClusterOverridePolicy",
        "metadata": {"name": name}, "spec": spec,
    }))
    .expect("cluster override policy")
}

fn op(namespace: &str, name: &str, spec: Value) -> OverridePolicy {
    serde_json::from_value(json!({
        "apiVersion": "policy.karmada.io/v1alpha1", "kind": "OverridePolicy",
        "metadata": {"name": name, "namespace": namespace}, "spec": spec,
    }))
    .expect("override policy")
}

/// A spec with one rule for every cluster.
fn rule(overriders: Value) -> Value {
    json!({"overrideRules": [{"overriders": overriders}]})
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
        "spec": {"replicas": 2, "template": {"spec": {
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [
                {"name": "nginx", "image": "nginx:1.25", "command": ["nginx"], "args": ["-g", "daemon off;"]},
                {"name": "sidecar", "image": "registry.k8s.io/pause:3.9"},
            ],
        }}},
    })
}

fn config_map(data: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": data,
    })
}

/// Applies one ClusterOverridePolicy with `overriders` to `manifest` in member1.
fn apply_one(manifest: &mut Value, overriders: Value) -> Result<AppliedOverrides, OverrideError> {
    apply_overrides(manifest, &member1(), &[cop("p", rule(overriders))], &[])
}

fn overridden(mut manifest: Value, overriders: Value) -> Value {
    apply_one(&mut manifest, overriders).unwrap_or_else(|e| panic!("{e}"));
    manifest
}

fn failure(mut manifest: Value, overriders: Value) -> OverrideError {
    let before = manifest.clone();
    let error = apply_one(&mut manifest, overriders).expect_err("the override fails");
    assert_eq!(
        manifest, before,
        "a failed override leaves the manifest unchanged"
    );
    error
}

fn image_at(pointer: &str) -> impl Fn(&Value) -> &str + '_ {
    move |manifest: &Value| {
        manifest
            .pointer(pointer)
            .and_then(Value::as_str)
            .expect("image")
    }
}

fn label_setter(value: &str) -> Value {
    rule(json!({"labelsOverrider": [{"operator": "add", "value": {"winner": value}}]}))
}

fn winner(manifest: &Value) -> &str {
    manifest["metadata"]["labels"]["winner"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn later_policies_win_by_implicit_priority_then_name() {
    let selector = |extra: Value| {
        let mut s = json!({"apiVersion": "apps/v1", "kind": "Deployment"});
        s.as_object_mut()
            .expect("object")
            .extend(extra.as_object().cloned().unwrap_or_default());
        s
    };
    let with_selector = |policy: &str, extra: Value| {
        let mut spec = label_setter(policy);
        spec["resourceSelectors"] = json!([selector(extra)]);
        cop(policy, spec)
    };
    let cases = [
        (
            "the later name wins among equals",
            vec![cop("b", label_setter("b")), cop("a", label_setter("a"))],
            "b",
        ),
        (
            "an empty selector list matches everything, like no list",
            vec![cop("b", label_setter("b")), {
                let mut spec = label_setter("c");
                spec["resourceSelectors"] = json!([]);
                cop("c", spec)
            }],
            "c",
        ),
        (
            "a name selector beats a label selector beats match-all",
            vec![
                with_selector("a-name", json!({"name": "nginx"})),
                with_selector(
                    "b-labels",
                    json!({"labelSelector": {"matchLabels": {"app": "nginx"}}}),
                ),
                with_selector("c-kind", json!({})),
                cop("d-empty", label_setter("d-empty")),
            ],
            "a-name",
        ),
        (
            "a label selector beats match-all whatever the names",
            vec![
                with_selector(
                    "a-labels",
                    json!({"labelSelector": {"matchLabels": {"app": "nginx"}}}),
                ),
                with_selector("z-kind", json!({})),
            ],
            "a-labels",
        ),
        (
            "a non-matching selector leaves the policy out",
            vec![
                cop("a", label_setter("a")),
                with_selector("z", json!({"name": "other"})),
            ],
            "a",
        ),
    ];
    for (name, policies, want) in cases {
        let mut manifest = deployment();
        apply_overrides(&mut manifest, &member1(), &policies, &[]).expect(name);
        assert_eq!(winner(&manifest), want, "{name}");
    }
}

#[test]
fn override_policies_run_after_cluster_override_policies() {
    let mut manifest = deployment();
    let applied = apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("z", label_setter("cop"))],
        &[op("default", "a", label_setter("op"))],
    )
    .expect("applies");
    assert_eq!(winner(&manifest), "op");
    assert_eq!(applied.cluster.len(), 1);
    assert_eq!(applied.namespaced.len(), 1);
}

#[test]
fn override_policies_apply_only_in_the_manifests_namespace() {
    let policies = [
        op("other", "elsewhere", label_setter("elsewhere")),
        op("default", "here", label_setter("here")),
    ];
    let mut manifest = deployment();
    let applied = apply_overrides(&mut manifest, &member1(), &[], &policies).expect("applies");
    assert_eq!(winner(&manifest), "here");
    assert_eq!(applied.namespaced.len(), 1);

    let mut namespace =
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}});
    let applied = apply_overrides(&mut namespace, &member1(), &[], &policies).expect("applies");
    assert_eq!(
        applied,
        AppliedOverrides::default(),
        "cluster-scoped objects get no OverridePolicy"
    );
}

#[test]
fn override_policies_match_the_manifest_as_cluster_policies_left_it() {
    let mut spec = label_setter("op");
    spec["resourceSelectors"] = json!([{"apiVersion": "apps/v1", "kind": "Deployment",
        "labelSelector": {"matchLabels": {"stage": "canary"}}}]);
    let adds_stage =
        rule(json!({"labelsOverrider": [{"operator": "add", "value": {"stage": "canary"}}]}));
    let mut manifest = deployment();
    apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("c", adds_stage)],
        &[op("default", "o", spec)],
    )
    .expect("applies");
    assert_eq!(winner(&manifest), "op");
}

#[test]
fn rules_apply_only_to_their_target_clusters() {
    let spec = json!({"overrideRules": [
        {"targetCluster": {"clusterNames": ["member1"]},
         "overriders": {"labelsOverrider": [{"operator": "add", "value": {"by-name": "yes"}}]}},
        {"targetCluster": {"labelSelector": {"matchLabels": {"env": "prod"}}},
         "overriders": {"labelsOverrider": [{"operator": "add", "value": {"prod": "yes"}}]}},
        {"overriders": {"labelsOverrider": [{"operator": "add", "value": {"everywhere": "yes"}}]}},
        {"targetCluster": {"exclude": ["member1"]},
         "overriders": {"labelsOverrider": [{"operator": "add", "value": {"not-member1": "yes"}}]}},
    ]});
    let cases = [
        (member1(), vec!["app", "by-name", "everywhere", "prod"], 3),
        (
            cluster("member2", json!({"env": "prod"})),
            vec!["app", "everywhere", "not-member1", "prod"],
            3,
        ),
        (
            cluster("member3", json!({})),
            vec!["app", "everywhere", "not-member1"],
            2,
        ),
    ];
    for (cluster, want, rules) in cases {
        let mut manifest = deployment();
        let applied = apply_overrides(&mut manifest, &cluster, &[cop("p", spec.clone())], &[])
            .expect("applies");
        let labels: Vec<&str> = manifest["metadata"]["labels"]
            .as_object()
            .expect("labels")
            .keys()
            .map(String::as_str)
            .collect();
        let name = cluster.metadata.name.clone().unwrap_or_default();
        assert_eq!(labels, want, "{name}");
        assert_eq!(
            applied.cluster.len(),
            rules,
            "{name}: one shadow per applied rule"
        );
    }
}

#[test]
fn the_deprecated_top_level_form_still_applies() {
    let spec = |clusters: &[&str]| {
        json!({
            "targetCluster": {"clusterNames": clusters},
            "overriders": {"labelsOverrider": [{"operator": "add", "value": {"winner": "old"}}]},
        })
    };
    let mut manifest = deployment();
    let applied = apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("p", spec(&["member1"]))],
        &[],
    )
    .expect("applies");
    assert_eq!(winner(&manifest), "old");
    assert_eq!(
        applied.cluster_annotation().as_deref(),
        Some(
            r#"[{"policyName":"p","overriders":{"labelsOverrider":[{"operator":"add","value":{"winner":"old"}}]}}]"#
        )
    );
    let mut manifest = deployment();
    let applied = apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("p", spec(&["member2"]))],
        &[],
    )
    .expect("applies");
    assert_eq!(manifest, deployment());
    assert_eq!(applied, AppliedOverrides::default());
}

#[test]
fn policies_being_deleted_are_skipped() {
    let mut deleting = cop("z", label_setter("deleting"));
    deleting.metadata.deletion_timestamp = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(jiff::Timestamp::UNIX_EPOCH),
    );
    let mut manifest = deployment();
    apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("a", label_setter("a")), deleting],
        &[],
    )
    .expect("applies");
    assert_eq!(winner(&manifest), "a");
}

#[test]
fn annotations_list_applied_policies_by_name_and_are_absent_when_none_applied() {
    let mut named = label_setter("a-named");
    named["resourceSelectors"] =
        json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "nginx"}]);
    let mut manifest = deployment();
    let applied = apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("b-all", rule(json!({}))), cop("a-named", named)],
        &[op("default", "o", json!({}))],
    )
    .expect("applies");
    let names: Vec<&str> = applied
        .cluster
        .iter()
        .map(|s| s.policy_name.as_str())
        .collect();
    assert_eq!(names, ["b-all", "a-named"], "application order");
    let annotation = applied
        .cluster_annotation()
        .expect("cluster policies applied");
    assert!(
        annotation.starts_with(r#"[{"policyName":"a-named","overriders":{"labelsOverrider""#),
        "{annotation}"
    );
    assert!(
        annotation.ends_with(r#"{"policyName":"b-all","overriders":{}}]"#),
        "{annotation}"
    );
    assert_eq!(
        applied.namespaced_annotation().as_deref(),
        Some(r#"[{"policyName":"o","overriders":{}}]"#),
        "a policy with no rules applies its empty deprecated overriders, as in Karmada"
    );

    let applied = apply_overrides(&mut deployment(), &member1(), &[], &[]).expect("applies");
    assert_eq!(applied.cluster_annotation(), None);
    assert_eq!(applied.namespaced_annotation(), None);
}

#[test]
fn a_failing_policy_leaves_the_manifest_unchanged_and_says_where_it_failed() {
    let mut manifest = deployment();
    let error = apply_overrides(
        &mut manifest,
        &member1(),
        &[cop("fine", label_setter("cop"))],
        &[op(
            "default",
            "broken",
            json!({"overrideRules": [
                {"overriders": {}},
                {"overriders": {"plaintext": [{"path": "/nope/x", "operator": "replace", "value": 1}]}},
            ]}),
        )],
    )
    .expect_err("the OverridePolicy fails");
    assert_eq!(
        manifest,
        deployment(),
        "the ClusterOverridePolicy's change is not kept either"
    );
    assert_eq!(
        error.policy,
        PolicyRef::Namespaced {
            namespace: "default".into(),
            name: "broken".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "failed to apply OverridePolicy default/broken for cluster member1 at \
         overrideRules[1].overriders.plaintext[0]: JSON patch failed: \
         operation '/0' failed at path '/nope/x': path is invalid"
    );

    let mut manifest = deployment();
    let deprecated = json!({"overriders": {"labelsOverrider": [], "plaintext": [{"path": "/x/y", "operator": "remove"}]}});
    let error = apply_overrides(&mut manifest, &member1(), &[cop("old", deprecated)], &[])
        .expect_err("the ClusterOverridePolicy fails");
    assert!(
        error
            .to_string()
            .starts_with("failed to apply ClusterOverridePolicy old for cluster member1 at overriders.plaintext[0]: "),
        "{error}"
    );
}
