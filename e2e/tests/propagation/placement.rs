//! Where things go: priorities and preemption, spread constraints, affinities, taints, cluster health.

use super::common::*;

pub(crate) async fn priorities_and_preemption(f: &Federation) {
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

pub(crate) async fn spread_constraints_and_cluster_affinities(f: &Federation) {
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

pub(crate) async fn taints_and_tolerations(f: &Federation) {
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

pub(crate) async fn cluster_health_condition_taints_and_workload_health(f: &Federation) {
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
