//! The simulated member end to end: its API server with the simulator, driven through kube-rs.
//! Every wait is on watched state with a deadline.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use karmadactl::member::{Member, MemberOptions};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;
use serde_json::json;
use tempfile::TempDir;

const DEADLINE: Duration = Duration::from_secs(30);

async fn start(name: &str) -> (Member, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let member = Member::start(MemberOptions::new(name, dir.path().join(name)))
        .await
        .expect("member starts");
    (member, dir)
}

/// Waits until `check` holds for the watched objects of `api`; panics with `what` after the deadline.
async fn wait_for<K, F>(api: Api<K>, what: &str, check: F) -> Vec<Arc<K>>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    F: Fn(&[Arc<K>]) -> bool,
{
    let (store, writer): (Store<K>, _) = reflector::store();
    let stream = reflector::reflector(
        writer,
        watcher(api, watcher::Config::default()).default_backoff(),
    );
    let mut stream = std::pin::pin!(stream);
    let outcome = tokio::time::timeout(DEADLINE, async {
        let mut listed = false;
        while let Some(event) = stream.next().await {
            match event {
                Ok(watcher::Event::InitDone) => listed = true,
                Ok(_) => {}
                Err(error) => {
                    eprintln!("watch error: {error}");
                    continue;
                }
            }
            if listed {
                let state = store.state();
                if check(&state) {
                    return state;
                }
            }
        }
        Vec::new()
    })
    .await;
    match outcome {
        Ok(state) if !state.is_empty() || check(&state) => state,
        _ => panic!(
            "timed out waiting for {what}; last seen: {:#?}",
            store.state()
        ),
    }
}

async fn create<K>(api: &Api<K>, value: serde_json::Value)
where
    K: Resource + Clone + DeserializeOwned + serde::Serialize + Debug,
{
    let object: K = serde_json::from_value(value).expect("valid object");
    api.create(&PostParams::default(), &object)
        .await
        .expect("created");
}

fn deployment(name: &str, replicas: i32, cpu: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                    "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}]}
            }
        }
    })
}

fn ready_replicas(d: &Deployment) -> i32 {
    d.status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0)
}

fn running_pods_of<'a>(pods: &'a [Arc<Pod>], app: &str) -> Vec<&'a Arc<Pod>> {
    pods.iter()
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("app"))
                .map(String::as_str)
                == Some(app)
        })
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .collect()
}

fn one_named<'a, K: Resource>(objects: &'a [Arc<K>], name: &str) -> Option<&'a Arc<K>> {
    objects
        .iter()
        .find(|o| o.meta().name.as_deref() == Some(name))
}

async fn client(member: &Member) -> Client {
    member.client().await
}

#[tokio::test]
async fn nodes_are_registered_ready_with_capacity_and_kubelet_version() {
    let (member, _dir) = start("m1").await;
    let nodes: Api<Node> = Api::all(client(&member).await);
    let seen = wait_for(nodes, "3 Ready nodes", |nodes| {
        nodes.len() == 3
            && nodes.iter().all(|n| {
                n.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
            })
    })
    .await;
    let names: Vec<_> = seen
        .iter()
        .filter_map(|n| n.metadata.name.clone())
        .collect();
    for i in 0..3 {
        assert!(names.contains(&format!("m1-node-{i}")), "{names:?}");
    }
    let status = seen[0].status.clone().expect("status");
    let allocatable = status.allocatable.expect("allocatable");
    assert_eq!(allocatable["cpu"].0, "8");
    assert_eq!(allocatable["memory"].0, "32Gi");
    assert_eq!(allocatable["pods"].0, "110");
    assert!(
        status
            .node_info
            .expect("nodeInfo")
            .kubelet_version
            .starts_with("v1.")
    );
    member.stop().await;
}

#[tokio::test]
async fn deployment_becomes_ready_spread_over_nodes_and_scales_down() {
    let (member, _dir) = start("m2").await;
    let client = client(&member).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    create(&deployments, deployment("web", 3, "100m")).await;

    let seen = wait_for(deployments.clone(), "web with 3 ready replicas", |d| {
        one_named(d, "web").is_some_and(|d| {
            let s = d.status.clone().unwrap_or_default();
            ready_replicas(d) == 3
                && s.available_replicas == Some(3)
                && s.updated_replicas == Some(3)
                && s.observed_generation == d.metadata.generation
        })
    })
    .await;
    let status = one_named(&seen, "web")
        .and_then(|d| d.status.clone())
        .expect("status");
    let available = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_.as_deref() == Some("Available"));
    assert_eq!(available.and_then(|c| c.status.as_deref()), Some("True"));

    let running = wait_for(pods.clone(), "3 running web pods", |p| {
        running_pods_of(p, "web").len() == 3
    })
    .await;
    let running = running_pods_of(&running, "web");
    let mut nodes: Vec<_> = running
        .iter()
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        .collect();
    nodes.sort();
    nodes.dedup();
    assert_eq!(nodes.len(), 3, "pods spread on distinct nodes: {nodes:?}");
    for pod in &running {
        let name = pod.metadata.name.as_deref().unwrap_or_default();
        assert!(
            name.starts_with("web-") && name.split('-').count() == 3,
            "{name}"
        );
        let status = pod.status.as_ref().expect("status");
        assert!(status.pod_ip.is_some() && status.start_time.is_some());
    }

    deployments
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .expect("scaled");
    wait_for(deployments, "web scaled to 1", |d| {
        one_named(d, "web").is_some_and(|d| {
            let s = d.status.clone().unwrap_or_default();
            s.replicas == Some(1) && ready_replicas(d) == 1
        })
    })
    .await;
    wait_for(pods, "1 web pod left", |p| {
        p.iter()
            .filter(|p| {
                p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("app"))
                    .is_some()
            })
            .count()
            == 1
    })
    .await;
    member.stop().await;
}

#[tokio::test]
async fn pod_that_fits_no_node_stays_pending_unschedulable() {
    let (member, _dir) = start("m3").await;
    let client = client(&member).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    create(
        &pods,
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "huge", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                "resources": {"requests": {"cpu": "64"}}}]}
        }),
    )
    .await;
    let seen = wait_for(pods, "huge marked unschedulable", |p| {
        one_named(p, "huge").is_some_and(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| {
                    c.iter().any(|c| {
                        c.type_ == "PodScheduled"
                            && c.status == "False"
                            && c.reason.as_deref() == Some("Unschedulable")
                            && c.message
                                .as_deref()
                                .is_some_and(|m| m.contains("3 Insufficient cpu"))
                    })
                })
        })
    })
    .await;
    let pod = one_named(&seen, "huge").expect("pod");
    assert!(
        pod.spec
            .as_ref()
            .and_then(|s| s.node_name.as_ref())
            .is_none()
    );
    assert_eq!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Pending")
    );
    member.stop().await;
}

#[tokio::test]
async fn job_runs_its_pod_and_completes() {
    let (member, _dir) = start("m4").await;
    let jobs: Api<Job> = Api::namespaced(client(&member).await, "default");
    create(
        &jobs,
        json!({
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default"},
            "spec": {"template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "pi", "image": "perl"}]}}}
        }),
    )
    .await;
    let seen = wait_for(jobs, "pi complete", |j| {
        one_named(j, "pi").is_some_and(|j| {
            j.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.type_ == "Complete" && c.status == "True")
                })
        })
    })
    .await;
    let status = one_named(&seen, "pi")
        .and_then(|j| j.status.clone())
        .expect("status");
    assert_eq!(status.succeeded, Some(1));
    assert_eq!(status.active, None);
    assert!(status.completion_time.is_some() && status.start_time.is_some());
    member.stop().await;
}

#[tokio::test]
async fn daemonset_gets_one_pod_per_node_and_load_balancer_gets_an_ip() {
    let (member, _dir) = start("m5").await;
    let client = client(&member).await;
    let daemonsets: Api<DaemonSet> = Api::namespaced(client.clone(), "default");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    create(
        &daemonsets,
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                "template": {"metadata": {"labels": {"app": "agent"}},
                    "spec": {"containers": [{"name": "a", "image": "agent"}]}}}
        }),
    )
    .await;
    create(
        &services,
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "lb", "namespace": "default"},
            "spec": {"type": "LoadBalancer", "selector": {"app": "agent"}, "ports": [{"port": 80}]}
        }),
    )
    .await;
    wait_for(daemonsets, "agent ready on 3 nodes", |d| {
        one_named(d, "agent").is_some_and(|d| {
            d.status
                .as_ref()
                .is_some_and(|s| s.desired_number_scheduled == 3 && s.number_ready == 3)
        })
    })
    .await;
    let seen = wait_for(pods, "3 agent pods", |p| {
        running_pods_of(p, "agent").len() == 3
    })
    .await;
    let mut nodes: Vec<_> = running_pods_of(&seen, "agent")
        .iter()
        .filter_map(|p| p.spec.as_ref().and_then(|s| s.node_name.clone()))
        .collect();
    nodes.sort();
    nodes.dedup();
    assert_eq!(nodes.len(), 3);
    wait_for(services, "lb ingress", |s| {
        one_named(s, "lb").is_some_and(|s| {
            s.status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref())
                .is_some_and(|i| i.len() == 1 && i[0].ip.is_some())
        })
    })
    .await;
    member.stop().await;
}

#[tokio::test]
async fn unhealthy_switch_drops_ready_replicas_and_recovers() {
    let (member, _dir) = start("m6").await;
    let deployments: Api<Deployment> = Api::namespaced(client(&member).await, "default");
    create(&deployments, deployment("app", 2, "10m")).await;
    let ready = |n: i32| {
        move |d: &[Arc<Deployment>]| one_named(d, "app").is_some_and(|d| ready_replicas(d) == n)
    };
    wait_for(deployments.clone(), "2 ready", ready(2)).await;
    member.controls().set_workloads_unhealthy(true);
    wait_for(deployments.clone(), "0 ready while unhealthy", ready(0)).await;
    member.controls().set_workloads_unhealthy(false);
    wait_for(deployments, "2 ready again", ready(2)).await;
    member.stop().await;
}

#[tokio::test]
async fn restart_on_the_same_data_dir_resumes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = MemberOptions::new("m7", dir.path().join("m7"));
    let member = Member::start(options.clone()).await.expect("starts");
    let token = member.token.clone();
    let deployments: Api<Deployment> = Api::namespaced(client(&member).await, "default");
    create(&deployments, deployment("keep", 2, "10m")).await;
    wait_for(deployments, "2 ready", |d| {
        one_named(d, "keep").is_some_and(|d| ready_replicas(d) == 2)
    })
    .await;
    let nodes: Api<Node> = Api::all(client(&member).await);
    nodes
        .delete("m7-node-2", &Default::default())
        .await
        .expect("node deleted");
    member.stop().await;

    let member = Member::start(options).await.expect("restarts");
    assert_eq!(member.token, token, "the token survives restarts");
    let client = client(&member).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    deployments
        .patch(
            "keep",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .expect("scaled after restart");
    wait_for(deployments, "3 ready after restart", |d| {
        one_named(d, "keep").is_some_and(|d| ready_replicas(d) == 3)
    })
    .await;
    let nodes = Api::<Node>::all(client)
        .list(&Default::default())
        .await
        .expect("nodes");
    assert_eq!(
        nodes.items.len(),
        2,
        "a deleted node is not registered again"
    );
    member.stop().await;
}

#[tokio::test]
async fn bearer_token_authenticates_and_a_wrong_one_gets_401() {
    let (member, _dir) = start("m8").await;
    let token_client = |token: &str| {
        let mut config = kube::Config::new(member.endpoint.parse().expect("endpoint"));
        config.root_cert = Some(vec![pem_to_der(&member.ca_pem)]);
        config.auth_info.token = Some(token.to_string().into());
        Client::try_from(config).expect("client")
    };
    let nodes: Api<Node> = Api::all(token_client(&member.token));
    assert_eq!(
        nodes
            .list(&Default::default())
            .await
            .expect("authorized")
            .items
            .len(),
        3
    );
    let wrong: Api<Node> = Api::all(token_client("not-the-token"));
    match wrong.list(&Default::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 401),
        other => panic!("expected 401, got {other:?}"),
    }
    member.stop().await;
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    CertificateDer::from_pem_slice(pem.as_bytes())
        .expect("CA PEM")
        .to_vec()
}

#[tokio::test]
async fn failing_readyz_switch_fails_only_readyz() {
    let (member, _dir) = start("readyz").await;
    // The client the controllers probe members with (it does not retry a 503).
    let client = karmada_controllers::members::build_client(
        "readyz",
        &member.endpoint,
        &member.token,
        Some(member.ca_pem.as_bytes()),
        false,
        None,
    )
    .expect("a member client");
    let get = |path: &'static str| {
        let client = client.clone();
        async move {
            let request = http::Request::get(path)
                .body(Vec::new())
                .expect("a request");
            client.request_text(request).await
        }
    };
    assert_eq!(get("/readyz").await.expect("ready"), "ok");
    member.controls().set_failing_readyz(true);
    match get("/readyz").await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 503),
        other => panic!("expected 503, got {other:?}"),
    }
    assert_eq!(get("/healthz").await.expect("healthz still ok"), "ok");
    member.controls().set_failing_readyz(false);
    assert_eq!(get("/readyz").await.expect("ready again"), "ok");
    member.stop().await;
}
