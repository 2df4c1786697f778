//! Replica division, overrides and status of workloads.

use super::common::*;

pub(crate) async fn divided_static_weights_overrides_and_status(f: &Federation) {
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

pub(crate) async fn dynamic_weight_and_aggregated(f: &Federation) {
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
    // Scale up: only the added replicas are divided, by free capacity.
    kubectl(f, &["scale", "deploy", "dyn", "-n", ns, "--replicas", "15"]);
    wait_for("dyn scaled up without moving replicas", WAIT, || async {
        let s = split("dyn").await?;
        let grew = s.iter().all(|(name, r)| {
            *r >= result
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, r)| *r)
                .unwrap_or(0)
        });
        (s.iter().map(|(_, r)| r).sum::<i32>() == 15 && grew)
            .then_some(())
            .ok_or(format!("{s:?}"))
    })
    .await;
    // Scale down: proportional to what each cluster has.
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

pub(crate) async fn service_and_job_status(f: &Federation) {
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
