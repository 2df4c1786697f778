//! Table-driven tests of the distributor's planning functions, and of the detector keeping what
//! the distributor writes.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use karmada_api::names;
use karmada_api::policy::v1alpha1::{ConflictResolution, Placement, PropagationSpec};
use karmada_api::work::v1alpha2::{BindingSnapshot, ResourceBinding, TargetCluster};
use serde_json::{Value, json};

use super::plan::{self, Attach, DependencyObject, Parent, Release, Settings};
use crate::detector::binding as detector_binding;
use crate::detector::matching::PolicyRef;
use crate::interpret::Dependency;

fn clusters(names: &[&str]) -> Option<Vec<TargetCluster>> {
    Some(
        names
            .iter()
            .map(|n| TargetCluster {
                name: n.to_string(),
                replicas: Some(1),
                components: None,
            })
            .collect(),
    )
}

fn parent_binding(name: &str, members: &[&str]) -> ResourceBinding {
    let mut binding: ResourceBinding = serde_json::from_value(json!({
        "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding",
        "metadata": {"name": name, "namespace": "ns", "resourceVersion": "10",
            "labels": {names::RESOURCE_BINDING_PERMANENT_ID_LABEL: format!("id-{name}")}},
        "spec": {"resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "ns", "name": name},
            "propagateDeps": true},
    }))
    .expect("a binding");
    binding.spec.clusters = clusters(members);
    binding
}

fn parent(name: &str, members: &[&str]) -> Parent {
    Parent::of(&parent_binding(name, members))
}

fn config_map(uid: &str) -> DependencyObject {
    DependencyObject {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: "ns".into(),
        name: "cfg".into(),
        uid: uid.into(),
        resource_version: Some("5".into()),
    }
}

fn dependency(kind: &str, name: &str) -> Dependency {
    Dependency {
        api_version: "v1".into(),
        kind: kind.into(),
        namespace: "ns".into(),
        name: name.into(),
    }
}

fn snapshot(name: &str, members: &[&str]) -> BindingSnapshot {
    BindingSnapshot {
        namespace: Some("ns".into()),
        name: name.into(),
        clusters: clusters(members),
    }
}

/// An attached binding as the distributor creates it for `parents`, stored with resourceVersion 3.
fn attached(parents: &[(&str, &[&str])]) -> ResourceBinding {
    let mut binding = match plan::attach(
        None,
        &parent(parents[0].0, parents[0].1),
        &config_map("u1"),
        &[],
    ) {
        Attach::Create(binding) => *binding,
        other => panic!("expected a creation, got {other:?}"),
    };
    for (name, members) in &parents[1..] {
        let p = parent(name, members);
        binding
            .spec
            .required_by
            .get_or_insert_with(Vec::new)
            .push(snapshot(name, members));
        binding
            .metadata
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(
                plan::depended_by_label_key("ns", name),
                p.permanent_id.unwrap_or_default(),
            );
    }
    binding.metadata.resource_version = Some("3".into());
    binding.metadata.uid = Some("rb-uid".into());
    binding
}

/// A binding the detector made for the ConfigMap's own policy.
fn policy_binding() -> ResourceBinding {
    let template = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "ns", "uid": "u1", "resourceVersion": "5"}});
    let spec = PropagationSpec {
        placement: Some(Placement::default()),
        ..PropagationSpec::default()
    };
    let policy = PolicyRef::Namespaced {
        namespace: "ns".into(),
        name: "cm-policy".into(),
    };
    let mut binding: ResourceBinding =
        detector_binding::desired(&template, &policy, "pp-id", &spec).new_object("cfg-configmap");
    binding.metadata.resource_version = Some("7".into());
    binding.spec.clusters = clusters(&["member3"]);
    binding
}

fn update(action: Attach) -> Value {
    match action {
        Attach::Update(patch) => patch,
        other => panic!("expected an update, got {other:?}"),
    }
}

#[test]
fn a_missing_attached_binding_is_created_pointing_at_the_dependency_with_no_placement() {
    let mut parent = parent("web-deployment", &["member1", "member2"]);
    parent.settings.conflict_resolution = Some(ConflictResolution::Overwrite);
    let Attach::Create(binding) = plan::attach(None, &parent, &config_map("u1"), &[]) else {
        panic!("expected a creation");
    };
    assert_eq!(binding.metadata.name.as_deref(), Some("cfg-configmap"));
    assert_eq!(binding.metadata.namespace.as_deref(), Some("ns"));
    assert_eq!(binding.spec.placement, None);
    assert_eq!(binding.spec.resource.kind, "ConfigMap");
    assert_eq!(binding.spec.resource.name, "cfg");
    assert_eq!(binding.spec.resource.uid.as_deref(), Some("u1"));
    assert_eq!(
        binding.spec.required_by,
        Some(vec![snapshot("web-deployment", &["member1", "member2"])])
    );
    assert_eq!(
        binding.spec.conflict_resolution,
        Some(ConflictResolution::Overwrite)
    );
    assert_eq!(
        binding.metadata.owner_references,
        Some(vec![OwnerReference {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "cfg".into(),
            uid: "u1".into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }])
    );
    assert_eq!(
        binding.metadata.finalizers,
        Some(vec![names::BINDING_CONTROLLER_FINALIZER.to_string()])
    );
    assert_eq!(
        binding
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(&plan::depended_by_label_key("ns", "web-deployment")))
            .map(String::as_str),
        Some("id-web-deployment")
    );
}

#[test]
fn an_attached_binding_already_listing_the_parent_is_left_alone() {
    let existing = attached(&[("web-deployment", &["member1"])]);
    let action = plan::attach(
        Some(&existing),
        &parent("web-deployment", &["member1"]),
        &config_map("u1"),
        &[],
    );
    assert_eq!(action, Attach::Unchanged);
    // A new resourceVersion of the ConfigMap alone is no change either.
    let mut newer = config_map("u1");
    newer.resource_version = Some("6".into());
    let action = plan::attach(
        Some(&existing),
        &parent("web-deployment", &["member1"]),
        &newer,
        &[],
    );
    assert_eq!(action, Attach::Unchanged);
}

#[test]
fn required_by_entries_follow_the_parent_and_keep_the_other_parents() {
    let cases: Vec<(&str, ResourceBinding, Parent, Vec<BindingSnapshot>)> = vec![
        (
            "a rescheduled parent's clusters are replaced",
            attached(&[("web-deployment", &["member1", "member2"])]),
            parent("web-deployment", &["member1"]),
            vec![snapshot("web-deployment", &["member1"])],
        ),
        (
            "a second parent is appended",
            attached(&[("web-deployment", &["member1"])]),
            parent("api-deployment", &["member2"]),
            vec![
                snapshot("web-deployment", &["member1"]),
                snapshot("api-deployment", &["member2"]),
            ],
        ),
        (
            "one of two parents is updated in place",
            attached(&[
                ("web-deployment", &["member1"]),
                ("api-deployment", &["member2"]),
            ]),
            parent("web-deployment", &["member3"]),
            vec![
                snapshot("web-deployment", &["member3"]),
                snapshot("api-deployment", &["member2"]),
            ],
        ),
    ];
    for (case, existing, parent, expected) in cases {
        let patch = update(plan::attach(
            Some(&existing),
            &parent,
            &config_map("u1"),
            &[],
        ));
        assert_eq!(patch["spec"]["requiredBy"], json!(expected), "{case}");
        assert_eq!(patch["metadata"]["resourceVersion"], json!("3"), "{case}");
        assert!(patch["spec"].get("placement").is_none(), "{case}");
    }
}

#[test]
fn a_policy_bound_dependency_only_gets_the_required_by_entry_and_label() {
    let existing = policy_binding();
    let mut parent = parent("web-deployment", &["member1"]);
    parent.settings.conflict_resolution = Some(ConflictResolution::Overwrite);
    parent.settings.preserve_resources_on_deletion = Some(true);
    let patch = update(plan::attach(
        Some(&existing),
        &parent,
        &config_map("u1"),
        &[],
    ));
    assert_eq!(
        patch,
        json!({
            "metadata": {
                "resourceVersion": "7",
                "labels": {plan::depended_by_label_key("ns", "web-deployment"): "id-web-deployment"},
            },
            "spec": {"requiredBy": [snapshot("web-deployment", &["member1"])]},
        })
    );
}

#[test]
fn an_attached_binding_of_an_earlier_object_with_the_same_name_is_not_reused() {
    let existing = attached(&[("web-deployment", &["member1"])]);
    let action = plan::attach(
        Some(&existing),
        &parent("web-deployment", &["member1"]),
        &config_map("u2"),
        &[],
    );
    assert_eq!(
        action,
        Attach::StaleOwner {
            owner_uid: "u1".into()
        }
    );
}

#[test]
fn settings_of_several_parents_combine_whatever_their_order() {
    let abort = Settings {
        conflict_resolution: Some(ConflictResolution::Abort),
        preserve_resources_on_deletion: Some(false),
    };
    let overwrite = Settings {
        conflict_resolution: Some(ConflictResolution::Overwrite),
        preserve_resources_on_deletion: None,
    };
    let preserve = Settings {
        conflict_resolution: None,
        preserve_resources_on_deletion: Some(true),
    };
    let cases = [
        (vec![], Settings::default()),
        (
            vec![&abort],
            Settings {
                conflict_resolution: Some(ConflictResolution::Abort),
                preserve_resources_on_deletion: None,
            },
        ),
        (
            vec![&abort, &overwrite],
            Settings {
                conflict_resolution: Some(ConflictResolution::Overwrite),
                preserve_resources_on_deletion: None,
            },
        ),
        (
            vec![&overwrite, &abort],
            Settings {
                conflict_resolution: Some(ConflictResolution::Overwrite),
                preserve_resources_on_deletion: None,
            },
        ),
        (
            vec![&preserve, &abort],
            Settings {
                conflict_resolution: Some(ConflictResolution::Abort),
                preserve_resources_on_deletion: Some(true),
            },
        ),
    ];
    for (all, expected) in cases {
        assert_eq!(Settings::combine(all.iter().copied()), expected, "{all:?}");
    }
    // And an attached binding shared with an Overwrite parent keeps Overwrite.
    let existing = attached(&[
        ("web-deployment", &["member1"]),
        ("api-deployment", &["member2"]),
    ]);
    let patch = update(plan::attach(
        Some(&existing),
        &parent("web-deployment", &["member1"]),
        &config_map("u1"),
        &[overwrite],
    ));
    assert_eq!(patch["spec"]["conflictResolution"], json!("Overwrite"));
}

#[test]
fn releasing_a_parent_removes_only_its_entry_and_deletes_an_unneeded_attached_binding() {
    let two = attached(&[
        ("web-deployment", &["member1"]),
        ("api-deployment", &["member2"]),
    ]);
    let one = attached(&[("web-deployment", &["member1"])]);
    let mut policy_bound = policy_binding();
    policy_bound.spec.required_by = Some(vec![snapshot("web-deployment", &["member1"])]);
    let web_label = plan::depended_by_label_key("ns", "web-deployment");
    let cases: Vec<(&str, &ResourceBinding, Release)> = vec![
        (
            "another parent still needs it",
            &two,
            Release::Update(json!({
                "metadata": {"resourceVersion": "3", "labels": {web_label.clone(): null}},
                "spec": {"requiredBy": [snapshot("api-deployment", &["member2"])]},
            })),
        ),
        (
            "no parent needs it",
            &one,
            Release::Delete {
                resource_version: Some("3".into()),
            },
        ),
        (
            "its own policy keeps it",
            &policy_bound,
            Release::Update(json!({
                "metadata": {"resourceVersion": "7"},
                "spec": {"requiredBy": null},
            })),
        ),
    ];
    for (case, binding, expected) in cases {
        assert_eq!(
            plan::release(binding, "ns", "web-deployment"),
            expected,
            "{case}"
        );
    }
    assert_eq!(
        plan::release(&two, "ns", "other-deployment"),
        Release::Unchanged
    );
    assert_eq!(
        plan::release(&two, "other-ns", "web-deployment"),
        Release::Unchanged
    );
}

#[test]
fn the_parent_gets_the_finalizer_and_the_annotation_once() {
    let dependencies = vec![
        dependency("ConfigMap", "cfg"),
        dependency("Secret", "creds"),
    ];
    let mut binding = parent_binding("web-deployment", &["member1"]);
    binding.metadata.finalizers = Some(vec![names::BINDING_CONTROLLER_FINALIZER.to_string()]);
    let patch = plan::parent_patch(&binding, &dependencies).expect("a patch");
    let annotation = r#"[{"apiVersion":"v1","kind":"ConfigMap","namespace":"ns","name":"cfg"},{"apiVersion":"v1","kind":"Secret","namespace":"ns","name":"creds"}]"#;
    assert_eq!(
        patch,
        json!({"metadata": {
            "resourceVersion": "10",
            "finalizers": [names::BINDING_CONTROLLER_FINALIZER, names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER],
            "annotations": {names::BINDING_DEPENDENCIES_ANNOTATION: annotation},
        }})
    );
    binding.metadata.finalizers = Some(vec![
        names::BINDING_CONTROLLER_FINALIZER.to_string(),
        names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER.to_string(),
    ]);
    binding.metadata.annotations = Some(BTreeMap::from([(
        names::BINDING_DEPENDENCIES_ANNOTATION.to_string(),
        annotation.to_string(),
    )]));
    assert_eq!(plan::parent_patch(&binding, &dependencies), None);
    // A changed dependency list only rewrites the annotation.
    let patch = plan::parent_patch(&binding, &dependencies[..1]).expect("a patch");
    assert!(patch["metadata"].get("finalizers").is_none());
    assert_eq!(
        plan::parent_patch(&binding, &[]).expect("a patch")["metadata"]["annotations"],
        json!({names::BINDING_DEPENDENCIES_ANNOTATION: "null"})
    );
}

#[test]
fn a_released_parent_loses_the_finalizer_and_keeps_the_others() {
    let mut binding = parent_binding("web-deployment", &["member1"]);
    binding.metadata.finalizers = Some(vec![
        names::BINDING_CONTROLLER_FINALIZER.to_string(),
        names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER.to_string(),
    ]);
    binding.metadata.annotations = Some(BTreeMap::from([(
        names::BINDING_DEPENDENCIES_ANNOTATION.to_string(),
        "null".to_string(),
    )]));
    assert_eq!(
        plan::parent_release_patch(&binding),
        Some(json!({"metadata": {
            "resourceVersion": "10",
            "finalizers": [names::BINDING_CONTROLLER_FINALIZER],
            "annotations": {names::BINDING_DEPENDENCIES_ANNOTATION: null},
        }}))
    );
    // Being deleted: only the finalizer changes.
    binding.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
    assert_eq!(
        plan::parent_release_patch(&binding),
        Some(json!({"metadata": {
            "resourceVersion": "10",
            "finalizers": [names::BINDING_CONTROLLER_FINALIZER],
        }}))
    );
    binding.metadata.finalizers = Some(vec![names::BINDING_CONTROLLER_FINALIZER.to_string()]);
    assert_eq!(plan::parent_release_patch(&binding), None);
}

#[test]
fn only_kinds_with_dependency_rules_are_parents() {
    let cases = [
        ("apps/v1", "Deployment", true),
        ("apps/v1", "StatefulSet", true),
        ("apps/v1", "DaemonSet", true),
        ("apps/v1", "ReplicaSet", true),
        ("batch/v1", "Job", true),
        ("batch/v1", "CronJob", true),
        ("v1", "Pod", true),
        ("networking.k8s.io/v1", "Ingress", true),
        ("v1", "Service", false),
        ("v1", "ConfigMap", false),
        ("example.io/v1", "Deployment", false),
    ];
    for (api_version, kind, expected) in cases {
        assert_eq!(
            plan::has_dependency_rules(api_version, kind),
            expected,
            "{api_version} {kind}"
        );
    }
}

#[test]
fn depended_by_label_keys_are_valid_label_names_and_distinct_per_parent() {
    let a = plan::depended_by_label_key("ns", "web-deployment");
    let b = plan::depended_by_label_key("ns", "api-deployment");
    let c = plan::depended_by_label_key("other", "web-deployment");
    assert!(a.starts_with(plan::DEPENDED_BY_LABEL_PREFIX), "{a}");
    assert_eq!(a, plan::depended_by_label_key("ns", "web-deployment"));
    assert!(a != b && a != c && b != c);
    let name = a.split_once('/').map(|(_, n)| n).unwrap_or_default();
    assert!(
        name.len() <= 63 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "{name}"
    );
}

#[test]
fn references_match_the_dependency_exactly() {
    let binding = attached(&[("web-deployment", &["member1"])]);
    assert!(plan::references(&binding, &dependency("ConfigMap", "cfg")));
    assert!(!plan::references(&binding, &dependency("Secret", "cfg")));
    assert!(!plan::references(
        &binding,
        &dependency("ConfigMap", "other")
    ));
    let mut elsewhere = dependency("ConfigMap", "cfg");
    elsewhere.namespace = "other".into();
    assert!(!plan::references(&binding, &elsewhere));
}

#[test]
fn only_unclaimed_bindings_without_placement_are_attached_only() {
    assert!(plan::is_attached_only(&attached(&[(
        "web-deployment",
        &["member1"]
    )])));
    assert!(!plan::is_attached_only(&policy_binding()));
    // A binding whose policy was deleted keeps its placement and is not taken over.
    let mut unclaimed = policy_binding();
    unclaimed.metadata.labels = None;
    unclaimed.metadata.annotations = None;
    assert!(!plan::is_attached_only(&unclaimed));
}

#[test]
fn the_detector_keeps_required_by_and_depended_by_labels_when_it_updates_a_binding() {
    let mut existing = policy_binding();
    existing.spec.required_by = Some(vec![snapshot("web-deployment", &["member1"])]);
    let label = plan::depended_by_label_key("ns", "web-deployment");
    existing
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(label.clone(), "id-web-deployment".into());
    // The ConfigMap's policy changes its placement: the detector rewrites its fields only.
    let template = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "ns", "uid": "u1", "resourceVersion": "6"}});
    let spec = PropagationSpec {
        placement: Some(Placement {
            cluster_tolerations: Some(Vec::new()),
            ..Placement::default()
        }),
        ..PropagationSpec::default()
    };
    let policy = PolicyRef::Namespaced {
        namespace: "ns".into(),
        name: "cm-policy".into(),
    };
    let updated = detector_binding::desired(&template, &policy, "pp-id", &spec)
        .update(&existing)
        .expect("the placement changed");
    assert_eq!(updated.spec.required_by, existing.spec.required_by);
    assert_eq!(
        updated.metadata.labels.as_ref().and_then(|l| l.get(&label)),
        Some(&"id-web-deployment".to_string())
    );
    assert_eq!(
        updated.metadata.resource_version,
        existing.metadata.resource_version
    );
}

#[test]
fn the_detector_keeps_the_parent_s_dependencies_annotation_and_finalizer() {
    let template = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "ns", "uid": "d1", "resourceVersion": "4"},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let policy = PolicyRef::Namespaced {
        namespace: "ns".into(),
        name: "web".into(),
    };
    let spec = |deps: bool| PropagationSpec {
        propagate_deps: Some(deps),
        placement: Some(Placement::default()),
        ..PropagationSpec::default()
    };
    let mut existing: ResourceBinding =
        detector_binding::desired(&template, &policy, "pp-id", &spec(true))
            .new_object("web-deployment");
    existing.metadata.resource_version = Some("9".into());
    let dependencies = vec![dependency("ConfigMap", "cfg")];
    let patch = plan::parent_patch(&existing, &dependencies).expect("a patch");
    let mut value = serde_json::to_value(&existing).expect("serializes");
    json_patch::merge(&mut value, &patch);
    let existing: ResourceBinding = serde_json::from_value(value).expect("a binding");

    // The policy turns propagateDeps off: the detector writes its fields and keeps ours, so the
    // distributor can still see that it has to clean up.
    let updated = detector_binding::desired(&template, &policy, "pp-id", &spec(false))
        .update(&existing)
        .expect("propagateDeps changed");
    assert_eq!(updated.spec.propagate_deps, Some(false));
    assert_eq!(updated.metadata.finalizers, existing.metadata.finalizers);
    assert!(
        updated
            .metadata
            .finalizers
            .iter()
            .flatten()
            .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER)
    );
    assert_eq!(
        updated
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(names::BINDING_DEPENDENCIES_ANNOTATION)),
        Some(&plan::annotation_value(&dependencies))
    );
}

#[test]
fn bindings_of_objects_the_parent_no_longer_references_are_orphans() {
    let mut secret = attached(&[("web-deployment", &["member1"])]);
    secret.spec.resource.kind = "Secret".into();
    secret.metadata.name = Some("cfg-secret".into());
    let shared_elsewhere = attached(&[("api-deployment", &["member2"])]);
    let config = attached(&[("web-deployment", &["member1"])]);
    let all = vec![config, secret, shared_elsewhere];
    let names = |found: Vec<&ResourceBinding>| -> Vec<String> {
        found
            .iter()
            .map(|b| b.metadata.name.clone().unwrap_or_default())
            .collect()
    };
    let cases: Vec<(&str, Vec<Dependency>, Vec<&str>)> = vec![
        (
            "both still referenced",
            vec![dependency("ConfigMap", "cfg"), dependency("Secret", "cfg")],
            vec![],
        ),
        (
            "the Secret dropped",
            vec![dependency("ConfigMap", "cfg")],
            vec!["cfg-secret"],
        ),
        (
            "nothing referenced",
            vec![],
            vec!["cfg-configmap", "cfg-secret"],
        ),
    ];
    for (case, dependencies, expected) in cases {
        assert_eq!(
            names(plan::orphans(&all, "ns", "web-deployment", &dependencies)),
            expected,
            "{case}"
        );
    }
}
