//! Karmada's API groups through real kubectl: Karmada-style YAML applies unchanged, `get` prints
//! Karmada's columns, `explain` knows the schemas, defaulting happens on the server, and each
//! validation rule answers 422 with kubectl's usual message.

use crate::support::server::{Storage, TestServer, text};

const KUBECTL: &str = "1.33";

fn ok(server: &TestServer, args: &[&str], stdin: Option<&str>) -> String {
    server.kubectl_ok(KUBECTL, args, stdin)
}

const POLICIES: &str = r#"
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
  namespace: default
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
    replicaScheduling:
      replicaSchedulingType: Divided
      weightPreference:
        staticWeightList:
          - targetCluster: {clusterNames: [member1]}
            weight: 1
          - targetCluster: {clusterNames: [member2]}
            weight: 1
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata:
  name: crd-propagation
spec:
  priority: 5
  resourceSelectors:
    - apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      name: guestbooks.webapp.my.domain
  placement:
    clusterAffinity:
      clusterNames: [member1]
    spreadConstraints:
      - maxGroups: 2
---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: nginx-override
  namespace: default
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  overrideRules:
    - targetCluster:
        clusterNames: [member1]
      overriders:
        plaintext:
          - path: /spec/replicas
            operator: replace
            value: 3
        imageOverrider:
          - component: Registry
            operator: replace
            value: registry.example.com
        commandOverrider:
          - containerName: nginx
            operator: add
            value: ["--verbose"]
        argsOverrider:
          - containerName: nginx
            operator: remove
            value: ["--debug"]
        labelsOverrider:
          - operator: add
            value: {env: prod}
        annotationsOverrider:
          - operator: remove
            value: {note: ""}
        fieldOverrider:
          - fieldPath: /data/config.yaml
            yaml:
              - subPath: /db/host
                operator: replace
                value: db.member1
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterOverridePolicy
metadata:
  name: global-labels
spec:
  resourceSelectors:
    - apiVersion: v1
      kind: ConfigMap
  overrideRules:
    - overriders:
        labelsOverrider:
          - operator: add
            value: {federated: "true"}
---
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: member1
spec:
  syncMode: Push
  apiEndpoint: https://172.18.0.3:6443
  region: eu-west
  zones: [eu-west-1a]
  taints:
    - key: maintenance
      effect: NoExecute
"#;

async fn karmada_objects(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let out = ok(&server, &["apply", "-f", "-"], Some(POLICIES));
    for line in [
        "propagationpolicy.policy.karmada.io/nginx-propagation created",
        "clusterpropagationpolicy.policy.karmada.io/crd-propagation created",
        "overridepolicy.policy.karmada.io/nginx-override created",
        "clusteroverridepolicy.policy.karmada.io/global-labels created",
        "cluster.cluster.karmada.io/member1 created",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
    // Applying the same YAML again succeeds. (Lists the server defaults into, such as selectors
    // and taints, make kubectl's merge patch resend them, so "configured" is expected there, as
    // with Karmada.)
    let again = ok(&server, &["apply", "-f", "-"], Some(POLICIES));
    assert!(
        again
            .lines()
            .all(|l| l.ends_with("unchanged") || l.ends_with("configured")),
        "a second apply succeeds:\n{again}"
    );
    assert!(
        again.contains("clusteroverridepolicy.policy.karmada.io/global-labels unchanged"),
        "{again}"
    );

    // Karmada's columns.
    let pp = ok(&server, &["get", "pp"], None);
    let header: Vec<&str> = pp.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "CONFLICT-RESOLUTION", "PRIORITY", "AGE"],
        "{pp}"
    );
    assert!(
        pp.contains("nginx-propagation   Abort"),
        "defaulted conflictResolution:\n{pp}"
    );
    let cpp = ok(&server, &["get", "cpp"], None);
    assert!(
        cpp.lines()
            .any(|l| l.starts_with("crd-propagation") && l.contains(" 5 ")),
        "{cpp}"
    );
    let all = ok(
        &server,
        &["get", "pp,op,cpp,cop,rb,work,cluster", "-A"],
        None,
    );
    for name in [
        "nginx-propagation",
        "nginx-override",
        "crd-propagation",
        "global-labels",
        "member1",
    ] {
        assert!(
            all.contains(name),
            "`get pp,op,cpp,cop,rb,work,cluster` lists {name}:\n{all}"
        );
    }
    let clusters = ok(&server, &["get", "clusters"], None);
    let header: Vec<&str> = clusters
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(&header[..3], ["NAME", "VERSION", "MODE"], "{clusters}");

    // Server-side defaulting and mutation, as Karmada's webhooks do.
    let division = ok(
        &server,
        &[
            "get",
            "pp",
            "nginx-propagation",
            "-o",
            "jsonpath={.spec.placement.replicaScheduling.replicaDivisionPreference}",
        ],
        None,
    );
    assert_eq!(division, "Weighted");
    let selector_ns = ok(
        &server,
        &[
            "get",
            "pp",
            "nginx-propagation",
            "-o",
            "jsonpath={.spec.resourceSelectors[0].namespace}",
        ],
        None,
    );
    assert_eq!(selector_ns, "default");
    let permanent_id = ok(
        &server,
        &[
            "get",
            "pp",
            "nginx-propagation",
            "-o",
            "jsonpath={.metadata.labels.propagationpolicy\\.karmada\\.io/permanent-id}",
        ],
        None,
    );
    assert_eq!(
        permanent_id.len(),
        36,
        "a UUID permanent id: {permanent_id:?}"
    );
    let spread = ok(
        &server,
        &[
            "get",
            "cpp",
            "crd-propagation",
            "-o",
            "jsonpath={.spec.placement.spreadConstraints[0].spreadByField}",
        ],
        None,
    );
    assert_eq!(spread, "cluster");
    let taint_time = ok(
        &server,
        &[
            "get",
            "cluster",
            "member1",
            "-o",
            "jsonpath={.spec.taints[0].timeAdded}",
        ],
        None,
    );
    assert!(!taint_time.is_empty(), "NoExecute taints get timeAdded");

    // Explain works on Karmada's schemas.
    let explain = ok(
        &server,
        &["explain", "pp.spec.placement.replicaScheduling"],
        None,
    );
    assert!(explain.contains("replicaSchedulingType"), "{explain}");

    // Merge patches work; strategic merge patches are refused for these kinds, as for any CRD.
    ok(
        &server,
        &[
            "patch",
            "pp",
            "nginx-propagation",
            "--type=merge",
            "-p",
            r#"{"spec":{"priority":7}}"#,
        ],
        None,
    );
    let out = server.kubectl(
        KUBECTL,
        &[
            "patch",
            "pp",
            "nginx-propagation",
            "-p",
            r#"{"spec":{"priority":8}}"#,
        ],
        None,
    );
    assert!(
        text(&out).contains("is not supported by policy.karmada.io/v1alpha1"),
        "{}",
        text(&out)
    );

    // Validation: each rule answers 422 naming the field.
    for (what, yaml, field) in invalid_objects() {
        let out = server.kubectl(KUBECTL, &["apply", "-f", "-"], Some(&yaml));
        let said = text(&out);
        assert!(!out.status.success(), "{what}: accepted");
        assert!(
            said.contains("is invalid") && said.contains(field),
            "{what}: expected an Invalid error naming {field}, got:\n{said}"
        );
    }

    for args in [
        ["delete", "op", "nginx-override"],
        ["delete", "cop", "global-labels"],
        ["delete", "cluster", "member1"],
    ] {
        ok(&server, &args, None);
    }
    // Propagation policies carry Karmada's controller finalizer: deleting one marks it, and the
    // policy controller (not in this build yet) completes the deletion.
    ok(
        &server,
        &["delete", "pp", "nginx-propagation", "--wait=false"],
        None,
    );
    let marked = ok(
        &server,
        &[
            "get",
            "pp",
            "nginx-propagation",
            "-o",
            "jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}",
        ],
        None,
    );
    assert!(
        marked.contains("karmada.io/propagation-policy-controller"),
        "{marked}"
    );
    server.stop().await;
}

fn pp(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n{spec}"
    )
}

const SELECT: &str =
    "  resourceSelectors:\n    - {apiVersion: apps/v1, kind: Deployment, name: nginx}\n";

/// (what, YAML, the field path the error must name).
fn invalid_objects() -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "no resource selectors",
            pp("bad-1", "  resourceSelectors: []\n  placement: {}\n"),
            "spec.resourceSelectors",
        ),
        (
            "a selector namespace other than the policy's",
            pp("bad-2", "  resourceSelectors:\n    - {apiVersion: v1, kind: ConfigMap, namespace: other}\n"),
            "spec.resourceSelectors[0].namespace",
        ),
        (
            "clusterAffinity together with clusterAffinities",
            pp(
                "bad-3",
                &format!("{SELECT}  placement:\n    clusterAffinity: {{clusterNames: [a]}}\n    clusterAffinities:\n      - {{affinityName: x, clusterNames: [a]}}\n"),
            ),
            "spec.placement",
        ),
        (
            "duplicate affinity names",
            pp(
                "bad-4",
                &format!("{SELECT}  placement:\n    clusterAffinities:\n      - {{affinityName: x, clusterNames: [a]}}\n      - {{affinityName: x, clusterNames: [b]}}\n"),
            ),
            "spec.placement.clusterAffinities[1].affinityName",
        ),
        (
            "spreadByField together with spreadByLabel",
            pp(
                "bad-5",
                &format!("{SELECT}  placement:\n    spreadConstraints:\n      - {{spreadByField: region, spreadByLabel: team, maxGroups: 1}}\n"),
            ),
            "spec.placement.spreadConstraints[0]",
        ),
        (
            "maxGroups below minGroups",
            pp(
                "bad-6",
                &format!("{SELECT}  placement:\n    spreadConstraints:\n      - {{spreadByField: cluster, maxGroups: 1, minGroups: 2}}\n"),
            ),
            "spec.placement.spreadConstraints[0]",
        ),
        (
            "application failover without propagateDeps",
            pp(
                "bad-7",
                &format!("{SELECT}  failover:\n    application:\n      decisionConditions: {{tolerationSeconds: 60}}\n"),
            ),
            "spec.propagateDeps",
        ),
        (
            "gracePeriodSeconds with purgeMode Directly",
            pp(
                "bad-8",
                &format!("{SELECT}  propagateDeps: true\n  failover:\n    application:\n      decisionConditions: {{tolerationSeconds: 60}}\n      purgeMode: Directly\n      gracePeriodSeconds: 30\n"),
            ),
            "spec.failover.application.gracePeriodSeconds",
        ),
        (
            "an overrider with an unknown operator",
            "apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: bad-9, namespace: default}\nspec:\n  overrideRules:\n    - overriders:\n        plaintext:\n          - {path: /spec/replicas, operator: multiply, value: 2}\n".to_string(),
            "spec.overrideRules[0].overriders.plaintext[0].operator",
        ),
        (
            "a plaintext path that is not a JSON pointer",
            "apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: bad-10, namespace: default}\nspec:\n  overrideRules:\n    - overriders:\n        plaintext:\n          - {path: spec.replicas, operator: replace, value: 2}\n".to_string(),
            "spec.overrideRules[0].overriders.plaintext[0].path",
        ),
        (
            "a cluster with an unknown sync mode",
            "apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: bad-11}\nspec: {syncMode: Sideways}\n".to_string(),
            "spec.syncMode",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn karmada_yaml_works_with_kubectl_on_the_embedded_store() {
    karmada_objects(Storage::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn karmada_yaml_works_with_kubectl_on_etcd() {
    karmada_objects(Storage::Etcd).await;
}
