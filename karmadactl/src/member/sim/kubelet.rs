//! The simulated kubelet's pod side: a bound pod reports `ContainerCreating` until `ready_delay`
//! after it was bound, then `Running` and `Ready` (not Ready while workloads are switched
//! unhealthy); pods of Jobs then succeed after another `ready_delay`.
//!
//! Ownership: the status of every pod bound to a node.

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, HostIP, Node, Pod, PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::nodes::{node_ip, pod_cidr, reported_ip};
use super::objects::{
    controller_kind, fnv, node_name, phase, status_patch, terminating, transition_time,
};
use super::plan::{Ctx, Kind, Plan, Snapshot};

/// Where a bound pod is in its simulated life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Starting,
    Running,
    Succeeded,
}

/// The pod's IP: in its node's pod CIDR, stable for the pod's uid.
pub fn pod_ip(node: Option<&Node>, node_name: &str, uid: &str) -> String {
    let cidr = node
        .and_then(|n| n.spec.as_ref())
        .and_then(|s| s.pod_cidr.clone())
        .unwrap_or_else(|| pod_cidr(node_name));
    let prefix = cidr.split('/').next().unwrap_or("10.64.0.0");
    let base: Vec<&str> = prefix.split('.').collect();
    let host = fnv(uid.as_bytes()) % 250 + 2;
    match base.as_slice() {
        [a, b, c, _] => format!("{a}.{b}.{c}.{host}"),
        _ => format!("10.64.0.{host}"),
    }
}

fn condition(
    old: &PodStatus,
    type_: &str,
    ready: bool,
    reason: Option<&str>,
    ctx: &Ctx,
) -> PodCondition {
    let status = if ready { "True" } else { "False" };
    let previous = old.conditions.iter().flatten().find(|c| c.type_ == type_);
    PodCondition {
        type_: type_.into(),
        status: status.into(),
        reason: reason.map(String::from),
        last_transition_time: Some(transition_time(
            previous.map(|c| (c.status.as_str(), c.last_transition_time.as_ref())),
            status,
            &ctx.wall,
        )),
        ..PodCondition::default()
    }
}

fn qos_class(pod: &Pod) -> String {
    let Some(spec) = pod.spec.as_ref() else {
        return "BestEffort".into();
    };
    let mut any = false;
    let mut guaranteed = true;
    for c in &spec.containers {
        let requests = c
            .resources
            .as_ref()
            .and_then(|r| r.requests.clone())
            .unwrap_or_default();
        let limits = c
            .resources
            .as_ref()
            .and_then(|r| r.limits.clone())
            .unwrap_or_default();
        any |= !requests.is_empty() || !limits.is_empty();
        guaranteed &= ["cpu", "memory"].iter().all(|k| {
            limits.contains_key(*k) && requests.get(*k).is_none_or(|r| Some(r) == limits.get(*k))
        });
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
    .into()
}

/// The status the kubelet reports for a bound pod at `stage`.
pub fn desired_status(pod: &Pod, node: Option<&Node>, stage: Stage, ctx: &Ctx) -> PodStatus {
    let old = pod.status.clone().unwrap_or_default();
    let node_name = node_name(pod).unwrap_or_default();
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let host_ip = node.map(reported_ip).unwrap_or_else(|| node_ip(node_name));
    let ip = pod_ip(node, node_name, uid);
    let started = old.start_time.clone().unwrap_or_else(|| ctx.wall.clone());
    let ready = stage == Stage::Running && !ctx.unhealthy;
    let running_since = |old: &ContainerStatus| -> Time {
        old.state
            .as_ref()
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.clone())
            .unwrap_or_else(|| ctx.wall.clone())
    };
    let containers = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| {
            let previous = old
                .container_statuses
                .iter()
                .flatten()
                .find(|s| s.name == c.name);
            let state = match stage {
                Stage::Starting => ContainerState {
                    waiting: Some(ContainerStateWaiting {
                        reason: Some("ContainerCreating".into()),
                        message: None,
                    }),
                    ..ContainerState::default()
                },
                Stage::Running => ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(
                            previous
                                .map(running_since)
                                .unwrap_or_else(|| ctx.wall.clone()),
                        ),
                    }),
                    ..ContainerState::default()
                },
                Stage::Succeeded => ContainerState {
                    terminated: Some(ContainerStateTerminated {
                        exit_code: 0,
                        reason: Some("Completed".into()),
                        started_at: previous.map(running_since),
                        finished_at: Some(
                            previous
                                .and_then(|p| p.state.as_ref())
                                .and_then(|s| s.terminated.as_ref())
                                .and_then(|t| t.finished_at.clone())
                                .unwrap_or_else(|| ctx.wall.clone()),
                        ),
                        container_id: Some(format!(
                            "containerd://{:016x}",
                            fnv(format!("{uid}/{}", c.name).as_bytes())
                        )),
                        ..ContainerStateTerminated::default()
                    }),
                    ..ContainerState::default()
                },
            };
            let image = c.image.clone().unwrap_or_default();
            ContainerStatus {
                name: c.name.clone(),
                image: image.clone(),
                image_id: if stage == Stage::Starting {
                    String::new()
                } else {
                    format!("kwok://{image}")
                },
                container_id: (stage != Stage::Starting).then(|| {
                    format!(
                        "containerd://{:016x}",
                        fnv(format!("{uid}/{}", c.name).as_bytes())
                    )
                }),
                ready,
                started: Some(stage == Stage::Running),
                restart_count: 0,
                state: Some(state),
                ..ContainerStatus::default()
            }
        })
        .collect();
    let not_ready_reason = match stage {
        Stage::Succeeded => Some("PodCompleted"),
        _ if !ready => Some("ContainersNotReady"),
        _ => None,
    };
    let started_containers = stage != Stage::Starting;
    PodStatus {
        phase: Some(
            match stage {
                Stage::Starting => "Pending",
                Stage::Running => "Running",
                Stage::Succeeded => "Succeeded",
            }
            .into(),
        ),
        conditions: Some(vec![
            condition(
                &old,
                "PodReadyToStartContainers",
                started_containers,
                None,
                ctx,
            ),
            condition(
                &old,
                "Initialized",
                true,
                (stage == Stage::Succeeded).then_some("PodCompleted"),
                ctx,
            ),
            condition(&old, "Ready", ready, not_ready_reason, ctx),
            condition(&old, "ContainersReady", ready, not_ready_reason, ctx),
            condition(&old, "PodScheduled", true, None, ctx),
        ]),
        host_ip: Some(host_ip.clone()),
        host_ips: Some(vec![HostIP { ip: host_ip }]),
        pod_ip: Some(ip.clone()),
        pod_ips: Some(vec![PodIP { ip }]),
        start_time: Some(started),
        container_statuses: Some(containers),
        qos_class: Some(qos_class(pod)),
        ..PodStatus::default()
    }
}

/// Pod statuses to write, and when the next pod changes stage.
pub fn plan(snapshot: &Snapshot, ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    let nodes: HashMap<&str, &Node> = snapshot
        .nodes
        .iter()
        .map(|n| (n.metadata.name.as_deref().unwrap_or_default(), n.as_ref()))
        .collect();
    for pod in &snapshot.pods {
        let Some(node) = node_name(pod) else { continue };
        if terminating(&pod.metadata) || matches!(phase(pod), "Succeeded" | "Failed") {
            continue;
        }
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        let bound = ctx.bound_at.get(uid).copied().unwrap_or(ctx.now);
        let running_at = bound + ctx.ready_delay;
        let done_at = running_at + ctx.ready_delay;
        let runs_to_completion = controller_kind(&pod.metadata) == Some("Job");
        // A pod already reported Running (e.g. before a restart) never goes back to starting.
        let stage = if ctx.now < running_at && phase(pod) != "Running" {
            plan.wake_at(running_at);
            Stage::Starting
        } else if runs_to_completion && ctx.now >= done_at {
            Stage::Succeeded
        } else {
            if runs_to_completion {
                plan.wake_at(done_at);
            }
            Stage::Running
        };
        let desired = desired_status(pod, nodes.get(node).copied(), stage, ctx);
        plan.patch_status(
            Kind::Pod,
            &pod.metadata,
            status_patch(pod.status.as_ref(), &desired),
        );
    }
    plan
}
