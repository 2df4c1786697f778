//! Propagation in push mode end to end: one federation (real etcd, the API server and
//! controller-manager binaries, three simulated members) and Karmada's scenario families run
//! against it concurrently, each in its own namespace; scenarios that change clusters run after.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
use k8s_openapi::api::rbac::v1::ClusterRole;
use karmada_api::policy::v1alpha1::ClusterPropagationPolicy;
use karmada_api::work::v1alpha1::Work;
use karmada_api::work::v1alpha2::ResourceBinding;
use karmada_e2e::scenario::{WAIT, apply, get_cluster, get_ns, kubectl, run_all};
use karmada_e2e::{Federation, FederationOptions, wait_for};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::json;

fn ns_yaml(name: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
}

/// Waits until namespace `name` exists in every member.
async fn namespace_everywhere(f: &Federation, name: &str) {
    for member in ["member1", "member2", "member3"] {
        let client = f.member(member);
        wait_for(&format!("namespace {name} in {member}"), WAIT, || async {
            get_cluster::<Namespace>(&client, name)
                .await?
                .map(|_| ())
                .ok_or("absent".to_string())
        })
        .await;
    }
}

async fn deployment_in(
    f: &Federation,
    member: &str,
    ns: &str,
    name: &str,
) -> Result<Deployment, String> {
    get_ns::<Deployment>(&f.member(member), ns, name)
        .await?
        .ok_or(format!("no deployment in {member}"))
}

async fn absent_in<K>(f: &Federation, member: &str, ns: &str, name: &str) -> Result<(), String>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    match get_ns::<K>(&f.member(member), ns, name).await? {
        None => Ok(()),
        Some(_) => Err(format!("still in {member}")),
    }
}

fn replicas(d: &Deployment) -> i32 {
    d.spec.replicas.unwrap_or(-1)
}

async fn divided_static_weights_overrides_and_status(f: &Federation) {
    let ns = "e2e-static";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}, labels: {{app: web}}}}
spec:
  replicas: 6
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: web, namespace: {ns}}}
spec:
  resourceSelectors:
  - {{apiVersion: apps/v1, kind: Deployment, name: web}}
  placement:
    clusterAffinity: {{clusterNames: [member1, member2]}}
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        staticWeightList:
        - {{targetCluster: {{clusterNames: [member1]}}, weight: 1}}
        - {{targetCluster: {{clusterNames: [member2]}}, weight: 2}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata: {{name: web, namespace: {ns}}}
spec:
  resourceSelectors:
  - {{apiVersion: apps/v1, kind: Deployment, name: web}}
  overrideRules:
  - targetCluster: {{clusterNames: [member1]}}
    overriders:
      imageOverrider: [{{component: Registry, operator: replace, value: registry.example.com}}]
      labelsOverrider: [{{operator: add, value: {{site: one}}}}]
      annotationsOverrider: [{{operator: add, value: {{owner: team-a}}}}]
      commandOverrider: [{{containerName: web, operator: add, value: [nginx, -g, "daemon off;"]}}]
      argsOverrider: [{{containerName: web, operator: add, value: ["--verbose"]}}]
      plaintext: [{{path: /spec/minReadySeconds, operator: add, value: 3}}]
"#
        ),
    );
    wait_for("web divided 2/4 with member1 overridden", WAIT, || async {
        let (m1, m2) = (
            deployment_in(f, "member1", ns, "web").await?,
            deployment_in(f, "member2", ns, "web").await?,
        );
        let c1 = &m1.spec.template.spec.as_ref().unwrap().containers[0];
        let c2 = &m2.spec.template.spec.as_ref().unwrap().containers[0];
        let ok = replicas(&m1) == 2
            && replicas(&m2) == 4
            && c1.image.as_deref() == Some("registry.example.com/nginx:1.25")
            && c2.image.as_deref() == Some("nginx:1.25")
            && m1
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("site"))
                .map(String::as_str)
                == Some("one")
            && m1
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("owner"))
                .map(String::as_str)
                == Some("team-a")
            && c1.command.as_deref()
                == Some(&["nginx".to_string(), "-g".into(), "daemon off;".into()][..])
            && c1.args.as_deref() == Some(&["--verbose".to_string()][..])
            && m1.spec.min_ready_seconds == Some(3)
            && m2.spec.min_ready_seconds.is_none();
        ok.then_some(()).ok_or(format!(
            "member1 {} {:?}, member2 {} {:?}",
            replicas(&m1),
            c1.image,
            replicas(&m2),
            c2.image
        ))
    })
    .await;
    // The Work records the applied overrides.
    let works: Api<Work> = Api::namespaced(f.client.clone(), "karmada-es-member1");
    let work = works
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|w| {
            w.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("resourcebinding.karmada.io/name"))
                .map(String::as_str)
                == Some("web-deployment")
        })
        .expect("the Work of web in member1");
    let applied = work
        .metadata
        .annotations
        .as_ref()
        .unwrap()
        .get("policy.karmada.io/applied-overrides")
        .cloned()
        .unwrap_or_default();
    assert!(applied.contains("\"policyName\":\"web\""), "{applied}");
    // Status summed back onto the template (kubectl's READY column reads it).
    wait_for("web 6/6 ready on the federation", WAIT, || async {
        let out = kubectl(f, &["get", "deploy", "web", "-n", ns, "--no-headers"]);
        out.contains(" 6/6 ").then_some(()).ok_or(out)
    })
    .await;
    // Scale down and up: the static split is recomputed.
    kubectl(f, &["scale", "deploy", "web", "-n", ns, "--replicas", "3"]);
    wait_for("web divided 1/2", WAIT, || async {
        let (m1, m2) = (
            deployment_in(f, "member1", ns, "web").await?,
            deployment_in(f, "member2", ns, "web").await?,
        );
        (replicas(&m1) == 1 && replicas(&m2) == 2)
            .then_some(())
            .ok_or(format!("{} {}", replicas(&m1), replicas(&m2)))
    })
    .await;
    // Deleting the template removes the binding, the Works and the member copies.
    kubectl(f, &["delete", "deploy", "web", "-n", ns]);
    wait_for("web gone everywhere", WAIT, || async {
        absent_in::<Deployment>(f, "member1", ns, "web").await?;
        absent_in::<Deployment>(f, "member2", ns, "web").await?;
        match get_ns::<ResourceBinding>(&f.client, ns, "web-deployment").await? {
            None => Ok(()),
            Some(_) => Err("binding remains".into()),
        }
    })
    .await;
}

async fn duplicated_configmap_drift_and_hand_edits(f: &Federation) {
    let ns = "e2e-dup";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: {ns}}}
data: {{mode: blue}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: settings, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: settings}}]
  placement: {{clusterAffinity: {{clusterNames: [member1, member2, member3]}}}}
"#
        ),
    );
    let data_in = |member: &'static str| async move {
        get_ns::<ConfigMap>(&f.member(member), ns, "settings")
            .await?
            .and_then(|c| c.data)
            .and_then(|d| d.get("mode").cloned())
            .ok_or(format!("no settings in {member}"))
    };
    for member in ["member1", "member2", "member3"] {
        wait_for(&format!("settings in {member}"), WAIT, || async {
            (data_in(member).await? == "blue")
                .then_some(())
                .ok_or("wrong data".to_string())
        })
        .await;
    }
    // Drift in a member is corrected.
    let cms: Api<ConfigMap> = Api::namespaced(f.member("member2"), ns);
    cms.patch(
        "settings",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"mode": "red"}})),
    )
    .await
    .unwrap();
    wait_for("drift corrected in member2", WAIT, || async {
        let mode = data_in("member2").await?;
        (mode == "blue").then_some(()).ok_or(mode)
    })
    .await;
    // A member copy deleted by hand comes back.
    Api::<ConfigMap>::namespaced(f.member("member3"), ns)
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("settings back in member3", WAIT, || async {
        data_in("member3").await.map(|_| ())
    })
    .await;
    // A Work deleted by hand comes back.
    let works: Api<Work> = Api::namespaced(f.client.clone(), "karmada-es-member1");
    let name = works
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|w| {
            w.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("resourcebinding.karmada.io/name"))
                .map(String::as_str)
                == Some("settings-configmap")
        })
        .and_then(|w| w.metadata.name)
        .expect("the Work of settings");
    works.delete(&name, &DeleteParams::default()).await.unwrap();
    wait_for("the Work recreated", WAIT, || async {
        let w = works
            .get_opt(&name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("absent")?;
        w.metadata
            .deletion_timestamp
            .is_none()
            .then_some(())
            .ok_or("still deleting".to_string())
    })
    .await;
    // A binding deleted by hand comes back.
    let bindings: Api<ResourceBinding> = Api::namespaced(f.client.clone(), ns);
    let old_uid = bindings
        .get("settings-configmap")
        .await
        .unwrap()
        .metadata
        .uid;
    bindings
        .delete("settings-configmap", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the binding recreated", WAIT, || async {
        let b = bindings
            .get_opt("settings-configmap")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("absent")?;
        let scheduled = b
            .status
            .as_ref()
            .and_then(|s| s.condition("Scheduled"))
            .is_some_and(|c| c.status == "True");
        (b.metadata.uid != old_uid && scheduled)
            .then_some(())
            .ok_or("not yet replaced".to_string())
    })
    .await;
    // A template update reaches every member.
    apply(
        f,
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: {ns}}}\ndata: {{mode: green}}\n"
        ),
    );
    for member in ["member1", "member2", "member3"] {
        wait_for(&format!("green in {member}"), WAIT, || async {
            let mode = data_in(member).await?;
            (mode == "green").then_some(()).ok_or(mode)
        })
        .await;
    }
}

async fn cluster_policy_for_cluster_scoped_kind_and_policy_deletion(f: &Federation) {
    apply(
        f,
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: e2e-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: e2e-reader}
spec:
  resourceSelectors: [{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, name: e2e-reader}]
"#,
    );
    for member in ["member1", "member2", "member3"] {
        let client = f.member(member);
        wait_for(&format!("e2e-reader in {member}"), WAIT, || async {
            get_cluster::<ClusterRole>(&client, "e2e-reader")
                .await?
                .map(|_| ())
                .ok_or("absent".to_string())
        })
        .await;
    }
    // Deleting the policy releases the claim and keeps what was propagated.
    kubectl(f, &["delete", "cpp", "e2e-reader", "--wait=false"]);
    wait_for("the policy gone (not stuck terminating)", WAIT, || async {
        match get_cluster::<ClusterPropagationPolicy>(&f.client, "e2e-reader").await? {
            None => Ok(()),
            Some(p) => Err(format!("finalizers {:?}", p.metadata.finalizers)),
        }
    })
    .await;
    wait_for("the claim released", WAIT, || async {
        let role = get_cluster::<ClusterRole>(&f.client, "e2e-reader")
            .await?
            .ok_or("template gone")?;
        let claimed = role
            .metadata
            .labels
            .unwrap_or_default()
            .contains_key("clusterpropagationpolicy.karmada.io/permanent-id");
        (!claimed).then_some(()).ok_or("still claimed".to_string())
    })
    .await;
    assert!(
        get_cluster::<ClusterRole>(&f.member("member1"), "e2e-reader")
            .await
            .unwrap()
            .is_some(),
        "the member copy stays"
    );
}

async fn conflict_resolution(f: &Federation) {
    let ns = "e2e-conflict";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    let member: Api<ConfigMap> = Api::namespaced(f.member("member3"), ns);
    member
        .create(
            &Default::default(),
            &serde_json::from_value(json!({
        "metadata": {"name": "legacy", "namespace": ns}, "data": {"owner": "member"}}))
            .unwrap(),
        )
        .await
        .unwrap();
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: legacy, namespace: {ns}}}
data: {{owner: federation}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: legacy, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: legacy}}]
  placement: {{clusterAffinity: {{clusterNames: [member3]}}}}
"#
        ),
    );
    let works: Api<Work> = Api::namespaced(f.client.clone(), "karmada-es-member3");
    let applied = || async {
        let work = works
            .list(&ListParams::default())
            .await
            .map_err(|e| e.to_string())?
            .items
            .into_iter()
            .find(|w| {
                w.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("resourcebinding.karmada.io/name"))
                    .map(String::as_str)
                    == Some("legacy-configmap")
            })
            .ok_or("no work")?;
        let condition = work
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.type_ == "Applied")
            .ok_or("no Applied condition")?;
        Ok::<_, String>((condition.status, condition.reason))
    };
    wait_for(
        "Applied=False with ConflictResolutionAbort",
        WAIT,
        || async {
            let (status, reason) = applied().await?;
            (status == "False" && reason == "ConflictResolutionAbort")
                .then_some(())
                .ok_or(format!("{status} {reason}"))
        },
    )
    .await;
    let owner = member.get("legacy").await.unwrap().data.unwrap()["owner"].clone();
    assert_eq!(owner, "member", "Abort leaves the member's object alone");
    apply(
        f,
        &format!(
            r#"
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: legacy, namespace: {ns}}}
spec:
  conflictResolution: Overwrite
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: legacy}}]
  placement: {{clusterAffinity: {{clusterNames: [member3]}}}}
"#
        ),
    );
    wait_for("Overwrite takes the object over", WAIT, || async {
        let cm = member.get("legacy").await.map_err(|e| e.to_string())?;
        let owner = cm
            .data
            .unwrap_or_default()
            .get("owner")
            .cloned()
            .unwrap_or_default();
        (owner == "federation").then_some(()).ok_or(owner)
    })
    .await;
}

async fn priorities_and_preemption(f: &Federation) {
    let ns = "e2e-prio";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    let deployment = format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app, namespace: {ns}, labels: {{app: app}}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: app}}}}
  template:
    metadata: {{labels: {{app: app}}}}
    spec: {{containers: [{{name: app, image: busybox}}]}}
"#
    );
    let policy = |name: &str, priority: i32, preemption: &str, cluster: &str| {
        format!(
            r#"
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: {name}, namespace: {ns}}}
spec:
  priority: {priority}
  preemption: {preemption}
  resourceSelectors: [{{apiVersion: apps/v1, kind: Deployment, name: app}}]
  placement: {{clusterAffinity: {{clusterNames: [{cluster}]}}}}
"#
        )
    };
    // Implicit priority first: a name selector beats a kind-only selector created at the same time.
    apply(
        f,
        &format!("{deployment}---{}", policy("low", 1, "Never", "member1")),
    );
    wait_for("app in member1", WAIT, || async {
        deployment_in(f, "member1", ns, "app").await.map(|_| ())
    })
    .await;
    // A higher-priority policy without preemption does not take a claimed template.
    apply(f, &policy("high", 5, "Never", "member2"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rb = get_ns::<ResourceBinding>(&f.client, ns, "app-deployment")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        rb.metadata
            .annotations
            .as_ref()
            .unwrap()
            .get("propagationpolicy.karmada.io/name")
            .map(String::as_str),
        Some("low")
    );
    // With preemption it does, and the workload moves.
    apply(f, &policy("high", 5, "Always", "member2"));
    wait_for("app moved to member2", WAIT, || async {
        deployment_in(f, "member2", ns, "app").await?;
        absent_in::<Deployment>(f, "member1", ns, "app").await
    })
    .await;
}

async fn namespaces_are_propagated_unless_skipped(f: &Federation) {
    apply(f, &ns_yaml("e2e-ns-auto"));
    namespace_everywhere(f, "e2e-ns-auto").await;
    apply(
        f,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-ns-skip\n  labels: {namespace.karmada.io/skip-auto-propagation: \"true\"}\n",
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        get_cluster::<Namespace>(&f.member("member1"), "e2e-ns-skip")
            .await
            .unwrap()
            .is_none()
    );
    kubectl(f, &["delete", "ns", "e2e-ns-auto", "--wait=false"]);
    wait_for("e2e-ns-auto removed from members", WAIT, || async {
        match get_cluster::<Namespace>(&f.member("member2"), "e2e-ns-auto").await? {
            None => Ok(()),
            Some(ns) if ns.metadata.deletion_timestamp.is_some() => Ok(()),
            Some(_) => Err("still there".into()),
        }
    })
    .await;
}

async fn crd_and_custom_resource(f: &Federation) {
    let ns = "e2e-crd";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e2e.example.com}
spec:
  group: e2e.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: e2e-widgets-crd}
spec:
  resourceSelectors: [{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, name: widgets.e2e.example.com}]
"#,
    );
    for member in ["member1", "member2", "member3"] {
        let client = f.member(member);
        wait_for(&format!("the CRD in {member}"), WAIT, || async {
            get_cluster::<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>(&client, "widgets.e2e.example.com")
                .await?.map(|_| ()).ok_or("absent".to_string())
        })
        .await;
    }
    // The federation serves the new kind; wait until kubectl can apply it.
    wait_for("the Widget kind served", WAIT, || async {
        let out = f.kubectl(&["get", "widgets", "-n", ns], None);
        out.status
            .success()
            .then_some(())
            .ok_or(String::from_utf8_lossy(&out.stderr).into_owned())
    })
    .await;
    apply(
        f,
        &format!(
            r#"
apiVersion: e2e.example.com/v1
kind: Widget
metadata: {{name: w1, namespace: {ns}}}
spec: {{size: 3}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: widgets, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: e2e.example.com/v1, kind: Widget}}]
  placement: {{clusterAffinity: {{clusterNames: [member2]}}}}
"#
        ),
    );
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("e2e.example.com", "v1", "Widget"),
        "widgets",
    );
    let widgets: Api<DynamicObject> = Api::namespaced_with(f.member("member2"), ns, &resource);
    wait_for("w1 in member2", WAIT, || async {
        let w = widgets
            .get_opt("w1")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("absent")?;
        (w.data["spec"]["size"] == 3)
            .then_some(())
            .ok_or(format!("{:?}", w.data))
    })
    .await;
}

async fn dynamic_weight_and_aggregated(f: &Federation) {
    let ns = "e2e-dynamic";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    let workload = |name: &str, replicas: i32, preference: &str| {
        format!(
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: c, image: busybox, resources: {{requests: {{cpu: "1"}}}}}}]}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: {name}, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: apps/v1, kind: Deployment, name: {name}}}]
  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: {preference}
      {weight}
"#,
            weight = if preference == "Weighted" {
                "weightPreference: {dynamicWeight: AvailableReplicas}"
            } else {
                ""
            }
        )
    };
    apply(f, &workload("dyn", 12, "Weighted"));
    let split = |name: &'static str| async move {
        let rb = get_ns::<ResourceBinding>(&f.client, ns, &format!("{name}-deployment"))
            .await?
            .ok_or("no binding")?;
        let clusters = rb.spec.clusters.unwrap_or_default();
        Ok::<_, String>(
            clusters
                .into_iter()
                .map(|c| (c.name, c.replicas.unwrap_or(0)))
                .collect::<Vec<_>>(),
        )
    };
    // Capacity 8 / 16 / 24 CPUs (1, 2, 3 nodes): the larger clusters get more.
    let result = wait_for("dyn divided by free capacity", WAIT, || async {
        let s = split("dyn").await?;
        (s.iter().map(|(_, r)| r).sum::<i32>() == 12 && s.len() == 3)
            .then_some(s.clone())
            .ok_or(format!("{s:?}"))
    })
    .await;
    let of = |name: &str| {
        result
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| *r)
            .unwrap_or(0)
    };
    assert!(of("member3") > of("member1"), "{result:?}");
    // Scale up then down: incremental.
    kubectl(f, &["scale", "deploy", "dyn", "-n", ns, "--replicas", "6"]);
    wait_for("dyn scaled down proportionally", WAIT, || async {
        let s = split("dyn").await?;
        (s.iter().map(|(_, r)| r).sum::<i32>() == 6)
            .then_some(())
            .ok_or(format!("{s:?}"))
    })
    .await;
    // Aggregated: as few clusters as fit, the one with the most room first.
    apply(f, &workload("agg", 4, "Aggregated"));
    wait_for("agg on one cluster", WAIT, || async {
        let s = split("agg").await?;
        (s == vec![("member3".to_string(), 4)])
            .then_some(())
            .ok_or(format!("{s:?}"))
    })
    .await;
}

async fn spread_constraints_and_cluster_affinities(f: &Federation) {
    let ns = "e2e-spread";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: one-region, namespace: {ns}}}
data: {{a: b}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: one-region, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: one-region}}]
  placement:
    spreadConstraints:
    - {{spreadByField: region, maxGroups: 1, minGroups: 1}}
    - {{spreadByField: cluster, maxGroups: 3, minGroups: 1}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: fallback, namespace: {ns}}}
data: {{a: b}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: fallback, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: fallback}}]
  placement:
    clusterAffinities:
    - affinityName: nowhere
      clusterNames: [no-such-cluster]
    - affinityName: second
      clusterNames: [member2]
"#
        ),
    );
    let regions = [("member1", "eu"), ("member2", "eu"), ("member3", "us")];
    wait_for("one-region in a single region", WAIT, || async {
        let rb = get_ns::<ResourceBinding>(&f.client, ns, "one-region-configmap")
            .await?
            .ok_or("no binding")?;
        let clusters: Vec<String> = rb
            .spec
            .clusters
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect();
        let in_regions: std::collections::BTreeSet<&str> = clusters
            .iter()
            .filter_map(|c| regions.iter().find(|(n, _)| n == c).map(|(_, r)| *r))
            .collect();
        (!clusters.is_empty() && in_regions.len() == 1)
            .then_some(())
            .ok_or(format!("{clusters:?}"))
    })
    .await;
    wait_for("fallback on the second affinity term", WAIT, || async {
        let rb = get_ns::<ResourceBinding>(&f.client, ns, "fallback-configmap")
            .await?
            .ok_or("no binding")?;
        let clusters: Vec<String> = rb
            .spec
            .clusters
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect();
        let term = rb.status.and_then(|s| s.scheduler_observed_affinity_name);
        (clusters == vec!["member2".to_string()] && term.as_deref() == Some("second"))
            .then_some(())
            .ok_or(format!("{clusters:?} {term:?}"))
    })
    .await;
}

async fn service_and_job_status(f: &Federation) {
    let ns = "e2e-status";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: Service
metadata: {{name: lb, namespace: {ns}}}
spec:
  type: LoadBalancer
  selector: {{app: lb}}
  ports: [{{port: 80}}]
---
apiVersion: batch/v1
kind: Job
metadata: {{name: once, namespace: {ns}}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: busybox}}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: status, namespace: {ns}}}
spec:
  resourceSelectors:
  - {{apiVersion: v1, kind: Service, name: lb}}
  - {{apiVersion: batch/v1, kind: Job, name: once}}
  placement: {{clusterAffinity: {{clusterNames: [member1, member2]}}}}
"#
        ),
    );
    wait_for(
        "the Service's load-balancer ingress summed",
        WAIT,
        || async {
            let svc = get_ns::<Service>(&f.client, ns, "lb")
                .await?
                .ok_or("no service")?;
            let ingress = svc
                .status
                .and_then(|s| s.load_balancer)
                .and_then(|l| l.ingress)
                .unwrap_or_default();
            (ingress.len() == 2)
                .then_some(())
                .ok_or(format!("{ingress:?}"))
        },
    )
    .await;
    wait_for("the Job succeeded in both members", WAIT, || async {
        let job = get_ns::<Job>(&f.client, ns, "once")
            .await?
            .ok_or("no job")?;
        let succeeded = job.status.and_then(|s| s.succeeded).unwrap_or(0);
        (succeeded == 2)
            .then_some(())
            .ok_or(format!("succeeded {succeeded}"))
    })
    .await;
}

async fn taints_and_tolerations(f: &Federation) {
    let ns = "e2e-taint";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    kubectl(
        f,
        &[
            "patch",
            "cluster",
            "member3",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"taints":[{"key":"e2e/dedicated","value":"x","effect":"NoSchedule"}]}}"#,
        ],
    );
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: plain, namespace: {ns}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: tolerant, namespace: {ns}}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: plain, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: plain}}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: tolerant, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: tolerant}}]
  placement:
    clusterTolerations: [{{key: e2e/dedicated, operator: Exists, effect: NoSchedule}}]
"#
        ),
    );
    let clusters_of = |name: &'static str| async move {
        let rb = get_ns::<ResourceBinding>(&f.client, ns, &format!("{name}-configmap"))
            .await?
            .ok_or("no binding")?;
        let mut c: Vec<String> = rb
            .spec
            .clusters
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect();
        c.sort();
        Ok::<_, String>(c)
    };
    wait_for(
        "the untolerated taint keeps plain off member3",
        WAIT,
        || async {
            let c = clusters_of("plain").await?;
            (c == ["member1", "member2"])
                .then_some(())
                .ok_or(format!("{c:?}"))
        },
    )
    .await;
    wait_for(
        "the toleration lets tolerant onto member3",
        WAIT,
        || async {
            let c = clusters_of("tolerant").await?;
            (c == ["member1", "member2", "member3"])
                .then_some(())
                .ok_or(format!("{c:?}"))
        },
    )
    .await;
    kubectl(
        f,
        &[
            "patch",
            "cluster",
            "member3",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"taints":null}}"#,
        ],
    );
}

async fn cluster_health_condition_taints_and_workload_health(f: &Federation) {
    use karmada_api::cluster::v1alpha1::Cluster;
    let member3 = f
        .members
        .iter()
        .find(|m| m.name == "member3")
        .expect("member3")
        .controls();
    let cluster = || async {
        get_cluster::<Cluster>(&f.client, "member3")
            .await?
            .ok_or("no cluster".to_string())
    };
    let state = |c: &Cluster| {
        let ready = c
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .map(|c| (c.status.clone(), c.reason.clone()));
        let tainted = c
            .spec
            .taints
            .iter()
            .flatten()
            .any(|t| t.key == "cluster.karmada.io/not-ready" && t.effect == "NoSchedule");
        (ready, tainted)
    };
    member3.set_failing_readyz(true);
    wait_for(
        "member3 NotReady with the not-ready taint",
        WAIT,
        || async {
            let (ready, tainted) = state(&cluster().await?);
            (ready == Some(("False".into(), "ClusterNotReady".into())) && tainted)
                .then_some(())
                .ok_or(format!("{ready:?} tainted={tainted}"))
        },
    )
    .await;
    member3.set_failing_readyz(false);
    wait_for("member3 Ready again, untainted", WAIT, || async {
        let (ready, tainted) = state(&cluster().await?);
        (ready.as_ref().map(|r| r.0.as_str()) == Some("True") && !tainted)
            .then_some(())
            .ok_or(format!("{ready:?} tainted={tainted}"))
    })
    .await;

    // A workload that stops being ready in a member is reported Unhealthy there.
    let ns = "e2e-health";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: probe, namespace: {ns}, labels: {{app: probe}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: probe}}}}
  template:
    metadata: {{labels: {{app: probe}}}}
    spec: {{containers: [{{name: c, image: busybox}}]}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: probe, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: apps/v1, kind: Deployment, name: probe}}]
  placement: {{clusterAffinity: {{clusterNames: [member3]}}}}
"#
        ),
    );
    let health = || async {
        let rb = get_ns::<ResourceBinding>(&f.client, ns, "probe-deployment")
            .await?
            .ok_or("no binding")?;
        let item = rb
            .status
            .and_then(|s| s.aggregated_status)
            .unwrap_or_default()
            .into_iter()
            .find(|i| i.cluster_name == "member3")
            .ok_or("no status from member3")?;
        Ok::<_, String>(format!("{:?}", item.health))
    };
    wait_for("probe Healthy in member3", WAIT, || async {
        let h = health().await?;
        (h == "Some(Healthy)").then_some(()).ok_or(h)
    })
    .await;
    member3.set_workloads_unhealthy(true);
    wait_for("probe Unhealthy in member3", WAIT, || async {
        let h = health().await?;
        (h == "Some(Unhealthy)").then_some(()).ok_or(h)
    })
    .await;
    member3.set_workloads_unhealthy(false);
    wait_for("probe Healthy again", WAIT, || async {
        let h = health().await?;
        (h == "Some(Healthy)").then_some(()).ok_or(h)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn propagation_scenarios() {
    let options = FederationOptions {
        member_nodes: vec![1, 2, 3],
        member_regions: vec!["eu".into(), "eu".into(), "us".into()],
        ..FederationOptions::default()
    };
    let f = Federation::start(options).await;
    run_all(vec![
        (
            "divided static weights, overrides, status, scale, deletion",
            Box::pin(divided_static_weights_overrides_and_status(&f)),
        ),
        (
            "duplicated ConfigMap, drift, hand edits",
            Box::pin(duplicated_configmap_drift_and_hand_edits(&f)),
        ),
        (
            "ClusterPropagationPolicy for a cluster-scoped kind, policy deletion",
            Box::pin(cluster_policy_for_cluster_scoped_kind_and_policy_deletion(
                &f,
            )),
        ),
        ("conflict resolution", Box::pin(conflict_resolution(&f))),
        (
            "priorities and preemption",
            Box::pin(priorities_and_preemption(&f)),
        ),
        (
            "namespace propagation",
            Box::pin(namespaces_are_propagated_unless_skipped(&f)),
        ),
        (
            "CRD and custom resource",
            Box::pin(crd_and_custom_resource(&f)),
        ),
        (
            "dynamic weight and aggregated",
            Box::pin(dynamic_weight_and_aggregated(&f)),
        ),
        (
            "spread constraints and cluster affinities",
            Box::pin(spread_constraints_and_cluster_affinities(&f)),
        ),
        (
            "Service and Job status",
            Box::pin(service_and_job_status(&f)),
        ),
    ])
    .await;
    // Changes to clusters affect every placement: after the rest.
    run_all(vec![(
        "taints and tolerations",
        Box::pin(taints_and_tolerations(&f)),
    )])
    .await;
    run_all(vec![(
        "cluster health, condition taints, workload health",
        Box::pin(cluster_health_condition_taints_and_workload_health(&f)),
    )])
    .await;
}
