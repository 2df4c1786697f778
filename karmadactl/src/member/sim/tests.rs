//! The simulated controllers' rules, each checked on a hand-built snapshot without a server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::plan::{Action, Ctx, Kind, NodeShape, Plan, Snapshot};
use super::{
    daemonset, deployment, job, kubelet, nodes, replicaset, scheduler, service, statefulset,
};

fn obj<T: serde::de::DeserializeOwned>(value: Value) -> Arc<T> {
    Arc::new(serde_json::from_value(value).expect("valid fixture"))
}

fn shape() -> NodeShape {
    NodeShape {
        cpu: "8".into(),
        memory: "32Gi".into(),
        pods: 110,
    }
}

fn with_ctx<R>(
    bound_at: &HashMap<String, Instant>,
    now: Instant,
    unhealthy: bool,
    f: impl FnOnce(&Ctx) -> R,
) -> R {
    let shape = shape();
    let ctx = Ctx {
        member: "m",
        now,
        wall: super::objects::whole_seconds(
            jiff::Timestamp::from_second(1_700_000_000).expect("time"),
        ),
        ready_delay: Duration::from_millis(200),
        bound_at,
        unhealthy,
        heartbeat: false,
        node_shape: &shape,
    };
    f(&ctx)
}

fn run(snapshot: &Snapshot, planner: fn(&Snapshot, &Ctx) -> Plan) -> Plan {
    with_ctx(&HashMap::new(), Instant::now(), false, |ctx| {
        planner(snapshot, ctx)
    })
}

fn ready_node(name: &str, cpu: &str, extra_spec: Value) -> Arc<Node> {
    obj(json!({
        "metadata": {"name": name, "labels": {"zone": name}},
        "spec": extra_spec,
        "status": {
            "allocatable": {"cpu": cpu, "memory": "4Gi", "pods": "3"},
            "conditions": [{"type": "Ready", "status": "True"}]
        }
    }))
}

fn pod(
    name: &str,
    node: Option<&str>,
    cpu: &str,
    owner: Option<(&str, &str)>,
    extra_spec: Value,
) -> Arc<Pod> {
    let mut spec = json!({"containers": [{"name": "c", "image": "i",
        "resources": {"requests": {"cpu": cpu}}}]});
    if let Some(node) = node {
        spec["nodeName"] = json!(node);
    }
    if let (Value::Object(spec), Value::Object(extra)) = (&mut spec, extra_spec) {
        spec.extend(extra);
    }
    let owners = owner.map(|(kind, uid)| {
        json!([{"apiVersion": "apps/v1", "kind": kind, "name": "owner", "uid": uid, "controller": true}])
    });
    obj(json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
            "ownerReferences": owners.unwrap_or(json!([]))},
        "spec": spec,
    }))
}

fn bindings(plan: &Plan) -> Vec<(String, String)> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::Patch { target, patch } if target.kind == Kind::Pod => Some((
                target.name.clone(),
                patch["spec"]["nodeName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )),
            _ => None,
        })
        .collect()
}

fn created_pods(plan: &Plan) -> Vec<&Pod> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::CreatePod(p) => Some(p),
            _ => None,
        })
        .collect()
}

fn deleted(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::Delete { target, .. } => Some(target.name.clone()),
            _ => None,
        })
        .collect()
}

fn status_of(plan: &Plan, kind: Kind) -> Option<&Value> {
    plan.actions.iter().find_map(|a| match a {
        Action::PatchStatus { target, patch } if target.kind == kind => Some(&patch["status"]),
        _ => None,
    })
}

/// (case, nodes, pods, expected (pod, node) bindings)
type SchedulingCase = (
    &'static str,
    Vec<Arc<Node>>,
    Vec<Arc<Pod>>,
    Vec<(&'static str, &'static str)>,
);

#[test]
fn scheduler_binds_each_pod_to_a_node_that_fits() {
    let cases: Vec<SchedulingCase> = vec![
        (
            "fits the only node",
            vec![ready_node("a", "1", json!({}))],
            vec![pod("p", None, "500m", None, json!({}))],
            vec![("p", "a")],
        ),
        (
            "skips a node without cpu left",
            vec![
                ready_node("a", "1", json!({})),
                ready_node("b", "2", json!({})),
            ],
            vec![
                pod("used", Some("a"), "900m", None, json!({})),
                pod("p", None, "500m", None, json!({})),
            ],
            vec![("p", "b")],
        ),
        (
            "honours nodeSelector",
            vec![
                ready_node("a", "8", json!({})),
                ready_node("b", "8", json!({})),
            ],
            vec![pod(
                "p",
                None,
                "1",
                None,
                json!({"nodeSelector": {"zone": "b"}}),
            )],
            vec![("p", "b")],
        ),
        (
            "skips a tainted node without toleration",
            vec![
                ready_node(
                    "a",
                    "8",
                    json!({"taints": [{"key": "k", "effect": "NoSchedule"}]}),
                ),
                ready_node("b", "8", json!({})),
            ],
            vec![pod("p", None, "1", None, json!({}))],
            vec![("p", "b")],
        ),
        (
            "a toleration admits the tainted node",
            vec![ready_node(
                "a",
                "8",
                json!({"taints": [{"key": "k", "value": "v", "effect": "NoSchedule"}]}),
            )],
            vec![pod(
                "p",
                None,
                "1",
                None,
                json!({"tolerations": [{"key": "k", "operator": "Equal", "value": "v"}]}),
            )],
            vec![("p", "a")],
        ),
        (
            "skips a cordoned node",
            vec![
                ready_node("a", "8", json!({"unschedulable": true})),
                ready_node("b", "8", json!({})),
            ],
            vec![pod("p", None, "1", None, json!({}))],
            vec![("p", "b")],
        ),
        (
            "spreads pods of one controller",
            vec![
                ready_node("a", "8", json!({})),
                ready_node("b", "8", json!({})),
                ready_node("c", "8", json!({})),
            ],
            vec![
                pod("p1", None, "1", Some(("ReplicaSet", "rs")), json!({})),
                pod("p2", None, "1", Some(("ReplicaSet", "rs")), json!({})),
                pod("p3", None, "1", Some(("ReplicaSet", "rs")), json!({})),
            ],
            vec![("p1", "a"), ("p2", "b"), ("p3", "c")],
        ),
        (
            "counts pod slots",
            vec![ready_node("a", "8", json!({}))],
            vec![
                pod("x", Some("a"), "0", None, json!({})),
                pod("y", Some("a"), "0", None, json!({})),
                pod("z", Some("a"), "0", None, json!({})),
                pod("p", None, "0", None, json!({})),
            ],
            vec![],
        ),
    ];
    for (name, nodes, pods, want) in cases {
        let snapshot = Snapshot {
            nodes,
            pods,
            ..Snapshot::default()
        };
        let got = bindings(&run(&snapshot, scheduler::plan));
        let want: Vec<(String, String)> = want
            .into_iter()
            .map(|(p, n)| (p.into(), n.into()))
            .collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn pod_that_fits_nowhere_gets_unschedulable_condition_once() {
    let snapshot = Snapshot {
        nodes: vec![ready_node("a", "1", json!({}))],
        pods: vec![pod("big", None, "4", None, json!({}))],
        ..Snapshot::default()
    };
    let plan = run(&snapshot, scheduler::plan);
    let status = status_of(&plan, Kind::Pod).expect("a status patch");
    assert_eq!(status["conditions"][0]["reason"], "Unschedulable");
    assert!(
        status["conditions"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("1 Insufficient cpu")
    );
    // With that status observed, nothing more is written.
    let mut marked: Pod = (*snapshot.pods[0]).clone();
    marked.status = Some(serde_json::from_value(status.clone()).expect("status"));
    let again = Snapshot {
        pods: vec![Arc::new(marked)],
        ..snapshot
    };
    assert!(run(&again, scheduler::plan).actions.is_empty());
}

#[test]
fn kubelet_starts_pods_after_the_delay_and_follows_the_health_switch() {
    let p = pod("p", Some("a"), "0", None, json!({}));
    let job_pod = pod("j", Some("a"), "0", Some(("Job", "job")), json!({}));
    let snapshot = Snapshot {
        pods: vec![p, job_pod],
        ..Snapshot::default()
    };
    let bound = Instant::now();
    let bound_at = HashMap::from([("uid-p".to_string(), bound), ("uid-j".to_string(), bound)]);
    let phases = |at: Duration, unhealthy: bool| {
        with_ctx(&bound_at, bound + at, unhealthy, |ctx| {
            let plan = kubelet::plan(&snapshot, ctx);
            plan.actions
                .iter()
                .filter_map(|a| match a {
                    Action::PatchStatus { target, patch } => Some((
                        target.name.clone(),
                        patch["status"]["phase"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        patch["status"]["conditions"].as_array().and_then(|c| {
                            c.iter()
                                .find(|c| c["type"] == "Ready")
                                .map(|c| c["status"] == "True")
                        }),
                    )),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    };
    let s = |n: &str, p: &str, r: bool| (n.to_string(), p.to_string(), Some(r));
    assert_eq!(
        phases(Duration::from_millis(100), false),
        vec![s("p", "Pending", false), s("j", "Pending", false)]
    );
    assert_eq!(
        phases(Duration::from_millis(250), false),
        vec![s("p", "Running", true), s("j", "Running", true)]
    );
    assert_eq!(
        phases(Duration::from_millis(250), true),
        vec![s("p", "Running", false), s("j", "Running", false)]
    );
    assert_eq!(
        phases(Duration::from_millis(450), false),
        vec![s("p", "Running", true), s("j", "Succeeded", false)]
    );
}

#[test]
fn kubelet_never_sends_a_running_pod_back_to_starting() {
    let mut running: Pod = (*pod("p", Some("a"), "0", None, json!({}))).clone();
    running.status = Some(serde_json::from_value(json!({"phase": "Running"})).expect("status"));
    let snapshot = Snapshot {
        pods: vec![Arc::new(running)],
        ..Snapshot::default()
    };
    let bound_at = HashMap::from([("uid-p".to_string(), Instant::now())]);
    let plan = with_ctx(&bound_at, Instant::now(), false, |ctx| {
        kubelet::plan(&snapshot, ctx)
    });
    assert_eq!(
        status_of(&plan, Kind::Pod).and_then(|s| s.get("phase")),
        None,
        "phase stays Running"
    );
}

fn replicaset(replicas: i32) -> Arc<k8s_openapi::api::apps::v1::ReplicaSet> {
    obj(json!({
        "metadata": {"name": "rs", "namespace": "default", "uid": "rs", "generation": 2},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "a"}},
            "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c"}]}}}
    }))
}

#[test]
fn replicaset_creates_missing_pods_and_removes_unscheduled_first() {
    let snapshot = Snapshot {
        replicasets: vec![replicaset(3)],
        ..Snapshot::default()
    };
    let plan = run(&snapshot, replicaset::plan);
    let created = created_pods(&plan);
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|p| {
        p.metadata
            .name
            .as_deref()
            .is_some_and(|n| n.starts_with("rs-"))
    }));
    assert_eq!(
        super::objects::controller_uid(&created[0].metadata),
        Some("rs")
    );

    let snapshot = Snapshot {
        replicasets: vec![replicaset(1)],
        pods: vec![
            pod(
                "bound",
                Some("a"),
                "0",
                Some(("ReplicaSet", "rs")),
                json!({}),
            ),
            pod("pending", None, "0", Some(("ReplicaSet", "rs")), json!({})),
        ],
        ..Snapshot::default()
    };
    let plan = run(&snapshot, replicaset::plan);
    assert_eq!(deleted(&plan), vec!["pending"]);
    assert_eq!(
        status_of(&plan, Kind::ReplicaSet).map(|s| s["observedGeneration"].clone()),
        Some(json!(2))
    );
}

fn deployment(replicas: i32, image: &str) -> Arc<k8s_openapi::api::apps::v1::Deployment> {
    obj(json!({
        "metadata": {"name": "web", "namespace": "default", "uid": "d", "generation": 1},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": image}]}}}
    }))
}

#[test]
fn deployment_creates_a_replicaset_per_template_and_keeps_old_pods_until_new_ones_are_available() {
    let d = deployment(2, "v1");
    let plan = run(
        &Snapshot {
            deployments: vec![d.clone()],
            ..Snapshot::default()
        },
        deployment::plan,
    );
    let rs = plan
        .actions
        .iter()
        .find_map(|a| match a {
            Action::CreateReplicaSet(rs) => Some(rs.clone()),
            _ => None,
        })
        .expect("a ReplicaSet");
    let hash = rs
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("pod-template-hash"))
        .cloned()
        .expect("hash");
    assert_eq!(
        rs.metadata.name.as_deref(),
        Some(format!("web-{hash}").as_str())
    );
    assert_eq!(rs.spec.replicas, Some(2));
    assert_eq!(
        rs.spec
            .selector
            .match_labels
            .as_ref()
            .and_then(|l| l.get("pod-template-hash")),
        Some(&hash)
    );

    // The template changes: the old ReplicaSet (2 available) keeps its pods until the new one has some.
    let mut old = rs.clone();
    old.metadata.uid = Some("old".into());
    old.status = Some(
        serde_json::from_value(json!({"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}))
            .expect("status"),
    );
    let snapshot = Snapshot {
        deployments: vec![deployment(2, "v2")],
        replicasets: vec![Arc::new(old)],
        ..Snapshot::default()
    };
    let plan = run(&snapshot, deployment::plan);
    assert!(
        plan.actions
            .iter()
            .any(|a| matches!(a, Action::CreateReplicaSet(rs) if rs.spec.replicas == Some(2)))
    );
    assert!(
        !plan
            .actions
            .iter()
            .any(|a| matches!(a, Action::Patch { .. })),
        "old ReplicaSet not scaled yet"
    );
    let status = status_of(&plan, Kind::Deployment).expect("status");
    assert_eq!(
        (
            status["replicas"].clone(),
            status["readyReplicas"].clone(),
            status.get("updatedReplicas")
        ),
        (json!(2), json!(2), None)
    );
}

#[test]
fn statefulset_creates_ordinals_in_order_and_removes_the_highest_first() {
    let set = |replicas: i32, policy: &str| -> Arc<k8s_openapi::api::apps::v1::StatefulSet> {
        obj(json!({
            "metadata": {"name": "db", "namespace": "default", "uid": "sts"},
            "spec": {"replicas": replicas, "serviceName": "db", "podManagementPolicy": policy,
                "selector": {"matchLabels": {"app": "db"}},
                "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "c"}]}}}
        }))
    };
    let names = |plan: &Plan| {
        created_pods(plan)
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect::<Vec<_>>()
    };
    let ordered = run(
        &Snapshot {
            statefulsets: vec![set(3, "OrderedReady")],
            ..Snapshot::default()
        },
        statefulset::plan,
    );
    assert_eq!(names(&ordered), vec!["db-0"]);
    let parallel = run(
        &Snapshot {
            statefulsets: vec![set(3, "Parallel")],
            ..Snapshot::default()
        },
        statefulset::plan,
    );
    assert_eq!(names(&parallel), vec!["db-0", "db-1", "db-2"]);
    // db-0 not Ready yet: db-1 waits.
    let waiting = Snapshot {
        statefulsets: vec![set(3, "OrderedReady")],
        pods: vec![pod(
            "db-0",
            Some("a"),
            "0",
            Some(("StatefulSet", "sts")),
            json!({}),
        )],
        ..Snapshot::default()
    };
    assert!(names(&run(&waiting, statefulset::plan)).is_empty());
    let shrink = Snapshot {
        statefulsets: vec![set(1, "OrderedReady")],
        pods: ["db-0", "db-1", "db-2"]
            .iter()
            .map(|n| pod(n, Some("a"), "0", Some(("StatefulSet", "sts")), json!({})))
            .collect(),
        ..Snapshot::default()
    };
    assert_eq!(deleted(&run(&shrink, statefulset::plan)), vec!["db-2"]);
}

#[test]
fn daemonset_places_one_pod_on_each_eligible_node() {
    let ds = obj(json!({
        "metadata": {"name": "agent", "namespace": "default", "uid": "ds", "generation": 1},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"containers": [{"name": "c"}]}}}
    }));
    let snapshot = Snapshot {
        daemonsets: vec![ds],
        nodes: vec![
            ready_node("a", "8", json!({})),
            ready_node("cordoned", "8", json!({"unschedulable": true})),
            ready_node(
                "tainted",
                "8",
                json!({"taints": [{"key": "k", "effect": "NoSchedule"}]}),
            ),
        ],
        pods: vec![pod(
            "stale",
            Some("tainted"),
            "0",
            Some(("DaemonSet", "ds")),
            json!({}),
        )],
        ..Snapshot::default()
    };
    let plan = run(&snapshot, daemonset::plan);
    let mut nodes: Vec<_> = created_pods(&plan)
        .iter()
        .filter_map(|p| p.spec.as_ref()?.node_name.clone())
        .collect();
    nodes.sort();
    assert_eq!(
        nodes,
        vec!["a", "cordoned"],
        "daemon pods tolerate cordoning, not foreign taints"
    );
    assert_eq!(deleted(&plan), vec!["stale"]);
    assert_eq!(
        status_of(&plan, Kind::DaemonSet).map(|s| s["desiredNumberScheduled"].clone()),
        Some(json!(2))
    );
}

#[test]
fn job_runs_parallelism_pods_and_completes_at_completions() {
    let job = |status: Value| -> Arc<k8s_openapi::api::batch::v1::Job> {
        obj(json!({
            "metadata": {"name": "pi", "namespace": "default", "uid": "job"},
            "spec": {"parallelism": 2, "completions": 3,
                "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c"}]}}},
            "status": status,
        }))
    };
    let plan = run(
        &Snapshot {
            jobs: vec![job(json!({}))],
            ..Snapshot::default()
        },
        job::plan,
    );
    let created = created_pods(&plan);
    assert_eq!(created.len(), 2);
    let labels = created[0].metadata.labels.clone().unwrap_or_default();
    assert_eq!(
        labels
            .get("batch.kubernetes.io/controller-uid")
            .map(String::as_str),
        Some("job")
    );
    assert_eq!(labels.get("job-name").map(String::as_str), Some("pi"));

    let succeeded = |name: &str| {
        let mut p: Pod = (*pod(name, Some("a"), "0", Some(("Job", "job")), json!({}))).clone();
        p.status = Some(serde_json::from_value(json!({"phase": "Succeeded"})).expect("status"));
        Arc::new(p)
    };
    let done = Snapshot {
        jobs: vec![job(json!({}))],
        pods: vec![succeeded("a"), succeeded("b"), succeeded("c")],
        ..Snapshot::default()
    };
    let plan = run(&done, job::plan);
    assert!(created_pods(&plan).is_empty());
    let status = status_of(&plan, Kind::Job).expect("status");
    assert_eq!(status["succeeded"], 3);
    assert!(status["completionTime"].is_string());
    assert!(status["conditions"].as_array().is_some_and(|c| {
        c.iter()
            .any(|c| c["type"] == "Complete" && c["status"] == "True")
    }));
}

#[test]
fn only_load_balancer_services_get_an_ingress_ip() {
    let svc = |type_: &str| {
        obj(
            json!({"metadata": {"name": type_, "namespace": "default", "uid": type_}, "spec": {"type": type_}}),
        )
    };
    let plan = run(
        &Snapshot {
            services: vec![svc("LoadBalancer"), svc("ClusterIP")],
            ..Snapshot::default()
        },
        service::plan,
    );
    assert_eq!(plan.actions.len(), 1);
    let ip = status_of(&plan, Kind::Service).map(|s| s["loadBalancer"]["ingress"][0]["ip"].clone());
    assert_eq!(ip, Some(json!(service::ingress_ip("m", "LoadBalancer"))));
}

#[test]
fn node_status_is_written_once_and_pods_on_missing_nodes_are_collected() {
    let node: Arc<Node> = Arc::new(nodes::bootstrap_node("m", 0));
    let snapshot = Snapshot {
        nodes: vec![node.clone()],
        pods: vec![pod("orphan", Some("gone"), "0", None, json!({}))],
        ..Snapshot::default()
    };
    let plan = run(&snapshot, nodes::plan);
    assert_eq!(deleted(&plan), vec!["orphan"]);
    let status = status_of(&plan, Kind::Node).expect("node status").clone();
    assert_eq!(status["allocatable"]["cpu"], "8");
    assert_eq!(status["nodeInfo"]["kubeletVersion"], nodes::KUBELET_VERSION);
    let mut reported = (*node).clone();
    reported.status = Some(serde_json::from_value(status).expect("status"));
    assert!(nodes::node_ready(&reported));
    let steady = Snapshot {
        nodes: vec![Arc::new(reported)],
        ..Snapshot::default()
    };
    assert!(
        run(&steady, nodes::plan).actions.is_empty(),
        "no heartbeat write until one is due"
    );
}
