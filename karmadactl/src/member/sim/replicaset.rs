//! The simulated ReplicaSet controller: keeps `spec.replicas` active pods (`<rs>-<random>`),
//! removing unscheduled, then unready, then the newest pods first when scaling down.
//!
//! Ownership: the pods a ReplicaSet controls; the ReplicaSet's status.

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;

use super::objects::{
    active, child_name, controller_ref, node_name, nonzero, pod_from_template, random_suffix,
    ready, status_patch, terminating,
};
use super::plan::{Action, Ctx, Kind, Plan, Snapshot};

/// Which pods go first when scaling down: unscheduled, then not ready, then the newest.
fn deletion_rank(pod: &Pod) -> (bool, bool, std::cmp::Reverse<Option<jiff::Timestamp>>) {
    (
        node_name(pod).is_some(),
        ready(pod),
        std::cmp::Reverse(pod.metadata.creation_timestamp.as_ref().map(|t| t.0)),
    )
}

/// The status of a ReplicaSet with these active pods.
pub fn status(rs: &ReplicaSet, pods: &[&Pod]) -> ReplicaSetStatus {
    let ready_count = pods.iter().filter(|p| ready(p)).count();
    ReplicaSetStatus {
        replicas: super::objects::count(pods.len()),
        fully_labeled_replicas: nonzero(pods.len()),
        ready_replicas: nonzero(ready_count),
        available_replicas: nonzero(ready_count),
        observed_generation: rs.metadata.generation,
        conditions: None,
        ..ReplicaSetStatus::default()
    }
}

pub fn plan(snapshot: &Snapshot, _ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    for rs in &snapshot.replicasets {
        let (Some(uid), spec) = (rs.metadata.uid.as_deref(), &rs.spec) else {
            continue;
        };
        if terminating(&rs.metadata) {
            continue;
        }
        let mut pods: Vec<&Pod> = snapshot
            .pods_of(uid)
            .map(|p| p.as_ref())
            .filter(|p| active(p))
            .collect();
        let desired = usize::try_from(spec.replicas.unwrap_or(1)).unwrap_or(0);
        let name = rs.metadata.name.as_deref().unwrap_or_default();
        if pods.len() < desired {
            let template = spec.template.clone().unwrap_or_default();
            for _ in pods.len()..desired {
                plan.push(Action::CreatePod(pod_from_template(
                    &template,
                    child_name(name, &random_suffix()),
                    rs.metadata.namespace.clone(),
                    controller_ref("apps/v1", "ReplicaSet", &rs.metadata),
                    &[],
                )));
            }
        } else if pods.len() > desired {
            pods.sort_by_key(|p| deletion_rank(p));
            for pod in &pods[..pods.len() - desired] {
                plan.delete(Kind::Pod, &pod.metadata);
            }
        }
        plan.patch_status(
            Kind::ReplicaSet,
            &rs.metadata,
            status_patch(rs.status.as_ref(), &status(rs, &pods)),
        );
    }
    plan
}
