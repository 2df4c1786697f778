//! The simulated StatefulSet controller: pods `<sts>-<ordinal>` created in order (each once its
//! predecessors are Ready, or all at once with `podManagementPolicy: Parallel`), removed from the
//! highest ordinal, and rolled from the highest ordinal down one at a time on template changes.
//!
//! Ownership: the pods a StatefulSet controls; the StatefulSet's status.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSetStatus;
use k8s_openapi::api::core::v1::Pod;

use super::objects::{
    active, child_name, controller_ref, nonzero, pod_from_template, ready, status_patch,
    template_hash, terminating,
};
use super::plan::{Action, Ctx, Kind, Plan, Snapshot};

pub const REVISION_LABEL: &str = "controller-revision-hash";

fn revision_of(pod: &Pod) -> Option<&str> {
    pod.metadata
        .labels
        .as_ref()?
        .get(REVISION_LABEL)
        .map(String::as_str)
}

fn ordinal(set_name: &str, pod: &Pod) -> Option<usize> {
    pod.metadata
        .name
        .as_deref()?
        .strip_prefix(set_name)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

pub fn plan(snapshot: &Snapshot, _ctx: &Ctx) -> Plan {
    let mut plan = Plan::default();
    for set in &snapshot.statefulsets {
        let (Some(uid), spec) = (set.metadata.uid.as_deref(), &set.spec) else {
            continue;
        };
        if terminating(&set.metadata) {
            continue;
        }
        let name = set.metadata.name.as_deref().unwrap_or_default();
        let desired = usize::try_from(spec.replicas.unwrap_or(1)).unwrap_or(0);
        let parallel = spec.pod_management_policy.as_deref() == Some("Parallel");
        let update_revision = child_name(name, &template_hash(&spec.template));
        let pods: BTreeMap<usize, &Pod> = snapshot
            .pods_of(uid)
            .filter(|p| active(p))
            .filter_map(|p| Some((ordinal(name, p)?, p.as_ref())))
            .collect();
        let mut changed = false;
        // Create missing ordinals below `desired`.
        for i in 0..desired {
            match pods.get(&i) {
                Some(pod) if !parallel && !ready(pod) => break,
                Some(_) => {}
                None => {
                    let pod_name = format!("{name}-{i}");
                    let mut pod = pod_from_template(
                        &spec.template,
                        pod_name.clone(),
                        set.metadata.namespace.clone(),
                        controller_ref("apps/v1", "StatefulSet", &set.metadata),
                        &[
                            (REVISION_LABEL, update_revision.clone()),
                            ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
                            ("apps.kubernetes.io/pod-index", i.to_string()),
                        ],
                    );
                    if let Some(pod_spec) = pod.spec.as_mut() {
                        pod_spec.hostname = Some(pod_name);
                        pod_spec.subdomain = spec.service_name.clone().filter(|s| !s.is_empty());
                    }
                    plan.push(Action::CreatePod(pod));
                    changed = true;
                    if !parallel {
                        break;
                    }
                }
            }
        }
        // Remove ordinals at or above `desired`, highest first.
        let excess: Vec<&&Pod> = pods.range(desired..).rev().map(|(_, p)| p).collect();
        for pod in excess.iter().take(if parallel { excess.len() } else { 1 }) {
            plan.delete(Kind::Pod, &pod.metadata);
            changed = true;
        }
        // Roll: once everything is in place and Ready, replace the highest outdated pod.
        let rolling = spec
            .update_strategy
            .as_ref()
            .and_then(|s| s.type_.as_deref())
            != Some("OnDelete");
        let partition = spec
            .update_strategy
            .as_ref()
            .and_then(|s| s.rolling_update.as_ref())
            .and_then(|r| r.partition)
            .and_then(|p| usize::try_from(p).ok())
            .unwrap_or(0);
        let in_place = pods.len() == desired && pods.values().all(|p| ready(p));
        if rolling
            && !changed
            && in_place
            && let Some(pod) = pods
                .range(partition..)
                .rev()
                .map(|(_, p)| p)
                .find(|p| revision_of(p) != Some(update_revision.as_str()))
        {
            plan.delete(Kind::Pod, &pod.metadata);
        }
        let updated = pods
            .values()
            .filter(|p| revision_of(p) == Some(update_revision.as_str()))
            .count();
        let ready_count = pods.values().filter(|p| ready(p)).count();
        let old = set.status.clone().unwrap_or_default();
        let current_revision = if updated == pods.len() {
            update_revision.clone()
        } else {
            old.current_revision
                .clone()
                .unwrap_or_else(|| update_revision.clone())
        };
        let current = pods
            .values()
            .filter(|p| revision_of(p) == Some(current_revision.as_str()))
            .count();
        let status = StatefulSetStatus {
            observed_generation: set.metadata.generation,
            replicas: super::objects::count(pods.len()),
            ready_replicas: nonzero(ready_count),
            available_replicas: Some(super::objects::count(ready_count)),
            current_replicas: nonzero(current),
            updated_replicas: nonzero(updated),
            current_revision: Some(current_revision),
            update_revision: Some(update_revision),
            collision_count: Some(old.collision_count.unwrap_or(0)),
            conditions: old.conditions.clone(),
        };
        plan.patch_status(
            Kind::StatefulSet,
            &set.metadata,
            status_patch(set.status.as_ref(), &status),
        );
    }
    plan
}
