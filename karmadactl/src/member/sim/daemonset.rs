//! The simulated DaemonSet controller: one pod per node that matches the template's node selector
//! and affinity and whose NoSchedule/NoExecute taints it tolerates, bound directly to the node;
//! pods on nodes that no longer qualify are removed; template changes roll one node at a time.
//!
//! Ownership: the pods a DaemonSet controls; the DaemonSet's status.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::DaemonSetStatus;
use k8s_openapi::api::core::v1::{Node, Pod, PodSpec, Toleration};

use super::objects::{
    active, child_name, controller_ref, node_name, pod_from_template, random_suffix, ready,
    status_patch, template_hash, terminating,
};
use super::plan::{Action, Ctx, Kind, Plan, Snapshot};
use super::scheduler::{node_matches, untolerated_taint};

/// The tolerations the DaemonSet controller adds to its pods.
fn daemon_tolerations(spec: &PodSpec) -> Vec<Toleration> {
    let mut all = spec.tolerations.clone().unwrap_or_default();
    for (key, effect) in [
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ] {
        all.push(Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Toleration::default()
        });
    }
    all
}

/// Whether a daemon pod with this spec belongs on `node`.
pub fn should_run(spec: &PodSpec, node: &Node) -> bool {
    !terminating(&node.metadata)
        && node_matches(spec, node)
        && untolerated_taint(node, &daemon_tolerations(spec)).is_none()
}

pub fn plan(snapshot: &Snapshot, _ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    for ds in &snapshot.daemonsets {
        let (Some(uid), spec) = (ds.metadata.uid.as_deref(), &ds.spec) else {
            continue;
        };
        if terminating(&ds.metadata) {
            continue;
        }
        let name = ds.metadata.name.as_deref().unwrap_or_default();
        let template_spec = spec.template.spec.clone().unwrap_or_default();
        let hash = template_hash(&spec.template);
        let mut by_node: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
        for pod in snapshot.pods_of(uid).filter(|p| active(p)) {
            if let Some(node) = node_name(pod) {
                by_node.entry(node).or_default().push(pod);
            }
        }
        let eligible: Vec<&str> = snapshot
            .nodes
            .iter()
            .filter(|n| should_run(&template_spec, n))
            .filter_map(|n| n.metadata.name.as_deref())
            .collect();
        let mut changed = false;
        let (mut scheduled, mut ready_count, mut updated, mut misscheduled) = (0, 0, 0, 0);
        for node in &eligible {
            match by_node.get(node).map(Vec::as_slice) {
                None | Some([]) => {
                    let mut pod = pod_from_template(
                        &spec.template,
                        child_name(name, &random_suffix()),
                        ds.metadata.namespace.clone(),
                        controller_ref("apps/v1", "DaemonSet", &ds.metadata),
                        &[
                            ("controller-revision-hash", hash.clone()),
                            (
                                "pod-template-generation",
                                ds.metadata.generation.unwrap_or(1).to_string(),
                            ),
                        ],
                    );
                    if let Some(pod_spec) = pod.spec.as_mut() {
                        pod_spec.node_name = Some((*node).to_string());
                        pod_spec.tolerations = Some(daemon_tolerations(&template_spec));
                    }
                    plan.push(Action::CreatePod(pod));
                    changed = true;
                }
                Some([first, extra @ ..]) => {
                    scheduled += 1;
                    ready_count += usize::from(ready(first));
                    updated += usize::from(
                        first
                            .metadata
                            .labels
                            .as_ref()
                            .and_then(|l| l.get("controller-revision-hash"))
                            == Some(&hash),
                    );
                    for pod in extra {
                        plan.delete(Kind::Pod, &pod.metadata);
                        changed = true;
                    }
                }
            }
        }
        for (node, pods) in &by_node {
            if !eligible.contains(node) {
                misscheduled += 1;
                for pod in pods {
                    plan.delete(Kind::Pod, &pod.metadata);
                    changed = true;
                }
            }
        }
        let rolling = spec
            .update_strategy
            .as_ref()
            .and_then(|s| s.type_.as_deref())
            != Some("OnDelete");
        if rolling
            && !changed
            && ready_count == eligible.len()
            && let Some(outdated) = eligible
                .iter()
                .filter_map(|n| by_node.get(n)?.first())
                .find(|p| {
                    p.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get("controller-revision-hash"))
                        != Some(&hash)
                })
        {
            plan.delete(Kind::Pod, &outdated.metadata);
        }
        let desired = eligible.len();
        let to_i32 = super::objects::count;
        let status = DaemonSetStatus {
            observed_generation: ds.metadata.generation,
            desired_number_scheduled: to_i32(desired),
            current_number_scheduled: to_i32(scheduled),
            number_misscheduled: to_i32(misscheduled),
            number_ready: to_i32(ready_count),
            number_available: super::objects::nonzero(ready_count),
            number_unavailable: super::objects::nonzero(desired.saturating_sub(ready_count)),
            updated_number_scheduled: super::objects::nonzero(updated),
            collision_count: None,
            conditions: None,
        };
        plan.patch_status(
            Kind::DaemonSet,
            &ds.metadata,
            status_patch(ds.status.as_ref(), &status),
        );
    }
    plan
}
