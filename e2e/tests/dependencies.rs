//! propagateDeps end to end: a Deployment's ConfigMap and Secret follow it to its clusters (the
//! ConfigMap even when created after the Deployment), leave the clusters the Deployment leaves,
//! and their attached bindings go with the Deployment.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::serde::Serialize;
use k8s_openapi::serde::de::DeserializeOwned;
use karmada_api::names;
use karmada_api::policy::v1alpha1::PropagationPolicy;
use karmada_api::work::v1alpha2::{BindingSnapshot, ResourceBinding};
use karmada_e2e::{Federation, FederationOptions, wait_for};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::{Client, Resource};
use serde_json::json;

const NS: &str = "default";
const TIMEOUT: Duration = Duration::from_secs(90);
const PARENT: &str = "web-deployment";
const ATTACHED: [&str; 2] = ["app-config-configmap", "app-secret-secret"];

async fn create<K>(client: &Client, object: serde_json::Value) -> K
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + Serialize
        + std::fmt::Debug,
{
    let object: K = serde_json::from_value(object).expect("a valid object");
    Api::<K>::namespaced(client.clone(), NS)
        .create(&PostParams::default(), &object)
        .await
        .expect("created")
}

/// Whether the member holds `name` of kind `K` in the test namespace.
async fn present<K>(member: &Client, name: &str) -> Result<bool, String>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    Api::<K>::namespaced(member.clone(), NS)
        .get_opt(name)
        .await
        .map(|o| o.is_some())
        .map_err(|e| e.to_string())
}

/// Waits until each member holds (or lacks) the ConfigMap and the Secret.
async fn wait_members(federation: &Federation, expected: &[(&str, bool)]) {
    for (member, want) in expected {
        let client = federation.member(member);
        let what = format!(
            "the dependencies {} in {member}",
            if *want { "present" } else { "absent" }
        );
        wait_for(&what, TIMEOUT, || async {
            let config = present::<ConfigMap>(&client, "app-config").await?;
            let secret = present::<Secret>(&client, "app-secret").await?;
            if config == *want && secret == *want {
                Ok(())
            } else {
                Err(format!(
                    "configmap present: {config}, secret present: {secret}"
                ))
            }
        })
        .await;
    }
}

/// Waits until every attached binding lists the parent with exactly `clusters`.
async fn wait_required_by(bindings: &Api<ResourceBinding>, clusters: &[&str]) {
    for name in ATTACHED {
        wait_for(
            &format!("{name} required by {PARENT} on {clusters:?}"),
            TIMEOUT,
            || async {
                let binding = bindings.get(name).await.map_err(|e| e.to_string())?;
                let required: &[BindingSnapshot] =
                    binding.spec.required_by.as_deref().unwrap_or_default();
                let listed: Vec<Vec<&str>> = required
                    .iter()
                    .map(|s| {
                        s.clusters
                            .iter()
                            .flatten()
                            .map(|c| c.name.as_str())
                            .collect()
                    })
                    .collect();
                let ok = required.len() == 1
                    && required[0].name == PARENT
                    && required[0].namespace.as_deref() == Some(NS)
                    && listed[0] == clusters;
                if !ok {
                    return Err(format!("requiredBy: {required:?}"));
                }
                if binding.spec.placement.is_some() {
                    return Err("an attached binding must have no placement".into());
                }
                Ok(())
            },
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependencies_follow_their_deployment_to_its_clusters_and_go_with_it() {
    let federation = Federation::start(FederationOptions {
        members: 2,
        ..FederationOptions::default()
    })
    .await;
    let client = federation.client.clone();
    let bindings: Api<ResourceBinding> = Api::namespaced(client.clone(), NS);

    // The Secret exists before the Deployment; the ConfigMap only comes later.
    let secret: Secret = create(
        &client,
        json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "app-secret", "namespace": NS},
            "stringData": {"password": "s3cret"}}),
    )
    .await;
    let _: PropagationPolicy = create(
        &client,
        json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {
            "propagateDeps": true,
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}],
            "placement": {"clusterAffinity": {"clusterNames": ["member1", "member2"]}},
        }}),
    )
    .await;
    let _: Deployment = create(
        &client,
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": NS},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{"name": "web", "image": "nginx",
                            "env": [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "app-secret", "key": "password"}}}],
                            "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}]}],
                        "volumes": [{"name": "config", "configMap": {"name": "app-config"}}],
                    },
                },
            }}),
    )
    .await;

    // The parent records its dependencies and holds the distributor's finalizer.
    wait_for("the parent binding's dependencies", TIMEOUT, || async {
        let parent = bindings.get(PARENT).await.map_err(|e| e.to_string())?;
        let annotation = parent
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(names::BINDING_DEPENDENCIES_ANNOTATION))
            .cloned()
            .unwrap_or_default();
        let finalized = parent
            .metadata
            .finalizers
            .iter()
            .flatten()
            .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
        let expected = json!([
            {"apiVersion": "v1", "kind": "ConfigMap", "namespace": NS, "name": "app-config"},
            {"apiVersion": "v1", "kind": "Secret", "namespace": NS, "name": "app-secret"},
        ]);
        let recorded: serde_json::Value = serde_json::from_str(&annotation).unwrap_or_default();
        if recorded == expected && finalized {
            Ok(())
        } else {
            Err(format!(
                "annotation {annotation:?}, finalizer held: {finalized}"
            ))
        }
    })
    .await;

    let _: ConfigMap = create(
        &client,
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app-config", "namespace": NS},
            "data": {"app.conf": "level=info"}}),
    )
    .await;
    wait_required_by(&bindings, &["member1", "member2"]).await;
    wait_members(&federation, &[("member1", true), ("member2", true)]).await;
    let attached_secret = bindings
        .get("app-secret-secret")
        .await
        .expect("attached binding");
    assert_eq!(attached_secret.spec.resource.uid, secret.metadata.uid);

    // The policy narrows to member1: the dependencies leave member2.
    Api::<PropagationPolicy>::namespaced(client.clone(), NS)
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"spec": {"placement": {"clusterAffinity": {"clusterNames": ["member1"]}}}}),
            ),
        )
        .await
        .expect("policy patched");
    wait_required_by(&bindings, &["member1"]).await;
    wait_members(&federation, &[("member2", false), ("member1", true)]).await;

    // The Deployment goes: its binding releases the attached bindings, which go, and so do the
    // member copies.
    Api::<Deployment>::namespaced(client.clone(), NS)
        .delete("web", &DeleteParams::default())
        .await
        .expect("deployment deleted");
    for name in std::iter::once(PARENT).chain(ATTACHED) {
        wait_for(&format!("binding {name} gone"), TIMEOUT, || async {
            match bindings.get_opt(name).await.map_err(|e| e.to_string())? {
                None => Ok(()),
                Some(b) => Err(format!(
                    "still there: finalizers {:?}, requiredBy {:?}",
                    b.metadata.finalizers, b.spec.required_by
                )),
            }
        })
        .await;
    }
    wait_members(&federation, &[("member1", false), ("member2", false)]).await;
    // The federation's own ConfigMap and Secret stay.
    assert!(
        present::<ConfigMap>(&client, "app-config")
            .await
            .expect("read")
    );
    assert!(
        present::<Secret>(&client, "app-secret")
            .await
            .expect("read")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dependency_with_its_own_policy_keeps_its_placement_and_loses_the_entry_when_deps_are_off()
 {
    let federation = Federation::start(FederationOptions {
        members: 2,
        ..FederationOptions::default()
    })
    .await;
    let client = federation.client.clone();
    let bindings: Api<ResourceBinding> = Api::namespaced(client.clone(), NS);
    let policies: Api<PropagationPolicy> = Api::namespaced(client.clone(), NS);

    let _: PropagationPolicy = create(
        &client,
        json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
            "metadata": {"name": "shared", "namespace": NS},
            "spec": {
                "resourceSelectors": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "shared-config"}],
                "placement": {"clusterAffinity": {"clusterNames": ["member2"]}},
            }}),
    )
    .await;
    let _: ConfigMap = create(
        &client,
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "shared-config", "namespace": NS},
            "data": {"mode": "shared"}}),
    )
    .await;
    let _: PropagationPolicy = create(
        &client,
        json!({"apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy",
        "metadata": {"name": "api", "namespace": NS},
        "spec": {
            "propagateDeps": true,
            "resourceSelectors": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}],
            "placement": {"clusterAffinity": {"clusterNames": ["member1"]}},
        }}),
    )
    .await;
    let _: Deployment = create(
        &client,
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "api", "namespace": NS},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "api"}},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"name": "api", "image": "nginx",
                    "envFrom": [{"configMapRef": {"name": "shared-config"}}]}]},
            },
        }}),
    )
    .await;

    // The ConfigMap's own binding keeps its placement and scheduling result, and gains the
    // Deployment's entry: the ConfigMap reaches both members.
    let check = |want_entry: bool| {
        let bindings = bindings.clone();
        async move {
            let binding = bindings
                .get("shared-config-configmap")
                .await
                .map_err(|e| e.to_string())?;
            let clusters: Vec<String> = binding
                .spec
                .clusters
                .iter()
                .flatten()
                .map(|c| c.name.clone())
                .collect();
            let required: Vec<(String, Vec<String>)> = binding
                .spec
                .required_by
                .iter()
                .flatten()
                .map(|s| {
                    let names = s
                        .clusters
                        .iter()
                        .flatten()
                        .map(|c| c.name.clone())
                        .collect();
                    (s.name.clone(), names)
                })
                .collect();
            let expected = if want_entry {
                vec![("api-deployment".to_string(), vec!["member1".to_string()])]
            } else {
                Vec::new()
            };
            if binding.spec.placement.is_some() && clusters == ["member2"] && required == expected {
                Ok(())
            } else {
                Err(format!(
                    "placement set: {}, clusters {clusters:?}, requiredBy {required:?}",
                    binding.spec.placement.is_some()
                ))
            }
        }
    };
    wait_for(
        "the policy's binding required by api-deployment",
        TIMEOUT,
        || check(true),
    )
    .await;
    for member in ["member1", "member2"] {
        let member_client = federation.member(member);
        wait_for(&format!("shared-config in {member}"), TIMEOUT, || async {
            match present::<ConfigMap>(&member_client, "shared-config").await? {
                true => Ok(()),
                false => Err("absent".into()),
            }
        })
        .await;
    }

    // propagateDeps off: the entry goes, the binding (and member2's copy) stays.
    policies
        .patch(
            "api",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"propagateDeps": false}})),
        )
        .await
        .expect("policy patched");
    wait_for("the entry of api-deployment removed", TIMEOUT, || {
        check(false)
    })
    .await;
    let member1 = federation.member("member1");
    wait_for("shared-config gone from member1", TIMEOUT, || async {
        match present::<ConfigMap>(&member1, "shared-config").await? {
            false => Ok(()),
            true => Err("still present".into()),
        }
    })
    .await;
    wait_for("api-deployment released", TIMEOUT, || async {
        let parent = bindings
            .get("api-deployment")
            .await
            .map_err(|e| e.to_string())?;
        let held = parent
            .metadata
            .finalizers
            .iter()
            .flatten()
            .any(|f| f == names::BINDING_DEPENDENCIES_DISTRIBUTOR_FINALIZER);
        if held {
            Err("the distributor's finalizer is still there".into())
        } else {
            Ok(())
        }
    })
    .await;
    assert!(
        present::<ConfigMap>(&federation.member("member2"), "shared-config")
            .await
            .expect("read"),
        "member2 keeps the copy its own policy placed"
    );
}
