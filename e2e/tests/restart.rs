//! The controller-manager killed (SIGKILL) and restarted mid-run converges: what changed while it
//! was down is propagated, nothing is duplicated and nothing is left behind.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use karmada_api::work::v1alpha1::Work;
use karmada_api::work::v1alpha2::ResourceBinding;
use karmada_e2e::scenario::{apply, assert_at_rest, kubectl};
use karmada_e2e::{Federation, FederationOptions, wait_for};
use kube::api::{Api, ListParams};

const NS: &str = "e2e-restart";

fn deployment(name: &str, replicas: i32) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {NS}, labels: {{app: {name}}}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: c, image: busybox}}]}}
---
"#
    )
}

/// Deployments (name → replicas) in a member's namespace.
async fn member_deployments(f: &Federation, member: &str) -> Result<BTreeMap<String, i32>, String> {
    let api: Api<Deployment> = Api::namespaced(f.member(member), NS);
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?;
    Ok(list
        .items
        .into_iter()
        .map(|d| {
            (
                d.metadata.name.unwrap_or_default(),
                d.spec.replicas.unwrap_or(0),
            )
        })
        .collect())
}

/// Works of Deployments in a member's execution namespace, by Work name (duplicates show).
async fn deployment_works(f: &Federation, member: &str) -> Result<Vec<String>, String> {
    let api: Api<Work> = Api::namespaced(f.client.clone(), &format!("karmada-es-{member}"));
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?;
    Ok(list
        .items
        .into_iter()
        .filter(|w| w.manifests().first().and_then(|m| m.str_field("kind")) == Some("Deployment"))
        .map(|w| w.metadata.name.unwrap_or_default())
        .collect())
}

async fn converged(f: &Federation, want: &BTreeMap<String, i32>) {
    for member in ["member1", "member2"] {
        wait_for(
            &format!("{member} converged"),
            Duration::from_secs(60),
            || async {
                let have = member_deployments(f, member).await?;
                let works = deployment_works(f, member).await?;
                let bindings = Api::<ResourceBinding>::namespaced(f.client.clone(), NS)
                    .list(&ListParams::default())
                    .await
                    .map_err(|e| e.to_string())?
                    .items
                    .len();
                (have == *want && works.len() == want.len() && bindings == want.len())
                    .then_some(())
                    .ok_or(format!(
                        "deployments {have:?}, works {works:?}, bindings {bindings}"
                    ))
            },
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn controller_manager_killed_and_restarted_converges() {
    let mut f = Federation::start(FederationOptions {
        members: 2,
        ..FederationOptions::default()
    })
    .await;
    apply(
        &f,
        &format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NS}}}\n"),
    );
    let policy = format!(
        r#"
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: all, namespace: {NS}}}
spec:
  resourceSelectors: [{{apiVersion: apps/v1, kind: Deployment}}]
  placement: {{clusterAffinity: {{clusterNames: [member1, member2]}}}}
"#
    );
    let first: String = (1..=4).map(|i| deployment(&format!("d{i}"), 1)).collect();
    apply(&f, &format!("{first}{policy}"));
    let mut want: BTreeMap<String, i32> = (1..=4).map(|i| (format!("d{i}"), 1)).collect();
    converged(&f, &want).await;

    // Killed while idle; the world changes while it is down.
    f.kill_manager().await;
    let more: String = (5..=8).map(|i| deployment(&format!("d{i}"), 1)).collect();
    apply(&f, &more);
    kubectl(&f, &["delete", "deploy", "d1", "-n", NS, "--wait=false"]);
    kubectl(&f, &["scale", "deploy", "d2", "-n", NS, "--replicas", "3"]);
    want.remove("d1");
    want.insert("d2".into(), 3);
    for i in 5..=8 {
        want.insert(format!("d{i}"), 1);
    }
    f.start_manager();
    converged(&f, &want).await;

    // Killed in the middle of work: a burst of changes, then SIGKILL right away.
    let burst: String = (9..=14).map(|i| deployment(&format!("d{i}"), 2)).collect();
    apply(&f, &burst);
    kubectl(&f, &["delete", "deploy", "d3", "-n", NS, "--wait=false"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    f.kill_manager().await;
    f.start_manager();
    want.remove("d3");
    for i in 9..=14 {
        want.insert(format!("d{i}"), 2);
    }
    converged(&f, &want).await;
    // Converged means at rest: nothing keeps being rewritten.
    assert_at_rest(&f, Duration::from_secs(3)).await;
}
